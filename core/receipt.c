#include "core/receipt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf {
    char *p;
    size_t len, cap;
    int failed;
};

static void buf_put(struct buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 1024) + n;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

/* Display width of UTF-8 text (one column per code point; receipts are Latin text). */
static int text_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

/* Byte length of the first `cols` columns of s. */
static size_t text_prefix(const char *s, int cols)
{
    size_t i = 0;
    int w = 0;
    while (s[i]) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && w++ == cols)
            break;
        i++;
    }
    return i;
}

/* left text, right-aligned right text, on one line of width columns. */
static void line_lr(struct buf *b, int width, const char *left, const char *right)
{
    int rw = text_width(right);
    int room = width - rw - 1;
    if (room < 0)
        room = 0;
    size_t ln = text_prefix(left, room);
    buf_put(b, left, ln);
    int lw = text_width(left) < room ? text_width(left) : room;
    for (int i = lw; i < width - rw; i++)
        buf_put(b, " ", 1);
    buf_put(b, right, strlen(right));
    buf_put(b, "\n", 1);
}

static void line_center(struct buf *b, int width, const char *s)
{
    int w = text_width(s);
    for (int i = 0; i < (width - w) / 2; i++)
        buf_put(b, " ", 1);
    buf_put(b, s, text_prefix(s, width));
    buf_put(b, "\n", 1);
}

static void rule(struct buf *b, int width, char c)
{
    for (int i = 0; i < width; i++)
        buf_put(b, &c, 1);
    buf_put(b, "\n", 1);
}

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

/* One cart line: name and amount, the quantity when it is not one piece, and for a voided
 * line the void as its own negative line under it, so that the printed amounts add up to
 * the total. */
static void item_lines(struct buf *b, const struct sale *sale, const struct cart_line *ln, int width)
{
    char l[160], r[64], a[48], q[32];
    int weighed = ln->product.unit == UNIT_KG;
    amount(sale, ln->line_total, a, sizeof a);
    fmt(r, sizeof r, "%s %s", a, ln->product.tax_class);
    line_lr(b, width, ln->product.name, r);
    if (ln->qty != QTY_ONE || weighed) {
        if (money_format_qty(ln->qty, weighed, &sale->fmt, q, sizeof q) < 0)
            fmt(q, sizeof q, "?");
        amount(sale, ln->unit_price, a, sizeof a);
        fmt(l, sizeof l, weighed ? "  %s kg x %s" : "  %s x %s", q, a);
        line_lr(b, width, l, "");
    }
    if (ln->expired)
        line_lr(b, width, "  ! past expiry date", "");
    if (ln->voided) {
        amount(sale, -ln->line_total, a, sizeof a);
        fmt(r, sizeof r, "%s %s", a, ln->product.tax_class);
        fmt(l, sizeof l, "  VOID %s", ln->product.name);
        line_lr(b, width, l, r);
    }
}

int receipt_render(const struct sale *sale, int width, const char *when_text, char **out)
{
    struct buf b = { 0 };
    const struct cart *cart = sale->cart;
    char l[160], a[48], c[48];
    if (width < 24)
        width = 24;

    line_center(&b, width, sale->store_name);
    fmt(l, sizeof l, "Receipt %lld  Till %s", (long long)sale->receipt_no, sale->terminal_id);
    line_center(&b, width, l);
    fmt(l, sizeof l, "%s  Cashier %s", when_text, sale->cashier);
    line_center(&b, width, l);
    rule(&b, width, '-');

    for (int i = 0; i < cart->nlines; i++)
        item_lines(&b, sale, &cart->lines[i], width);
    rule(&b, width, '-');
    if (money_format(cart->totals.total, &sale->fmt, 1, a, sizeof a) < 0)
        fmt(a, sizeof a, "?");
    line_lr(&b, width, "TOTAL", a);
    for (int i = 0; i < sale->npayments; i++) {
        const struct payment *p = &sale->payments[i];
        amount(sale, p->tender == TENDER_CASH ? p->tendered : p->amount, a, sizeof a);
        fmt(l, sizeof l, "%s%s%s", p->tender == TENDER_CASH ? "Cash" :
                                   p->tender == TENDER_CARD ? "Card" : "Voucher",
            p->masked_pan[0] ? " " : "", p->masked_pan[0] ? p->masked_pan : "");
        line_lr(&b, width, l, a);
    }
    if (sale->change_given) {
        amount(sale, sale->change_given, a, sizeof a);
        line_lr(&b, width, "Change", a);
    }
    rule(&b, width, '-');
    const char *hdr = sale->tax.mode == TAX_INCLUSIVE ? "Tax included" : "Tax";
    line_lr(&b, width, hdr, "");
    for (int i = 0; i < cart->totals.nclasses; i++) {
        const struct tax_line *t = &cart->totals.classes[i];
        amount(sale, t->net, a, sizeof a);
        amount(sale, t->tax, c, sizeof c);
        char rate[32];
        if (money_format_rate(t->rate_ppm, &sale->fmt, rate, sizeof rate) < 0)
            fmt(rate, sizeof rate, "?");
        fmt(l, sizeof l, "  %s %s net %s", t->code, rate, a);
        line_lr(&b, width, l, c);
    }
    for (int i = 0; i < sale->npayments; i++) {
        const struct payment *p = &sale->payments[i];
        if (!p->terminal_receipt[0])
            continue;
        rule(&b, width, '-');
        /* the terminal's cardholder copy, whole: a line wider than the receipt wraps */
        const char *s = p->terminal_receipt;
        while (*s) {
            const char *e = strchr(s, '\n');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            char line[PT_RECEIPT_MAX];
            memcpy(line, s, n);
            line[n] = 0;
            const char *rest = line;
            do {
                size_t part = text_prefix(rest, width);
                buf_put(&b, rest, part);
                buf_put(&b, "\n", 1);
                rest += part;
            } while (*rest);
            s += n + (e != NULL);
        }
    }
    rule(&b, width, '-');
    line_center(&b, width, "Thank you!");
    if (b.failed) {
        free(b.p);
        return -1;
    }
    *out = b.p;
    return 0;
}
