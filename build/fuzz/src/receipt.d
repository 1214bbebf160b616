build/fuzz/src/receipt.o: src/receipt.c src/receipt.h src/sale.h \
  src/cart.h src/product.h src/tax.h src/money.h

src/receipt.h:

src/sale.h:

src/cart.h:

src/product.h:

src/tax.h:

src/money.h:
