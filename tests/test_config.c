/* Config parsing and settings validation: every typo is a clear message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "offline/sync.h"
#include "src/config.h"
#include "src/config_keys.h"
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
        { "sale.confirm_qty_above=lots", "sale.confirm_qty_above" },
        { "sale.confirm_line_total_above=-5", "sale.confirm_line_total_above" },
        { "payment.cash_confirm_multiple=x", "payment.cash_confirm_multiple" },
        { "payment.cash_confirm_above=ten", "payment.cash_confirm_above" },
        { "ui.alert=siren", "bell, flash or none" },
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

/* Parses text as a file named till.conf and checks its keys; returns the count. */
static int check_text(const char *text, char *err, size_t errlen)
{
    struct config *c = config_new();
    char perr[256];
    assert_int_equal(config_parse(c, text, "till.conf", perr, sizeof perr), 0);
    int n = config_check_keys(c, err, errlen);
    config_free(c);
    return n;
}

static void assert_contains(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("'%s' does not contain '%s'", text, part);
}

/* A misspelt key is an error naming its line and the key that was meant. */
static void test_unknown_keys_name_line_and_suggest(void **state)
{
    char err[1024];
    assert_int_equal(check_text("[store]\nname = A\nnmae = X\n", err, sizeof err), 1);
    assert_string_equal(err, "till.conf:3: unknown key 'store.nmae' (did you mean store.name?)");
    assert_int_equal(check_text("[stroe]\nname = A\n", err, sizeof err), 1);
    assert_contains(err, "did you mean store.name?");
    assert_int_equal(check_text("[receipt]\nwidht = 42\n[sync]\nbacth = 5\n", err, sizeof err), 2);
    assert_contains(err, "till.conf:2: unknown key 'receipt.widht' (did you mean receipt.width?)\n");
    assert_contains(err, "till.conf:4: unknown key 'sync.bacth' (did you mean sync.batch?)");
    assert_int_equal(check_text("[barcode]\nvaraible.21 = none\n", err, sizeof err), 1);
    assert_contains(err, "did you mean barcode.variable.21?");
    /* nothing close: no guess, but where to look */
    assert_int_equal(check_text("[store]\nfavourite_colour = blue\n", err, sizeof err), 1);
    assert_contains(err, "unknown key 'store.favourite_colour' (every key: till --help, or man till)");
}

/* --set is checked the same way, and the message names the flag. */
static void test_unknown_set_key_names_the_flag(void **state)
{
    struct config *c = config_new();
    char err[512];
    assert_int_equal(config_parse(c, config_demo_defaults, "built-in", err, sizeof err), 0);
    assert_int_equal(config_set_assignment(c, "nosuch.key=1", err, sizeof err), 0);
    assert_int_equal(config_set_assignment(c, "receipt.widht=48", err, sizeof err), 0);
    assert_int_equal(config_check_keys(c, err, sizeof err), 2);
    assert_contains(err, "--set nosuch.key=1: unknown key 'nosuch.key'");
    assert_contains(err, "--set receipt.widht=48: unknown key 'receipt.widht' (did you mean receipt.width?)");
    config_free(c);
}

/* [payment.NAME] sections exist for the configured terminals, with their kind's keys. */
static void test_terminal_sections(void **state)
{
    char err[1024];
    const char *ok = "[payment]\nterminals = counter:zvt, spare:sim, sim\n"
                     "[payment.counter]\nhost = 10.0.0.5\nport = 20007\npassword = 000000\n"
                     "[payment.spare]\nscript = approve\ntimeout_ms = 100\n"
                     "[payment.sim]\nlatency_ms = 5\n";
    assert_int_equal(check_text(ok, err, sizeof err), 0);
    assert_int_equal(check_text("[payment]\nterminals = counter:zvt\n[payment.counter]\nhots = 1.2.3.4\n",
                                err, sizeof err), 1);
    assert_contains(err, "till.conf:4: unknown key 'payment.counter.hots' (did you mean payment.counter.host?)");
    assert_int_equal(check_text("[payment]\nterminals = counter:zvt\n[payment.cuonter]\nhost = 1.2.3.4\n",
                                err, sizeof err), 1);
    assert_contains(err, "no terminal 'cuonter' in payment.terminals (did you mean payment.counter.host?)");
    assert_int_equal(check_text("[payment]\nterminals = spare:sim\n[payment.spare]\nhost = 1.2.3.4\n",
                                err, sizeof err), 1);
    assert_contains(err, "'spare' is a sim terminal; host is a key of zvt terminals");
    /* a section of a terminal not listed (kept for later) has any kind's keys, checked */
    assert_int_equal(check_text("[payment]\nterminals = counter:zvt\n[payment.old]\nhost = 1.2.3.4\nscript = approve\n",
                                err, sizeof err), 0);
    assert_int_equal(check_text("[payment]\nterminals = counter:zvt\n[payment.old]\nscirpt = approve\n",
                                err, sizeof err), 1);
    assert_contains(err, "did you mean payment.old.script?");
    assert_int_equal(check_text("[payment]\nterminal = sim\n", err, sizeof err), 1);
    assert_contains(err, "did you mean payment.terminals?");
}

/* Uncomments "#key = value" lines, so the example's optional keys are checked too. */
static char *uncomment_examples(const char *text)
{
    char *out = malloc(strlen(text) + 1);
    size_t o = 0;
    assert_non_null(out);
    for (const char *l = text; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) + 1 : strlen(l);
        const char *k = l + 1 + (l[1] == ' ');
        size_t kn = strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_.");
        const char *after = k + kn + strspn(k + kn, " ");
        if (l[0] == '#' && kn && *after == '=') {
            memcpy(out + o, k, n - (size_t)(k - l));
            o += n - (size_t)(k - l);
        } else {
            memcpy(out + o, l, n);
            o += n;
        }
        l += n;
    }
    out[o] = 0;
    return out;
}

/* The example config, its commented-out keys included, and the demo config use only
 * known keys. */
static void test_shipped_configs_use_known_keys(void **state)
{
    FILE *f = fopen("assets/till.conf.example", "r");
    assert_non_null(f);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    char err[2048] = "";
    char *all = uncomment_examples(text);
    int found = strstr(all, "\nusb.vid_pid = 05e0:1200") != NULL;   /* the uncommenting worked */
    int bad = check_text(all, err, sizeof err);
    free(all);
    assert_true(found);
    if (bad)
        fail_msg("%s", err);
    assert_int_equal(check_text(text, err, sizeof err), 0);
    assert_int_equal(check_text(config_demo_defaults, err, sizeof err), 0);
}

static const char *documented_default(const char *key)
{
    for (size_t i = 0; i < config_nkeys; i++)
        if (strcmp(config_keys[i].key, key) == 0)
            return config_keys[i].def;
    fail_msg("%s is not in the table", key);
    return NULL;
}

static void assert_default(const char *key, long long actual)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", actual);
    if (strcmp(documented_default(key), b) != 0)
        fail_msg("%s: the table says %s, the code uses %s", key, documented_default(key), b);
}

/* The defaults the table documents are the ones the code uses. */
static void test_documented_defaults_are_the_real_ones(void **state)
{
    struct config *c = config_new();
    char err[256];
    assert_int_equal(config_parse(c, "[tax]\nstd = 19\n", "t", err, sizeof err), 0);
    struct settings s;
    assert_int_equal(settings_from_config(c, &s, err, sizeof err), 0);
    assert_string_equal(documented_default("store.name"), s.store_name);
    assert_string_equal(documented_default("store.terminal_id"), s.terminal_id);
    assert_string_equal(documented_default("store.cashier"), s.cashier);
    assert_string_equal(documented_default("store.currency"), s.fmt.cur.code);
    assert_default("receipt.width", s.receipt_width);
    assert_default("scanner.wedge_max_gap_ms", s.wedge_max_gap_ms);
    assert_default("scanner.wedge_min_length", s.wedge_min_length);
    /* quantities and amounts as written: 100 pieces, 1000 and 100 in the currency (EUR) */
    assert_default("sale.confirm_qty_above", s.confirm.qty_above / QTY_ONE);
    assert_default("sale.confirm_line_total_above", s.confirm.line_total_above / 100);
    assert_default("payment.cash_confirm_multiple", s.confirm.cash_multiple);
    assert_default("payment.cash_confirm_above", s.confirm.cash_above / 100);
    assert_string_equal(documented_default("ui.alert"), "bell");
    assert_int_equal(s.alert, ALERT_BELL);

    char token[] = "/tmp/till-token-XXXXXX";
    int fd = mkstemp(token);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "secret\n", 7), 7);
    close(fd);
    config_set(c, "sync.url", "http://127.0.0.1:1");
    config_set(c, "sync.token_file", token);
    struct sync_config sc;
    int configured;
    assert_int_equal(sync_config_from(c, &sc, &configured, err, sizeof err), 0);
    remove(token);
    assert_string_equal(documented_default("sync.location"), sc.location);
    assert_default("sync.batch", sc.batch);
    assert_default("sync.page_size", sc.page_size);
    assert_default("sync.pull_interval_ms", sc.pull_interval_ms);
    assert_default("sync.backoff_base_ms", sc.backoff_base_ms);
    assert_default("sync.backoff_max_ms", sc.backoff_max_ms);
    assert_default("sync.max_response_bytes", (long long)sc.max_response_bytes);
    assert_default("sync.connect_timeout_ms", sc.connect_timeout_ms);
    assert_default("sync.timeout_ms", sc.timeout_ms);
    assert_default("sync.insecure_tls", sc.insecure_tls);
    assert_default("sync.now_deadline_s", sc.now_deadline_ms / 1000);
    config_free(c);
}

static void test_key_distance(void **state)
{
    assert_int_equal(config_key_distance("store.name", "store.name", 3), 0);
    assert_int_equal(config_key_distance("store.name", "store.nmae", 3), 1);  /* a swap is one edit */
    assert_int_equal(config_key_distance("store.name", "store.nam", 3), 1);
    assert_int_equal(config_key_distance("abc", "xyz", 2), 3);                /* capped at cap + 1 */
    assert_int_equal(config_key_distance("", "abcdef", 2), 3);
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
        cmocka_unit_test(test_unknown_keys_name_line_and_suggest),
        cmocka_unit_test(test_unknown_set_key_names_the_flag),
        cmocka_unit_test(test_terminal_sections),
        cmocka_unit_test(test_shipped_configs_use_known_keys),
        cmocka_unit_test(test_documented_defaults_are_the_real_ones),
        cmocka_unit_test(test_key_distance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
