build/fuzz/drivers/terminal_zvt.o: drivers/terminal_zvt.c \
  drivers/payment_terminal.h drivers/zvt_apdu.h src/config.h src/loop.h \
  src/money.h

drivers/payment_terminal.h:

drivers/zvt_apdu.h:

src/config.h:

src/loop.h:

src/money.h:
