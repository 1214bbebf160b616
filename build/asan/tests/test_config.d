build/asan/tests/test_config: tests/test_config.c src/config.h \
 src/settings.h src/config.h src/money.h src/product.h src/tax.h
src/config.h:
src/settings.h:
src/config.h:
src/money.h:
src/product.h:
src/tax.h:
