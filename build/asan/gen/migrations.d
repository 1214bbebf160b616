build/asan/gen/migrations.o: build/gen/migrations.c
