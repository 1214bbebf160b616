/*
 * The SQLite storage driver (see sql.h): one file, WAL with synchronous=FULL, a busy
 * timeout for the admin commands that write beside a running server. Migrations are
 * applied by PRAGMA user_version.
 */
#include "server/sql.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The schema, one entry per PRAGMA user_version (server/sql_pg.c keeps PostgreSQL's). */
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
struct lite_conn {
    struct sql_conn base;
    sqlite3 *db;
    int holds_write_lock; /* between begin_write and its commit or rollback */
};

struct lite_stmt {
    struct sql_stmt base;
    struct lite_conn *c;
    sqlite3_stmt *st;
};

static int lite_open(const char *path, struct sql_conn **out, char *err, size_t errlen)
{
    struct lite_conn *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return SQL_ERR;
    }
    c->base.ops = &sql_sqlite_ops;
    if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, c->db ? sqlite3_errmsg(c->db) : "cannot open");
        goto fail;
    }
    sqlite3_busy_timeout(c->db, 10000);
    /* FULL: in WAL mode NORMAL may lose the last commits on a power cut, and an order the
     * server answered "accepted" is one the till marks sent and never sends again. */
    if (sqlite3_exec(c->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                     " PRAGMA foreign_keys = ON;", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(c->db));
        goto fail;
    }
    *out = &c->base;
    return SQL_DONE;
fail:
    sqlite3_close(c->db);
    free(c);
    return SQL_ERR;
}

static void lite_close(struct sql_conn *base)
{
    struct lite_conn *c = (struct lite_conn *)base;
    sqlite3_close(c->db);
    free(c);
}

static int lite_usable(struct sql_conn *base)
{
    return 1;
}

static int lite_exec(struct sql_conn *base, const char *sql)
{
    struct lite_conn *c = (struct lite_conn *)base;
    return sqlite3_exec(c->db, sql, NULL, NULL, NULL) == SQLITE_OK ? SQL_DONE : SQL_ERR;
}

static struct sql_stmt *lite_prepare(struct sql_conn *base, const char *sql, int keep)
{
    struct lite_conn *c = (struct lite_conn *)base;
    struct lite_stmt *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->base.ops = &sql_sqlite_ops;
    s->c = c;
    if (sqlite3_prepare_v3(c->db, sql, -1, keep ? SQLITE_PREPARE_PERSISTENT : 0, &s->st, NULL) != SQLITE_OK) {
        free(s);
        return NULL;
    }
    return &s->base;
}

static void lite_finalize(struct sql_stmt *base)
{
    struct lite_stmt *s = (struct lite_stmt *)base;
    sqlite3_finalize(s->st);
    free(s);
}

static void lite_reset(struct sql_stmt *base)
{
    struct lite_stmt *s = (struct lite_stmt *)base;
    sqlite3_reset(s->st);
    sqlite3_clear_bindings(s->st);
}

static void lite_bind_text(struct sql_stmt *base, int i, const char *v)
{
    struct lite_stmt *s = (struct lite_stmt *)base;
    if (v)
        sqlite3_bind_text(s->st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s->st, i);
}

static void lite_bind_int(struct sql_stmt *base, int i, int64_t v)
{
    struct lite_stmt *s = (struct lite_stmt *)base;
    sqlite3_bind_int64(s->st, i, v);
}

static int lite_step(struct sql_stmt *base)
{
    struct lite_stmt *s = (struct lite_stmt *)base;
    int rc = sqlite3_step(s->st);
    if (rc == SQLITE_ROW)
        return SQL_ROW;
    if (rc == SQLITE_DONE)
        return SQL_DONE;
    int ext = sqlite3_extended_errcode(s->c->db);
    return ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY ? SQL_UNIQUE : SQL_ERR;
}

static int64_t lite_col_int(struct sql_stmt *base, int i)
{
    return sqlite3_column_int64(((struct lite_stmt *)base)->st, i);
}

static const char *lite_col_text(struct sql_stmt *base, int i)
{
    return (const char *)sqlite3_column_text(((struct lite_stmt *)base)->st, i);
}

static int64_t lite_changes(struct sql_conn *base)
{
    return sqlite3_changes64(((struct lite_conn *)base)->db);
}

