/* Shifts and cash: the opening float, paid in / paid out / drops, no sale, the X report
 * (read only) and the Z report that closes the shift.  Each event is one transaction with
 * its outbox document (offline/shift_doc.c); the reports are laid out by the pure core
 * (core/shift_report.c) and written to the spool, as receipts are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "app/app_fiscal.h"
#include "app/app_print.h"
#include "app/authorize.h"
#include "offline/shift_doc.h"
#include "offline/sync.h"
#include "src/config.h"
#include "src/pause_point.h"
#include "src/sales.h"
#include "src/store.h"

static const char *staff_id(const struct app *app)
{
    return app->staff.signed_on ? app->staff.who.id : app->s.cashier;
}

static void audit(struct app *app, const char *event, const char *detail)
{
    store_audit(app->store, loop_wall_time(), app->s.terminal_id, staff_id(app), event, detail);
}

static void kick_sync(struct app *app)
{
    if (app->sync.engine)
        sync_kick(app->sync.engine);
}

static int need_shift(struct app *app)
{
    if (app->shift.open)
        return 0;
    app_set_message(app, 1, "No shift is open: F9, then S opens one");
    return -1;
}

int app_open_shift(struct app *app, const char *float_text)
{
    int64_t amount;
    if (!app->staff.enabled || !app->staff.signed_on) {
        app_set_message(app, 1, "Sign on first");
        return -1;
    }
    if (app->shift.open) {
        app_set_message(app, 1, "A shift is already open (shift %lld)", (long long)app->shift.current.id);
        app->mode = MODE_SALE;
        return -1;
    }
    if (money_parse(float_text, &app->s.fmt, &amount) || amount < 0) {
        app_set_message(app, 1, "'%s' is not an amount: type the float counted in the drawer", float_text);
        return -1;
    }
    char uuid[40];
    struct shift sh;
    app_new_uuid(uuid);
    int rc = store_begin(app->store, STORE_TX_PLAIN);
    if (rc == STORE_OK && (rc = shifts_open(app->store, app->s.terminal_id, uuid, loop_wall_time(),
                                            app->staff.who.id, amount, &sh)) != STORE_OK)
        store_rollback(app->store);
    else if (rc == STORE_OK)
        rc = store_commit(app->store);
    if (rc != STORE_OK) {
        app_set_message(app, 1, "The shift could not be opened: %s", store_errmsg(app->store));
        return -1;
    }
    app->shift.open = 1;
    app->shift.current = sh;
    char a[48], detail[80];
    money_format(amount, &app->s.fmt, 1, a, sizeof a);
    snprintf(detail, sizeof detail, "shift %lld float %lld", (long long)sh.id, (long long)amount);
    audit(app, "shift_open", detail);
    app->mode = MODE_SALE;
    app_set_message(app, 0, "Shift %lld open with a float of %s. Scan the first item.", (long long)sh.id, a);
    return 0;
}

/* ---------------------------------------------------------------- cash --- */

static const enum cash_kind cash_kinds[CASH_KIND_COUNT] = { CASH_PAID_IN, CASH_PAID_OUT, CASH_DROP, CASH_NO_SALE };

static void approver_of(struct app *app, const struct staff_member *approver)
{
    snprintf(app->shift.approved_by, sizeof app->shift.approved_by, "%s", approver ? approver->id : "");
}

static void cash_granted(struct app *app, const struct staff_member *approver, void *ctx)
{
    const enum cash_kind *kind = ctx;
    approver_of(app, approver);
    app->shift.kind = *kind;
    app->shift.have_amount = 0;
    app->mode = MODE_CASH;
    app_set_message(app, 0, "%s: type the amount, then Enter", cash_kind_label(*kind));
}

int cmd_check_shift(struct app *app, const char *arg)
{
    return need_shift(app);
}

int cmd_paid_in(struct app *app, const struct cmd_args *a)
{
    cash_granted(app, a->approver, (void *)&cash_kinds[CASH_PAID_IN]);
    return 0;
}

int cmd_paid_out(struct app *app, const struct cmd_args *a)
{
    cash_granted(app, a->approver, (void *)&cash_kinds[CASH_PAID_OUT]);
    return 0;
}

int cmd_drop(struct app *app, const struct cmd_args *a)
{
    cash_granted(app, a->approver, (void *)&cash_kinds[CASH_DROP]);
    return 0;
}

void app_start_cash(struct app *app, enum cash_kind kind)
{
    static const char *const cmd[] = { [CASH_PAID_IN] = "paid-in", [CASH_PAID_OUT] = "paid-out",
                                       [CASH_DROP] = "drop" };
    if ((unsigned)kind < CASH_NO_SALE)
        app_command(app, cmd[kind], NULL, DOOR_MENU);
}

/* One movement: its row and its outbox document in one transaction. */
static int record_movement(struct app *app, enum cash_kind kind, int64_t amount, const char *reason)
{
    struct cash_movement m;
    memset(&m, 0, sizeof m);
    app_new_uuid(m.uuid);
    m.shift_id = app->shift.current.id;
    m.kind = kind;
    m.amount = amount;
    snprintf(m.reason, sizeof m.reason, "%s", reason ? reason : "");
    snprintf(m.staff_id, sizeof m.staff_id, "%s", staff_id(app));
    snprintf(m.approved_by, sizeof m.approved_by, "%s", app->shift.approved_by);
    m.at = loop_wall_time();
    int rc = store_begin(app->store, STORE_TX_PLAIN);
    if (rc == STORE_OK && ((rc = shifts_add_movement(app->store, &m)) != STORE_OK ||
                           (rc = shift_doc_enqueue_movement(app->store, app->s.terminal_id,
                                                            app->shift.current.uuid, &m)) != STORE_OK))
        store_rollback(app->store);
    else if (rc == STORE_OK)
        rc = store_commit(app->store);
    if (rc != STORE_OK) {
        app_set_message(app, 1, "%s NOT recorded: %s", cash_kind_label(kind), store_errmsg(app->store));
        return -1;
    }
    char detail[200];
    snprintf(detail, sizeof detail, "%lld%s%s%s%s", (long long)amount, m.reason[0] ? " " : "", m.reason,
             m.approved_by[0] ? " approved by " : "", m.approved_by);
    audit(app, cash_kind_name(kind), detail);
    app_fiscal_cash_moved(app, kind, amount);
    app->sync.queued++;
    kick_sync(app);
    drawer_kick(app->drawer);
    return 0;
}

int app_cash_submit(struct app *app, const char *text)
{
    struct app_shift *sh = &app->shift;
    app->dirty = 1;
    if (!sh->have_amount) {
        if (money_parse(text, &app->s.fmt, &sh->amount) || sh->amount <= 0) {
            app_set_message(app, 1, "'%s' is not an amount", text);
            return -1;
        }
        sh->have_amount = 1;
        app_set_message(app, 0, "%s: now the reason, then Enter", cash_kind_label(sh->kind));
        return 0;
    }
    if (!text[0] && sh->kind != CASH_DROP) {
        app_set_message(app, 1, "Type the reason (e.g. window cleaner, change from the bank)");
        return -1;
    }
    if (record_movement(app, sh->kind, sh->amount, text))
        return -1;
    char a[48];
    money_format(sh->amount, &app->s.fmt, 1, a, sizeof a);
    app->mode = MODE_SALE;
    app_set_message(app, 0, "%s %s recorded; the drawer is open.", cash_kind_label(sh->kind), a);
    sh->have_amount = 0;
    return 0;
}

int app_shift_no_sale(struct app *app, const struct staff_member *approver)
{
    approver_of(app, approver);
    if (record_movement(app, CASH_NO_SALE, 0, NULL))
        return -1;
    app->mode = MODE_SALE;
    app_set_message(app, 0, "No sale: the drawer is open.");
    return 0;
}

/* ------------------------------------------------------------- reports --- */

