/* Self-checkout kiosk mode (`till --kiosk`, kiosk.enabled = yes): the same sale session,
 * database, card-payment controller and sync as the cashier's till, driven by a locked-down
 * customer flow (core/kiosk_flow.c): welcome, scan, review, pay by card, receipt, thank
 * you.  An attendant, called by the customer or by an item that needs approval, unlocks a
 * menu with a PIN; nothing else leaves the flow.  The app stays in MODE_KIOSK throughout;
 * the screens (ui/screen_kiosk*.c) draw the step and call the kiosk_* actions. */
#ifndef TILL_APP_KIOSK_H
#define TILL_APP_KIOSK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/kiosk_flow.h"

struct app;

/* The few keys a customer needs; kiosk.keys maps each to one key of a small keypad. */
enum kiosk_key_action { KIOSK_KEY_OK, KIOSK_KEY_BACK, KIOSK_KEY_HELP, KIOSK_KEY_STAFF, KIOSK_KEY_LANGUAGE, KIOSK_NKEYS };

struct kiosk_key {
    int ch;          /* the character ('\r' for Enter), when fn is 0 */
    int fn;          /* 1..12: function key Fn */
    char name[8];    /* as shown on the screen: "1", "Enter", "F1" */
};

/* Where the card payment stands, in the customer's terms. */
enum kiosk_pay {
    KIOSK_PAY_NONE,
    KIOSK_PAY_WAITING,    /* the terminal is working: its prompts are shown */
    KIOSK_PAY_DECLINED,   /* not accepted, nothing charged: try again or call for help */
    KIOSK_PAY_PARTIAL,    /* part approved: pay the rest */
    KIOSK_PAY_UNKNOWN,    /* the terminal did not say: the attendant settles it */
    KIOSK_PAY_NOT_SAVED,  /* paid but the sale could not be saved: the attendant */
};

#define KIOSK_MAX_HOOKS 8
#define KIOSK_MAX_APPROVED 16
#define KIOSK_MAX_LANGUAGES 8

struct kiosk {
    struct kiosk_flow flow;
    struct kiosk_key keys[KIOSK_NKEYS];
    char lane[32];
    char pin[16];                  /* kiosk.attendant_pin: the attendant's PIN on a till without staff */
    char attendant_id[32];         /* with staff: who opened the attendant menu (in the audit) */
    char hook[512];                /* kiosk.attendant_hook: run by /bin/sh when help is called */
    int64_t max_pieces;            /* more of one item than this needs the attendant */
    uint64_t tick_timer, card_timer;

    int idle_seconds;              /* the countdown on screen; 0: none */
    enum kiosk_pay pay;
    char pay_reason[128];          /* the terminal's own words for a decline */
    int pay_tenders;               /* tender entries when the card payment started */
    char last_status[128];         /* the terminal's prompt last seen (a change is activity) */

    char notice[200];              /* for the customer: what just happened */
    int notice_is_error;
    char hold_item[96];            /* the item waiting for the attendant */
    char help_reason[32];          /* why the attendant light is on */
    int pin_message;               /* PIN screen: 0 none, 1 wrong, 2 locked */

    /* per sale: approvals the attendant gave */
    int age_verified;
    char approved_sku[KIOSK_MAX_APPROVED][32];
    int napproved;

    pid_t hooks[KIOSK_MAX_HOOKS];  /* hook commands still running (reaped by the tick) */
    int nhooks;

    /* kiosk.languages, the first kiosk.language: what the language key cycles through */
    char languages[KIOSK_MAX_LANGUAGES][16];
    int nlanguages;
    int language;                  /* the one in use (index into languages) */
    int default_language;          /* kiosk.language: every sale's end returns to it */
    int resume_restored;           /* a sale came back after a restart: resume it once recovery is done */
};

/* Starts kiosk mode when kiosk.enabled is yes (else does nothing and returns 0); checks
 * every kiosk.* key.  Called at the end of app_init. */
int kiosk_open(struct app *app, char *err, size_t errlen);
void kiosk_close(struct app *app);

/* After the sale session or the card controller changed the app's mode or the card state
 * behind the kiosk's back (a sale completed, cancelled, a terminal answered). */
void kiosk_sync(struct app *app);

/* The step the screen shows. */
enum kiosk_step kiosk_step(const struct app *app);
/* The sale is saved (receipt, thank you): the session still holds it until the next
 * customer, but it is no longer an open sale to keep across a crash. */
int kiosk_sale_saved(const struct app *app);

/* Any key: someone is there (the idle countdown stops). */
void kiosk_touch(struct app *app);
/* A scan, whatever the step (app_scan sends it here in kiosk mode). */
int kiosk_scan(struct app *app, const char *code);

/* Customer actions. */
int kiosk_next_language(struct app *app);   /* welcome: the next of kiosk.languages */
/* The language the key switches to, in its own words ("Deutsch"); NULL: only one offered. */
const char *kiosk_next_language_name(const struct app *app);
int kiosk_review(struct app *app);          /* scan -> review: "I am done scanning" */
int kiosk_back_to_scan(struct app *app);    /* review or a failed payment -> scan */
int kiosk_pay(struct app *app);             /* review or a failed payment -> card */
int kiosk_call_help(struct app *app, const char *reason);
void kiosk_done(struct app *app);           /* receipt -> thank you -> welcome */

/* The attendant. */
void kiosk_staff_begin(struct app *app);
int kiosk_staff_pin(struct app *app, const char *pin);
void kiosk_staff_leave(struct app *app);
int kiosk_staff_approve(struct app *app);
int kiosk_staff_void(struct app *app);
void kiosk_staff_select(struct app *app, int delta);
int kiosk_staff_cancel_sale(struct app *app);
int kiosk_staff_reprint(struct app *app);
int kiosk_staff_toggle_lane(struct app *app);
int kiosk_staff_exit(struct app *app);
/* A card outcome the terminal could not tell: ask it again, or the attendant's word from
 * the terminal's receipt. */
int kiosk_staff_card_enquire(struct app *app);
int kiosk_staff_card_resolve(struct app *app, int approved_on_receipt);

/* F10, Ctrl-C and the like: refused, with a word for the customer. */
void kiosk_refuse_exit(struct app *app);

#endif
