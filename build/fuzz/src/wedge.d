build/fuzz/src/wedge.o: src/wedge.c src/wedge.h

src/wedge.h:
