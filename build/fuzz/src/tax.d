build/fuzz/src/tax.o: src/tax.c src/tax.h src/money.h

src/tax.h:

src/money.h:
