/* The count arithmetic of core/stock_count.c: entries folded into counts, the checks that
 * keep a count sane, the variance and its value, and the CSV and text reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/stock_count.h"

static struct count_entry entry(enum count_op op, const char *sku, const char *name, enum unit unit,
                                int64_t price, int64_t qty, int64_t at)
{
    struct count_entry e;
    memset(&e, 0, sizeof e);
    e.op = op;
    snprintf(e.sku, sizeof e.sku, "%s", sku);
    snprintf(e.barcode, sizeof e.barcode, "%s", sku[0] ? "4010433218190" : name);
    snprintf(e.name, sizeof e.name, "%s", name);
    e.unit = unit;
    e.price = price;
    e.qty = qty;
    e.at = at;
    e.seq = at;
    return e;
}

static void apply_ok(struct count_tally *t, struct count_entry e)
{
    assert_int_equal(count_tally_apply(t, &e), COUNT_OK);
}

static void test_scans_add_keyed_set_replaces(void **state)
{
    struct count_tally t;
    count_tally_init(&t);
    apply_ok(&t, entry(COUNT_ADD, "MILK", "Milk", UNIT_EACH, 119, 1000, 100));
    apply_ok(&t, entry(COUNT_ADD, "RICE", "Rice", UNIT_EACH, 299, 12000, 101));
    apply_ok(&t, entry(COUNT_ADD, "MILK", "Milk", UNIT_EACH, 119, 1000, 102));
    assert_int_equal(t.n, 2);
    assert_int_equal(t.items[0].counted, 2000);
    assert_int_equal(t.items[0].counted_at, 102);   /* the moment its count last changed */
    assert_int_equal(t.items[1].counted, 12000);
    assert_int_equal(t.last_item, 0);
    apply_ok(&t, entry(COUNT_SET, "RICE", "Rice", UNIT_EACH, 299, 5000, 103));
    assert_int_equal(t.items[1].counted, 5000);
    apply_ok(&t, entry(COUNT_SET, "RICE", "Rice", UNIT_EACH, 299, 0, 104));
    assert_int_equal(t.items[1].counted, 0);
    assert_true(t.items[1].counted_ever);            /* counted as none is still counted */
    assert_int_equal(t.entries, 5);
    count_tally_free(&t);
}

static void test_unknown_codes_kept_by_code(void **state)
{
    struct count_tally t;
    count_tally_init(&t);
    apply_ok(&t, entry(COUNT_ADD, "", "9999999999994", UNIT_EACH, 0, 1000, 1));
    apply_ok(&t, entry(COUNT_ADD, "", "2000000000008", UNIT_EACH, 0, 1000, 2));
    apply_ok(&t, entry(COUNT_ADD, "", "9999999999994", UNIT_EACH, 0, 3000, 3));
    assert_int_equal(t.n, 2);
    assert_int_equal(count_tally_find(&t, "", "9999999999994"), 0);
    assert_int_equal(t.items[0].counted, 4000);
    struct count_report_totals tot;
    assert_int_equal(count_report_totals(&t, 1, &tot), COUNT_OK);
    assert_int_equal(tot.unknown_codes, 2);
    assert_int_equal(tot.items_counted, 0);
    assert_int_equal(tot.sum.value_counted, 0);       /* never valued */
    count_tally_free(&t);
}

static void test_bad_quantities_change_nothing(void **state)
{
    struct count_tally t;
    count_tally_init(&t);
    apply_ok(&t, entry(COUNT_ADD, "MILK", "Milk", UNIT_EACH, 119, 2000, 1));
    struct count_entry half = entry(COUNT_ADD, "MILK", "Milk", UNIT_EACH, 119, 500, 2);
    assert_int_equal(count_tally_apply(&t, &half), COUNT_ERANGE);   /* half a carton */
    struct count_entry neg = entry(COUNT_ADD, "MILK", "Milk", UNIT_EACH, 119, -3000, 3);
    assert_int_equal(count_tally_check(&t, &neg), COUNT_ERANGE);
    assert_int_equal(count_tally_apply(&t, &neg), COUNT_ERANGE);
    struct count_entry huge = entry(COUNT_SET, "MILK", "Milk", UNIT_EACH, 119, COUNT_MAX_QTY + 1000, 4);
    assert_int_equal(count_tally_apply(&t, &huge), COUNT_ERANGE);
    struct count_entry wrap = entry(COUNT_ADD, "MILK", "Milk", UNIT_EACH, 119, INT64_MAX, 5);
    assert_int_equal(count_tally_apply(&t, &wrap), COUNT_EOVERFLOW);
    assert_int_equal(t.items[0].counted, 2000);
    assert_int_equal(t.items[0].counted_at, 1);
    assert_int_equal(t.entries, 1);
    /* weighed goods count to the gram */
    apply_ok(&t, entry(COUNT_ADD, "APPLES", "Apples", UNIT_KG, 249, 1234, 6));
    apply_ok(&t, entry(COUNT_ADD, "APPLES", "Apples", UNIT_KG, 249, 766, 7));
    assert_int_equal(t.items[1].counted, 2000);
    count_tally_free(&t);
}

/* value = difference x price, rounded half away from zero, per item */
static void test_variance_and_value(void **state)
{
    struct count_tally t;
    count_tally_init(&t);
    apply_ok(&t, entry(COUNT_ADD, "APPLES", "Apples", UNIT_KG, 249, 1250, 1));
    count_item_set_expected(&t.items[0], 1, 2000);
    struct count_variance v;
    assert_int_equal(count_item_variance(&t.items[0], 0, &v), COUNT_OK);
    assert_int_equal(v.expected, 2000);
    assert_int_equal(v.counted, 1250);
    assert_int_equal(v.difference, -750);
    assert_int_equal(v.value_expected, 498);
    assert_int_equal(v.value_counted, 311);           /* 311.25 */
    assert_int_equal(v.value_difference, -187);
    /* -0.750 kg at 2.50: -1.875 is -1.88, away from zero */
    t.items[0].price = 250;
    assert_int_equal(count_item_variance(&t.items[0], 0, &v), COUNT_OK);
    assert_int_equal(v.value_expected, 500);
    assert_int_equal(v.value_counted, 313);           /* 312.5 rounds up */
    assert_int_equal(v.value_difference, -187);       /* counted minus expected, each rounded */
    /* no expected figure: expected is zero */
    apply_ok(&t, entry(COUNT_ADD, "MILK", "Milk", UNIT_EACH, 119, 3000, 2));
    assert_int_equal(count_item_variance(&t.items[1], 0, &v), COUNT_OK);
    assert_false(t.items[1].has_expected);
    assert_int_equal(v.difference, 3000);
    assert_int_equal(v.value_difference, 357);
    /* a price that overflows is an error, not a wrapped figure */
    t.items[1].price = INT64_MAX / 2;
    assert_int_equal(count_item_variance(&t.items[1], 0, &v), COUNT_EOVERFLOW);
    count_tally_free(&t);
}

static void test_uncounted_zero_or_left_out(void **state)
{
    struct count_tally t;
    count_tally_init(&t);
    apply_ok(&t, entry(COUNT_ADD, "MILK", "Milk", UNIT_EACH, 100, 4000, 1));
    count_item_set_expected(&t.items[0], 1, 5000);
    assert_int_equal(count_tally_add_expected(&t, "RICE", "Rice", UNIT_EACH, 300, 2000), COUNT_OK);
    assert_int_equal(count_tally_add_expected(&t, "SALT", "Salt", UNIT_EACH, 50, 10000), COUNT_OK);
    assert_int_equal(count_tally_add_expected(&t, "MILK", "Milk", UNIT_EACH, 100, 6000), COUNT_OK);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.items[0].expected, 6000);      /* an item counted keeps its line */

    struct count_report_totals out, zero;
    assert_int_equal(count_report_totals(&t, 0, &out), COUNT_OK);
    assert_int_equal(out.items_counted, 1);
    assert_int_equal(out.items_uncounted, 2);
    assert_int_equal(out.sum.value_difference, -200); /* only the milk: the rest left out */
    assert_int_equal(count_report_totals(&t, 1, &zero), COUNT_OK);
    assert_int_equal(zero.sum.value_difference, -200 - 600 - 500);
    assert_int_equal(zero.sum.value_expected, 600 + 600 + 500);

    /* an expected item counted later joins the counted ones, before the uncounted */
    apply_ok(&t, entry(COUNT_ADD, "SALT", "Salt", UNIT_EACH, 50, 1000, 2));
    assert_string_equal(t.items[0].sku, "MILK");
    assert_string_equal(t.items[1].sku, "SALT");
    assert_true(t.items[1].counted_ever);
    assert_int_equal(t.items[1].expected, 10000);
    assert_string_equal(t.items[2].sku, "RICE");
    assert_false(t.items[2].counted_ever);
    assert_int_equal(t.last_item, 1);
    count_tally_free(&t);
}

static void test_csv_and_text(void **state)
{
    struct count_tally t;
    count_tally_init(&t);
    apply_ok(&t, entry(COUNT_ADD, "MILK", "Milk \"fresh\", 1L", UNIT_EACH, 119, 2000, 1700000000));
    count_item_set_expected(&t.items[0], 1, 3000);
    apply_ok(&t, entry(COUNT_ADD, "", "9999999999994", UNIT_EACH, 0, 1000, 1700000001));
    assert_int_equal(count_tally_add_expected(&t, "RICE", "Rice", UNIT_EACH, 299, 2000), COUNT_OK);
    struct money_format fmt;
    assert_int_equal(money_format_init(&fmt, "EUR", "eu"), 0);
    struct count_header h = { "c1", "store-1", "T1", "anna", "2026-01-01 10:00", "2026-01-01 10:30", 1, 1, &fmt, 0 };
    char *csv = NULL, *text = NULL;
    assert_int_equal(count_report_csv(&t, &h, &csv), COUNT_OK);
    assert_non_null(strstr(csv, "count_id,zone,status,sku,barcode,name,unit,expected,counted,difference,price,"
                                "value_expected,value_counted,value_difference,counted_at\r\n"));
    assert_non_null(strstr(csv, "c1,store-1,counted,MILK,4010433218190,\"Milk \"\"fresh\"\", 1L\",each,3,2,-1,"
                                "119,357,238,-119,1700000000\r\n"));
    assert_non_null(strstr(csv, "c1,store-1,unknown_code,,9999999999994,9999999999994,,,1,,,,,,1700000001\r\n"));
    assert_non_null(strstr(csv, "c1,store-1,not_counted,RICE,,Rice,each,2,0,-2,299,598,0,-598,0\r\n"));
    assert_non_null(strstr(csv, ",total,,,1 counted / 1 not counted (as zero) / 1 unknown codes,,,,,,955,238,-717,\r\n"));
    assert_int_equal(count_report_text(&t, &h, 60, &text), COUNT_OK);
    assert_non_null(strstr(text, "STOCK COUNT c1\nZone: store-1 (blind)\n"));
    assert_non_null(strstr(text, "Expected but not counted (1): counted as zero\n"));
    assert_non_null(strstr(text, "Unknown barcodes for review (1)\n"));
    assert_non_null(strstr(text, "Difference     -7,17 \xe2\x82\xac\n"));
    free(csv);
    free(text);
    /* left out: the uncounted item has no difference */
    h.uncounted_as_zero = 0;
    assert_int_equal(count_report_csv(&t, &h, &csv), COUNT_OK);
    assert_non_null(strstr(csv, "c1,store-1,not_counted,RICE,,Rice,each,2,2,0,299,598,598,0,0\r\n"));
    free(csv);
    count_tally_free(&t);
}

/* Goods in: what came and its value; no expected, no difference. */
static void test_goods_in_list(void **state)
{
    struct count_tally t;
    count_tally_init(&t);
    apply_ok(&t, entry(COUNT_ADD, "MILK", "Milk 1L", UNIT_EACH, 119, 3000, 1700000000));
    apply_ok(&t, entry(COUNT_ADD, "RICE", "Rice", UNIT_EACH, 299, 5000, 1700000005));
    struct money_format fmt;
    assert_int_equal(money_format_init(&fmt, "EUR", "eu"), 0);
    struct count_header h = { "g1", "store-1", "T1", "anna", "2026-01-01 10:00", "2026-01-01 10:30", 1, 0, &fmt, 1 };
    char *csv = NULL, *text = NULL;
    assert_int_equal(count_report_csv(&t, &h, &csv), COUNT_OK);
    assert_non_null(strstr(csv, "g1,store-1,received,MILK,4010433218190,Milk 1L,each,,3,,119,,357,,1700000000\r\n"));
    assert_non_null(strstr(csv, "g1,store-1,received,RICE,4010433218190,Rice,each,,5,,299,,1495,,1700000005\r\n"));
    assert_int_equal(count_report_text(&t, &h, 42, &text), COUNT_OK);
    assert_non_null(strstr(text, "GOODS IN g1\nInto: store-1\n"));
    assert_null(strstr(text, "Expected"));
    assert_non_null(strstr(text, "Milk 1L                      3        3,57\n"));
    assert_non_null(strstr(text, "Value received 18,52 \xe2\x82\xac\n"));
    free(csv);
    free(text);
    count_tally_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scans_add_keyed_set_replaces),
        cmocka_unit_test(test_unknown_codes_kept_by_code),
        cmocka_unit_test(test_bad_quantities_change_nothing),
        cmocka_unit_test(test_variance_and_value),
        cmocka_unit_test(test_uncounted_zero_or_left_out),
        cmocka_unit_test(test_csv_and_text),
        cmocka_unit_test(test_goods_in_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
