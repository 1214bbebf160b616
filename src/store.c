#include "src/store.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "core/sale.h"

extern const char *const store_migrations[];

enum stmt_id {
    Q_BY_BARCODE, Q_BY_SKU, Q_BY_ID, Q_SEARCH, Q_COUNT_PRODUCTS, Q_ANY_PRODUCT,
    Q_INS_SALE, Q_INS_LINE, Q_INS_TAX, Q_INS_PAYMENT, Q_INS_OUTBOX, Q_NEXT_RECEIPT,
    Q_AUDIT, Q_META_GET, Q_META_SET, Q_UPSERT_PRODUCT, Q_UPSERT_BARCODE, Q_UPSERT_TAX,
    Q_COUNT_SALES, Q_COUNT_OUTBOX, Q_COMPLETE_INTENTS,
    Q_COUNT
};

#define PRODUCT_COLS \
    "p.id, p.sku, p.name, p.price, p.unit, p.tax_class, p.age_restricted, p.active, " \
    "COALESCE(t.rate_ppm, -1)"

static const char *const stmt_sql[Q_COUNT] = {
    [Q_BY_BARCODE] = "SELECT " PRODUCT_COLS " FROM barcodes b JOIN products p ON p.id = b.product_id"
                     " LEFT JOIN tax_classes t ON t.code = p.tax_class WHERE b.code = ?1",
    [Q_BY_SKU] = "SELECT " PRODUCT_COLS " FROM products p"
                 " LEFT JOIN tax_classes t ON t.code = p.tax_class WHERE p.sku = ?1",
    [Q_BY_ID] = "SELECT " PRODUCT_COLS " FROM products p"
                " LEFT JOIN tax_classes t ON t.code = p.tax_class WHERE p.id = ?1",
    /* No ORDER BY rank: on one or two letters it costs tens of milliseconds. */
    [Q_SEARCH] = "SELECT " PRODUCT_COLS " FROM products_fts f JOIN products p ON p.id = f.rowid"
                 " LEFT JOIN tax_classes t ON t.code = p.tax_class"
                 " WHERE products_fts MATCH ?1 AND p.active LIMIT ?2",
    [Q_COUNT_PRODUCTS] = "SELECT count(*) FROM products",
    [Q_ANY_PRODUCT] = "SELECT EXISTS (SELECT 1 FROM products)",
    [Q_INS_SALE] = "INSERT INTO sales (uuid, terminal_id, cashier, receipt_no, started_at,"
                   " completed_at, currency, tax_mode, subtotal, tax_total, total, change_given)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [Q_INS_LINE] = "INSERT INTO sale_lines (sale_id, line_no, product_id, sku, barcode, name, qty,"
                   " unit, unit_price, line_total, tax_class, tax_rate_ppm, voided)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    [Q_INS_TAX] = "INSERT INTO sale_taxes (sale_id, tax_class, rate_ppm, net, tax, gross)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [Q_INS_PAYMENT] = "INSERT INTO payments (sale_id, seq, tender, amount, tendered, change,"
                      " reference, card_scheme, masked_pan, auth_code, terminal_receipt)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [Q_INS_OUTBOX] = "INSERT INTO outbox (kind, idempotency_key, payload, created_at)"
                     " VALUES ('order', ?1, ?2, ?3)",
    [Q_NEXT_RECEIPT] = "SELECT COALESCE(MAX(receipt_no), 0) + 1 FROM sales",
    [Q_AUDIT] = "INSERT INTO audit_log (at, terminal_id, cashier, event, detail)"
                " VALUES (?1, ?2, ?3, ?4, ?5)",
    [Q_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [Q_META_SET] = "INSERT INTO meta (key, value) VALUES (?1, ?2)"
                   " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [Q_UPSERT_PRODUCT] = "INSERT INTO products (sku, name, price, unit, tax_class, age_restricted, active)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1) ON CONFLICT(sku) DO UPDATE SET"
                         " name = excluded.name, price = excluded.price, unit = excluded.unit,"
                         " tax_class = excluded.tax_class, age_restricted = excluded.age_restricted,"
                         " active = 1 RETURNING id",
    [Q_UPSERT_BARCODE] = "INSERT INTO barcodes (code, product_id) VALUES (?1, ?2)"
                         " ON CONFLICT(code) DO UPDATE SET product_id = excluded.product_id",
    [Q_UPSERT_TAX] = "INSERT INTO tax_classes (code, name, rate_ppm) VALUES (?1, ?2, ?3)"
                     " ON CONFLICT(code) DO UPDATE SET name = excluded.name, rate_ppm = excluded.rate_ppm",
    [Q_COUNT_SALES] = "SELECT count(*) FROM sales",
    [Q_COUNT_OUTBOX] = "SELECT count(*) FROM outbox WHERE state = 'pending'",
    /* the card payments of a sale are settled in the same transaction as the sale */
    [Q_COMPLETE_INTENTS] = "UPDATE payment_intents SET state = 'completed', updated_at = ?2"
                           " WHERE sale_uuid = ?1 AND state = 'approved'",
};

struct store {
    sqlite3 *db;
    sqlite3_stmt *stmt[Q_COUNT];
    int fail_commit_at;   /* fault injection: fail the Nth step of a sale commit */
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int store_latest_version(void)
{
    int n = 0;
    while (store_migrations[n])
        n++;
    return n;
}

int store_schema_version(struct store *st)
{
    sqlite3_stmt *s;
    int v = -1;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            v = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    return v;
}

/* Applies each migration past PRAGMA user_version in its own transaction. */
static int migrate(struct store *st, char *err, size_t errlen)
{
    int have = store_schema_version(st);
    int want = store_latest_version();
    if (have < 0) {
        seterr(err, errlen, "cannot read schema version: %s", sqlite3_errmsg(st->db));
        return STORE_ERROR;
    }
    if (have > want) {
        seterr(err, errlen, "database schema %d is newer than this Till (%d): upgrade Till", have, want);
        return STORE_ERROR;
    }
    for (int v = have; v < want; v++) {
        char *msg = NULL;
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(st->db, store_migrations[v], NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(st->db, pragma, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(st->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            seterr(err, errlen, "migration %d failed: %s", v + 1, msg ? msg : "?");
            sqlite3_free(msg);
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return STORE_ERROR;
        }
    }
    return STORE_OK;
}

int store_open(const char *path, struct store **out, char *err, size_t errlen)
{
    struct store *st = calloc(1, sizeof *st);
    if (!st) {
        seterr(err, errlen, "out of memory");
        return STORE_ERROR;
    }
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        seterr(err, errlen, "cannot open database %s: %s", path,
               st->db ? sqlite3_errmsg(st->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(st->db, 2000);
    /* WAL for concurrent readers (sync, reports); FULL so a committed sale survives power loss. */
    char *msg = NULL;
    if (sqlite3_exec(st->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                             " PRAGMA foreign_keys = ON; PRAGMA cache_size = -8000;", NULL, NULL, &msg) != SQLITE_OK) {
        seterr(err, errlen, "cannot set up database %s: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        goto fail;
    }
    if (migrate(st, err, errlen))
        goto fail;
    for (int i = 0; i < Q_COUNT; i++) {
        if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                               &st->stmt[i], NULL) != SQLITE_OK) {
            seterr(err, errlen, "cannot prepare statement %d: %s", i, sqlite3_errmsg(st->db));
            goto fail;
        }
    }
    *out = st;
    return STORE_OK;
fail:
    store_close(st);
    return STORE_ERROR;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(st->stmt[i]);
    sqlite3_close(st->db);
    free(st);
}

sqlite3 *store_db(struct store *st)
{
    return st->db;
}

static sqlite3_stmt *stmt(struct store *st, enum stmt_id id)
{
    sqlite3_stmt *s = st->stmt[id];
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return s;
}

static void col_text(sqlite3_stmt *s, int col, char *dst, size_t len)
{
    const char *t = (const char *)sqlite3_column_text(s, col);
    snprintf(dst, len, "%s", t ? t : "");
}

static void read_product(sqlite3_stmt *s, struct product *p)
{
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(s, 0);
    col_text(s, 1, p->sku, sizeof p->sku);
    col_text(s, 2, p->name, sizeof p->name);
    p->price = sqlite3_column_int64(s, 3);
    const char *u = (const char *)sqlite3_column_text(s, 4);
    p->unit = u && strcmp(u, "kg") == 0 ? UNIT_KG : UNIT_EACH;
    col_text(s, 5, p->tax_class, sizeof p->tax_class);
    p->age_restricted = sqlite3_column_int(s, 6);
    p->active = sqlite3_column_int(s, 7);
    p->tax_rate_ppm = sqlite3_column_int64(s, 8);
}

static int find_one(struct store *st, sqlite3_stmt *s, struct product *out)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_product(s, out);
        sqlite3_reset(s);
        return STORE_OK;
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
}

int store_find_by_barcode(struct store *st, const char *code, struct product *out)
{
    sqlite3_stmt *s = stmt(st, Q_BY_BARCODE);
    sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
    return find_one(st, s, out);
}

int store_find_by_sku(struct store *st, const char *sku, struct product *out)
{
    sqlite3_stmt *s = stmt(st, Q_BY_SKU);
    sqlite3_bind_text(s, 1, sku, -1, SQLITE_STATIC);
    return find_one(st, s, out);
}

int store_find_by_id(struct store *st, int64_t id, struct product *out)
{
    sqlite3_stmt *s = stmt(st, Q_BY_ID);
    sqlite3_bind_int64(s, 1, id);
    return find_one(st, s, out);
}

static int count_query(struct store *st, enum stmt_id id, int64_t *out)
{
    sqlite3_stmt *s = stmt(st, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? STORE_OK : STORE_ERROR;
}

int store_product_count(struct store *st, int64_t *out)
{
    return count_query(st, Q_COUNT_PRODUCTS, out);
}

int store_catalog_empty(struct store *st, int *out)
{
    int64_t any = 0;
    int rc = count_query(st, Q_ANY_PRODUCT, &any);
    *out = !any;
    return rc;
}

int store_sale_count(struct store *st, int64_t *out)
{
    return count_query(st, Q_COUNT_SALES, out);
}

int store_outbox_pending(struct store *st, int64_t *out)
{
    return count_query(st, Q_COUNT_OUTBOX, out);
}

/* Turns what the cashier typed into an FTS5 query: every word a quoted prefix term,
 * so quotes and operators in the input are plain text. */
/* Each word of the input becomes a quoted prefix term.  A one-letter word is left out
 * (until the next letter arrives): its prefix matches a large share of a big catalog and
 * costs tens of milliseconds, and narrows nothing a cashier is looking for. */
static int fts_query(const char *in, char *out, size_t len)
{
    size_t o = 0;
    int words = 0;
    while (*in) {
        while (*in == ' ')
            in++;
        if (!*in)
            break;
        const char *w = in;
        while (*in && *in != ' ')
            in++;
        size_t chars = 0;
        for (const char *c = w; c < in; c++)
            chars += ((unsigned char)*c & 0xC0) != 0x80; /* count UTF-8 characters */
        if (chars < 2)
            continue;
        if (o + 4 >= len)
            return -1;
        if (words++)
            out[o++] = ' ';
        out[o++] = '"';
        for (const char *c = w; c < in; c++) {
            if (o + 4 >= len)
                return -1;
            if (*c == '"')
                out[o++] = '"';
            out[o++] = *c;
        }
        out[o++] = '"';
        out[o++] = '*';
    }
    out[o] = 0;
    return words;
}

int store_search_terms(const char *query)
{
    char q[512];
    return fts_query(query, q, sizeof q);
}

int store_search_products(struct store *st, const char *query, struct product *out, int max)
{
    char q[512];
    if (fts_query(query, q, sizeof q) <= 0)
        return 0;
    sqlite3_stmt *s = stmt(st, Q_SEARCH);
    sqlite3_bind_text(s, 1, q, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, max);
    int n = 0, rc;
    while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW)
        read_product(s, &out[n++]);
    sqlite3_reset(s);
    return n;
}

int store_upsert_tax_class(struct store *st, const struct tax_class *tc)
{
    sqlite3_stmt *s = stmt(st, Q_UPSERT_TAX);
    sqlite3_bind_text(s, 1, tc->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, tc->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, tc->rate_ppm);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

/* Splits one CSV line in place (no quoting: catalog fields hold no commas). */
static int split_csv(char *line, char **fields, int max)
{
    int n = 0;
    fields[n++] = line;
    for (char *p = line; *p && n < max; p++) {
        if (*p == ',') {
            *p = 0;
            fields[n++] = p + 1;
        }
    }
    return n;
}

static int import_row(struct store *st, char **f, int lineno, char *err, size_t errlen)
{
    /* sku,barcode,name,price,unit,tax_class,age_restricted */
    char *end;
    long long price = strtoll(f[3], &end, 10);
    enum unit unit;
    if (*end || end == f[3] || price < 0 || unit_parse(f[4], &unit) || !f[0][0] || !f[2][0]) {
        seterr(err, errlen, "catalog line %d: bad product row", lineno);
        return STORE_ERROR;
    }
    sqlite3_stmt *s = stmt(st, Q_UPSERT_PRODUCT);
    sqlite3_bind_text(s, 1, f[0], -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, f[2], -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, price);
    sqlite3_bind_text(s, 4, unit_name(unit), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, f[5], -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 6, f[6][0] == '1');
    if (sqlite3_step(s) != SQLITE_ROW) {
        seterr(err, errlen, "catalog line %d: %s", lineno, sqlite3_errmsg(st->db));
        sqlite3_reset(s);
        return STORE_ERROR;
    }
    int64_t id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    /* several barcodes are separated by '|' */
    for (char *code = f[1]; code && *code;) {
        char *bar = strchr(code, '|');
        if (bar)
            *bar = 0;
        sqlite3_stmt *b = stmt(st, Q_UPSERT_BARCODE);
        sqlite3_bind_text(b, 1, code, -1, SQLITE_STATIC);
        sqlite3_bind_int64(b, 2, id);
        int rc = sqlite3_step(b);
        sqlite3_reset(b);
        if (rc != SQLITE_DONE) {
            seterr(err, errlen, "catalog line %d: %s", lineno, sqlite3_errmsg(st->db));
            return STORE_ERROR;
        }
        code = bar ? bar + 1 : NULL;
    }
    return STORE_OK;
}

int store_import_catalog_csv(struct store *st, const char *csv, char *err, size_t errlen)
{
    char *copy = strdup(csv);
    if (!copy) {
        seterr(err, errlen, "out of memory");
        return STORE_ERROR;
    }
    int rc = STORE_OK, lineno = 0;
    sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    for (char *line = copy, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        lineno++;
        size_t n = strlen(line);
        if (n && line[n - 1] == '\r')
            line[n - 1] = 0;
        if (lineno == 1 && strncmp(line, "sku,", 4) == 0)
            continue;
        if (!line[0] || line[0] == '#')
            continue;
        char *f[8];
        if (split_csv(line, f, 8) != 7) {
            seterr(err, errlen, "catalog line %d: expected 7 fields", lineno);
            rc = STORE_ERROR;
            break;
        }
        if ((rc = import_row(st, f, lineno, err, errlen)))
            break;
    }
    if (rc == STORE_OK && sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        seterr(err, errlen, "catalog import: %s", sqlite3_errmsg(st->db));
        rc = STORE_ERROR;
    }
    if (rc)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    free(copy);
    return rc;
}

/* One step of a sale commit; counts steps so a test can make the Nth one fail. */
static int commit_step(struct store *st, sqlite3_stmt *s, int *step)
{
    if (st->fail_commit_at && ++*step == st->fail_commit_at) {
        sqlite3_reset(s);
        return SQLITE_IOERR;
    }
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

static void bind_opt_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

static int write_sale_rows(struct store *st, const struct sale *sale, int *step)
{
    const struct cart *cart = sale->cart;
    sqlite3_stmt *s = stmt(st, Q_INS_SALE);
    sqlite3_bind_text(s, 1, sale->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, sale->terminal_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, sale->cashier, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, sale->receipt_no);
    sqlite3_bind_int64(s, 5, sale->started_at);
    sqlite3_bind_int64(s, 6, sale->completed_at);
    sqlite3_bind_text(s, 7, sale->fmt.cur.code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, sale->tax.mode == TAX_INCLUSIVE ? "inclusive" : "exclusive", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 9, cart->totals.subtotal);
    sqlite3_bind_int64(s, 10, cart->totals.tax);
    sqlite3_bind_int64(s, 11, cart->totals.total);
    sqlite3_bind_int64(s, 12, sale->change_given);
    int rc = commit_step(st, s, step);
    if (rc != SQLITE_DONE)
        return rc;
    int64_t sale_id = sqlite3_last_insert_rowid(st->db);

    for (int i = 0; i < cart->nlines; i++) {
        const struct cart_line *l = &cart->lines[i];
        s = stmt(st, Q_INS_LINE);
        sqlite3_bind_int64(s, 1, sale_id);
        sqlite3_bind_int(s, 2, i + 1);
        if (l->product.id)
            sqlite3_bind_int64(s, 3, l->product.id);
        sqlite3_bind_text(s, 4, l->product.sku, -1, SQLITE_STATIC);
        bind_opt_text(s, 5, l->barcode);
        sqlite3_bind_text(s, 6, l->product.name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 7, l->qty);
        sqlite3_bind_text(s, 8, unit_name(l->product.unit), -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 9, l->unit_price);
        sqlite3_bind_int64(s, 10, l->line_total);
        sqlite3_bind_text(s, 11, l->product.tax_class, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 12, l->product.tax_rate_ppm);
        sqlite3_bind_int(s, 13, l->voided);
        if ((rc = commit_step(st, s, step)) != SQLITE_DONE)
            return rc;
    }
    for (int i = 0; i < cart->totals.nclasses; i++) {
        const struct tax_line *t = &cart->totals.classes[i];
        s = stmt(st, Q_INS_TAX);
        sqlite3_bind_int64(s, 1, sale_id);
        sqlite3_bind_text(s, 2, t->code, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, t->rate_ppm);
        sqlite3_bind_int64(s, 4, t->net);
        sqlite3_bind_int64(s, 5, t->tax);
        sqlite3_bind_int64(s, 6, t->gross);
        if ((rc = commit_step(st, s, step)) != SQLITE_DONE)
            return rc;
    }
    for (int i = 0; i < sale->npayments; i++) {
        const struct payment *p = &sale->payments[i];
        s = stmt(st, Q_INS_PAYMENT);
        sqlite3_bind_int64(s, 1, sale_id);
        sqlite3_bind_int(s, 2, i + 1);
        sqlite3_bind_text(s, 3, tender_name(p->tender), -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, p->amount);
        sqlite3_bind_int64(s, 5, p->tendered);
        sqlite3_bind_int64(s, 6, p->change);
        bind_opt_text(s, 7, p->reference);
        bind_opt_text(s, 8, p->card_scheme);
        bind_opt_text(s, 9, p->masked_pan);
        bind_opt_text(s, 10, p->auth_code);
        bind_opt_text(s, 11, p->terminal_receipt);
        if ((rc = commit_step(st, s, step)) != SQLITE_DONE)
            return rc;
    }
    return SQLITE_DONE;
}

int store_commit_sale(struct store *st, struct sale *sale, store_order_encoder encode,
                      char *err, size_t errlen)
{
    char *json = NULL;
    int step = 0;
    int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        goto fail;
    int64_t receipt_no = 0;
    sqlite3_stmt *s = stmt(st, Q_NEXT_RECEIPT);
    if (sqlite3_step(s) == SQLITE_ROW)
        receipt_no = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    sale->receipt_no = receipt_no;
    if ((rc = write_sale_rows(st, sale, &step)) != SQLITE_DONE)
        goto fail;
    char key[80];
    if (encode(sale, &json, key, sizeof key)) {
        rc = SQLITE_NOMEM;
        goto fail;
    }
    s = stmt(st, Q_INS_OUTBOX);
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, sale->completed_at);
    if ((rc = commit_step(st, s, &step)) != SQLITE_DONE)
        goto fail;
    s = stmt(st, Q_COMPLETE_INTENTS);
    sqlite3_bind_text(s, 1, sale->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, sale->completed_at);
    if ((rc = commit_step(st, s, &step)) != SQLITE_DONE)
        goto fail;
    if ((rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK)
        goto fail;
    free(json);
    return STORE_OK;
fail:
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    free(json);
    sale->receipt_no = 0;
    if (rc == SQLITE_FULL) {
        seterr(err, errlen, "disk full: the sale was NOT saved. Free space, then pay again");
        return STORE_EFULL;
    }
    if (rc == SQLITE_BUSY) {
        seterr(err, errlen, "database busy: the sale was NOT saved. Try again");
        return STORE_EBUSY;
    }
    seterr(err, errlen, "could not save the sale (%s); nothing was written",
           rc == SQLITE_IOERR && st->fail_commit_at ? "injected fault" : sqlite3_errstr(rc));
    return STORE_ERROR;
}

void store_fail_commit_step(struct store *st, int n)
{
    st->fail_commit_at = n;
}

int store_audit(struct store *st, int64_t at, const char *terminal, const char *cashier,
                const char *event, const char *detail)
{
    sqlite3_stmt *s = stmt(st, Q_AUDIT);
    sqlite3_bind_int64(s, 1, at);
    sqlite3_bind_text(s, 2, terminal, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, cashier, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, event, -1, SQLITE_STATIC);
    bind_opt_text(s, 5, detail);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_meta_get(struct store *st, const char *key, char *buf, size_t len)
{
    sqlite3_stmt *s = stmt(st, Q_META_GET);
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        col_text(s, 0, buf, len);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
}

int store_meta_set(struct store *st, const char *key, const char *value)
{
    sqlite3_stmt *s = stmt(st, Q_META_SET);
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}
