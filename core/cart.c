#include "core/cart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"

void cart_init(struct cart *cart, const struct tax_config *tax)
{
    memset(cart, 0, sizeof *cart);
    cart->tax = *tax;
}

void cart_free(struct cart *cart)
{
    free(cart->lines);
    cart->lines = NULL;
    cart->nlines = cart->cap = 0;
}

/* A new sale: no lines, no customer, coupons or sale discount; the promotions stay. */
void cart_clear(struct cart *cart)
{
    cart->nlines = 0;
    memset(&cart->totals, 0, sizeof cart->totals);
    memset(&cart->pricing.applied, 0, sizeof cart->pricing.applied);
    cart->pricing.ctx.segment = NULL;
    cart->pricing.ctx.ncoupons = 0;
    memset(&cart->pricing.ctx.sale_discount, 0, sizeof cart->pricing.ctx.sale_discount);
    cart->customer_id[0] = cart->customer_segment[0] = 0;
}

static int line_fixed(const struct cart_line *l)
{
    return l->price_from_barcode || l->qty < 0;
}

/* Prices the lines that count (core/pricing.h); returned and label-priced lines keep theirs. */
static int reprice(struct cart *cart)
{
    int n = cart->nlines;
    if (n == 0) {
        memset(&cart->pricing.applied, 0, sizeof cart->pricing.applied);
        return CART_OK;
    }
    struct pricing_line *pl = calloc((size_t)n, sizeof *pl);
    int *idx = calloc((size_t)n, sizeof *idx);
    int k = 0;
    if (!pl || !idx) {
        free(pl);
        free(idx);
        return CART_ENOMEM;
    }
    for (int i = 0; i < n; i++) {
        struct cart_line *l = &cart->lines[i];
        if (l->voided) {
            /* a voided line costs what it did before any discount: it prints as nothing */
            if (!line_fixed(l)) {
                l->discount = 0;
                l->discount_label[0] = 0;
            }
            continue;
        }
        pl[k] = (struct pricing_line){
            .sku = l->product.sku, .group = l->product.group, .unit_price = l->unit_price,
            .qty = l->qty, .gross = l->gross, .pieces = l->product.unit == UNIT_EACH,
            .fixed = line_fixed(l), .manual = l->manual,
        };
        idx[k++] = i;
    }
    struct pricing_result res;
    const struct cart_pricing *cp = &cart->pricing;
    int rc = pricing_apply(cp->promos, cp->npromos, cp->prices, cp->nprices, &cp->ctx, pl, k, &res);
    if (rc == PRICING_OK) {
        for (int j = 0; j < k; j++) {
            struct cart_line *l = &cart->lines[idx[j]];
            if (line_fixed(l))
                continue;
            l->discount = pl[j].discount;
            memcpy(l->discount_label, pl[j].label, sizeof l->discount_label);   /* same size */
        }
        cart->pricing.applied = res;
    }
    free(pl);
    free(idx);
    return rc == PRICING_OK ? CART_OK : CART_EOVERFLOW;
}

/* Prices the lines and recomputes the totals from them.  On failure the caller restores
 * what it changed. */
static int recompute(struct cart *cart)
{
    int rc = reprice(cart);
    if (rc)
        return rc;
    struct tax_item *items = calloc((size_t)cart->nlines + 1, sizeof *items);
    if (!items)
        return CART_ENOMEM;
    int n = 0;
    for (int i = 0; i < cart->nlines; i++) {
        struct cart_line *l = &cart->lines[i];
        if (money_sub(l->gross, l->discount, &l->line_total)) {
            free(items);
            return CART_EOVERFLOW;
        }
        if (l->voided)
            continue;
        items[n++] = (struct tax_item){ l->product.tax_class, l->product.tax_rate_ppm,
                                        l->line_total };
    }
    struct tax_totals t;
    rc = tax_compute(&cart->tax, items, n, &t) ? CART_EOVERFLOW : CART_OK;
    free(items);
    if (rc == CART_OK)
        cart->totals = t;
    return rc;
}

/* Recomputes after a change that failed to price: the lines as they were price again. */
static void restore(struct cart *cart)
{
    if (recompute(cart) != CART_OK)
        memset(&cart->totals, 0, sizeof cart->totals);
}

static int append_line(struct cart *cart, const struct cart_line *line)
{
    if (cart->nlines >= CART_MAX_LINES)
        return CART_EFULL;
    if (cart->nlines == cart->cap) {
        int cap = cart->cap ? cart->cap * 2 : 32;
        struct cart_line *n = realloc(cart->lines, (size_t)cap * sizeof *n);
        if (!n)
            return CART_ENOMEM;
        cart->lines = n;
        cart->cap = cap;
    }
    cart->lines[cart->nlines++] = *line;
    int rc = recompute(cart);
    if (rc) {
        cart->nlines--;
        restore(cart);
    }
    return rc;
}

static void copy_str(char *dst, size_t len, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= len)
        n = len - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = 0;
}

/* CART_OK, or why qty cannot be a line's quantity of p. */
static int check_qty(const struct product *p, int64_t qty)
{
    if (qty <= 0)
        return CART_EINVAL;
    if (qty > CART_MAX_QTY)
        return CART_EQTYMAX;
    /* Pieces are whole: 1.5 bottles is a typing error, 1.5 kg is not. */
    if (p->unit != UNIT_KG && qty % QTY_ONE != 0)
        return CART_EPIECES;
    return CART_OK;
}

static int add_item(struct cart *cart, const struct product *p, const char *barcode, int64_t qty,
                    int from_label)
{
    if (!p->active)
        return CART_EINACTIVE;
    int rc = check_qty(p, qty);
    if (rc)
        return rc;
    if (p->price < 0)
        return CART_EPRICE;
    struct cart_line line;
    memset(&line, 0, sizeof line);
    line.product = *p;
    copy_str(line.barcode, sizeof line.barcode, barcode);
    line.qty = qty;
    line.unit_price = p->price;
    line.qty_from_label = from_label;
    if (money_mul_qty(p->price, qty, &line.gross))
        return CART_EOVERFLOW;
    return append_line(cart, &line);
}

int cart_add_item(struct cart *cart, const struct product *p, const char *barcode, int64_t qty)
{
    return add_item(cart, p, barcode, qty, 0);
}

int cart_add_label_item(struct cart *cart, const struct product *p, const char *barcode, int64_t qty)
{
    return add_item(cart, p, barcode, qty, 1);
}

int cart_add_priced_item(struct cart *cart, const struct product *p, const char *barcode,
                         int64_t qty, int64_t line_total)
{
    if (!p->active)
        return CART_EINACTIVE;
    if (qty < 0)
        return CART_EINVAL;
    if (qty > CART_MAX_QTY)
        return CART_EQTYMAX;
    if (line_total < 0)
        return CART_EPRICE;
    struct cart_line line;
    memset(&line, 0, sizeof line);
    line.product = *p;
    copy_str(line.barcode, sizeof line.barcode, barcode);
    line.qty = qty ? qty : QTY_ONE;
    line.unit_price = p->price;
    line.gross = line_total;
    line.price_from_barcode = 1;
    return append_line(cart, &line);
}

int cart_add_return(struct cart *cart, const struct product *p, const char *barcode, int64_t qty,
                    int64_t unit_price, int64_t refund, const char *return_of, int return_line,
                    int restock, const char *reason)
{
    int rc = check_qty(p, qty);
    if (rc)
        return rc;
    if (unit_price < 0 || refund < 0 || return_line < 0)
        return CART_EINVAL;
    struct cart_line line;
    memset(&line, 0, sizeof line);
    line.product = *p;
    copy_str(line.barcode, sizeof line.barcode, barcode);
    line.qty = -qty;
    line.unit_price = unit_price;
    /* gross at the unit price; what was paid for the units is the line total */
    if (money_mul_qty(unit_price, -qty, &line.gross) || money_sub(line.gross, -refund, &line.discount))
        return CART_EOVERFLOW;
    copy_str(line.return_of, sizeof line.return_of, return_of);
    line.return_line = return_line;
    line.restock = restock != 0;
    copy_str(line.reason, sizeof line.reason, reason);
    return append_line(cart, &line);
}

int cart_restore_line(struct cart *cart, const struct cart_line *in)
{
    struct cart_line line = *in;
    if (line.qty == 0 || line.qty > CART_MAX_QTY || line.qty < -CART_MAX_QTY)
        return CART_EINVAL;
    if (!line_fixed(&line))
        line.discount = 0;
    line.discount_label[0] = 0;
    return append_line(cart, &line);
}

/* Whether the line at idx may have its quantity or price changed: a sold line still in
 * the cart, not voided, not a return, and not priced or weighed by its label. */
static int check_editable(const struct cart *cart, int idx)
{
    if (idx < 0 || idx >= cart->nlines)
        return CART_EINVAL;
    const struct cart_line *l = &cart->lines[idx];
    if (l->voided)
        return CART_EVOIDED;
    if (l->qty < 0)
        return CART_ERETURN;
    if (l->price_from_barcode || l->qty_from_label)
        return CART_ELABEL;
    return CART_OK;
}

int cart_check_qty(const struct cart *cart, int idx, int64_t qty)
{
    int rc = check_editable(cart, idx);
    return rc ? rc : check_qty(&cart->lines[idx].product, qty);
}

int cart_set_qty(struct cart *cart, int idx, int64_t qty)
{
    int rc = cart_check_qty(cart, idx, qty);
    if (rc)
        return rc;
    struct cart_line *l = &cart->lines[idx];
    struct cart_line old = *l;
    l->qty = qty;
    if (money_mul_qty(l->unit_price, qty, &l->gross) || recompute(cart)) {
        *l = old;
        restore(cart);
        return CART_EOVERFLOW;
    }
    return CART_OK;
}

int cart_void_line(struct cart *cart, int idx)
{
    if (idx < 0 || idx >= cart->nlines)
        return CART_EINVAL;
    if (cart->lines[idx].voided)
        return CART_EVOIDED;
    cart->lines[idx].voided = 1;
    int rc = recompute(cart);
    if (rc) {
        cart->lines[idx].voided = 0;
        restore(cart);
    }
    return rc;
}

int cart_remove_line(struct cart *cart, int idx)
{
    if (idx < 0 || idx >= cart->nlines)
        return CART_EINVAL;
    memmove(&cart->lines[idx], &cart->lines[idx + 1], (size_t)(cart->nlines - idx - 1) * sizeof cart->lines[0]);
    cart->nlines--;
    /* fewer lines always price: only what remained is summed */
    restore(cart);
    return CART_OK;
}

int cart_set_unit_price(struct cart *cart, int idx, int64_t price)
{
    int rc = check_editable(cart, idx);
    if (rc)
        return rc;
    struct cart_line *l = &cart->lines[idx];
    if (price < 0)
        return CART_EPRICE;
    struct cart_line before = *l;
    l->unit_price = price;
    if (money_mul_qty(price, l->qty, &l->gross)) {
        *l = before;
        return CART_EOVERFLOW;
    }
    rc = recompute(cart);
    if (rc) {
        *l = before;
        restore(cart);
    }
    return rc;
}

int cart_set_line_age_check(struct cart *cart, int idx, const char *how)
{
    if (idx < 0 || idx >= cart->nlines)
        return CART_EINVAL;
    copy_str(cart->lines[idx].age_check, sizeof cart->lines[idx].age_check, how);
    return CART_OK;
}

int cart_set_line_discount(struct cart *cart, int idx, const struct discount_spec *d)
{
    if (idx < 0 || idx >= cart->nlines)
        return CART_EINVAL;
    struct cart_line *l = &cart->lines[idx];
    if (l->voided)
        return CART_EVOIDED;
    if (line_fixed(l))
        return l->qty < 0 ? CART_ERETURN : CART_EINVAL;
    int64_t probe;
    if (discount_of(d, 0, &probe))
        return CART_EINVAL;
    struct discount_spec old = l->manual;
    l->manual = *d;
    int rc = recompute(cart);
    if (rc) {
        l->manual = old;
        restore(cart);
    }
    return rc;
}

int cart_set_sale_discount(struct cart *cart, const struct discount_spec *d)
{
    int64_t probe;
    if (discount_of(d, 0, &probe))
        return CART_EINVAL;
    struct discount_spec old = cart->pricing.ctx.sale_discount;
    cart->pricing.ctx.sale_discount = *d;
    int rc = recompute(cart);
    if (rc) {
        cart->pricing.ctx.sale_discount = old;
        restore(cart);
    }
    return rc;
}

void cart_use_promotions(struct cart *cart, const struct promo *promos, int npromos,
                         const struct segment_price *prices, int nprices)
{
    cart->pricing.promos = promos;
    cart->pricing.npromos = promos ? npromos : 0;
    cart->pricing.prices = prices;
    cart->pricing.nprices = prices ? nprices : 0;
}

int cart_set_promotions(struct cart *cart, const struct promo *promos, int npromos,
                        const struct segment_price *prices, int nprices)
{
    cart_use_promotions(cart, promos, npromos, prices, nprices);
    return recompute(cart);
}

int cart_set_clock(struct cart *cart, int64_t now, int minute_of_day)
{
    if (minute_of_day < 0 || minute_of_day >= 1440)
        return CART_EINVAL;
    cart->pricing.ctx.now = now;
    cart->pricing.ctx.minute_of_day = minute_of_day;
    return CART_OK;
}

int cart_set_customer(struct cart *cart, const char *id, const char *segment)
{
    copy_str(cart->customer_id, sizeof cart->customer_id, id);
    copy_str(cart->customer_segment, sizeof cart->customer_segment, segment);
    cart->pricing.ctx.segment = cart->customer_segment[0] ? cart->customer_segment : NULL;
    return recompute(cart);
}

int cart_add_coupon(struct cart *cart, const char *code)
{
    struct pricing_context *c = &cart->pricing.ctx;
    if (!code || !code[0] || strlen(code) >= sizeof c->coupons[0])
        return CART_EINVAL;
    for (int i = 0; i < c->ncoupons; i++)
        if (strcmp(c->coupons[i], code) == 0)
            return CART_OK;
    if (c->ncoupons == PRICING_MAX_COUPONS)
        return CART_EFULL;
    copy_str(c->coupons[c->ncoupons++], sizeof c->coupons[0], code);
    int rc = recompute(cart);
    if (rc) {
        c->ncoupons--;
        restore(cart);
    }
    return rc;
}

int cart_reprice(struct cart *cart)
{
    return recompute(cart);
}

int64_t cart_gross(const struct cart *cart)
{
    int64_t s = 0;
    for (int i = 0; i < cart->nlines; i++)
        if (!cart->lines[i].voided && money_add(s, cart->lines[i].gross, &s))
            return INT64_MAX;
    return s;
}

int64_t cart_discount(const struct cart *cart)
{
    int64_t s = 0;
    for (int i = 0; i < cart->nlines; i++)
        if (!cart->lines[i].voided && cart->lines[i].qty > 0)
            s += cart->lines[i].discount;   /* each within its gross */
    return s;
}

int cart_has_returns(const struct cart *cart)
{
    for (int i = 0; i < cart->nlines; i++)
        if (!cart->lines[i].voided && cart->lines[i].qty < 0)
            return 1;
    return 0;
}

int cart_set_line_label(struct cart *cart, int idx, const char *batch, const char *serial,
                        int32_t expiry, int expired)
{
    if (idx < 0 || idx >= cart->nlines)
        return CART_EINVAL;
    struct cart_line *l = &cart->lines[idx];
    snprintf(l->batch, sizeof l->batch, "%s", batch ? batch : "");
    snprintf(l->serial, sizeof l->serial, "%s", serial ? serial : "");
    l->expiry = expiry;
    l->expired = expired != 0;
    return CART_OK;
}

int cart_active_lines(const struct cart *cart)
{
    int n = 0;
    for (int i = 0; i < cart->nlines; i++)
        n += !cart->lines[i].voided;
    return n;
}

int64_t cart_item_count(const struct cart *cart)
{
    int64_t n = 0;
    for (int i = 0; i < cart->nlines; i++) {
        const struct cart_line *l = &cart->lines[i];
        if (l->voided)
            continue;
        /* bounded: CART_MAX_LINES lines of at most CART_MAX_QTY each */
        int64_t q = l->qty < 0 ? -l->qty : l->qty;
        n += l->product.unit == UNIT_KG || q < QTY_ONE ? 1 : q / QTY_ONE;
    }
    return n;
}

int cart_is_empty(const struct cart *cart)
{
    return cart_active_lines(cart) == 0;
}

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

const char *cart_strerror(int rc)
{
    switch (rc) {
    case CART_OK: return "ok";
    case CART_EINVAL: return "the quantity must be above zero";
    case CART_EOVERFLOW: return "amount too large";
    case CART_ENOMEM: return "out of memory";
    case CART_EFULL: return "the sale has too many lines";
    case CART_EVOIDED: return "that line is already voided";
    case CART_EINACTIVE: return "this product is not for sale";
    case CART_EQTYMAX: return "at most " STRINGIFY(CART_MAX_PIECES) " pieces or kg on one line";
    case CART_EPIECES: return "items sold each are whole pieces: no fractions";
    case CART_ELABEL: return "the label fixes this line's weight and price";
    case CART_EPRICE: return "the price is negative";
    case CART_ERETURN: return "a returned line keeps the quantity and price of the original sale";
    }
    return "cart error";
}
