build/src/payment_journal.o: src/payment_journal.c src/payment_journal.h \
 drivers/payment_terminal.h src/store.h src/product.h
src/payment_journal.h:
drivers/payment_terminal.h:
src/store.h:
src/product.h:
