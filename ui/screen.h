/* Screens and dialogs as descriptors (like tmux's window modes): each screen file exports a
 * `const struct screen` that draws the app's state, handles keys by calling app actions,
 * and names its keys in a bindings table.  The footer, the F1 help and the key hints in a
 * dialog are all generated from those tables, so a key shown is a key that works.
 * UI-only state (the input line, scroll positions, wedge bursts) lives in struct ui. */
#ifndef TILL_UI_SCREEN_H
#define TILL_UI_SCREEN_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "app/app.h"
#include "core/denomination.h"
#include "core/wedge.h"

/* What a key handler did (flags). */
enum { UI_IGNORED = 0, UI_HANDLED = 1, UI_REDRAW = 2, UI_QUIT = 4 };

#define UI_INPUT_MAX 128

/* An input event: a character (is_key = 0) or an ncurses KEY_* code (is_key = 1). */
struct ui_key {
    wint_t code;
    int is_key;
};

struct ui {
    struct app *app;
    const struct screen *screen;   /* the active screen */
    enum app_mode mode;            /* the app mode it was entered for */
    char input[UI_INPUT_MAX];      /* what the cashier is typing in the current field */
    int result_sel;                /* search: the highlighted result */
    int receipt_scroll;            /* receipt: first line shown */
    int show_help;                 /* full screens (stock count): F1 help over the screen */
    int quit;                      /* stop the loop */
    int dirty;                     /* UI state changed: redraw */
    long last_minute;              /* the clock in the header */
    unsigned errors_alerted;       /* app->errors already signalled ([ui] alert) */
    int sub_screen;                /* a screen's own sub-screen (the kiosk's step) */
    struct {                       /* the cash screen counting by note and coin (F2) */
        int active;
        struct denom_count count;
    } denom;
    struct {                       /* keyboard-wedge scans (see ui.c) */
        struct wedge_config cfg;
        struct wedge_burst burst;
        uint64_t timer;
    } wedge;
};

/* A key, what it does and how it is shown.  key_name NULL hides an alias (Y for y) from
 * the footer and the help; help NULL leaves it out of the help and dialog hints.  A
 * binding names a command (app/commands.h) and leaves run NULL: the key goes through the
 * command's one door like every other way to the same action. */
struct binding {
    wint_t code;
    int is_key;
    const char *key_name;          /* "F5", "Enter", "Up/Down" */
    const char *label;             /* in the footer: "Pay" */
    const char *help;              /* in F1 help and dialog hints: "pay: cash, card or voucher" */
    int (*run)(struct ui *ui, struct app *app);   /* UI_* flags; NULL: run command */
    const char *command;           /* app_command's name, when run is NULL */
    unsigned when;                 /* BIND_* : the tills it is bound on (0: all) */
};

/* A binding row names only what it uses: a key with a handler leaves command and when out. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* A control key as typed: CTRL('D') is 4 (<sys/ttydefaults.h> has the same one). */
#ifndef CTRL
#define CTRL(c) ((c) & 0x1f)
#endif
enum { BIND_STAFF = 1, BIND_NO_STAFF = 2 };

struct bindings {
    const struct binding *keys;
    size_t n;
};
#define BINDINGS(table) ((struct bindings){ (table), sizeof(table) / sizeof((table)[0]) })
#define NO_BINDINGS ((struct bindings){ NULL, 0 })

struct screen {
    const char *name;
    void (*enter)(struct ui *ui, struct app *app);      /* may be NULL */
    void (*leave)(struct ui *ui, struct app *app);      /* may be NULL */
    /* Draws over the sale screen; returns 1 when it placed the cursor in a field. */
    int (*draw)(const struct ui *ui, const struct app *app);
    /* UI_* flags; unbound keys usually go to the screen's input field. */
    int (*key)(struct ui *ui, struct app *app, struct ui_key k);
    void (*resize)(struct ui *ui, const struct app *app);  /* may be NULL */
    /* The keys that work now (they may depend on the state, e.g. a card payment's). */
    struct bindings (*bindings)(const struct app *app);
    int full_screen;               /* draws the whole screen: no sale underneath */
};

extern const struct screen screen_sale;
extern const struct screen screen_payment;
extern const struct screen screen_search;
extern const struct screen screen_customer;
extern const struct screen screen_age;
extern const struct screen screen_prompt;   /* quantity and weight */
extern const struct screen screen_confirm;  /* cancel sale, quit */
extern const struct screen screen_receipt;
extern const struct screen screen_help;
extern const struct screen screen_recover;
extern const struct screen screen_print;    /* the printer: queue, retry, reprint */
extern const struct screen screen_count_start;  /* stock count: start or resume */
extern const struct screen screen_count;        /* stock count: counting */
extern const struct screen screen_count_report; /* stock count: variance report */

/* The count screens' header bar and a quantity in the store's style (ui/screen_count.c). */
void count_draw_header(const struct app *app, const char *title);
void count_qty_text(const struct app *app, enum unit unit, int64_t qty, char *buf, size_t len);
/* F1 on a count screen: its keys in a box over it until the next key (ui->show_help). */
void count_draw_help(struct bindings b, const char *title);
/* A key while the help is shown closes it (UI_REDRAW); UI_IGNORED otherwise. */
int count_help_key(struct ui *ui);
extern const struct screen screen_unsaved;  /* paid, not saved yet: retried */
extern const struct screen screen_return;    /* receipt, then its lines */
extern const struct screen screen_discount;
extern const struct screen screen_override;  /* supervisor PIN */
extern const struct screen screen_park;      /* park label, parked sales */
/* Self-checkout (MODE_KIOSK): one screen per step of the customer's flow. */
extern const struct screen screen_kiosk;
extern const struct screen screen_kiosk_welcome, screen_kiosk_scan, screen_kiosk_review,
    screen_kiosk_pay, screen_kiosk_receipt, screen_kiosk_thanks, screen_kiosk_blocked,
    screen_kiosk_pin, screen_kiosk_attendant, screen_kiosk_closed;
extern const struct screen screen_signon;   /* sign-on and the locked screen */
extern const struct screen screen_approval; /* someone allowed approves (app/authorize.h) */
extern const struct screen screen_manager;  /* F9: cash, reports, shift, sign-off */
extern const struct screen screen_cash;     /* float, paid in/out, drop, counted cash */
extern const struct screen screen_report;   /* X and Z reports */
extern const struct screen screen_stock;    /* stock lookup: synced and live */

/* keys.sale = COMMAND:KEY, ...: the sale screen's keys moved (F1..F12, Ctrl-A..Ctrl-Z);
 * 0, or -1 with err (an unknown command or key, two actions on one key). */
int ui_rebind_sale_keys(const char *spec, char *err, size_t errlen);

/* The one table from app modes to screens (ui/ui.c). */
const struct screen *screen_for_mode(enum app_mode mode);

/* Bindings (ui/bindings.c). */
/* Runs the binding for k, if any: its flags, or UI_IGNORED. */
int bindings_dispatch(struct bindings b, struct ui *ui, struct app *app, struct ui_key k);
/* "F1 Help  F2 Qty ..." */
void bindings_footer(struct bindings b, char *buf, size_t len);
/* "Enter: confirm   Esc: cancel", for a line inside a small dialog. */
void bindings_hint_line(struct bindings b, char *buf, size_t len);
/* How many bindings have a help text. */
int bindings_help_count(struct bindings b);
/* Draws "KEY   help" lines (in a column key_width wide; 0: "KEY: help") from row y;
 * returns the number of rows drawn. */
int draw_bindings_help(struct bindings b, int y, int x, int width, int key_width);

/* Drawing helpers (ui/draw.c). */
enum { COLOR_HEADER = 1, COLOR_ERROR, COLOR_OK, COLOR_SELECTED, COLOR_DIALOG, COLOR_TOTAL };
void draw_text(int y, int x, int width, const char *s);
void draw_text_right(int y, int x_end, const char *s);
/* Writes s in at most width columns; a longer text is cut at the last sep ("  " between
 * footer keys, " " between words) that leaves room for an ellipsis, never mid-word. */
void draw_text_fit(int y, int x, int width, const char *s, const char *sep);
/* A framed box centred on the screen; returns its top-left corner. */
void draw_dialog(int h, int w, const char *title, int *top, int *left);
void draw_dialog_at(int y, int h, int w, const char *title, int *top, int *left);
/* A dialog that leaves the sale's totals, the message line and below in view: rows 1 to
 * LINES - 6 (dialog_rows_above_totals() of them; h is cut to that). */
int dialog_rows_above_totals(void);
void draw_dialog_above_totals(int h, int w, const char *title, int *top, int *left);
void draw_field(int y, int x, int width, const char *label, const char *value);
/* Line editing on buf: printable characters append, Backspace deletes, Ctrl-U clears. */
int field_edit(char *buf, size_t len, struct ui_key k);
int key_is_enter(struct ui_key k);
int key_is_escape(struct ui_key k);
int text_columns(const char *s);

#endif
