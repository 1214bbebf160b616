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
    /* ]E0 carries UPC-E as 13 digits; the 8-digit form is a key too */
    { "]E00042100005264", BARCODE_OK, BARCODE_EAN13, { "0042100005264", "042100005264", "00042100005264", "04252614" } },
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
    for (int st = BARCODE_OK; st <= BARCODE_STATUS_LAST; st++)
        assert_true(strlen(barcode_strerror((enum barcode_status)st)) > 1);
    assert_non_null(strstr(barcode_strerror(BARCODE_ECHECK), "wrong check digit"));
}

/* AIM symbology identifiers (ISO/IEC 15424): what follows must be what the symbology
 * carries. ]E0 is EAN-13/UPC-A/UPC-E as 13 digits, ]E4 EAN-8 as 8, ]E3 either with its
 * add-on, ]E1/]E2 an add-on alone. A garbled EAN scan never becomes a PLU or a SKU. */
static void test_symbology_identifiers(void **state)
{
    struct barcode b;
    const struct { const char *scan; enum barcode_status st; } cases[] = {
        { "]E04006381333931", BARCODE_OK },
        { "]E0400638133393", BARCODE_ESYMBOLOGY },     /* 12 digits */
        { "]E040063813339311", BARCODE_ESYMBOLOGY },   /* 14 digits */
        { "]E04011", BARCODE_ESYMBOLOGY },             /* would be a PLU without ]E0 */
        { "]E0SKU10001", BARCODE_ESYMBOLOGY },         /* would be a SKU */
        { "]E004252614", BARCODE_ESYMBOLOGY },         /* UPC-E not sent as 13 digits */
        { "]E0400638133393A", BARCODE_ESYMBOLOGY },
        { "]E04006381333932", BARCODE_ECHECK },
        { "]E496385074", BARCODE_OK },
        { "]E44006381333931", BARCODE_ESYMBOLOGY },    /* an EAN-13 under ]E4 */
        { "]E49638507", BARCODE_ESYMBOLOGY },
        { "]E496385075", BARCODE_ECHECK },
        { "]E404252614", BARCODE_ECHECK },             /* a UPC-E is no EAN-8 */
        { "]E3400638133393112", BARCODE_OK },          /* EAN-13 + 2 */
        { "]E3978020137962451299", BARCODE_OK },       /* ISBN + 5 (price) */
        { "]E39638507412", BARCODE_OK },               /* EAN-8 + 2 */
        { "]E3400638133393", BARCODE_ESYMBOLOGY },     /* no add-on */
        { "]E340063813339311A", BARCODE_ESYMBOLOGY },
        { "]E112", BARCODE_EADDON },
        { "]E251299", BARCODE_EADDON },
        { "]E54006381333931", BARCODE_ESYMBOLOGY },    /* no such EAN/UPC modifier */
        { "]E04006381333931]E112", BARCODE_OK },       /* add-on as its own packet */
        { "]E04006381333931]E251299", BARCODE_OK },
        { "]E04006381333931]E1AB", BARCODE_ESYMBOLOGY },
        /* GS1 identifiers take only GS1 element strings */
        { "]C14006381333931", BARCODE_ENOGTIN },       /* (400) order number, no GTIN */
        { "]e0SKU10001", BARCODE_EAI },
        { "]d24011", BARCODE_ENOGTIN },                /* (401) GINC "1": valid, but no GTIN */
        { "]Q3", BARCODE_EEMPTY },
        /* other symbologies: the data decides, as without an identifier */
        { "]C04011", BARCODE_OK },
        { "]A0SKU-1", BARCODE_OK },
        { "]I110614141000415", BARCODE_OK },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum barcode_status st = parse(cases[i].scan, &b);
        if (st != cases[i].st)
            fail_msg("%s: status %d (%s), want %d", cases[i].scan, st, barcode_strerror(st), cases[i].st);
        /* an EAN/UPC identifier never yields an internal code */
        if (st == BARCODE_OK && cases[i].scan[1] == 'E' && b.kind == BARCODE_PLAIN)
            fail_msg("%s: EAN scan became a plain code", cases[i].scan);
    }
    assert_int_equal(parse("]E3978020137962451299", &b), BARCODE_OK);
    assert_int_equal(b.kind, BARCODE_EAN13);
    assert_string_equal(b.keys[0], "9780201379624");
    assert_string_equal(b.addon, "51299");
    assert_int_equal(parse("]E39638507412", &b), BARCODE_OK);
    assert_int_equal(b.kind, BARCODE_EAN8);
    assert_string_equal(b.addon, "12");
    assert_int_equal(parse("]E04006381333931]E112", &b), BARCODE_OK);
    assert_string_equal(b.keys[0], "4006381333931");
    assert_string_equal(b.addon, "12");
    /* a variable-measure label read with ]E0 is still a label */
    assert_int_equal(parse("]E02110020015002", &b), BARCODE_OK);
    assert_int_equal(b.kind, BARCODE_VARIABLE);
    assert_int_equal(b.weight, 1500);
    /* the message names what the scanner claimed */
    char msg[200];
    assert_int_equal(parse("]E04011", &b), BARCODE_ESYMBOLOGY);
    barcode_message(BARCODE_ESYMBOLOGY, &b, msg, sizeof msg);
    assert_non_null(strstr(msg, "garbled scan"));
    assert_non_null(strstr(msg, "EAN-13/UPC (]E0), which is 13 digits"));
    assert_int_equal(parse("]E49638507", &b), BARCODE_ESYMBOLOGY);
    barcode_message(BARCODE_ESYMBOLOGY, &b, msg, sizeof msg);
    assert_non_null(strstr(msg, "EAN-8 (]E4)"));
}

/* AIs Till has no use for are checked and skipped: the label keeps its GTIN and the
 * fields Till reads, wherever they stand. */
static void test_unused_ais_keep_the_gtin(void **state)
{
    struct barcode b;
    const char *labels[] = {
        /* (8200) product URL, variable, last */
        "]C10104006381333931" "10LOT1\x1d" "8200https://example.com/p/1",
        /* (7003) expiry date and time, (4330) max temperature with its optional "-" */
        "]d20104006381333931" "70032506151230\x1d" "4330000350-\x1d" "10LOT1",
        /* (8008) production date and time with optional minutes and seconds; (423) 2 countries */
        "]Q301040063813339318008250615103000\x1d" "423276040\x1d" "10LOT1",
        /* (3933) a price in a named currency (978 = EUR) and (8030) a base64url signature */
        "]C10104006381333931" "3933978001234\x1d" "10LOT1\x1d" "8030QUJD-_xyz==",
        /* company-internal (91)-(99), and (242) MTO variant */
        "]C10104006381333931" "91ANY-THING\x1d" "2421234\x1d" "99X\x1d" "10LOT1",
        /* (11) production date and (20) variant are predefined: no GS before (10) */
        "]e00104006381333931" "11250101" "2007" "10LOT1",
        /* (8040) IMEI: fixed 15 digits but not predefined, so a GS follows */
        "]C10104006381333931" "8040490154203237518\x1d" "10LOT1",
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        enum barcode_status st = parse(labels[i], &b);
        if (st != BARCODE_OK)
            fail_msg("label %zu: %s (field %s)", i, barcode_strerror(st), b.bad_ai);
        assert_string_equal(b.gtin, "04006381333931");
        assert_string_equal(b.keys[0], "4006381333931");
        assert_string_equal(b.batch, "LOT1");
    }
    /* a field GS1 does not define: nothing after it can be read */
    char msg[200];
    assert_int_equal(parse("]C10104006381333931" "89123", &b), BARCODE_EAI);
    assert_string_equal(b.bad_ai, "8912");
    barcode_message(BARCODE_EAI, &b, msg, sizeof msg);
    assert_non_null(strstr(msg, "does not define (at 8912...)"));
    assert_int_equal(parse("]C10104006381333931" "3106012345", &b), BARCODE_EAI); /* 310n ends at 5 */
    assert_int_equal(parse("]C10104006381333931" "2351", &b), BARCODE_OK);        /* (235) TPX */
    assert_int_equal(parse("]C10104006381333931" "23", &b), BARCODE_EAI);
    /* malformed fields of unused AIs are still errors, naming the field */
    assert_int_equal(parse("]C10104006381333931" "8200", &b), BARCODE_EAI_LENGTH);
    barcode_message(BARCODE_EAI_LENGTH, &b, msg, sizeof msg);
    assert_string_equal(msg, "GS1 field (8200) PRODUCT URL: wrong length; scan again");
    assert_int_equal(parse("]C10104006381333931" "7003251315123", &b), BARCODE_EDATE);
    assert_string_equal(b.bad_ai, "7003");
    assert_int_equal(parse("]C10104006381333931" "7006250100", &b), BARCODE_EDATE); /* yymmdd: no day 00 */
    assert_int_equal(parse("]C10104006381333931" "4100614141000419", &b), BARCODE_ECHECK); /* GLN */
    barcode_message(BARCODE_ECHECK, &b, msg, sizeof msg);
    assert_string_equal(msg, "GS1 field (410) SHIP TO LOC: wrong check digit; scan again");
    assert_int_equal(parse("]C10104006381333931" "433000035A", &b), BARCODE_EAI_DIGITS);
    assert_int_equal(parse("]C10104006381333931" "8030AB=C", &b), BARCODE_EAI_CHARS);
    assert_int_equal(parse("]C10104006381333931" "8010AB#-/", &b), BARCODE_OK);     /* set 39 */
    assert_int_equal(parse("]C10104006381333931" "8010ab", &b), BARCODE_EAI_CHARS);
    assert_int_equal(parse("]C10104006381333931" "4230001", &b), BARCODE_EAI_LENGTH); /* 3 + 1 */
    assert_int_equal(parse("]C10104006381333931" "8040490154203237518" "10LOT1", &b), BARCODE_EAI_LENGTH);
    /* two different GTINs: which item is it? */
    assert_int_equal(parse("]C10104006381333931" "0109506000134352", &b), BARCODE_EAI_CONFLICT);
    assert_int_equal(parse("]C10104006381333931" "0104006381333931", &b), BARCODE_OK);
    assert_int_equal(parse("]C10104006381333931" "3103001250" "3102000125", &b), BARCODE_OK); /* same weight */
    assert_int_equal(parse("]C10104006381333931" "3103001250" "3103001251", &b), BARCODE_EAI_CONFLICT);
}

/* Published examples. GS1's own test vectors for scanner data from the GS1 Syntax
 * Engine (github gs1/gs1-syntax-engine, src/c-lib/scandata.c: test_scandata_* and
 * test_scandata_validateParity), read with the variable-measure layouts off (GS1's
 * global meaning: 20-29 are plain restricted-circulation numbers). */
static void test_gs1_published_examples(void **state)
{
    struct barcode_rules plain;
    barcode_rules_default(&plain, 2);
    for (int i = 0; i < BARCODE_PREFIXES; i++)
        plain.variable[i].used = 0;
    const struct {
        const char *scan;
        enum barcode_status st;
        const char *gtin;   /* expected GTIN-14 when OK */
        const char *batch;
    } cases[] = {
        { "]Q3011231231231233310ABC123\x1d" "99TESTING", BARCODE_OK, "12312312312333", "ABC123" },
        { "]d2011231231231233310ABC123\x1d" "99TESTING", BARCODE_OK, "12312312312333", "ABC123" },
        { "]C1011231231231233310ABC123\x1d" "99TESTING", BARCODE_OK, "12312312312333", "ABC123" },
        { "]e0011231231231233310ABC123\x1d" "99TESTING", BARCODE_OK, "12312312312333", "ABC123" },
        { "]e0011231231231233310ABC123\x1d" "99TESTING\x1d" "98XYZ", BARCODE_OK, "12312312312333", "ABC123" },
        { "]e0011231231231233310ABC123\x1d" "1199122598TESTING\x1d" "97XYZ", BARCODE_OK, "12312312312333", "ABC123" },
        { "]e0011231231231233310ABC123\x1d" "99TESTING\x1d" "98COMPOSITE\x1d" "97XYZ", BARCODE_OK, "12312312312333", "ABC123" },
        { "]e0012401234567890599COMPOSITE\x1d" "98XYZ", BARCODE_OK, "24012345678905", "" },
        { "]e0011501234567890799COMPOSITE\x1d" "98XYZ", BARCODE_OK, "15012345678907", "" },
        { "]E02112345678900", BARCODE_OK, "02112345678900", "" },
        { "]E00416000336108", BARCODE_OK, "00416000336108", "" },
        { "]E00001234000057", BARCODE_OK, "00001234000057", "" },
        { "]E402345673", BARCODE_OK, "00000002345673", "" },
        { "]e0", BARCODE_EEMPTY, NULL, NULL },
        { "]C1", BARCODE_EEMPTY, NULL, NULL },
        { "]d2", BARCODE_EEMPTY, NULL, NULL },
        { "]Q3", BARCODE_EEMPTY, NULL, NULL },
        { "]E0", BARCODE_EEMPTY, NULL, NULL },
        { "]E4", BARCODE_EEMPTY, NULL, NULL },
        { "]E0123456789012", BARCODE_ESYMBOLOGY, NULL, NULL },   /* short */
        { "]E012345678901234", BARCODE_ESYMBOLOGY, NULL, NULL }, /* long */
        { "]E01234ABC890123", BARCODE_ESYMBOLOGY, NULL, NULL },  /* not digits */
        { "]E02112345678901", BARCODE_ECHECK, NULL, NULL },
        { "]E41234567", BARCODE_ESYMBOLOGY, NULL, NULL },
        { "]E4123456789", BARCODE_ESYMBOLOGY, NULL, NULL },
        { "]E412ABC678", BARCODE_ESYMBOLOGY, NULL, NULL },
        { "]E402345674", BARCODE_ECHECK, NULL, NULL },
        /* validateParity: good and bad check digits of each length */
        { "24012345678905", BARCODE_OK, "24012345678905", "" },
        { "2112233789657", BARCODE_OK, "02112233789657", "" },
        { "416000336108", BARCODE_OK, "00416000336108", "" },
        { "02345680", BARCODE_OK, "00000002345680", "" },
        { "24012345678909", BARCODE_ECHECK, NULL, NULL },
        { "2112233789658", BARCODE_ECHECK, NULL, NULL },
        { "416000336107", BARCODE_ECHECK, NULL, NULL },
        { "02345689", BARCODE_ECHECK, NULL, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct barcode b;
        const char *s = cases[i].scan;
        enum barcode_status st = barcode_parse(s, strlen(s), &plain, TODAY, &b);
        if (st != cases[i].st)
            fail_msg("%s: status %d (%s), want %d", s, st, barcode_strerror(st), cases[i].st);
        if (st)
            continue;
        if (strcmp(b.gtin, cases[i].gtin) != 0)
            fail_msg("%s: GTIN %s, want %s", s, b.gtin, cases[i].gtin);
        if (strcmp(b.batch, cases[i].batch) != 0)
            fail_msg("%s: batch %s, want %s", s, b.batch, cases[i].batch);
    }
    /* UPC-E sent by ]E0 as 13 digits finds a catalog that keeps its 8 digits */
    struct barcode b;
    assert_int_equal(barcode_parse("]E00001234000057", 16, &plain, TODAY, &b), BARCODE_OK);
    assert_int_equal(b.nkeys, 4);
    assert_string_equal(b.keys[3], "00123457");
}

/* Variable-measure layouts per country, with the numbers the GS1 organisations publish. */
static void test_variable_country_layouts(void **state)
{
    struct barcode_rules de, se;
    char err[200];
    struct barcode b;
    /* GS1 Germany, SAN-4 concept (san.gs1-germany.de/SAN-4-Konzept): 2P, 4-digit SAN,
     * check digit over the 5 value digits, value; 22/23 price, 28/29 weight */
    barcode_rules_default(&de, 2);
    assert_int_equal(barcode_layout_parse("item:4,check,price:5/2", &de.variable[3], err, sizeof err), 0);
    assert_int_equal(barcode_layout_parse("item:4,check,weight:5/3", &de.variable[9], err, sizeof err), 0);
    assert_int_equal(barcode_parse("2330714002396", 13, &de, TODAY, &b), BARCODE_OK); /* 2,39 EUR */
    assert_true(b.has_price);
    assert_int_equal(b.price, 239);
    assert_string_equal(b.keys[0], "2330710000006");
    assert_int_equal(barcode_parse("2930711068700", 13, &de, TODAY, &b), BARCODE_OK); /* 6,870 kg */
    assert_int_equal(b.weight, 6870);
    /* the price check digit of the German example; 263071900012 (26 = pieces) holds 9 */
    assert_int_equal(barcode_price_check_digit("00239", 5), 4);
    assert_int_equal(barcode_price_check_digit("06870", 5), 1);
    assert_int_equal(barcode_price_check_digit("00012", 5), 9);
    /* GS1 Sweden, "A good example" (gs1.se, Items with variable weight): 23 = weight
     * with three decimals, 6 item digits, no price check digit; the database keeps the
     * item with the weight zeroed: 02388060100006 */
    barcode_rules_default(&se, 2);
    assert_int_equal(barcode_layout_parse("item:6,weight:4/3", &se.variable[3], err, sizeof err), 0);
    const struct { const char *scan; int64_t grams; } sweden[] = {
        { "2388060103489", 348 }, { "2388060202977", 297 }, { "2388060310856", 1085 },
    };
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(barcode_parse(sweden[i].scan, 13, &se, TODAY, &b), BARCODE_OK);
        assert_int_equal(b.weight, sweden[i].grams);
    }
    assert_int_equal(barcode_parse("2388060103489", 13, &se, TODAY, &b), BARCODE_OK);
    assert_string_equal(b.keys[0], "2388060100006");
}

/* The generated AI table: complete, sorted for the search, and its predefined-length AIs
 * as the GS1 General Specifications (figure 7.8.5-2) list them by their first two digits:
 * AI plus data is always that long, and every AI of those prefixes is predefined. */
static void test_ai_table(void **state)
{
    static const struct { const char *prefix; size_t total; } fixed[] = {
        { "00", 20 }, { "01", 16 }, { "02", 16 }, { "03", 16 }, { "04", 18 }, { "11", 8 },
        { "12", 8 }, { "13", 8 }, { "14", 8 }, { "15", 8 }, { "16", 8 }, { "17", 8 },
        { "18", 8 }, { "19", 8 }, { "20", 4 }, { "31", 10 }, { "32", 10 }, { "33", 10 },
        { "34", 10 }, { "35", 10 }, { "36", 10 }, { "41", 16 },
    };
    assert_true(barcode_ai_count > 500);
    for (size_t i = 0; i < barcode_ai_count; i++) {
        const struct barcode_ai *a = &barcode_ai_table[i];
        size_t len = strlen(a->ai);
        assert_true(len >= 2 && len <= 4);
        if (i > 0 && strcmp(barcode_ai_table[i - 1].ai, a->ai) >= 0)
            fail_msg("table not sorted at %s", a->ai);
        /* no AI is the prefix of another */
        if (i > 0 && strncmp(barcode_ai_table[i - 1].ai, a->ai, strlen(barcode_ai_table[i - 1].ai)) == 0)
            fail_msg("%s is a prefix of %s", barcode_ai_table[i - 1].ai, a->ai);
        assert_ptr_equal(barcode_ai_find(a->ai, len), a);
        assert_true(a->nparts >= 1 && a->title);
        size_t total = len;
        for (int k = 0; k < a->nparts; k++)
            total += a->part[k].max;
        int in_fixed = 0;
        for (size_t f = 0; f < sizeof fixed / sizeof fixed[0]; f++)
            if (strncmp(a->ai, fixed[f].prefix, 2) == 0) {
                in_fixed = 1;
                if (total != fixed[f].total)
                    fail_msg("(%s): %zu characters, GS1 7.8.5 says %zu", a->ai, total, fixed[f].total);
            }
        if (in_fixed != a->predefined)
            fail_msg("(%s): predefined %d, GS1 7.8.5 says %d", a->ai, a->predefined, in_fixed);
    }
    /* decimal-point AIs and a few landmarks */
    const struct barcode_ai *a = barcode_ai_find("3103", 4);
    assert_non_null(a);
    assert_true(a->decimals);
    assert_true(barcode_ai_find("3929", 4)->decimals);
    assert_null(barcode_ai_find("3106", 4));
    assert_false(barcode_ai_find("10", 2)->predefined);
    assert_false(barcode_ai_find("422", 3)->predefined);
    assert_string_equal(barcode_ai_find("17", 2)->title, "USE BY or EXPIRY");
    assert_null(barcode_ai_find("1", 1));
    assert_null(barcode_ai_find("0x", 2));
    assert_null(barcode_ai_find("89", 2));
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
        cmocka_unit_test(test_symbology_identifiers),
        cmocka_unit_test(test_unused_ais_keep_the_gtin),
        cmocka_unit_test(test_gs1_published_examples),
        cmocka_unit_test(test_variable_country_layouts),
        cmocka_unit_test(test_ai_table),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
