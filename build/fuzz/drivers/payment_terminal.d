build/fuzz/drivers/payment_terminal.o: drivers/payment_terminal.c \
  drivers/payment_terminal.h

drivers/payment_terminal.h:
