build/fuzz/src/tender.o: src/tender.c src/tender.h src/sale.h src/cart.h \
  src/product.h src/tax.h src/money.h

src/tender.h:

src/sale.h:

src/cart.h:

src/product.h:

src/tax.h:

src/money.h:
