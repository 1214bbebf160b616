build/asan/tests/test_tender: tests/test_tender.c src/tender.h src/sale.h \
 src/cart.h src/product.h src/tax.h src/money.h
src/tender.h:
src/sale.h:
src/cart.h:
src/product.h:
src/tax.h:
src/money.h:
