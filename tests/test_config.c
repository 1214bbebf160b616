/* Config parsing and settings validation: every typo is a clear message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/config.h"
#include "src/settings.h"

static void test_parse_sections_and_override(void **state)
{
    struct config *c = config_new();
    char err[256];
    assert_int_equal(config_parse(c, "# comment\n[store]\nname = Shop A \ncurrency=USD\n\n[tax]\nny = 8.875 NY\n", "t", err, sizeof err), 0);
    assert_string_equal(config_get(c, "store.name", ""), "Shop A");
    assert_string_equal(config_get(c, "store.currency", ""), "USD");
    assert_int_equal(config_set_assignment(c, "store.name=Shop B", err, sizeof err), 0);
    assert_string_equal(config_get(c, "store.name", ""), "Shop B");
    assert_string_equal(config_get(c, "nope.key", "def"), "def");
    config_free(c);
}

static void test_inline_comments(void **state)
{
    struct config *c = config_new();
    char err[256];
    assert_int_equal(config_parse(c, "[store]\nterminal_id = T1   # unique per till\nname = No#1 Shop\n"
                                     "cashier = alex\t# tab before\n", "t", err, sizeof err), 0);
    assert_string_equal(config_get(c, "store.terminal_id", ""), "T1");
    assert_string_equal(config_get(c, "store.name", ""), "No#1 Shop"); /* '#' inside a word stays */
    assert_string_equal(config_get(c, "store.cashier", ""), "alex");
    config_free(c);
}

/* The shipped example is a valid configuration. */
static void test_example_file_is_valid(void **state)
{
    struct config *c = config_new();
    char err[256] = "";
    assert_int_equal(config_load_file(c, "assets/till.conf.example", err, sizeof err), 0);
    struct settings s;
    int rc = settings_from_config(c, &s, err, sizeof err);
    if (rc)
        print_message("%s\n", err);
    assert_int_equal(rc, 0);
    assert_string_equal(s.terminal_id, "T1");
    config_free(c);
}

static void test_parse_errors_name_the_line(void **state)
{
    struct config *c = config_new();
    char err[256] = "";
    assert_int_not_equal(config_parse(c, "[store]\nname\n", "till.conf", err, sizeof err), 0);
    assert_non_null(strstr(err, "till.conf:2"));
    assert_int_not_equal(config_parse(c, "name = x\n", "till.conf", err, sizeof err), 0);
    assert_non_null(strstr(err, "outside a [section]"));
    assert_int_not_equal(config_parse(c, "[store\n", "till.conf", err, sizeof err), 0);
    assert_int_not_equal(config_set_assignment(c, "novalue", err, sizeof err), 0);
    config_free(c);
}

static void test_settings_from_demo_defaults(void **state)
{
    struct config *c = config_new();
    char err[256];
    assert_int_equal(config_parse(c, config_demo_defaults, "demo", err, sizeof err), 0);
    struct settings s;
    assert_int_equal(settings_from_config(c, &s, err, sizeof err), 0);
    assert_string_equal(s.fmt.cur.code, "EUR");
    assert_int_equal(s.tax.mode, TAX_INCLUSIVE);
    assert_int_equal(s.ntax, 3);
    assert_int_equal(s.tax_classes[0].rate_ppm, 190000);
    assert_string_equal(s.tax_classes[0].name, "Standard rate");
    assert_true(s.load_demo_catalog);
    config_free(c);
}

static void test_settings_reject_bad_values(void **state)
{
    static const char *const bad[][2] = {
        { "store.currency=XYZ", "currency" },
        { "store.tax_mode=sometimes", "tax_mode" },
        { "store.tax_rounding=banker", "tax_rounding" },
        { "tax.std=nineteen", "rate" },
        { "tax.std=101", "rate" },
        { "receipt.width=5", "receipt.width" },
        { "scanner.wedge_max_gap_ms=abc", "wedge_max_gap_ms" },
        { "barcode.variable.21=item:5,weight:4/3", "barcode.variable.21" },
        { "barcode.variable.30=item:5,weight:5/3", "20 to 29" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct config *c = config_new();
        char err[256] = "";
        assert_int_equal(config_parse(c, config_demo_defaults, "demo", err, sizeof err), 0);
        assert_int_equal(config_set_assignment(c, bad[i][0], err, sizeof err), 0);
        struct settings s;
        assert_int_not_equal(settings_from_config(c, &s, err, sizeof err), 0);
        if (!strstr(err, bad[i][1]))
            fail_msg("'%s' gave '%s'", bad[i][0], err);
        config_free(c);
    }
}

static void test_exclusive_us_store(void **state)
{
    struct config *c = config_new();
    char err[256];
    assert_int_equal(config_parse(c, "[store]\ncurrency = USD\nmoney_style = us\ntax_mode = exclusive\n[tax]\nny = 8.875%\n", "t", err, sizeof err), 0);
    struct settings s;
    assert_int_equal(settings_from_config(c, &s, err, sizeof err), 0);
    assert_int_equal(s.tax.mode, TAX_EXCLUSIVE);
    assert_int_equal(s.tax_classes[0].rate_ppm, 88750);
    char b[32];
    money_format(123450, &s.fmt, 1, b, sizeof b);
    assert_string_equal(b, "$1,234.50");
    config_free(c);
}

static void test_barcode_layouts(void **state)
{
    struct config *c = config_new();
    char err[256];
    assert_int_equal(config_parse(c, config_demo_defaults, "demo", err, sizeof err), 0);
    struct settings s;
    assert_int_equal(settings_from_config(c, &s, err, sizeof err), 0);
    /* defaults: 21 weight (the demo catalog's scale labels), 22 price */
    assert_true(s.barcode.variable[1].used);
    assert_int_equal(s.barcode.variable[1].kind, BARCODE_VALUE_WEIGHT);
    assert_int_equal(s.barcode.variable[2].kind, BARCODE_VALUE_PRICE);
    assert_false(s.barcode.variable[3].used);
    assert_int_equal(s.barcode.currency_exponent, 2);
    assert_int_equal(config_parse(c, "[barcode]\nvariable.23 = item:4,check,price:5/2\nvariable.22 = none\n",
                                  "t", err, sizeof err), 0);
    assert_int_equal(settings_from_config(c, &s, err, sizeof err), 0);
    assert_true(s.barcode.variable[3].used);
    assert_true(s.barcode.variable[3].has_check);
    assert_false(s.barcode.variable[2].used);
    config_free(c);
}

static void test_load_file(void **state)
{
    char path[] = "/tmp/till-conf-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("[store]\nname = From File\n", f);
    fclose(f);
    struct config *c = config_new();
    char err[256];
    assert_int_equal(config_load_file(c, path, err, sizeof err), 0);
    assert_string_equal(config_get(c, "store.name", ""), "From File");
    remove(path);
    assert_int_not_equal(config_load_file(c, path, err, sizeof err), 0);
    assert_non_null(strstr(err, "cannot read config"));
    config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_sections_and_override),
        cmocka_unit_test(test_inline_comments),
        cmocka_unit_test(test_example_file_is_valid),
        cmocka_unit_test(test_parse_errors_name_the_line),
        cmocka_unit_test(test_settings_from_demo_defaults),
        cmocka_unit_test(test_settings_reject_bad_values),
        cmocka_unit_test(test_exclusive_us_store),
        cmocka_unit_test(test_barcode_layouts),
        cmocka_unit_test(test_load_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
