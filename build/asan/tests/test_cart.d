build/asan/tests/test_cart: tests/test_cart.c src/cart.h src/product.h \
 src/tax.h src/money.h src/receipt.h src/sale.h src/cart.h src/money.h \
 src/sale.h
src/cart.h:
src/product.h:
src/tax.h:
src/money.h:
src/receipt.h:
src/sale.h:
src/cart.h:
src/money.h:
src/sale.h:
