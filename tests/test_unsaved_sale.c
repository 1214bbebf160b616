/* A paid sale whose save fails stays on screen, not saved yet, and is saved (once) when the
 * cause goes away: the real app on a real database in a temp directory, the real loop and
 * timers, no screen.  Disk full is SQLite's own SQLITE_FULL (the database capped at its
 * size), a busy database another connection's write lock, and a failure at a given step
 * the store's fault injection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "src/config.h"
#include "src/loop.h"
#include "src/store.h"

struct fx {
    char dir[64];
    char db[128];
    char spool[128];
    struct config *cfg;
    struct loop *loop;
    struct app app;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/till-unsaved-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/till.db", f->dir);
    snprintf(f->spool, sizeof f->spool, "%s/spool", f->dir);
    char err[512], dev[160];
    f->cfg = config_new();
    assert_int_equal(config_parse(f->cfg, config_demo_defaults, "demo", err, sizeof err), 0);
    snprintf(dev, sizeof dev, "%s/sim.dev", f->dir);
    assert_int_equal(config_set(f->cfg, "paths.database", f->db), 0);
    assert_int_equal(config_set(f->cfg, "paths.spool", f->spool), 0);
    assert_int_equal(config_set(f->cfg, "payment.sim.device_file", dev), 0);
    assert_int_equal(config_set(f->cfg, "payment.sim.latency_ms", "10"), 0);
    f->loop = loop_new();
    if (app_init(&f->app, f->cfg, f->loop, err, sizeof err))
        fail_msg("app_init: %s", err);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    app_free(&f->app);
    loop_free(f->loop);
    config_free(f->cfg);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* What any other reader of the file sees. */
static int64_t query(struct fx *f, const char *sql, const char *arg)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    if (arg)
        sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

/* One item, paid in exact cash. */
static void sell_milk(struct fx *f)
{
    assert_int_equal(app_submit_input(&f->app, "4010433218190"), 0);
    app_open_mode(&f->app, MODE_PAY);
    assert_int_equal(f->app.mode, MODE_PAY);
    app_pay_cash(&f->app, "");
}

/* Runs the loop until the app is in mode (or the deadline passes). */
static int run_until_mode(struct fx *f, enum app_mode mode, int64_t max_ms)
{
    int64_t end = loop_now_ms(f->loop) + max_ms;
    while (f->app.mode != mode && loop_now_ms(f->loop) < end)
        loop_run_once(f->loop, 50);
    return f->app.mode == mode;
}

static void run_for(struct fx *f, int64_t ms)
{
    int64_t end = loop_now_ms(f->loop) + ms;
    while (loop_now_ms(f->loop) < end)
        loop_run_once(f->loop, 50);
}

static int spooled_receipts_of(struct fx *f, const char *uuid)
{
    DIR *d = opendir(f->spool);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strstr(e->d_name, uuid) != NULL;
    closedir(d);
    return n;
}

/* Disk full while paying: the sale waits, not saved, through automatic and manual attempts;
 * quitting is refused; once space is freed the next automatic attempt saves it, once, with
 * its order and its receipt. */
static void test_disk_full_then_space_freed(void **state)
{
    struct fx *f = *state;
    assert_int_equal(store_simulate_disk_full(f->app.store), 0);
    int sold = 0;
    for (int i = 0; i < 3000 && f->app.mode != MODE_UNSAVED; i++) {
        sell_milk(f);
        if (f->app.mode == MODE_RECEIPT) {
            sold++;
            app_next_sale(&f->app);
        }
    }
    assert_int_equal(f->app.mode, MODE_UNSAVED);
    assert_non_null(strstr(f->app.unsaved.error, "disk full"));
    char uuid[40];
    snprintf(uuid, sizeof uuid, "%s", f->app.sale.uuid);
    assert_int_equal(query(f, "SELECT count(*) FROM sales", NULL), sold);

    /* still full: the automatic attempts fail and change nothing (waits for the second,
     * due after 0.5 s, with a deadline a loaded machine cannot miss) */
    int64_t end = loop_now_ms(f->loop) + 15000;
    while (f->app.unsaved.attempts < 2 && loop_now_ms(f->loop) < end)
        loop_run_once(f->loop, 50);
    assert_int_equal(f->app.mode, MODE_UNSAVED);
    assert_true(f->app.unsaved.attempts >= 2);
    int before = f->app.unsaved.attempts;
    assert_int_not_equal(app_unsaved_retry(&f->app), 0);
    assert_int_equal(f->app.unsaved.attempts, before + 1);
    assert_int_equal(app_request_quit(&f->app), 0);
    assert_int_equal(f->app.mode, MODE_UNSAVED);
    assert_int_equal(app_scan(&f->app, "4010433218190"), -1);
    assert_int_equal(query(f, "SELECT count(*) FROM sales", NULL), sold);

    assert_int_equal(store_simulate_disk_freed(f->app.store), 0);
    assert_true(run_until_mode(f, MODE_RECEIPT, 15000));
    assert_string_equal(f->app.sale.uuid, uuid);
    assert_int_equal(f->app.unsaved.active, 0);
    assert_int_equal(query(f, "SELECT count(*) FROM sales", NULL), sold + 1);
    assert_int_equal(query(f, "SELECT count(*) FROM sales WHERE uuid = ?1", uuid), 1);
    char key[64];
    snprintf(key, sizeof key, "T1:%s", uuid);
    assert_int_equal(query(f, "SELECT count(*) FROM outbox WHERE idempotency_key = ?1", key), 1);
    assert_int_equal(spooled_receipts_of(f, uuid), 1);
    assert_int_equal(query(f, "SELECT receipt_spooled FROM sales WHERE uuid = ?1", uuid), 1);
}

/* Another connection holds the write lock: busy, retried, saved once the lock is gone. */
static void test_database_busy_then_released(void **state)
{
    struct fx *f = *state;
    sqlite3 *other;
    assert_int_equal(sqlite3_open(f->db, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    sell_milk(f);
    assert_int_equal(f->app.mode, MODE_UNSAVED);
    assert_non_null(strstr(f->app.unsaved.error, "busy"));
    assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    assert_true(run_until_mode(f, MODE_RECEIPT, 15000));
    assert_int_equal(query(f, "SELECT count(*) FROM sales", NULL), 1);
}

/* A save that keeps failing can be cancelled only by handing back the tenders: the
 * cashier is told what, the audit log keeps it, nothing is saved. */
static void test_cancel_hands_back_the_tenders(void **state)
{
    struct fx *f = *state;
    store_fail_commit_step(f->app.store, 3);
    assert_int_equal(app_submit_input(&f->app, "4010433218190"), 0);
    app_open_mode(&f->app, MODE_PAY);
    app_pay_voucher(&f->app, "0,50");
    app_pay_cash(&f->app, "20");
    assert_int_equal(f->app.mode, MODE_UNSAVED);
    char back[300];
    app_unsaved_handback_text(&f->app, back, sizeof back);
    assert_non_null(strstr(back, "20,00"));
    assert_non_null(strstr(back, "cash"));
    assert_non_null(strstr(back, "0,50"));
    assert_non_null(strstr(back, "voucher"));
    app_unsaved_ask_cancel(&f->app, 1);
    assert_int_equal(f->app.unsaved.confirm_cancel, 1);
    app_unsaved_ask_cancel(&f->app, 0);    /* n: keep trying */
    assert_int_equal(f->app.mode, MODE_UNSAVED);
    app_unsaved_ask_cancel(&f->app, 1);
    assert_int_equal(app_unsaved_cancel(&f->app), 0);
    assert_int_equal(f->app.mode, MODE_SALE);
    assert_int_equal(f->app.unsaved.active, 0);
    assert_true(cart_is_empty(&f->app.sale.cart));
    store_fail_commit_step(f->app.store, 0);
    run_for(f, 800);   /* no retry is left behind */
    assert_int_equal(f->app.mode, MODE_SALE);
    assert_int_equal(query(f, "SELECT count(*) FROM sales", NULL), 0);
    assert_int_equal(query(f, "SELECT count(*) FROM audit_log WHERE event = 'sale_cancelled_unsaved'"
                              " AND detail LIKE '%20,00%cash%'", NULL), 1);
}

/* A card sale that cannot be saved: cancelling reverses the card before the sale goes. */
static void test_unsaved_card_sale_cancel_reverses(void **state)
{
    struct fx *f = *state;
    store_fail_commit_step(f->app.store, 2);
    assert_int_equal(app_submit_input(&f->app, "4010433218190"), 0);
    app_open_mode(&f->app, MODE_PAY);
    assert_int_equal(app_pay_card(&f->app, ""), 0);
    assert_true(run_until_mode(f, MODE_UNSAVED, 10000));
    app_unsaved_handback_text(&f->app, (char[300]){ 0 }, 300);
    assert_int_equal(app_unsaved_cancel(&f->app), 0);
    assert_true(run_until_mode(f, MODE_SALE, 10000));
    assert_int_equal(query(f, "SELECT count(*) FROM payment_intents WHERE state = 'reversed'", NULL), 1);
    assert_int_equal(query(f, "SELECT count(*) FROM sales", NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_disk_full_then_space_freed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_database_busy_then_released, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_hands_back_the_tenders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsaved_card_sale_cancel_reverses, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
