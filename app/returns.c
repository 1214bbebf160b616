/* Returns and refunds (see returns.h). */
#include "app/returns.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "core/receipt.h"
#include "offline/order_lookup.h"
#include "offline/sync.h"
#include "src/lookup.h"
#include "src/sales.h"

/* "a,b,c" into up to max reason codes. */
static int parse_list(const char *text, char (*out)[24], int max)
{
    int n = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", text);
    for (char *p = buf, *next; p && *p && n < max; p = next) {
        next = strchr(p, ',');
        if (next)
            *next++ = 0;
        while (*p == ' ')
            p++;
        size_t len = strlen(p);
        while (len && p[len - 1] == ' ')
            p[--len] = 0;
        if (len && len < sizeof out[0])
            memcpy(out[n++], p, len + 1);
    }
    return n;
}

int app_returns_configure(struct app *app, char *err, size_t errlen)
{
    struct app_returns *r = app->ret;
    r->nreasons = parse_list(config_get(app->cfg, "returns.reasons", "faulty,unwanted,wrong_item,damaged"),
                             r->reasons, RETURNS_MAX_REASONS);
    if (r->nreasons == 0) {
        snprintf(err, errlen, "config returns.reasons needs at least one reason code (a,b,c)");
        return -1;
    }
    const char *pin = config_get(app->cfg, "returns.supervisor_pin", "");
    if (strlen(pin) >= sizeof r->pin) {
        snprintf(err, errlen, "config returns.supervisor_pin is longer than %zu characters", sizeof r->pin - 1);
        return -1;
    }
    snprintf(r->pin, sizeof r->pin, "%s", pin);
    app_returns_reset(app);
    return 0;
}

void app_returns_reset(struct app *app)
{
    struct app_returns *r = app->ret;
    if (r->asking && app->sync.engine)
        sync_cancel_order(app->sync.engine);
    r->have = 0;
    r->sel = 0;
    r->restock = 1;
    r->reason = 0;
    r->no_receipt = 0;
    r->asking = 0;
    r->cash_allowed = 0;
    memset(&r->orig, 0, sizeof r->orig);
}

/* What of line_no the open sale already takes back (not yet saved). */
static int64_t in_cart(const struct app *app, int line_no)
{
    int64_t q = 0;
    const struct cart *c = &app->sale->cart;
    for (int i = 0; i < c->nlines; i++) {
        const struct cart_line *l = &c->lines[i];
        if (!l->voided && l->qty < 0 && l->return_line == line_no &&
            strcmp(l->return_of, app->ret->orig.key) == 0)
            q -= l->qty;
    }
    return q;
}

/* The original line as it stands with this sale's returns counted. */
static struct original_line line_now(const struct app *app, int i)
{
    struct original_line l = app->ret->orig.lines[i];
    l.returned += in_cart(app, l.line_no);
    return l;
}

static int cannot_change(struct app *app)
{
    if (!sale_session_locked(app->sale))
        return 0;
    app_set_message(app, 1, "Payments are already taken: finish paying (F5) or cancel the sale (F8)");
    return 1;
}

void app_return_open(struct app *app)
{
    if (cannot_change(app))
        return;
    app->mode = app->ret->have ? MODE_RETURN : MODE_RETURN_FIND;
    app_set_message(app, 0, app->ret->have ? "Pick the lines that come back"
                                          : "Scan the receipt or type its number, then Enter");
}

static void first_returnable(struct app *app)
{
    app->ret->sel = 0;
    for (int i = 0; i < app->ret->orig.nlines; i++) {
        struct original_line l = line_now(app, i);
        if (returns_available(&l) > 0) {
            app->ret->sel = i;
            return;
        }
    }
}

static void show_receipt(struct app *app)
{
    struct app_returns *r = app->ret;
    r->have = 1;
    r->asking = 0;
    first_returnable(app);
    app->mode = MODE_RETURN;
    app_set_message(app, 0, "Receipt %lld of till %s%s: pick a line, type the quantity, Enter",
                    (long long)r->orig.receipt_no, r->orig.terminal_id,
                    r->orig.from_server ? " (from the store server)" : "");
}

/* The server's answer: its returned counts (all tills) and ours (not yet sent) together. */
static void on_server_order(void *ctx, int found, const char *body, size_t len, const char *why)
{
    struct app *app = ctx;
    struct app_returns *r = app->ret;
    if (!r->asking)
        return;
    r->asking = 0;
    app->dirty = 1;
    struct original_sale *srv = NULL;
    if (found == 1) {
        static struct original_sale parsed;   /* large: not on the stack */
        char err[200];
        if (order_lookup_parse(body, len, &parsed, err, sizeof err) == 0)
            srv = &parsed;
        else
            app_log(app, "order lookup: %s", err);
    }
    if (srv && (!r->orig.key[0] || strcmp(srv->key, r->orig.key) == 0 || !r->orig.nlines)) {
        if (r->orig.nlines) {
            /* ours: the lines as sold here; the server's: what every till took back */
            for (int i = 0; i < r->orig.nlines; i++) {
                int k = returns_find_line(srv, r->orig.lines[i].line_no);
                if (k >= 0 && srv->lines[k].returned > r->orig.lines[i].returned)
                    r->orig.lines[i].returned = srv->lines[k].returned;
            }
        } else {
            r->orig = *srv;
            sales_returned(app->store, &r->orig);
        }
        show_receipt(app);
        return;
    }
    if (r->orig.nlines) {
        show_receipt(app);
        if (found < 0)
            app_set_message(app, 1, "Receipt %lld found here; %s: returns at other tills not counted",
                            (long long)r->orig.receipt_no, why);
        return;
    }
    app->mode = MODE_RETURN_FIND;
    app_set_message(app, 1, found == 0 ? "No such sale, here or on the store server"
                                       : "No such sale here, and %s", why);
}

int app_return_lookup(struct app *app, const char *typed)
{
    struct app_returns *r = app->ret;
    char ref[96];
    snprintf(ref, sizeof ref, "%s", typed);
    if (r->no_receipt)
        return app_return_no_receipt(app, ref);
    if (!ref[0]) {
        app_set_message(app, 1, "Scan the receipt or type its number");
        return -1;
    }
    if (r->asking)
        return -1;
    /* a receipt's printed code: this till's number, or another till's sale on the server */
    char tid[32];
    int64_t no;
    int code = receipt_code_parse(ref, tid, sizeof tid, &no) == 0;
    if (code && strcmp(tid, app->s.terminal_id) == 0)
        snprintf(ref, sizeof ref, "%lld", (long long)no);
    int rc = code && strcmp(tid, app->s.terminal_id) != 0 ? STORE_NOTFOUND
                                                          : sales_find_original(app->store, ref, &r->orig);
    if (rc < 0) {
        app_set_message(app, 1, "Could not read the sales (%s)", store_errmsg(app->store));
        return -1;
    }
    int is_key = strchr(ref, ':') != NULL || code;
    if (rc == STORE_NOTFOUND)
        memset(&r->orig, 0, sizeof r->orig);
    /* online, the server knows what other tills took back of it, or a sale of another till */
    if (app->sync.engine && (rc == STORE_OK || is_key)) {
        if (sync_get_order(app->sync.engine, rc == STORE_OK ? r->orig.key : ref, on_server_order, app) == 0) {
            r->asking = 1;
            app_set_message(app, 0, "Asking the store server about this sale...");
            return 0;
        }
    }
    if (rc == STORE_NOTFOUND) {
        app_set_message(app, 1, "No sale %s on this till%s", ref,
                        is_key || app->sync.engine ? "" : " (a receipt's code finds other tills' sales when online)");
        return -1;
    }
    show_receipt(app);
    return 0;
}

void app_return_select(struct app *app, int delta)
{
    int n = app->ret->orig.nlines;
    if (n == 0)
        return;
    int s = app->ret->sel + delta;
    app->ret->sel = s < 0 ? 0 : s >= n ? n - 1 : s;
    app->dirty = 1;
}

void app_return_toggle_restock(struct app *app)
{
    app->ret->restock = !app->ret->restock;
    app_set_message(app, 0, app->ret->restock ? "Returned items go back on the shelf"
                                             : "Returned items do NOT go back on the shelf");
}

void app_return_next_reason(struct app *app)
{
    app->ret->reason = (app->ret->reason + 1) % app->ret->nreasons;
    app_set_message(app, 0, "Reason: %s", app->ret->reasons[app->ret->reason]);
}

static void audit_return(struct app *app, const struct cart_line *l)
{
    char detail[400];
    snprintf(detail, sizeof detail, "%s %s of %s line %d qty %lld reason %s restock %d", app->sale->uuid,
             l->product.sku, l->return_of[0] ? l->return_of : "(no receipt)", l->return_line,
             (long long)-l->qty, l->reason, l->restock);
    app_audit(app, "return_line", detail);
}

static int added(struct app *app)
{
    struct cart *c = &app->sale->cart;
    const struct cart_line *l = &c->lines[c->nlines - 1];
    app->sale->selected = c->nlines - 1;
    audit_return(app, l);
    char a[48];
    money_format(l->line_total, &app->s.fmt, 1, a, sizeof a);
    app_set_message(app, 0, "Returned: %s %s (%s%s)", l->product.name, a, l->reason,
                    l->restock ? "" : ", not restocked");
    return 0;
}

int app_return_add(struct app *app, const char *text)
{
    struct app_returns *r = app->ret;
    if (cannot_change(app) || !r->have || r->sel < 0 || r->sel >= r->orig.nlines)
        return -1;
    struct original_line l = line_now(app, r->sel);
    int64_t avail = returns_available(&l), qty = avail, refund;
    if (l.voided) {
        app_set_message(app, 1, "%s was voided on that sale: it was not sold, nothing comes back",
                        l.product.name);
        return -1;
    }
    if (avail <= 0) {
        app_set_message(app, 1, "%s: nothing left to return (sold %lld, returned %lld)", l.product.name,
                        (long long)(l.qty / QTY_ONE), (long long)(l.returned / QTY_ONE));
        return -1;
    }
    if (text[0] && (qty_parse(text, &qty) || qty <= 0)) {
        app_set_message(app, 1, "'%s' is not a quantity", text);
        return -1;
    }
    if (returns_refund(&l, qty, &refund)) {
        char q[32];
        money_format_qty(avail, l.product.unit == UNIT_KG, &app->s.fmt, q, sizeof q);
        app_set_message(app, 1, "%s: at most %s can come back", l.product.name, q);
        return -1;
    }
    int rc = cart_add_return(&app->sale->cart, &l.product, l.barcode, qty, l.unit_price, refund,
                             r->orig.key, l.line_no, r->restock, r->reasons[r->reason]);
    if (rc) {
        app_set_message(app, 1, "%s: %s", l.product.name, cart_strerror(rc));
        return -1;
    }
    return added(app);
}

void app_return_no_receipt_allowed(struct app *app)
{
    app->ret->no_receipt = 1;
    app->mode = MODE_RETURN_FIND;
    app_set_message(app, 0, "Without receipt: scan the item (BARCODE@PRICE for another price), Enter");
}

static int today(void)
{
    time_t now = (time_t)loop_wall_time();
    struct tm tm;
    if (!localtime_r(&now, &tm))
        return 0;
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

int app_return_no_receipt(struct app *app, const char *text)
{
    struct app_returns *r = app->ret;
    char code[96];
    int64_t price = -1;
    snprintf(code, sizeof code, "%s", text);
    char *at = strchr(code, '@');
    if (at) {
        *at = 0;
        if (money_parse(at + 1, &app->s.fmt, &price) || price < 0) {
            app_set_message(app, 1, "'%s' is not a price", at + 1);
            return -1;
        }
    }
    if (cannot_change(app))
        return -1;
    struct scan_result s;
    char msg[256];
    if (lookup_scan(app->store, &app->s.barcode, code, today(), &s, msg, sizeof msg)) {
        app_set_message(app, 1, "%s", msg);
        return -1;
    }
    int64_t qty = s.has_qty ? s.qty : QTY_ONE, refund;
    if (s.product.unit == UNIT_KG && !s.has_qty && !s.has_price) {
        app_set_message(app, 1, "%s is weighed: scan its label", s.product.name);
        return -1;
    }
    int64_t unit = price >= 0 ? price : s.product.price;
    if (s.has_price && price < 0) {
        refund = s.price;
    } else if (money_mul_qty(unit, qty, &refund)) {
        app_set_message(app, 1, "amount too large");
        return -1;
    }
    int rc = cart_add_return(&app->sale->cart, &s.product, s.line_code, qty, unit, refund, "", 0,
                             r->restock, r->reasons[r->reason]);
    if (rc) {
        app_set_message(app, 1, "%s: %s", s.product.name, cart_strerror(rc));
        return -1;
    }
    return added(app);
}

/* --- paying out --- */

int64_t app_refund_due(const struct app *app)
{
    return tender_refund_due(&app->sale->tender);
}

static int refund_prepare(struct app *app, const char *text, int64_t *amount)
{
    struct tender_state *t = &app->sale->tender;
    if (app->card->state != CARD_IDLE) {
        app_set_message(app, 1, "A card payment is in progress: wait for the terminal");
        return -1;
    }
    t->total = app->sale->cart.totals.total;
    *amount = tender_refund_due(t);
    if (text[0] && (money_parse(text, &app->s.fmt, amount) || *amount <= 0)) {
        app_set_message(app, 1, "'%s' is not an amount", text);
        return -1;
    }
    return 0;
}

static int refund_taken(struct app *app, const char *what, int64_t amount)
{
    struct tender_state *t = &app->sale->tender;
    if (tender_is_settled(t))
        return app_complete_sale(app);
    char a[48], d[48];
    money_format(amount, &app->s.fmt, 1, a, sizeof a);
    money_format(tender_refund_due(t), &app->s.fmt, 1, d, sizeof d);
    app_set_message(app, 0, "%s %s. Still to pay out: %s", what, a, d);
    return 0;
}

/* Cash goes back for what was paid in cash; anything else takes a supervisor. */
static int cash_allowed(const struct app *app)
{
    const struct app_returns *r = app->ret;
    return r->cash_allowed || !r->have || r->orig.paid_by[TENDER_CASH] > 0;
}

int app_refund_cash(struct app *app, const char *text)
{
    int64_t amount, out;
    if (refund_prepare(app, text, &amount))
        return -1;
    if (!cash_allowed(app)) {
        snprintf(app->override.arg, sizeof app->override.arg, "%s", text);
        app_override_request(app, OVERRIDE_CASH_REFUND, "Cash back for a sale not paid in cash");
        return 0;
    }
    struct payment p = { .tender = TENDER_CASH };
    int rc = tender_add_refund(&app->sale->tender, &p, amount, &out);
    if (rc) {
        app_set_message(app, 1, "Cash not paid out: %s", tender_strerror(rc));
        return -1;
    }
    drawer_kick(app->drawer);
    return refund_taken(app, "Pay out in cash:", out);
}

int app_refund_card(struct app *app, const char *text)
{
    const struct app_returns *r = app->ret;
    int64_t amount;
    if (refund_prepare(app, text, &amount))
        return -1;
    /* back to the card it came from: never more than was paid by card */
    int64_t limit = r->have ? r->orig.paid_by[TENDER_CARD] : 0;
    for (int i = 0; i < app->sale->tender.n; i++)
        if (app->sale->tender.payments[i].tender == TENDER_CARD && app->sale->tender.payments[i].amount < 0)
            limit += app->sale->tender.payments[i].amount;
    if (limit <= 0) {
        app_set_message(app, 1, "The sale was not paid by card: refund in cash (Enter) or a voucher (F7)");
        return -1;
    }
    if (!text[0] && amount > limit)
        amount = limit;
    if (amount > limit || amount > app_refund_due(app)) {
        char a[48];
        money_format(limit < app_refund_due(app) ? limit : app_refund_due(app), &app->s.fmt, 1, a, sizeof a);
        app_set_message(app, 1, "At most %s can go back to the card", a);
        return -1;
    }
    return card_payment_refund_start(app->card, amount);
}

int app_refund_voucher(struct app *app, const char *text)
{
    int64_t amount;
    if (refund_prepare(app, text, &amount))
        return -1;
    struct payment p = { .tender = TENDER_VOUCHER };
    snprintf(p.reference, sizeof p.reference, "issued");
    int rc = tender_add_refund(&app->sale->tender, &p, amount, NULL);
    if (rc) {
        app_set_message(app, 1, "Voucher not issued: %s", tender_strerror(rc));
        return -1;
    }
    return refund_taken(app, "Voucher issued for", amount);
}
