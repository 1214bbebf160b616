build/fuzz/src/cart.o: src/cart.c src/cart.h src/product.h src/tax.h \
  src/money.h

src/cart.h:

src/product.h:

src/tax.h:

src/money.h:
