/* The catalog's tables (products, barcodes, tax_classes, products_fts) and all their SQL. */
#include "src/catalog.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/barcode.h"
#include "src/loop.h"
#include "src/store.h"

#define PRODUCT_COLS \
    "p.id, p.sku, p.name, p.price, p.unit, p.tax_class, p.age_restricted, p.active, " \
    "COALESCE(t.rate_ppm, -1), p.product_group, p.deposit_sku"

static const char SQL_BY_BARCODE[] =
    "SELECT " PRODUCT_COLS " FROM barcodes b JOIN products p ON p.id = b.product_id"
    " LEFT JOIN tax_classes t ON t.code = p.tax_class WHERE b.code = ?1";
static const char SQL_BY_SKU[] =
    "SELECT " PRODUCT_COLS " FROM products p LEFT JOIN tax_classes t ON t.code = p.tax_class WHERE p.sku = ?1";
static const char SQL_BY_ID[] =
    "SELECT " PRODUCT_COLS " FROM products p LEFT JOIN tax_classes t ON t.code = p.tax_class WHERE p.id = ?1";
/* No ORDER BY rank: on one or two letters it costs tens of milliseconds. */
static const char SQL_SEARCH[] =
    "SELECT " PRODUCT_COLS " FROM products_fts f JOIN products p ON p.id = f.rowid"
    " LEFT JOIN tax_classes t ON t.code = p.tax_class WHERE products_fts MATCH ?1 AND p.active LIMIT ?2";
/* Codes a cashier types: a SKU / article number or a barcode, exact or its beginning
 * (?2 is the prefix with its last byte raised: a range on the key's index). */
static const char SQL_SKU_PREFIX[] =
    "SELECT " PRODUCT_COLS " FROM products p LEFT JOIN tax_classes t ON t.code = p.tax_class"
    " WHERE p.sku >= ?1 AND p.sku < ?2 AND p.active ORDER BY p.sku LIMIT ?3";
static const char SQL_BARCODE_PREFIX[] =
    "SELECT " PRODUCT_COLS " FROM barcodes b JOIN products p ON p.id = b.product_id"
    " LEFT JOIN tax_classes t ON t.code = p.tax_class"
    " WHERE b.code >= ?1 AND b.code < ?2 AND p.active ORDER BY b.code LIMIT ?3";
static const char SQL_META_GET[] = "SELECT value FROM catalog_meta WHERE key = ?1";
static const char SQL_META_SET[] = "INSERT INTO catalog_meta (key, value) VALUES (?1, ?2)"
                                   " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
static const char SQL_COUNT[] = "SELECT count(*) FROM products";
static const char SQL_ANY[] = "SELECT EXISTS (SELECT 1 FROM products)";
static const char SQL_ACTIVE_SKUS[] = "SELECT sku FROM products WHERE active = 1 ORDER BY sku";
static const char SQL_UPSERT_TAX[] =
    "INSERT INTO tax_classes (code, name, rate_ppm) VALUES (?1, ?2, ?3)"
    " ON CONFLICT(code) DO UPDATE SET name = excluded.name, rate_ppm = excluded.rate_ppm";
static const char SQL_TAX_EXISTS[] = "SELECT EXISTS (SELECT 1 FROM tax_classes WHERE code = ?1)";
static const char SQL_TAX_CODES[] =
    "SELECT group_concat(code, ', ') FROM (SELECT code FROM tax_classes ORDER BY code)";

/* The writer's stage: temp tables in memory (a page is small; the apply statements read it
 * whole).  One row per sku: a repeated sku (a CSV that names it twice) keeps its first
 * place and takes the later values, so the apply statements see each product once. */
static const char SQL_TEMP_MEMORY[] = "PRAGMA temp_store = MEMORY";
static const char SQL_STAGE_CREATE[] =
    "CREATE TEMP TABLE IF NOT EXISTS catalog_stage (sku TEXT NOT NULL UNIQUE, deleted INTEGER NOT NULL,"
    " name TEXT, price INTEGER, unit TEXT, tax_class TEXT, age_restricted INTEGER, active INTEGER,"
    " product_group TEXT, deposit_sku TEXT)";
