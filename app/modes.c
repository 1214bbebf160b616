/* The modes' descriptors and the mode stack (see app/modes.h). */
#include "app/modes.h"

#include <string.h>

#include "app/app.h"
#include "app/app_print.h"
#include "app/authorize.h"
#include "app/count_session.h"
#include "app/returns.h"
#include "app/stock_lookup.h"

/* ---------------------------------------------------------------- scans --- */

static int scan_sell(struct app *app, const char *code)
{
    return app_command(app, "sell", code, DOOR_SCAN);
}

/* A search or the help gives way to a scan: it sells. */
static int scan_closes_dialog(struct app *app, const char *code)
{
    app->mode = MODE_SALE;
    return scan_sell(app, code);
}

/* The receipt of the sale just done: a scan starts the next sale with it. */
static int scan_next_sale(struct app *app, const char *code)
{
    app_next_sale(app);
    if (app_mode_ops(app->mode)->scan == scan_sell)
        return scan_sell(app, code);
    app_set_message(app, 1, "Scan of %.40s ignored: sign on first", code);
    return -1;
}

/* A reason code scanned from the store's list, once the amount is typed. */
static int scan_cash_reason(struct app *app, const char *code)
{
    if (!app->shift.have_amount) {
        app_set_message(app, 1, "Scan of %.40s ignored: type the amount first", code);
        return -1;
    }
    return app_cash_submit(app, code);
}

/* ------------------------------------------------------------- the table --- */

/* A staff badge or a PIN typed fast is input to the sign-on and approval dialogs, never
 * shown in a message; a receipt's barcode reprints it or is returned against. */
static const struct app_mode_ops modes[] = {
    [MODE_SALE] = { "sale", scan_sell, NULL },
    [MODE_QTY] = { "quantity", NULL, NULL },
    [MODE_WEIGHT] = { "weight", NULL, NULL },
    [MODE_SEARCH] = { "search", scan_closes_dialog, NULL },
    [MODE_PAY] = { "pay", NULL, NULL },
    [MODE_RECEIPT] = { "receipt", scan_next_sale, NULL },
    [MODE_CONFIRM_CANCEL] = { "confirm-cancel", NULL, NULL },
    [MODE_CONFIRM_QUIT] = { "confirm-quit", NULL, NULL },
    [MODE_HELP] = { "help", scan_closes_dialog, NULL },
    [MODE_RECOVER] = { "recover", NULL, NULL },
    [MODE_PRINT] = { "print", app_print_reprint_code, NULL },
    [MODE_COUNT_START] = { "count-start", NULL, NULL },
    [MODE_COUNT] = { "count", app_count_scan, app_count_submit_input },
    [MODE_COUNT_REPORT] = { "count-report", NULL, NULL },
    [MODE_UNSAVED] = { "unsaved", NULL, NULL },
    [MODE_CONFIRM_LARGE] = { "confirm-large", NULL, NULL },
    [MODE_RETURN_FIND] = { "return-find", app_return_lookup, NULL },
    [MODE_RETURN] = { "return", NULL, NULL },
    [MODE_DISCOUNT] = { "discount", NULL, NULL },
    [MODE_OVERRIDE] = { "override", NULL, NULL },
    [MODE_PARK] = { "park", NULL, NULL },
    [MODE_RESUME] = { "resume", NULL, NULL },
    [MODE_KIOSK] = { "kiosk", NULL, NULL },
    [MODE_SIGNON] = { "signon", app_signon_submit, NULL },
    [MODE_APPROVAL] = { "approval", app_approval_submit, NULL },
    [MODE_MANAGER] = { "manager", NULL, NULL },
    [MODE_OPEN_SHIFT] = { "open-shift", NULL, NULL },
    [MODE_CASH] = { "cash", scan_cash_reason, NULL },
    [MODE_Z_COUNT] = { "z-count", NULL, NULL },
    [MODE_REPORT] = { "report", NULL, NULL },
    [MODE_STOCK] = { "stock", app_stock_lookup_code, NULL },
    [MODE_CUSTOMER] = { "customer", NULL, NULL },
    [MODE_AGE_CHECK] = { "age-check", NULL, NULL },
    [MODE_PRICE] = { "price", NULL, NULL },
};

const struct app_mode_ops *app_mode_ops(int mode)
{
    static const struct app_mode_ops unknown = { "unknown", NULL, NULL };
    if (mode >= 0 && (size_t)mode < sizeof modes / sizeof modes[0] && modes[mode].name)
        return &modes[mode];
    return &unknown;
}

/* ----------------------------------------------------------------- stack --- */

void app_mode_push(struct app *app, int mode)
{
    struct app_mode_stack *st = &app->modes;
    if (st->depth == APP_MODE_STACK) {   /* the oldest is forgotten */
        memmove(st->below, st->below + 1, sizeof st->below[0] * (APP_MODE_STACK - 1));
        st->depth--;
    }
    st->below[st->depth++] = (int)app->mode;
    app->mode = (enum app_mode)mode;
    app->dirty = 1;
}

void app_mode_pop(struct app *app)
{
    struct app_mode_stack *st = &app->modes;
    app->mode = st->depth ? (enum app_mode)st->below[--st->depth] : app_home_mode(app);
    app->dirty = 1;
}

void app_mode_reset(struct app *app)
{
    app->modes.depth = 0;
}
