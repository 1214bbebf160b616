build/fuzz/src/product.o: src/product.c src/product.h

src/product.h:
