#include "core/kiosk_flow.h"

#include <string.h>

void kiosk_flow_init(struct kiosk_flow *f, const struct kiosk_timing *t, int64_t now)
{
    memset(f, 0, sizeof *f);
    f->t = *t;
    if (f->t.pin_attempts < 1)
        f->t.pin_attempts = 1;
    f->hold_line = -1;
    kiosk_flow_go(f, KIOSK_WELCOME, now);
}

void kiosk_flow_go(struct kiosk_flow *f, enum kiosk_step step, int64_t now)
{
    f->step = step;
    f->step_since_ms = now;
    f->last_activity_ms = now;
}

void kiosk_flow_touch(struct kiosk_flow *f, int64_t now)
{
    f->last_activity_ms = now;
}

static int customer_waits_for_input(enum kiosk_step s)
{
    return s == KIOSK_SCAN || s == KIOSK_REVIEW || s == KIOSK_PAY;
}

static int seconds_until(int64_t now, int64_t at)
{
    return at > now ? (int)((at - now + 999) / 1000) : 0;
}

enum kiosk_due kiosk_flow_due(const struct kiosk_flow *f, int64_t now, int payment_busy, int money_taken,
                              int *seconds_left)
{
    int64_t shown = now - f->step_since_ms, idle = now - f->last_activity_ms;
    if (seconds_left)
        *seconds_left = 0;
    switch (f->step) {
    case KIOSK_RECEIPT:
        return shown >= f->t.receipt_ms ? KIOSK_DUE_NEXT : KIOSK_DUE_NOTHING;
    case KIOSK_THANKS:
        return shown >= f->t.thanks_ms ? KIOSK_DUE_NEXT : KIOSK_DUE_NOTHING;
    case KIOSK_PIN:
    case KIOSK_ATTENDANT:
        return idle >= f->t.staff_idle_ms ? KIOSK_DUE_LEAVE_STAFF : KIOSK_DUE_NOTHING;
    default:
        break;
    }
    /* a terminal at work or an outcome not yet known is never interrupted */
    if (!customer_waits_for_input(f->step) || payment_busy || idle < f->t.idle_warn_ms)
        return KIOSK_DUE_NOTHING;
    int64_t end = f->last_activity_ms + f->t.idle_warn_ms + f->t.idle_cancel_ms;
    if (now < end) {
        if (seconds_left)
            *seconds_left = seconds_until(now, end);
        return KIOSK_DUE_WARN;
    }
    /* money taken is never dropped: the attendant settles it; once called, wait for them */
    if (money_taken)
        return f->help_called ? KIOSK_DUE_NOTHING : KIOSK_DUE_CALL_HELP;
    return KIOSK_DUE_CANCEL_SALE;
}

void kiosk_flow_hold(struct kiosk_flow *f, enum kiosk_hold why, int line, int64_t now)
{
    f->hold = why;
    f->hold_line = line;
    f->help_called = 1;
    kiosk_flow_go(f, KIOSK_BLOCKED, now);
}

void kiosk_flow_release(struct kiosk_flow *f)
{
    f->hold = KIOSK_HOLD_NONE;
    f->hold_line = -1;
    if (f->resume == KIOSK_BLOCKED)
        f->resume = KIOSK_SCAN;
}

int kiosk_flow_may_pay(const struct kiosk_flow *f)
{
    return f->hold == KIOSK_HOLD_NONE && !f->lane_closed;
}

enum kiosk_step kiosk_flow_customer_step(const struct kiosk_flow *f)
{
    return f->step == KIOSK_PIN || f->step == KIOSK_ATTENDANT ? f->resume : f->step;
}

void kiosk_flow_staff_begin(struct kiosk_flow *f, int64_t now)
{
    f->resume = kiosk_flow_customer_step(f);
    kiosk_flow_go(f, KIOSK_PIN, now);
}

int kiosk_flow_pin_wait_s(const struct kiosk_flow *f, int64_t now)
{
    return seconds_until(now, f->pin_locked_until_ms);
}

enum kiosk_pin_result kiosk_flow_pin(struct kiosk_flow *f, int correct, int64_t now, int *wait_s)
{
    int wait = kiosk_flow_pin_wait_s(f, now);
    if (wait_s)
        *wait_s = wait;
    if (wait > 0)
        return KIOSK_PIN_LOCKED;
    kiosk_flow_touch(f, now);
    if (correct) {
        f->pin_failures = 0;
        f->help_called = 0;   /* the attendant is here */
        kiosk_flow_go(f, KIOSK_ATTENDANT, now);
        return KIOSK_PIN_OK;
    }
    if (++f->pin_failures >= f->t.pin_attempts) {
        f->pin_failures = 0;
        f->pin_locked_until_ms = now + f->t.pin_lock_ms;
        if (wait_s)
            *wait_s = kiosk_flow_pin_wait_s(f, now);
        return KIOSK_PIN_LOCKED;
    }
    return KIOSK_PIN_WRONG;
}

void kiosk_flow_staff_end(struct kiosk_flow *f, int sale_open, int64_t now)
{
    enum kiosk_step to = f->resume;
    if (f->lane_closed)
        to = KIOSK_CLOSED;
    else if (to == KIOSK_CLOSED)
        to = KIOSK_WELCOME;
    else if ((to == KIOSK_SCAN || to == KIOSK_REVIEW || to == KIOSK_PAY || to == KIOSK_BLOCKED) && !sale_open)
        to = KIOSK_WELCOME;
    else if (to == KIOSK_BLOCKED && f->hold == KIOSK_HOLD_NONE)
        to = KIOSK_SCAN;
    else if (to == KIOSK_PIN || to == KIOSK_ATTENDANT)
        to = KIOSK_WELCOME;
    kiosk_flow_go(f, to, now);
}

const char *kiosk_step_name(enum kiosk_step s)
{
    static const char *const names[KIOSK_NSTEPS] = {
        [KIOSK_WELCOME] = "welcome", [KIOSK_SCAN] = "scan", [KIOSK_REVIEW] = "review",
        [KIOSK_PAY] = "pay", [KIOSK_RECEIPT] = "receipt", [KIOSK_THANKS] = "thanks",
        [KIOSK_BLOCKED] = "blocked", [KIOSK_PIN] = "pin", [KIOSK_ATTENDANT] = "attendant",
        [KIOSK_CLOSED] = "closed",
    };
    return (unsigned)s < KIOSK_NSTEPS ? names[s] : "?";
}
