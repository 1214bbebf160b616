build/fuzz/tests/fuzz_zvt_apdu: tests/fuzz_zvt_apdu.c drivers/zvt_apdu.h

drivers/zvt_apdu.h:
