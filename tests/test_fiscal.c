/* The fiscal controller (app/fiscal.c) on its own: the real simulated TSE, the real loop and
 * a real SQLite store in a temp directory, no screen.  A sale's transaction starts from the
 * loop after its first item and finishes at payment with its record landing in the sale's
 * own transaction; a crash between the finish and that commit gets the same signature again,
 * never a second one; a failing TSE never stops the sale and opens an outage that the next
 * good answer ends; start-up recovery aborts what a crash left open, once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/fiscal.h"
#include "core/cart.h"
#include "src/config.h"
#include "src/fiscal_records.h"
#include "src/loop.h"
#include "src/store.h"
#include "tests/tse_verify.c"

struct fx {
    char dir[64], db[128], ctl[128];
    struct store *st;
    struct config *cfg;
    struct loop *loop;
    struct fiscal f;
    struct cart cart;
    struct sale sale;
    int changed;
};

static void on_changed(void *ctx)
{
    ((struct fx *)ctx)->changed++;
}

static void open_fiscal(struct fx *x)
{
    char err[256];
    struct fiscal_setup s = { x->loop, x->st, x->cfg, "T1" };
    struct fiscal_events ev = { on_changed, x };
    int rc = fiscal_open(&x->f, &s, &ev, err, sizeof err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
}

static void control(struct fx *x, const char *word)
{
    FILE *c = fopen(x->ctl, "w");
    assert_non_null(c);
    fputs(word, c);
    fclose(c);
}

static int setup(void **state)
{
    struct fx *x = calloc(1, sizeof *x);
    snprintf(x->dir, sizeof x->dir, "/tmp/till-fiscal-XXXXXX");
    assert_non_null(mkdtemp(x->dir));
    snprintf(x->db, sizeof x->db, "%s/till.db", x->dir);
    snprintf(x->ctl, sizeof x->ctl, "%s/control", x->dir);
    char err[256];
    assert_int_equal(store_open(x->db, &x->st, err, sizeof err), 0);
    x->cfg = config_new();
    config_set(x->cfg, "fiscal.country", "DE");
    config_set(x->cfg, "fiscal.till_serial", "KASSE-01");
    config_set(x->cfg, "paths.database", x->db);
    config_set(x->cfg, "fiscal.sim_control", x->ctl);
    x->loop = loop_new();
    open_fiscal(x);
    struct tax_config tax = { TAX_INCLUSIVE, TAX_ROUND_PER_TOTAL };
    cart_init(&x->cart, &tax);
    struct product p;
    memset(&p, 0, sizeof p);
    snprintf(p.sku, sizeof p.sku, "SKU1");
    snprintf(p.name, sizeof p.name, "Juice");
    snprintf(p.tax_class, sizeof p.tax_class, "std");
    p.price = 199;
    p.tax_rate_ppm = 190000;
    p.active = 1;
    assert_int_equal(cart_add_item(&x->cart, &p, "4031509839309", 2000), 0);
    snprintf(x->sale.uuid, sizeof x->sale.uuid, "sale-1");
    x->sale.cart = &x->cart;
    x->sale.npayments = 2;
    x->sale.payments[0].tender = TENDER_CASH;
    x->sale.payments[0].amount = 300;
    x->sale.payments[1].tender = TENDER_CARD;
    x->sale.payments[1].amount = 98;
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    struct fx *x = *state;
    fiscal_close(&x->f);
    cart_free(&x->cart);
    loop_free(x->loop);
    config_free(x->cfg);
    store_close(x->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", x->dir);
    assert_int_equal(system(cmd), 0);
    free(x);
    return 0;
}

static void run_loop(struct fx *x)
{
    for (int i = 0; i < 100 && x->f.begin_timer; i++)
        loop_run_once(x->loop, 10);
    assert_true(x->f.begin_timer == 0);
}

static struct fiscal_record rec(struct fx *x, const char *id)
{
    struct fiscal_record r;
    memset(&r, 0, sizeof r);
    assert_int_equal(fiscal_rec_get(x->st, id, &r), STORE_OK);
    return r;
}

/* The sale's commit, as sales_commit runs its in_tx. */
static void commit(struct fx *x, int64_t receipt_no)
{
    x->sale.receipt_no = receipt_no;
    assert_int_equal(store_begin(x->st, STORE_TX_SALE), STORE_OK);
    assert_int_equal(fiscal_sale_committed(&x->f, &x->sale), STORE_OK);
    assert_int_equal(store_commit(x->st), STORE_OK);
}

static void test_a_sale_from_first_item_to_commit(void **state)
{
    struct fx *x = *state;
    fiscal_sale_begin(&x->f, "sale-1");
    assert_int_equal(fiscal_rec_get(x->st, "sale-1", &(struct fiscal_record){ 0 }), STORE_NOTFOUND);
    run_loop(x);                                     /* after the scan is drawn */
    assert_string_equal(rec(x, "sale-1").state, "started");
    struct fiscal_receipt r;
    fiscal_sale_finish(&x->f, &x->sale, &r);
    assert_int_equal(r.state, FISCAL_SIGNED);
    assert_non_null(strstr(r.text, "Kassen-Seriennummer: KASSE-01"));
    assert_non_null(strstr(r.text, "TSE-Signatur: "));
    char why[96];
    assert_int_equal(tse_verify_qr(r.qr, why, sizeof why), 0);
    assert_non_null(strstr(r.qr, ";Beleg^3.98_0.00_0.00_0.00_0.00^3.00:Bar_0.98:Unbar;"));
    assert_string_equal(rec(x, "sale-1").state, "started");   /* written with the sale */
    commit(x, 7);
    struct fiscal_record done = rec(x, "sale-1");
    assert_string_equal(done.state, "finished");
    assert_true(done.receipt_no == 7 && done.vat[0] == 398 && done.cash == 300 && done.noncash == 98);
    /* the same sale finished again (its commit retried): the same fields */
    struct fiscal_receipt again;
    fiscal_sale_finish(&x->f, &x->sale, &again);
    assert_string_equal(again.qr, r.qr);
}

/* Killed after the TSE finished and before the sale's commit: the restarted till finishes
 * the restored sale again and gets the same signature, not a second one. */
static void test_a_crash_between_finish_and_commit_signs_once(void **state)
{
    struct fx *x = *state;
    fiscal_sale_begin(&x->f, "sale-1");
    run_loop(x);
    struct fiscal_receipt first;
    fiscal_sale_finish(&x->f, &x->sale, &first);
    assert_int_equal(first.state, FISCAL_SIGNED);
    fiscal_close(&x->f);                             /* the crash: nothing committed */
    open_fiscal(x);
    assert_int_equal(fiscal_recover(&x->f, "sale-1"), 0);   /* the restored sale goes on */
    struct fiscal_receipt second;
    fiscal_sale_finish(&x->f, &x->sale, &second);
    assert_int_equal(second.state, FISCAL_SIGNED);
    assert_string_equal(second.qr, first.qr);
    commit(x, 1);
    struct fiscal_record done = rec(x, "sale-1");
    assert_string_equal(done.state, "finished");
    /* a start and one finish: counter 2 */
    assert_true(done.sig_counter == 2);
}

static void test_a_failing_tse_never_stops_the_sale(void **state)
{
    struct fx *x = *state;
    control(x, "fail");
    fiscal_sale_begin(&x->f, "sale-1");
    run_loop(x);
    struct fiscal_receipt r;
    fiscal_sale_finish(&x->f, &x->sale, &r);
    assert_int_equal(r.state, FISCAL_FAILED);
    assert_non_null(strstr(r.text, "TSE ausgefallen"));
    assert_string_equal(r.qr, "");
    assert_false(x->f.tse_ok);
    assert_true(x->changed > 0);
    assert_int_equal(fiscal_outage_open(x->st), 1);
    commit(x, 1);
    struct fiscal_record failed = rec(x, "sale-1");
    assert_string_equal(failed.state, "failed");
    assert_string_equal(failed.error, "TSE unreachable");
    assert_true(failed.vat[0] == 398);
    /* the TSE is back: the next transaction is signed and the outage ends */
    control(x, "ok");
    fiscal_event(&x->f, "paid_in", 2000, 1, NULL);
    assert_true(x->f.tse_ok);
    assert_int_equal(fiscal_outage_open(x->st), 0);
    int64_t outages = 0;
    assert_int_equal(fiscal_outage_count(x->st, 0, INT64_MAX, &outages), STORE_OK);
    assert_true(outages == 1);
}

static void test_recovery_aborts_once(void **state)
{
    struct fx *x = *state;
    fiscal_sale_begin(&x->f, "lost-1");
    run_loop(x);
    fiscal_close(&x->f);
    open_fiscal(x);
    assert_int_equal(fiscal_recover(&x->f, NULL), 1);
    struct fiscal_record r = rec(x, "lost-1");
    assert_string_equal(r.state, "aborted");
    assert_string_equal(r.process_data, "AVBelegabbruch^0.00_0.00_0.00_0.00_0.00^");
    fiscal_close(&x->f);
    open_fiscal(x);
    assert_int_equal(fiscal_recover(&x->f, NULL), 0);
    assert_true(rec(x, "lost-1").sig_counter == r.sig_counter);
}

static void test_cancel_and_events(void **state)
{
    struct fx *x = *state;
    fiscal_sale_begin(&x->f, "sale-1");
    fiscal_sale_abort(&x->f, "sale-1");              /* before the loop ran: started, then aborted */
    struct fiscal_record r = rec(x, "sale-1");
    assert_string_equal(r.state, "aborted");
    assert_string_equal(r.kind, "cancel");
    struct fiscal_receipt z;
    fiscal_event(&x->f, "z", 3, 1, &z);
    assert_int_equal(z.state, FISCAL_SIGNED);
    assert_non_null(strstr(z.qr, ";SonstigerVorgang;Kassenabschluss^3;"));
    char why[96];
    assert_int_equal(tse_verify_qr(z.qr, why, sizeof why), 0);
}

static void test_off_without_country(void **state)
{
    struct fx *x = *state;
    fiscal_close(&x->f);
    struct config *plain = config_new();
    struct fiscal f;
    char err[128];
    struct fiscal_setup s = { x->loop, x->st, plain, "T1" };
    assert_int_equal(fiscal_open(&f, &s, NULL, err, sizeof err), 0);
    assert_false(f.enabled);
    fiscal_sale_begin(&f, "sale-1");
    struct fiscal_receipt r;
    fiscal_sale_finish(&f, &x->sale, &r);
    assert_int_equal(r.state, 0);
    assert_int_equal(fiscal_rec_get(x->st, "sale-1", &(struct fiscal_record){ 0 }), STORE_NOTFOUND);
    config_set(plain, "fiscal.country", "AT");
    assert_int_equal(fiscal_open(&f, &s, NULL, err, sizeof err), -1);
    config_free(plain);
    open_fiscal(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_sale_from_first_item_to_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_crash_between_finish_and_commit_signs_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_failing_tse_never_stops_the_sale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recovery_aborts_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_and_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_off_without_country, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
