/* The database and the receipt spool as Till starts: the directories must be writable (a
 * clear message instead of the first failing statement's), the tables that hold sales and
 * queued orders pass an integrity check, and the receipts of sales committed just before a
 * crash are written (and printed) once the printer is open.  A database found damaged while running refuses new sales. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "app/app_print.h"
#include "src/print_queue.h"
#include "src/sales.h"
#include "src/spool.h"

/* A bound on the start-up check: it covers the sales and outbox tables, not the catalog
 * (which sync fetches again), and stops after this long on a very large history. */
#define INTEGRITY_CHECK_MS 500

static const char *user_name(void)
{
    struct passwd *pw = getpwuid(geteuid());
    return pw ? pw->pw_name : "the user Till runs as";
}

/* Files made before Till set its umask (or by another tool) lose their group and other bits. */
static void owner_only(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 077))
        chmod(path, sb.st_mode & 0700);
}

int app_storage_writable(struct app *app, const char *db_dir, char *err, size_t errlen)
{
    const char *db = app->s.db_path;
    if (strcmp(db, ":memory:") == 0)
        return 0;
    const char *why;
    if (access(db_dir, W_OK | X_OK)) {
        why = strerror(errno);
        snprintf(err, errlen, "cannot write in %s, the database's directory (%s): Till keeps its database and"
                 " the database's -wal and -shm files there. Let user %s write it (chown or chmod), or set"
                 " paths.database", db_dir, why, user_name());
        return -1;
    }
    if (access(db, F_OK) == 0 && access(db, R_OK | W_OK)) {
        why = strerror(errno);
        snprintf(err, errlen, "cannot write the database %s (%s): let user %s read and write it (chown or"
                 " chmod)", db, why, user_name());
        return -1;
    }
    if (access(app->s.spool_dir, W_OK | X_OK)) {
        why = strerror(errno);
        snprintf(err, errlen, "cannot write receipts in %s (%s): let user %s write it, or set paths.spool",
                 app->s.spool_dir, why, user_name());
        return -1;
    }
    static const char *const suffixes[] = { "", "-wal", "-shm" };
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s%s", db, suffixes[i]);
        owner_only(path);
    }
    return 0;
}

static void format_when(int64_t t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

/* The receipt text of a sale committed before a crash: the one laid out and queued for the
 * printer then, or, when Till stopped before that, laid out and queued now (so it is
 * printed once as well). */
static int receipt_text_of(struct app *app, const struct sale *sale, char **text)
{
    if (print_queue_receipt_text(app->store, sale->receipt_no, text) == STORE_OK)
        return 0;
    char when[32];
    format_when(sale->completed_at, when, sizeof when);
    return app_print_sale(app, sale, when, text);
}

/* The last sale caught up becomes the "last sale" the receipt screen shows: its receipt
 * never reached the screen before the crash. */
static void keep_as_last(struct app *app, const struct sale *sale, char *text)
{
    free(app->last.receipt_text);
    app->last.receipt_text = text;
    app->last.total = sale->cart->totals.total;
    app->last.change = sale->change_given;
    app->last.receipt_no = sale->receipt_no;
}

/* A turn of the loop writes receipts for up to this long (at least one): a key waits at
 * most about this, plus one receipt (its file and the mark are synced: ~10 ms on a disk). */
#define CATCH_UP_SLICE_MS 8

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void catch_up_done(struct app *app)
{
    struct app_catch_up *c = &app->catch_up;
    c->status[0] = 0;
    app->dirty = 1;
    if (c->written || c->removed || c->failed) {
        char detail[160];
        snprintf(detail, sizeof detail, "%d receipts written after a restart, %d failed, %d temporary files removed",
                 c->written, c->failed, c->removed);
        app_audit(app, "spool_recovered", detail);
    }
}

/* One turn: a few receipts, newest first (the ones a customer may still ask about), then
 * the loop runs keys, sync and the printer before the next few. */
static void catch_up_step(struct loop *loop, void *ctx)
{
    struct app *app = ctx;
    struct app_catch_up *c = &app->catch_up;
    c->timer = 0;
    int64_t start = mono_ms();
    while (mono_ms() - start < CATCH_UP_SLICE_MS) {
        struct sale sale;
        struct cart cart;
        memset(&sale, 0, sizeof sale);
        snprintf(sale.store_name, sizeof sale.store_name, "%s", app->s.store_name);
        sale.fmt = app->s.fmt;
        sale.tax = app->s.tax;
        cart_init(&cart, &app->s.tax);
        int64_t id = 0;
        int rc = sales_prev_unspooled(app->store, c->before_id, &sale, &cart, &id);
        if (rc == STORE_OK) {
            char err[200], *text = NULL;
            c->before_id = id;
            if (receipt_text_of(app, &sale, &text) == 0 &&
                spool_write(app->s.spool_dir, sale.receipt_no, sale.uuid, text, err, sizeof err) == 0 &&
                sales_mark_spooled(app->store, sale.uuid) == STORE_OK) {
                /* the first written is the newest: its receipt is the one to offer */
                int newest = c->written == 0 && c->failed == 0;
                c->written++;
                if (newest) {
                    keep_as_last(app, &sale, text);
                    text = NULL;
                    app_storage_offer_recovered(app, sale.receipt_no);
                }
            } else {
                c->failed++;
            }
            free(text);
        }
        cart_free(&cart);
        if (rc != STORE_OK) {
            catch_up_done(app);
            return;
        }
    }
    int64_t left = c->total - c->written - c->failed;
    snprintf(c->status, sizeof c->status, "Writing receipts from before the restart: %lld left",
             (long long)(left > 0 ? left : 0));
    app->dirty = 1;
    c->timer = loop_add_timer(loop, 0, catch_up_step, app);
}

void app_storage_catch_up(struct app *app)
{
    struct app_catch_up *c = &app->catch_up;
    memset(c, 0, sizeof *c);
    if (strcmp(app->s.db_path, ":memory:") == 0)
        return;
    spool_remove_stale(app->s.spool_dir, &c->removed);
    c->before_id = INT64_MAX;
    if (sales_count_unspooled(app->store, &c->total) != STORE_OK || c->total == 0) {
        catch_up_done(app);
        return;
    }
    /* after a salvage or an import there may be thousands: written on the loop, never
     * holding the start or the keys */
    snprintf(c->status, sizeof c->status, "Writing receipts from before the restart: %lld left",
             (long long)c->total);
    c->timer = loop_add_timer(app->loop, 0, catch_up_step, app);
}

void app_storage_offer_recovered(struct app *app, int64_t receipt_no)
{
    if (receipt_no <= 0 || app->last.receipt_no != receipt_no)
        return;
    /* the receipt screen, as if the sale had just been completed, when nothing else
     * (a restored sale, a sign-on, a count) takes the screen */
    int shown = app->mode == MODE_SALE && app->sale->cart.nlines == 0 &&
                (!app->staff.enabled || app->staff.signed_on);
    if (shown) {
        app->mode = MODE_RECEIPT;
        app->dirty = 1;
        app_set_message(app, 0, "Sale %lld was completed before the restart.", (long long)receipt_no);
    } else {
        app_set_message(app, 0, "Sale %lld was completed before the restart: F6 Printer reprints its"
                        " receipt.", (long long)receipt_no);
    }
}

int app_storage_check(struct app *app, char *err, size_t errlen)
{
    if (strcmp(app->s.db_path, ":memory:") == 0)
        return 0;
    int complete = 1;
    char what[STORE_ERRLEN];
    int rc = store_quick_check(app->store, INTEGRITY_CHECK_MS, &complete, what, sizeof what);
    if (rc == STORE_ECORRUPT) {
        snprintf(err, errlen, "the database %s is damaged (%.200s). No sale can be saved safely in it. Keep the"
                 " file and run  till --salvage  to copy every readable sale and queued order into a fresh"
                 " database (README: Damaged database)", app->s.db_path, what);
        return -1;
    }
    if (rc) {
        snprintf(err, errlen, "cannot check the database %s: %s", app->s.db_path, what);
        return -1;
    }
    return 0;
}

int app_receipt_spooled(struct app *app, const char *uuid)
{
    /* NORMAL: losing this mark to a power cut only writes the receipt once more */
    store_durability(app->store, 0);
    int rc = sales_mark_spooled(app->store, uuid);
    store_durability(app->store, 1);
    if (rc == STORE_OK)
        return 0;
    app_set_message(app, 1, "Sale complete; its receipt file is written but not noted (%s): it is written"
                    " again at the next start", store_errmsg(app->store));
    return -1;
}

int app_storage_refuses_sale(struct app *app)
{
    if (!store_damaged(app->store))
        return 0;
    app_set_message(app, 1, "The database is DAMAGED: no new sale can be saved. Stop Till and run"
                    " till --salvage (README: Damaged database)");
    return 1;
}
