build/asan/tests/test_store: tests/test_store.c src/cart.h src/product.h \
 src/tax.h src/sale.h src/cart.h src/money.h src/store.h
src/cart.h:
src/product.h:
src/tax.h:
src/sale.h:
src/cart.h:
src/money.h:
src/store.h:
