#include "core/shift_report.h"
#include "core/receipt_layout.h"
#include "core/textbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cash_kinds[CASH_KIND_COUNT][2] = {
    [CASH_PAID_IN] = { "paid_in", "Paid in" },
    [CASH_PAID_OUT] = { "paid_out", "Paid out" },
    [CASH_DROP] = { "drop", "Cash drop" },
    [CASH_NO_SALE] = { "no_sale", "No sale" },
};

const char *cash_kind_name(enum cash_kind k)
{
    return (unsigned)k < CASH_KIND_COUNT ? cash_kinds[k][0] : NULL;
}

const char *cash_kind_label(enum cash_kind k)
{
    return (unsigned)k < CASH_KIND_COUNT ? cash_kinds[k][1] : NULL;
}

int cash_kind_parse(const char *s, enum cash_kind *out)
{
    for (int i = 0; i < CASH_KIND_COUNT; i++)
        if (s && strcmp(s, cash_kinds[i][0]) == 0) {
            *out = (enum cash_kind)i;
            return 0;
        }
    return -1;
}

int shift_report_compute(const struct shift_figures *f, int counted, int64_t counted_cash,
                         struct shift_report *out)
{
    memset(out, 0, sizeof *out);
    out->f = *f;
    int64_t e = f->opening_float;
    if (money_add(e, f->cash, &e) || money_add(e, f->paid_in, &e) || money_sub(e, f->paid_out, &e) ||
        money_sub(e, f->drops, &e) || money_sub(e, f->refunds_value, &e))
        return MONEY_EOVERFLOW;
    out->expected_cash = e;
    out->counted = counted;
    if (counted) {
        out->counted_cash = counted_cash;
        if (money_sub(counted_cash, e, &out->over_short))
            return MONEY_EOVERFLOW;
    }
    return MONEY_OK;
}

static const char *const eod_names[SHIFT_EOD_COUNT] = {
    "none", "ok", "unsupported", "no_answer", "failed", "interrupted",
};

const char *shift_eod_name(enum shift_eod e)
{
    return (unsigned)e < SHIFT_EOD_COUNT ? eod_names[e] : "none";
}

int shift_eod_parse(const char *s, enum shift_eod *out)
{
    for (int i = 0; i < SHIFT_EOD_COUNT; i++)
        if (s && strcmp(s, eod_names[i]) == 0) {
            *out = (enum shift_eod)i;
            return 0;
        }
    return -1;
}

int shift_report_reconcile(struct shift_report *r, const struct shift_eod_result *eod)
{
    r->eod = *eod;
    r->eod_difference = 0;
    if (eod->state != SHIFT_EOD_OK)
        return MONEY_OK;
    int64_t till_card;
    if (money_sub(r->f.card, r->f.card_refunds_value, &till_card) ||
        money_sub(eod->terminal.total, till_card, &r->eod_difference))
        return MONEY_EOVERFLOW;
    return MONEY_OK;
}

/* "label ........ right" in width columns (the label is cut if need be). */
static void lr(struct textbuf *t, int width, const char *label, const char *right)
{
    char line[256];
    int rw = rl_text_width(right), lw = rl_text_width(label);
    int room = width - rw - 1;
    if (room < 1)
        room = 1;
    if (lw > room)
        lw = room;
    size_t lb = rl_text_prefix(label, lw);
    snprintf(line, sizeof line, "%.*s%*s%s", (int)lb, label, width - lw - rw > 0 ? width - lw - rw : 1, "", right);
    textbuf_line(t, line);
}

static void amount(struct textbuf *t, int width, const struct money_format *fmt, const char *label, int64_t v)
{
    char a[48];
    money_format(v, fmt, 0, a, sizeof a);
    lr(t, width, label, a);
}

static void count_amount(struct textbuf *t, int width, const struct money_format *fmt, const char *label,
                         int64_t n, int64_t v)
{
    char a[48], r[80];
    money_format(v, fmt, 0, a, sizeof a);
    snprintf(r, sizeof r, "%lld  %12s", (long long)n, a);
    lr(t, width, label, r);
}

static void rule(struct textbuf *t, int width, char c)
{
    char line[256];
    int n = width < (int)sizeof line - 1 ? width : (int)sizeof line - 1;
    memset(line, c, (size_t)n);
    line[n] = 0;
    textbuf_line(t, line);
}

/* The card terminal's end-of-day against the till's card total (a Z that asked for it). */
static void render_eod(struct textbuf *t, const struct shift_report *r, const struct money_format *fmt, int width)
{
    const struct shift_eod_result *e = &r->eod;
    static const char *const why[SHIFT_EOD_COUNT] = {
        [SHIFT_EOD_UNSUPPORTED] = "Card terminal has no end-of-day",
        [SHIFT_EOD_NO_ANSWER] = "Card terminal did not answer",
        [SHIFT_EOD_FAILED] = "Card terminal end-of-day failed",
        [SHIFT_EOD_INTERRUPTED] = "Card terminal end-of-day interrupted: check its own report",
    };
    if (e->state == SHIFT_EOD_NONE)
        return;
    rule(t, width, '-');
    int64_t till_card = r->f.card - r->f.card_refunds_value; /* reconcile checked it */
    if (e->state != SHIFT_EOD_OK) {
        textbuf_line(t, why[e->state]);
        if (e->state == SHIFT_EOD_FAILED && e->terminal.message[0]) {
            char line[160];
            snprintf(line, sizeof line, "  %s", e->terminal.message);
            textbuf_line(t, line);
        }
        amount(t, width, fmt, "Till card total", till_card);
        return;
    }
    textbuf_line(t, "Card terminal end-of-day");
    amount(t, width, fmt, "Till card total", till_card);
    if (e->terminal.count >= 0)
        count_amount(t, width, fmt, "Terminal total", e->terminal.count, e->terminal.total);
    else
        amount(t, width, fmt, "Terminal total", e->terminal.total);
    for (int i = 0; i < e->terminal.nlines && i < PT_EOD_MAX_LINES; i++) {
        char label[40];
        snprintf(label, sizeof label, "  %s", e->terminal.lines[i].card);
        count_amount(t, width, fmt, label, e->terminal.lines[i].count, e->terminal.lines[i].amount);
    }
    char a[48], s[64];
    money_format(r->eod_difference, fmt, 0, a, sizeof a);
    snprintf(s, sizeof s, "%s%s", r->eod_difference > 0 ? "+" : "", a);
    lr(t, width, r->eod_difference ? "CARD DIFFERENCE" : "Card difference", s);
}

int shift_report_render(const struct shift_report *r, const struct shift_report_head *h,
                        const struct money_format *fmt, int width, char **out)
{
    struct textbuf t = { 0 };
    const struct shift_figures *f = &r->f;
    char line[256];
    if (width < 24)
        width = 24;
    if (width > 120)
        width = 120;
    if (h->is_z)
        snprintf(line, sizeof line, "Z REPORT  No. %lld  (shift closed)", (long long)h->z_number);
    else
        snprintf(line, sizeof line, "X REPORT  (read only, shift open)");
    textbuf_line(&t, line);
    snprintf(line, sizeof line, "%s  Till %s  Shift %lld", h->store ? h->store : "", h->terminal ? h->terminal : "",
             (long long)h->shift_no);
    textbuf_line(&t, line);
    snprintf(line, sizeof line, "Opened %s by %s", h->opened_at ? h->opened_at : "", h->opened_by ? h->opened_by : "");
    textbuf_line(&t, line);
    snprintf(line, sizeof line, "%s %s by %s", h->is_z ? "Closed" : "Printed", h->closed_at ? h->closed_at : "",
             h->closed_by ? h->closed_by : "");
    textbuf_line(&t, line);
    rule(&t, width, '=');
    count_amount(&t, width, fmt, "Sales", f->sales_count, f->sales_total);
    amount(&t, width, fmt, "  Cash", f->cash);
    amount(&t, width, fmt, "  Card", f->card);
    amount(&t, width, fmt, "  Voucher", f->voucher);
    rule(&t, width, '-');
    for (int i = 0; i < f->ntaxes; i++) {
        char rate[24], label[64];
        money_format_rate(f->taxes[i].rate_ppm, fmt, rate, sizeof rate);
        snprintf(label, sizeof label, "Tax %s %s gross", f->taxes[i].code, rate);
        amount(&t, width, fmt, label, f->taxes[i].gross);
        amount(&t, width, fmt, "    net", f->taxes[i].net);
        amount(&t, width, fmt, "    tax", f->taxes[i].tax);
    }
    if (f->ntaxes)
        rule(&t, width, '-');
    amount(&t, width, fmt, "Discounts", f->discounts);
    count_amount(&t, width, fmt, "Voids", f->voids_count, f->voids_value);
    count_amount(&t, width, fmt, "Cancelled sales", f->cancels_count, f->cancels_value);
    count_amount(&t, width, fmt, "Cash refunds", f->refunds_count, f->refunds_value);
    count_amount(&t, width, fmt, "Card/voucher refunds", f->other_refunds_count, f->other_refunds_value);
    snprintf(line, sizeof line, "%lld", (long long)f->no_sales);
    lr(&t, width, "No sale (drawer opened)", line);
    if (f->parked_old > 0) {
        /* a sale set aside long ago: resume and finish it, or cancel it */
        snprintf(line, sizeof line, "%lld", (long long)f->parked_old);
        lr(&t, width, "OLD parked sales: check", line);
    }
    rule(&t, width, '-');
    amount(&t, width, fmt, "Opening float", f->opening_float);
    amount(&t, width, fmt, "+ Cash sales", f->cash);
    amount(&t, width, fmt, "+ Paid in", f->paid_in);
    amount(&t, width, fmt, "- Paid out", f->paid_out);
    amount(&t, width, fmt, "- Drops to the safe", f->drops);
    amount(&t, width, fmt, "- Cash refunds", f->refunds_value);
    amount(&t, width, fmt, "Expected cash", r->expected_cash);
    if (r->counted) {
        amount(&t, width, fmt, "Counted cash", r->counted_cash);
        char a[48], s[64];
        money_format(r->over_short, fmt, 0, a, sizeof a);
        snprintf(s, sizeof s, "%s%s", r->over_short > 0 ? "+" : "", a);
        lr(&t, width, r->over_short < 0 ? "SHORT" : r->over_short > 0 ? "OVER" : "Over/short", s);
    }
    render_eod(&t, r, fmt, width);
    rule(&t, width, '=');
    return textbuf_take(&t, out);
}
