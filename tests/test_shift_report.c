/* X and Z reports: the arithmetic of a fixed shift checked figure by figure, the layout,
 * and the same figures gathered from a real database (sales, cash movements, cancels),
 * with Z numbers that only go up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cart.h"
#include "core/sale.h"
#include "core/shift_report.h"
#include "offline/shift_doc.h"
#include "src/catalog.h"
#include "src/sales.h"
#include "src/shifts.h"
#include "src/store.h"

extern const char *const demo_catalog_csv[];

/* A shift worked out on paper: float 100,00; sales 12,50 cash + 20,00 card + 5,00
 * voucher; paid in 10,00, paid out 7,25, drop 50,00, one cash refund of 2,00.
 * Expected cash = 100,00 + 12,50 + 10,00 - 7,25 - 50,00 - 2,00 = 63,25.
 * Counted 62,75: short by 0,50. */
static struct shift_figures paper_shift(void)
{
    struct shift_figures f;
    memset(&f, 0, sizeof f);
    f.opening_float = 10000;
    f.sales_count = 3;
    f.sales_total = 3750;
    f.cash = 1250;
    f.card = 2000;
    f.voucher = 500;
    f.paid_in = 1000;
    f.paid_out = 725;
    f.drops = 5000;
    f.refunds_count = 1;
    f.refunds_value = 200;
    f.ntaxes = 1;
    snprintf(f.taxes[0].code, sizeof f.taxes[0].code, "std");
    f.taxes[0].rate_ppm = 190000;
    f.taxes[0].gross = 3750;
    f.taxes[0].tax = 599;      /* 3750 * 19 / 119 = 598,7 -> 599 */
    f.taxes[0].net = 3151;
    return f;
}

static void test_expected_cash_and_short(void **state)
{
    struct shift_figures f = paper_shift();
    struct shift_report r;
    assert_int_equal(shift_report_compute(&f, 1, 6275, &r), 0);
    assert_int_equal(r.expected_cash, 6325);
    assert_int_equal(r.counted_cash, 6275);
    assert_int_equal(r.over_short, -50);
    /* over by 1,00 */
    assert_int_equal(shift_report_compute(&f, 1, 6425, &r), 0);
    assert_int_equal(r.over_short, 100);
    /* an X has no count */
    assert_int_equal(shift_report_compute(&f, 0, 0, &r), 0);
    assert_int_equal(r.expected_cash, 6325);
    assert_int_equal(r.over_short, 0);
    assert_false(r.counted);
    /* card and voucher never count as cash in the drawer */
    f.card = 999999;
    f.voucher = 77777;
    assert_int_equal(shift_report_compute(&f, 1, 6275, &r), 0);
    assert_int_equal(r.expected_cash, 6325);
}

static void test_overflow_is_an_error(void **state)
{
    struct shift_figures f = paper_shift();
    struct shift_report r;
    f.opening_float = INT64_MAX;
    assert_int_equal(shift_report_compute(&f, 0, 0, &r), MONEY_EOVERFLOW);
    f = paper_shift();
    f.paid_out = INT64_MIN + 5;
    assert_int_equal(shift_report_compute(&f, 0, 0, &r), MONEY_EOVERFLOW);
    f = paper_shift();
    assert_int_equal(shift_report_compute(&f, 1, INT64_MIN, &r), MONEY_EOVERFLOW);
}

static int has_line(const char *text, const char *label, const char *value)
{
    for (const char *l = text; l && *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)(n < 255 ? n : 255), l);
        if (strncmp(line, label, strlen(label)) == 0 && strstr(line, value))
            return 1;
        l = e ? e + 1 : NULL;
    }
    return 0;
}

static void test_layout(void **state)
{
    struct shift_figures f = paper_shift();
    struct shift_report r;
    struct money_format fmt;
    money_format_init(&fmt, "EUR", "eu");
    assert_int_equal(shift_report_compute(&f, 1, 6275, &r), 0);
    struct shift_report_head h = { .is_z = 1, .z_number = 7, .store = "Demo", .terminal = "T1", .shift_no = 3,
                                   .opened_at = "2026-11-25 08:00", .opened_by = "Max (9)",
                                   .closed_at = "2026-11-25 18:00", .closed_by = "Max (9)" };
    char *text = NULL;
    assert_int_equal(shift_report_render(&r, &h, &fmt, 42, &text), 0);
    assert_non_null(strstr(text, "Z REPORT  No. 7"));
    assert_true(has_line(text, "Sales", "37,50"));
    assert_true(has_line(text, "  Card", "20,00"));
    assert_true(has_line(text, "Tax std 19% gross", "37,50"));
    assert_true(has_line(text, "    tax", "5,99"));
    assert_true(has_line(text, "Cash refunds", "2,00"));
    assert_true(has_line(text, "Card/voucher refunds", "0,00"));
    assert_true(has_line(text, "Expected cash", "63,25"));
    assert_true(has_line(text, "Counted cash", "62,75"));
    assert_true(has_line(text, "SHORT", "-0,50"));
    assert_null(strstr(text, "OLD parked"));      /* none: no line */
    /* every line fits the paper */
    for (char *l = text; *l;) {
        char *e = strchr(l, '\n');
        int cols = 0;
        for (char *c = l; c < (e ? e : l + strlen(l)); c++)
            cols += ((unsigned char)*c & 0xC0) != 0x80;
        assert_true(cols <= 42);
        l = e ? e + 1 : l + strlen(l);
    }
    free(text);
    /* parked sales older than suspend.max_age_hours are flagged */
    f.parked_old = 2;
    assert_int_equal(shift_report_compute(&f, 1, 6275, &r), 0);
    assert_int_equal(shift_report_render(&r, &h, &fmt, 42, &text), 0);
    assert_true(has_line(text, "OLD parked sales: check", "2"));
    free(text);
}

/* The paper shift's card total is 20,00 less a card refund of 1,50: 18,50.  The terminal
 * says 19,50 in 3 payments (Visa 2 for 12,00, girocard 1 for 7,50): 1,00 more than the
 * till.  A terminal without end-of-day, or one that did not answer, says so and still
 * shows the till's figure; an X asks nothing and shows no such section. */
static void test_card_terminal_reconciliation(void **state)
{
    struct shift_figures f = paper_shift();
    f.other_refunds_count = 1;
    f.other_refunds_value = 150;
    f.card_refunds_value = 150;
    struct shift_report r;
    struct money_format fmt;
    money_format_init(&fmt, "EUR", "eu");
    struct shift_report_head h = { .is_z = 1, .z_number = 8, .store = "Demo", .terminal = "T1", .shift_no = 4 };
    assert_int_equal(shift_report_compute(&f, 1, 6275, &r), 0);
    struct shift_eod_result eod;
    memset(&eod, 0, sizeof eod);
    eod.state = SHIFT_EOD_OK;
    eod.terminal.result = PT_APPROVED;
    eod.terminal.has_total = 1;
    eod.terminal.total = 1950;
    eod.terminal.count = 3;
    eod.terminal.nlines = 2;
    snprintf(eod.terminal.lines[0].card, sizeof eod.terminal.lines[0].card, "Visa");
    eod.terminal.lines[0].count = 2;
    eod.terminal.lines[0].amount = 1200;
    snprintf(eod.terminal.lines[1].card, sizeof eod.terminal.lines[1].card, "girocard");
    eod.terminal.lines[1].count = 1;
    eod.terminal.lines[1].amount = 750;
    assert_int_equal(shift_report_reconcile(&r, &eod), 0);
    assert_int_equal(r.eod_difference, 100);
    char *text = NULL;
    assert_int_equal(shift_report_render(&r, &h, &fmt, 42, &text), 0);
    assert_true(has_line(text, "Card terminal end-of-day", ""));
    assert_true(has_line(text, "Till card total", "18,50"));
    assert_true(has_line(text, "Terminal total", "3  "));
    assert_true(has_line(text, "Terminal total", "19,50"));
    assert_true(has_line(text, "  Visa", "12,00"));
    assert_true(has_line(text, "  girocard", "7,50"));
    assert_true(has_line(text, "CARD DIFFERENCE", "+1,00"));
    free(text);
    /* the same totals as the till: no alarm */
    eod.terminal.total = 1850;
    assert_int_equal(shift_report_reconcile(&r, &eod), 0);
    assert_int_equal(r.eod_difference, 0);
    assert_int_equal(shift_report_render(&r, &h, &fmt, 42, &text), 0);
    assert_true(has_line(text, "Card difference", "0,00"));
    assert_null(strstr(text, "CARD DIFFERENCE"));
    free(text);
    static const struct { enum shift_eod state; const char *says; } others[] = {
        { SHIFT_EOD_UNSUPPORTED, "Card terminal has no end-of-day" },
        { SHIFT_EOD_NO_ANSWER, "Card terminal did not answer" },
        { SHIFT_EOD_FAILED, "Card terminal end-of-day failed" },
        { SHIFT_EOD_INTERRUPTED, "Card terminal end-of-day interrupted" },
    };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        memset(&eod, 0, sizeof eod);
        eod.state = others[i].state;
        snprintf(eod.terminal.message, sizeof eod.terminal.message, "Terminal refused the command");
        assert_int_equal(shift_report_reconcile(&r, &eod), 0);
        assert_int_equal(shift_report_render(&r, &h, &fmt, 42, &text), 0);
        assert_true(has_line(text, others[i].says, ""));
        assert_true(has_line(text, "Till card total", "18,50"));
        assert_null(strstr(text, "Terminal total"));
        assert_int_equal(strstr(text, "Terminal refused") != NULL, others[i].state == SHIFT_EOD_FAILED);
        free(text);
    }
    /* an X (nothing asked) has no terminal section */
    assert_int_equal(shift_report_compute(&f, 0, 0, &r), 0);
    assert_int_equal(shift_report_render(&r, &h, &fmt, 42, &text), 0);
    assert_null(strstr(text, "Card terminal"));
    assert_null(strstr(text, "Till card total"));
    free(text);
    /* names round-trip; an overflowing difference is an error */
    for (int i = 0; i < SHIFT_EOD_COUNT; i++) {
        enum shift_eod e;
        assert_int_equal(shift_eod_parse(shift_eod_name((enum shift_eod)i), &e), 0);
        assert_int_equal(e, i);
    }
    memset(&eod, 0, sizeof eod);
    eod.state = SHIFT_EOD_OK;
    eod.terminal.total = INT64_MIN + 1;
    assert_int_equal(shift_report_compute(&f, 1, 6275, &r), 0);
    assert_int_equal(shift_report_reconcile(&r, &eod), MONEY_EOVERFLOW);
}

struct fx {
    char dir[64], path[128];
    struct store *st;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/till-shift-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/till.db", f->dir);
    char err[256];
    assert_int_equal(store_open(f->path, &f->st, err, sizeof err), 0);
    struct tax_class std = { "std", "Standard", 190000 }, red = { "red", "Reduced", 70000 },
                     zero = { "zero", "Zero", 0 };
    catalog_upsert_tax_class(f->st, &std);
    catalog_upsert_tax_class(f->st, &red);
    catalog_upsert_tax_class(f->st, &zero);
    assert_int_equal(catalog_import_csv(f->st, demo_catalog_csv[0], err, sizeof err), 0);
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

/* Two milks (1,19 each), one voided line; paid with what tender says. */
static void sell(struct fx *f, const char *uuid, int64_t shift_id, enum tender_kind tender, int void_one)
{
    static const struct tax_config tc = { TAX_INCLUSIVE, TAX_ROUND_PER_TOTAL };
    struct cart c;
    struct sale s;
    struct product p;
    cart_init(&c, &tc);
    assert_int_equal(catalog_find_by_barcode(f->st, "4010433218190", &p), 0);
    cart_add_item(&c, &p, "4010433218190", 2 * QTY_ONE);
    if (void_one) {
        cart_add_item(&c, &p, "4010433218190", QTY_ONE);
        assert_int_equal(cart_void_line(&c, 1), 0);
    }
    memset(&s, 0, sizeof s);
    snprintf(s.uuid, sizeof s.uuid, "%s", uuid);
    snprintf(s.terminal_id, sizeof s.terminal_id, "T1");
    snprintf(s.cashier, sizeof s.cashier, "Alex");
    snprintf(s.staff_id, sizeof s.staff_id, "1");
    s.shift_id = shift_id;
    money_format_init(&s.fmt, "EUR", "eu");
    s.tax = tc;
    s.cart = &c;
    s.npayments = 1;
    s.payments[0] = (struct payment){ .tender = tender, .amount = c.totals.total, .tendered = c.totals.total };
    s.completed_at = 1795583883;
    char err[256];
    assert_int_equal(sales_commit(f->st, &s, NULL, NULL, err, sizeof err), 0);
    cart_free(&c);
}

/* A return of one milk (1,19 refunded, at the price paid) in tender, or (discount) a
 * sale of one milk at 10% off (1,07, discount 0,12) paid in cash. */
static void sell_other(struct fx *f, const char *uuid, int64_t shift_id, enum tender_kind tender, int discount)
{
    static const struct tax_config tc = { TAX_INCLUSIVE, TAX_ROUND_PER_TOTAL };
    struct cart c;
    struct sale s;
    struct product p;
    cart_init(&c, &tc);
    assert_int_equal(catalog_find_by_barcode(f->st, "4010433218190", &p), 0);
    if (discount) {
        cart_add_item(&c, &p, "4010433218190", QTY_ONE);
        struct discount_spec d = { .kind = DISCOUNT_PERCENT, .value = 1000, .reason = "damaged" };
        assert_int_equal(cart_set_line_discount(&c, 0, &d), 0);
    } else {
        assert_int_equal(cart_add_return(&c, &p, "4010433218190", QTY_ONE, 119, 119, "s1", 1, 1, "faulty"), 0);
    }
    memset(&s, 0, sizeof s);
    snprintf(s.uuid, sizeof s.uuid, "%s", uuid);
    snprintf(s.terminal_id, sizeof s.terminal_id, "T1");
    snprintf(s.cashier, sizeof s.cashier, "Alex");
    snprintf(s.staff_id, sizeof s.staff_id, "1");
    s.shift_id = shift_id;
    money_format_init(&s.fmt, "EUR", "eu");
    s.tax = tc;
    s.cart = &c;
    s.npayments = 1;
    s.payments[0] = (struct payment){ .tender = tender, .amount = c.totals.total, .tendered = c.totals.total };
    s.completed_at = 1795583883;
    char err[256];
    assert_int_equal(sales_commit(f->st, &s, NULL, NULL, err, sizeof err), 0);
    cart_free(&c);
}

static void move(struct fx *f, int64_t shift_id, const char *uuid, enum cash_kind k, int64_t amount)
{
    struct cash_movement m = { .shift_id = shift_id, .kind = k, .amount = amount, .at = 5 };
    snprintf(m.uuid, sizeof m.uuid, "%s", uuid);
    snprintf(m.staff_id, sizeof m.staff_id, "2");
    assert_int_equal(shifts_add_movement(f->st, &m), 0);
}

static void test_figures_from_the_database(void **state)
{
    struct fx *f = *state;
    struct shift sh, other;
    assert_int_equal(shifts_current(f->st, "T1", &sh), STORE_NOTFOUND);
    assert_int_equal(shifts_open(f->st, "T1", "shift-a", 100, "9", 10000, &sh), 0);
    assert_true(sh.open);
    /* one open shift per terminal */
    assert_int_not_equal(shifts_open(f->st, "T1", "shift-b", 101, "9", 0, &other), 0);
    sell(f, "s1", sh.id, TENDER_CASH, 0);
    sell(f, "s2", sh.id, TENDER_CARD, 1);
    sell(f, "s3", 0, TENDER_CASH, 0);           /* a sale of no shift counts nowhere */
    move(f, sh.id, "m1", CASH_PAID_IN, 1000);
    move(f, sh.id, "m2", CASH_PAID_OUT, 725);
    move(f, sh.id, "m3", CASH_DROP, 5000);
    move(f, sh.id, "m4", CASH_NO_SALE, 0);
    move(f, sh.id, "m5", CASH_NO_SALE, 0);
    assert_int_equal(shifts_count_cancel(f->st, sh.id, 357), 0);
    assert_int_equal(shifts_current(f->st, "T1", &sh), 0);

    struct shift_figures fig;
    memset(&fig, 0, sizeof fig);
    assert_int_equal(sales_shift_figures(f->st, sh.id, &fig), 0);
    assert_int_equal(shifts_figures(f->st, &sh, &fig), 0);
    assert_int_equal(fig.sales_count, 2);
    assert_int_equal(fig.sales_total, 476);      /* 2 x 2 x 1,19 */
    assert_int_equal(fig.cash, 238);
    assert_int_equal(fig.card, 238);
    assert_int_equal(fig.voids_count, 1);
    assert_int_equal(fig.voids_value, 119);
    assert_int_equal(fig.ntaxes, 1);
    assert_string_equal(fig.taxes[0].code, "red");
    assert_int_equal(fig.taxes[0].gross, 476);
    assert_int_equal(fig.taxes[0].net + fig.taxes[0].tax, 476);
    assert_int_equal(fig.paid_in, 1000);
    assert_int_equal(fig.paid_out, 725);
    assert_int_equal(fig.drops, 5000);
    assert_int_equal(fig.no_sales, 2);
    assert_int_equal(fig.cancels_count, 1);
    assert_int_equal(fig.cancels_value, 357);
    assert_int_equal(fig.opening_float, 10000);
    struct shift_report r;
    assert_int_equal(shift_report_compute(&fig, 1, 5000, &r), 0);
    assert_int_equal(r.expected_cash, 10000 + 238 + 1000 - 725 - 5000);
    assert_int_equal(r.over_short, 5000 - 5513);
    assert_int_equal(fig.discounts, 0);
    assert_int_equal(fig.refunds_count, 0);

    /* returns are sales with negative totals, refunds negative payments: counted apart,
     * a cash refund out of the drawer, a card refund not; a discount is in Discounts */
    sell_other(f, "r1", sh.id, TENDER_CASH, 0);
    sell_other(f, "r2", sh.id, TENDER_CARD, 0);
    sell_other(f, "d1", sh.id, TENDER_CASH, 1);
    memset(&fig, 0, sizeof fig);
    assert_int_equal(sales_shift_figures(f->st, sh.id, &fig), 0);
    assert_int_equal(shifts_figures(f->st, &sh, &fig), 0);
    assert_int_equal(fig.sales_count, 3);
    assert_int_equal(fig.sales_total, 476 + 107);
    assert_int_equal(fig.cash, 238 + 107);
    assert_int_equal(fig.card, 238);
    assert_int_equal(fig.refunds_count, 1);
    assert_int_equal(fig.refunds_value, 119);
    assert_int_equal(fig.other_refunds_count, 1);
    assert_int_equal(fig.other_refunds_value, 119);
    assert_int_equal(fig.discounts, 12);
    /* the tax classes still add up to everything taken less everything refunded */
    assert_int_equal(fig.taxes[0].gross, 476 + 107 - 119 - 119);
    assert_int_equal(shift_report_compute(&fig, 1, 5000, &r), 0);
    assert_int_equal(r.expected_cash, 10000 + 238 + 107 - 119 + 1000 - 725 - 5000);

    /* the Z: number, close and its document in one transaction */
    int64_t z;
    assert_int_equal(store_begin(f->st, STORE_TX_PLAIN), 0);
    assert_int_equal(shifts_take_z_number(f->st, &z), 0);
    assert_int_equal(z, 1);
    assert_int_equal(shifts_close(f->st, sh.id, z, 200, "9", 5000, "report"), 0);
    sh.z_number = z;
    sh.closed_at = 200;
    assert_int_equal(shift_doc_enqueue_shift(f->st, &sh, &r, "EUR"), 0);
    assert_int_equal(store_commit(f->st), 0);
    assert_int_equal(shifts_current(f->st, "T1", &sh), STORE_NOTFOUND);
    /* closing twice does nothing */
    assert_int_equal(shifts_close(f->st, 1, 9, 200, "9", 0, "again"), STORE_NOTFOUND);

    /* a Z whose transaction never commits (a crash) leaves its number unused */
    assert_int_equal(shifts_open(f->st, "T1", "shift-c", 300, "9", 0, &sh), 0);
    assert_int_equal(store_begin(f->st, STORE_TX_PLAIN), 0);
    assert_int_equal(shifts_take_z_number(f->st, &z), 0);
    assert_int_equal(z, 2);
    store_rollback(f->st);
    assert_int_equal(store_begin(f->st, STORE_TX_PLAIN), 0);
    assert_int_equal(shifts_take_z_number(f->st, &z), 0);
    assert_int_equal(z, 2);
    assert_int_equal(shifts_close(f->st, sh.id, z, 400, "9", 0, "z2"), 0);
    assert_int_equal(store_commit(f->st), 0);
    /* even with the counter lost, the next number is above every stored one */
    assert_int_equal(store_meta_set(f->st, "z_counter", "0"), 0);
    assert_int_equal(shifts_take_z_number(f->st, &z), 0);
    assert_int_equal(z, 3);
    char *text = NULL;
    assert_int_equal(shifts_by_z(f->st, 2, &other, &text), 0);
    assert_string_equal(text, "z2");
    assert_false(other.open);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expected_cash_and_short),
        cmocka_unit_test(test_overflow_is_an_error),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_card_terminal_reconciliation),
        cmocka_unit_test_setup_teardown(test_figures_from_the_database, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
