/*
 * The store server's catalog, stock, orders and terminals on either storage backend
 * (server/sql.h: SQLite or PostgreSQL). Prepared statements live as long as the
 * connection; parameters are always bound. Each backend keeps its own migrations.
 */
#include "server/server_db.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/page.h"

enum stmt_id {
    ST_PUT_SEQ, ST_GET_SEQ,
    ST_PRODUCT_UPSERT, ST_PRODUCT_BUMP,
    ST_BARCODE_OWNER, ST_BARCODE_ADD, ST_BARCODE_MOVE, ST_BARCODES_OF, ST_BARCODE_DELETE, ST_BARCODES_DELETE_SKU,
    ST_PRICE_SET, ST_RENAME, ST_DELETE, ST_PRICE_GET,
    ST_CATALOG_PAGE, ST_STOCK_PAGE,
    ST_TOKEN_PUT, ST_TOKEN_GET,
    ST_ORDER_INSERT, ST_ORDER_BY_KEY, ST_LINE_INSERT, ST_MOVE_INSERT,
    ST_LAST_COUNT, ST_DELTAS_AFTER, ST_LEVEL_GET, ST_LEVEL_PUT,
    ST_PG_ORDER_STORE, ST_PG_STOCK_RECOMPUTE, /* PostgreSQL only: server/sql_pg.c's functions */
    ST_LINE_SOLD, ST_LINE_RETURNED, ST_RETURNED_BY_LINE, ST_KEY_BY_RECEIPT,
    ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_PUT_SEQ] = "UPDATE meta SET value = ?2 WHERE key = ?1",
    [ST_GET_SEQ] = "SELECT value FROM meta WHERE key = ?1",
    [ST_PRODUCT_UPSERT] = "INSERT INTO products(sku, name, price, unit, tax_class, age_restricted,"
                          " active, seq, deleted, product_group, deposit_sku)"
                          " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?10)"
                          " ON CONFLICT(sku) DO UPDATE SET name = excluded.name, price = excluded.price,"
                          " unit = excluded.unit, tax_class = excluded.tax_class,"
                          " age_restricted = excluded.age_restricted, active = excluded.active,"
                          " seq = excluded.seq, deleted = 0, product_group = excluded.product_group,"
                          " deposit_sku = excluded.deposit_sku"
                          /* an identical row is left alone: changes() tells the caller */
                          " WHERE products.name IS NOT excluded.name OR products.price <> excluded.price"
                          " OR products.unit IS NOT excluded.unit"
                          " OR products.tax_class IS NOT excluded.tax_class"
                          " OR products.age_restricted <> excluded.age_restricted"
                          " OR products.active <> excluded.active OR products.deleted <> 0"
                          " OR products.product_group IS NOT excluded.product_group"
                          " OR products.deposit_sku IS NOT excluded.deposit_sku",
    [ST_PRODUCT_BUMP] = "UPDATE products SET seq = ?2 WHERE sku = ?1 AND deleted = 0",
    [ST_BARCODE_OWNER] = "SELECT sku FROM barcodes WHERE code = ?1",
    [ST_BARCODE_ADD] = "INSERT INTO barcodes(code, sku) VALUES(?1, ?2) ON CONFLICT(code) DO NOTHING",
    [ST_BARCODE_MOVE] = "UPDATE barcodes SET sku = ?2 WHERE code = ?1",
    [ST_BARCODES_OF] = "SELECT code FROM barcodes WHERE sku = ?1",
    [ST_BARCODE_DELETE] = "DELETE FROM barcodes WHERE code = ?1",
    [ST_BARCODES_DELETE_SKU] = "DELETE FROM barcodes WHERE sku = ?1",
    [ST_PRICE_SET] = "UPDATE products SET price = ?2, seq = ?3 WHERE sku = ?1 AND deleted = 0",
    [ST_RENAME] = "UPDATE products SET name = ?2, seq = ?3 WHERE sku = ?1 AND deleted = 0",
    [ST_DELETE] = "UPDATE products SET deleted = 1, seq = ?2 WHERE sku = ?1 AND deleted = 0",
    [ST_PRICE_GET] = "SELECT price FROM products WHERE sku = ?1 AND deleted = 0",
    /* One query per page: barcodes come from a correlated group_concat over barcodes_sku. */
    [ST_CATALOG_PAGE] = "SELECT p.seq, p.sku, p.deleted, p.name, p.price, p.unit, p.tax_class,"
                        " p.age_restricted, p.active,"
                        " (SELECT group_concat(b.code, char(31)) FROM barcodes b WHERE b.sku = p.sku),"
                        " p.product_group, p.deposit_sku"
                        " FROM products p WHERE p.seq > ?1 ORDER BY p.seq LIMIT ?2",
    [ST_STOCK_PAGE] = "SELECT seq, sku, on_hand FROM stock_levels WHERE location = ?1 AND seq > ?2"
                      " ORDER BY seq LIMIT ?3",
    [ST_TOKEN_PUT] = "INSERT INTO terminals(terminal_id, token_hash, created_at) VALUES(?1, ?2, ?3)"
                     " ON CONFLICT(terminal_id) DO UPDATE SET token_hash = excluded.token_hash,"
                     " created_at = excluded.created_at",
    [ST_TOKEN_GET] = "SELECT terminal_id FROM terminals WHERE token_hash = ?1",
    [ST_ORDER_INSERT] = "INSERT INTO orders(idempotency_key, terminal_id, sale_uuid, total, currency,"
                        " completed_at, location, payload, received_at, payload_sha256, return_of,"
                        " receipt_no) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                        /* a stored key answers no row: the caller looks at what is stored */
                        " ON CONFLICT(idempotency_key) DO NOTHING RETURNING id",
    [ST_ORDER_BY_KEY] = "SELECT id, payload_sha256, payload FROM orders WHERE idempotency_key = ?1",
    [ST_LINE_INSERT] = "INSERT INTO order_lines(order_id, line_no, sku, barcode, name, qty, unit_price,"
                       " line_total, voided, return_line, restock)"
                       " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [ST_MOVE_INSERT] = "INSERT INTO stock_movements(idempotency_key, sku, location, kind, quantity,"
                       " occurred_at, order_id, reason) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                       " ON CONFLICT(idempotency_key) DO NOTHING",
    [ST_LAST_COUNT] = "SELECT quantity, occurred_at FROM stock_movements INDEXED BY stock_movements_counts"
                      " WHERE sku = ?1 AND location = ?2 AND kind = 'count'"
                      " ORDER BY occurred_at DESC, id DESC LIMIT 1",
    /* Summed in C with an overflow check: SQLite's sum() fails the statement instead. */
    [ST_DELTAS_AFTER] = "SELECT quantity FROM stock_movements"
                        " WHERE sku = ?1 AND location = ?2 AND kind <> 'count' AND occurred_at > ?3",
    [ST_LEVEL_GET] = "SELECT on_hand FROM stock_levels WHERE sku = ?1 AND location = ?2",
    [ST_LEVEL_PUT] = "INSERT INTO stock_levels(sku, location, on_hand, seq) VALUES(?1, ?2, ?3, ?4)"
                     " ON CONFLICT(sku, location) DO UPDATE SET on_hand = excluded.on_hand,"
                     " seq = excluded.seq",
    [ST_KEY_BY_RECEIPT] = "SELECT idempotency_key FROM orders WHERE terminal_id = ?1 AND receipt_no = ?2"
                          " ORDER BY id DESC LIMIT 1",
    [ST_LINE_SOLD] = "SELECT ol.sku, ol.qty, ol.voided FROM order_lines ol JOIN orders o ON o.id = ol.order_id"
                     " WHERE o.idempotency_key = ?1 AND ol.line_no = ?2 ORDER BY ol.id LIMIT 1",
    [ST_LINE_RETURNED] = "SELECT -COALESCE(sum(ol.qty), 0) FROM orders o JOIN order_lines ol ON ol.order_id = o.id"
                         " WHERE o.return_of = ?1 AND ol.return_line = ?2 AND ol.voided = 0 AND ol.qty < 0",
    [ST_RETURNED_BY_LINE] = "SELECT ol.return_line, -sum(ol.qty) FROM orders o"
                            " JOIN order_lines ol ON ol.order_id = o.id"
                            " WHERE o.return_of = ?1 AND ol.voided = 0 AND ol.qty < 0"
                            " AND ol.return_line IS NOT NULL GROUP BY ol.return_line ORDER BY ol.return_line",
};

/* Where PostgreSQL's dialect differs from SQLite's. */
static const char *const stmt_pg[ST_COUNT] = {
    [ST_PRODUCT_UPSERT] = "INSERT INTO products(sku, name, price, unit, tax_class, age_restricted,"
                          " active, seq, deleted, product_group, deposit_sku)"
                          " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?10)"
                          " ON CONFLICT(sku) DO UPDATE SET name = excluded.name, price = excluded.price,"
                          " unit = excluded.unit, tax_class = excluded.tax_class,"
                          " age_restricted = excluded.age_restricted, active = excluded.active,"
                          " seq = excluded.seq, deleted = 0, product_group = excluded.product_group,"
                          " deposit_sku = excluded.deposit_sku"
                          " WHERE products.name IS DISTINCT FROM excluded.name OR products.price <> excluded.price"
                          " OR products.unit IS DISTINCT FROM excluded.unit"
                          " OR products.tax_class IS DISTINCT FROM excluded.tax_class"
                          " OR products.age_restricted <> excluded.age_restricted"
                          " OR products.active <> excluded.active OR products.deleted <> 0"
                          " OR products.product_group IS DISTINCT FROM excluded.product_group"
                          " OR products.deposit_sku IS DISTINCT FROM excluded.deposit_sku",
    [ST_CATALOG_PAGE] = "SELECT p.seq, p.sku, p.deleted, p.name, p.price, p.unit, p.tax_class,"
                        " p.age_restricted, p.active,"
                        " (SELECT string_agg(b.code, chr(31)) FROM barcodes b WHERE b.sku = p.sku),"
                        " p.product_group, p.deposit_sku"
                        " FROM products p WHERE p.seq > ?1 ORDER BY p.seq LIMIT ?2",
    [ST_LAST_COUNT] = "SELECT quantity, occurred_at FROM stock_movements"
                      " WHERE sku = ?1 AND location = ?2 AND kind = 'count'"
                      " ORDER BY occurred_at DESC, id DESC LIMIT 1",
    [ST_PG_ORDER_STORE] = "SELECT status, order_id, detail FROM till_store_order(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
                          " ?9, ?10, ?11, ?12, ?13, ?14)",
    [ST_PG_STOCK_RECOMPUTE] = "SELECT till_stock_recompute(?1, ?2, ?3, ?4, ?5)",
};

/*
 * A sequence counter cached for the length of one write transaction (we are the only
 * writer then: writers take turns, in every process, see sql.h), written back just
 * before COMMIT: a 1,000,000-row import bumps it a million times.
 */
struct seq_cache {
    const char *key;
    int64_t value;
    int loaded;
    int dirty;
};

struct sdb {
    struct sql_conn *conn;
    struct sql_stmt *st[ST_COUNT];
    struct seq_cache catalog_seq, stock_seq;
    char detail[192]; /* why the last SDB_RANGE */
};

struct sql_conn *sdb_conn(struct sdb *db)
{
    return db->conn;
}

const char *sdb_errmsg(struct sdb *db)
{
    return sql_errmsg(db->conn);
}

const char *sdb_detail(struct sdb *db)
{
    return db->detail;
}

const char *sdb_backend(struct sdb *db)
{
    return db->conn->ops->name;
}

int sdb_usable(struct sdb *db)
{
    return sql_usable(db->conn);
}

/* Resets a kept statement so it can be bound afresh. */
static struct sql_stmt *use(struct sdb *db, enum stmt_id id)
{
    struct sql_stmt *s = db->st[id];
    sql_reset(s);
    return s;
}

/* Runs a statement that returns no rows (or whose rows are ignored). */
static int run(struct sql_stmt *s)
{
    return sql_run(s) == SQL_DONE ? SDB_OK : SDB_ERROR;
}

int sdb_open(const char *target, struct sdb **out, char *err, size_t errlen)
{
    struct sdb *db = calloc(1, sizeof *db);
    if (!db) {
        snprintf(err, errlen, "out of memory");
        return SDB_ERROR;
    }
    db->catalog_seq.key = "catalog_seq";
    db->stock_seq.key = "stock_seq";
    if (sql_open(target, &db->conn, err, errlen) != SQL_DONE)
        goto fail;
    for (int i = 0; i < ST_COUNT; i++) {
        const char *sql = stmt_pg[i] ? sql_dialect(db->conn, stmt_sql[i], stmt_pg[i]) : stmt_sql[i];
        if (!sql)
            continue; /* another backend's */
        if (!(db->st[i] = sql_prepare_kept(db->conn, sql))) {
            snprintf(err, errlen, "prepare %d: %s", i, sql_errmsg(db->conn));
            goto fail;
        }
    }
    *out = db;
    return SDB_OK;
fail:
    sdb_close(db);
    return SDB_ERROR;
}

void sdb_close(struct sdb *db)
{
    if (!db)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sql_finalize(db->st[i]);
    sql_close(db->conn);
    free(db);
}

void sdb_durability(struct sdb *db, char *out, size_t len)
{
    db->conn->ops->durability(db->conn, out, len);
}

int parse_int64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

void sdb_bulk_mode(struct sdb *db)
{
    db->conn->ops->bulk_mode(db->conn);
}

static int get_seq(struct sdb *db, const char *key, int64_t *seq)
{
    struct sql_stmt *s = use(db, ST_GET_SEQ);
    sql_bind_text(s, 1, key);
    int rc = sql_step(s);
    *seq = rc == SQL_ROW ? sql_int(s, 0) : 0;
    sql_reset(s);
    return rc == SQL_ROW ? SDB_OK : SDB_ERROR;
}

/* The next value of a sequence, inside a write transaction. */
static int next_seq(struct sdb *db, struct seq_cache *c, int64_t *seq)
{
    if (!c->loaded) {
        if (get_seq(db, c->key, &c->value) != SDB_OK)
            return SDB_ERROR;
        c->loaded = 1;
    }
    *seq = ++c->value;
    c->dirty = 1;
    return SDB_OK;
}

static int seq_flush(struct sdb *db, struct seq_cache *c)
{
    if (!c->dirty)
        return SDB_OK;
    struct sql_stmt *s = use(db, ST_PUT_SEQ);
    sql_bind_text(s, 1, c->key);
    sql_bind_int(s, 2, c->value);
    return run(s);
}

static void seq_forget(struct sdb *db)
{
    db->catalog_seq.loaded = db->catalog_seq.dirty = 0;
    db->stock_seq.loaded = db->stock_seq.dirty = 0;
}

int sdb_begin(struct sdb *db)
{
    seq_forget(db);
    return sql_begin_write(db->conn) == SQL_DONE ? SDB_OK : SDB_ERROR;
}

int sdb_commit(struct sdb *db)
{
    int rc = seq_flush(db, &db->catalog_seq);
    if (rc == SDB_OK)
        rc = seq_flush(db, &db->stock_seq);
    if (rc == SDB_OK)
        rc = sql_commit(db->conn) == SQL_DONE ? SDB_OK : SDB_ERROR;
    else
        sql_rollback(db->conn);
    seq_forget(db);
    return rc;
}

void sdb_rollback(struct sdb *db)
{
    seq_forget(db);
    sql_rollback(db->conn);
}

/*
 * One order or adjustment: its own transaction, or a savepoint inside the caller's (a
 * whole request in one transaction: one fsync for up to 500 orders, and still nothing
 * answered before it is durable).
 */
static int item_begin(struct sdb *db, int *own)
{
    *own = !sql_in_transaction(db->conn);
    if (*own)
        return sdb_begin(db);
    return sql_exec(db->conn, "SAVEPOINT item") == SQL_DONE ? SDB_OK : SDB_ERROR;
}

static int item_commit(struct sdb *db, int own)
{
    if (own)
        return sdb_commit(db);
    return sql_exec(db->conn, "RELEASE item") == SQL_DONE ? SDB_OK : SDB_ERROR;
}

static void item_rollback(struct sdb *db, int own)
{
    if (own)
        sdb_rollback(db);
    else
        sql_exec(db->conn, "ROLLBACK TO item; RELEASE item");
}

int sdb_catalog_seq(struct sdb *db, int64_t *seq)
{
    return get_seq(db, "catalog_seq", seq);
}

/* Gives another (live) product the next seq, e.g. when a barcode moved away from it. */
static int bump_product(struct sdb *db, const char *sku)
{
    int64_t seq;
    if (next_seq(db, &db->catalog_seq, &seq) != SDB_OK)
        return SDB_ERROR;
    struct sql_stmt *s = use(db, ST_PRODUCT_BUMP);
    sql_bind_text(s, 1, sku);
    sql_bind_int(s, 2, seq);
    return run(s);
}

/* Points one barcode at sku; *changed is set when it was new or moved. */
static int barcode_claim(struct sdb *db, const char *code, const char *sku, int *changed)
{
    /* A new code (the usual case on import) costs one statement. */
    struct sql_stmt *s = use(db, ST_BARCODE_ADD);
    sql_bind_text(s, 1, code);
    sql_bind_text(s, 2, sku);
    if (run(s) != SDB_OK)
        return SDB_ERROR;
    if (sql_changes(db->conn) > 0) {
        *changed = 1;
        return SDB_OK;
    }
    s = use(db, ST_BARCODE_OWNER);
    sql_bind_text(s, 1, code);
    char *old_owner = NULL;
    if (sql_step(s) == SQL_ROW) {
        const char *o = sql_text(s, 0);
        old_owner = strdup(o ? o : "");
    }
    sql_reset(s);
    if (!old_owner)
        return SDB_ERROR;
    if (strcmp(old_owner, sku) == 0) {
        free(old_owner);
        return SDB_OK;
    }
    *changed = 1;
    s = use(db, ST_BARCODE_MOVE);
    sql_bind_text(s, 1, code);
    sql_bind_text(s, 2, sku);
    int rc = run(s);
    if (rc == SDB_OK)
        rc = bump_product(db, old_owner);
    free(old_owner);
    return rc;
}

/* Drops the sku's barcodes that are not in keep[]. */
static int barcodes_prune(struct sdb *db, const char *sku, const char *const *keep, size_t nkeep,
                          int *changed)
{
    struct sql_stmt *s = use(db, ST_BARCODES_OF);
    sql_bind_text(s, 1, sku);
    char **drop = NULL;
    size_t ndrop = 0;
    int rc = SDB_OK;
    while (sql_step(s) == SQL_ROW) {
        const char *code = sql_text(s, 0);
        int kept = 0;
        for (size_t i = 0; i < nkeep && !kept; i++)
            kept = strcmp(keep[i], code) == 0;
        if (kept)
            continue;
        char **grown = realloc(drop, (ndrop + 1) * sizeof *drop);
        if (!grown || !(grown[ndrop] = strdup(code))) {
            drop = grown ? grown : drop;
            rc = SDB_ERROR;
            break;
        }
        drop = grown;
        ndrop++;
    }
    sql_reset(s);
    for (size_t i = 0; i < ndrop; i++) {
        if (rc == SDB_OK) {
            s = use(db, ST_BARCODE_DELETE);
            sql_bind_text(s, 1, drop[i]);
            rc = run(s);
            *changed = 1;
        }
        free(drop[i]);
    }
    free(drop);
    return rc;
}

int sdb_product_put(struct sdb *db, const struct sdb_product *p, const char *const *barcodes,
                    size_t nbarcodes, int replace_barcodes)
{
    /* The next seq is offered to the upsert and only taken when the row changed. The row
     * must exist before barcodes point at it. */
    struct seq_cache *c = &db->catalog_seq;
    int64_t offered;
    if (next_seq(db, c, &offered) != SDB_OK)
        return SDB_ERROR;
    c->value--;
    struct sql_stmt *s = use(db, ST_PRODUCT_UPSERT);
    sql_bind_text(s, 1, p->sku);
    sql_bind_text(s, 2, p->name);
    sql_bind_int(s, 3, p->price);
    sql_bind_text(s, 4, p->unit);
    sql_bind_text(s, 5, p->tax_class);
    sql_bind_int(s, 6, p->age_restricted);
    sql_bind_int(s, 7, p->active != 0);
    sql_bind_int(s, 8, offered);
    sql_bind_text(s, 9, p->group && p->group[0] ? p->group : NULL);
    sql_bind_text(s, 10, p->deposit_sku && p->deposit_sku[0] ? p->deposit_sku : NULL);
    if (run(s) != SDB_OK)
        return SDB_ERROR;
    int changed = sql_changes(db->conn) > 0;
    if (changed)
        c->value = offered;
    int barcodes_changed = 0;
    if (replace_barcodes &&
        barcodes_prune(db, p->sku, barcodes, nbarcodes, &barcodes_changed) != SDB_OK)
        return SDB_ERROR;
    for (size_t i = 0; i < nbarcodes; i++)
        if (barcode_claim(db, barcodes[i], p->sku, &barcodes_changed) != SDB_OK)
            return SDB_ERROR;
    if (barcodes_changed && !changed)
        return bump_product(db, p->sku);
    return SDB_OK;
}

/* One admin change to a live product in its own transaction. */
static int product_change(struct sdb *db, enum stmt_id id, const char *sku, const char *text,
                          int64_t number)
{
    if (sdb_begin(db) != SDB_OK)
        return SDB_ERROR;
    int64_t seq;
    if (next_seq(db, &db->catalog_seq, &seq) != SDB_OK)
        goto fail;
    struct sql_stmt *s = use(db, id);
    sql_bind_text(s, 1, sku);
    if (id == ST_DELETE) {
        sql_bind_int(s, 2, seq);
    } else {
        if (text)
            sql_bind_text(s, 2, text);
        else
            sql_bind_int(s, 2, number);
        sql_bind_int(s, 3, seq);
    }
    if (run(s) != SDB_OK)
        goto fail;
    if (sql_changes(db->conn) == 0) {
        sdb_rollback(db);
        return SDB_NOT_FOUND;
    }
    if (id == ST_DELETE) {
        /* A tombstone has no barcodes; they may be reused by another product. */
        s = use(db, ST_BARCODES_DELETE_SKU);
        sql_bind_text(s, 1, sku);
        if (run(s) != SDB_OK)
            goto fail;
    }
    return sdb_commit(db);
fail:
    sdb_rollback(db);
    return SDB_ERROR;
}

int sdb_product_set_price(struct sdb *db, const char *sku, int64_t price)
{
    return product_change(db, ST_PRICE_SET, sku, NULL, price);
}

int sdb_product_rename(struct sdb *db, const char *sku, const char *name)
{
    return product_change(db, ST_RENAME, sku, name, 0);
}

int sdb_product_delete(struct sdb *db, const char *sku)
{
    return product_change(db, ST_DELETE, sku, NULL, 0);
}

int sdb_product_price(struct sdb *db, const char *sku, int64_t *price)
{
    struct sql_stmt *s = use(db, ST_PRICE_GET);
    sql_bind_text(s, 1, sku);
    int rc = sql_step(s);
    if (rc == SQL_ROW)
        *price = sql_int(s, 0);
    sql_reset(s);
    return rc == SQL_ROW ? SDB_OK : rc == SQL_DONE ? SDB_NOT_FOUND : SDB_ERROR;
}

static void append_barcodes(struct strbuf *out, const char *joined)
{
    strbuf_puts(out, "[");
    if (joined && *joined) {
        char code[256];
        const char *p = joined;
        for (int first = 1;; first = 0) {
            const char *end = strchr(p, 31);
            size_t n = end ? (size_t)(end - p) : strlen(p);
            if (n >= sizeof code)
                n = sizeof code - 1;
            memcpy(code, p, n);
            code[n] = '\0';
            if (!first)
                strbuf_puts(out, ",");
            strbuf_json_string(out, code);
            if (!end)
                break;
            p = end + 1;
        }
    }
    strbuf_puts(out, "]");
}

/* Reads limit+1 rows so has_more needs no second query; one read transaction. */
int sdb_catalog_page(struct sdb *db, int64_t since, int limit, struct strbuf *out)
{
    struct sql_stmt *s = use(db, ST_CATALOG_PAGE);
    sql_bind_int(s, 1, since);
    sql_bind_int(s, 2, limit + 1);
    struct page pg;
    int rc;
    page_begin(&pg, out, "changes", since, limit);
    while ((rc = sql_step(s)) == SQL_ROW) {
        if (!page_row(&pg, sql_int(s, 0)))
            break;
        strbuf_puts(out, ",\"sku\":");
        strbuf_json_string(out, sql_text(s, 1));
        if (sql_int(s, 2)) {
            strbuf_puts(out, ",\"deleted\":true}");
            continue;
        }
        strbuf_puts(out, ",\"name\":");
        strbuf_json_string(out, sql_text(s, 3));
        strbuf_puts(out, ",\"price\":");
        strbuf_int(out, sql_int(s, 4));
        strbuf_puts(out, ",\"unit\":");
        strbuf_json_string(out, sql_text(s, 5));
        strbuf_puts(out, ",\"tax_class\":");
        strbuf_json_string(out, sql_text(s, 6));
        int age = sql_int(s, 7);
        strbuf_puts(out, age ? ",\"age_restricted\":true" : ",\"age_restricted\":false");
        if (age > 1) {
            strbuf_puts(out, ",\"min_age\":");
            strbuf_int(out, age);
        }
        if (sql_text(s, 10)) {
            strbuf_puts(out, ",\"group\":");
            strbuf_json_string(out, sql_text(s, 10));
        }
        if (sql_text(s, 11)) {
            strbuf_puts(out, ",\"deposit_sku\":");
            strbuf_json_string(out, sql_text(s, 11));
        }
        strbuf_puts(out, sql_int(s, 8) ? ",\"active\":true" : ",\"active\":false");
        strbuf_puts(out, ",\"barcodes\":");
        append_barcodes(out, sql_text(s, 9));
        strbuf_puts(out, "}");
    }
    sql_reset(s);
    if (rc != SQL_ROW && rc != SQL_DONE)
        return SDB_ERROR;
    return page_end(&pg) == 0 ? SDB_OK : SDB_ERROR;
}

int sdb_stock_page(struct sdb *db, const char *location, int64_t since, int limit,
                   struct strbuf *out)
{
    struct sql_stmt *s = use(db, ST_STOCK_PAGE);
    sql_bind_text(s, 1, location);
    sql_bind_int(s, 2, since);
    sql_bind_int(s, 3, limit + 1);
    struct page pg;
    int rc;
    page_begin(&pg, out, "levels", since, limit);
    while ((rc = sql_step(s)) == SQL_ROW) {
        if (!page_row(&pg, sql_int(s, 0)))
            break;
        strbuf_puts(out, ",\"sku\":");
        strbuf_json_string(out, sql_text(s, 1));
        strbuf_puts(out, ",\"location\":");
        strbuf_json_string(out, location);
        strbuf_puts(out, ",\"on_hand\":");
        strbuf_int(out, sql_int(s, 2));
        strbuf_puts(out, "}");
    }
    sql_reset(s);
    if (rc != SQL_ROW && rc != SQL_DONE)
        return SDB_ERROR;
    return page_end(&pg) == 0 ? SDB_OK : SDB_ERROR;
}

/* Hex of the BLAKE2b hash of the token: what the database keeps instead of the token. */
static void token_hash(const char *token, char hex[2 * crypto_generichash_BYTES + 1])
{
    unsigned char h[crypto_generichash_BYTES];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(hex, 2 * crypto_generichash_BYTES + 1, h, sizeof h);
}

int sdb_token_create(struct sdb *db, const char *terminal_id, char *token_hex, size_t len)
{
    unsigned char raw[32];
    if (len < 2 * sizeof raw + 1)
        return SDB_ERROR;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(token_hex, len, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    char hash[2 * crypto_generichash_BYTES + 1];
    token_hash(token_hex, hash);
    struct sql_stmt *s = use(db, ST_TOKEN_PUT);
    sql_bind_text(s, 1, terminal_id);
    sql_bind_text(s, 2, hash);
    sql_bind_int(s, 3, (int64_t)time(NULL));
    return run(s);
}

int sdb_token_lookup(struct sdb *db, const char *token, char *terminal_id, size_t len)
{
    char hash[2 * crypto_generichash_BYTES + 1];
    token_hash(token, hash);
    struct sql_stmt *s = use(db, ST_TOKEN_GET);
    sql_bind_text(s, 1, hash);
    int rc = sql_step(s);
    if (rc == SQL_ROW && terminal_id)
        snprintf(terminal_id, len, "%s", sql_text(s, 0));
    sql_reset(s);
    return rc == SQL_ROW ? SDB_OK : rc == SQL_DONE ? SDB_NOT_FOUND : SDB_ERROR;
}

/*
 * on_hand = latest count (by occurred_at) + deltas dated after it (all deltas without a
 * count). A changed value gets the next stock seq.
 *
 * After a delta (kind != count) only that delta can change it: when it is dated after the
 * latest count it is added to the stored value, otherwise the count already holds it.
 * Summing every movement of a best-selling item on every sale would make accepting
 * orders quadratic. After a count, the deltas dated after it are summed (an index range).
 */
static int stock_store(struct sdb *db, const char *sku, const char *location, int64_t on_hand)
{
    if (on_hand > SDB_STOCK_MAX || on_hand < -SDB_STOCK_MAX) {
        snprintf(db->detail, sizeof db->detail,
                 "stock of %.64s at %.32s would be %lld, outside the +/-2^50 tills accept",
                 sku, location, (long long)on_hand);
        return SDB_RANGE;
    }
    int64_t seq;
    if (next_seq(db, &db->stock_seq, &seq) != SDB_OK)
        return SDB_ERROR;
    struct sql_stmt *s = use(db, ST_LEVEL_PUT);
    sql_bind_text(s, 1, sku);
    sql_bind_text(s, 2, location);
    sql_bind_int(s, 3, on_hand);
    sql_bind_int(s, 4, seq);
    return run(s);
}

/* PostgreSQL runs the same arithmetic in the database (till_stock_recompute). */
static int stock_recompute_pg(struct sdb *db, const char *sku, const char *location, const char *kind,
                              int64_t quantity, int64_t occurred_at)
{
    struct sql_stmt *s = use(db, ST_PG_STOCK_RECOMPUTE);
    sql_bind_text(s, 1, sku);
    sql_bind_text(s, 2, location);
    sql_bind_text(s, 3, kind);
    sql_bind_int(s, 4, quantity);
    sql_bind_int(s, 5, occurred_at);
    int rc = sql_step(s);
    const char *why = rc == SQL_ROW ? sql_text(s, 0) : NULL;
    if (why)
        snprintf(db->detail, sizeof db->detail, "%s", why);
    sql_reset(s);
    return rc != SQL_ROW ? SDB_ERROR : why ? SDB_RANGE : SDB_OK;
}

static int stock_recompute(struct sdb *db, const char *sku, const char *location, const char *kind,
                           int64_t quantity, int64_t occurred_at)
{
    if (db->st[ST_PG_STOCK_RECOMPUTE])
        return stock_recompute_pg(db, sku, location, kind, quantity, occurred_at);
    struct sql_stmt *s = use(db, ST_LAST_COUNT);
    sql_bind_text(s, 1, sku);
    sql_bind_text(s, 2, location);
    int64_t base = 0, after = INT64_MIN;
    int rc = sql_step(s);
    if (rc == SQL_ROW) {
        base = sql_int(s, 0);
        after = sql_int(s, 1);
    }
    sql_reset(s);
    if (rc != SQL_ROW && rc != SQL_DONE)
        return SDB_ERROR;

    int64_t stored;
    int have = sdb_stock_on_hand(db, sku, location, &stored);
    if (have == SDB_ERROR)
        return SDB_ERROR;
    if (strcmp(kind, "count") != 0 && have == SDB_OK) {
        if (occurred_at <= after || quantity == 0)
            return SDB_OK; /* the latest count already includes it */
        int64_t sum;
        if (__builtin_add_overflow(stored, quantity, &sum))
            return stock_store(db, sku, location, quantity < 0 ? INT64_MIN : INT64_MAX);
        return stock_store(db, sku, location, sum);
    }

    s = use(db, ST_DELTAS_AFTER);
    sql_bind_text(s, 1, sku);
    sql_bind_text(s, 2, location);
    sql_bind_int(s, 3, after);
    int64_t on_hand = base;
    int overflow = 0;
    while ((rc = sql_step(s)) == SQL_ROW)
        overflow |= __builtin_add_overflow(on_hand, sql_int(s, 0), &on_hand);
    sql_reset(s);
    if (rc != SQL_DONE)
        return SDB_ERROR;
    if (overflow)
        on_hand = INT64_MAX; /* out of range either way: stock_store refuses it */
    if (have == SDB_OK && stored == on_hand)
        return SDB_OK;
    return stock_store(db, sku, location, on_hand);
}

int sdb_stock_on_hand(struct sdb *db, const char *sku, const char *location, int64_t *on_hand)
{
    struct sql_stmt *s = use(db, ST_LEVEL_GET);
    sql_bind_text(s, 1, sku);
    sql_bind_text(s, 2, location);
    int rc = sql_step(s);
    if (rc == SQL_ROW)
        *on_hand = sql_int(s, 0);
    sql_reset(s);
    return rc == SQL_ROW ? SDB_OK : rc == SQL_DONE ? SDB_NOT_FOUND : SDB_ERROR;
}

static int insert_movement(struct sdb *db, const char *key, const char *sku, const char *location,
                           const char *kind, int64_t quantity, int64_t occurred_at,
                           int64_t order_id, const char *reason)
{
    struct sql_stmt *s = use(db, ST_MOVE_INSERT);
    sql_bind_text(s, 1, key);
    sql_bind_text(s, 2, sku);
    sql_bind_text(s, 3, location);
    sql_bind_text(s, 4, kind);
    sql_bind_int(s, 5, quantity);
    sql_bind_int(s, 6, occurred_at);
    if (order_id > 0)
        sql_bind_int(s, 7, order_id);
    sql_bind_text(s, 8, reason);
    return run(s);
}

static int order_lines_store(struct sdb *db, const struct sdb_order *o, int64_t order_id)
{
    for (size_t i = 0; i < o->nlines; i++) {
        const struct sdb_order_line *l = &o->lines[i];
        struct sql_stmt *s = use(db, ST_LINE_INSERT);
        sql_bind_int(s, 1, order_id);
        sql_bind_int(s, 2, l->line_no);
        sql_bind_text(s, 3, l->sku);
        sql_bind_text(s, 4, l->barcode);
        sql_bind_text(s, 5, l->name);
        sql_bind_int(s, 6, l->qty);
        sql_bind_int(s, 7, l->unit_price);
        sql_bind_int(s, 8, l->line_total);
        sql_bind_int(s, 9, l->voided != 0);
        if (l->return_line > 0)
            sql_bind_int(s, 10, l->return_line);
        sql_bind_int(s, 11, l->qty > 0 || l->restock);
        if (run(s) != SDB_OK)
            return SDB_ERROR;
        /* a returned item that does not go back on the shelf (faulty) moves no stock */
        if (l->voided || (l->qty < 0 && !l->restock))
            continue;
        const char *kind = l->qty < 0 ? "return" : "sale";
        if (insert_movement(db, NULL, l->sku, o->location, kind, -l->qty, o->stock_at,
                            order_id, NULL) != SDB_OK)
            return SDB_ERROR;
        int rc = stock_recompute(db, l->sku, o->location, kind, -l->qty, o->stock_at);
        if (rc != SDB_OK)
            return rc;
    }
    return SDB_OK;
}

void sdb_payload_hash(const char *payload, char hex[SDB_HASH_HEX])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)payload, strlen(payload));
    sodium_bin2hex(hex, SDB_HASH_HEX, h, sizeof h);
}

/*
 * Looks the key up: SDB_NOT_FOUND, or SDB_DUPLICATE / SDB_CONFLICT by comparing the
 * payload's hash with the stored one (computed from the stored payload for orders kept
 * before hashes were).
 */
int sdb_order_find(struct sdb *db, const char *key, const char *payload_sha256, int64_t *order_id)
{
    struct sql_stmt *s = use(db, ST_ORDER_BY_KEY);
    sql_bind_text(s, 1, key);
    int rc = sql_step(s);
    if (rc != SQL_ROW) {
        sql_reset(s);
        return rc == SQL_DONE ? SDB_NOT_FOUND : SDB_ERROR;
    }
    *order_id = sql_int(s, 0);
    char stored[SDB_HASH_HEX];
    const char *h = sql_text(s, 1);
    if (h)
        snprintf(stored, sizeof stored, "%s", h);
    else
        sdb_payload_hash(sql_text(s, 2), stored);
    sql_reset(s);
    return strcmp(stored, payload_sha256) == 0 ? SDB_DUPLICATE : SDB_CONFLICT;
}

/* The order's lines as till_store_order takes them (JSON, the values order_lines_store binds). */
static void lines_json(const struct sdb_order *o, struct strbuf *out)
{
    strbuf_puts(out, "[");
    for (size_t i = 0; i < o->nlines; i++) {
        const struct sdb_order_line *l = &o->lines[i];
        strbuf_puts(out, i ? ",{\"line_no\":" : "{\"line_no\":");
        strbuf_int(out, l->line_no);
        strbuf_puts(out, ",\"sku\":");
        strbuf_json_string(out, l->sku);
        strbuf_puts(out, ",\"barcode\":");
        if (l->barcode)
            strbuf_json_string(out, l->barcode);
        else
            strbuf_puts(out, "null");
        strbuf_puts(out, ",\"name\":");
        if (l->name)
            strbuf_json_string(out, l->name);
        else
            strbuf_puts(out, "null");
        strbuf_puts(out, ",\"qty\":");
        strbuf_int(out, l->qty);
        strbuf_puts(out, ",\"unit_price\":");
        strbuf_int(out, l->unit_price);
        strbuf_puts(out, ",\"line_total\":");
        strbuf_int(out, l->line_total);
        strbuf_puts(out, l->voided ? ",\"voided\":1" : ",\"voided\":0");
        strbuf_puts(out, ",\"return_line\":");
        if (l->return_line > 0)
            strbuf_int(out, l->return_line);
        else
            strbuf_puts(out, "null");
        strbuf_puts(out, l->qty > 0 || l->restock ? ",\"restock\":1}" : ",\"restock\":0}");
    }
    strbuf_puts(out, "]");
}

/* The order's own columns, parameters 1-12: the same for the SQLite insert and
 * PostgreSQL's till_store_order. */
static void bind_order(struct sql_stmt *s, const struct sdb_order *o)
{
    sql_bind_text(s, 1, o->idempotency_key);
    sql_bind_text(s, 2, o->terminal_id);
    sql_bind_text(s, 3, o->sale_uuid);
    sql_bind_int(s, 4, o->total);
    sql_bind_text(s, 5, o->currency);
    sql_bind_int(s, 6, o->completed_at);
    sql_bind_text(s, 7, o->location);
    sql_bind_text(s, 8, o->payload);
    sql_bind_int(s, 9, (int64_t)time(NULL));
    sql_bind_text(s, 10, o->payload_sha256);
    sql_bind_text(s, 11, o->return_of);
    if (o->receipt_no > 0)
        sql_bind_int(s, 12, o->receipt_no);
}

/* sdb_order_store on PostgreSQL: one call of till_store_order, which stores the order, its
 * lines and their stock or nothing (its own subtransaction: no savepoint round trips). */
static int order_store_pg(struct sdb *db, const struct sdb_order *o, int64_t *order_id)
{
    struct strbuf lines;
    strbuf_init(&lines);
    lines_json(o, &lines);
    size_t len;
    char *text = strbuf_take(&lines, &len);
    if (!text)
        return SDB_ERROR;
    int own = !sql_in_transaction(db->conn);
    if (own && sdb_begin(db) != SDB_OK) {
        free(text);
        return SDB_ERROR;
    }
    struct sql_stmt *s = use(db, ST_PG_ORDER_STORE);
    bind_order(s, o);
    sql_bind_int(s, 13, o->stock_at);
    sql_bind_text(s, 14, text);
    free(text);
    int rc = sql_step(s), status = -1;
    if (rc == SQL_ROW) {
        status = (int)sql_int(s, 0);
        *order_id = sql_int(s, 1);
        if (status == SDB_RANGE)
            snprintf(db->detail, sizeof db->detail, "%s", sql_text(s, 2) ? sql_text(s, 2) : "");
    }
    sql_reset(s);
    if (status == SDB_OK)
        return own ? sdb_commit(db) : SDB_OK;
    if (own)
        sdb_rollback(db);
    if (status == SDB_DUPLICATE) { /* the key is stored: which payload? */
        rc = sdb_order_find(db, o->idempotency_key, o->payload_sha256, order_id);
        return rc == SDB_NOT_FOUND ? SDB_ERROR : rc;
    }
    return status == SDB_RANGE ? SDB_RANGE : SDB_ERROR;
}

int sdb_order_store(struct sdb *db, const struct sdb_order *o, int64_t *order_id)
{
    if (db->st[ST_PG_ORDER_STORE])
        return order_store_pg(db, o, order_id);
    int own;
    if (item_begin(db, &own) != SDB_OK)
        return SDB_ERROR;
    struct sql_stmt *s = use(db, ST_ORDER_INSERT);
    bind_order(s, o);
    int rc = sql_step(s);
    if (rc == SQL_ROW)
        *order_id = sql_int(s, 0);
    int stored = rc == SQL_ROW;
    if (rc == SQL_ROW)
        rc = sql_step(s);
    sql_reset(s);
    if (rc != SQL_DONE)
        goto fail;
    if (!stored) {
        /* The UNIQUE key decides, inside this transaction: the order is already stored
         * (by this request, or by any process before it took the write lock). */
        item_rollback(db, own);
        rc = sdb_order_find(db, o->idempotency_key, o->payload_sha256, order_id);
        return rc == SDB_NOT_FOUND ? SDB_ERROR : rc;
    }
    if ((rc = order_lines_store(db, o, *order_id)) != SDB_OK) {
        item_rollback(db, own);
        return rc;
    }
    return item_commit(db, own);
fail:
    item_rollback(db, own);
    return SDB_ERROR;
}

int sdb_adjustment_store(struct sdb *db, const struct sdb_adjustment *a)
{
    int own;
    if (item_begin(db, &own) != SDB_OK)
        return SDB_ERROR;
    if (insert_movement(db, a->idempotency_key, a->sku, a->location, a->kind, a->quantity,
                        a->occurred_at, 0, a->reason) != SDB_OK) {
        item_rollback(db, own);
        return SDB_ERROR;
    }
    if (sql_changes(db->conn) == 0) { /* the key is stored (ON CONFLICT DO NOTHING) */
        item_rollback(db, own);
        return SDB_DUPLICATE;
    }
    int rc = stock_recompute(db, a->sku, a->location, a->kind, a->quantity, a->occurred_at);
    if (rc != SDB_OK) {
        item_rollback(db, own);
        return rc;
    }
    return item_commit(db, own);
}

int sdb_order_line_sold(struct sdb *db, const char *key, int64_t line_no, char *sku, size_t sku_len,
                        int64_t *qty, int *voided)
{
    struct sql_stmt *s = use(db, ST_LINE_SOLD);
    sql_bind_text(s, 1, key);
    sql_bind_int(s, 2, line_no);
    int rc = sql_step(s);
    if (rc == SQL_ROW) {
        snprintf(sku, sku_len, "%s", sql_text(s, 0));
        *qty = sql_int(s, 1);
        *voided = sql_int(s, 2);
    }
    sql_reset(s);
    return rc == SQL_ROW ? SDB_OK : rc == SQL_DONE ? SDB_NOT_FOUND : SDB_ERROR;
}

int sdb_order_line_returned(struct sdb *db, const char *key, int64_t line_no, int64_t *qty)
{
    struct sql_stmt *s = use(db, ST_LINE_RETURNED);
    sql_bind_text(s, 1, key);
    sql_bind_int(s, 2, line_no);
    int rc = sql_step(s);
    if (rc == SQL_ROW)
        *qty = sql_int(s, 0);
    sql_reset(s);
    return rc == SQL_ROW ? SDB_OK : SDB_ERROR;
}

int sdb_order_get(struct sdb *db, const char *key, struct strbuf *out)
{
    struct sql_stmt *s = use(db, ST_ORDER_BY_KEY);
    sql_bind_text(s, 1, key);
    int rc = sql_step(s);
    if (rc != SQL_ROW) {
        sql_reset(s);
        return rc == SQL_DONE ? SDB_NOT_FOUND : SDB_ERROR;
    }
    /* the payload was stored as the till sent it and parsed whole then: it is JSON */
    strbuf_puts(out, "{\"order_id\":");
    strbuf_int(out, sql_int(s, 0));
    strbuf_puts(out, ",\"order\":");
    strbuf_puts(out, sql_text(s, 2));
    sql_reset(s);
    strbuf_puts(out, ",\"returned\":[");
    s = use(db, ST_RETURNED_BY_LINE);
    sql_bind_text(s, 1, key);
    int n = 0;
    while ((rc = sql_step(s)) == SQL_ROW) {
        strbuf_puts(out, n++ ? ",{\"line_no\":" : "{\"line_no\":");
        strbuf_int(out, sql_int(s, 0));
        strbuf_puts(out, ",\"qty\":");
        strbuf_int(out, sql_int(s, 1));
        strbuf_puts(out, "}");
    }
    sql_reset(s);
    strbuf_puts(out, "]}");
    return rc == SQL_DONE ? SDB_OK : SDB_ERROR;
}

int sdb_order_key_by_receipt(struct sdb *db, const char *terminal_id, int64_t receipt_no, char *key,
                             size_t len)
{
    struct sql_stmt *s = use(db, ST_KEY_BY_RECEIPT);
    sql_bind_text(s, 1, terminal_id);
    sql_bind_int(s, 2, receipt_no);
    int rc = sql_step(s);
    if (rc == SQL_ROW)
        snprintf(key, len, "%s", sql_text(s, 0));
    sql_reset(s);
    return rc == SQL_ROW ? SDB_OK : rc == SQL_DONE ? SDB_NOT_FOUND : SDB_ERROR;
}
