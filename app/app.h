/* The running till: settings, storage, the open sale and the mode the cashier is in.
 * Screens in ui/ draw this state and call the app_* actions; every business rule lives
 * here or in the pure core, never in ui/. */
#ifndef TILL_APP_H
#define TILL_APP_H

#include <stdint.h>
#include <stdio.h>

#include "src/config.h"
#include "src/loop.h"
#include "core/sale.h"
#include "core/shift_report.h"
#include "core/staff_policy.h"
#include "src/shifts.h"
#include "src/staff.h"
#include "src/settings.h"
#include "src/store.h"
#include "app/age_check.h"
#include "app/card_payment.h"
#include "app/commands.h"
#include "app/modes.h"
#include "app/count_session.h"
#include "app/customer.h"
#include "app/deposit.h"
#include "app/open_cart.h"
#include "app/discount.h"
#include "app/override.h"
#include "app/park.h"
#include "app/price_override.h"
#include "app/promotions.h"
#include "app/returns.h"
#include "app/sale_session.h"
#include "app/stock_lookup.h"
#include "drivers/drawer.h"
#include "drivers/scanner.h"
#include "src/promotions.h"

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
    MODE_PRINT,          /* the printer: its queue, retry, skip, reprint */
    MODE_COUNT_START,    /* stock count: resume an open count or start one (app/count_session.c) */
    MODE_COUNT,          /* stock count: counting */
    MODE_COUNT_REPORT,   /* stock count: the variance report, then submit */
    MODE_UNSAVED,        /* paid, but the save failed: retried until it succeeds */
    MODE_CONFIRM_LARGE,  /* a line or cash far above the usual: is it right? (app_confirm.c) */
    MODE_RETURN_FIND,    /* which receipt is returned against (or items without one) */
    MODE_RETURN,         /* the receipt's lines: pick what comes back */
    MODE_DISCOUNT,       /* a discount on the selected line or the sale */
    MODE_OVERRIDE,       /* a supervisor's pin for what needs one */
    MODE_PARK,           /* a label for the sale being parked */
    MODE_RESUME,         /* the parked sales: pick one to resume */
    MODE_KIOSK,          /* self-checkout: the customer flow of app/kiosk.c */
    MODE_SIGNON,         /* staff id and PIN: nobody signed on, or the screen is locked */
    MODE_APPROVAL,       /* someone allowed approves an action with their PIN (app/authorize.h) */
    MODE_MANAGER,        /* the manager menu: cash, reports, shift, sign-off */
    MODE_OPEN_SHIFT,     /* the opening float */
    MODE_CASH,           /* paid in / paid out / drop: amount, then reason */
    MODE_Z_COUNT,        /* the cash counted in the drawer before the Z */
    MODE_REPORT,         /* an X or Z report on screen */
    MODE_STOCK,          /* stock lookup: synced, and live from the store server (app/stock_lookup.c) */
    MODE_CUSTOMER,       /* find the sale's customer by name or card (app/customer.c) */
    MODE_AGE_CHECK,      /* an age-restricted item: confirm the customer's age (app/age_check.c) */
    MODE_PRICE,          /* a new unit price for the selected line (app/price_override.c) */
};

#define APP_SEARCH_MAX 12

struct sync;
struct kiosk;
struct fiscal;
struct app;

/* Sync with the store server, as the status bar shows it (app/app_sync.c). */
struct app_sync {
    struct sync *engine;        /* NULL when no store server is configured */
    void *log;                  /* FILE * of the log (sync errors and the like) */
    int configured;
    int online;
    int64_t queued;             /* sales waiting in the outbox */
    int64_t last_sync_at;       /* Unix seconds, 0 = never */
    int64_t parked;             /* sales the server rejected: a manager must look */
    int insecure_tls;           /* sync.insecure_tls: warned about on the status bar */
    int64_t now_deadline_ms;    /* till --sync-now gives up after this long */
    char error[200];
    int catalog_loading;        /* a catalog snapshot is on its way in */
    char catalog[96];           /* catalog sync progress for the header, "" when idle */
    char refused[96];           /* "2 catalog rows refused (...)": rows the sync parked, "" when none */
};

/* A directly read scanner (scanner.kind = usb; app/app_scanner.c). */
struct app_scanner {
    struct scanner *dev;        /* NULL for a keyboard wedge */
    char status[48];            /* "scanner connected" / "scanner disconnected" / "" */
};

/* Receipts on the printer and the customer display (app/app_print.c, app/app_display.c). */
struct app_print;
struct app_display;
struct scale;
struct app_printing {
    struct app_print *ctl;      /* the printer and its queue */
    struct app_display *display; /* NULL: no customer display */
    char status[96];            /* "printer: ok", "printer: paper out", "DRAWER OPEN: ..." */
    int64_t queued;             /* print jobs not yet printed */
    int problem;                /* the oldest job failed and waits */
};

/* Receipts a crash, a salvage or an import left unwritten, written newest first on the
 * loop after the start (app/app_storage.c). */
struct app_catch_up {
    uint64_t timer;             /* the next batch; 0 when done */
    int64_t before_id;          /* the next is the newest unspooled sale before this id */
    int64_t total;              /* unspooled at the start */
    int written, failed, removed;
    char status[80];            /* "Writing receipts from before the restart: 123 left"; "" done */
};

/* Product search by name. */
struct app_search {
    struct product results[APP_SEARCH_MAX];
    int stock_known[APP_SEARCH_MAX];     /* each result's stock as last synced */
    int64_t stock[APP_SEARCH_MAX];
    int n;
    int needs_more;             /* typed so far is too short to search */
    int names_not_ready;        /* the name index is still being built: codes only */
};

/* The stock of the selected cart line's item, as the store server last reported it
 * (refreshed by app_take_dirty when the selection or the last sync changes). */
struct app_stock_view {
    char sku[32];
    int64_t synced_at;          /* the sync it was read after */
    int known;                  /* the server reported a level */
    int64_t on_hand;            /* thousandths */
};

/* An action held until the cashier says it is right (MODE_CONFIRM_LARGE, app/app_confirm.c). */
enum app_confirm_kind { CONFIRM_NONE, CONFIRM_ADD_LINE, CONFIRM_SET_QTY, CONFIRM_CASH };
struct app_confirm {
    enum app_confirm_kind kind;
    enum app_mode back;          /* where "no" returns to */
    struct product product;      /* CONFIRM_ADD_LINE, with the GS1 data of its label */
    char code[64];
    char batch[24], serial[24];
    int32_t expiry;
    int expired;
    int64_t qty;                 /* CONFIRM_ADD_LINE, CONFIRM_SET_QTY */
    int64_t tendered;            /* CONFIRM_CASH */
    char question[256];          /* "Add 99999 x Whisky for 3.498.965,01 €?" */
    char reason[160];            /* "more than 100 at once" */
};

/* What cancelling the open sale gives back (captured when it starts, for its messages). */
struct app_cancel {
    int64_t cash, vouchers;      /* to hand back */
    int64_t card_total;          /* approved card payments to reverse */
    int cards, reversed;
};

/* The sale just completed. */
struct app_last_sale {
    char *receipt_text;
    int64_t total, change, receipt_no;
    int64_t cash_out, card_out;   /* a refund: what went back in cash, and to the card */
};

/* A settled sale whose commit failed (disk full, database busy): it stays on screen and is
 * saved again with backoff until it succeeds (app/unsaved_sale.c). */
struct app_unsaved {
    int active;
    int attempts;
    int confirm_cancel;         /* F8 asked: hand back the tenders? */
    uint64_t timer;
    int64_t next_at_ms;         /* loop time of the next automatic attempt */
    char error[STORE_ERRLEN + 64];
};

/* A sale kept for its owner while someone else is signed on (app/staff_session.c). */
struct app_held_sale {
    int used;
    char staff_id[STAFF_ID_MAX];
    struct sale_session sale;
    int card_seq;               /* the card payment references it has used */
};
#define APP_MAX_HELD 8

/* Who is signed on, and what they may do (app/staff_session.c, app/authorize.c).  With
 * no staff in the database (enabled = 0) Till runs as before: no sign-on, no shift, the
 * configured cashier, every permission. */
struct app_staff {
    int enabled;
    int signed_on;
    struct staff_member who;
    struct perm_table perms;
    int64_t idle_lock_ms;       /* 0: never */
    int64_t last_key_ms;        /* loop_now_ms of the last key or scan */
    uint64_t idle_timer;
    char signon_id[STAFF_ID_MAX];   /* typed on the sign-on screen; the PIN comes next */
    char signon_name[STAFF_NAME_MAX]; /* that id's person, for the PIN prompt; "" unknown */
    char hint[160];             /* under the sign-on fields (the demo's PINs) */
    struct app_held_sale *held; /* APP_MAX_HELD of them, on the heap */
};

/* An action waiting for someone's approval (app/authorize.c). */
struct app_approval {
    enum perm perm;
    char what[96];              /* "void Whole Milk 1L after subtotal" */
    void (*granted)(struct app *app, const struct staff_member *approver, void *ctx);
    void *ctx;
    char approver_id[STAFF_ID_MAX];  /* typed; the PIN comes next */
    char approver_name[STAFF_NAME_MAX]; /* that id's person, for the PIN prompt; "" unknown */
};

