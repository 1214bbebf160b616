/* Barcode parsing over real-world codes: EAN/UPC/GTIN check digits, UPC-E expansion, GS1
 * element strings with and without FNC1, AIM identifiers, variable-measure labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/barcode.h"

#define TODAY 20250615

static struct barcode_rules rules;

static int setup(void **state)
{
    barcode_rules_default(&rules, 2);
    /* a price layout with the 5-digit price check digit, and one with 4 digits */
    char err[200];
    assert_int_equal(barcode_layout_parse("item:4,check,price:5/2", &rules.variable[3], err, sizeof err), 0);
    assert_int_equal(barcode_layout_parse("item:5,check,price:4/2", &rules.variable[4], err, sizeof err), 0);
    return 0;
}

static enum barcode_status parse(const char *s, struct barcode *b)
{
    return barcode_parse(s, strlen(s), &rules, TODAY, b);
}

struct case_ {
    const char *scan;
    enum barcode_status st;
    enum barcode_kind kind;
    const char *keys[BARCODE_MAX_KEYS]; /* expected keys, in order */
};

static const struct case_ CASES[] = {
    /* EAN-13 */
    { "4006381333931", BARCODE_OK, BARCODE_EAN13, { "4006381333931", "04006381333931" } },
    { "4010433218190", BARCODE_OK, BARCODE_EAN13, { "4010433218190", "04010433218190" } },
    { "4006381333932", BARCODE_ECHECK, 0, { 0 } },
    { "4000000000000", BARCODE_ECHECK, 0, { 0 } },
    /* EAN-13 holding a UPC-A: also the 12 digits */
    { "0036000291452", BARCODE_OK, BARCODE_EAN13, { "0036000291452", "036000291452", "00036000291452" } },
    /* EAN-8 */
    { "96385074", BARCODE_OK, BARCODE_EAN8, { "96385074" } },
    { "96385075", BARCODE_ECHECK, 0, { 0 } },
    /* UPC-A */
    { "036000291452", BARCODE_OK, BARCODE_UPCA, { "036000291452", "0036000291452", "00036000291452" } },
    { "036000291453", BARCODE_ECHECK, 0, { 0 } },
    /* UPC-E, number system 0, expanded to UPC-A (and its EAN-13 form) */
    { "04252614", BARCODE_OK, BARCODE_UPCE, { "042100005264", "0042100005264", "04252614" } },
    /* valid both as EAN-8 and as UPC-E: both are tried, EAN-8 first */
    { "01234565", BARCODE_OK, BARCODE_EAN8, { "01234565", "012345000065", "0012345000065" } },
    { "04252615", BARCODE_ECHECK, 0, { 0 } },
    /* GTIN-14 / ITF-14 */
    { "10614141000415", BARCODE_OK, BARCODE_GTIN14, { "10614141000415" } },
    { "04006381333931", BARCODE_OK, BARCODE_GTIN14, { "4006381333931", "04006381333931" } },
    { "10614141000416", BARCODE_ECHECK, 0, { 0 } },
    { "]I110614141000415", BARCODE_OK, BARCODE_GTIN14, { "10614141000415" } },
    /* AIM identifiers for EAN/UPC */
    { "]E04006381333931", BARCODE_OK, BARCODE_EAN13, { "4006381333931", "04006381333931" } },
    { "]E496385074", BARCODE_OK, BARCODE_EAN8, { "96385074" } },
    { "]E004252614", BARCODE_OK, BARCODE_UPCE, { "042100005264", "0042100005264", "04252614" } },
    /* plain internal codes */
    { "4011", BARCODE_OK, BARCODE_PLAIN, { "4011" } },
    { "1234567", BARCODE_OK, BARCODE_PLAIN, { "1234567" } },
    { "SKU10001", BARCODE_OK, BARCODE_PLAIN, { "SKU10001" } },
    { "]A0ABC-123", BARCODE_OK, BARCODE_PLAIN, { "ABC-123" } },
    /* garbage */
    { "", BARCODE_EEMPTY, 0, { 0 } },
    { "   ", BARCODE_EEMPTY, 0, { 0 } },
    { "]E0", BARCODE_EEMPTY, 0, { 0 } },
    { "123", BARCODE_ELENGTH, 0, { 0 } },
    { "123456789", BARCODE_ELENGTH, 0, { 0 } },
    { "hello world", BARCODE_ECHARS, 0, { 0 } },
    { "40063813\x01" "33931", BARCODE_ECHARS, 0, { 0 } },
    { "caf\xc3\xa9", BARCODE_ECHARS, 0, { 0 } },
};

static void test_table(void **state)
{
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const struct case_ *c = &CASES[i];
        struct barcode b;
        enum barcode_status st = parse(c->scan, &b);
        if (st != c->st)
            fail_msg("%s: status %d (%s), want %d", c->scan, st, barcode_strerror(st), c->st);
        if (st)
            continue;
        if (b.kind != c->kind)
            fail_msg("%s: kind %d, want %d", c->scan, b.kind, c->kind);
        int want = 0;
        while (want < BARCODE_MAX_KEYS && c->keys[want])
            want++;
        if (b.nkeys != want)
            fail_msg("%s: %d keys (first %s), want %d", c->scan, b.nkeys, b.keys[0], want);
        for (int k = 0; k < want; k++)
            if (strcmp(b.keys[k], c->keys[k]) != 0)
                fail_msg("%s: key %d is %s, want %s", c->scan, k, b.keys[k], c->keys[k]);
    }
}

static void test_upce_expansion(void **state)
{
    char a[13];
    assert_int_equal(barcode_upce_to_upca("04252614", a), 0);
    assert_string_equal(a, "042100005264");
    /* the four expansion rules by the last digit */
    assert_int_equal(barcode_upce_to_upca("01234505", a), 0);  /* 0-2 */
    assert_string_equal(a, "012000003455");
    assert_int_equal(barcode_upce_to_upca("01234535", a), 0);  /* 3 */
    assert_string_equal(a, "012300000455");
    assert_int_equal(barcode_upce_to_upca("01234545", a), 0);  /* 4 */
    assert_string_equal(a, "012340000055");
    assert_int_equal(barcode_upce_to_upca("11234595", a), 0);  /* 5-9, number system 1 */
    assert_string_equal(a, "112345000095");
    assert_int_equal(barcode_upce_to_upca("21234565", a), -1); /* number system 2 */
}

static void test_check_digits(void **state)
{
    assert_int_equal(barcode_gs1_check_digit("4006381333931", 13), 1);
    assert_int_equal(barcode_gs1_check_digit("96385074", 8), 4);
    /* GS1 General Specifications 7.9.3 worked examples */
    assert_int_equal(barcode_price_check_digit("2875", 4), 9);
    assert_int_equal(barcode_price_check_digit("14685", 5), 6);
    assert_int_equal(barcode_price_check_digit("01499", 5), 3);
    assert_int_equal(barcode_price_check_digit("1499", 4), 4);
    assert_int_equal(barcode_price_check_digit("123", 3), -1);
}

static void test_gs1_with_gs(void **state)
{
    struct barcode b;
    /* (01) (17) (10) (21), FNC1 as GS after the variable-length batch */
    assert_int_equal(parse("]C1010950600013435217251231" "10AB-123\x1d" "21SN0042", &b), BARCODE_OK);
    assert_int_equal(b.kind, BARCODE_GS1);
    assert_string_equal(b.aim, "]C1");
    assert_string_equal(b.gtin, "09506000134352");
    assert_string_equal(b.keys[0], "9506000134352");
    assert_string_equal(b.keys[1], "09506000134352");
    assert_int_equal(b.expiry, 20251231);
    assert_false(b.expired);
    assert_string_equal(b.batch, "AB-123");
    assert_string_equal(b.serial, "SN0042");
    /* GS1 DataMatrix, leading FNC1 sent as GS, serial first */
    assert_int_equal(parse("]d2\x1d" "21XYZ\x1d" "0104006381333931", &b), BARCODE_OK);
    assert_string_equal(b.serial, "XYZ");
    assert_string_equal(b.keys[0], "4006381333931");
    /* no AIM identifier, but a GS: still GS1 */
    assert_int_equal(parse("0104006381333931" "10L1\x1d" "17250601", &b), BARCODE_OK);
    assert_string_equal(b.batch, "L1");
    assert_int_equal(b.expiry, 20250601);
    assert_true(b.expired);
}

static void test_gs1_without_gs(void **state)
{
    struct barcode b;
    /* all AIs of predefined length: no separators needed */
    assert_int_equal(parse("]e0" "0104006381333931" "3103001250" "17260100", &b), BARCODE_OK);
    assert_int_equal(b.weight, 1250);
    assert_true(b.has_weight);
    assert_int_equal(b.expiry, 20260131); /* day 00: the end of the month */
    assert_false(b.expired);
    /* no AIM identifier and no GS: digits longer than a GTIN are a GS1 string */
    assert_int_equal(parse("0104006381333931" "17250614" "10BATCH7", &b), BARCODE_OK);
    assert_true(b.expired);
    assert_string_equal(b.batch, "BATCH7");
    assert_int_equal(parse("0104006381333931", &b), BARCODE_OK);
    assert_string_equal(b.keys[0], "4006381333931");
}

static void test_gs1_expiry(void **state)
{
    struct barcode b;
    /* today is 2025-06-15 */
    assert_int_equal(parse("]C1010400638133393117250615", &b), BARCODE_OK);
    assert_false(b.expired); /* sold on its last day */
    assert_int_equal(parse("]C1010400638133393117250614", &b), BARCODE_OK);
    assert_true(b.expired);
    assert_int_equal(parse("]C1010400638133393117250600", &b), BARCODE_OK);
    assert_int_equal(b.expiry, 20250630);
    assert_false(b.expired);
    assert_int_equal(parse("]C1010400638133393117250500", &b), BARCODE_OK);
    assert_true(b.expired);
    assert_int_equal(parse("]C1010400638133393117240200", &b), BARCODE_OK);
    assert_int_equal(b.expiry, 20240229); /* leap year */
    /* century: 99 is 1999, 70 is 2070 (GS1 7.12, within -49..+50 years of today) */
    assert_int_equal(parse("]C1010400638133393117991231", &b), BARCODE_OK);
    assert_int_equal(b.expiry, 19991231);
    assert_true(b.expired);
    assert_int_equal(parse("]C1010400638133393117701231", &b), BARCODE_OK);
    assert_int_equal(b.expiry, 20701231);
    /* impossible dates */
    assert_int_equal(parse("]C1010400638133393117251301", &b), BARCODE_EDATE);
    assert_int_equal(parse("]C1010400638133393117250230", &b), BARCODE_EDATE);
    /* with today unknown nothing is expired */
    assert_int_equal(barcode_parse("]C1010400638133393117000101", 27, &rules, 0, &b), BARCODE_OK);
    assert_false(b.expired);
}

static void test_gs1_measures(void **state)
{
    struct barcode b;
    /* (3102) 1.25 kg with 2 decimals, (3100) 2 kg, (3105) 0.12345 kg rounds to 123 g */
    assert_int_equal(parse("]C101040063813339313102000125", &b), BARCODE_OK);
    assert_int_equal(b.weight, 1250);
    assert_int_equal(parse("]C101040063813339313100000002", &b), BARCODE_OK);
    assert_int_equal(b.weight, 2000);
    assert_int_equal(parse("]C101040063813339313105012345", &b), BARCODE_OK);
    assert_int_equal(b.weight, 123);
    assert_int_equal(parse("]C101040063813339313106012345", &b), BARCODE_EAI);
    /* (3922) 12.34 in a 2-decimal currency, (3920) 12 units, (3923) 1.235 is not exact */
    assert_int_equal(parse("]C101040063813339313922" "1234", &b), BARCODE_OK);
    assert_true(b.has_price);
    assert_int_equal(b.price, 1234);
    assert_int_equal(parse("]C101040063813339313920" "12", &b), BARCODE_OK);
    assert_int_equal(b.price, 1200);
    assert_int_equal(parse("]C101040063813339313923" "1235", &b), BARCODE_EVALUE);
    assert_int_equal(parse("]C101040063813339313923" "1230", &b), BARCODE_OK);
    assert_int_equal(b.price, 123);
    /* in yen (exponent 0) 3920 is whole yen */
    struct barcode_rules yen;
    barcode_rules_default(&yen, 0);
    const char *s = "]C101040063813339313920" "500";
    assert_int_equal(barcode_parse(s, strlen(s), &yen, TODAY, &b), BARCODE_OK);
    assert_int_equal(b.price, 500);
    /* (30) count, (37) count, (400) order number, (8008) production time */
    assert_int_equal(parse("]C10104006381333931" "3012\x1d" "400PO-77\x1d" "8008250615103000", &b), BARCODE_OK);
    assert_int_equal(b.count, 12);
}

static void test_gs1_errors(void **state)
{
    struct barcode b;
    assert_int_equal(parse("]C10104006381333932", &b), BARCODE_ECHECK);     /* GTIN check */
    assert_int_equal(parse("]C1010400638133393", &b), BARCODE_EAI_LENGTH);  /* 13 digits */
    assert_int_equal(parse("]C1010400638133A931", &b), BARCODE_EAI_DIGITS);
    assert_int_equal(parse("]C1890400638133393", &b), BARCODE_EAI);          /* no AI 89 */
    assert_int_equal(parse("]C10104006381333931" "10", &b), BARCODE_EAI_LENGTH); /* empty batch */
    assert_int_equal(parse("]C10104006381333931" "10123456789012345678901", &b), BARCODE_EAI_LENGTH);
    assert_int_equal(parse("]C10104006381333931" "10A B", &b), BARCODE_EAI_CHARS);
    assert_int_equal(parse("]C10104006381333931" "17ABCDEF", &b), BARCODE_EAI_DIGITS);
    assert_int_equal(parse("]C10104006381333931" "3012345678901", &b), BARCODE_EAI_LENGTH);
    /* (422) has fixed data but needs FNC1 after it */
    assert_int_equal(parse("]C1422276" "0104006381333931", &b), BARCODE_EAI_LENGTH);
    assert_int_equal(parse("]C1422276\x1d" "0104006381333931", &b), BARCODE_OK);
    /* a pallet label: SSCC only */
    assert_int_equal(parse("]C100106141411234567897", &b), BARCODE_ENOGTIN);
    assert_int_equal(parse("]C100106141411234567898", &b), BARCODE_ECHECK);
    assert_int_equal(parse("]C1", &b), BARCODE_EEMPTY);
    assert_int_equal(parse("]C1\x1d\x1d", &b), BARCODE_EEMPTY);
    /* a long digit string that is no GS1 string */
    assert_int_equal(parse("893456789012345678", &b), BARCODE_EAI);
}

static void test_variable_weight(void **state)
{
    struct barcode b;
    /* prefix 21 (default): item 10020, 1.500 kg; the demo catalog's Bananas */
    assert_int_equal(parse("2110020015002", &b), BARCODE_OK);
    assert_int_equal(b.kind, BARCODE_VARIABLE);
    assert_true(b.has_weight);
    assert_int_equal(b.weight, 1500);
    assert_false(b.has_price);
    assert_int_equal(b.nkeys, 1);
    assert_string_equal(b.keys[0], "2110020000008");
    /* zero weight: the catalog's own code, the till asks for the weight */
    assert_int_equal(parse("2110020000008", &b), BARCODE_OK);
    assert_false(b.has_weight);
    assert_string_equal(b.keys[0], "2110020000008");
    assert_int_equal(parse("2110020015003", &b), BARCODE_ECHECK);
}

static void test_variable_price(void **state)
{
    struct barcode b;
    /* prefix 22 (default): item:5,price:5/2 -> 12.34 */
    assert_int_equal(parse("2212345012343", &b), BARCODE_OK);
    assert_true(b.has_price);
    assert_int_equal(b.price, 1234);
    assert_string_equal(b.keys[0], "2212345000005");
    /* prefix 23: item:4,check,price:5/2 -> 14.99 with price check digit 3 */
    char code[14] = "231234301499";
    code[12] = (char)('0' + barcode_gs1_check_digit("2312343014990", 13));
    code[13] = 0;
    assert_int_equal(parse(code, &b), BARCODE_OK);
    assert_int_equal(b.price, 1499);
    assert_int_equal(strncmp(b.keys[0], "231234000000", 12), 0);
    /* the same with a wrong price check digit (EAN check digit recomputed so only the
     * internal one is wrong) */
    char bad[14] = "231234501499";
    bad[12] = (char)('0' + barcode_gs1_check_digit("2312345014990", 13));
    bad[13] = 0;
    assert_int_equal(parse(bad, &b), BARCODE_EPRICECHECK);
    /* prefix 24: item:5,check,price:4/2 -> 14.99, check digit 4 */
    char four[14] = "241234541499";
    four[12] = (char)('0' + barcode_gs1_check_digit("2412345414990", 13));
    four[13] = 0;
    assert_int_equal(parse(four, &b), BARCODE_OK);
    assert_int_equal(b.price, 1499);
    assert_int_equal(strncmp(b.keys[0], "241234500000", 12), 0);
    /* a prefix without a layout is an ordinary EAN-13 */
    assert_int_equal(parse("2012345012349", &b), BARCODE_OK);
    assert_int_equal(b.kind, BARCODE_EAN13);
    assert_string_equal(b.keys[0], "2012345012349");
}

static void test_layout_parse(void **state)
{
    struct barcode_layout l;
    char err[200];
    assert_int_equal(barcode_layout_parse("item:5,weight:5/3", &l, err, sizeof err), 0);
    assert_true(l.used);
    assert_int_equal(l.kind, BARCODE_VALUE_WEIGHT);
    assert_int_equal(l.item_digits, 5);
    assert_int_equal(l.value_digits, 5);
    assert_int_equal(l.decimals, 3);
    assert_int_equal(barcode_layout_parse("item:4, check, price:5/2", &l, err, sizeof err), 0);
    assert_true(l.has_check);
    assert_int_equal(barcode_layout_parse("none", &l, err, sizeof err), 0);
    assert_false(l.used);
    const char *bad[] = { "", "item:5", "weight:5/3", "item:5,weight:4/3", "item:3,check,price:6/2",
                          "item:5,weight:5", "item:5,price:5/2,item:3", "item:5;weight:5/3",
                          "item:x,weight:5/3", "item:5,weight:5/9" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (barcode_layout_parse(bad[i], &l, err, sizeof err) != -1)
            fail_msg("layout '%s' accepted", bad[i]);
    assert_non_null(strstr(err, "item:5,weight:5/3"));
}

static void test_garbage_lengths(void **state)
{
    struct barcode b;
    char longs[201];
    memset(longs, '4', 200);
    longs[200] = 0;
    assert_int_equal(parse(longs, &b), BARCODE_ETOOLONG);
    /* an embedded NUL is part of the scan: it is an error, not the end */
    assert_int_equal(barcode_parse("4006381333931\0" "123", 17, &rules, TODAY, &b), BARCODE_ECHARS);
    /* only the given length is read */
    assert_int_equal(barcode_parse("4006381333931999", 13, &rules, TODAY, &b), BARCODE_OK);
    assert_string_equal(b.keys[0], "4006381333931");
    assert_int_equal(barcode_parse(NULL, 0, &rules, TODAY, &b), BARCODE_EEMPTY);
    /* scanners end with CR LF */
    assert_int_equal(parse("4006381333931\r\n", &b), BARCODE_OK);
    /* every status has a message */
    for (int st = BARCODE_OK; st <= BARCODE_EVALUE; st++)
        assert_true(strlen(barcode_strerror((enum barcode_status)st)) > 1);
    assert_non_null(strstr(barcode_strerror(BARCODE_ECHECK), "wrong check digit"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_upce_expansion),
        cmocka_unit_test(test_check_digits),
        cmocka_unit_test(test_gs1_with_gs),
        cmocka_unit_test(test_gs1_without_gs),
        cmocka_unit_test(test_gs1_expiry),
        cmocka_unit_test(test_gs1_measures),
        cmocka_unit_test(test_gs1_errors),
        cmocka_unit_test(test_variable_weight),
        cmocka_unit_test(test_variable_price),
        cmocka_unit_test(test_layout_parse),
        cmocka_unit_test(test_garbage_lengths),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
