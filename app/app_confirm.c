/* Asking before a slip of the finger becomes a sale: a quantity or a line total above the
 * configured limits (99999* instead of 9*), cash far above what is due (1.234,50 typed for
 * 39,75).  The action is held in app->confirm while MODE_CONFIRM_LARGE asks; yes runs it
 * as if it had not been asked, no drops it and goes back to where the cashier was.
 *
 * Only what the cashier typed is asked about: a scan of one piece at its catalog price
 * and a scale label's weight are not slips of the finger. */
#include <stdio.h>
#include <string.h>

#include "app/app.h"

static void money(const struct app *app, int64_t v, char *buf, size_t len)
{
    money_format(v, &app->s.fmt, 1, buf, len);
}

static void hold(struct app *app, enum app_confirm_kind kind, enum app_mode back)
{
    app->confirm.kind = kind;
    app->confirm.back = back;
    app->mode = MODE_CONFIRM_LARGE;
    app->dirty = 1;
}

int app_confirm_line(struct app *app, const struct product *p, const char *code, int64_t qty,
                     int line, enum app_mode back)
{
    const struct settings_confirm *lim = &app->s.confirm;
    int64_t total;
    if (money_mul_qty(p->price, qty, &total))
        return 0;   /* the cart refuses it with its reason */
    int qty_high = lim->qty_above > 0 && qty > lim->qty_above;
    /* one piece at the catalog's price is what the shelf says, not a typing slip */
    int total_high = lim->line_total_above > 0 && total > lim->line_total_above && qty != QTY_ONE;
    if (!qty_high && !total_high)
        return 0;
    struct app_confirm *c = &app->confirm;
    memset(c, 0, sizeof *c);
    c->product = *p;
    snprintf(c->code, sizeof c->code, "%s", code ? code : "");
    c->qty = qty;
    char q[32], t[48], limit[48];
    money_format_qty(qty, p->unit == UNIT_KG, &app->s.fmt, q, sizeof q);
    money(app, total, t, sizeof t);
    snprintf(c->question, sizeof c->question, "%s%s x %.80s = %s?", line < 0 ? "Add " : "Change to ", q,
             p->name, t);
    if (qty_high) {
        money_format_qty(lim->qty_above, 0, &app->s.fmt, limit, sizeof limit);
        snprintf(c->reason, sizeof c->reason, "That is more than %s%s at once. Is the quantity right?",
                 limit, p->unit == UNIT_KG ? " kg" : "");
    } else {
        money(app, lim->line_total_above, limit, sizeof limit);
        snprintf(c->reason, sizeof c->reason, "The line is above %s. Is the quantity right?", limit);
    }
    hold(app, line < 0 ? CONFIRM_ADD_LINE : CONFIRM_SET_QTY, back);
    app_set_message(app, 0, "Please check: %s", c->question);
    return 1;
}

int app_confirm_cash(struct app *app, int64_t tendered)
{
    const struct settings_confirm *lim = &app->s.confirm;
    int64_t due = tender_cash_due(&app->sale->tender), bound;
    if (lim->cash_multiple <= 0 || due <= 0 || tendered <= lim->cash_above ||
        __builtin_mul_overflow(due, lim->cash_multiple, &bound) || tendered <= bound)
        return 0;
    struct app_confirm *c = &app->confirm;
    memset(c, 0, sizeof *c);
    c->tendered = tendered;
    char a[48], d[48], ch[48];
    money(app, tendered, a, sizeof a);
    money(app, due, d, sizeof d);
    money(app, tendered - due, ch, sizeof ch);
    snprintf(c->question, sizeof c->question, "Cash %s for %s due: change %s?", a, d, ch);
    snprintf(c->reason, sizeof c->reason, "That is more than %lld times the amount due. Is the amount right?",
             (long long)lim->cash_multiple);
    hold(app, CONFIRM_CASH, MODE_PAY);
    app_set_message(app, 0, "Please check: %s", c->question);
    return 1;
}

int app_confirm_yes(struct app *app)
{
    struct app_confirm c = app->confirm;
    app->confirm.kind = CONFIRM_NONE;
    switch (c.kind) {
    case CONFIRM_ADD_LINE:
        app->mode = MODE_SALE;
        if (app_add_line(app, &c.product, c.code, c.qty) == 0) {
            app_mark_label(app, c.batch, c.serial, c.expiry, c.expired);
            return 0;
        }
        app->mode = c.back;   /* refused by the cart: the weight prompt can take another */
        return -1;
    case CONFIRM_SET_QTY:
        app->mode = MODE_QTY;
        return app_set_line_qty(app, app->sale->selected, c.qty);
    case CONFIRM_CASH:
        app->mode = MODE_PAY;
        return app_take_cash(app, c.tendered);
    case CONFIRM_NONE:
        break;
    }
    app->mode = MODE_SALE;
    app->dirty = 1;
    return -1;
}

void app_confirm_no(struct app *app)
{
    enum app_confirm_kind kind = app->confirm.kind;
    app->confirm.kind = CONFIRM_NONE;
    app->mode = kind == CONFIRM_NONE ? MODE_SALE : app->confirm.back;
    if (kind == CONFIRM_CASH)
        app_set_message(app, 0, "Cash not taken: type the amount again");
    else if (kind == CONFIRM_SET_QTY)
        app_set_message(app, 0, "Quantity not changed: type it again");
    else if (app->mode == MODE_WEIGHT)
        app_set_message(app, 0, "Not added: type the weight again");
    else
        app_set_message(app, 0, "Not added.");
    app->dirty = 1;
}
