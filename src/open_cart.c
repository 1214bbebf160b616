/* The open_sale, open_lines and open_payments tables and all their SQL (see open_cart.h). */
#include "src/open_cart.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "src/cart_rows.h"
#include "src/store.h"

static const char SQL_PUT_SALE[] =
    "INSERT OR REPLACE INTO open_sale (id, uuid, started_at, " CART_SALE_COLUMNS ", age_proven,"
    " age_proven_how) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char SQL_PUT_LINE[] =
    "INSERT OR REPLACE INTO open_lines (line_no, " CART_ROW_COLUMNS ")"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,"
    " ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)";
static const char SQL_TRIM_LINES[] = "DELETE FROM open_lines WHERE line_no > ?1";
static const char SQL_PUT_PAYMENT[] =
    "INSERT OR REPLACE INTO open_payments (seq, tender, amount, tendered, change, reference,"
    " card_scheme, masked_pan, auth_code, terminal_id, terminal_receipt)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
static const char SQL_TRIM_PAYMENTS[] = "DELETE FROM open_payments WHERE seq > ?1";
static const char SQL_CLEAR_SALE[] = "DELETE FROM open_sale";
static const char SQL_CLEAR_LINES[] = "DELETE FROM open_lines";
static const char SQL_CLEAR_PAYMENTS[] = "DELETE FROM open_payments";
static const char SQL_GET_SALE[] =
    "SELECT uuid, started_at, " CART_SALE_COLUMNS ", age_proven, age_proven_how FROM open_sale";
static const char SQL_GET_LINES[] = "SELECT " CART_ROW_COLUMNS " FROM open_lines ORDER BY line_no";
static const char SQL_GET_PAYMENTS[] =
    "SELECT tender, amount, tendered, change, reference, card_scheme, masked_pan, auth_code,"
    " terminal_id, terminal_receipt FROM open_payments ORDER BY seq";

/* FNV-1a, field by field (never over padding). */
static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}
#define MIX(h, v) ((h) = mix((h), &(v), sizeof(v)))
#define MIXS(h, s) ((h) = mix((h), (s), strlen(s) + 1))
#define FNV_START 14695981039346656037ULL

static uint64_t hash_line(const struct cart_line *l)
{
    uint64_t h = FNV_START;
    MIX(h, l->product.id);
    MIXS(h, l->product.sku);
    MIX(h, l->qty);
    MIX(h, l->unit_price);
    MIX(h, l->gross);
    MIX(h, l->voided);
    MIX(h, l->manual.kind);
    MIX(h, l->manual.value);
    MIXS(h, l->manual.reason);
    MIXS(h, l->return_of);
    MIX(h, l->return_line);
    MIX(h, l->restock);
    MIXS(h, l->age_check);
    MIX(h, l->expired);
    if (l->qty < 0)
        MIX(h, l->discount);
    return h;
}

static uint64_t hash_payment(const struct payment *p)
{
    uint64_t h = FNV_START;
    MIX(h, p->tender);
    MIX(h, p->amount);
    MIX(h, p->tendered);
    MIX(h, p->change);
    MIXS(h, p->reference);
    return h;
}

static uint64_t hash_header(const struct cart *cart, const struct open_cart_extra *x)
{
    uint64_t h = FNV_START;
    MIXS(h, x->uuid);
    MIX(h, x->started_at);
    MIXS(h, cart->customer_id);
    MIXS(h, cart->customer_segment);
    const struct pricing_context *c = &cart->pricing.ctx;
    MIX(h, c->sale_discount.kind);
    MIX(h, c->sale_discount.value);
    MIXS(h, c->sale_discount.reason);
    for (int i = 0; i < c->ncoupons; i++)
        MIXS(h, c->coupons[i]);
    MIX(h, x->age_proven);
    MIXS(h, x->age_proven_how);
    return h;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static int run(struct store *st, const char *sql, int64_t arg, int has_arg)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    if (!s)
        return STORE_ERROR;
    if (has_arg)
        sqlite3_bind_int64(s, 1, arg);
    return store_step(st, s);
}

static int write_header(struct store *st, const struct cart *cart, const struct open_cart_extra *x)
{
    sqlite3_stmt *s = store_stmt(st, SQL_PUT_SALE);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, x->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, x->started_at);
    cart_sale_bind(s, 3, cart);
    sqlite3_bind_int(s, 9, x->age_proven);
    bind_text(s, 10, x->age_proven_how);
    return store_step(st, s);
}

static int write_line(struct store *st, int no, const struct cart_line *l)
{
    sqlite3_stmt *s = store_stmt(st, SQL_PUT_LINE);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int(s, 1, no);
    cart_row_bind(s, 2, l);
    return store_step(st, s);
}

static int write_payment(struct store *st, int seq, const struct payment *p)
{
    sqlite3_stmt *s = store_stmt(st, SQL_PUT_PAYMENT);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int(s, 1, seq);
    sqlite3_bind_text(s, 2, tender_name(p->tender), -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, p->amount);
    sqlite3_bind_int64(s, 4, p->tendered);
    sqlite3_bind_int64(s, 5, p->change);
    bind_text(s, 6, p->reference);
    bind_text(s, 7, p->card_scheme);
    bind_text(s, 8, p->masked_pan);
    bind_text(s, 9, p->auth_code);
    bind_text(s, 10, p->terminal_id);
    bind_text(s, 11, p->terminal_receipt);
    return store_step(st, s);
}

int open_cart_clear(struct store *st)
{
    int rc = run(st, SQL_CLEAR_SALE, 0, 0);
    if (!rc)
        rc = run(st, SQL_CLEAR_LINES, 0, 0);
    if (!rc)
        rc = run(st, SQL_CLEAR_PAYMENTS, 0, 0);
    return rc;
}

/* The writes, inside the transaction; new holds the hashes to keep on success. */
static int write_changes(struct store *st, const struct open_cart_state *old, struct open_cart_state *new,
                         const struct cart *cart, const struct tender_state *t,
                         const struct open_cart_extra *x)
{
    int rc = STORE_OK;
    if (!old->saved || new->header != old->header)
        rc = write_header(st, cart, x);
    for (int i = 0; !rc && i < new->nlines; i++)
        if (!old->saved || i >= old->nlines || new->lines[i] != old->lines[i])
            rc = write_line(st, i + 1, &cart->lines[i]);
    if (!rc && old->saved && new->nlines < old->nlines)
        rc = run(st, SQL_TRIM_LINES, new->nlines, 1);
    for (int i = 0; !rc && i < new->npayments; i++)
        if (!old->saved || i >= old->npayments || new->payments[i] != old->payments[i])
            rc = write_payment(st, i + 1, &t->payments[i]);
    if (!rc && old->saved && new->npayments < old->npayments)
        rc = run(st, SQL_TRIM_PAYMENTS, new->npayments, 1);
    return rc;
}

int open_cart_sync(struct store *st, struct open_cart_state *state, const struct cart *cart,
                   const struct tender_state *t, const struct open_cart_extra *x)
{
    int empty = cart->nlines == 0 && t->n == 0 && !cart->customer_id[0];
    if (empty && !state->saved)
        return STORE_OK;
    /* the new hashes (8 KiB on the stack), compared line by line with the saved ones */
    struct open_cart_state next;
    next.header = hash_header(cart, x);
    next.nlines = cart->nlines;
    next.npayments = t->n;
    int payments_changed = t->n != state->npayments, changed = next.header != state->header ||
                                                              cart->nlines != state->nlines;
    for (int i = 0; i < cart->nlines; i++) {
        next.lines[i] = hash_line(&cart->lines[i]);
        changed |= i >= state->nlines || next.lines[i] != state->lines[i];
    }
    for (int i = 0; i < t->n; i++) {
        next.payments[i] = hash_payment(&t->payments[i]);
        payments_changed |= i >= state->npayments || next.payments[i] != state->payments[i];
    }
    if (!empty && state->saved && !changed && !payments_changed)
        return STORE_OK;
    /* a payment is money taken: as durable as the journal; lines may lose the last change */
    if (!payments_changed)
        store_durability(st, 0);
    int rc = store_begin(st, STORE_TX_PLAIN);
    if (!rc) {
        rc = empty ? open_cart_clear(st) : write_changes(st, state, &next, cart, t, x);
        if (rc)
            store_rollback(st);
        else
            rc = store_commit(st);
    }
    if (!payments_changed)
        store_durability(st, 1);
    if (rc)
        return rc;
    if (empty) {
        state->saved = 0;
        state->nlines = state->npayments = 0;
        state->header = 0;
        return STORE_OK;
    }
    state->header = next.header;
    for (int i = 0; i < next.nlines; i++)
        state->lines[i] = next.lines[i];
    state->nlines = next.nlines;
    for (int i = 0; i < next.npayments; i++)
        state->payments[i] = next.payments[i];
    state->npayments = next.npayments;
    state->saved = 1;
    return STORE_OK;
}

static int read_payment(sqlite3_stmt *s, struct payment *p)
{
    char tender[12];
    memset(p, 0, sizeof *p);
    store_col_text(s, 0, tender, sizeof tender);
    if (strcmp(tender, "cash") == 0)
        p->tender = TENDER_CASH;
    else if (strcmp(tender, "card") == 0)
        p->tender = TENDER_CARD;
    else if (strcmp(tender, "voucher") == 0)
        p->tender = TENDER_VOUCHER;
    else
        return -1;
    p->amount = sqlite3_column_int64(s, 1);
    p->tendered = sqlite3_column_int64(s, 2);
    p->change = sqlite3_column_int64(s, 3);
    store_col_text(s, 4, p->reference, sizeof p->reference);
    store_col_text(s, 5, p->card_scheme, sizeof p->card_scheme);
    store_col_text(s, 6, p->masked_pan, sizeof p->masked_pan);
    store_col_text(s, 7, p->auth_code, sizeof p->auth_code);
    store_col_text(s, 8, p->terminal_id, sizeof p->terminal_id);
    store_col_text(s, 9, p->terminal_receipt, sizeof p->terminal_receipt);
    return 0;
}

static int load_header(struct store *st, struct cart *cart, struct open_cart_extra *x)
{
    sqlite3_stmt *s = store_stmt(st, SQL_GET_SALE);
    if (!s)
        return STORE_ERROR;
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_NOTFOUND : rc;
    memset(x, 0, sizeof *x);
    store_col_text(s, 0, x->uuid, sizeof x->uuid);
    x->started_at = sqlite3_column_int64(s, 1);
    x->age_proven = sqlite3_column_int(s, 8);
    store_col_text(s, 9, x->age_proven_how, sizeof x->age_proven_how);
    rc = cart_sale_read(s, 2, cart);
    sqlite3_reset(s);
    if (rc)
        return STORE_ERROR;
    return STORE_OK;
}

int open_cart_load(struct store *st, struct open_cart_state *state, struct cart *cart,
                   struct tender_state *t, struct open_cart_extra *x)
{
    int rc = load_header(st, cart, x);
    if (rc)
        return rc;
    sqlite3_stmt *s = store_stmt(st, SQL_GET_LINES);
    if (!s)
        return STORE_ERROR;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        struct cart_line l;
        if (cart_row_read(s, 0, &l) || cart_restore_line(cart, &l)) {
            sqlite3_reset(s);
            return STORE_ERROR;
        }
        /* the check stays with the line (cart_restore_line copies it) */
    }
    if (rc)
        return rc;
    if (!(s = store_stmt(st, SQL_GET_PAYMENTS)))
        return STORE_ERROR;
    t->n = 0;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        if (t->n >= SALE_MAX_PAYMENTS || read_payment(s, &t->payments[t->n])) {
            sqlite3_reset(s);
            return STORE_ERROR;
        }
        t->n++;
    }
    if (rc)
        return rc;
    t->total = cart->totals.total;
    /* as if just written: the next sync writes only what changes after this */
    memset(state, 0, sizeof *state);
    state->header = hash_header(cart, x);
    state->nlines = cart->nlines;
    for (int i = 0; i < cart->nlines; i++)
        state->lines[i] = hash_line(&cart->lines[i]);
    state->npayments = t->n;
    for (int i = 0; i < t->n; i++)
        state->payments[i] = hash_payment(&t->payments[i]);
    state->saved = 1;
    return STORE_OK;
}
