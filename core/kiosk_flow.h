/* The self-checkout kiosk's customer flow as a pure state machine: which step the
 * customer is on, what the idle timer and the auto-advancing screens want done now, the
 * holds that only an attendant can lift, and the attendant PIN's lockout.  Time is passed
 * in (monotonic milliseconds); the app (app/kiosk.c) does what it is told. */
#ifndef TILL_KIOSK_FLOW_H
#define TILL_KIOSK_FLOW_H

#include <stdint.h>

enum kiosk_step {
    KIOSK_WELCOME,    /* nothing open: scan the first item */
    KIOSK_SCAN,       /* scanning into the cart */
    KIOSK_REVIEW,     /* the whole list and the total before paying */
    KIOSK_PAY,        /* the card terminal */
    KIOSK_RECEIPT,    /* paid: take your receipt */
    KIOSK_THANKS,     /* thank you, then welcome again */
    KIOSK_BLOCKED,    /* an item waits for the attendant (age check, quantity) */
    KIOSK_PIN,        /* the attendant types the PIN */
    KIOSK_ATTENDANT,  /* the attendant menu */
    KIOSK_CLOSED,     /* lane closed: only the attendant opens it */
    KIOSK_NSTEPS
};

/* Why an item waits for the attendant. */
enum kiosk_hold { KIOSK_HOLD_NONE, KIOSK_HOLD_AGE, KIOSK_HOLD_QUANTITY };

/* What the timer should do now (kiosk_flow_due). */
enum kiosk_due {
    KIOSK_DUE_NOTHING,
    KIOSK_DUE_WARN,          /* the customer seems gone: show the countdown */
    KIOSK_DUE_CANCEL_SALE,   /* the countdown ran out on an unpaid sale */
    KIOSK_DUE_CALL_HELP,     /* it ran out on a sale with money taken: never dropped */
    KIOSK_DUE_NEXT,          /* receipt or thank-you shown long enough */
    KIOSK_DUE_LEAVE_STAFF,   /* the attendant walked away from the PIN or menu */
};

enum kiosk_pin_result { KIOSK_PIN_OK, KIOSK_PIN_WRONG, KIOSK_PIN_LOCKED };

struct kiosk_timing {
    int64_t idle_warn_ms;    /* no activity this long: the warning appears */
    int64_t idle_cancel_ms;  /* then the countdown, this long */
    int64_t receipt_ms;      /* the receipt screen stays this long */
    int64_t thanks_ms;       /* the thank-you screen stays this long */
    int64_t staff_idle_ms;   /* PIN entry or menu left alone this long closes */
    int64_t pin_lock_ms;     /* after too many wrong PINs, no PIN is taken for this long */
    int pin_attempts;        /* wrong PINs in a row before the lock */
};

struct kiosk_flow {
    struct kiosk_timing t;
    enum kiosk_step step;
    enum kiosk_step resume;       /* where the customer goes back to after the attendant */
    int64_t step_since_ms;
    int64_t last_activity_ms;
    int help_called;              /* the attendant light is on */
    enum kiosk_hold hold;
    int hold_line;                /* the cart line on hold */
    int pin_failures;
    int64_t pin_locked_until_ms;
    int lane_closed;
};

void kiosk_flow_init(struct kiosk_flow *f, const struct kiosk_timing *t, int64_t now);
/* Moves to step (activity: the idle timer restarts). */
void kiosk_flow_go(struct kiosk_flow *f, enum kiosk_step step, int64_t now);
/* A key, a scan or the terminal's prompt changing: someone is there. */
void kiosk_flow_touch(struct kiosk_flow *f, int64_t now);

/* What is due at now.  payment_busy: a card payment is with the terminal or its outcome is
 * not known; money_taken: part of the sale is already paid.  Neither is ever cancelled.
 * *seconds_left (may be NULL) is the countdown shown with KIOSK_DUE_WARN. */
enum kiosk_due kiosk_flow_due(const struct kiosk_flow *f, int64_t now, int payment_busy, int money_taken,
                              int *seconds_left);

/* A scanned item needs the attendant: the flow stops on KIOSK_BLOCKED and help is called. */
void kiosk_flow_hold(struct kiosk_flow *f, enum kiosk_hold why, int line, int64_t now);
/* The attendant approved (or removed) the held item; the customer goes on scanning. */
void kiosk_flow_release(struct kiosk_flow *f);
/* The customer may go to the review and pay: no hold, something to pay. */
int kiosk_flow_may_pay(const struct kiosk_flow *f);

/* The attendant's key: PIN entry opens over the current step (kept to return to). */
void kiosk_flow_staff_begin(struct kiosk_flow *f, int64_t now);
/* A PIN was typed (correct or not).  KIOSK_PIN_LOCKED: too many wrong ones, the PIN was
 * not even looked at; *wait_s (may be NULL) says for how many more seconds. */
enum kiosk_pin_result kiosk_flow_pin(struct kiosk_flow *f, int correct, int64_t now, int *wait_s);
/* Seconds until PINs are taken again (0: now). */
int kiosk_flow_pin_wait_s(const struct kiosk_flow *f, int64_t now);
/* Back to the customer's step; step KIOSK_WELCOME when the sale is gone (cancelled). */
void kiosk_flow_staff_end(struct kiosk_flow *f, int sale_open, int64_t now);
/* The step the attendant came from (what KIOSK_PIN and KIOSK_ATTENDANT sit over). */
enum kiosk_step kiosk_flow_customer_step(const struct kiosk_flow *f);

const char *kiosk_step_name(enum kiosk_step s);

#endif
