build/fuzz/ui/screen_help.o: ui/screen_help.c src/app.h src/cart.h \
  src/product.h src/tax.h src/config.h src/loop.h src/sale.h src/money.h \
  src/settings.h src/store.h ui/screen.h

src/app.h:

src/cart.h:

src/product.h:

src/tax.h:

src/config.h:

src/loop.h:

src/sale.h:

src/money.h:

src/settings.h:

src/store.h:

ui/screen.h:
