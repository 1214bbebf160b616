/*
 * SQLite storage of the store server. Prepared statements live as long as the connection;
 * parameters are always bound. Migrations are an ordered list applied by PRAGMA user_version.
 */
#include "server/server_db.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const migrations[] = {
    /* 1: the whole v1 schema */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "INSERT INTO meta(key, value) VALUES('catalog_seq', 0), ('stock_seq', 0);"
    "CREATE TABLE products(sku TEXT PRIMARY KEY, name TEXT NOT NULL, price INTEGER NOT NULL,"
    " unit TEXT NOT NULL, tax_class TEXT NOT NULL, age_restricted INTEGER NOT NULL DEFAULT 0,"
    " active INTEGER NOT NULL DEFAULT 1, seq INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0);"
    "CREATE UNIQUE INDEX products_seq ON products(seq);"
    "CREATE TABLE barcodes(code TEXT PRIMARY KEY, sku TEXT NOT NULL);"
    "CREATE INDEX barcodes_sku ON barcodes(sku);"
    "CREATE TABLE terminals(terminal_id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE,"
    " created_at INTEGER NOT NULL);"
    "CREATE TABLE orders(id INTEGER PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE,"
    " terminal_id TEXT, sale_uuid TEXT, total INTEGER NOT NULL, currency TEXT NOT NULL,"
    " completed_at INTEGER NOT NULL, location TEXT NOT NULL, payload TEXT NOT NULL,"
    " received_at INTEGER NOT NULL);"
    "CREATE TABLE order_lines(id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id),"
    " line_no INTEGER, sku TEXT NOT NULL, barcode TEXT, name TEXT, qty INTEGER NOT NULL,"
    " unit_price INTEGER NOT NULL, line_total INTEGER NOT NULL, voided INTEGER NOT NULL);"
    "CREATE INDEX order_lines_order ON order_lines(order_id);"
    "CREATE TABLE stock_movements(id INTEGER PRIMARY KEY, idempotency_key TEXT UNIQUE,"
    " sku TEXT NOT NULL, location TEXT NOT NULL, kind TEXT NOT NULL, quantity INTEGER NOT NULL,"
    " occurred_at INTEGER NOT NULL, order_id INTEGER REFERENCES orders(id), reason TEXT);"
    "CREATE INDEX stock_movements_item ON stock_movements(sku, location, occurred_at);"
    "CREATE TABLE stock_levels(sku TEXT NOT NULL, location TEXT NOT NULL, on_hand INTEGER NOT NULL,"
    " seq INTEGER NOT NULL, PRIMARY KEY(sku, location));"
    "CREATE INDEX stock_levels_seq ON stock_levels(location, seq);",
    /* 2: the latest count of an item without walking all its sales */
    ("CREATE INDEX stock_movements_counts ON stock_movements(sku, location, occurred_at)"
     " WHERE kind = 'count';"),
    /* 3: what a repeated idempotency key is compared with (NULL for orders stored before) */
    "ALTER TABLE orders ADD COLUMN payload_sha256 TEXT;",
    /* 4: returns name their original order and line; a line not restocked moves no stock */
    "ALTER TABLE orders ADD COLUMN return_of TEXT;"
    "CREATE INDEX orders_return_of ON orders(return_of) WHERE return_of IS NOT NULL;"
    "ALTER TABLE order_lines ADD COLUMN return_line INTEGER;"
    "ALTER TABLE order_lines ADD COLUMN restock INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE orders ADD COLUMN receipt_no INTEGER;"
    "CREATE INDEX orders_receipt ON orders(terminal_id, receipt_no) WHERE receipt_no IS NOT NULL;",
    /* 5: staff (fed down to tills by seq, tombstones kept), and the documents tills send
     * up about their shifts (server/staff.c) */
    "CREATE TABLE staff(id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,"
    " pin_hash TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1, seq INTEGER NOT NULL UNIQUE,"
    " deleted INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE shift_docs(id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
    " idempotency_key TEXT NOT NULL UNIQUE, payload_sha256 TEXT NOT NULL, terminal_id TEXT,"
    " payload TEXT NOT NULL, received_at INTEGER NOT NULL);",
    /* 6: a product's promotion group, deposit item and minimum age (age_restricted: 0, 1 or
     * the age); the promotions and customers feeds (server/feeds.c) */
    "ALTER TABLE products ADD COLUMN product_group TEXT;"
    "ALTER TABLE products ADD COLUMN deposit_sku TEXT;"
    "CREATE TABLE feed_items(feed TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL,"
    " deleted INTEGER NOT NULL DEFAULT 0, body TEXT, PRIMARY KEY(feed, id));"
    "CREATE UNIQUE INDEX feed_items_seq ON feed_items(feed, seq);",
    /* 7: the tills' audit rows, one per terminal and seq, and the breaks found in their
     * chains (server/audit.c) */
    "CREATE TABLE audit_rows(terminal_id TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL,"
    " cashier TEXT NOT NULL, event TEXT NOT NULL, detail TEXT, prev_hash TEXT, hash TEXT NOT NULL,"
    " received_at INTEGER NOT NULL, PRIMARY KEY(terminal_id, seq));"
    "CREATE TABLE audit_breaks(id INTEGER PRIMARY KEY, terminal_id TEXT NOT NULL, seq INTEGER NOT NULL,"
    " reason TEXT NOT NULL, found_at INTEGER NOT NULL);",
};

enum stmt_id {
    ST_BEGIN, ST_COMMIT, ST_ROLLBACK,
    ST_PUT_SEQ, ST_GET_SEQ,
    ST_PRODUCT_UPSERT, ST_PRODUCT_BUMP,
    ST_BARCODE_OWNER, ST_BARCODE_ADD, ST_BARCODE_MOVE, ST_BARCODES_OF, ST_BARCODE_DELETE, ST_BARCODES_DELETE_SKU,
    ST_PRICE_SET, ST_RENAME, ST_DELETE, ST_PRICE_GET,
    ST_CATALOG_PAGE, ST_STOCK_PAGE,
    ST_TOKEN_PUT, ST_TOKEN_GET,
    ST_ORDER_INSERT, ST_ORDER_BY_KEY, ST_LINE_INSERT, ST_MOVE_INSERT,
    ST_LAST_COUNT, ST_DELTAS_AFTER, ST_LEVEL_GET, ST_LEVEL_PUT,
    ST_LINE_SOLD, ST_LINE_RETURNED, ST_RETURNED_BY_LINE, ST_KEY_BY_RECEIPT,
    ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
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
                        " receipt_no) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [ST_ORDER_BY_KEY] = "SELECT id, payload_sha256, payload FROM orders WHERE idempotency_key = ?1",
    [ST_LINE_INSERT] = "INSERT INTO order_lines(order_id, line_no, sku, barcode, name, qty, unit_price,"
                       " line_total, voided, return_line, restock)"
                       " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [ST_MOVE_INSERT] = "INSERT INTO stock_movements(idempotency_key, sku, location, kind, quantity,"
                       " occurred_at, order_id, reason) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
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

/*
 * A sequence counter cached for the length of one write transaction (we are the only
 * writer then), written back just before COMMIT: a 1,000,000-row import bumps it a
 * million times.
 */
struct seq_cache {
    const char *key;
    int64_t value;
    int loaded;
    int dirty;
};

struct sdb {
    sqlite3 *conn;
    int holds_write_lock;  /* between sdb_begin and its commit or rollback */
    sqlite3_stmt *st[ST_COUNT];
    struct seq_cache catalog_seq, stock_seq;
    char detail[192]; /* why the last SDB_RANGE */
};

struct sqlite3 *sdb_conn(struct sdb *db)
{
    return db->conn;
}

const char *sdb_errmsg(struct sdb *db)
{
    return sqlite3_errmsg(db->conn);
}

const char *sdb_detail(struct sdb *db)
{
    return db->detail;
}

/* Resets and clears a statement so it can be bound afresh. */
static sqlite3_stmt *use(struct sdb *db, enum stmt_id id)
{
    sqlite3_stmt *s = db->st[id];
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return s;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

/* Runs a statement that returns no rows (or whose rows are ignored). */
static int run(sqlite3_stmt *s)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        ;
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? SDB_OK : SDB_ERROR;
}

static int migrate(sqlite3 *conn, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(conn, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
        goto fail;
    int version = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
    sqlite3_finalize(s);
    if (version < 0)
        goto fail;
    int target = (int)(sizeof migrations / sizeof migrations[0]);
    for (int v = version; v < target; v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        if (sqlite3_exec(conn, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            goto fail;
        if (sqlite3_exec(conn, migrations[v], NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(conn, pragma, NULL, NULL, NULL) != SQLITE_OK) {
            snprintf(err, errlen, "migration %d: %s", v + 1, sqlite3_errmsg(conn));
            sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
            return SDB_ERROR;
        }
        if (sqlite3_exec(conn, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            goto fail;
    }
    return SDB_OK;
fail:
    snprintf(err, errlen, "migrate: %s", sqlite3_errmsg(conn));
    return SDB_ERROR;
}

int sdb_open(const char *path, struct sdb **out, char *err, size_t errlen)
{
    struct sdb *db = calloc(1, sizeof *db);
    if (!db) {
        snprintf(err, errlen, "out of memory");
        return SDB_ERROR;
    }
    if (sqlite3_open_v2(path, &db->conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                        SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, db->conn ? sqlite3_errmsg(db->conn) : "cannot open");
        goto fail;
    }
    db->catalog_seq.key = "catalog_seq";
    db->stock_seq.key = "stock_seq";
    sqlite3_busy_timeout(db->conn, 10000);
    /* FULL: in WAL mode NORMAL may lose the last commits on a power cut, and an order the
     * server answered "accepted" is one the till marks sent and never sends again. */
    if (sqlite3_exec(db->conn, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                     " PRAGMA foreign_keys = ON;", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db->conn));
        goto fail;
    }
    if (migrate(db->conn, err, errlen) != SDB_OK)
        goto fail;
    for (int i = 0; i < ST_COUNT; i++) {
        if (sqlite3_prepare_v3(db->conn, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &db->st[i],
                               NULL) != SQLITE_OK) {
            snprintf(err, errlen, "prepare %d: %s", i, sqlite3_errmsg(db->conn));
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
        sqlite3_finalize(db->st[i]);
    sqlite3_close(db->conn);
    free(db);
}

/* One PRAGMA's value as text, read back from the connection. */
static void pragma_text(struct sdb *db, const char *sql, char *out, size_t len)
{
    sqlite3_stmt *s;
    snprintf(out, len, "?");
    if (sqlite3_prepare_v2(db->conn, sql, -1, &s, NULL) != SQLITE_OK)
        return;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        snprintf(out, len, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
}

void sdb_durability(struct sdb *db, char *out, size_t len)
{
    static const char *const sync_names[] = { "off", "normal", "full", "extra" };
    char mode[16], sync[16];
    pragma_text(db, "PRAGMA journal_mode", mode, sizeof mode);
    pragma_text(db, "PRAGMA synchronous", sync, sizeof sync);
    int64_t level;
    const char *name = parse_int64(sync, &level) == 0 && level >= 0 && level <= 3
                           ? sync_names[level] : sync;
    snprintf(out, len, "journal_mode=%s synchronous=%s", mode, name);
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
    sqlite3_exec(db->conn, "PRAGMA cache_size = -262144", NULL, NULL, NULL);
}

static int get_seq(struct sdb *db, const char *key, int64_t *seq)
{
    sqlite3_stmt *s = use(db, ST_GET_SEQ);
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    *seq = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? SDB_OK : SDB_ERROR;
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
    sqlite3_stmt *s = use(db, ST_PUT_SEQ);
    sqlite3_bind_text(s, 1, c->key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, c->value);
    return run(s);
}

static void seq_forget(struct sdb *db)
{
    db->catalog_seq.loaded = db->catalog_seq.dirty = 0;
    db->stock_seq.loaded = db->stock_seq.dirty = 0;
}

/* The server's writers take turns on this lock before BEGIN IMMEDIATE: SQLite's own
 * busy handler polls with growing sleeps (up to 100 ms each), so under 200 tills a
 * waiting batch slept for up to a second while the database was free.  Other processes
 * (the admin commands) still meet the busy handler. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

static void write_unlock(struct sdb *db)
{
    if (db->holds_write_lock) {
        db->holds_write_lock = 0;
        pthread_mutex_unlock(&write_lock);
    }
}

int sdb_begin(struct sdb *db)
{
    seq_forget(db);
    int took = !db->holds_write_lock;
    if (took) {
        pthread_mutex_lock(&write_lock);
        db->holds_write_lock = 1;
    }
    int rc = run(use(db, ST_BEGIN));
    if (rc != SDB_OK && took)
        write_unlock(db);
    return rc;
}

int sdb_commit(struct sdb *db)
{
    int rc = seq_flush(db, &db->catalog_seq);
    if (rc == SDB_OK)
        rc = seq_flush(db, &db->stock_seq);
    if (rc == SDB_OK)
        rc = run(use(db, ST_COMMIT));
    if (rc != SDB_OK)
        sdb_rollback(db);
    write_unlock(db);
    seq_forget(db);
    return rc;
}

void sdb_rollback(struct sdb *db)
{
    seq_forget(db);
    if (!sqlite3_get_autocommit(db->conn))
        run(use(db, ST_ROLLBACK));
    write_unlock(db);
}

/*
 * One order or adjustment: its own transaction, or a savepoint inside the caller's (a
 * whole request in one transaction: one fsync for up to 500 orders, and still nothing
 * answered before it is durable).
 */
static int item_begin(struct sdb *db, int *own)
{
    *own = sqlite3_get_autocommit(db->conn);
    if (*own)
        return sdb_begin(db);
    return sqlite3_exec(db->conn, "SAVEPOINT item", NULL, NULL, NULL) == SQLITE_OK ? SDB_OK
                                                                                 : SDB_ERROR;
}

static int item_commit(struct sdb *db, int own)
{
    if (own)
        return sdb_commit(db);
    return sqlite3_exec(db->conn, "RELEASE item", NULL, NULL, NULL) == SQLITE_OK ? SDB_OK
                                                                               : SDB_ERROR;
}

static void item_rollback(struct sdb *db, int own)
{
    if (own)
        sdb_rollback(db);
    else
        sqlite3_exec(db->conn, "ROLLBACK TO item; RELEASE item", NULL, NULL, NULL);
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
    sqlite3_stmt *s = use(db, ST_PRODUCT_BUMP);
    bind_text(s, 1, sku);
    sqlite3_bind_int64(s, 2, seq);
    return run(s);
}

/* Points one barcode at sku; *changed is set when it was new or moved. */
static int barcode_claim(struct sdb *db, const char *code, const char *sku, int *changed)
{
    /* A new code (the usual case on import) costs one statement. */
    sqlite3_stmt *s = use(db, ST_BARCODE_ADD);
    bind_text(s, 1, code);
    bind_text(s, 2, sku);
    if (run(s) != SDB_OK)
        return SDB_ERROR;
    if (sqlite3_changes(db->conn) > 0) {
        *changed = 1;
        return SDB_OK;
    }
    s = use(db, ST_BARCODE_OWNER);
    bind_text(s, 1, code);
    char *old_owner = NULL;
    if (sqlite3_step(s) == SQLITE_ROW) {
        const char *o = (const char *)sqlite3_column_text(s, 0);
        old_owner = strdup(o ? o : "");
    }
    sqlite3_reset(s);
    if (!old_owner)
        return SDB_ERROR;
    if (strcmp(old_owner, sku) == 0) {
        free(old_owner);
        return SDB_OK;
    }
    *changed = 1;
    s = use(db, ST_BARCODE_MOVE);
    bind_text(s, 1, code);
    bind_text(s, 2, sku);
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
    sqlite3_stmt *s = use(db, ST_BARCODES_OF);
    bind_text(s, 1, sku);
    char **drop = NULL;
    size_t ndrop = 0;
    int rc = SDB_OK;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(s, 0);
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
    sqlite3_reset(s);
    for (size_t i = 0; i < ndrop; i++) {
        if (rc == SDB_OK) {
            s = use(db, ST_BARCODE_DELETE);
            bind_text(s, 1, drop[i]);
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
    sqlite3_stmt *s = use(db, ST_PRODUCT_UPSERT);
    bind_text(s, 1, p->sku);
    bind_text(s, 2, p->name);
    sqlite3_bind_int64(s, 3, p->price);
    bind_text(s, 4, p->unit);
    bind_text(s, 5, p->tax_class);
    sqlite3_bind_int(s, 6, p->age_restricted);
    sqlite3_bind_int(s, 7, p->active != 0);
    sqlite3_bind_int64(s, 8, offered);
    bind_text(s, 9, p->group && p->group[0] ? p->group : NULL);
    bind_text(s, 10, p->deposit_sku && p->deposit_sku[0] ? p->deposit_sku : NULL);
    if (run(s) != SDB_OK)
        return SDB_ERROR;
    int changed = sqlite3_changes(db->conn) > 0;
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
    sqlite3_stmt *s = use(db, id);
    bind_text(s, 1, sku);
    if (id == ST_DELETE) {
        sqlite3_bind_int64(s, 2, seq);
    } else {
        if (text)
            bind_text(s, 2, text);
        else
            sqlite3_bind_int64(s, 2, number);
        sqlite3_bind_int64(s, 3, seq);
    }
    if (run(s) != SDB_OK)
        goto fail;
    if (sqlite3_changes(db->conn) == 0) {
        sdb_rollback(db);
        return SDB_NOT_FOUND;
    }
    if (id == ST_DELETE) {
        /* A tombstone has no barcodes; they may be reused by another product. */
        s = use(db, ST_BARCODES_DELETE_SKU);
        bind_text(s, 1, sku);
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
    sqlite3_stmt *s = use(db, ST_PRICE_GET);
    bind_text(s, 1, sku);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *price = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? SDB_OK : rc == SQLITE_DONE ? SDB_NOT_FOUND : SDB_ERROR;
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
    sqlite3_stmt *s = use(db, ST_CATALOG_PAGE);
    sqlite3_bind_int64(s, 1, since);
    sqlite3_bind_int(s, 2, limit + 1);
    int64_t cursor = since;
    int n = 0, has_more = 0, rc;
    strbuf_puts(out, "{\"changes\":[");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == limit) {
            has_more = 1;
            break;
        }
        cursor = sqlite3_column_int64(s, 0);
        strbuf_puts(out, n++ ? ",{\"seq\":" : "{\"seq\":");
        strbuf_int(out, cursor);
        strbuf_puts(out, ",\"sku\":");
        strbuf_json_string(out, (const char *)sqlite3_column_text(s, 1));
        if (sqlite3_column_int(s, 2)) {
            strbuf_puts(out, ",\"deleted\":true}");
            continue;
        }
        strbuf_puts(out, ",\"name\":");
        strbuf_json_string(out, (const char *)sqlite3_column_text(s, 3));
        strbuf_puts(out, ",\"price\":");
        strbuf_int(out, sqlite3_column_int64(s, 4));
        strbuf_puts(out, ",\"unit\":");
        strbuf_json_string(out, (const char *)sqlite3_column_text(s, 5));
        strbuf_puts(out, ",\"tax_class\":");
        strbuf_json_string(out, (const char *)sqlite3_column_text(s, 6));
        int age = sqlite3_column_int(s, 7);
        strbuf_puts(out, age ? ",\"age_restricted\":true" : ",\"age_restricted\":false");
        if (age > 1) {
            strbuf_puts(out, ",\"min_age\":");
            strbuf_int(out, age);
        }
        if (sqlite3_column_text(s, 10)) {
            strbuf_puts(out, ",\"group\":");
            strbuf_json_string(out, (const char *)sqlite3_column_text(s, 10));
        }
        if (sqlite3_column_text(s, 11)) {
            strbuf_puts(out, ",\"deposit_sku\":");
            strbuf_json_string(out, (const char *)sqlite3_column_text(s, 11));
        }
        strbuf_puts(out, sqlite3_column_int(s, 8) ? ",\"active\":true" : ",\"active\":false");
        strbuf_puts(out, ",\"barcodes\":");
        append_barcodes(out, (const char *)sqlite3_column_text(s, 9));
        strbuf_puts(out, "}");
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return SDB_ERROR;
    strbuf_puts(out, "],\"next_cursor\":");
    strbuf_int(out, cursor);
    strbuf_puts(out, has_more ? ",\"has_more\":true}" : ",\"has_more\":false}");
    return out->failed ? SDB_ERROR : SDB_OK;
}

int sdb_stock_page(struct sdb *db, const char *location, int64_t since, int limit,
                   struct strbuf *out)
{
    sqlite3_stmt *s = use(db, ST_STOCK_PAGE);
    bind_text(s, 1, location);
    sqlite3_bind_int64(s, 2, since);
    sqlite3_bind_int(s, 3, limit + 1);
    int64_t cursor = since;
    int n = 0, has_more = 0, rc;
    strbuf_puts(out, "{\"levels\":[");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == limit) {
            has_more = 1;
            break;
        }
        cursor = sqlite3_column_int64(s, 0);
        strbuf_puts(out, n++ ? ",{\"seq\":" : "{\"seq\":");
        strbuf_int(out, cursor);
        strbuf_puts(out, ",\"sku\":");
        strbuf_json_string(out, (const char *)sqlite3_column_text(s, 1));
        strbuf_puts(out, ",\"location\":");
        strbuf_json_string(out, location);
        strbuf_puts(out, ",\"on_hand\":");
        strbuf_int(out, sqlite3_column_int64(s, 2));
        strbuf_puts(out, "}");
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return SDB_ERROR;
    strbuf_puts(out, "],\"next_cursor\":");
    strbuf_int(out, cursor);
    strbuf_puts(out, has_more ? ",\"has_more\":true}" : ",\"has_more\":false}");
    return out->failed ? SDB_ERROR : SDB_OK;
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
    sqlite3_stmt *s = use(db, ST_TOKEN_PUT);
    bind_text(s, 1, terminal_id);
    bind_text(s, 2, hash);
    sqlite3_bind_int64(s, 3, (int64_t)time(NULL));
    return run(s);
}

int sdb_token_lookup(struct sdb *db, const char *token, char *terminal_id, size_t len)
{
    char hash[2 * crypto_generichash_BYTES + 1];
    token_hash(token, hash);
    sqlite3_stmt *s = use(db, ST_TOKEN_GET);
    bind_text(s, 1, hash);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && terminal_id)
        snprintf(terminal_id, len, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? SDB_OK : rc == SQLITE_DONE ? SDB_NOT_FOUND : SDB_ERROR;
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
    sqlite3_stmt *s = use(db, ST_LEVEL_PUT);
    bind_text(s, 1, sku);
    bind_text(s, 2, location);
    sqlite3_bind_int64(s, 3, on_hand);
    sqlite3_bind_int64(s, 4, seq);
    return run(s);
}

static int stock_recompute(struct sdb *db, const char *sku, const char *location, const char *kind,
                           int64_t quantity, int64_t occurred_at)
{
    sqlite3_stmt *s = use(db, ST_LAST_COUNT);
    bind_text(s, 1, sku);
    bind_text(s, 2, location);
    int64_t base = 0, after = INT64_MIN;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        base = sqlite3_column_int64(s, 0);
        after = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
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
    bind_text(s, 1, sku);
    bind_text(s, 2, location);
    sqlite3_bind_int64(s, 3, after);
    int64_t on_hand = base;
    int overflow = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        overflow |= __builtin_add_overflow(on_hand, sqlite3_column_int64(s, 0), &on_hand);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return SDB_ERROR;
    if (overflow)
        on_hand = INT64_MAX; /* out of range either way: stock_store refuses it */
    if (have == SDB_OK && stored == on_hand)
        return SDB_OK;
    return stock_store(db, sku, location, on_hand);
}

int sdb_stock_on_hand(struct sdb *db, const char *sku, const char *location, int64_t *on_hand)
{
    sqlite3_stmt *s = use(db, ST_LEVEL_GET);
    bind_text(s, 1, sku);
    bind_text(s, 2, location);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *on_hand = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? SDB_OK : rc == SQLITE_DONE ? SDB_NOT_FOUND : SDB_ERROR;
}

static int is_unique_violation(struct sdb *db)
{
    return sqlite3_extended_errcode(db->conn) == SQLITE_CONSTRAINT_UNIQUE;
}

static int insert_movement(struct sdb *db, const char *key, const char *sku, const char *location,
                           const char *kind, int64_t quantity, int64_t occurred_at,
                           int64_t order_id, const char *reason)
{
    sqlite3_stmt *s = use(db, ST_MOVE_INSERT);
    bind_text(s, 1, key);
    bind_text(s, 2, sku);
    bind_text(s, 3, location);
    bind_text(s, 4, kind);
    sqlite3_bind_int64(s, 5, quantity);
    sqlite3_bind_int64(s, 6, occurred_at);
    if (order_id > 0)
        sqlite3_bind_int64(s, 7, order_id);
    bind_text(s, 8, reason);
    return run(s);
}

static int order_lines_store(struct sdb *db, const struct sdb_order *o, int64_t order_id)
{
    for (size_t i = 0; i < o->nlines; i++) {
        const struct sdb_order_line *l = &o->lines[i];
        sqlite3_stmt *s = use(db, ST_LINE_INSERT);
        sqlite3_bind_int64(s, 1, order_id);
        sqlite3_bind_int64(s, 2, l->line_no);
        bind_text(s, 3, l->sku);
        bind_text(s, 4, l->barcode);
        bind_text(s, 5, l->name);
        sqlite3_bind_int64(s, 6, l->qty);
        sqlite3_bind_int64(s, 7, l->unit_price);
        sqlite3_bind_int64(s, 8, l->line_total);
        sqlite3_bind_int(s, 9, l->voided != 0);
        if (l->return_line > 0)
            sqlite3_bind_int64(s, 10, l->return_line);
        sqlite3_bind_int(s, 11, l->qty > 0 || l->restock);
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
    sqlite3_stmt *s = use(db, ST_ORDER_BY_KEY);
    bind_text(s, 1, key);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return rc == SQLITE_DONE ? SDB_NOT_FOUND : SDB_ERROR;
    }
    *order_id = sqlite3_column_int64(s, 0);
    char stored[SDB_HASH_HEX];
    const char *h = (const char *)sqlite3_column_text(s, 1);
    if (h)
        snprintf(stored, sizeof stored, "%s", h);
    else
        sdb_payload_hash((const char *)sqlite3_column_text(s, 2), stored);
    sqlite3_reset(s);
    return strcmp(stored, payload_sha256) == 0 ? SDB_DUPLICATE : SDB_CONFLICT;
}

int sdb_order_store(struct sdb *db, const struct sdb_order *o, int64_t *order_id)
{
    int own;
    if (item_begin(db, &own) != SDB_OK)
        return SDB_ERROR;
    sqlite3_stmt *s = use(db, ST_ORDER_INSERT);
    bind_text(s, 1, o->idempotency_key);
    bind_text(s, 2, o->terminal_id);
    bind_text(s, 3, o->sale_uuid);
    sqlite3_bind_int64(s, 4, o->total);
    bind_text(s, 5, o->currency);
    sqlite3_bind_int64(s, 6, o->completed_at);
    bind_text(s, 7, o->location);
    bind_text(s, 8, o->payload);
    sqlite3_bind_int64(s, 9, (int64_t)time(NULL));
    bind_text(s, 10, o->payload_sha256);
    bind_text(s, 11, o->return_of);
    if (o->receipt_no > 0)
        sqlite3_bind_int64(s, 12, o->receipt_no);
    int rc;
    if (run(s) != SDB_OK) {
        /* The UNIQUE key decides, inside this transaction: the order is already stored. */
        if (!is_unique_violation(db))
            goto fail;
        rc = sdb_order_find(db, o->idempotency_key, o->payload_sha256, order_id);
        item_rollback(db, own);
        return rc == SDB_NOT_FOUND ? SDB_ERROR : rc;
    }
    *order_id = sqlite3_last_insert_rowid(db->conn);
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
        int dup = is_unique_violation(db);
        item_rollback(db, own);
        return dup ? SDB_DUPLICATE : SDB_ERROR;
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
    sqlite3_stmt *s = use(db, ST_LINE_SOLD);
    bind_text(s, 1, key);
    sqlite3_bind_int64(s, 2, line_no);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        snprintf(sku, sku_len, "%s", (const char *)sqlite3_column_text(s, 0));
        *qty = sqlite3_column_int64(s, 1);
        *voided = sqlite3_column_int(s, 2);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? SDB_OK : rc == SQLITE_DONE ? SDB_NOT_FOUND : SDB_ERROR;
}

int sdb_order_line_returned(struct sdb *db, const char *key, int64_t line_no, int64_t *qty)
{
    sqlite3_stmt *s = use(db, ST_LINE_RETURNED);
    bind_text(s, 1, key);
    sqlite3_bind_int64(s, 2, line_no);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *qty = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? SDB_OK : SDB_ERROR;
}

int sdb_order_get(struct sdb *db, const char *key, struct strbuf *out)
{
    sqlite3_stmt *s = use(db, ST_ORDER_BY_KEY);
    bind_text(s, 1, key);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return rc == SQLITE_DONE ? SDB_NOT_FOUND : SDB_ERROR;
    }
    /* the payload was stored as the till sent it and parsed whole then: it is JSON */
    strbuf_puts(out, "{\"order_id\":");
    strbuf_int(out, sqlite3_column_int64(s, 0));
    strbuf_puts(out, ",\"order\":");
    strbuf_puts(out, (const char *)sqlite3_column_text(s, 2));
    sqlite3_reset(s);
    strbuf_puts(out, ",\"returned\":[");
    s = use(db, ST_RETURNED_BY_LINE);
    bind_text(s, 1, key);
    int n = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        strbuf_puts(out, n++ ? ",{\"line_no\":" : "{\"line_no\":");
        strbuf_int(out, sqlite3_column_int64(s, 0));
        strbuf_puts(out, ",\"qty\":");
        strbuf_int(out, sqlite3_column_int64(s, 1));
        strbuf_puts(out, "}");
    }
    sqlite3_reset(s);
    strbuf_puts(out, "]}");
    return rc == SQLITE_DONE ? SDB_OK : SDB_ERROR;
}

int sdb_order_key_by_receipt(struct sdb *db, const char *terminal_id, int64_t receipt_no, char *key,
                             size_t len)
{
    sqlite3_stmt *s = use(db, ST_KEY_BY_RECEIPT);
    bind_text(s, 1, terminal_id);
    sqlite3_bind_int64(s, 2, receipt_no);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        snprintf(key, len, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? SDB_OK : rc == SQLITE_DONE ? SDB_NOT_FOUND : SDB_ERROR;
}
