build/fuzz/drivers/zvt_apdu.o: drivers/zvt_apdu.c drivers/zvt_apdu.h \
  drivers/payment_terminal.h

drivers/zvt_apdu.h:

drivers/payment_terminal.h:
