/* lookup_scan on a real SQLite catalog (the demo catalog plus a few codes of other
 * shapes): every barcode form finds the item the catalog stores in its own form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/catalog.h"
#include "src/lookup.h"
#include "src/store.h"

extern const char *const demo_catalog_csv[];

#define TODAY 20250615

struct fx {
    char dir[64];
    struct store *st;
    struct barcode_rules rules;
};

static const char EXTRA_CSV[] =
    "sku,barcode,name,price,unit,tax_class,age_restricted\n"
    "UPC1,042100005264,Imported Soup,199,each,red,0\n"      /* UPC-A of UPC-E 04252614 */
    "UPC2,0012345000065,Imported Crackers,249,each,red,0\n" /* EAN-13 form of UPC-E 01234565 */
    "EAN1,4006381333931,Pencil,99,each,std,0\n"
    "PLU1,4011,Loose Lemons,49,each,red,0\n"
    "PRC1,2212345000005,Cheese Counter,1990,kg,red,0\n"      /* prefix 22: price labels */
    "WEA1,2199999000004,Gift Basket,999,each,std,0\n";     /* sold each, under prefix 21 */

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/till-lookup-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/till.db", f->dir);
    assert_int_equal(store_open(path, &f->st, err, sizeof err), 0);
    struct tax_class std = { "std", "Standard", 190000 }, red = { "red", "Reduced", 70000 },
                     zero = { "zero", "Zero", 0 };
    catalog_upsert_tax_class(f->st, &std);
    catalog_upsert_tax_class(f->st, &red);
    catalog_upsert_tax_class(f->st, &zero);
    assert_int_equal(catalog_import_csv(f->st, demo_catalog_csv[0], err, sizeof err), 0);
    assert_int_equal(catalog_import_csv(f->st, EXTRA_CSV, err, sizeof err), 0);
    barcode_rules_default(&f->rules, 2);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static int scan(struct fx *f, const char *code, struct scan_result *r, char *msg)
{
    return lookup_scan(f->st, &f->rules, code, TODAY, r, msg, 256);
}

static void test_ean13_and_gtin14(void **state)
{
    struct fx *f = *state;
    struct scan_result r;
    char msg[256];
    assert_int_equal(scan(f, "4010433218190", &r, msg), LOOKUP_OK);
    assert_string_equal(r.product.name, "Whole Milk 1L");
    assert_string_equal(r.line_code, "4010433218190");
    assert_false(r.has_qty);
    assert_false(r.has_price);
    assert_int_equal(scan(f, "]E04010433218190", &r, msg), LOOKUP_OK);
    assert_string_equal(r.product.name, "Whole Milk 1L");
    /* ITF-14 of the same item with indicator 0 */
    assert_int_equal(scan(f, "04006381333931", &r, msg), LOOKUP_OK);
    assert_string_equal(r.product.name, "Pencil");
    assert_string_equal(r.line_code, "04006381333931");
}

static void test_upce_finds_upca_and_ean13(void **state)
{
    struct fx *f = *state;
    struct scan_result r;
    char msg[256];
    assert_int_equal(scan(f, "04252614", &r, msg), LOOKUP_OK);
    assert_string_equal(r.product.name, "Imported Soup");
    /* the UPC-A itself, and as EAN-13 */
    assert_int_equal(scan(f, "042100005264", &r, msg), LOOKUP_OK);
    assert_string_equal(r.product.name, "Imported Soup");
    assert_int_equal(scan(f, "0042100005264", &r, msg), LOOKUP_OK);
    assert_string_equal(r.product.name, "Imported Soup");
    /* catalog stores the EAN-13 form; the scan is UPC-E */
    assert_int_equal(scan(f, "01234565", &r, msg), LOOKUP_OK);
    assert_string_equal(r.product.name, "Imported Crackers");
}

static void test_variable_weight_from_demo(void **state)
{
    struct fx *f = *state;
    struct scan_result r;
    char msg[256];
    /* Bananas, 1.500 kg on the scale label */
    assert_int_equal(scan(f, "2110020015002", &r, msg), LOOKUP_OK);
    assert_string_equal(r.product.name, "Bananas");
    assert_true(r.has_qty);
    assert_int_equal(r.qty, 1500);
    assert_false(r.has_price);
    assert_string_equal(r.line_code, "2110020015002");
    /* the catalog's own code carries no weight: the till asks for it */
    assert_int_equal(scan(f, "2110020000008", &r, msg), LOOKUP_OK);
    assert_string_equal(r.product.name, "Bananas");
    assert_false(r.has_qty);
    /* a weight label on an item sold each is refused */
    char code[14] = "219999900500";
    code[12] = (char)('0' + barcode_gs1_check_digit("2199999005000", 13));
    code[13] = 0;
    assert_int_equal(scan(f, code, &r, msg), LOOKUP_EMISMATCH);
    assert_non_null(strstr(msg, "Gift Basket"));
}

static void test_variable_price(void **state)
{
    struct fx *f = *state;
    struct scan_result r;
    char msg[256];
    assert_int_equal(scan(f, "2212345012343", &r, msg), LOOKUP_OK);
    assert_string_equal(r.product.name, "Cheese Counter");
    assert_true(r.has_price);
    assert_int_equal(r.price, 1234);
}

static void test_gs1_label(void **state)
{
    struct fx *f = *state;
    struct scan_result r;
    char msg[256];
    assert_int_equal(scan(f, "]C10104010433218190" "17250601" "10LOT7\x1d" "21S1", &r, msg), LOOKUP_OK);
    assert_string_equal(r.product.name, "Whole Milk 1L");
    assert_true(r.code.expired);
    assert_int_equal(r.code.expiry, 20250601);
    assert_string_equal(r.code.batch, "LOT7");
    assert_string_equal(r.code.serial, "S1");
    assert_string_equal(r.line_code, "4010433218190");
    assert_int_equal(scan(f, "]C10104010433218190" "17251231", &r, msg), LOOKUP_OK);
    assert_false(r.code.expired);
    /* GS1 DataBar with a weight for a kg item's GTIN */
    assert_int_equal(scan(f, "]e00102110020000008" "3103000750", &r, msg), LOOKUP_OK);
    assert_string_equal(r.product.name, "Bananas");
    assert_int_equal(r.qty, 750);
}

static void test_plain_codes(void **state)
{
    struct fx *f = *state;
    struct scan_result r;
    char msg[256];
    assert_int_equal(scan(f, "4011", &r, msg), LOOKUP_OK);
    assert_string_equal(r.product.name, "Loose Lemons");
    /* a SKU typed for a return or a count */
    assert_int_equal(scan(f, "SKU10001", &r, msg), LOOKUP_OK);
    assert_string_equal(r.product.name, "Whole Milk 1L");
    assert_int_equal(scan(f, "NOSUCH-1", &r, msg), LOOKUP_NOTFOUND);
    assert_non_null(strstr(msg, "Unknown barcode NOSUCH-1"));
}

static void test_errors_have_messages(void **state)
{
    struct fx *f = *state;
    struct scan_result r;
    char msg[256];
    assert_int_equal(scan(f, "4000000000013", &r, msg), LOOKUP_NOTFOUND);
    assert_non_null(strstr(msg, "Unknown barcode 4000000000013"));
    assert_int_equal(scan(f, "4000000000000", &r, msg), LOOKUP_EINVALID);
    assert_non_null(strstr(msg, "wrong check digit"));
    assert_int_equal(scan(f, "", &r, msg), LOOKUP_EINVALID);
    assert_true(strlen(msg) > 0);
    /* control characters never reach the message line */
    assert_int_equal(scan(f, "]C10104010433218190" "10\x1d", &r, msg), LOOKUP_EINVALID);
    assert_null(strchr(msg, 0x1d));
    assert_int_equal(scan(f, "2212343014998", &r, msg), LOOKUP_NOTFOUND); /* price layout differs */
}

/* Letters among the digits of an item number (a misread or mistyped EAN) are a garbled
 * code, not an unknown item; internal codes and SKUs are still looked up (issue 22). */
static void test_letters_in_a_number_are_garbled(void **state)
{
    struct fx *f = *state;
    struct scan_result r;
    char msg[256];
    const char *garbled[] = { "40104332l8190", "4O10433218190", "4010433A", "401043321819X" };
    for (size_t i = 0; i < sizeof garbled / sizeof garbled[0]; i++) {
        assert_int_equal(scan(f, garbled[i], &r, msg), LOOKUP_EINVALID);
        assert_non_null(strstr(msg, "is garbled: letters among the digits"));
    }
    assert_int_equal(scan(f, "SKU10001", &r, msg), LOOKUP_OK);
    assert_int_equal(scan(f, "NOSUCH-1", &r, msg), LOOKUP_NOTFOUND);
    assert_int_equal(scan(f, "ABCD1234", &r, msg), LOOKUP_NOTFOUND);   /* letters first */
    assert_int_equal(scan(f, "4010433218190", &r, msg), LOOKUP_OK);
}

/* A scan the reader calls EAN/UPC (]E0, ]E4) that does not fit the symbology is refused
 * with a message that says so; it never finds a PLU or a SKU by accident. */
static void test_garbled_ean_never_matches_plu_or_sku(void **state)
{
    struct fx *f = *state;
    struct scan_result r;
    char msg[256];
    const char *garbled[] = { "]E04011", "]E44011", "]E0SKU10001", "]E0401043321819", "]E3SKU10001" };
    for (size_t i = 0; i < sizeof garbled / sizeof garbled[0]; i++) {
        assert_int_equal(scan(f, garbled[i], &r, msg), LOOKUP_EINVALID);
        if (!strstr(msg, "garbled scan"))
            fail_msg("%s: %s", garbled[i], msg);
        assert_string_equal(r.product.name, "");
    }
    assert_non_null(strstr(msg, "]E3SKU10001: garbled scan"));
    /* the same codes without an identifier are what they look like */
    assert_int_equal(scan(f, "4011", &r, msg), LOOKUP_OK);
    assert_string_equal(r.product.name, "Loose Lemons");
    assert_int_equal(scan(f, "]C0SKU10001", &r, msg), LOOKUP_OK);
    assert_string_equal(r.product.name, "Whole Milk 1L");
    /* a good ]E0 scan finds its item */
    assert_int_equal(scan(f, "]E04010433218190", &r, msg), LOOKUP_OK);
    assert_string_equal(r.product.name, "Whole Milk 1L");
    /* UPC-E sent as 13 digits finds the catalog's UPC-A */
    assert_int_equal(scan(f, "]E00042100005264", &r, msg), LOOKUP_OK);
    assert_string_equal(r.product.name, "Imported Soup");
}

/* A GS1 label full of fields Till does not use still sells its item; a broken field
 * is named in the message. */
static void test_gs1_unused_fields(void **state)
{
    struct fx *f = *state;
    struct scan_result r;
    char msg[256];
    assert_int_equal(scan(f, "]d20104010433218190" "17251231" "7240PROTO\x1d" "8200https://example.com/m\x1d" "10L9", &r, msg),
                     LOOKUP_OK);
    assert_string_equal(r.product.name, "Whole Milk 1L");
    assert_string_equal(r.code.batch, "L9");
    assert_int_equal(scan(f, "]d20104010433218190" "17251232", &r, msg), LOOKUP_EINVALID);
    assert_non_null(strstr(msg, "GS1 field (17) USE BY or EXPIRY: not a real date"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ean13_and_gtin14, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upce_finds_upca_and_ean13, setup, teardown),
        cmocka_unit_test_setup_teardown(test_variable_weight_from_demo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_variable_price, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gs1_label, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_have_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbled_ean_never_matches_plu_or_sku, setup, teardown),
        cmocka_unit_test_setup_teardown(test_letters_in_a_number_are_garbled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gs1_unused_fields, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
