/* The pricing engine (see pricing.h for the order, the rounding and the guarantees). */
#include "core/pricing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"

#define BP_ONE 10000

/* The engine's working state for one call. */
struct work {
    struct pricing_line *lines;
    int n;
    int64_t *net;          /* what each line costs so far */
    int64_t *unit;         /* pieces: what one unit costs after the customer price */
    int64_t *avail;        /* units not yet in an exclusive promotion (kg lines: 0 or 1) */
    int64_t *delta;        /* scratch: discounts of the promotion being weighed */
    int64_t *used;         /* scratch: units it takes */
    int64_t *in_group;     /* what the units in multi-buys and bundles cost after them */
    const struct promo **owner;   /* the exclusive promotion each line belongs to, or NULL */
    const int *mine;       /* the lines the promotion being weighed owns, in cart order */
    int nmine;
    struct pricing_result *res;
    int overflow;
};

int discount_of(const struct discount_spec *spec, int64_t amount, int64_t *out)
{
    int64_t d = 0;
    if (amount < 0)
        return PRICING_EINVAL;
    switch (spec->kind) {
    case DISCOUNT_NONE:
        break;
    case DISCOUNT_PERCENT:
        if (spec->value < 0 || spec->value > BP_ONE)
            return PRICING_EINVAL;
        if (money_muldiv(amount, spec->value, BP_ONE, &d))
            return PRICING_EOVERFLOW;
        break;
    case DISCOUNT_AMOUNT:
        if (spec->value < 0)
            return PRICING_EINVAL;
        d = spec->value;
        break;
    }
    *out = d > amount ? amount : d;
    return PRICING_OK;
}

int promo_active(const struct promo *p, const struct pricing_context *ctx)
{
    if ((p->valid_from && ctx->now < p->valid_from) || (p->valid_to && ctx->now >= p->valid_to))
        return 0;
    if (p->day_from || p->day_to) {
        int m = ctx->minute_of_day;
        /* a window may run over midnight: 22:00-02:00 */
        int in = p->day_from <= p->day_to ? m >= p->day_from && m < p->day_to
                                          : m >= p->day_from || m < p->day_to;
        if (!in)
            return 0;
    }
    if (p->segment[0] && (!ctx->segment || strcmp(ctx->segment, p->segment) != 0))
        return 0;
    if (p->coupon[0]) {
        for (int i = 0; i < ctx->ncoupons; i++)
            if (strcmp(ctx->coupons[i], p->coupon) == 0)
                return 1;
        return 0;
    }
    return 1;
}

int promo_check(const struct promo *p, char *reason, size_t len)
{
    const char *why = NULL;
    if (!p->name[0])
        why = "a promotion needs a name";
    else if (p->day_from < 0 || p->day_from > 1440 || p->day_to < 0 || p->day_to > 1440)
        why = "day window minutes must be within 0..1440";
    else if (p->valid_from && p->valid_to && p->valid_to <= p->valid_from)
        why = "valid_to must be after valid_from";
    else {
        switch (p->kind) {
        case PROMO_MULTIBUY_PRICE:
            if (p->n < 2 || p->n > PROMO_GROUP_MAX || p->price < 0)
                why = "a multi-buy needs 2 to 50 units and a price of 0 or more";
            break;
        case PROMO_MULTIBUY_FREE:
            /* "4 for 2" would make the fourth item lower the total */
            if (p->n < 2 || p->n > PROMO_GROUP_MAX || p->m != p->n - 1)
                why = "an n-for-m multi-buy gives one unit free: m must be n - 1";
            break;
        case PROMO_BUNDLE:
            if (p->nbundle < 2 || p->nbundle > PROMO_BUNDLE_MAX || p->price < 0)
                why = "a bundle needs 2 to 4 skus and a price of 0 or more";
            for (int i = 0; !why && i < p->nbundle; i++)
                for (int j = 0; j < i; j++)
                    if (!p->bundle[i][0] || strcmp(p->bundle[i], p->bundle[j]) == 0)
                        why = "a bundle's skus must be different and not empty";
            break;
        case PROMO_PERCENT:
            if (p->percent_bp <= 0 || p->percent_bp > BP_ONE)
                why = "a percentage must be above 0 and at most 100 %";
            break;
        case PROMO_SPEND:
            if (p->amount_off <= 0 || p->threshold < p->amount_off)
                why = "spend X get Y off needs 0 < Y <= X";
            break;
        default:
            why = "unknown promotion kind";
        }
    }
    if (why) {
        snprintf(reason, len, "%s", why);
        return PRICING_EINVAL;
    }
    return PRICING_OK;
}

int pricing_refund_share(int64_t paid, int64_t sold_qty, int64_t returned_before, int64_t qty,
                         int64_t *refund)
{
    if (sold_qty <= 0 || qty <= 0 || returned_before < 0 || returned_before > sold_qty ||
        qty > sold_qty - returned_before)
        return PRICING_EINVAL;
    int64_t before, after;
    if (money_muldiv(paid, returned_before, sold_qty, &before) ||
        money_muldiv(paid, returned_before + qty, sold_qty, &after))
        return PRICING_EOVERFLOW;
    *refund = after - before;
    return PRICING_OK;
}

/* FNV-1a of a code: the hot loops compare these before the strings (every line against
 * every promotion, every line against the segment's prices, at every scan). */
static uint64_t code_hash(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int targets(const struct promo *p, const struct pricing_line *l)
{
    if (l->fixed)
        return 0;
    if (p->sku[0])
        return strcmp(p->sku, l->sku ? l->sku : "") == 0;
    if (p->group[0])
        return l->group && strcmp(p->group, l->group) == 0;
    return 1;
}

/* Appends ", name" (cut to fit); no printf: a sale-level promotion labels every line of
 * the cart at every scan. */
static void add_label(struct pricing_line *l, const char *name)
{
    size_t n = strlen(l->label), cap = sizeof l->label - 1;
    if (n && strstr(l->label, name))
        return;
    if (n && n + 2 > cap)
        return;
    if (n) {
        memcpy(l->label + n, ", ", 2);
        n += 2;
    }
    size_t m = strlen(name);
    if (m > cap - n)
        m = cap - n;
    memcpy(l->label + n, name, m);
    l->label[n + m] = 0;
}

static void note_applied(struct work *w, const char *name, int64_t amount)
{
    struct pricing_result *r = w->res;
    if (amount <= 0)
        return;
    for (int i = 0; i < r->napplied; i++)
        if (strcmp(r->applied[i].name, name) == 0) {
            if (money_add(r->applied[i].amount, amount, &r->applied[i].amount))
                w->overflow = 1;
            return;
        }
    if (r->napplied == (int)(sizeof r->applied / sizeof r->applied[0]))
        return;
    struct pricing_applied *a = &r->applied[r->napplied++];
    snprintf(a->name, sizeof a->name, "%s", name);
    a->amount = amount;
}

/* Remainders, largest first; ties: the earlier index. */
struct share_rem {
    __int128 rem;
    int i;
};

static int by_rem_desc(const void *a, const void *b)
{
    const struct share_rem *x = a, *y = b;
    if (x->rem != y->rem)
        return x->rem > y->rem ? -1 : 1;
    return x->i - y->i;
}

/* Shares amount over k weights (>= 0, not all 0) in whole minor units: shares rounded
 * down, the units left over one each to the largest remainders (ties: the earlier index).
 * The remainders are sorted once: a sale-level amount over many lines stays cheap. */
static int share_all(int64_t amount, const int64_t *weight, int k, int64_t *out)
{
    __int128 total = 0;
    for (int i = 0; i < k; i++)
        total += weight[i];
    if (total <= 0 || amount < 0)
        return -1;
    int64_t given = 0;
    for (int i = 0; i < k; i++) {
        out[i] = (int64_t)((__int128)amount * weight[i] / total);
        given += out[i];
    }
    if (amount == given)
        return 0;
    /* at most k - 1 units are left; each goes to a different line */
    struct share_rem *r = malloc(sizeof *r * ((size_t)k + 1));
    if (!r)
        return -1;
    int nr = 0;
    for (int i = 0; i < k; i++)
        if (weight[i] > 0)
            r[nr++] = (struct share_rem){ (__int128)amount * weight[i] % total, i };
    qsort(r, (size_t)nr, sizeof *r, by_rem_desc);
    for (int64_t left = amount - given, j = 0; left > 0 && j < nr; left--, j++)
        out[r[j].i]++;
    free(r);
    return 0;
}

/* --- exclusive item promotions: each weighed on the units left, the best applied --- */

/* One group of a multi-buy: the units it takes from each line (at most n lines). */
struct group {
    int line[PROMO_GROUP_MAX];
    int64_t count[PROMO_GROUP_MAX];
    int k;
    int64_t units, sum, cheapest;
};

/* A group's saving: never more than its cheapest unit (see pricing.h). */
static int64_t group_saving(const struct promo *p, const struct group *g)
{
    int64_t s = 0;
    if (p->kind == PROMO_MULTIBUY_FREE)
        s = g->cheapest;
    else if (g->sum > p->price)
        s = g->sum - p->price;
    return s > g->cheapest ? g->cheapest : s;
}

/* Credits times copies of group g: units used and discount shared by each line's value. */
static void group_credit(struct work *w, const struct group *g, int64_t saving, int64_t times)
{
    int64_t weight[PROMO_GROUP_MAX] = { 0 }, part[PROMO_GROUP_MAX] = { 0 };
    for (int i = 0; i < g->k; i++)
        weight[i] = g->count[i] * w->unit[g->line[i]];
    if (share_all(saving, weight, g->k, part)) {
        w->overflow = 1;
        return;
    }
    for (int i = 0; i < g->k; i++) {
        int64_t d, u;
        if (__builtin_mul_overflow(part[i], times, &d) ||
            __builtin_add_overflow(w->delta[g->line[i]], d, &w->delta[g->line[i]]) ||
            __builtin_mul_overflow(g->count[i], times, &u) ||
            __builtin_add_overflow(w->used[g->line[i]], u, &w->used[g->line[i]]))
            w->overflow = 1;
    }
}

static void group_add(struct group *g, int line, int64_t count, int64_t unit)
{
    g->line[g->k] = line;
    g->count[g->k] = count;
    g->k++;
    g->units += count;
    g->sum += count * unit;     /* at most 50 units of at most 2^50 */
    g->cheapest = unit;         /* units come most expensive first */
}

static int by_unit_desc(const void *a, const void *b, void *ctx)
{
    const struct work *w = ctx;
    int x = *(const int *)a, y = *(const int *)b;
    if (w->unit[x] != w->unit[y])
        return w->unit[x] > w->unit[y] ? -1 : 1;
    return x - y;
}

/* Multi-buy over the target's units, most expensive first (a customer's best grouping
 * when the cheapest of each group is what is saved). */
static void weigh_multibuy(struct work *w, const struct promo *p)
{
    int *order = malloc(sizeof *order * (size_t)(w->n + 1));
    int k = 0;
    if (!order) {
        w->overflow = 1;
        return;
    }
    for (int j = 0; j < w->nmine; j++) {
        int i = w->mine[j];
        if (w->lines[i].pieces && w->avail[i] > 0 && w->owner[i] == p)
            order[k++] = i;
    }
    qsort_r(order, (size_t)k, sizeof *order, by_unit_desc, w);
    struct group g = { .k = 0 };
    for (int r = 0; r < k; r++) {
        int line = order[r];
        int64_t c = w->avail[line], u = w->unit[line];
        while (c > 0) {
            if (g.k == 0 && c >= p->n) {
                /* whole groups inside one line, all alike */
                int64_t times = c / p->n;
                struct group one = { .k = 0 };
                group_add(&one, line, p->n, u);
                group_credit(w, &one, group_saving(p, &one), times);
                c -= times * p->n;
                continue;
            }
            int64_t t = p->n - g.units < c ? p->n - g.units : c;
            group_add(&g, line, t, u);
            c -= t;
            if (g.units == p->n) {
                group_credit(w, &g, group_saving(p, &g), 1);
                g.k = 0;
                g.units = g.sum = 0;
            }
        }
    }
    free(order);
}

/* Bundles: one unit of each sku, taken from that sku's lines in cart order. */
static void weigh_bundle(struct work *w, const struct promo *p)
{
    int cur[PROMO_BUNDLE_MAX];
    int64_t left[PROMO_BUNDLE_MAX];
    for (int b = 0; b < p->nbundle; b++) {
        cur[b] = -1;
        left[b] = 0;
    }
    for (;;) {
        int64_t times = INT64_MAX;
        for (int b = 0; b < p->nbundle; b++) {
            while (left[b] == 0) {
                int i = cur[b] + 1;
                while (i < w->n && !(w->lines[i].pieces && w->avail[i] > 0 && w->owner[i] == p &&
                                     strcmp(w->lines[i].sku ? w->lines[i].sku : "", p->bundle[b]) == 0))
                    i++;
                if (i >= w->n)
                    return;
                cur[b] = i;
                left[b] = w->avail[i];
            }
            if (left[b] < times)
                times = left[b];
        }
        struct group g = { .k = 0 };
        int64_t cheapest = INT64_MAX;
        for (int b = 0; b < p->nbundle; b++) {
            g.line[g.k] = cur[b];
            g.count[g.k] = 1;
            g.k++;
            g.units++;
            g.sum += w->unit[cur[b]];
            if (w->unit[cur[b]] < cheapest)
                cheapest = w->unit[cur[b]];
        }
        g.cheapest = cheapest;
        group_credit(w, &g, group_saving(p, &g), times);
        for (int b = 0; b < p->nbundle; b++)
            left[b] -= times;
    }
}

/* Percent off the target's units not yet taken. */
static void weigh_percent(struct work *w, const struct promo *p)
{
    for (int j = 0; j < w->nmine; j++) {
        int i = w->mine[j];
        if (w->avail[i] <= 0 || w->owner[i] != p)
            continue;
        int64_t value = w->net[i], d;
        if (w->lines[i].pieces && money_mul_qty(w->unit[i], w->avail[i] * QTY_ONE, &value))
            w->overflow = 1;
        if (value > w->net[i])
            value = w->net[i];
        if (money_muldiv(value, p->percent_bp, BP_ONE, &d))
            w->overflow = 1;
        w->delta[i] = d;
        w->used[i] = w->avail[i];
    }
}

/* The saving of p on what is left, in w->delta / w->used.  Only the lines p owns (w->mine)
 * can change: the work is in proportion to them, not to the cart. */
static int64_t weigh(struct work *w, const struct promo *p)
{
    for (int j = 0; j < w->nmine; j++)
        w->delta[w->mine[j]] = w->used[w->mine[j]] = 0;
    switch (p->kind) {
    case PROMO_MULTIBUY_PRICE:
    case PROMO_MULTIBUY_FREE: weigh_multibuy(w, p); break;
    case PROMO_BUNDLE: weigh_bundle(w, p); break;
    case PROMO_PERCENT: weigh_percent(w, p); break;
    case PROMO_SPEND: break;
    }
    int64_t total = 0;
    for (int j = 0; j < w->nmine; j++) {
        int i = w->mine[j];
        /* never more than what is left of the line */
        if (w->delta[i] > w->net[i])
            w->delta[i] = w->net[i];
        if (money_add(total, w->delta[i], &total))
            w->overflow = 1;
    }
    return total;
}

static void take(struct work *w, const struct promo *p)
{
    int64_t total = 0;
    for (int j = 0; j < w->nmine; j++) {
        int i = w->mine[j];
        if (!w->delta[i] && !w->used[i])
            continue;
        w->net[i] -= w->delta[i];
        w->avail[i] -= w->used[i];
        if (p->kind != PROMO_PERCENT)
            w->in_group[i] += w->used[i] * w->unit[i] - w->delta[i];   /* within the line */
        total += w->delta[i];
        if (w->delta[i])
            add_label(&w->lines[i], p->name);
    }
    note_applied(w, p->name, total);
}

/* How much of an item p takes off at most, in ppm, from the item alone: what makes one
 * exclusive promotion better than another for the customer. */
static int64_t nominal_rate(const struct promo *p, const struct pricing_line *l)
{
    switch (p->kind) {
    case PROMO_PERCENT: return p->percent_bp * 100;
    case PROMO_MULTIBUY_FREE: return 1000000 / p->n;
    case PROMO_MULTIBUY_PRICE: {
        int64_t full, r;
        if (__builtin_mul_overflow(l->unit_price, p->n, &full) || full <= p->price)
            return 0;
        if (money_muldiv(full - p->price, 1000000, full, &r))
            return 0;
        return r < 1000000 / p->n ? r : 1000000 / p->n;   /* the cheapest-unit cap */
    }
    case PROMO_BUNDLE: return 1000000 / p->nbundle;
    case PROMO_SPEND: return 0;
    }
    return 0;
}

static int in_bundle(const struct promo *p, const struct pricing_line *l)
{
    for (int b = 0; b < p->nbundle; b++)
        if (l->sku && strcmp(p->bundle[b], l->sku) == 0)
            return 1;
    return 0;
}

/* Each item belongs to one exclusive promotion, the best for the customer by its nominal
 * rate (ties: lowest id).  The choice depends on the item alone, never on the rest of the
 * cart: that is what makes adding an item never lower the total.  Each promotion then
 * prices its own items. */
static void exclusive_promos(struct work *w, const struct promo *promos, int npromos,
                             const struct pricing_context *ctx)
{
    const struct promo *cand[PRICING_MAX_PROMOS];
    int nc = 0;
    for (int i = 0; i < npromos && nc < PRICING_MAX_PROMOS; i++) {
        const struct promo *p = &promos[i];
        if (p->kind != PROMO_SPEND && !(p->kind == PROMO_PERCENT && p->combinable) &&
            promo_active(p, ctx))
            cand[nc++] = p;
    }
    /* which candidate owns each line, and per candidate its lines in cart order */
    int *owner_c = malloc(sizeof *owner_c * (size_t)(w->n + 1));
    int *lines_of = malloc(sizeof *lines_of * (size_t)(w->n + 1));
    int first[PRICING_MAX_PROMOS + 1] = { 0 };
    if (!owner_c || !lines_of) {
        free(owner_c);
        free(lines_of);
        w->overflow = 1;
        return;
    }
    uint64_t csku[PRICING_MAX_PROMOS], cgroup[PRICING_MAX_PROMOS];
    for (int c = 0; c < nc; c++) {
        csku[c] = code_hash(cand[c]->sku);
        cgroup[c] = code_hash(cand[c]->group);
    }
    for (int i = 0; i < w->n; i++) {
        const struct pricing_line *l = &w->lines[i];
        int64_t best_rate = 0;
        w->owner[i] = NULL;
        owner_c[i] = -1;
        if (l->fixed)
            continue;
        uint64_t lsku = code_hash(l->sku), lgroup = code_hash(l->group);
        for (int c = 0; c < nc; c++) {
            const struct promo *p = cand[c];
            /* targets(), with the hashes first */
            int fits = p->kind == PROMO_BUNDLE ? in_bundle(p, l)
                     : p->sku[0] ? csku[c] == lsku && targets(p, l)
                     : p->group[0] ? cgroup[c] == lgroup && targets(p, l)
                                   : 1;
            if (!fits || (p->kind != PROMO_PERCENT && !l->pieces))
                continue;
            int64_t r = nominal_rate(p, l);
            if (r > best_rate || (r == best_rate && r > 0 && p->id < w->owner[i]->id)) {
                best_rate = r;
                w->owner[i] = p;
                owner_c[i] = c;
            }
        }
        if (owner_c[i] >= 0)
            first[owner_c[i] + 1]++;
    }
    for (int c = 0; c < nc; c++)
        first[c + 1] += first[c];
    int fill[PRICING_MAX_PROMOS];
    memcpy(fill, first, sizeof fill);
    for (int i = 0; i < w->n; i++)
        if (owner_c[i] >= 0)
            lines_of[fill[owner_c[i]]++] = i;
    for (int c = 0; c < nc && !w->overflow; c++) {
        if (first[c + 1] == first[c])
            continue;   /* owns no line: nothing to weigh */
        w->mine = lines_of + first[c];
        w->nmine = first[c + 1] - first[c];
        weigh(w, cand[c]);
        take(w, cand[c]);
    }
    free(owner_c);
    free(lines_of);
}

static void combinable_promos(struct work *w, const struct promo *promos, int npromos,
                              const struct pricing_context *ctx)
{
    for (int k = 0; k < npromos; k++) {
        const struct promo *p = &promos[k];
        if (p->kind != PROMO_PERCENT || !p->combinable || !promo_active(p, ctx))
            continue;
        int64_t total = 0;
        for (int i = 0; i < w->n; i++) {
            int64_t d, base = w->net[i] - w->in_group[i];
            if (!targets(p, &w->lines[i]) || base <= 0)
                continue;
            if (money_muldiv(base, p->percent_bp, BP_ONE, &d)) {
                w->overflow = 1;
                return;
            }
            if (d > 0) {
                w->net[i] -= d;
                total += d;
                add_label(&w->lines[i], p->name);
            }
        }
        note_applied(w, p->name, total);
    }
}

static void manual_line_discounts(struct work *w)
{
    for (int i = 0; i < w->n; i++) {
        struct pricing_line *l = &w->lines[i];
        int64_t d;
        if (l->fixed || l->manual.kind == DISCOUNT_NONE)
            continue;
        if (discount_of(&l->manual, w->net[i], &d)) {
            w->overflow = 1;
            return;
        }
        char name[PRICING_NAME_MAX];
        snprintf(name, sizeof name, "Discount %s", l->manual.reason[0] ? l->manual.reason : "");
        if (d > 0) {
            w->net[i] -= d;
            add_label(l, name);
            note_applied(w, name, d);
        }
    }
}

/* A sale-level amount shared over the lines by what they cost now. */
static void sale_level(struct work *w, const char *name, int64_t amount)
{
    if (amount <= 0)
        return;
    int64_t *part = calloc((size_t)w->n + 1, sizeof *part);
    int64_t *weight = calloc((size_t)w->n + 1, sizeof *weight);
    for (int i = 0; weight && i < w->n; i++)
        weight[i] = w->lines[i].fixed || w->net[i] < 0 ? 0 : w->net[i];
    if (!part || !weight || share_all(amount, weight, w->n, part)) {
        w->overflow = 1;
        free(part);
        free(weight);
        return;
    }
    for (int i = 0; i < w->n; i++) {
        if (part[i] <= 0)
            continue;
        w->net[i] -= part[i];
        add_label(&w->lines[i], name);
    }
    note_applied(w, name, amount);
    free(part);
    free(weight);
}

static int64_t sale_base(const struct work *w)
{
    int64_t s = 0;
    for (int i = 0; i < w->n; i++)
        if (!w->lines[i].fixed)
            s += w->net[i];   /* each at most its gross, whose sum the cart keeps in range */
    return s;
}

/* Spend promotions: the best one (ties: lowest id).  Held at threshold - off below the
 * threshold (pricing.h: adding an item never lowers the total). */
static void spend_promos(struct work *w, const struct promo *promos, int npromos,
                         const struct pricing_context *ctx)
{
    const struct promo *best = NULL;
    int64_t best_off = 0, base = sale_base(w);
    for (int k = 0; k < npromos; k++) {
        const struct promo *p = &promos[k];
        if (p->kind != PROMO_SPEND || !promo_active(p, ctx))
            continue;
        int64_t floor_total = p->threshold - p->amount_off;
        int64_t off = base > floor_total ? base - floor_total : 0;
        if (off > p->amount_off)
            off = p->amount_off;
        if (off > best_off || (off == best_off && off > 0 && p->id < best->id)) {
            best = p;
            best_off = off;
        }
    }
    if (best)
        sale_level(w, best->name, best_off);
}

static void manual_sale_discount(struct work *w, const struct pricing_context *ctx)
{
    int64_t d;
    if (ctx->sale_discount.kind == DISCOUNT_NONE)
        return;
    if (discount_of(&ctx->sale_discount, sale_base(w), &d)) {
        w->overflow = 1;
        return;
    }
    char name[PRICING_NAME_MAX];
    snprintf(name, sizeof name, "Sale discount %s", ctx->sale_discount.reason);
    sale_level(w, name, d);
}

/* Step 1, and the working state: every line starts at its gross. */
static int start(struct work *w, const struct segment_price *prices, int nprices,
                 const struct pricing_context *ctx)
{
    /* the customer's segment's prices, by the hash of their sku */
    int nseg = 0;
    struct segment_price *seg = NULL;
    uint64_t *seg_h = NULL;
    if (ctx->segment && ctx->segment[0] && nprices > 0) {
        seg = malloc(sizeof *seg * (size_t)nprices);
        seg_h = malloc(sizeof *seg_h * (size_t)nprices);
        if (!seg || !seg_h) {
            free(seg);
            free(seg_h);
            return PRICING_EOVERFLOW;
        }
        for (int k = 0; k < nprices; k++)
            if (strcmp(prices[k].segment, ctx->segment) == 0) {
                seg[nseg] = prices[k];
                seg_h[nseg++] = code_hash(prices[k].sku);
            }
    }
    int rc = PRICING_OK;
    for (int i = 0; i < w->n && rc == PRICING_OK; i++) {
        struct pricing_line *l = &w->lines[i];
        l->discount = 0;
        l->label[0] = 0;
        if (l->gross < 0)
            l->fixed = 1;
        w->net[i] = l->gross;
        w->unit[i] = l->unit_price;
        w->avail[i] = l->fixed ? 0 : l->pieces ? l->qty / QTY_ONE : 1;
        if (l->fixed || !nseg || !l->sku)
            continue;
        const struct segment_price *sp = NULL;
        uint64_t h = code_hash(l->sku);
        for (int k = 0; k < nseg && !sp; k++)   /* the first of the segment for the sku */
            if (seg_h[k] == h && strcmp(seg[k].sku, l->sku) == 0)
                sp = &seg[k];
        int64_t g;
        if (!sp || sp->price < 0 || sp->price >= l->unit_price)
            continue;
        if (money_mul_qty(sp->price, l->qty, &g)) {
            rc = PRICING_EOVERFLOW;
            break;
        }
        if (g < l->gross) {
            w->net[i] = g;
            w->unit[i] = sp->price;
            add_label(l, "Customer price");
            note_applied(w, "Customer price", l->gross - g);
        }
    }
    free(seg);
    free(seg_h);
    return rc;
}

int pricing_apply(const struct promo *promos, int npromos, const struct segment_price *prices,
                  int nprices, const struct pricing_context *ctx, struct pricing_line *lines,
                  int n, struct pricing_result *result)
{
    struct pricing_result scratch;
    struct work w = { .lines = lines, .n = n, .res = result ? result : &scratch };
    memset(w.res, 0, sizeof *w.res);
    if (n < 0)
        return PRICING_EINVAL;
    size_t sz = sizeof(int64_t) * (size_t)(n + 1);
    w.net = malloc(sz);
    w.unit = malloc(sz);
    w.avail = malloc(sz);
    w.delta = malloc(sz);
    w.used = malloc(sz);
    w.in_group = calloc((size_t)n + 1, sizeof(int64_t));
    w.owner = calloc((size_t)n + 1, sizeof *w.owner);
    int rc = PRICING_EOVERFLOW;
    if (!w.net || !w.unit || !w.avail || !w.delta || !w.used || !w.in_group || !w.owner)
        goto done;
    if ((rc = start(&w, prices, nprices, ctx)) != PRICING_OK)
        goto done;
    exclusive_promos(&w, promos, npromos, ctx);
    combinable_promos(&w, promos, npromos, ctx);
    manual_line_discounts(&w);
    spend_promos(&w, promos, npromos, ctx);
    manual_sale_discount(&w, ctx);
    rc = w.overflow ? PRICING_EOVERFLOW : PRICING_OK;
    for (int i = 0; rc == PRICING_OK && i < n; i++) {
        lines[i].discount = lines[i].fixed ? 0 : lines[i].gross - w.net[i];
        if (lines[i].discount < 0 || lines[i].discount > (lines[i].fixed ? 0 : lines[i].gross))
            rc = PRICING_EOVERFLOW;
        if (money_add(w.res->discount, lines[i].discount, &w.res->discount))
            rc = PRICING_EOVERFLOW;
    }
done:
    if (rc != PRICING_OK)
        for (int i = 0; i < n; i++) {
            lines[i].discount = 0;
            lines[i].label[0] = 0;
        }
    free(w.net);
    free(w.unit);
    free(w.avail);
    free(w.delta);
    free(w.used);
    free(w.in_group);
    free(w.owner);
    return rc;
}
