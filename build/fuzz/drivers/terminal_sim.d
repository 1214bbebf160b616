build/fuzz/drivers/terminal_sim.o: drivers/terminal_sim.c \
  drivers/payment_terminal.h src/config.h src/loop.h src/money.h

drivers/payment_terminal.h:

src/config.h:

src/loop.h:

src/money.h:
