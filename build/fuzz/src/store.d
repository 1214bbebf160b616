build/fuzz/src/store.o: src/store.c src/store.h src/product.h src/money.h \
  src/sale.h src/cart.h src/tax.h

src/store.h:

src/product.h:

src/money.h:

src/sale.h:

src/cart.h:

src/tax.h:
