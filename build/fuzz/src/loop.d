build/fuzz/src/loop.o: src/loop.c src/loop.h

src/loop.h:
