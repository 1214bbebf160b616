build/asan/tests/test_money: tests/test_money.c src/money.h
src/money.h:
