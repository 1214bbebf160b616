/* The running till: settings, storage, the open sale and the mode the cashier is in.
 * Screens in ui/ draw this state and call the app_* actions; every business rule lives
 * here or in the pure core, never in ui/. */
#ifndef TILL_APP_H
#define TILL_APP_H

#include <stdint.h>
#include <stdio.h>

#include "core/cart.h"
#include "src/config.h"
#include "src/loop.h"
#include "core/sale.h"
#include "src/settings.h"
#include "src/store.h"
#include "core/tender.h"
#include "src/payment_journal.h"
#include "drivers/payment_terminal.h"
#include "drivers/drawer.h"
#include "drivers/scanner.h"

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
    MODE_RECOVER,        /* card payments interrupted by a crash are being resolved */
};

/* Where a card payment stands (MODE_PAY and MODE_RECOVER). */
enum pay_state {
    PAY_IDLE,
    PAY_WAITING,     /* a request is with a terminal */
    PAY_UNKNOWN,     /* it may have been charged: ask the terminal again, or the cashier */
    PAY_FAILOVER,    /* the terminal was not reached: offer the next one */
    PAY_REVERSING,   /* reversing approved card payments (cancel, recovery) */
};

#define APP_MAX_TERMINALS 4
#define APP_MAX_RECOVER 16

struct app;
struct sync;
struct app_terminal {
    char name[32];
    struct payment_terminal *pt;
    struct app *app;
};

#define APP_INPUT_MAX 128
#define APP_SEARCH_MAX 12

struct app_status {
    int sync_configured;
    int online;
    int64_t queued;          /* sales waiting in the outbox */
    int64_t last_sync_at;    /* Unix seconds, 0 = never */
    int64_t parked;          /* sales the server rejected: a manager must look (F9) */
    char sync_error[200];
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
    struct tender_state tender;
    int selected;               /* selected cart line, -1 none */
    int64_t pending_qty;        /* from "3*": applies to the next scan */
    struct product weighed;     /* waiting for a weight (MODE_WEIGHT) */
    char weighed_barcode[64];

    /* Search results. */
    struct product results[APP_SEARCH_MAX];
    int nresults, result_sel;
    int search_needs_more;      /* typed so far is too short to search */

    /* The sale just completed. */
    char *receipt_text;
    int64_t last_total, last_change, last_receipt_no;
    int receipt_scroll;

    /* Payment terminals, in priority order, and the card payment in progress. */
    struct app_terminal terminals[APP_MAX_TERMINALS];
    int nterminals;
    enum pay_state pay_state;
    int pay_terminal;
    int64_t pay_amount;
    int pay_seq;
    char pay_reference[48];
    char pay_status[128];
    int cancel_when_reversed;
    struct payment_intent recover[APP_MAX_RECOVER];
    int nrecover, recover_idx;
    struct drawer *drawer;
    struct sync *sync;          /* NULL when no store server is configured */
    void *log;                  /* FILE * of the log (sync errors and the like) */
    struct scanner *scanner;    /* scanner.kind = usb; NULL for a keyboard wedge */

    char message[256];
    int message_is_error;
    struct app_status status;
    int quit;
    int dirty;                  /* state changed: redraw */
};

int app_init(struct app *app, struct config *cfg, struct loop *loop, char *err, size_t errlen);
/* Sync with the store server (app/app_sync.c): started by app_init when sync.url is set. */
int app_open_sync(struct app *app, char *err, size_t errlen);
void app_close_sync(struct app *app);
int app_retry_parked(struct app *app, const char *key);  /* 1: no parked order with that key */
void app_log(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
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
/* Pay in cash: the input holds the amount tendered, empty means the exact amount; less
 * than due is a partial cash payment and the balance stays open. */
int app_pay_cash(struct app *app);
/* Card for the amount typed (empty = the balance) on the first terminal. */
int app_pay_card(struct app *app);
int app_pay_voucher(struct app *app);
/* Esc while a card payment runs: ask the terminal to abort. */
int app_abort_card(struct app *app);
/* PAY_FAILOVER: use the next terminal. */
int app_card_failover(struct app *app);
/* PAY_UNKNOWN: ask the terminal again, or take the cashier's word from its receipt. */
int app_card_enquire(struct app *app);
int app_card_resolve(struct app *app, int approved_on_receipt);
/* Start-up: open intents from the journal are resolved before selling (MODE_RECOVER). */
void app_recover_start(struct app *app);
int app_recover_resolve(struct app *app, int approved_on_receipt);
int app_open_terminals(struct app *app, char *err, size_t errlen);
void app_close_terminals(struct app *app);
/* scanner.kind = usb: opens and starts the scanner driver (app/app_scanner.c).  Only a
 * configuration error fails; a missing scanner is a status and is looked for again. */
int app_open_scanner(struct app *app, char *err, size_t errlen);
void app_close_scanner(struct app *app);
/* Completes the open sale once the tender is settled (internal to app/). */
int app_complete_sale(struct app *app);
/* Starts reversing the sale's approved card payments, then cancels it. */
int app_reverse_cards_then_cancel(struct app *app);
int app_cancel_sale(struct app *app);
/* Amount still to pay on the open sale. */
int64_t app_amount_due(const struct app *app);
void app_next_sale(struct app *app);
void app_request_quit(struct app *app);

#endif
