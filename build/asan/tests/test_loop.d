build/asan/tests/test_loop: tests/test_loop.c src/loop.h src/wedge.h
src/loop.h:
src/wedge.h:
