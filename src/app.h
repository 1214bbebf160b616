/* The running till: settings, storage, the open sale and the mode the cashier is in.
 * Screens in ui/ draw this state and call the app_* actions; every business rule lives
 * here or in the pure core, never in ui/. */
#ifndef TILL_APP_H
#define TILL_APP_H

#include <stdint.h>

#include "cart.h"
#include "config.h"
#include "loop.h"
#include "sale.h"
#include "settings.h"
#include "store.h"

enum app_mode {
    MODE_SALE,           /* scanning into the cart */
    MODE_QTY,            /* new quantity for the selected line */
    MODE_WEIGHT,         /* weight for an item sold by kg */
    MODE_SEARCH,         /* product search by name */
    MODE_PAY,            /* payment dialog */
    MODE_RECEIPT,        /* sale done: change and receipt */
    MODE_CONFIRM_CANCEL, /* cancel the open sale? */
    MODE_CONFIRM_QUIT,   /* quit with items in the cart? */
    MODE_HELP,
};

#define APP_INPUT_MAX 128
#define APP_SEARCH_MAX 12

struct app_status {
    int sync_configured;
    int online;
    int64_t queued;          /* sales waiting in the outbox */
    int64_t last_sync_at;    /* Unix seconds, 0 = never */
    char scanner[48];        /* "scanner connected" / "scanner disconnected" / "" */
};

struct app {
    struct config *cfg;
    struct settings s;
    struct loop *loop;
    struct store *store;

    enum app_mode mode;
    char input[APP_INPUT_MAX];  /* what the cashier is typing in the current field */

    /* The open sale. */
    struct cart cart;
    char sale_uuid[40];
    int64_t sale_started_at;
    struct payment payments[SALE_MAX_PAYMENTS];
    int npayments;
    int selected;               /* selected cart line, -1 none */
    int64_t pending_qty;        /* from "3*": applies to the next scan */
    struct product weighed;     /* waiting for a weight (MODE_WEIGHT) */
    char weighed_barcode[64];

    /* Search results. */
    struct product results[APP_SEARCH_MAX];
    int nresults, result_sel;

    /* The sale just completed. */
    char *receipt_text;
    int64_t last_total, last_change, last_receipt_no;
    int receipt_scroll;

    char message[256];
    int message_is_error;
    struct app_status status;
    int quit;
    int dirty;                  /* state changed: redraw */
};

int app_init(struct app *app, struct config *cfg, struct loop *loop, char *err, size_t errlen);
void app_free(struct app *app);

void app_set_message(struct app *app, int is_error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sale screen: Enter on the input line. "3*" sets a multiplier; "3*CODE" adds 3 of CODE;
 * anything else is looked up as a barcode. */
int app_submit_input(struct app *app);
/* A complete scan from a scanner (USB or keyboard wedge), whatever the mode: the sale
 * screen adds it, a search dialog gives way to it, other dialogs refuse it with a message. */
int app_scan(struct app *app, const char *code);
/* A keyboard-wedge burst: on the sale screen it completes what is on the input line
 * (so "3*" typed by hand, then a scan, sells three). */
int app_scan_burst(struct app *app, const char *code);
void app_select_line(struct app *app, int delta);
int app_void_selected(struct app *app);
void app_open_mode(struct app *app, enum app_mode mode);
void app_close_dialog(struct app *app);
int app_submit_qty(struct app *app);
int app_submit_weight(struct app *app);
void app_search_update(struct app *app);
int app_search_choose(struct app *app);
/* Pay in cash: the input holds the amount tendered, empty means the exact amount. */
int app_pay_cash(struct app *app);
int app_cancel_sale(struct app *app);
/* Amount still to pay on the open sale. */
int64_t app_amount_due(const struct app *app);
void app_next_sale(struct app *app);
void app_request_quit(struct app *app);

#endif
