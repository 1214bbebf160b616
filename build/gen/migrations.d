build/gen/migrations.o: build/gen/migrations.c
