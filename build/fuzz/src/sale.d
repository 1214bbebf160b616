build/fuzz/src/sale.o: src/sale.c src/sale.h src/cart.h src/product.h \
  src/tax.h src/money.h

src/sale.h:

src/cart.h:

src/product.h:

src/tax.h:

src/money.h:
