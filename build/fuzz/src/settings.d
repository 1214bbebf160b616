build/fuzz/src/settings.o: src/settings.c src/settings.h src/config.h \
  src/money.h src/product.h src/tax.h

src/settings.h:

src/config.h:

src/money.h:

src/product.h:

src/tax.h:
