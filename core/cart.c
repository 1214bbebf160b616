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

void cart_clear(struct cart *cart)
{
    cart->nlines = 0;
    memset(&cart->totals, 0, sizeof cart->totals);
}

/* Recomputes totals from the lines; on overflow the cart is left as it was. */
static int recompute(struct cart *cart)
{
    struct tax_item items[CART_MAX_LINES];
    int n = 0;
    for (int i = 0; i < cart->nlines; i++) {
        const struct cart_line *l = &cart->lines[i];
        if (l->voided)
            continue;
        items[n++] = (struct tax_item){ l->product.tax_class, l->product.tax_rate_ppm,
                                        l->line_total };
    }
    struct tax_totals t;
    if (tax_compute(&cart->tax, items, n, &t))
        return CART_EOVERFLOW;
    cart->totals = t;
    return CART_OK;
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
    if (rc)
        cart->nlines--;
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
    if (money_mul_qty(p->price, qty, &line.line_total))
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
    line.line_total = line_total;
    line.price_from_barcode = 1;
    return append_line(cart, &line);
}

int cart_check_qty(const struct cart *cart, int idx, int64_t qty)
{
    if (idx < 0 || idx >= cart->nlines)
        return CART_EINVAL;
    const struct cart_line *l = &cart->lines[idx];
    if (l->voided)
        return CART_EVOIDED;
    if (l->price_from_barcode || l->qty_from_label)
        return CART_ELABEL;
    return check_qty(&l->product, qty);
}

int cart_set_qty(struct cart *cart, int idx, int64_t qty)
{
    int rc = cart_check_qty(cart, idx, qty);
    if (rc)
        return rc;
    struct cart_line *l = &cart->lines[idx];
    struct cart_line old = *l;
    l->qty = qty;
    if (money_mul_qty(l->unit_price, qty, &l->line_total) || recompute(cart)) {
        *l = old;
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
    return recompute(cart);
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
        n += l->product.unit == UNIT_KG || l->qty < QTY_ONE ? 1 : l->qty / QTY_ONE;
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
    }
    return "cart error";
}
