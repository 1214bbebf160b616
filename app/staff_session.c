/* Who is signed on: sign-on with staff id and PIN (checked offline, src/staff.c), the idle
 * lock, sign-off and switching cashier.  A sale belongs to whoever started it: signing
 * off (or the lock) keeps it for them, and it comes back when they sign on again. */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/authorize.h"
#include "src/store.h"

/* The demo store's staff (staff.demo = yes); README's daily-use section lists them. */
static const struct {
    const char *id, *name, *pin;
    enum staff_role role;
} demo_staff[] = {
    { "1", "Alex", "1111", ROLE_CASHIER },
    { "2", "Sam", "2222", ROLE_SUPERVISOR },
    { "9", "Max", "9999", ROLE_MANAGER },
};
#define DEMO_FLOAT 10000    /* 100,00 in the till's float */

static void audit(struct app *app, const char *who, const char *event, const char *detail)
{
    store_audit(app->store, loop_wall_time(), app->s.terminal_id, who, event, detail);
}

const char *app_cashier_name(const struct app *app)
{
    if (app->staff.enabled)
        return app->staff.signed_on ? app->staff.who.name : "(signed off)";
    return app->s.cashier;
}

static int seed_demo(struct app *app, char *err, size_t errlen)
{
    int64_t n = 0;
    if (staff_count_active(app->store, &n))
        return -1;
    for (size_t i = 0; n == 0 && i < sizeof demo_staff / sizeof demo_staff[0]; i++)
        if (staff_add_local(app->store, demo_staff[i].id, demo_staff[i].name, demo_staff[i].role,
                            demo_staff[i].pin, err, errlen))
            return -1;
    snprintf(app->staff.hint, sizeof app->staff.hint,
             "Demo: cashier 1 PIN 1111, supervisor 2 PIN 2222, manager 9 PIN 9999");
    return 0;
}

static void on_idle(struct loop *loop, void *ctx);

static void arm_idle(struct app *app)
{
    if (app->staff.idle_timer)
        loop_cancel_timer(app->loop, app->staff.idle_timer);
    app->staff.idle_timer = 0;
    if (app->staff.enabled && app->staff.signed_on && app->staff.idle_lock_ms > 0) {
        int64_t left = app->staff.last_key_ms + app->staff.idle_lock_ms - loop_now_ms(app->loop);
        app->staff.idle_timer = loop_add_timer(app->loop, left > 0 ? left : 0, on_idle, app);
    }
}

/* Locks only where nothing is under way: the sale screen and its small dialogs.  A card
 * payment, a receipt or a dialog half-filled waits for the next idle period. */
static int lockable(const struct app *app)
{
    switch (app->mode) {
    case MODE_SALE: case MODE_HELP: case MODE_SEARCH: case MODE_MANAGER: case MODE_REPORT:
        return !sale_session_locked(app->sale);
    default:
        return 0;
    }
}

static void on_idle(struct loop *loop, void *ctx)
{
    struct app *app = ctx;
    app->staff.idle_timer = 0;
    if (loop_now_ms(loop) - app->staff.last_key_ms < app->staff.idle_lock_ms) {
        arm_idle(app);
        return;
    }
    if (lockable(app) && app_sign_off(app) == 0) {
        app_set_message(app, 0, "Locked after %lld s without a key. Sign on to go on.",
                        (long long)(app->staff.idle_lock_ms / 1000));
        return;
    }
    app->staff.last_key_ms = loop_now_ms(loop);
    arm_idle(app);
}

void app_note_activity(struct app *app)
{
    app->staff.last_key_ms = loop_now_ms(app->loop);
    if (app->staff.enabled && app->staff.signed_on && !app->staff.idle_timer)
        arm_idle(app);
}

int app_open_staff(struct app *app, char *err, size_t errlen)
{
    struct app_staff *st = &app->staff;
    if (app_load_permissions(app->cfg, &st->perms, err, errlen))
        return -1;
    long long idle;
    if (config_get_int(app->cfg, "staff.idle_lock_s", 300, &idle) || idle < 0 || idle > 86400) {
        snprintf(err, errlen, "config staff.idle_lock_s must be seconds from 0 (never) to 86400");
        return -1;
    }
    st->idle_lock_ms = idle * 1000;
    const char *demo = config_get(app->cfg, "staff.demo", "no");
    if (strcmp(demo, "yes") && strcmp(demo, "no")) {
        snprintf(err, errlen, "config staff.demo must be yes or no");
        return -1;
    }
    if (strcmp(demo, "yes") == 0 && seed_demo(app, err, errlen))
        return -1;
    int64_t n = 0;
    if (staff_count_active(app->store, &n)) {
        snprintf(err, errlen, "cannot read the staff table: %s", store_errmsg(app->store));
        return -1;
    }
    st->enabled = n > 0;
    if (!st->enabled)
        return 0;
    struct shift sh;
    app->shift.open = shifts_current(app->store, app->s.terminal_id, &sh) == STORE_OK;
    if (app->shift.open)
        app->shift.current = sh;
    /* the demo opens with a shift under way, so a newcomer sells at once */
    if (!app->shift.open && strcmp(demo, "yes") == 0) {
        struct staff_member mgr;
        if (staff_get(app->store, "9", &mgr) == STORE_OK && mgr.active) {
            st->who = mgr;
            st->signed_on = 1;
            char amount[16];
            snprintf(amount, sizeof amount, "%d", DEMO_FLOAT / 100);
            app_open_shift(app, amount);
            st->signed_on = 0;
            memset(&st->who, 0, sizeof st->who);
        }
    }
    app->mode = MODE_SIGNON;
    return 0;
}

void app_close_staff(struct app *app)
{
    if (app->staff.idle_timer)
        loop_cancel_timer(app->loop, app->staff.idle_timer);
    app->staff.idle_timer = 0;
    for (int i = 0; i < APP_MAX_HELD; i++)
        if (app->staff.held[i].used) {
            sale_session_free(&app->staff.held[i].sale);
            app->staff.held[i].used = 0;
        }
}

void app_signon_back(struct app *app)
{
    app->staff.signon_id[0] = 0;
    app->dirty = 1;
}

/* The signed-on person's kept sale comes back; otherwise they start a new one. */
static void take_held_sale(struct app *app)
{
    for (int i = 0; i < APP_MAX_HELD; i++) {
        struct app_held_sale *h = &app->staff.held[i];
        if (!h->used || strcmp(h->staff_id, app->staff.who.id) != 0)
            continue;
        sale_session_free(app->sale);
        *app->sale = h->sale;
        card_payment_new_sale(app->card, app->sale->uuid);
        app->card->seq = h->card_seq;
        h->used = 0;
        app_customer_restore(app);   /* their sale's customer, with it */
        app_set_message(app, 0, "Welcome back, %s: your open sale is here (%d lines).", app->staff.who.name,
                        app->sale->cart.nlines);
        return;
    }
}

int app_signon_submit(struct app *app, const char *text)
{
    struct app_staff *st = &app->staff;
    app->dirty = 1;
    if (!st->signon_id[0]) {
        if (!text[0] || strlen(text) >= sizeof st->signon_id) {
            app_set_message(app, 1, "Type your staff id, then Enter");
            return -1;
        }
        snprintf(st->signon_id, sizeof st->signon_id, "%s", text);
        struct staff_member m;
        snprintf(st->signon_name, sizeof st->signon_name, "%s",
                 staff_get(app->store, text, &m) == STORE_OK ? m.name : "");
        app_set_message(app, 0, "Now your PIN, then Enter");
        return 0;
    }
    struct staff_member who;
    int64_t locked_for = 0;
    enum staff_pin_result r = staff_check_pin(app->store, st->signon_id, text, loop_wall_time(), &who, &locked_for);
    char id[STAFF_ID_MAX];
    snprintf(id, sizeof id, "%s", st->signon_id);
    st->signon_id[0] = 0;
    switch (r) {
    case STAFF_PIN_OK:
        break;
    case STAFF_PIN_LOCKED:
        app_set_message(app, 1, "Staff %s is locked for %lld s after wrong PINs", id, (long long)locked_for);
        return -1;
    case STAFF_PIN_WRONG:
        audit(app, id, "signon_failed", NULL);
        if (locked_for)
            app_set_message(app, 1, "Wrong PIN: staff %s is locked for %lld s", id, (long long)locked_for);
        else
            app_set_message(app, 1, "Unknown staff id or wrong PIN");
        return -1;
    case STAFF_PIN_INACTIVE:
        app_set_message(app, 1, "Staff %s may not sign on (inactive)", id);
        return -1;
    case STAFF_PIN_UNKNOWN:
        app_set_message(app, 1, "Unknown staff id or wrong PIN");
        return -1;
    default:
        app_set_message(app, 1, "Cannot check the PIN: %s", store_errmsg(app->store));
        return -1;
    }
    st->who = who;
    st->signed_on = 1;
    audit(app, who.id, "signon", staff_role_name(who.role));
    app_set_message(app, 0, "Signed on: %s (%s).", who.name, staff_role_name(who.role));
    if (cart_is_empty(&app->sale->cart))
        take_held_sale(app);
    app->staff.last_key_ms = loop_now_ms(app->loop);
    arm_idle(app);
    if (!app->shift.open) {
        app->mode = MODE_OPEN_SHIFT;
        app_set_message(app, 0, "Signed on: %s. No shift is open: count the float in the drawer.", who.name);
        return 0;
    }
    app->mode = MODE_SALE;
    return 0;
}

/* The open sale is kept for its owner; 0, or -1 when there is no room to keep it. */
static int hold_sale(struct app *app)
{
    if (cart_is_empty(&app->sale->cart))
        return 0;
    for (int i = 0; i < APP_MAX_HELD; i++) {
        struct app_held_sale *h = &app->staff.held[i];
        if (h->used)
            continue;
        h->used = 1;
        snprintf(h->staff_id, sizeof h->staff_id, "%s", app->staff.who.id);
        h->sale = *app->sale;
        h->card_seq = app->card->seq;
        sale_session_init(app->sale, &app->s.tax, h->sale.tender.cash_increment);
        sale_session_begin(app->sale, loop_wall_time());
        card_payment_new_sale(app->card, app->sale->uuid);
        return 0;
    }
    app_set_message(app, 1, "Too many open sales are kept: finish or cancel this one first");
    return -1;
}

int app_sign_off(struct app *app)
{
    struct app_staff *st = &app->staff;
    if (!st->enabled || !st->signed_on)
        return 0;
    if (sale_session_locked(app->sale) || app->card->state != CARD_IDLE) {
        app_set_message(app, 1, "Payments are being taken: finish the sale before signing off");
        return -1;
    }
    int kept = !cart_is_empty(&app->sale->cart);
    if (hold_sale(app))
        return -1;
    /* the customer belongs to the cashier's sale: kept with it, never handed to the next
     * cashier (an empty sale's customer is dropped) */
    if (!kept && app->sale->cart.customer_id[0])
        cart_set_customer(&app->sale->cart, "", "");
    app_customer_restore(app);
    audit(app, st->who.id, "signoff", kept ? "sale kept" : NULL);
    app_set_message(app, 0, "%s signed off%s.", st->who.name, kept ? "; the open sale is kept for them" : "");
    st->signed_on = 0;
    memset(&st->who, 0, sizeof st->who);
    st->signon_id[0] = 0;
    if (st->idle_timer)
        loop_cancel_timer(app->loop, st->idle_timer);
    st->idle_timer = 0;
    app_mode_reset(app);   /* nothing of the last person's to return to */
    app->mode = MODE_SIGNON;
    app->dirty = 1;
    return 0;
}