static const char SQL_STAGE_BARCODES_CREATE[] =
    "CREATE TEMP TABLE IF NOT EXISTS catalog_stage_barcodes (code TEXT NOT NULL, sku TEXT NOT NULL)";
static const char SQL_STAGE_CLEAR[] = "DELETE FROM temp.catalog_stage";
static const char SQL_STAGE_BARCODES_CLEAR[] = "DELETE FROM temp.catalog_stage_barcodes";
static const char SQL_STAGE_PRODUCT[] =
    "INSERT INTO temp.catalog_stage (sku, deleted, name, price, unit, tax_class, age_restricted, active,"
    " product_group, deposit_sku) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    " ON CONFLICT(sku) DO UPDATE SET deleted = excluded.deleted, name = excluded.name,"
    " price = excluded.price, unit = excluded.unit, tax_class = excluded.tax_class,"
    " age_restricted = excluded.age_restricted, active = excluded.active,"
    " product_group = excluded.product_group, deposit_sku = excluded.deposit_sku";
static const char SQL_STAGE_BARCODE[] = "INSERT INTO temp.catalog_stage_barcodes (code, sku) VALUES (?1, ?2)";
/* The name is left out of the update: the name index's trigger fires on any UPDATE OF
 * name, so a price change would rewrite the product's index rows.  Names that really
 * changed are set by SQL_APPLY_NAMES. */
static const char SQL_APPLY_PRODUCTS[] =
    "INSERT INTO products (sku, name, price, unit, tax_class, age_restricted, active, updated_at,"
    " product_group, deposit_sku)"
    " SELECT sku, name, price, unit, tax_class, age_restricted, active, ?1, product_group, deposit_sku"
    " FROM temp.catalog_stage WHERE NOT deleted ORDER BY rowid"
    " ON CONFLICT(sku) DO UPDATE SET price = excluded.price,"
    " unit = excluded.unit, tax_class = excluded.tax_class,"
    " age_restricted = excluded.age_restricted, active = excluded.active,"
    " updated_at = excluded.updated_at, product_group = excluded.product_group,"
    " deposit_sku = excluded.deposit_sku";
/* CROSS JOIN keeps the stage (small) outside and products (large) inside: without
 * statistics on the temp tables the planner would scan all products for every page */
static const char SQL_APPLY_NAMES[] =
    "UPDATE products SET name = (SELECT s.name FROM temp.catalog_stage s WHERE s.sku = products.sku)"
    " WHERE id IN (SELECT p.id FROM temp.catalog_stage s CROSS JOIN products p ON p.sku = s.sku"
    " WHERE NOT s.deleted AND p.name IS NOT s.name)";
static const char SQL_APPLY_TOMBSTONES[] =
    "UPDATE products SET active = 0, updated_at = ?1"
    " WHERE sku IN (SELECT sku FROM temp.catalog_stage WHERE deleted)";
/* every staged product's barcodes become the staged list: codes it no longer has go (a
 * deleted product loses all; it stays, inactive, for the sales that refer to it), codes
 * staged for another product move there, and codes it keeps are not written at all */
static const char SQL_APPLY_DEL_BARCODES[] =
    "DELETE FROM barcodes WHERE product_id IN (SELECT p.id FROM temp.catalog_stage s"
    " CROSS JOIN products p ON p.sku = s.sku)"
    " AND code NOT IN (SELECT code FROM temp.catalog_stage_barcodes)";
static const char SQL_APPLY_BARCODES[] =
    "INSERT INTO barcodes (code, product_id) SELECT b.code, p.id"
    " FROM temp.catalog_stage_barcodes b CROSS JOIN products p ON p.sku = b.sku WHERE true"
    " ON CONFLICT(code) DO UPDATE SET product_id = excluded.product_id"
    " WHERE product_id IS NOT excluded.product_id";

static void read_product(sqlite3_stmt *s, struct product *p)
{
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(s, 0);
    store_col_text(s, 1, p->sku, sizeof p->sku);
    store_col_text(s, 2, p->name, sizeof p->name);
    p->price = sqlite3_column_int64(s, 3);
    const char *u = (const char *)sqlite3_column_text(s, 4);
    p->unit = u && strcmp(u, "kg") == 0 ? UNIT_KG : UNIT_EACH;
    store_col_text(s, 5, p->tax_class, sizeof p->tax_class);
    p->age_restricted = sqlite3_column_int(s, 6);
    p->active = sqlite3_column_int(s, 7);
    p->tax_rate_ppm = sqlite3_column_int64(s, 8);
    store_col_text(s, 9, p->group, sizeof p->group);
    store_col_text(s, 10, p->deposit_sku, sizeof p->deposit_sku);
}

static int find_one(struct store *st, sqlite3_stmt *s, struct product *out)
{
    int rc = store_step(st, s);
    if (rc == STORE_ROW) {
        read_product(s, out);
        sqlite3_reset(s);
        return STORE_OK;
    }
    return rc == STORE_OK ? STORE_NOTFOUND : rc;
}

int catalog_find_by_barcode(struct store *st, const char *code, struct product *out)
{
    sqlite3_stmt *s = store_stmt(st, SQL_BY_BARCODE);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
    return find_one(st, s, out);
}

int catalog_find_by_sku(struct store *st, const char *sku, struct product *out)
{
    sqlite3_stmt *s = store_stmt(st, SQL_BY_SKU);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, sku, -1, SQLITE_STATIC);
    return find_one(st, s, out);
}

int catalog_find_by_id(struct store *st, int64_t id, struct product *out)
{
    sqlite3_stmt *s = store_stmt(st, SQL_BY_ID);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    return find_one(st, s, out);
}

static int query_int(struct store *st, const char *sql, const char *arg, int64_t *out)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    if (!s)
        return STORE_ERROR;
    if (arg)
        sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_ERROR : rc;
    *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return STORE_OK;
}

int catalog_product_count(struct store *st, int64_t *out)
{
    return query_int(st, SQL_COUNT, NULL, out);
}

int catalog_each_active_sku(struct store *st, catalog_sku_fn each, void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, SQL_ACTIVE_SKUS);
    if (!s)
        return STORE_ERROR;
    int rc;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        if (each(ctx, (const char *)sqlite3_column_text(s, 0))) {
            sqlite3_reset(s);
            return STORE_ERROR;
        }
    }
    sqlite3_reset(s);
    return rc == STORE_OK ? STORE_OK : rc;
}

int catalog_is_empty(struct store *st, int *out)
{
    int64_t any = 0;
    int rc = query_int(st, SQL_ANY, NULL, &any);
    *out = !any;
    return rc;
}

/* Each word of the input becomes a quoted prefix term, so quotes and operators in the
 * input are plain text.  A one-letter word is left out (until the next letter arrives):
 * its prefix matches a large share of a big catalog and costs tens of milliseconds, and
 * narrows nothing a cashier is looking for. */
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

int catalog_search_terms(const char *query)
{
    char q[512];
    return fts_query(query, q, sizeof q);
}

/* Adds the rows of s (bound but for its limit, the last parameter) that are not in
 * out yet; returns the new count. */
static int add_rows(struct store *st, sqlite3_stmt *s, int limit_param, struct product *out, int n, int max)
{
    sqlite3_bind_int(s, limit_param, max);
    while (n < max && store_step(st, s) == STORE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        int dup = 0;
        for (int i = 0; i < n && !dup; i++)
            dup = out[i].id == id;
        if (!dup)
            read_product(s, &out[n++]);
    }
    sqlite3_reset(s);
    return n;
}

static int add_prefix(struct store *st, const char *sql, const char *prefix, struct product *out, int n, int max)
{
    char hi[72];
    size_t len = strlen(prefix);
    if (n >= max || len == 0 || len >= sizeof hi || (unsigned char)prefix[len - 1] == 0xFF)
        return n;
    memcpy(hi, prefix, len + 1);
    hi[len - 1] = (char)((unsigned char)hi[len - 1] + 1);
    sqlite3_stmt *s = store_stmt(st, sql);
    if (!s)
        return n;
    sqlite3_bind_text(s, 1, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, hi, -1, SQLITE_STATIC);
    return add_rows(st, s, 3, out, n, max);
}

