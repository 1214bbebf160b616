build/asan/tests/test_terminal_zvt: tests/test_terminal_zvt.c \
 tests/zvt_sim.c drivers/payment_terminal.h src/config.h src/loop.h
tests/zvt_sim.c:
drivers/payment_terminal.h:
src/config.h:
src/loop.h:
