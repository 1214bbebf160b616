build/asan/tests/test_zvt_apdu: tests/test_zvt_apdu.c \
 drivers/payment_terminal.h drivers/zvt_apdu.h
drivers/payment_terminal.h:
drivers/zvt_apdu.h:
