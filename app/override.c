/* Overrides (see override.h): the pending action, the supervisor's pin, the audit. */
#include "app/override.h"

#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/authorize.h"

static const char *action_name(enum override_action a)
{
    switch (a) {
    case OVERRIDE_NONE: return "none";
    case OVERRIDE_NO_RECEIPT: return "return_without_receipt";
    case OVERRIDE_LINE_DISCOUNT: return "line_discount_over_limit";
    case OVERRIDE_SALE_DISCOUNT: return "sale_discount_over_limit";
    case OVERRIDE_CASH_REFUND: return "cash_refund";
    case OVERRIDE_PRICE: return "price_override";
    }
    return "?";
}

/* Compares without stopping at the first difference: the time taken says nothing of the pin. */
static int same_secret(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char d = (unsigned char)(la != lb);
    for (size_t i = 0; i < la; i++)
        d |= (unsigned char)(a[i] ^ b[i < lb ? i : 0]);
    return d == 0;
}

int app_returns_authorize(struct app *app, enum override_action action, const char *pin)
{
    char detail[160];
    int ok = app->ret->pin[0] && pin && same_secret(pin, app->ret->pin);
    snprintf(detail, sizeof detail, "%s %s sale %s", action_name(action), ok ? "allowed" : "refused",
             app->sale->uuid);
    app_audit(app, "override", detail);
    if (ok)
        return 0;
    app_set_message(app, 1, app->ret->pin[0] ? "Wrong supervisor PIN: not allowed"
                                            : "No supervisor PIN configured (returns.supervisor_pin): not allowed");
    return -1;
}

/* The action, once allowed. */
static int run_allowed(struct app *app)
{
    struct app_override *o = &app->override;
    enum override_action a = o->action;
    o->action = OVERRIDE_NONE;
    app->mode = (enum app_mode)o->back;
    app->dirty = 1;
    switch (a) {
    case OVERRIDE_NO_RECEIPT:
        app_return_no_receipt_allowed(app);
        return 0;
    case OVERRIDE_LINE_DISCOUNT:
        return app_discount_set(app, &o->spec, o->line, 0);
    case OVERRIDE_SALE_DISCOUNT:
        return app_discount_set(app, &o->spec, -1, 1);
    case OVERRIDE_CASH_REFUND:
        app->ret->cash_allowed = 1;
        return app_refund_cash(app, o->arg);
    case OVERRIDE_PRICE:
        return app_price_set(app, o->line, o->spec.value);
    case OVERRIDE_NONE:
        break;
    }
    return 0;
}

int app_override_submit(struct app *app, const char *pin)
{
    if (app_returns_authorize(app, app->override.action, pin))
        return -1;
    return run_allowed(app);
}

/* With staff, the roles decide (app/commands.c: each action is a command with its
 * permission, approved by whoever holds it with their own id and PIN);
 * returns.supervisor_pin is not used. */
/* The commands of what a supervisor allows (app/commands.c). */
static const char *command_of(enum override_action a)
{
    switch (a) {
    case OVERRIDE_NO_RECEIPT: return "return-no-receipt";
    case OVERRIDE_LINE_DISCOUNT: case OVERRIDE_SALE_DISCOUNT: return "discount-over-limit";
    case OVERRIDE_CASH_REFUND: return "refund-cash";
    case OVERRIDE_PRICE: return "price-override";
    case OVERRIDE_NONE: break;
    }
    return NULL;
}

/* Allowed at the door: the signed-on person may, or approver approved. */
int cmd_override(struct app *app, const struct cmd_args *a)
{
    const struct staff_member *approver = a->approver;
    char detail[200];
    snprintf(detail, sizeof detail, "%s allowed sale %s%s%s", action_name(app->override.action), app->sale->uuid,
             approver ? " approved by " : "", approver ? approver->id : "");
    app_audit(app, "override", detail);
    app->override.back = (int)app->mode;
    return run_allowed(app);
}

void app_override_cancel(struct app *app)
{
    app->override.action = OVERRIDE_NONE;
    app->mode = (enum app_mode)app->override.back;
    app_set_message(app, 0, "Not done: no supervisor");
}

void app_override_request(struct app *app, enum override_action action, const char *what)
{
    app->override.action = action;
    app->override.back = app->mode == MODE_OVERRIDE ? MODE_SALE : (int)app->mode;
    snprintf(app->override.what, sizeof app->override.what, "%s", what);
    if (app->staff.enabled) {
        app_command(app, command_of(action), what, DOOR_KEY);
        return;
    }
    app->mode = MODE_OVERRIDE;
    app_set_message(app, 1, "%s needs a supervisor: PIN, then Enter", what);
}
