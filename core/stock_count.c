#include "core/stock_count.h"
#include "core/textbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void count_tally_init(struct count_tally *t)
{
    memset(t, 0, sizeof *t);
    t->last_item = -1;
}

void count_tally_free(struct count_tally *t)
{
    free(t->items);
    count_tally_init(t);
}

const char *count_strerror(int rc)
{
    switch (rc) {
    case COUNT_OK: return "ok";
    case COUNT_ENOMEM: return "out of memory";
    case COUNT_EOVERFLOW: return "the figures overflow";
    case COUNT_ERANGE: return "a count must be 0 or more, whole pieces (kg to the gram)";
    default: return "error";
    }
}

int count_tally_find(const struct count_tally *t, const char *sku, const char *barcode)
{
    for (int i = 0; i < t->n; i++) {
        const struct count_item *it = &t->items[i];
        if (sku[0] ? strcmp(it->sku, sku) == 0 : !it->sku[0] && strcmp(it->barcode, barcode) == 0)
            return i;
    }
    return -1;
}

static struct count_item *append(struct count_tally *t)
{
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 64;
        struct count_item *p = realloc(t->items, (size_t)cap * sizeof *p);
        if (!p)
            return NULL;
        t->items = p;
        t->cap = cap;
    }
    struct count_item *it = &t->items[t->n++];
    memset(it, 0, sizeof *it);
    return it;
}

/* The quantity the item would have after e, or an error. */
static int next_qty(const struct count_tally *t, const struct count_entry *e, int64_t *out)
{
    int i = count_tally_find(t, e->sku, e->barcode);
    int64_t now = i >= 0 ? t->items[i].counted : 0, q = e->qty;
    if (e->op == COUNT_ADD) {
        if (__builtin_add_overflow(now, e->qty, &q))
            return COUNT_EOVERFLOW;
    }
    if (q < 0 || q > COUNT_MAX_QTY)
        return COUNT_ERANGE;
    /* pieces are whole; an unknown code has no unit, so it is taken as pieces */
    if (e->unit == UNIT_EACH && q % QTY_ONE != 0)
        return COUNT_ERANGE;
    *out = q;
    return COUNT_OK;
}

int count_tally_check(const struct count_tally *t, const struct count_entry *e)
{
    int64_t q;
    return next_qty(t, e, &q);
}

int count_tally_apply(struct count_tally *t, const struct count_entry *e)
{
    int64_t q;
    int rc = next_qty(t, e, &q);
    if (rc)
        return rc;
    int i = count_tally_find(t, e->sku, e->barcode);
    struct count_item *it;
    if (i < 0) {
        if (!(it = append(t)))
            return COUNT_ENOMEM;
        i = t->n - 1;
        snprintf(it->sku, sizeof it->sku, "%s", e->sku);
        snprintf(it->barcode, sizeof it->barcode, "%s", e->barcode);
        snprintf(it->name, sizeof it->name, "%s", e->name);
        it->unit = e->unit;
        it->price = e->price;
    }
    it = &t->items[i];
    if (!it->counted_ever) {
        /* an expected item counted now moves up to the end of the counted ones */
        int f = 0;
        while (f < i && t->items[f].counted_ever)
            f++;
        if (f < i) {
            struct count_item moved = *it;
            memmove(&t->items[f + 1], &t->items[f], (size_t)(i - f) * sizeof *it);
            t->items[f] = moved;
            i = f;
            it = &t->items[i];
        }
    }
    it->counted = q;
    it->counted_at = e->at;
    it->counted_ever = 1;
    t->entries++;
    t->last_seq = e->seq;
    t->last_item = i;
    return COUNT_OK;
}

int count_tally_add_expected(struct count_tally *t, const char *sku, const char *name, enum unit unit,
                             int64_t price, int64_t expected)
{
    int i = count_tally_find(t, sku, "");
    if (i >= 0) {
        count_item_set_expected(&t->items[i], 1, expected);
        return COUNT_OK;
    }
    struct count_item *it = append(t);
    if (!it)
        return COUNT_ENOMEM;
    snprintf(it->sku, sizeof it->sku, "%s", sku);
    snprintf(it->name, sizeof it->name, "%s", name);
    it->unit = unit;
    it->price = price;
    count_item_set_expected(it, 1, expected);
    return COUNT_OK;
}

void count_item_set_expected(struct count_item *it, int has, int64_t expected)
{
    it->has_expected = has;
    it->expected = has ? expected : 0;
}

int count_item_variance(const struct count_item *it, int uncounted_as_zero, struct count_variance *out)
{
    memset(out, 0, sizeof *out);
    out->expected = it->expected;
    out->counted = it->counted_ever || uncounted_as_zero ? it->counted : it->expected;
    if (__builtin_sub_overflow(out->counted, out->expected, &out->difference))
        return COUNT_EOVERFLOW;
    if (!it->sku[0])
        return COUNT_OK;   /* an unknown code has no price */
    if (money_mul_qty(it->price, out->expected, &out->value_expected) ||
        money_mul_qty(it->price, out->counted, &out->value_counted) ||
        money_sub(out->value_counted, out->value_expected, &out->value_difference))
        return COUNT_EOVERFLOW;
    return COUNT_OK;
}

int count_report_totals(const struct count_tally *t, int uncounted_as_zero, struct count_report_totals *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < t->n; i++) {
        const struct count_item *it = &t->items[i];
        if (!it->sku[0]) {
            out->unknown_codes++;
            continue;
        }
        if (it->counted_ever)
            out->items_counted++;
        else
            out->items_uncounted++;
        struct count_variance v;
        if (count_item_variance(it, uncounted_as_zero, &v) ||
            money_add(out->sum.value_expected, v.value_expected, &out->sum.value_expected) ||
            money_add(out->sum.value_counted, v.value_counted, &out->sum.value_counted) ||
            money_add(out->sum.value_difference, v.value_difference, &out->sum.value_difference))
            return COUNT_EOVERFLOW;
    }
    return COUNT_OK;
}

/* ------------------------------------------------------------------ report text --- */

static int finish(struct textbuf *b, char **out)
{
    return textbuf_take(b, out) ? COUNT_ENOMEM : COUNT_OK;
}

static void csv_field(struct textbuf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        textbuf_add(b, s, strlen(s));
        return;
    }
    textbuf_add(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            textbuf_add(b, "\"", 1);   /* a quote inside is doubled */
        textbuf_add(b, s, 1);
    }
    textbuf_add(b, "\"", 1);
}

static const char *item_status(const struct count_item *it, int receiving)
{
    return !it->sku[0] ? "unknown_code" : !it->counted_ever ? "not_counted" : receiving ? "received" : "counted";
}

int count_report_csv(const struct count_tally *t, const struct count_header *h, char **out)
{
    struct textbuf b = { 0 };
    static const char head[] = "count_id,zone,status,sku,barcode,name,unit,expected,counted,difference,"
                               "price,value_expected,value_counted,value_difference,counted_at\r\n";
    textbuf_add(&b, head, sizeof head - 1);
    for (int i = 0; i < t->n; i++) {
        const struct count_item *it = &t->items[i];
        struct count_variance v;
        if (count_item_variance(it, h->uncounted_as_zero, &v))
            return textbuf_free(&b), COUNT_EOVERFLOW;
        char e[32], c[32], d[32];
        qty_format(v.expected, e, sizeof e);
        qty_format(v.counted, c, sizeof c);
        qty_format(v.difference, d, sizeof d);
        csv_field(&b, h->count_id);
        textbuf_add(&b, ",", 1);
        csv_field(&b, h->zone);
        textbuf_printf(&b, ",%s,", item_status(it, h->receiving));
        csv_field(&b, it->sku);
        textbuf_add(&b, ",", 1);
        csv_field(&b, it->barcode);
        textbuf_add(&b, ",", 1);
        csv_field(&b, it->name);
        if (!it->sku[0])
            textbuf_printf(&b, ",,,%s,,,,,,%lld\r\n", c, (long long)it->counted_at);
        else if (h->receiving)   /* a delivery expects nothing: only what came and its value */
            textbuf_printf(&b, ",%s,,%s,,%lld,,%lld,,%lld\r\n", unit_name(it->unit), c, (long long)it->price,
                 (long long)v.value_counted, (long long)it->counted_at);
        else
            textbuf_printf(&b, ",%s,%s,%s,%s,%lld,%lld,%lld,%lld,%lld\r\n", unit_name(it->unit),
                 it->has_expected ? e : "", c, d, (long long)it->price, (long long)v.value_expected,
                 (long long)v.value_counted, (long long)v.value_difference,
                 (long long)(it->counted_ever ? it->counted_at : 0));
    }
    struct count_report_totals tot;
    if (count_report_totals(t, h->uncounted_as_zero, &tot))
        return textbuf_free(&b), COUNT_EOVERFLOW;
    csv_field(&b, h->count_id);
    textbuf_add(&b, ",", 1);
    csv_field(&b, h->zone);
    textbuf_printf(&b, ",total,,,%d counted / %d not counted (%s) / %d unknown codes,,,,,,%lld,%lld,%lld,\r\n",
         tot.items_counted, tot.items_uncounted, h->uncounted_as_zero ? "as zero" : "left out",
         tot.unknown_codes, (long long)tot.sum.value_expected, (long long)tot.sum.value_counted,
         (long long)tot.sum.value_difference);
    return finish(&b, out);
}

static void text_row(struct textbuf *b, int width, const char *name, const char *e, const char *c,
                     const char *d, const char *v)
{
    /* name on its own line when the figures need the whole width */
    int fig = 4 * 10;
    if (width - fig < 8) {
        textbuf_printf(b, "%s\n%10s%10s%10s%10s\n", name, e, c, d, v);
        return;
    }
    textbuf_printf(b, "%-*.*s%10s%10s%10s%10s\n", width - fig, width - fig, name, e, c, d, v);
}

static void rule(struct textbuf *b, int width, char ch)
{
    char line[256];
    int n = width < (int)sizeof line - 2 ? width : (int)sizeof line - 2;
    memset(line, ch, (size_t)n);
    line[n] = '\n';
    textbuf_add(b, line, (size_t)n + 1);
}

static void qty_text(const struct count_item *it, int64_t q, const struct money_format *fmt, char *buf, size_t len)
{
    if (money_format_qty(q, it->unit == UNIT_KG, fmt, buf, len) < 0)
        snprintf(buf, len, "?");
}

/* Goods in: what was received, its value at price, the codes for review. */
static int receipt_text(const struct count_tally *t, const struct count_header *h, int width, char **out)
{
    struct textbuf b = { 0 };
    struct count_report_totals tot;
    if (count_report_totals(t, 0, &tot))
        return COUNT_EOVERFLOW;
    textbuf_printf(&b, "GOODS IN %s\nInto: %s\nTill %s, received by %s\nStarted %s, finished %s\n", h->count_id, h->zone,
         h->terminal, h->counted_by, h->started, h->finished);
    rule(&b, width, '=');
    int name_w = width - 24 < 8 ? 8 : width - 24;
    textbuf_printf(&b, "%-*.*s%12s%12s\n", name_w, name_w, "Item", "Received", "Value");
    rule(&b, width, '-');
    for (int i = 0; i < t->n; i++) {
        const struct count_item *it = &t->items[i];
        struct count_variance v;
        char c[32], val[48];
        if (!it->sku[0] || !it->counted_ever)
            continue;
        if (count_item_variance(it, 0, &v))
            return textbuf_free(&b), COUNT_EOVERFLOW;
        qty_text(it, it->counted, h->fmt, c, sizeof c);
        money_format(v.value_counted, h->fmt, 0, val, sizeof val);
        textbuf_printf(&b, "%-*.*s%12s%12s\n", name_w, name_w, it->name, c, val);
    }
    if (tot.unknown_codes) {
        textbuf_printf(&b, "\nUnknown barcodes for review (%d)\n", tot.unknown_codes);
        rule(&b, width, '-');
        for (int i = 0; i < t->n; i++) {
            char c[32];
            if (t->items[i].sku[0])
                continue;
            qty_text(&t->items[i], t->items[i].counted, h->fmt, c, sizeof c);
            textbuf_printf(&b, "%-*s%10s\n", width > 10 ? width - 10 : 0, t->items[i].barcode, c);
        }
    }
    rule(&b, width, '=');
    char vc[48];
    money_format(tot.sum.value_counted, h->fmt, 1, vc, sizeof vc);
    textbuf_printf(&b, "Items received %d, unknown codes %d\nValue received %s\n", tot.items_counted, tot.unknown_codes, vc);
    return finish(&b, out);
}

int count_report_text(const struct count_tally *t, const struct count_header *h, int width, char **out)
{
    if (h->receiving)
        return receipt_text(t, h, width, out);
    struct textbuf b = { 0 };
    struct count_report_totals tot;
    if (count_report_totals(t, h->uncounted_as_zero, &tot))
        return COUNT_EOVERFLOW;
    textbuf_printf(&b, "STOCK COUNT %s\nZone: %s%s\nTill %s, counted by %s\nStarted %s, finished %s\n",
         h->count_id, h->zone, h->blind ? " (blind)" : "", h->terminal, h->counted_by, h->started, h->finished);
    rule(&b, width, '=');
    text_row(&b, width, "Item", "Expected", "Counted", "Diff", "Value");
    rule(&b, width, '-');
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && tot.items_uncounted) {
            textbuf_printf(&b, "\nExpected but not counted (%d): %s\n", tot.items_uncounted,
                 h->uncounted_as_zero ? "counted as zero" : "left out");
            rule(&b, width, '-');
        }
        for (int i = 0; i < t->n; i++) {
            const struct count_item *it = &t->items[i];
            if (!it->sku[0] || (pass == 0) != (it->counted_ever != 0))
                continue;
            struct count_variance v;
            if (count_item_variance(it, h->uncounted_as_zero, &v))
                return textbuf_free(&b), COUNT_EOVERFLOW;
            char e[32], c[32], d[32], val[48];
            qty_text(it, v.expected, h->fmt, e, sizeof e);
            qty_text(it, v.counted, h->fmt, c, sizeof c);
            qty_text(it, v.difference, h->fmt, d, sizeof d);
            money_format(v.value_difference, h->fmt, 0, val, sizeof val);
            text_row(&b, width, it->name, it->has_expected ? e : "-", c, d, val);
        }
    }
    if (tot.unknown_codes) {
        textbuf_printf(&b, "\nUnknown barcodes for review (%d)\n", tot.unknown_codes);
        rule(&b, width, '-');
        for (int i = 0; i < t->n; i++) {
            const struct count_item *it = &t->items[i];
            char c[32];
            if (it->sku[0])
                continue;
            qty_text(it, it->counted, h->fmt, c, sizeof c);
            textbuf_printf(&b, "%-*s%10s\n", width > 10 ? width - 10 : 0, it->barcode, c);
        }
    }
    rule(&b, width, '=');
    char ve[48], vc[48], vd[48];
    money_format(tot.sum.value_expected, h->fmt, 1, ve, sizeof ve);
    money_format(tot.sum.value_counted, h->fmt, 1, vc, sizeof vc);
    money_format(tot.sum.value_difference, h->fmt, 1, vd, sizeof vd);
    textbuf_printf(&b, "Items counted %d, not counted %d, unknown codes %d\n", tot.items_counted,
         tot.items_uncounted, tot.unknown_codes);
    textbuf_printf(&b, "Value expected %s\nValue counted  %s\nDifference     %s\n", ve, vc, vd);
    return finish(&b, out);
}
