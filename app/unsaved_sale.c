/* A sale that is paid but could not be saved (disk full, file size limit, database busy or
 * damaged).  Its tender is settled, so it can neither go back to the payment dialog nor be
 * dropped: it stays on screen and its commit is tried again, on a timer with backoff and on
 * a key, until it succeeds.  The commit is all or nothing and idempotent by the sale's uuid
 * (src/sales.c), so the sale is saved once however many attempts it takes.  Cancelling is
 * possible only by handing back every tender: cards are reversed as for any cancel, cash and
 * vouchers are listed for the cashier to give back. */
#include <stdio.h>
#include <string.h>

#include "app/app.h"

#define RETRY_FIRST_MS 500
#define RETRY_MAX_MS 5000

static void on_retry_timer(struct loop *loop, void *ctx)
{
    struct app *app = ctx;
    app->unsaved.timer = 0;
    if (app->unsaved.active)
        app_complete_sale(app);
}

static void schedule_retry(struct app *app)
{
    struct app_unsaved *u = &app->unsaved;
    int64_t delay = RETRY_FIRST_MS;
    for (int i = 1; i < u->attempts && delay < RETRY_MAX_MS; i++)
        delay *= 2;
    if (delay > RETRY_MAX_MS)
        delay = RETRY_MAX_MS;
    if (u->timer)
        loop_cancel_timer(app->loop, u->timer);
    u->timer = loop_add_timer(app->loop, delay, on_retry_timer, app);
    u->next_at_ms = loop_now_ms(app->loop) + delay;
}

void app_unsaved_begin(struct app *app, const char *why)
{
    struct app_unsaved *u = &app->unsaved;
    if (!u->active) {
        u->active = 1;
        u->attempts = 0;
        u->confirm_cancel = 0;
    }
    u->attempts++;
    /* the log may sit on the same full disk; it is written when it can be */
    if (u->attempts == 1 || strcmp(u->error, why) != 0)
        app_log(app, "sale %s is paid but NOT saved (attempt %d): %s; trying again", app->sale->uuid,
                u->attempts, why);
    snprintf(u->error, sizeof u->error, "%s", why);
    app->mode = MODE_UNSAVED;
    schedule_retry(app);
    app_set_message(app, 1, "Sale NOT saved yet (attempt %d): %s", u->attempts, why);
}

void app_unsaved_end(struct app *app)
{
    struct app_unsaved *u = &app->unsaved;
    if (u->timer)
        loop_cancel_timer(app->loop, u->timer);
    if (u->active && u->attempts > 0)
        app_log(app, "sale %s saved after %d failed attempts", app->sale->uuid, u->attempts);
    memset(u, 0, sizeof *u);
}

int app_unsaved_retry(struct app *app)
{
    if (!app->unsaved.active)
        return 0;
    if (app->unsaved.timer)
        loop_cancel_timer(app->loop, app->unsaved.timer);
    app->unsaved.timer = 0;
    app->unsaved.confirm_cancel = 0;
    return app_complete_sale(app);
}

void app_unsaved_ask_cancel(struct app *app, int ask)
{
    app->unsaved.confirm_cancel = app->unsaved.active && ask;
    app->dirty = 1;
}

void app_unsaved_handback_text(const struct app *app, char *buf, size_t len)
{
    const struct tender_state *t = &app->sale->tender;
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < t->n && n < len; i++) {
        const struct payment *p = &t->payments[i];
        char a[48];
        /* cash: what the customer handed over (the change is given only once saved) */
        money_format(p->tender == TENDER_CASH ? p->tendered : p->amount, &app->s.fmt, 1, a, sizeof a);
        int w;
        if (p->tender == TENDER_CARD)
            w = snprintf(buf + n, len - n, "%s%s card %s (Till reverses it)", n ? ", " : "", a, p->masked_pan);
        else
            w = snprintf(buf + n, len - n, "%s%s %s", n ? ", " : "", a,
                         p->tender == TENDER_CASH ? "cash" : "voucher");
        if (w < 0)
            break;
        n += (size_t)w;
    }
    if (n >= len && len > 0)
        buf[len - 1] = 0;
}

/* Cancelling a paid sale that could not be saved is cancelling a sale: the same
 * permission, asked at the same door ("cancel-unsaved", app/commands.c). */
int app_unsaved_cancel(struct app *app)
{
    return app_command(app, "cancel-unsaved", NULL, DOOR_KEY);
}

int cmd_check_unsaved(struct app *app, const char *arg)
{
    return app->unsaved.active ? 0 : -1;
}

int cmd_cancel_unsaved(struct app *app, const struct cmd_args *a)
{
    struct app_unsaved *u = &app->unsaved;
    char back[300];
    app_unsaved_handback_text(app, back, sizeof back);
    if (u->timer)
        loop_cancel_timer(app->loop, u->timer);
    u->timer = 0;
    u->confirm_cancel = 0;
    app_log(app, "sale %s cancelled unsaved after %d attempts; handed back: %s", app->sale->uuid, u->attempts,
            back);
    char detail[360];
    snprintf(detail, sizeof detail, "%s%s%s", back, a->approver ? " approved by " : "",
             a->approver ? a->approver->id : "");
    app_audit(app, "sale_cancelled_unsaved", detail);
    for (int i = 0; i < app->sale->tender.n; i++)
        if (app->sale->tender.payments[i].tender == TENDER_CASH) {
            drawer_kick(app->drawer);   /* the cash goes back to the customer */
            break;
        }
    /* card payments are reversed first; the sale is cancelled when they are */
    return app_cancel_sale(app);
}

int app_unsaved_refuses(struct app *app, const char *what)
{
    if (!app->unsaved.active)
        return 0;
    app_set_message(app, 1, "Cannot %s: the sale is paid but NOT saved yet and Till keeps trying."
                            " F8 cancels it (hand back the tenders)", what);
    return 1;
}

void app_unsaved_last_try(struct app *app)
{
    if (!app->unsaved.active || !app->store)
        return;
    if (app_complete_sale(app) == 0)
        return;
    char back[300];
    app_unsaved_handback_text(app, back, sizeof back);
    app_log(app, "STOPPED with sale %s paid but NOT saved (%s): total %lld, tenders %s", app->sale->uuid,
            app->unsaved.error, (long long)app->sale->cart.totals.total, back);
}
