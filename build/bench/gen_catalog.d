build/bench/gen_catalog: bench/gen_catalog.c src/store.h src/product.h
src/store.h:
src/product.h:
