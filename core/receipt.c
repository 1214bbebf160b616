#include "core/receipt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fmt(char *dst, size_t n, const char *f, ...) __attribute__((format(printf, 3, 4)));

static void fmt(char *dst, size_t n, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vsnprintf(dst, n, f, ap);
    va_end(ap);
}

static void amount(const struct sale *s, int64_t v, char *dst, size_t n)
{
    if (money_format(v, &s->fmt, 0, dst, n) < 0)
        fmt(dst, n, "?");
}

/* Each '\n'-separated line of text as its own item (a line wider than the receipt wraps). */
static void text_lines(struct receipt_layout *l, enum rl_align align, unsigned style, const char *text)
{
    char line[PT_RECEIPT_MAX];
    while (text && *text) {
        const char *e = strchr(text, '\n');
        size_t n = e ? (size_t)(e - text) : strlen(text);
        fmt(line, sizeof line, "%.*s", (int)(n < sizeof line - 1 ? n : sizeof line - 1), text);
        rl_text(l, align, style, line);
        text += n + (e != NULL);
    }
}

static void header(struct receipt_layout *l, const struct sale *sale, const struct receipt_options *o)
{
    char line[160];
    if (o->copy)
        rl_text(l, RL_CENTER, RL_BOLD | RL_DOUBLE, "COPY");
    rl_text(l, RL_CENTER, RL_BOLD | RL_DOUBLE, sale->store_name);
    text_lines(l, RL_CENTER, 0, o->header);
    if (o->gift)
        rl_text(l, RL_CENTER, RL_BOLD, "GIFT RECEIPT");
    fmt(line, sizeof line, "Receipt %lld  Till %s", (long long)sale->receipt_no, sale->terminal_id);
    rl_text(l, RL_CENTER, 0, line);
    fmt(line, sizeof line, "%s  Cashier %s", o->when_text ? o->when_text : "", sale->cashier);
    rl_text(l, RL_CENTER, 0, line);
    text_lines(l, RL_LEFT, 0, sale->notes);
    rl_rule(l, '-');
}

/* One cart line: name and amount, the quantity when it is not one piece, and for a voided
 * line the void as its own negative line under it, so that the printed amounts add up to
 * the total.  A gift receipt shows what was bought, and how much of it, only. */
static void item(struct receipt_layout *l, const struct sale *sale, const struct cart_line *ln, int gift)
{
    char left[160], right[64], a[48], q[32];
    int weighed = ln->product.unit == UNIT_KG;
    if (money_format_qty(ln->qty, weighed, &sale->fmt, q, sizeof q) < 0)
        fmt(q, sizeof q, "?");
    if (gift) {
        if (ln->voided)
            return;
        if (ln->qty != QTY_ONE || weighed)
            fmt(right, sizeof right, weighed ? "%s kg" : "%s x", q);
        else
            right[0] = 0;
        rl_pair(l, 0, ln->product.name, right);
        return;
    }
    /* a discount shows under its line: the item at its price, then what came off; a
     * returned line shows what it refunds, and why it came back */
    amount(sale, ln->qty > 0 ? ln->gross : ln->line_total, a, sizeof a);
    fmt(right, sizeof right, "%s %s", a, ln->product.tax_class);
    fmt(left, sizeof left, "%s%s", ln->qty < 0 ? "RETURN " : "", ln->product.name);
    rl_pair(l, 0, left, right);
    if (ln->qty != QTY_ONE || weighed) {
        amount(sale, ln->unit_price, a, sizeof a);
        fmt(left, sizeof left, weighed ? "  %s kg x %s" : "  %s x %s", q, a);
        rl_text(l, RL_LEFT, 0, left);
    }
    if (ln->expired)
        rl_text(l, RL_LEFT, 0, "  ! past expiry date");
    if (ln->qty > 0 && ln->discount && !ln->voided) {
        amount(sale, -ln->discount, a, sizeof a);
        fmt(left, sizeof left, "  %s", ln->discount_label[0] ? ln->discount_label : "Discount");
        rl_pair(l, 0, left, a);
    }
    if (ln->qty < 0) {
        fmt(left, sizeof left, "  reason: %s%s", ln->reason[0] ? ln->reason : "-",
            ln->restock ? "" : ", not restocked");
        rl_text(l, RL_LEFT, 0, left);
    }
    if (ln->voided) {
        amount(sale, ln->qty > 0 ? -ln->gross : -ln->line_total, a, sizeof a);
        fmt(right, sizeof right, "%s %s", a, ln->product.tax_class);
        fmt(left, sizeof left, "  VOID %s", ln->product.name);
        rl_pair(l, 0, left, right);
    }
}

static const char *tender_label(enum tender_kind t)
{
    return t == TENDER_CASH ? "Cash" : t == TENDER_CARD ? "Card" : "Voucher";
}

static void totals(struct receipt_layout *l, const struct sale *sale)
{
    const struct cart *cart = sale->cart;
    char left[160], a[48], c[48];
    if (money_format(cart->totals.total, &sale->fmt, 1, a, sizeof a) < 0)
        fmt(a, sizeof a, "?");
    rl_pair(l, RL_BOLD, "TOTAL", a);
    for (int i = 0; i < sale->npayments; i++) {
        const struct payment *p = &sale->payments[i];
        amount(sale, p->tender == TENDER_CASH ? p->tendered : p->amount, a, sizeof a);
        fmt(left, sizeof left, "%s%s%s", tender_label(p->tender), p->masked_pan[0] ? " " : "",
            p->masked_pan);
        rl_pair(l, 0, left, a);
    }
    if (sale->change_given) {
        amount(sale, sale->change_given, a, sizeof a);
        rl_pair(l, 0, "Change", a);
    }
    rl_rule(l, '-');
    rl_text(l, RL_LEFT, 0, sale->tax.mode == TAX_INCLUSIVE ? "Tax included" : "Tax");
    for (int i = 0; i < cart->totals.nclasses; i++) {
        const struct tax_line *t = &cart->totals.classes[i];
        amount(sale, t->net, a, sizeof a);
        amount(sale, t->tax, c, sizeof c);
        char rate[32];
        if (money_format_rate(t->rate_ppm, &sale->fmt, rate, sizeof rate) < 0)
            fmt(rate, sizeof rate, "?");
        fmt(left, sizeof left, "  %s %s net %s", t->code, rate, a);
        rl_pair(l, 0, left, c);
    }
}

/* The card terminal's cardholder copy, whole, line by line as it came. */
static void terminal_receipts(struct receipt_layout *l, const struct sale *sale)
{
    for (int i = 0; i < sale->npayments; i++) {
        const struct payment *p = &sale->payments[i];
        if (!p->terminal_receipt[0])
            continue;
        rl_rule(l, '-');
        text_lines(l, RL_LEFT, 0, p->terminal_receipt);
    }
}

int receipt_layout(const struct sale *sale, const struct receipt_options *o, struct receipt_layout *l)
{
    rl_init(l, o->width ? o->width : RECEIPT_DEFAULT_WIDTH);
    if (o->fold)
        rl_fold_to(l, o->codepage);
    header(l, sale, o);
    for (int i = 0; i < sale->cart->nlines; i++)
        item(l, sale, &sale->cart->lines[i], o->gift);
    rl_rule(l, '-');
    if (!o->gift) {
        totals(l, sale);
        terminal_receipts(l, sale);
        rl_rule(l, '-');
    }
    text_lines(l, RL_CENTER, 0, o->footer ? o->footer : "Thank you!");
    /* the TSE's fields and QR code (KassenSichV), on every receipt but a gift receipt */
    if (sale->fiscal_text[0] && !o->gift) {
        rl_rule(l, '-');
        text_lines(l, RL_LEFT, 0, sale->fiscal_text);
        if (sale->fiscal_qr[0])
            rl_code(l, RL_QR, sale->fiscal_qr);
    }
    if (o->code != RECEIPT_CODE_NONE) {
        char code[64];
        if (receipt_code_format(sale->terminal_id, sale->receipt_no, code, sizeof code) == 0)
            rl_code(l, o->code == RECEIPT_CODE_QR ? RL_QR : RL_CODE128, code);
    }
    if (o->copy)
        rl_text(l, RL_CENTER, RL_BOLD | RL_DOUBLE, "COPY");
    if (l->failed) {
        rl_free(l);
        return -1;
    }
    return 0;
}

int receipt_render(const struct sale *sale, int width, const char *when_text, char **out)
{
    struct receipt_options o = { .width = width, .when_text = when_text };
    struct receipt_layout l;
    if (receipt_layout(sale, &o, &l))
        return -1;
    int rc = rl_render_text(&l, out);
    rl_free(&l);
    return rc;
}

int receipt_code_format(const char *terminal_id, int64_t receipt_no, char *buf, size_t len)
{
    if (receipt_no < 0 || !*terminal_id)
        return -1;
    for (const char *p = terminal_id; *p; p++)
        if (*p <= ' ' || *p > '~')
            return -1;  /* a CODE128 symbol carries printable ASCII only */
    int n = snprintf(buf, len, "R%s-%lld", terminal_id, (long long)receipt_no);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

int receipt_code_parse(const char *text, char *terminal_id, size_t tlen, int64_t *receipt_no)
{
    if (text[0] != 'R')
        return -1;
    const char *dash = strrchr(text, '-');
    if (!dash || dash == text + 1 || !dash[1] || strlen(dash + 1) > 18)
        return -1;
    int64_t no = 0;
    for (const char *p = dash + 1; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        no = no * 10 + (*p - '0');
    }
    size_t n = (size_t)(dash - (text + 1));
    if (n >= tlen)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (text[1 + i] <= ' ' || text[1 + i] > '~')
            return -1;
    memcpy(terminal_id, text + 1, n);
    terminal_id[n] = 0;
    *receipt_no = no;
    return 0;
}