static void when_text(int64_t t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

static void name_of(struct app *app, const char *id, char *buf, size_t len)
{
    struct staff_member m;
    if (staff_get(app->store, id, &m) == STORE_OK)
        snprintf(buf, len, "%s (%s)", m.name, id);
    else
        snprintf(buf, len, "%s", id);
}

/* Gathers, computes and lays out the report of the open shift (for a Z, inside its
 * transaction, so the figures are those the shift closes with). */
static int build_report(struct app *app, int is_z, int64_t z_number, int64_t counted,
                        const struct shift_eod_result *eod, struct shift_report *r, char **text)
{
    struct shift_figures f;
    memset(&f, 0, sizeof f);
    if (sales_shift_figures(app->store, app->shift.current.id, &f) ||
        shifts_figures(app->store, &app->shift.current, &f) ||
        app_park_old_count(app, &f.parked_old) ||
        shift_report_compute(&f, is_z, counted, r) ||
        (eod && shift_report_reconcile(r, eod)))
        return -1;
    char opened[32], closed[32], opened_by[STAFF_NAME_MAX + STAFF_ID_MAX + 4], closed_by[STAFF_NAME_MAX + STAFF_ID_MAX + 4];
    when_text(app->shift.current.opened_at, opened, sizeof opened);
    when_text(loop_wall_time(), closed, sizeof closed);
    name_of(app, app->shift.current.opened_by, opened_by, sizeof opened_by);
    name_of(app, is_z ? app->shift.current.z_by : staff_id(app), closed_by, sizeof closed_by);
    struct shift_report_head h = {
        .is_z = is_z, .z_number = z_number, .store = app->s.store_name, .terminal = app->s.terminal_id,
        .shift_no = app->shift.current.id, .opened_at = opened, .opened_by = opened_by,
        .closed_at = closed, .closed_by = closed_by,
    };
    return shift_report_render(r, &h, &app->s.fmt, app->s.receipt_width, text);
}

/* Shown on screen, written to the spool and, when a printer is configured, queued for it
 * (a print failure says so on the screen; the report stays shown and spooled). */
static void show_report(struct app *app, char *text, int is_z, const char *file, const char *title)
{
    free(app->shift.report_text);
    app->shift.report_text = text;
    app->shift.report_is_z = is_z;
    /* queued for the printer before it is spooled: the spool file says both are done (a
     * restart prints a Z that has none, see z_catch_up) */
    app_print_text(app, title, text);
    char err[200];
    if (app_spool_write(app, file, text, err, sizeof err))
        app_set_message(app, 1, "Report shown, but not written to the spool: %s", err);
    app->mode = MODE_REPORT;
    app->dirty = 1;
}

int cmd_x_report(struct app *app, const struct cmd_args *a)
{
    const struct staff_member *approver = a->approver;
    struct shift_report r;
    char *text = NULL;
    if (build_report(app, 0, 0, 0, NULL, &r, &text)) {
        app_set_message(app, 1, "The X report could not be made: %s", store_errmsg(app->store));
        return -1;
    }
    char file[96], detail[64];
    snprintf(file, sizeof file, "x-report-shift%06lld-%lld.txt", (long long)app->shift.current.id,
             (long long)loop_wall_time());
    snprintf(detail, sizeof detail, "shift %lld%s%s", (long long)app->shift.current.id,
             approver ? " approved by " : "", approver ? approver->id : "");
    audit(app, "x_report", detail);
    app_set_message(app, 0, "X report of shift %lld (the shift stays open).", (long long)app->shift.current.id);
    char title[48];
    snprintf(title, sizeof title, "X report of shift %lld", (long long)app->shift.current.id);
    show_report(app, text, 0, file, title);
    return 0;
}

int app_x_report(struct app *app)
{
    return app_command(app, "x-report", NULL, DOOR_MENU);
}

static int held_sales(const struct app *app)
{
    int n = 0;
    for (int i = 0; i < APP_MAX_HELD; i++)
        n += app->staff.held[i].used;
    return n;
}

int cmd_z_report(struct app *app, const struct cmd_args *a)
{
    approver_of(app, a->approver);
    app->mode = MODE_Z_COUNT;
    app_set_message(app, 0, "Count the cash in the drawer and type the total, then Enter");
    return 0;
}

int cmd_check_z(struct app *app, const char *arg)
{
    if (need_shift(app))
        return -1;
    if (!cart_is_empty(&app->sale->cart) || held_sales(app)) {
        app_set_message(app, 1, "Finish or cancel the open sales first (%d kept for staff)", held_sales(app));
        return -1;
    }
    return 0;
}

void app_start_z(struct app *app)
{
    app_command(app, "z-report", NULL, DOOR_MENU);
}

/* The Z's last step: number, figures with the terminal's end-of-day, close and the shift's
 * document in one transaction.  A crash before it commits leaves the shift open with its
 * Z begun, and the restart finishes it (app_z_resume): the number is taken once. */
static int z_commit(struct app *app)
{
    struct shift closing = app->shift.current;
    struct shift_report r;
    char *text = NULL;
    int64_t z = 0;
    int64_t counted = closing.z_counted;
    int rc = store_begin(app->store, STORE_TX_PLAIN);
    if (rc == STORE_OK) {
        closing.z_number = 0;
        closing.closed_at = loop_wall_time();
        snprintf(closing.closed_by, sizeof closing.closed_by, "%s", closing.z_by);
        closing.counted_cash = counted;
        if ((rc = shifts_take_z_number(app->store, &z)) == STORE_OK) {
            closing.z_number = z;
            if (build_report(app, 1, z, counted, &closing.eod, &r, &text))
                rc = STORE_ERROR;
        }
        if (rc == STORE_OK)
            rc = shifts_close(app->store, closing.id, z, closing.closed_at, closing.closed_by, counted, text);
        if (rc == STORE_OK)
            rc = shift_doc_enqueue_shift(app->store, &closing, &r, app->s.fmt.cur.code);
        /* the Z's audit row commits with it: a crash cannot leave a Z unaudited */
        if (rc == STORE_OK) {
            char detail[200];
            snprintf(detail, sizeof detail, "z %lld shift %lld counted %lld over_short %lld eod %s%s%s",
                     (long long)z, (long long)closing.id, (long long)counted, (long long)r.over_short,
                     shift_eod_name(closing.eod.state), closing.z_approved_by[0] ? " approved by " : "",
                     closing.z_approved_by);
            rc = store_audit(app->store, loop_wall_time(), app->s.terminal_id, closing.z_by, "z_report", detail);
        }
        if (rc != STORE_OK)
            store_rollback(app->store);
        else
            rc = store_commit(app->store);
    }
    if (rc != STORE_OK) {
        free(text);
        app_set_message(app, 1, "The Z report was NOT made; the shift stays open: %s", store_errmsg(app->store));
        return -1;
    }
    app->shift.open = 0;
    app->shift.current = closing;
    app_fiscal_z(app, z);
    test_pause_point("z_committed");
    char file[64], a[48];
    app->sync.queued++;
    kick_sync(app);
    snprintf(file, sizeof file, "z-report-%06lld.txt", (long long)z);
    money_format(r.over_short, &app->s.fmt, 1, a, sizeof a);
    app_set_message(app, r.over_short != 0, "Z %lld: shift %lld closed. %s %s", (long long)z, (long long)closing.id,
                    r.over_short < 0 ? "SHORT" : r.over_short > 0 ? "OVER" : "Over/short", a);
    char title[32];
    snprintf(title, sizeof title, "Z report %lld", (long long)z);
    show_report(app, text, 1, file, title);
    return 0;
}

/* The terminal's end-of-day is known (or will never be): kept at once, then the Z closes. */
static void z_eod_settled(struct app *app, enum shift_eod state, const struct pt_eod_totals *t)
{
    struct app_shift *sh = &app->shift;
    if (!sh->eod_waiting)
        return;
    sh->eod_waiting = 0;
    if (sh->eod_timer)
        loop_cancel_timer(app->loop, sh->eod_timer);
    sh->eod_timer = 0;
    struct shift_eod_result *e = &sh->current.eod;
    memset(e, 0, sizeof *e);
    e->state = state;
    if (t)
        e->terminal = *t;
    if (shifts_z_eod(app->store, sh->current.id, e) != STORE_OK)
        app_set_message(app, 1, "The terminal's end-of-day was not kept: %s", store_errmsg(app->store));
    test_pause_point("z_before_commit");
    z_commit(app);
    app->dirty = 1;
}

static void on_eod_totals(void *ctx, const struct pt_eod_totals *t)
{
    struct app *app = ctx;
    z_eod_settled(app, t->result == PT_APPROVED ? SHIFT_EOD_OK : SHIFT_EOD_FAILED, t);
}

static void on_eod_timeout(struct loop *loop, void *ctx)
{
    struct app *app = ctx;
    app->shift.eod_timer = 0;
    if (app->card->nterminals > 0)
        payment_terminal_abort(app->card->terminals[0].pt);
    z_eod_settled(app, SHIFT_EOD_NO_ANSWER, NULL);
}

/* Asks the first payment terminal for its end-of-day; the Z goes on when it answers, when
 * it cannot, or after shift.eod_timeout_ms: never waiting on a hung terminal. */
static void z_ask_terminal(struct app *app)
{
    struct app_shift *sh = &app->shift;
    sh->eod_waiting = 1;
    if (app->card->nterminals == 0) {
        z_eod_settled(app, SHIFT_EOD_NONE, NULL);
        return;
    }
    long long timeout;
    if (config_get_int(app->cfg, "shift.eod_timeout_ms", 60000, &timeout) || timeout < 100 || timeout > 600000)
        timeout = 60000;
    int rc = payment_terminal_end_of_day_totals(app->card->terminals[0].pt, on_eod_totals, app);
    if (rc == PT_EOD_UNSUPPORTED) {
        z_eod_settled(app, SHIFT_EOD_UNSUPPORTED, NULL);
        return;
    }
    if (rc != 0) {
        struct pt_eod_totals t;
        memset(&t, 0, sizeof t);
        t.result = PT_ERROR;
        snprintf(t.message, sizeof t.message, "the terminal is busy");
        z_eod_settled(app, SHIFT_EOD_FAILED, &t);
        return;
    }
    /* the answer may already have come (a driver answering at once) */
    if (!sh->eod_waiting)
        return;
    sh->eod_timer = loop_add_timer(app->loop, timeout, on_eod_timeout, app);
    app_set_message(app, 0, "Z: the payment terminal closes its day (up to %lld s)...", timeout / 1000);
    app->dirty = 1;
}

int app_z_submit(struct app *app, const char *counted_text)
{
    int64_t counted;
    if (app->shift.eod_waiting) {
        app_set_message(app, 0, "Z: waiting for the payment terminal's end-of-day...");
        return -1;
    }
    if (money_parse(counted_text, &app->s.fmt, &counted) || counted < 0) {
        app_set_message(app, 1, "'%s' is not an amount: type the cash counted in the drawer", counted_text);
        return -1;
    }
    /* begun durably first: a crash from here on finishes this Z on restart */
    struct shift *cur = &app->shift.current;
    int64_t at = loop_wall_time();
    int rc = store_begin(app->store, STORE_TX_PLAIN);
    if (rc == STORE_OK && (rc = shifts_z_begin(app->store, cur->id, at, staff_id(app), app->shift.approved_by,
                                               counted)) != STORE_OK)
        store_rollback(app->store);
    else if (rc == STORE_OK)
        rc = store_commit(app->store);
    if (rc != STORE_OK) {
        app_set_message(app, 1, "The Z report was NOT made; the shift stays open: %s", store_errmsg(app->store));
        return -1;
    }
    cur->z_started_at = at;
    snprintf(cur->z_by, sizeof cur->z_by, "%s", staff_id(app));
    snprintf(cur->z_approved_by, sizeof cur->z_approved_by, "%s", app->shift.approved_by);
    cur->z_counted = counted;
    memset(&cur->eod, 0, sizeof cur->eod);
    test_pause_point("z_begun");
    z_ask_terminal(app);
    return 0;
}

/* A Z killed right after its commit, before it was spooled and queued for the printer:
 * like the receipts' catch-up (app_storage_catch_up), the restart writes the report the
 * Z committed with to the spool and prints it.  Only the last Z can be missing: the next
 * one is made by a till that started, and caught up, after it. */
static void z_catch_up(struct app *app)
{
    int64_t z = 0;
    if (strcmp(app->s.db_path, ":memory:") == 0 || shifts_last_z(app->store, &z) != STORE_OK || z <= 0)
        return;
    char file[64], path[700];
    snprintf(file, sizeof file, "z-report-%06lld.txt", (long long)z);
    snprintf(path, sizeof path, "%s/%s", app->s.spool_dir, file);
    if (access(path, F_OK) == 0)
        return;
    struct shift sh;
    char *text = NULL;
    if (shifts_by_z(app->store, z, &sh, &text) != STORE_OK || !text) {
        free(text);
        return;
    }
    char title[32], err[200];
    snprintf(title, sizeof title, "Z report %lld", (long long)z);
    app_print_text(app, title, text);
    if (app_spool_write(app, file, text, err, sizeof err))
        app_set_message(app, 1, "Z %lld was not written to the spool: %s", (long long)z, err);
    else
        app_set_message(app, 0, "Z %lld was closed before the till stopped: its report is spooled and printed now.",
                        (long long)z);
    char detail[96];
    snprintf(detail, sizeof detail, "z %lld spooled and printed after a restart", (long long)z);
    audit(app, "z_report_recovered", detail);
    free(text);
}

int app_z_resume(struct app *app)
{
    struct shift *cur = &app->shift.current;
    if (!app->shift.open || !cur->z_started_at) {
        z_catch_up(app);
        return 0;
    }
    /* the terminal's end-of-day is not asked again: its batch may be closed already */
    if (cur->eod.state == SHIFT_EOD_NONE && app->card->nterminals > 0) {
        cur->eod.state = SHIFT_EOD_INTERRUPTED;
        shifts_z_eod(app->store, cur->id, &cur->eod);
    }
    if (z_commit(app))
        return -1;
    app_set_message(app, 0, "The Z of shift %lld was interrupted and is now finished: Z %lld.",
                    (long long)cur->id, (long long)cur->z_number);
    return 1;
}

void app_shift_count_cancel(struct app *app, int64_t value)
{
    if (app->shift.open)
        shifts_count_cancel(app->store, app->shift.current.id, value);
}

void app_close_report(struct app *app)
{
    int was_z = app->shift.report_is_z;
    free(app->shift.report_text);
    app->shift.report_text = NULL;
    /* after the Z the next shift starts with its float (Esc leaves it for later) */
    app->mode = was_z && !app->shift.open && app->staff.signed_on ? MODE_OPEN_SHIFT : MODE_SALE;
    app->dirty = 1;
}
