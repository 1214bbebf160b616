build/fuzz/gen/demo_catalog.o: build/gen/demo_catalog.c
