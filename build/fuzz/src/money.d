build/fuzz/src/money.o: src/money.c src/money.h

src/money.h:
