/* ESC/POS: golden bytes for a representative receipt at 42 and 48 columns, checked by an
 * independent decoder (tests/escpos_decode.c: iconv for the code page, the command
 * reference for the rest) that turns the bytes back into the text receipt; code page
 * substitutes; every width; gift and COPY receipts; the drawer kick; and the DLE EOT
 * status parser.  UPDATE_GOLDEN=1 rewrites tests/golden/ (look at the diff!). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cart.h"
#include "core/escpos.h"
#include "core/escpos_status.h"
#include "core/receipt.h"
#include "core/receipt_escpos.h"
#include "tests/escpos_decode.c"

static const struct tax_config incl = { TAX_INCLUSIVE, TAX_ROUND_PER_TOTAL };

static struct product make(const char *name, int64_t price, enum unit u, const char *tax, int64_t rate)
{
    struct product p;
    memset(&p, 0, sizeof p);
    snprintf(p.sku, sizeof p.sku, "%.30s", name);
    snprintf(p.name, sizeof p.name, "%s", name);
    p.price = price;
    p.unit = u;
    snprintf(p.tax_class, sizeof p.tax_class, "%s", tax);
    p.tax_rate_ppm = rate;
    p.active = 1;
    return p;
}

struct fixture {
    struct cart cart;
    struct sale sale;
};

/* A German bakery's sale: umlauts and ß in names, a weighed line, a voided line, cash
 * and card with the terminal's own receipt lines, two tax classes. */
static void representative_sale(struct fixture *f)
{
    cart_init(&f->cart, &incl);
    struct product rolls = make("Brötchen", 45, UNIT_EACH, "red", 70000);
    struct product cheese = make("Käse Gouda gereift", 1890, UNIT_KG, "red", 70000);
    struct product creme = make("Crème fraîche 200g", 129, UNIT_EACH, "red", 70000);
    struct product bag = make("Tragetasche", 20, UNIT_EACH, "std", 190000);
    struct product flowers = make("Blumenstrauß „Frühling“ – groß", 1299, UNIT_EACH, "std", 190000);
    assert_int_equal(cart_add_item(&f->cart, &rolls, "", 6 * QTY_ONE), 0);
    assert_int_equal(cart_add_item(&f->cart, &cheese, "", 450), 0);
    assert_int_equal(cart_add_item(&f->cart, &creme, "", QTY_ONE), 0);
    assert_int_equal(cart_add_item(&f->cart, &bag, "", QTY_ONE), 0);
    assert_int_equal(cart_add_item(&f->cart, &flowers, "", QTY_ONE), 0);
    assert_int_equal(cart_void_line(&f->cart, 3), 0);
    struct sale *s = &f->sale;
    memset(s, 0, sizeof *s);
    snprintf(s->store_name, sizeof s->store_name, "Bäckerei Müller");
    snprintf(s->terminal_id, sizeof s->terminal_id, "T1");
    snprintf(s->cashier, sizeof s->cashier, "Jürgen");
    s->receipt_no = 42;
    money_format_init(&s->fmt, "EUR", "eu");
    s->tax = incl;
    s->cart = &f->cart;
    int64_t total = f->cart.totals.total;   /* 2,70 + 8,51 + 1,29 + 12,99 = 25,49 */
    s->npayments = 2;
    s->payments[0] = (struct payment){ .tender = TENDER_CARD, .amount = 2000 };
    snprintf(s->payments[0].masked_pan, sizeof s->payments[0].masked_pan, "************4242");
    snprintf(s->payments[0].terminal_receipt, sizeof s->payments[0].terminal_receipt,
             "Kundenbeleg\ngirocard\nBetrag EUR 20,00\nZahlung erfolgt");
    s->payments[1] = (struct payment){ .tender = TENDER_CASH, .amount = total - 2000,
                                       .tendered = 1000, .change = 1000 - (total - 2000) };
    s->change_given = s->payments[1].change;
}

static int setup(void **state)
{
    static struct fixture f;
    representative_sale(&f);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    cart_free(&f->cart);
    return 0;
}

static struct receipt_options options(int width)
{
    struct receipt_options o = {
        .width = width,
        .when_text = "2026-11-25 14:03",
        .header = "Hauptstraße 5\n50667 Köln",
        .footer = "Danke für Ihren Einkauf!\nUSt-IdNr. DE123456789",
        .code = RECEIPT_CODE_128,
        .fold = 1,
        .codepage = ESCPOS_PC858,
    };
    return o;
}

static void render(const struct sale *s, const struct receipt_options *o, struct escpos_buf *b, char **text)
{
    struct receipt_layout l;
    assert_int_equal(receipt_layout(s, o, &l), 0);
    struct receipt_escpos_options eo;
    receipt_escpos_defaults(&eo);
    escpos_buf_init(b, eo.codepage);
    assert_int_equal(receipt_escpos(&l, &eo, b), 0);
    if (text)
        assert_int_equal(rl_render_text(&l, text), 0);
    rl_free(&l);
}

/* tests/golden/NAME as hex, 16 bytes a line. */
static void write_hex(const char *path, const unsigned char *p, size_t n)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x%s", p[i], i % 16 == 15 || i + 1 == n ? "\n" : " ");
    fclose(f);
}

static unsigned char *read_hex(const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("%s missing: run with UPDATE_GOLDEN=1 once", path);
    unsigned char *p = malloc(65536);
    unsigned v;
    *n = 0;
    while (*n < 65536 && fscanf(f, "%2x", &v) == 1)
        p[(*n)++] = (unsigned char)v;
    fclose(f);
    return p;
}

static const char *golden_path(char *buf, size_t len, const char *name)
{
    const char *dir = getenv("GOLDEN_DIR") ? getenv("GOLDEN_DIR") : "tests/golden";
    snprintf(buf, len, "%s/%s", dir, name);
    return buf;
}

/* The decoder turns the bytes back into exactly the text receipt; the text has the euro
 * sign, umlauts and ß from PC858 (ESC t 19), bold and double size where the layout says. */
static void check_against_decoder(const unsigned char *bytes, size_t n, int columns, const char *text)
{
    struct escpos_decoded d;
    escpos_decode(bytes, n, columns, 0, &d);
    assert_false(d.truncated);
    assert_int_equal(d.unknown, 0);
    assert_int_equal(d.inits, 1);
    assert_int_equal(d.codepage, 19);
    assert_int_equal(d.cuts, 1);
    assert_int_equal(d.ncodes, 1);
    assert_string_equal(d.codes[0], "RT1-42");
    assert_true(d.bold_bytes > 0 && d.double_bytes > 0);
    /* the paper is the text receipt, then 4 fed lines and the cut */
    char expected[8192];
    snprintf(expected, sizeof expected, "%s\n\n\n\n--- cut ---\n", text);
    if (strcmp(d.text, expected) != 0) {
        size_t i = 0;
        while (d.text[i] && d.text[i] == expected[i])
            i++;
        size_t from = i > 60 ? i - 60 : 0;
        fail_msg("the decoder's paper differs from the text receipt at byte %zu:\n"
                 "decoded:  ...%.100s\nexpected: ...%.100s", i, d.text + from, expected + from);
    }
    assert_non_null(strstr(d.text, "Bäckerei Müller"));
    assert_non_null(strstr(d.text, "Hauptstraße 5"));
    assert_non_null(strstr(d.text, "Brötchen"));
    assert_non_null(strstr(d.text, "Käse Gouda gereift"));
    assert_non_null(strstr(d.text, "Crème fraîche"));
    assert_non_null(strstr(d.text, "25,49 €"));
    assert_non_null(strstr(d.text, "Danke für Ihren Einkauf!"));
    /* typographic quotes and the dash have no place in PC858: look-alikes, not garbage */
    assert_non_null(strstr(d.text, "Blumenstrauß \"Frühling\" - groß"));
    assert_null(strstr(d.text, "#"));
    escpos_decoded_free(&d);
}

static void golden(void **state, int width)
{
    struct fixture *f = *state;
    struct receipt_options o = options(width);
    struct escpos_buf b;
    char *text;
    render(&f->sale, &o, &b, &text);
    char name[32], path[256];
    snprintf(name, sizeof name, "receipt_%d.hex", width);
    golden_path(path, sizeof path, name);
    if (getenv("UPDATE_GOLDEN"))
        write_hex(path, b.p, b.len);
    size_t gn;
    unsigned char *g = read_hex(path, &gn);
    check_against_decoder(g, gn, width, text);
    if (gn != b.len || memcmp(g, b.p, gn) != 0)
        fail_msg("ESC/POS bytes at %d columns differ from %s (UPDATE_GOLDEN=1 after checking why)", width, path);
    /* every printed line fits the paper */
    for (const char *l = text; *l;) {
        const char *e = strchr(l, '\n');
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(e - l), l);
        assert_true(rl_text_width(line) <= width);
        l = e + 1;
    }
    free(g);
    free(text);
    escpos_buf_free(&b);
}

static void test_golden_42(void **state) { golden(state, 42); }
static void test_golden_48(void **state) { golden(state, 48); }

/* 58 mm paper (32 columns) and the widest 80 mm font (56): nothing runs past the edge, a
 * long name wraps and keeps its amount on its last line, the decoder agrees. */
static void test_every_width_fits(void **state)
{
    struct fixture *f = *state;
    static const int widths[] = { 32, 42, 48, 56 };
    for (size_t w = 0; w < 4; w++) {
        struct receipt_options o = options(widths[w]);
        struct escpos_buf b;
        char *text;
        render(&f->sale, &o, &b, &text);
        struct escpos_decoded d;
        escpos_decode(b.p, b.len, widths[w], 0, &d);
        assert_int_equal(d.unknown, 0);
        int lines = 0;
        for (const char *l = d.text; *l; lines++) {
            const char *e = strchr(l, '\n');
            char line[512];
            snprintf(line, sizeof line, "%.*s", (int)(e - l), l);
            if (rl_text_width(line) > widths[w])
                fail_msg("%d columns: '%s' is too wide", widths[w], line);
            l = e + 1;
        }
        assert_true(lines > 20);
        assert_non_null(strstr(d.text, "12,99 std"));
        escpos_decoded_free(&d);
        free(text);
        escpos_buf_free(&b);
    }
}

/* A gift receipt has the items and no price; a reprint says COPY at both ends. */
static void test_gift_and_copy(void **state)
{
    struct fixture *f = *state;
    struct receipt_options o = options(42);
    o.gift = 1;
    struct escpos_buf b;
    char *text;
    render(&f->sale, &o, &b, &text);
    assert_non_null(strstr(text, "GIFT RECEIPT"));
    assert_non_null(strstr(text, "Brötchen"));
    assert_non_null(strstr(text, "6 x"));
    assert_null(strstr(text, "€"));
    assert_null(strstr(text, "18,90"));   /* the price per kg */
    assert_null(strstr(text, "2,70"));
    assert_null(strstr(text, "12,99"));
    assert_null(strstr(text, "Tragetasche"));   /* voided: not a gift */
    assert_null(strstr(text, "girocard"));
    free(text);
    escpos_buf_free(&b);

    o = options(42);
    o.copy = 1;
    render(&f->sale, &o, &b, &text);
    struct escpos_decoded d;
    escpos_decode(b.p, b.len, 42, 0, &d);
    const char *first = strstr(d.text, "COPY");
    assert_non_null(first);
    assert_non_null(strstr(first + 4, "COPY"));
    assert_true(first < strstr(d.text, "Bäckerei"));
    assert_non_null(strstr(d.text, "25,49 €"));
    escpos_decoded_free(&d);
    free(text);
    escpos_buf_free(&b);
}

static char *decode_text(enum escpos_codepage cp, int esc_t, const char *utf8)
{
    struct escpos_buf b;
    escpos_buf_init(&b, cp);
    escpos_select_codepage(&b, esc_t);
    escpos_text(&b, utf8);
    struct escpos_decoded d;
    escpos_decode(b.p, b.len, 42, 0, &d);
    escpos_buf_free(&b);
    return d.text;
}

/* What a code page lacks becomes a visible look-alike or '?'; control characters in a
 * name never reach the printer as commands. */
static void test_code_page_substitutes(void **state)
{
    char *t = decode_text(ESCPOS_PC858, 19, "Łódź — “x” … 5 € Ænø ß ÿ ı 😀");
    assert_string_equal(t, "Lódz - \"x\" ... 5 € Ænø ß ÿ i ?\n");
    free(t);
    t = decode_text(ESCPOS_PC437, 0, "5 € Øre Ä");
    assert_string_equal(t, "5 EUR Ore Ä\n");
    free(t);
    t = decode_text(ESCPOS_WPC1252, 16, "5 € – Œuvre");
    assert_string_equal(t, "5 € – Œuvre\n");
    free(t);
    /* a product name with ESC @ and a cut in it prints as plain text */
    struct escpos_buf b;
    escpos_buf_init(&b, ESCPOS_PC858);
    escpos_text(&b, "Milk\x1b@\x1dV\x01\n\xff\xc3");
    assert_null(memchr(b.p, 0x1b, b.len));
    assert_null(memchr(b.p, 0x1d, b.len));
    assert_null(memchr(b.p, '\n', b.len));
    escpos_buf_free(&b);
}

static void test_kick_qr_and_status_requests(void **state)
{
    struct escpos_buf b;
    escpos_buf_init(&b, ESCPOS_PC858);
    escpos_kick(&b, ESCPOS_PIN2, 100, 200);
    escpos_kick(&b, ESCPOS_PIN5, 5000, 0);
    assert_int_equal(escpos_qr(&b, "RT1-42", 6), 0);
    assert_int_equal(escpos_code128(&b, "a{b", 60, 2), 0);
    assert_int_equal(escpos_code128(&b, "bad\x01", 60, 2), -1);
    for (int n = 1; n <= 4; n++)
        escpos_status_request(&b, n);
    struct escpos_decoded d;
    escpos_decode(b.p, b.len, 42, 1, &d);
    assert_int_equal(d.kicks, 2);
    assert_int_equal(d.kick_pin, 5);
    assert_int_equal(d.kick_on_ms, 510);   /* capped */
    assert_non_null(strstr(d.text, "[drawer kick pin 2, 100 ms on, 200 ms off]"));
    assert_int_equal(d.ncodes, 2);
    assert_string_equal(d.codes[0], "RT1-42");
    assert_string_equal(d.codes[1], "a{b");
    assert_int_equal(d.status_requests, 4);
    assert_int_equal(d.unknown, 0);
    escpos_decoded_free(&d);
    escpos_buf_free(&b);
}

/* DLE EOT answers: fixed bits checked, each n decoded, stray bytes skipped, answers
 * matched to the requests in order. */
static void test_status_parser(void **state)
{
    struct escpos_status_reader r;
    escpos_status_reset(&r);
    for (int n = 1; n <= 4; n++)
        assert_int_equal(escpos_status_expect(&r, n), 0);
    /* online, drawer pin high; cover shut; no error; paper out (bits 5 and 6) */
    const uint8_t answers[] = { 0x16, 0xFF, 0x12, 0x12, 0x00, 0x72 };
    assert_int_equal(escpos_status_feed(&r, answers, 2), 1);
    assert_int_equal(escpos_status_feed(&r, answers + 2, 4), 3);
    assert_int_equal(r.npending, 0);
    assert_int_equal(r.skipped, 2);
    assert_true(r.st.drawer_pin3_high);
    assert_false(r.st.offline);
    assert_true(r.st.paper_out);
    assert_false(printer_status_can_print(&r.st));
    char text[128];
    printer_status_describe(&r.st, text, sizeof text);
    assert_string_equal(text, "paper out");
    assert_int_equal(r.st.answered, 0x1E);

    struct printer_status st = { 0 };
    assert_int_equal(escpos_status_decode(1, 0x1A, &st), 0);   /* offline */
    assert_int_equal(escpos_status_decode(2, 0x16, &st), 0);   /* cover open */
    assert_int_equal(escpos_status_decode(3, 0x16, &st), 0);   /* cutter */
    assert_int_equal(escpos_status_decode(4, 0x1E, &st), 0);   /* near end */
    printer_status_describe(&st, text, sizeof text);
    assert_string_equal(text, "cover open, cutter jammed, paper near end");
    assert_int_equal(escpos_status_decode(1, 0x13, &st), -1);  /* bit 0 set: not an answer */
    assert_int_equal(escpos_status_decode(1, 0x92, &st), -1);
    assert_int_equal(escpos_status_decode(5, 0x12, &st), -1);
    struct printer_status ok = { 0 };
    assert_true(printer_status_can_print(&ok));
    printer_status_describe(&ok, text, sizeof text);
    assert_string_equal(text, "ok");
    escpos_status_reset(&r);
    for (int i = 0; i < ESCPOS_STATUS_MAX_PENDING; i++)
        assert_int_equal(escpos_status_expect(&r, 1), 0);
    assert_int_equal(escpos_status_expect(&r, 1), -1);
}

static void test_receipt_code(void **state)
{
    char buf[64], term[32];
    int64_t no;
    assert_int_equal(receipt_code_format("T1", 42, buf, sizeof buf), 0);
    assert_string_equal(buf, "RT1-42");
    assert_int_equal(receipt_code_parse(buf, term, sizeof term, &no), 0);
    assert_string_equal(term, "T1");
    assert_int_equal(no, 42);
    assert_int_equal(receipt_code_parse("Rtill-a-7", term, sizeof term, &no), 0);
    assert_string_equal(term, "till-a");
    assert_int_equal(no, 7);
    assert_int_equal(receipt_code_parse("4006381333931", term, sizeof term, &no), -1);
    assert_int_equal(receipt_code_parse("R-42", term, sizeof term, &no), -1);
    assert_int_equal(receipt_code_parse("RT1-", term, sizeof term, &no), -1);
    assert_int_equal(receipt_code_parse("RT1-4x", term, sizeof term, &no), -1);
    assert_int_equal(receipt_code_parse("RT1-1234567890123456789", term, sizeof term, &no), -1);
    assert_int_equal(receipt_code_format("has space", 1, buf, sizeof buf), -1);
}

/* A plain document (a count's report): initialised, its code page, each line as text with a
 * line feed (characters in the code page, control characters never passed through), fed
 * and cut. */
static void test_plain_document(void **state)
{
    struct receipt_escpos_options o;
    receipt_escpos_defaults(&o);
    struct escpos_buf b;
    escpos_buf_init(&b, o.codepage);
    assert_int_equal(receipt_escpos_plain("STOCK COUNT c1\nMilk\x1b@ 12,50 \xe2\x82\xac\n\nEnd", &o, &b), 0);
    static const unsigned char want[] = "\x1b@\x1bt\x13" "STOCK COUNT c1\n" "Milk@ 12,50 \xd5\n" "\n" "End\n"
                                        "\x1b" "d\x04" "\x1dV\x01";
    assert_int_equal(b.len, sizeof want - 1);
    assert_memory_equal(b.p, want, sizeof want - 1);
    escpos_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_golden_42, setup, teardown),
        cmocka_unit_test_setup_teardown(test_golden_48, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_width_fits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gift_and_copy, setup, teardown),
        cmocka_unit_test(test_code_page_substitutes),
        cmocka_unit_test(test_kick_qr_and_status_requests),
        cmocka_unit_test(test_status_parser),
        cmocka_unit_test(test_receipt_code),
        cmocka_unit_test(test_plain_document),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