/* One word typed: it may be a code.  An exact SKU or barcode first, then SKUs and
 * barcodes that begin with it (as typed, and in capitals: SKUs are usually upper case). */
static int search_codes(struct store *st, const char *word, struct product *out, int max)
{
    char upper[72];
    size_t len = strlen(word);
    if (len < 2 || len >= sizeof upper)
        return 0;
    for (size_t i = 0; i <= len; i++)
        upper[i] = word[i] >= 'a' && word[i] <= 'z' ? (char)(word[i] - 'a' + 'A') : word[i];
    int n = 0;
    const char *forms[2] = { word, strcmp(upper, word) ? upper : NULL };
    for (int f = 0; f < 2 && forms[f] && n < max; f++) {
        if (catalog_find_by_sku(st, forms[f], &out[n]) == STORE_OK && out[n].active)
            n++;
    }
    if (n < max && catalog_find_by_barcode(st, word, &out[n]) == STORE_OK && out[n].active &&
        (n == 0 || out[0].id != out[n].id))
        n++;
    for (int f = 0; f < 2 && forms[f]; f++)
        n = add_prefix(st, SQL_SKU_PREFIX, forms[f], out, n, max);
    if (strspn(word, "0123456789") == len)
        n = add_prefix(st, SQL_BARCODE_PREFIX, word, out, n, max);
    return n;
}

int catalog_search(struct store *st, const char *query, struct product *out, int max)
{
    char q[512];
    int n = 0;
    const char *w = query + strspn(query, " ");
    size_t wl = strcspn(w, " ");
    if (wl && !w[wl + strspn(w + wl, " ")]) {
        char word[72];
        if (wl < sizeof word) {
            memcpy(word, w, wl);
            word[wl] = 0;
            n = search_codes(st, word, out, max);
        }
    }
    if (n >= max || fts_query(query, q, sizeof q) <= 0 || !catalog_name_index_ready(st))
        return n;
    sqlite3_stmt *s = store_stmt(st, SQL_SEARCH);
    if (!s)
        return n ? n : STORE_ERROR;
    sqlite3_bind_text(s, 1, q, -1, SQLITE_STATIC);
    return add_rows(st, s, 2, out, n, max);
}

static int meta_get(struct store *st, const char *key, char *buf, size_t len)
{
    sqlite3_stmt *s = store_stmt(st, SQL_META_GET);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    int rc = store_step(st, s);
    if (rc == STORE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s, 0);
        snprintf(buf, len, "%s", v ? v : "");
        sqlite3_reset(s);
        return STORE_OK;
    }
    return rc == STORE_OK ? STORE_NOTFOUND : rc;
}

static int meta_set(struct store *st, const char *key, const char *value)
{
    sqlite3_stmt *s = store_stmt(st, SQL_META_SET);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
    return store_step(st, s);
}

int catalog_name_index_ready(struct store *st)
{
    char v[16];
    return meta_get(st, "name_index", v, sizeof v) != STORE_OK || strcmp(v, "ready") == 0;
}

int catalog_set_name_index_ready(struct store *st, int ready)
{
    return meta_set(st, "name_index", ready ? "ready" : "building");
}

int catalog_cursor(struct store *st, int64_t *out)
{
    char v[32];
    int rc = meta_get(st, "cursor", v, sizeof v);
    *out = rc == STORE_OK ? strtoll(v, NULL, 10) : 0;
    return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

int catalog_set_cursor(struct store *st, int64_t cursor)
{
    char v[32];
    snprintf(v, sizeof v, "%lld", (long long)cursor);
    return meta_set(st, "cursor", v);
}

int catalog_upsert_tax_class(struct store *st, const struct tax_class *tc)
{
    sqlite3_stmt *s = store_stmt(st, SQL_UPSERT_TAX);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, tc->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, tc->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, tc->rate_ppm);
    return store_step(st, s);
}

/* ------------------------------------------------------------------- writer --- */

static int run(struct store *st, const char *sql)
{
    return store_step(st, store_stmt(st, sql)) == STORE_OK ? STORE_OK : STORE_ERROR;
}

int catalog_writer_open(struct store *st)
{
    if (run(st, SQL_TEMP_MEMORY) || run(st, SQL_STAGE_CREATE) || run(st, SQL_STAGE_BARCODES_CREATE))
        return STORE_ERROR;
    return STORE_OK;
}

int catalog_stage_begin(struct store *st)
{
    return run(st, SQL_STAGE_CLEAR) || run(st, SQL_STAGE_BARCODES_CLEAR) ? STORE_ERROR : STORE_OK;
}

int catalog_stage_product(struct store *st, const struct catalog_change *c)
{
    sqlite3_stmt *s = store_stmt(st, SQL_STAGE_PRODUCT);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, c->sku, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, c->deleted != 0);
    if (!c->deleted) { /* a tombstone's other columns stay NULL */
        sqlite3_bind_text(s, 3, c->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, c->price);
        sqlite3_bind_text(s, 5, unit_name(c->unit), -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 6, c->tax_class, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 7, c->age_restricted);
        sqlite3_bind_int(s, 8, c->active != 0);
        if (c->group && c->group[0])
            sqlite3_bind_text(s, 9, c->group, -1, SQLITE_STATIC);
        if (c->deposit_sku && c->deposit_sku[0])
            sqlite3_bind_text(s, 10, c->deposit_sku, -1, SQLITE_STATIC);
    }
    return store_step(st, s) == STORE_OK ? STORE_OK : STORE_ERROR;
}

int catalog_stage_barcode(struct store *st, const char *sku, const char *code)
{
    sqlite3_stmt *s = store_stmt(st, SQL_STAGE_BARCODE);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, sku, -1, SQLITE_STATIC);
    return store_step(st, s) == STORE_OK ? STORE_OK : STORE_ERROR;
}

void catalog_writer_cost(struct store *st, struct catalog_writer_cost *out)
{
    static const char *const sqls[] = { SQL_STAGE_PRODUCT, SQL_STAGE_BARCODE, SQL_APPLY_PRODUCTS, SQL_APPLY_NAMES,
                                        SQL_APPLY_TOMBSTONES, SQL_APPLY_DEL_BARCODES, SQL_APPLY_BARCODES,
                                        SQL_STAGE_CLEAR, SQL_STAGE_BARCODES_CLEAR, SQL_META_SET };
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < sizeof sqls / sizeof sqls[0]; i++) {
        int64_t v = store_stmt_status(st, sqls[i], SQLITE_STMTSTATUS_VM_STEP);
        out->vm_steps += v > 0 ? v : 0;
        v = store_stmt_status(st, sqls[i], SQLITE_STMTSTATUS_FULLSCAN_STEP);
        out->fullscan_steps += v > 0 ? v : 0;
        v = store_stmt_status(st, sqls[i], SQLITE_STMTSTATUS_SORT);
        out->sorts += v > 0 ? v : 0;
    }
}

int catalog_stage_apply(struct store *st, int64_t now)
{
    sqlite3_stmt *p = store_stmt(st, SQL_APPLY_PRODUCTS);
    if (!p)
        return STORE_ERROR;
    sqlite3_bind_int64(p, 1, now);
    if (store_step(st, p) || run(st, SQL_APPLY_NAMES))
        return STORE_ERROR;
    sqlite3_stmt *t = store_stmt(st, SQL_APPLY_TOMBSTONES);
    if (!t)
        return STORE_ERROR;
    sqlite3_bind_int64(t, 1, now);
    if (store_step(st, t) || run(st, SQL_APPLY_DEL_BARCODES) || run(st, SQL_APPLY_BARCODES))
        return STORE_ERROR;
    return STORE_OK;
}

/* --------------------------------------------------------------- CSV import --- */

/* Products staged per apply: bounds the stage's memory on a big file. */
#define IMPORT_CHUNK 5000

enum { F_SKU, F_BARCODE, F_NAME, F_PRICE, F_UNIT, F_TAX, F_AGE, F_GROUP, F_DEPOSIT, F_COUNT };
static int all_digits(const char *s, size_t n);

/* The first seven fields are required; group and deposit_sku may be left off. */
#define F_REQUIRED F_GROUP

/* age_restricted: 0, 1 (the store's default age) or a minimum age up to 99; -1 otherwise. */
static int parse_age(const char *s)
{
    if (!s[0])
        return 0;
    if (!all_digits(s, strlen(s)) || strlen(s) > 2)
        return -1;
    return (int)strtol(s, NULL, 10);
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

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

static int tax_class_known(struct store *st, const char *code, int *known)
{
    int64_t v = 0;
    int rc = query_int(st, SQL_TAX_EXISTS, code, &v);
    *known = v != 0;
    return rc;
}

static void tax_class_list(struct store *st, char *buf, size_t len)
{
    snprintf(buf, len, "none");
    sqlite3_stmt *s = store_stmt(st, SQL_TAX_CODES);
    if (s && store_step(st, s) == STORE_ROW) {
        if (sqlite3_column_text(s, 0))
            store_col_text(s, 0, buf, len);
        sqlite3_reset(s);
    }
}

/* Checks one row; on a bad field says which and why ("field price: ..."). */
static int check_row(struct store *st, char **f, char *why, size_t len)
{
    if (!f[F_SKU][0]) {
        snprintf(why, len, "field sku: empty");
        return -1;
    }
    if (!f[F_NAME][0]) {
        snprintf(why, len, "field name: empty");
        return -1;
    }
    char *end;
    long long price = strtoll(f[F_PRICE], &end, 10);
    if (*end || end == f[F_PRICE]) {
        snprintf(why, len, "field price: \"%.20s\" is not a whole number of minor units (cents)", f[F_PRICE]);
        return -1;
    }
    if (price < 0) {
        snprintf(why, len, "field price: %lld is negative", price);
        return -1;
    }
    enum unit unit;
    if (unit_parse(f[F_UNIT], &unit)) {
        snprintf(why, len, "field unit: \"%.20s\" is neither each nor kg", f[F_UNIT]);
        return -1;
    }
    int known = 0;
    if (tax_class_known(st, f[F_TAX], &known)) {
        snprintf(why, len, "field tax_class: %s", store_errmsg(st));
        return -1;
    }
    if (!known) {
        char list[128];
        tax_class_list(st, list, sizeof list);
        snprintf(why, len, "field tax_class: unknown tax class \"%.16s\" (known: %s)", f[F_TAX], list);
        return -1;
    }
    if (parse_age(f[F_AGE]) < 0) {
        snprintf(why, len, "field age_restricted: \"%.20s\" is not 0, 1 or a minimum age (16, 18)", f[F_AGE]);
        return -1;
    }
    if (strlen(f[F_GROUP]) >= sizeof ((struct product *)0)->group ||
        strlen(f[F_DEPOSIT]) >= sizeof ((struct product *)0)->deposit_sku) {
        snprintf(why, len, "field group or deposit_sku: longer than 31 characters");
        return -1;
    }
    if (f[F_DEPOSIT][0] && strcmp(f[F_DEPOSIT], f[F_SKU]) == 0) {
        snprintf(why, len, "field deposit_sku: a product cannot be its own deposit");
        return -1;
    }
    /* barcodes separated by '|'; an empty field means none */
    for (const char *code = f[F_BARCODE]; *code;) {
        const char *bar = strchr(code, '|');
        size_t n = bar ? (size_t)(bar - code) : strlen(code);
        char reason[160];
        if (barcode_catalog_check(code, n, reason, sizeof reason)) {
            snprintf(why, len, "field barcode: %s", reason);
            return -1;
        }
        if (!bar)
            break;
        code = bar + 1;
    }
    return 0;
}

static int stage_row(struct store *st, char **f)
{
    enum unit unit = UNIT_EACH;
    unit_parse(f[F_UNIT], &unit);
    struct catalog_change c = {
        .sku = f[F_SKU], .name = f[F_NAME], .price = strtoll(f[F_PRICE], NULL, 10), .unit = unit,
        .tax_class = f[F_TAX], .age_restricted = parse_age(f[F_AGE]), .active = 1,
        .group = f[F_GROUP], .deposit_sku = f[F_DEPOSIT],
    };
    if (catalog_stage_product(st, &c))
        return STORE_ERROR;
    for (char *code = f[F_BARCODE]; *code;) {
        char *bar = strchr(code, '|');
        if (bar)
            *bar = 0;
        if (catalog_stage_barcode(st, c.sku, code))
            return STORE_ERROR;
        if (!bar)
            break;
        code = bar + 1;
    }
    return STORE_OK;
}

/* Reads the rows into the stage and applies it every IMPORT_CHUNK products. */
static int import_rows(struct store *st, char *csv, char *err, size_t errlen)
{
    int64_t now = loop_wall_time();
    int lineno = 0, staged = 0;
    if (catalog_stage_begin(st))
        goto db_error;
    for (char *line = csv, *next; line && *line; line = next) {
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
        char *f[F_COUNT + 1];
        int nf = split_csv(line, f, F_COUNT + 1);
        if (nf != F_REQUIRED && nf != F_COUNT) {
            snprintf(err, errlen, "catalog line %d: expected 7 fields (sku,barcode,name,price,unit,"
                     "tax_class,age_restricted) or 9 (and group,deposit_sku), found %d", lineno, nf);
            return STORE_ERROR;
        }
        for (int k = nf; k < F_COUNT; k++)
            f[k] = (char *)"";
        char why[200];
        if (check_row(st, f, why, sizeof why)) {
            snprintf(err, errlen, "catalog line %d (sku %.32s): %s", lineno, f[F_SKU][0] ? f[F_SKU] : "?", why);
            return STORE_ERROR;
        }
        if (stage_row(st, f))
            goto db_error;
        if (++staged == IMPORT_CHUNK) {
            if (catalog_stage_apply(st, now) || catalog_stage_begin(st))
                goto db_error;
            staged = 0;
        }
    }
    if (staged && catalog_stage_apply(st, now))
        goto db_error;
    return STORE_OK;
db_error:
    snprintf(err, errlen, "catalog import (line %d): %s", lineno, store_errmsg(st));
    return STORE_ERROR;
}

int catalog_import_csv(struct store *st, const char *csv, char *err, size_t errlen)
{
    char *copy = strdup(csv);
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return STORE_ERROR;
    }
    int rc = catalog_writer_open(st);
    if (rc)
        snprintf(err, errlen, "catalog import: %s", store_errmsg(st));
    else if ((rc = store_begin(st, STORE_TX_PLAIN)))
        snprintf(err, errlen, "catalog import: %s", store_errmsg(st));
    else if ((rc = import_rows(st, copy, err, errlen)))
        store_rollback(st);
    else if ((rc = store_commit(st)))
        snprintf(err, errlen, "catalog import: %s", store_errmsg(st));
    free(copy);
    return rc;
}

