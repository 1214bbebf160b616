build/ui/keys.o: ui/keys.c src/app.h src/cart.h src/product.h src/tax.h \
 src/config.h src/loop.h src/sale.h src/money.h src/settings.h \
 src/store.h src/tender.h src/payment_journal.h \
 drivers/payment_terminal.h drivers/drawer.h ui/screen.h
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
src/tender.h:
src/payment_journal.h:
drivers/payment_terminal.h:
drivers/drawer.h:
ui/screen.h:
