/* The live stock lookup's answer (offline/stock_query.c): only an answer of the contract,
 * about the item and location asked for, with a whole on_hand within bounds, is taken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "offline/stock_query.h"

static int parse(const char *body, struct stock_level_answer *a, char *why)
{
    return stock_level_parse(body, strlen(body), "SKU 1/ä", "store-1", a, why, 128);
}

static void test_answers_taken(void **state)
{
    struct stock_level_answer a;
    char why[128];
    assert_int_equal(parse("{\"sku\":\"SKU 1/ä\",\"location\":\"store-1\",\"known\":true,\"on_hand\":8000}", &a, why), 0);
    assert_true(a.known);
    assert_int_equal(a.on_hand, 8000);
    assert_string_equal(a.sku, "SKU 1/ä");
    assert_int_equal(parse("{\"sku\":\"SKU 1/ä\",\"location\":\"store-1\",\"known\":true,\"on_hand\":-2000}", &a, why), 0);
    assert_int_equal(a.on_hand, -2000);   /* oversold: still a level */
    assert_int_equal(parse("{\"sku\":\"SKU 1/ä\",\"location\":\"store-1\",\"known\":false,\"on_hand\":null}", &a, why), 0);
    assert_false(a.known);
    assert_int_equal(a.on_hand, 0);
}

static void test_answers_refused(void **state)
{
    static const char *const bad[] = {
        "",
        "{\"sku\":\"SKU 1/ä\",\"location\":\"store-1\",\"known\":true",                           /* cut off */
        "[1,2]",
        "{\"sku\":\"SKU2\",\"location\":\"store-1\",\"known\":true,\"on_hand\":1}",               /* another item */
        "{\"sku\":\"SKU 1/ä\",\"location\":\"backroom\",\"known\":true,\"on_hand\":1}",           /* another place */
        "{\"sku\":\"SKU 1/ä\",\"location\":\"store-1\",\"known\":\"yes\",\"on_hand\":1}",
        "{\"sku\":\"SKU 1/ä\",\"location\":\"store-1\",\"known\":true,\"on_hand\":null}",
        "{\"sku\":\"SKU 1/ä\",\"location\":\"store-1\",\"known\":true,\"on_hand\":1.5}",
        "{\"sku\":\"SKU 1/ä\",\"location\":\"store-1\",\"known\":true,\"on_hand\":1e300}",
        "{\"sku\":\"SKU 1/ä\",\"location\":\"store-1\",\"known\":true,\"on_hand\":\"8\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct stock_level_answer a;
        char why[128] = "";
        assert_int_equal(parse(bad[i], &a, why), -1);
        assert_true(why[0]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers_taken),
        cmocka_unit_test(test_answers_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