/* ------------------------------------------------------------ snapshot file --- */

static int file_meta(sqlite3 *db, const char *key, int64_t *out)
{
    sqlite3_stmt *s;
    int rc = -1;
    if (sqlite3_prepare_v2(db, "SELECT value FROM catalog_meta WHERE key = ?1", -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s, 0);
        char *end;
        *out = v ? strtoll(v, &end, 10) : 0;
        rc = v && *v && !*end ? 0 : -1;
    }
    sqlite3_finalize(s);
    return rc;
}

int catalog_file_check(const char *path, int schema, int64_t cursor, int64_t products, char *why, size_t len)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    int version = -1, rc = -1;
    int64_t have_cursor = -1, have_products = -1;
    /* read-write but query_only, like store_open_readonly: a read-only connection to a
     * WAL file would leave its -wal and -shm behind */
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA query_only = ON", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(why, len, "it is not a database (%s)", db ? sqlite3_errmsg(db) : "out of memory");
        goto out;
    }
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (version != schema) {
        snprintf(why, len, "it is not a catalog of schema %d (%s)", schema,
                 version < 0 ? sqlite3_errmsg(db) : "another version");
        goto out;
    }
    if (file_meta(db, "cursor", &have_cursor) || have_cursor != cursor ||
        file_meta(db, "products", &have_products) || have_products != products) {
        snprintf(why, len, "it says cursor %lld and %lld products, the server %lld and %lld",
                 (long long)have_cursor, (long long)have_products, (long long)cursor, (long long)products);
        goto out;
    }
    rc = 0;
out:
    sqlite3_close(db);
    return rc;
}
