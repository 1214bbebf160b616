/* The app's doors to the TSE (app/fiscal.c).  See app/app_fiscal.h. */
#include "app/app_fiscal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/fiscal.h"

static void on_changed(void *ctx)
{
    struct app *app = ctx;
    app->dirty = 1;
}

int app_fiscal_open(struct app *app, char *err, size_t errlen)
{
    struct fiscal *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    struct fiscal_setup s = { app->loop, app->store, app->cfg, app->s.terminal_id };
    struct fiscal_events ev = { on_changed, app };
    if (fiscal_open(f, &s, &ev, err, errlen)) {
        free(f);
        return -1;
    }
    if (!f->enabled) {
        free(f);
        return 0;
    }
    app->fiscal = f;
    return 0;
}

void app_fiscal_close(struct app *app)
{
    if (!app->fiscal)
        return;
    fiscal_close(app->fiscal);
    free(app->fiscal);
    app->fiscal = NULL;
}

void app_fiscal_recover(struct app *app)
{
    if (!app->fiscal)
        return;
    int n = fiscal_recover(app->fiscal, app->sale->cart.nlines ? app->sale->uuid : NULL);
    if (n > 0)
        app_log(app, "fiscal: %d TSE transaction%s a restart interrupted aborted", n, n == 1 ? "" : "s");
}

void app_fiscal_item_added(struct app *app)
{
    if (app->fiscal)
        fiscal_sale_begin(app->fiscal, app->sale->uuid);
}

int app_fiscal_sale_paid(struct app *app, struct sale *sale)
{
    if (!app->fiscal)
        return 0;
    struct fiscal_receipt r;
    fiscal_sale_finish(app->fiscal, sale, &r);
    if (r.state == FISCAL_PENDING)
        return 1;
    snprintf(sale->fiscal_text, sizeof sale->fiscal_text, "%s", r.text);
    snprintf(sale->fiscal_qr, sizeof sale->fiscal_qr, "%s", r.qr);
    return 0;
}

int app_fiscal_sale_committed(struct app *app, const struct sale *sale)
{
    if (!app->fiscal)
        return STORE_OK;
    return fiscal_sale_committed(app->fiscal, sale);
}

void app_fiscal_sale_cancelled(struct app *app)
{
    if (app->fiscal)
        fiscal_sale_abort(app->fiscal, app->sale->uuid);
}

void app_fiscal_cash_moved(struct app *app, enum cash_kind kind, int64_t amount)
{
    if (!app->fiscal)
        return;
    static const char *const kinds[CASH_KIND_COUNT] = {
        [CASH_PAID_IN] = "paid_in", [CASH_PAID_OUT] = "paid_out", [CASH_DROP] = "drop", [CASH_NO_SALE] = "no_sale",
    };
    if (kind < CASH_KIND_COUNT)
        fiscal_event(app->fiscal, kinds[kind], amount, app->shift.open ? app->shift.current.id : 0, NULL);
}

void app_fiscal_z(struct app *app, int64_t z_number)
{
    /* called after the close: app->shift.current is the shift the Z closed */
    if (app->fiscal)
        fiscal_event(app->fiscal, "z", z_number, app->shift.current.id, NULL);
}

const char *app_fiscal_status(const struct app *app)
{
    return app->fiscal ? app->fiscal->status : NULL;
}
