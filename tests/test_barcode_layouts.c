/* The shipped example config's [barcode] section is GS1 Germany's layout: it must read
 * the labels GS1 Germany publishes (SAN-4 concept, san.gs1-germany.de/SAN-4-Konzept)
 * the way they are printed, and refuse one with a wrong price check digit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/barcode.h"
#include "src/config.h"
#include "src/settings.h"

static void test_example_config_reads_german_labels(void **state)
{
    struct config *c = config_new();
    char err[256] = "";
    assert_int_equal(config_load_file(c, "assets/till.conf.example", err, sizeof err), 0);
    struct settings s;
    int rc = settings_from_config(c, &s, err, sizeof err);
    if (rc)
        print_message("%s\n", err);
    assert_int_equal(rc, 0);
    config_free(c);

    struct barcode b;
    /* 23 3071 4 00239 6: SAN-4 3071, price check digit 4, 2,39 EUR */
    assert_int_equal(barcode_parse("2330714002396", 13, &s.barcode, 20250615, &b), BARCODE_OK);
    assert_true(b.has_price);
    assert_int_equal(b.price, 239);
    assert_string_equal(b.keys[0], "2330710000006");
    /* 29 3071 1 06870 0: 6,870 kg */
    assert_int_equal(barcode_parse("2930711068700", 13, &s.barcode, 20250615, &b), BARCODE_OK);
    assert_true(b.has_weight);
    assert_int_equal(b.weight, 6870);
    /* the same with the price check digit changed (EAN check digit made right again) */
    char bad[14] = "293071206870";
    bad[12] = (char)('0' + barcode_gs1_check_digit("2930712068700", 13));
    bad[13] = 0;
    assert_int_equal(barcode_parse(bad, 13, &s.barcode, 20250615, &b), BARCODE_EPRICECHECK);
    /* 22 and 28 have the same layouts as 23 and 29 */
    assert_int_equal(memcmp(&s.barcode.variable[2], &s.barcode.variable[3], sizeof s.barcode.variable[2]), 0);
    assert_int_equal(memcmp(&s.barcode.variable[8], &s.barcode.variable[9], sizeof s.barcode.variable[8]), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_config_reads_german_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