static const char *lite_errmsg(struct sql_conn *base)
{
    return sqlite3_errmsg(((struct lite_conn *)base)->db);
}

static int lite_in_transaction(struct sql_conn *base)
{
    return !sqlite3_get_autocommit(((struct lite_conn *)base)->db);
}

/* The server's writers take turns on this lock before BEGIN IMMEDIATE: SQLite's own
 * busy handler polls with growing sleeps (up to 100 ms each), so under 200 tills a
 * waiting batch slept for up to a second while the database was free.  Other processes
 * (the admin commands) still meet the busy handler. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

static void write_unlock(struct lite_conn *c)
{
    if (c->holds_write_lock) {
        c->holds_write_lock = 0;
        pthread_mutex_unlock(&write_lock);
    }
}

static int lite_begin_write(struct sql_conn *base)
{
    struct lite_conn *c = (struct lite_conn *)base;
    int took = !c->holds_write_lock;
    if (took) {
        pthread_mutex_lock(&write_lock);
        c->holds_write_lock = 1;
    }
    int rc = lite_exec(base, "BEGIN IMMEDIATE");
    if (rc != SQL_DONE && took)
        write_unlock(c);
    return rc;
}

static void lite_rollback(struct sql_conn *base)
{
    struct lite_conn *c = (struct lite_conn *)base;
    if (!sqlite3_get_autocommit(c->db))
        lite_exec(base, "ROLLBACK");
    write_unlock(c);
}

static int lite_commit(struct sql_conn *base)
{
    struct lite_conn *c = (struct lite_conn *)base;
    int rc = lite_exec(base, "COMMIT");
    if (rc != SQL_DONE)
        lite_rollback(base);
    write_unlock(c);
    return rc;
}

static int lite_schema_version(struct sql_conn *base, int *version)
{
    sqlite3_stmt *s;
    struct lite_conn *c = (struct lite_conn *)base;
    if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
        return SQL_ERR;
    int rc = sqlite3_step(s);
    *version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? SQL_DONE : SQL_ERR;
}

static int lite_set_schema_version(struct sql_conn *base, int version)
{
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", version);
    return lite_exec(base, pragma);
}

/* One PRAGMA's value as text, read back from the connection. */
static void pragma_text(struct lite_conn *c, const char *sql, char *out, size_t len)
{
    sqlite3_stmt *s;
    snprintf(out, len, "?");
    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK)
        return;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        snprintf(out, len, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
}

static void lite_durability(struct sql_conn *base, char *out, size_t len)
{
    static const char *const sync_names[] = { "off", "normal", "full", "extra" };
    struct lite_conn *c = (struct lite_conn *)base;
    char mode[16], sync[16];
    pragma_text(c, "PRAGMA journal_mode", mode, sizeof mode);
    pragma_text(c, "PRAGMA synchronous", sync, sizeof sync);
    int level = sync[0] >= '0' && sync[0] <= '3' && !sync[1] ? sync[0] - '0' : -1;
    snprintf(out, len, "journal_mode=%s synchronous=%s", mode, level >= 0 ? sync_names[level] : sync);
}

/* A large page cache for one big import transaction (keeps it off the disk until commit). */
static void lite_bulk_mode(struct sql_conn *base)
{
    lite_exec(base, "PRAGMA cache_size = -262144");
}

const struct sql_ops sql_sqlite_ops = {
    .version = SQL_OPS_VERSION,
    .name = "sqlite",
    .migrations = migrations,
    .nmigrations = (int)(sizeof migrations / sizeof migrations[0]),
    .open = lite_open,
    .close = lite_close,
    .usable = lite_usable,
    .exec = lite_exec,
    .prepare = lite_prepare,
    .finalize = lite_finalize,
    .reset = lite_reset,
    .bind_text = lite_bind_text,
    .bind_int = lite_bind_int,
    .step = lite_step,
    .col_int = lite_col_int,
    .col_text = lite_col_text,
    .changes = lite_changes,
    .errmsg = lite_errmsg,
    .in_transaction = lite_in_transaction,
    .begin_write = lite_begin_write,
    .commit = lite_commit,
    .rollback = lite_rollback,
    .schema_version = lite_schema_version,
    .set_schema_version = lite_set_schema_version,
    .durability = lite_durability,
    .bulk_mode = lite_bulk_mode,
};
