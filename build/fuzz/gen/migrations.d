build/fuzz/gen/migrations.o: build/gen/migrations.c
