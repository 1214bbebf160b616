/* Commands and their one door (app/commands.c), headless: the real app on a real database
 * in a temp directory, the demo's staff (cashier 1, manager 9) and its open shift, no
 * screen.  Every permission belongs to the manager only, so the cashier lacks each one:
 * for every command in the table that needs a permission, each door that reaches it (the
 * key's API, the manager menu's, the quit path, a scan, the CLI's app_command) asks for
 * an approver instead of doing it, and once the manager approves, the audit log names the
 * cashier and the approver. */
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

#include "app/app.h"
#include "app/app_print.h"
#include "app/authorize.h"
#include "app/commands.h"
#include "src/sync_rejects.h"
#include "src/config.h"
#include "src/loop.h"

#define MILK "4010433218190"

struct fx {
    char dir[64];
    char db[128];
    struct config *cfg;
    struct loop *loop;
    struct app app;
};

static struct fx *open_app(const char *manager_only)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/till-commands-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/till.db", f->dir);
    char err[512], path[160];
    f->cfg = config_new();
    assert_int_equal(config_parse(f->cfg, config_demo_defaults, "demo", err, sizeof err), 0);
    assert_int_equal(config_set(f->cfg, "paths.database", f->db), 0);
    snprintf(path, sizeof path, "%s/spool", f->dir);
    assert_int_equal(config_set(f->cfg, "paths.spool", path), 0);
    snprintf(path, sizeof path, "%s/sim.dev", f->dir);
    assert_int_equal(config_set(f->cfg, "payment.sim.device_file", path), 0);
    assert_int_equal(config_set(f->cfg, "staff.demo", "yes"), 0);
    /* the cashier holds no permission at all */
    for (int p = 0; manager_only && p < PERM_COUNT; p++) {
        char key[64];
        snprintf(key, sizeof key, "permissions.%s", perm_name((enum perm)p));
        assert_int_equal(config_set(f->cfg, key, manager_only), 0);
    }
    f->loop = loop_new();
    if (app_init(&f->app, f->cfg, f->loop, err, sizeof err))
        fail_msg("app_init: %s", err);
    return f;
}

static void close_app(struct fx *f)
{
    app_free(&f->app);
    loop_free(f->loop);
    config_free(f->cfg);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
}

static int64_t query(struct fx *f, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

/* Audit rows of event in the cashier's name that name approver 9. */
static int64_t approved_rows(struct fx *f, const char *event)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit_log WHERE event = '%s' AND cashier = '1' AND detail LIKE '%%approved by 9%%'",
             event);
    return query(f, sql);
}

static void sign_on(struct app *app, const char *id, const char *pin)
{
    assert_int_equal(app->mode, MODE_SIGNON);
    assert_int_equal(app_signon_submit(app, id), 0);
    assert_int_equal(app_signon_submit(app, pin), 0);
    assert_int_equal(app->staff.signed_on, 1);
    assert_string_equal(app->staff.who.id, id);
}

static void manager_approves(struct app *app)
{
    assert_int_equal(app->mode, MODE_APPROVAL);
    assert_int_equal(app_approval_submit(app, "9"), 0);
    assert_int_equal(app_approval_submit(app, "9999"), 0);
}

static void nobody_approves(struct app *app)
{
    assert_int_equal(app->mode, MODE_APPROVAL);
    app_approval_back(app);
    assert_int_not_equal(app->mode, MODE_APPROVAL);
}

static void scan_milk(struct app *app)
{
    assert_int_equal(app_scan(app, MILK), 0);
    assert_int_equal(app->sale->cart.nlines > 0, 1);
}

/* ------------------------------------------- one setup per guarded command --- */

/* Each: the door(s) a person uses, the approval asked, nothing done; then approved, done,
 * and audited in the cashier's name with the approver. */

static void doors_void_line(struct fx *f)
{
    struct app *app = &f->app;
    scan_milk(app);
    app_open_mode(app, MODE_PAY);          /* subtotal: the void now needs permission */
    assert_int_equal(app->mode, MODE_PAY);
    app_close_dialog(app);
    app_select_line(app, -1);
    assert_int_equal(app_void_selected(app), 0);   /* F3 */
    assert_int_equal(app->sale->cart.lines[0].voided, 0);
    assert_non_null(strstr(app->approval.what, "void Whole Milk 1L after subtotal"));
    manager_approves(app);
    assert_int_equal(app->sale->cart.lines[0].voided, 1);
    assert_int_equal(approved_rows(f, "line_void"), 1);
}

static void doors_cancel_sale(struct fx *f)
{
    struct app *app = &f->app;
    scan_milk(app);
    app_open_mode(app, MODE_CONFIRM_CANCEL);   /* F8 */
    assert_int_equal(app->mode, MODE_APPROVAL);
    nobody_approves(app);
    assert_int_equal(app->mode, MODE_SALE);
    /* the same through the quit path: F10, then y */
    assert_int_equal(app_request_quit(app), 0);
    assert_int_equal(app->mode, MODE_CONFIRM_QUIT);
    app_command_yes(app);
    assert_int_equal(app->mode, MODE_APPROVAL);
    assert_int_equal(app->quit, 0);
    assert_int_equal(app->sale->cart.nlines, 1);
    nobody_approves(app);
    assert_int_equal(app->sale->cart.nlines, 1);
    assert_int_equal(query(f, "SELECT count(*) FROM audit_log WHERE event = 'sale_cancelled'"), 0);
    /* F8 approved: then the question, then the cancel */
    app_open_mode(app, MODE_CONFIRM_CANCEL);
    manager_approves(app);
    assert_int_equal(app->mode, MODE_CONFIRM_CANCEL);
    app_command_yes(app);
    assert_int_equal(app->sale->cart.nlines, 0);
    assert_int_equal(approved_rows(f, "sale_cancelled"), 1);
}

static void doors_quit_cancel_sale(struct fx *f)
{
    struct app *app = &f->app;
    scan_milk(app);
    assert_int_equal(app_request_quit(app), 0);
    assert_int_equal(app->mode, MODE_CONFIRM_QUIT);
    app_command_yes(app);
    manager_approves(app);
    assert_int_equal(app->quit, 1);
    assert_int_equal(approved_rows(f, "sale_cancelled"), 1);
}

static void doors_price_override(struct fx *f)
{
    struct app *app = &f->app;
    scan_milk(app);
    app_select_line(app, -1);
    assert_int_equal(app_command(app, "price", NULL, DOOR_KEY), 0);   /* Ctrl-O */
    assert_int_equal(app->mode, MODE_PRICE);
    assert_int_equal(app_price_submit(app, "0,50"), 0);
    assert_int_equal(app->mode, MODE_APPROVAL);
    assert_int_not_equal(app->sale->cart.lines[0].unit_price, 50);
    manager_approves(app);
    assert_int_equal(app->sale->cart.lines[0].unit_price, 50);
    assert_int_equal(approved_rows(f, "price_override"), 1);
}

static void doors_discount_over_limit(struct fx *f)
{
    struct app *app = &f->app;
    scan_milk(app);
    app_override_request(app, OVERRIDE_SALE_DISCOUNT, "50% off the sale");
    assert_int_equal(app->mode, MODE_APPROVAL);
    assert_string_equal(app->approval.what, "50% off the sale");
    nobody_approves(app);
    assert_int_equal(app->mode, MODE_SALE);
}

static void doors_return_no_receipt(struct fx *f)
{
    struct app *app = &f->app;
    app_override_request(app, OVERRIDE_NO_RECEIPT, "return without a receipt");
    assert_int_equal(app->mode, MODE_APPROVAL);
    manager_approves(app);
    assert_int_equal(approved_rows(f, "override"), 2);   /* the approval and the action */
}

static void doors_refund_cash(struct fx *f)
{
    struct app *app = &f->app;
    app_override_request(app, OVERRIDE_CASH_REFUND, "cash back for a card sale");
    assert_int_equal(app->mode, MODE_APPROVAL);
    nobody_approves(app);
}

static void doors_stock_count(struct fx *f)
{
    struct app *app = &f->app;
    assert_int_equal(app_count_enter(app), 0);     /* F9 without staff, C in the menu */
    assert_int_equal(app->mode, MODE_APPROVAL);
    manager_approves(app);
    assert_int_equal(app->mode, MODE_COUNT_START);
    assert_int_equal(approved_rows(f, "override"), 1);
}

static void doors_count_submit(struct fx *f)
{
    struct app *app = &f->app;
    assert_int_equal(app_count_submit(app), 0);
    assert_int_equal(app->mode, MODE_APPROVAL);
    nobody_approves(app);
}

static void doors_no_sale(struct fx *f)
{
    struct app *app = &f->app;
    assert_int_equal(app_no_sale(app), 0);         /* F7 */
    assert_int_equal(app->mode, MODE_APPROVAL);
    manager_approves(app);
    assert_int_equal(approved_rows(f, "no_sale"), 1);
}

static void cash_door(struct fx *f, enum cash_kind kind, const char *event)
{
    struct app *app = &f->app;
    app_start_cash(app, kind);                     /* the manager menu's I, O, D */
    assert_int_equal(app->mode, MODE_APPROVAL);
    manager_approves(app);
    assert_int_equal(app->mode, MODE_CASH);
    assert_int_equal(app_cash_submit(app, "5"), 0);
    assert_int_equal(app_cash_submit(app, "window cleaner"), 0);
    assert_int_equal(approved_rows(f, event), 1);
}

static void doors_paid_in(struct fx *f) { cash_door(f, CASH_PAID_IN, "paid_in"); }
static void doors_paid_out(struct fx *f) { cash_door(f, CASH_PAID_OUT, "paid_out"); }
static void doors_drop(struct fx *f) { cash_door(f, CASH_DROP, "drop"); }

static void doors_x_report(struct fx *f)
{
    struct app *app = &f->app;
    assert_int_equal(app_x_report(app), 0);
    assert_int_equal(app->mode, MODE_APPROVAL);
    manager_approves(app);
    assert_int_equal(app->mode, MODE_REPORT);
    assert_int_equal(approved_rows(f, "x_report"), 1);
}

static void doors_z_report(struct fx *f)
{
    struct app *app = &f->app;
    app_start_z(app);
    assert_int_equal(app->mode, MODE_APPROVAL);
    manager_approves(app);
    assert_int_equal(app->mode, MODE_Z_COUNT);
    assert_string_equal(app->shift.approved_by, "9");
}

/* Paid but not saved (disk full): handing the tenders back cancels the sale, so it needs
 * the cancel permission too. */
static void doors_cancel_unsaved(struct fx *f)
{
    struct app *app = &f->app;
    scan_milk(app);
    app->unsaved.active = 1;
    app->mode = MODE_UNSAVED;
    assert_int_equal(app_unsaved_cancel(app), 0);
    assert_int_equal(app->mode, MODE_APPROVAL);
    nobody_approves(app);
    assert_int_equal(app->mode, MODE_UNSAVED);
    assert_int_equal(app->sale->cart.nlines, 1);
    assert_int_equal(app_unsaved_cancel(app), 0);
    manager_approves(app);
    assert_int_equal(app->sale->cart.nlines, 0);
    assert_int_equal(approved_rows(f, "sale_cancelled_unsaved"), 1);
    assert_int_equal(approved_rows(f, "sale_cancelled"), 1);
}

static const struct {
    const char *command;
    void (*doors)(struct fx *f);
} guarded[] = {
    { "cancel-unsaved", doors_cancel_unsaved },
    { "void-line", doors_void_line },
    { "cancel-sale", doors_cancel_sale },
    { "quit-cancel-sale", doors_quit_cancel_sale },
    { "price-override", doors_price_override },
    { "discount-over-limit", doors_discount_over_limit },
    { "return-no-receipt", doors_return_no_receipt },
    { "refund-cash", doors_refund_cash },
    { "stock-count", doors_stock_count },
    { "count-submit", doors_count_submit },
    { "no-sale", doors_no_sale },
    { "paid-in", doors_paid_in },
    { "paid-out", doors_paid_out },
    { "drop", doors_drop },
    { "x-report", doors_x_report },
    { "z-report", doors_z_report },
};

/* Every command that needs a permission has its doors tried here: a new one must be added. */
static void test_every_guarded_command_is_covered(void **state)
{
    for (size_t i = 0; i < cmd_table_n; i++) {
        if (cmd_table[i].perm == CMD_NO_PERM || (cmd_table[i].flags & CMD_KIOSK))
            continue;   /* the kiosk attendant's: let in by their PIN, tests/e2e_kiosk.sh */
        int found = 0;
        for (size_t j = 0; j < sizeof guarded / sizeof guarded[0]; j++)
            found |= strcmp(guarded[j].command, cmd_table[i].name) == 0;
        if (!found)
            fail_msg("command %s needs a permission but its doors are not tested", cmd_table[i].name);
    }
}

static void test_a_cashier_is_sent_to_approval_at_every_door(void **state)
{
    for (size_t j = 0; j < sizeof guarded / sizeof guarded[0]; j++) {
        struct fx *f = open_app("manager");
        sign_on(&f->app, "1", "1111");
        print_message("%s\n", guarded[j].command);
        guarded[j].doors(f);
        /* every approval is in the log with both ids */
        assert_true(query(f, "SELECT count(*) FROM audit_log WHERE event = 'override' AND cashier = '1' "
                             "AND detail LIKE '% by 1 approved by 9:%'") <= 1);
        close_app(f);
    }
}

/* Someone holding the permission is not asked: the manager's F8 goes straight to the
 * question, and the cancel names no approver. */
static void test_holding_the_permission_asks_nobody(void **state)
{
    struct fx *f = open_app("manager");
    struct app *app = &f->app;
    sign_on(app, "9", "9999");
    scan_milk(app);
    app_open_mode(app, MODE_CONFIRM_CANCEL);
    assert_int_equal(app->mode, MODE_CONFIRM_CANCEL);
    app_command_no(app);
    assert_int_equal(app->mode, MODE_SALE);
    assert_int_equal(app->sale->cart.nlines, 1);
    app_open_mode(app, MODE_CONFIRM_CANCEL);
    app_command_yes(app);
    assert_int_equal(app->sale->cart.nlines, 0);
    assert_int_equal(query(f, "SELECT count(*) FROM audit_log WHERE event = 'sale_cancelled' AND cashier = '9' "
                              "AND detail NOT LIKE '%approved by%'"), 1);
    close_app(f);
}

/* The CLI's one-shots name commands too: before anyone signs on, a guarded one is refused. */
static void test_cli_door(void **state)
{
    struct fx *f = open_app("manager");
    struct app *app = &f->app;
    assert_int_equal(app_command(app, "stock-count", NULL, DOOR_CLI), -1);
    assert_int_not_equal(app->mode, MODE_COUNT_START);
    assert_int_equal(app_command(app, "no-such-command", NULL, DOOR_CLI), -1);
    assert_string_equal(app->message, "Unknown command 'no-such-command'");
    assert_int_equal(app_command(app, "outbox-retry", "nothing-parked", DOOR_CLI), 1);
    close_app(f);
}

/* A refused sync row: the CLI (nobody signed on) dismisses by id, as --outbox-retry; in
 * the menu a cashier needs a manager's approval, and the audit row says both. */
static void test_sync_reject_dismiss_doors(void **state)
{
    struct fx *f = open_app("manager");
    struct app *app = &f->app;
    assert_int_equal(store_begin(app->store, STORE_TX_PLAIN), STORE_OK);
    assert_int_equal(sync_rejects_park(app->store, "catalog", 1, "SKU1", "wrong check digit", "{}", 10), 1);
    assert_int_equal(sync_rejects_park(app->store, "catalog", 2, "SKU2", "price out of bounds", "{}", 11), 1);
    assert_int_equal(store_commit(app->store), STORE_OK);
    assert_int_equal(app_command(app, "sync-reject-dismiss", "7", DOOR_CLI), 1);
    assert_int_equal(app_command(app, "sync-reject-dismiss", "x1", DOOR_CLI), 1);
    assert_int_equal(app_command(app, "sync-reject-dismiss", "1", DOOR_CLI), 0);
    assert_int_equal(query(f, "SELECT count(*) FROM sync_rejects WHERE superseded_at IS NULL"), 1);
    assert_int_equal(query(f, "SELECT count(*) FROM audit_log WHERE event = 'sync_reject_dismissed'"), 1);
    sign_on(app, "1", "1111");
    app->mode = MODE_MANAGER;
    assert_int_equal(app_command(app, "sync-reject-dismiss", NULL, DOOR_MENU), 0);
    assert_int_equal(app->mode, MODE_APPROVAL);
    nobody_approves(app);
    assert_int_equal(query(f, "SELECT count(*) FROM sync_rejects WHERE superseded_at IS NULL"), 1);
    assert_int_equal(app_command(app, "sync-reject-dismiss", NULL, DOOR_MENU), 0);
    manager_approves(app);
    assert_int_equal(query(f, "SELECT count(*) FROM sync_rejects WHERE superseded_at IS NULL"), 0);
    assert_int_equal(approved_rows(f, "sync_reject_dismissed"), 1);
    close_app(f);
}

/* Any guarded command by name, from any door, as the cashier: refused (its state check, or
 * nobody may) or sent to approval -- never run. */
static void test_every_guarded_command_by_name(void **state)
{
    static const enum cmd_door doors[] = { DOOR_KEY, DOOR_MENU, DOOR_SCAN, DOOR_QUIT, DOOR_CLI };
    for (size_t i = 0; i < cmd_table_n; i++) {
        const struct cmd_entry *e = &cmd_table[i];
        if (e->perm == CMD_NO_PERM)
            continue;
        for (size_t d = 0; d < sizeof doors / sizeof doors[0]; d++) {
            struct fx *f = open_app("manager");
            struct app *app = &f->app;
            /* before anyone signs on: refused */
            assert_int_equal(app_command(app, e->name, NULL, doors[d]), -1);
            sign_on(app, "1", "1111");
            scan_milk(app);
            int64_t rows = query(f, "SELECT count(*) FROM audit_log");
            if (e->perm_now && e->perm_now(app, "") == CMD_NO_PERM) {
                close_app(f);   /* needs none now (a void before the subtotal is a correction) */
                continue;
            }
            int rc = app_command(app, e->name, NULL, doors[d]);
            if (rc == 0 && app->mode != MODE_APPROVAL && app->mode != MODE_CONFIRM_QUIT)
                fail_msg("%s ran for a cashier (mode %d)", e->name, app->mode);
            if (app->mode == MODE_CONFIRM_QUIT) {   /* asks first, then the permission */
                app_command_yes(app);
                assert_int_equal(app->mode, MODE_APPROVAL);
            }
            assert_int_equal(app->sale->cart.nlines, 1);
            assert_int_equal(query(f, "SELECT count(*) FROM audit_log"), rows);
            close_app(f);
        }
    }
}

/* A scan sells through the "sell" command; the audit rows of the sale day name the person
 * signed on, not store.cashier ("demo"). */
static void test_scan_door_and_audit_names(void **state)
{
    struct fx *f = open_app(NULL);
    struct app *app = &f->app;
    sign_on(app, "1", "1111");
    assert_int_equal(app_scan(app, MILK), 0);
    assert_int_equal(app->sale->cart.nlines, 1);
    assert_int_equal(app_command(app, "price", NULL, DOOR_KEY), 0);
    app_select_line(app, -1);
    assert_int_equal(app_command(app, "price", NULL, DOOR_KEY), 0);
    assert_int_equal(app->mode, MODE_PRICE);
    assert_int_equal(app_price_submit(app, "0,99"), 0);
    /* the cashier lacks price_override by default: the supervisor... here the manager */
    manager_approves(app);
    assert_int_equal(query(f, "SELECT count(*) FROM audit_log WHERE event = 'price_override' AND cashier = '1'"), 1);
    assert_int_equal(query(f, "SELECT count(*) FROM audit_log WHERE cashier = 'demo' AND event NOT IN "
                              "('start', 'stop', 'spool_recovered')"), 0);
    close_app(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_guarded_command_is_covered),
        cmocka_unit_test(test_a_cashier_is_sent_to_approval_at_every_door),
        cmocka_unit_test(test_holding_the_permission_asks_nobody),
        cmocka_unit_test(test_cli_door),
        cmocka_unit_test(test_sync_reject_dismiss_doors),
        cmocka_unit_test(test_every_guarded_command_by_name),
        cmocka_unit_test(test_scan_door_and_audit_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
