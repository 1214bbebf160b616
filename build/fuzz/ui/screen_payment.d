build/fuzz/ui/screen_payment.o: ui/screen_payment.c src/app.h src/cart.h \
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