/* The open shift and the cash and report dialogs (app/shift.c). */
struct app_shift {
    int open;
    struct shift current;
    enum cash_kind kind;        /* MODE_CASH: which movement */
    int64_t amount;             /* MODE_CASH: typed, waiting for the reason */
    int have_amount;
    char approved_by[STAFF_ID_MAX]; /* the override that allowed it, if any */
    char *report_text;          /* MODE_REPORT */
    int report_is_z;
    int eod_waiting;            /* the Z waits for the payment terminal's end-of-day */
    uint64_t eod_timer;         /* shift.eod_timeout_ms: then the Z goes on without it */
};

struct app {
    struct config *cfg;
    struct settings s;
    struct loop *loop;
    struct store *store;

    enum app_mode mode;             /* the top of the mode stack (app/modes.h) */
    struct app_mode_stack modes;    /* the modes below it */
    struct sale_session *sale;      /* the open sale (on the heap, as the big parts below) */
    struct card_payment *card;
    struct fiscal *fiscal;          /* Germany's TSE (app/fiscal.h); NULL without [fiscal] */
    struct app_search search;
    struct app_last_sale last;
    struct drawer *drawer;
    struct scale *scale;            /* the checkout scale (app/app_scale.h); NULL: weights are typed */
    struct app_sync sync;
    struct app_scanner scanner;
    struct app_printing printing;
    struct app_catch_up catch_up;
    struct count_session count;
    struct app_stock_view stock;
    struct stock_lookup lookup;
    struct app_unsaved unsaved;
    struct app_confirm confirm;
    struct app_cancel cancel;
    struct app_returns *ret;
    struct app_discount discount;
    struct app_override override;
    struct app_park park;
    struct kiosk *kiosk;        /* NULL unless in self-checkout kiosk mode (app/kiosk.c) */
    struct app_staff staff;
    struct app_approval approval;
    struct app_shift shift;
    struct promo_set *promos;       /* what the open sale's items can meet (app/promotions.c) */
    struct app_customer customer;
    struct app_age age;
    struct app_open_cart open_cart; /* the open sale as last saved (app/open_cart.c) */
    struct app_command cmd;         /* the command at the door (app/commands.h) */

    char message[256];
    int message_is_error;
    unsigned errors;            /* error messages so far: the front end alerts on a new one */
    int quit_after_cancel;      /* quitting waits for the card reversals of the cancel */
    int quit;                   /* the app is done: the front end stops the loop */
    int dirty;                  /* state changed: redraw */
    int one_shot;               /* a command-line one-shot (--sync-now): no start/stop audit rows */
};

int app_init(struct app *app, struct config *cfg, struct loop *loop, char *err, size_t errlen);
/* As app_init, for a one-shot without a screen (till --sync-now, --retry): not a session of
 * the till, so its start and stop are not audited (else every drain would leave its own
 * "stop" row queued for the next). */
int app_init_one_shot(struct app *app, struct config *cfg, struct loop *loop, char *err, size_t errlen);
/* Sync with the store server (app/app_sync.c): started by app_init when sync.url is set. */
int app_open_sync(struct app *app, char *err, size_t errlen);
void app_close_sync(struct app *app);
int app_retry_parked(struct app *app, const char *key);  /* 1: no parked order with that key */
void app_log(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void app_free(struct app *app);

void app_set_message(struct app *app, int is_error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Who the audit log names: the signed-on staff member's id (store.cashier on a till
 * without staff). */
const char *app_actor_id(const struct app *app);
/* One audit row in the actor's name. */
void app_audit(struct app *app, const char *event, const char *detail);
/* 1 when the app's state changed since the last call (the front end redraws). */
int app_take_dirty(struct app *app);

/* Sale screen: Enter on the input line with text. "3*" sets a multiplier; "3*CODE" adds 3
 * of CODE; anything else is looked up as a barcode. */
int app_submit_input(struct app *app, const char *text);
/* A complete scan from a scanner (USB or keyboard wedge), whatever the mode: the sale
 * screen adds it, a search dialog gives way to it, other dialogs refuse it with a message. */
int app_scan(struct app *app, const char *code);
/* Adds a scanned code to the open sale, whatever the mode (the kiosk's flow decides when). */
int app_add_scan(struct app *app, const char *code);
/* Esc on the sale screen: forget a "3*" typed for the next scan. */
void app_clear_pending_qty(struct app *app);
void app_select_line(struct app *app, int delta);
int app_void_selected(struct app *app);
void app_open_mode(struct app *app, enum app_mode mode);
/* Esc in a dialog: closed, and its instructions leave the message line with it (an error
 * stays). */
void app_dialog_cancel(struct app *app);
void app_close_dialog(struct app *app);
int app_submit_qty(struct app *app, const char *text);
int app_submit_weight(struct app *app, const char *text);
/* Adds app->sale->weighed with this weight (the scale's or a typed one); 0 added, -1 refused
 * (MODE_WEIGHT stays for another weight), 1 held for a question. */
int app_add_weighed(struct app *app, int64_t grams);
void app_search_update(struct app *app, const char *text);
/* Adds search result index to the sale. */
int app_search_choose(struct app *app, int index);
/* Pay in cash: text is the amount tendered, empty means the exact amount; less than due is
 * a partial cash payment and the balance stays open. */
int app_pay_cash(struct app *app, const char *text);
/* Card for the amount typed (empty = the balance) on the first terminal. */
int app_pay_card(struct app *app, const char *text);
int app_pay_voucher(struct app *app, const char *text);
/* Esc while a card payment runs: ask the terminal to abort. */
int app_abort_card(struct app *app);
/* CARD_FAILOVER: use the next terminal, or (dismiss) pay another way. */
int app_card_failover(struct app *app);
int app_card_failover_dismiss(struct app *app);
/* CARD_UNKNOWN: ask the terminal again, or take the cashier's word from its receipt. */
int app_card_enquire(struct app *app);
int app_card_resolve(struct app *app, int approved_on_receipt);
/* Start-up: open intents from the journal are resolved before selling (MODE_RECOVER). */
void app_recover_start(struct app *app);
int app_recover_resolve(struct app *app, int approved_on_receipt);
/* The card-payment controller and its terminals (app/app_payment.c). */
int app_open_terminals(struct app *app, char *err, size_t errlen);
void app_close_terminals(struct app *app);
/* scanner.kind = usb: opens and starts the scanner driver (app/app_scanner.c).  Only a
 * configuration error fails; a missing scanner is a status and is looked for again. */
int app_open_scanner(struct app *app, char *err, size_t errlen);
void app_close_scanner(struct app *app);
/* Staff (app/staff_session.c): reads staff.* and permissions.*, seeds the demo's staff
 * and shift (staff.demo), and decides whether this till signs people on. */
int app_open_staff(struct app *app, char *err, size_t errlen);
void app_close_staff(struct app *app);
/* The name sales and the header show: the signed-on staff member's, or store.cashier. */
const char *app_cashier_name(const struct app *app);
/* Sign-on screen, Enter: the staff id first, then the PIN. */
int app_signon_submit(struct app *app, const char *text);
/* Esc on the sign-on screen: back to the staff id. */
void app_signon_back(struct app *app);
/* Sign off (or lock, the same): the open sale is kept for its owner; whoever signs on
 * next gets their own kept sale back, or a new one.  -1 while payments are being taken. */
int app_sign_off(struct app *app);
/* A key or scan: the idle lock starts counting again. */
void app_note_activity(struct app *app);
/* Shifts and cash (app/shift.c). */
int app_open_shift(struct app *app, const char *float_text);
/* Manager menu items: each is a command (app/commands.h), which checks its permission
 * (override when lacking). */
void app_start_cash(struct app *app, enum cash_kind kind);
/* MODE_CASH, Enter: the amount first, then the reason (empty is allowed for a drop). */
int app_cash_submit(struct app *app, const char *text);
/* No sale with staff, once allowed (the "no-sale" command): a cash movement of the shift,
 * the drawer; approver NULL when the signed-on person holds the permission. */
int app_shift_no_sale(struct app *app, const struct staff_member *approver);
int app_x_report(struct app *app);
void app_start_z(struct app *app);
/* MODE_Z_COUNT, Enter: the counted cash; closes the shift with the next Z number. */
int app_z_submit(struct app *app, const char *counted_text);
/* Start-up: a Z a crash interrupted is finished (the terminal's end-of-day as far as it
 * was kept); 1 when one was, 0 when none was under way, -1 on a storage error. */
int app_z_resume(struct app *app);
/* A cancelled sale of value counts in the shift's report. */
void app_shift_count_cancel(struct app *app, int64_t value);
void app_close_report(struct app *app);
/* Writes text to NAME in the spool directory, atomically (temp file, fsync, rename). */
int app_spool_write(struct app *app, const char *name, const char *text, char *err, size_t errlen);
/* Where the till rests: the sign-on screen while nobody is signed on, else the sale. */
enum app_mode app_home_mode(const struct app *app);
/* Completes the open sale once the tender is settled (internal to app/). */
int app_complete_sale(struct app *app);
/* Cancels the open sale; approved card payments are reversed first (asynchronously). */
int app_cancel_sale(struct app *app);
/* Cancelling is complete (internal to app/: called when the last card is reversed). */
void app_cancel_sale_now(struct app *app);
/* What cancelling the open sale now would do, as one sentence for the confirmation
 * ("The card payment of 20,00 € will be reversed; hand back 5,00 € cash."). */
void app_cancel_consequences(const struct app *app, char *buf, size_t len);
/* MODE_CONFIRM_LARGE: the held action goes ahead (yes) or is dropped (no). */
int app_confirm_yes(struct app *app);
void app_confirm_no(struct app *app);
/* Internal to app/ (app_confirm.c): 1 when the line or the cash must be confirmed first;
 * the action is then held and the mode is MODE_CONFIRM_LARGE. */
int app_confirm_line(struct app *app, const struct product *p, const char *code, int64_t qty,
                     int line, enum app_mode back);
int app_confirm_cash(struct app *app, int64_t tendered);
/* Internal to app/: add a line / take cash without asking (what "yes" runs). */
int app_add_line(struct app *app, const struct product *p, const char *code, int64_t qty);
/* GS1 data from a label onto the line just added (an expired item is flagged). */
void app_mark_label(struct app *app, const char *batch, const char *serial, int32_t expiry, int expired);
int app_set_line_qty(struct app *app, int line, int64_t qty);
int app_take_cash(struct app *app, int64_t tendered);
/* Internal to app/: why the cashier's text is not a number with at most decimals fraction
 * digits (rc from money_parse or qty_parse): "'1.2345' has more than 3 decimals". */
void app_number_problem(const char *text, int rc, int decimals, char *buf, size_t len);
/* Amount still to pay on the open sale. */
int64_t app_amount_due(const struct app *app);
void app_next_sale(struct app *app);
/* F10 / Ctrl-C: 1 when Till may stop now; with an open sale it asks first (MODE_CONFIRM_QUIT)
 * and returns 0. */
int app_request_quit(struct app *app);
/* "Yes" to quitting with an open sale: cancels it, then quits.  1 when Till may stop now;
 * 0 while card payments are being reversed (app->quit is set when they are). */
int app_quit_cancelling_sale(struct app *app);

/* A failed save (app/unsaved_sale.c).  app_complete_sale calls begin on failure and end
 * on success; the sale is tried again on a timer with backoff and by app_unsaved_retry (a
 * key).  Cancelling hands back every tender: cards are reversed, cash and vouchers are
 * listed for the cashier to give back (app_unsaved_ask_cancel, then app_unsaved_cancel). */
void app_unsaved_begin(struct app *app, const char *why);
void app_unsaved_end(struct app *app);
int app_unsaved_retry(struct app *app);
void app_unsaved_ask_cancel(struct app *app, int ask);
int app_unsaved_cancel(struct app *app);
/* What the cashier hands back when cancelling: "5,00 € cash, 2,00 € voucher; card ...". */
void app_unsaved_handback_text(const struct app *app, char *buf, size_t len);
/* 1 (with a message) when an unsaved sale forbids `what` (quit). */
int app_unsaved_refuses(struct app *app, const char *what);
/* Stopping with a sale not saved: one more attempt, and the log says what was lost. */
void app_unsaved_last_try(struct app *app);

/* The database and spool at start-up (app/app_storage.c): directories writable, the
 * integrity check, the receipts a crash left unwritten.  A damaged database refuses sales. */
int app_storage_writable(struct app *app, const char *db_dir, char *err, size_t errlen);
int app_storage_check(struct app *app, char *err, size_t errlen);
/* Receipts of sales a crash left without their spool file (and print job), temporary
 * files removed; the audit log says how many.  After the printer is open.  Returns at
 * once: the receipts are written newest first, a few per turn of the loop, while
 * app->catch_up.status says so on the status line.  The newest of them (its receipt never
 * reached the screen before the crash) is offered to the cashier: app_storage_offer_recovered. */
void app_storage_catch_up(struct app *app);
/* After every other recovery at start: tells the cashier "Sale N was completed before the
 * restart" and shows its receipt (reprint: F6), when receipt_no is not 0. */
void app_storage_offer_recovered(struct app *app, int64_t receipt_no);
int app_receipt_spooled(struct app *app, const char *uuid);
int app_storage_refuses_sale(struct app *app);

#endif
