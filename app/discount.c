/* The cashier's discounts (see discount.h). */
#include "app/discount.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"

int app_discount_configure(struct app *app, char *err, size_t errlen)
{
    struct app_discount *d = &app->discount;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", config_get(app->cfg, "discount.reasons", "damaged,price_match,staff,goodwill"));
    d->nreasons = 0;
    for (char *p = buf, *next; p && *p && d->nreasons < DISCOUNT_MAX_REASONS; p = next) {
        next = strchr(p, ',');
        if (next)
            *next++ = 0;
        while (*p == ' ')
            p++;
        size_t n = strlen(p);
        while (n && p[n - 1] == ' ')
            p[--n] = 0;
        if (n && n < sizeof d->reasons[0])
            memcpy(d->reasons[d->nreasons++], p, n + 1);
    }
    long long pct, amount;
    if (d->nreasons == 0 || config_get_int(app->cfg, "discount.limit_percent", 20, &pct) || pct < 0 ||
        pct > 100 || config_get_int(app->cfg, "discount.limit_amount", 1000, &amount) || amount < 0) {
        snprintf(err, errlen, "config discount.reasons needs a reason code, discount.limit_percent 0..100"
                 " and discount.limit_amount (minor units) 0 or more");
        return -1;
    }
    d->limit_bp = pct * 100;
    d->limit_amount = amount;
    return 0;
}

void app_discount_open(struct app *app)
{
    if (sale_session_locked(app->sale)) {
        app_set_message(app, 1, "Payments are already taken: finish paying (F5) or cancel the sale (F8)");
        return;
    }
    if (cart_is_empty(&app->sale->cart)) {
        app_set_message(app, 1, "Nothing to discount: scan an item first");
        return;
    }
    app->mode = MODE_DISCOUNT;
    app_set_message(app, 0, "Type 10%% or 2,50 - Enter: the selected line, F6: the whole sale");
}

void app_discount_next_reason(struct app *app)
{
    app->discount.reason = (app->discount.reason + 1) % app->discount.nreasons;
    app_set_message(app, 0, "Reason: %s", app->discount.reasons[app->discount.reason]);
}

/* "10%", "12,5%" or an amount "2,50"; "0" or "" removes the discount. */
static int parse_discount(struct app *app, const char *text, struct discount_spec *out)
{
    memset(out, 0, sizeof *out);
    char buf[64];
    snprintf(buf, sizeof buf, "%s", text);
    size_t n = strlen(buf);
    if (n == 0)
        return 0;
    if (buf[n - 1] == '%') {
        int64_t thousandths;
        buf[n - 1] = 0;
        /* percent with up to two decimals, read as a quantity: 12,5 -> 12500 thousandths */
        if (qty_parse(buf, &thousandths) || thousandths < 0 || thousandths > 100 * QTY_ONE ||
            thousandths % 10)
            return -1;
        out->kind = thousandths ? DISCOUNT_PERCENT : DISCOUNT_NONE;
        out->value = thousandths / 10;
    } else {
        int64_t v;
        if (money_parse(buf, &app->s.fmt, &v) || v < 0)
            return -1;
        out->kind = v ? DISCOUNT_AMOUNT : DISCOUNT_NONE;
        out->value = v;
    }
    snprintf(out->reason, sizeof out->reason, "%s", app->discount.reasons[app->discount.reason]);
    return 0;
}

int app_discount_set(struct app *app, const struct discount_spec *spec, int line, int whole_sale)
{
    struct cart *c = &app->sale->cart;
    int rc = whole_sale ? cart_set_sale_discount(c, spec) : cart_set_line_discount(c, line, spec);
    if (rc) {
        app_set_message(app, 1, "No discount: %s", cart_strerror(rc));
        return -1;
    }
    char detail[160], a[48];
    snprintf(detail, sizeof detail, "%s %s %s %lld %s", app->sale->uuid, whole_sale ? "sale" : "line",
             spec->kind == DISCOUNT_PERCENT ? "bp" : spec->kind == DISCOUNT_AMOUNT ? "amount" : "none",
             (long long)spec->value, spec->reason);
    app_audit(app, "discount", detail);
    app->mode = MODE_SALE;
    /* what this discount itself took off: on the whole sale its own share (the pricing's
     * "Sale discount <reason>"), not every reduction on the sale */
    int64_t amount = 0;
    if (whole_sale) {
        char name[PRICING_NAME_MAX];
        snprintf(name, sizeof name, "Sale discount %s", spec->reason);
        for (int i = 0; i < c->pricing.applied.napplied; i++)
            if (strcmp(c->pricing.applied.applied[i].name, name) == 0)
                amount = c->pricing.applied.applied[i].amount;
    } else {
        amount = c->lines[line].discount;
    }
    money_format(amount, &app->s.fmt, 1, a, sizeof a);
    app_set_message(app, 0, spec->kind == DISCOUNT_NONE ? "Discount removed" : "Discount %s (%s)", a,
                    spec->reason);
    return 0;
}

int app_discount_apply(struct app *app, const char *text, int whole_sale)
{
    struct discount_spec spec;
    int line = app->sale->selected;
    if (parse_discount(app, text, &spec)) {
        app_set_message(app, 1, "'%s' is not a discount: type 10%% or 2,50", text);
        return -1;
    }
    if (!whole_sale && (line < 0 || line >= app->sale->cart.nlines || app->sale->cart.lines[line].voided)) {
        app_set_message(app, 1, "Select a line first (Up/Down)");
        return -1;
    }
    /* what the discount takes off, against the limits */
    int64_t base = whole_sale ? app->sale->cart.totals.total : app->sale->cart.lines[line].gross, off = 0;
    if (discount_of(&spec, base > 0 ? base : 0, &off) == 0 && spec.kind != DISCOUNT_NONE &&
        ((spec.kind == DISCOUNT_PERCENT && spec.value > app->discount.limit_bp) ||
         off > app->discount.limit_amount)) {
        app->override.spec = spec;
        app->override.line = line;
        app_override_request(app, whole_sale ? OVERRIDE_SALE_DISCOUNT : OVERRIDE_LINE_DISCOUNT,
                             "A discount above the limit");
        return 0;
    }
    return app_discount_set(app, &spec, line, whole_sale);
}
