/* Copying a store between backends (see migrate.h). */
#include "server/migrate.h"

#include <stdint.h>
#include <string.h>

#include "server/sql.h"

/* Every table of the schema both backends end in (server/sql_sqlite.c, sql_pg.c),
 * parents before children; identity: the table's id column takes its values from a
 * sequence in PostgreSQL, moved past the copied ids afterwards. */
static const struct table {
    const char *name, *columns;
    int ncolumns, identity;
} tables[] = {
    { "products", "sku, name, price, unit, tax_class, age_restricted, active, seq, deleted, product_group,"
                  " deposit_sku", 11, 0 },
    { "barcodes", "code, sku", 2, 0 },
    { "terminals", "terminal_id, token_hash, created_at", 3, 0 },
    { "orders", "id, idempotency_key, terminal_id, sale_uuid, total, currency, completed_at, location, payload,"
                " received_at, payload_sha256, return_of, receipt_no", 13, 1 },
    { "order_lines", "id, order_id, line_no, sku, barcode, name, qty, unit_price, line_total, voided,"
                     " return_line, restock", 12, 1 },
    { "stock_movements", "id, idempotency_key, sku, location, kind, quantity, occurred_at, order_id, reason", 9, 1 },
    { "stock_levels", "sku, location, on_hand, seq", 4, 0 },
    { "staff", "id, name, role, pin_hash, active, seq, deleted", 7, 0 },
    { "shift_docs", "id, kind, idempotency_key, payload_sha256, terminal_id, payload, received_at", 7, 1 },
    { "feed_items", "feed, id, seq, deleted, body", 5, 0 },
    { "audit_rows", "terminal_id, seq, at, cashier, event, detail, prev_hash, hash, received_at", 9, 0 },
    { "audit_breaks", "id, terminal_id, seq, reason, found_at", 5, 1 },
};

static int64_t count_rows(struct sql_conn *c, const char *table)
{
    char sql[128];
    int64_t n = -1;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    return sql_query_int(c, sql, &n, 0, NULL) == SQL_ROW ? n : -1;
}

/* Copies one table; *copied gets the rows that were not there yet. */
static int copy_table(struct sql_conn *src, struct sql_conn *dst, const struct table *t, int64_t *copied)
{
    char select[512], insert[768], params[256] = "";
    for (int i = 1, o = 0; i <= t->ncolumns; i++)
        o += snprintf(params + o, sizeof params - (size_t)o, "%s?%d", i > 1 ? ", " : "", i);
    snprintf(select, sizeof select, "SELECT %s FROM %s", t->columns, t->name);
    snprintf(insert, sizeof insert, "INSERT INTO %s(%s) VALUES(%s) ON CONFLICT DO NOTHING", t->name, t->columns,
             params);
    struct sql_stmt *from = sql_prepare(src, select), *to = sql_prepare_kept(dst, insert);
    int rc = from && to ? SQL_DONE : SQL_ERR;
    *copied = 0;
    while (rc == SQL_DONE && sql_step(from) == SQL_ROW) {
        sql_reset(to);
        for (int i = 0; i < t->ncolumns; i++)
            sql_bind_text(to, i + 1, sql_text(from, i));
        rc = sql_run(to);
        *copied += rc == SQL_DONE ? sql_changes(dst) : 0;
    }
    sql_finalize(from);
    sql_finalize(to);
    return rc;
}

/* The catalog and stock sequences: the larger of the two sides (a new database has 0). */
static int copy_meta(struct sql_conn *src, struct sql_conn *dst)
{
    static const char *const keys[] = { "catalog_seq", "stock_seq" };
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        char sql[160];
        int64_t v = 0;
        snprintf(sql, sizeof sql, "SELECT value FROM meta WHERE key = '%s'", keys[k]);
        if (sql_query_int(src, sql, &v, 0, NULL) == SQL_ERR)
            return SQL_ERR;
        struct sql_stmt *s = sql_prepare(dst, "UPDATE meta SET value = ?2 WHERE key = ?1 AND value < ?2");
        if (!s)
            return SQL_ERR;
        sql_bind_text(s, 1, keys[k]);
        sql_bind_int(s, 2, v);
        int rc = sql_run(s);
        sql_finalize(s);
        if (rc != SQL_DONE)
            return rc;
    }
    return SQL_DONE;
}

/* PostgreSQL's identity sequences past the copied ids, so new rows do not collide. */
static int move_sequences(struct sql_conn *dst)
{
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        if (!tables[i].identity)
            continue;
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT setval(pg_get_serial_sequence('%s', 'id'),"
                 " GREATEST((SELECT max(id) FROM %s), 1))", tables[i].name, tables[i].name);
        if (sql_exec(dst, sql) != SQL_DONE)
            return SQL_ERR;
    }
    return SQL_DONE;
}

int migrate_store(const char *from, const char *to, FILE *out, char *err, size_t errlen)
{
    struct sql_conn *src = NULL, *dst = NULL;
    int rc = -1;
    if (sql_open(from, &src, err, errlen) != SQL_DONE || sql_open(to, &dst, err, errlen) != SQL_DONE)
        goto out;
    if (src->ops == dst->ops && strcmp(from, to) == 0) {
        snprintf(err, errlen, "migrate: --from and --to are the same database");
        goto out;
    }
    /* the source is read in one transaction (a consistent copy while a server writes it);
     * the destination written in one: all of it, or nothing */
    if (sql_exec(src, "BEGIN") != SQL_DONE || sql_begin_write(dst) != SQL_DONE) {
        snprintf(err, errlen, "migrate: %s / %s", sql_errmsg(src), sql_errmsg(dst));
        goto out;
    }
    int64_t copied[sizeof tables / sizeof tables[0]];
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (copy_table(src, dst, &tables[i], &copied[i]) != SQL_DONE) {
            snprintf(err, errlen, "migrate: %s: %s", tables[i].name, sql_errmsg(dst));
            sql_rollback(dst);
            goto out;
        }
    if (copy_meta(src, dst) != SQL_DONE ||
        (dst->ops == &sql_pg_ops && move_sequences(dst) != SQL_DONE) || sql_commit(dst) != SQL_DONE) {
        snprintf(err, errlen, "migrate: %s", sql_errmsg(dst));
        sql_rollback(dst);
        goto out;
    }
    rc = 0;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        int64_t a = count_rows(src, tables[i].name), b = count_rows(dst, tables[i].name);
        fprintf(out, "%-16s %lld rows in the source, %lld at the destination, %lld copied now%s\n",
                tables[i].name, (long long)a, (long long)b, (long long)copied[i], a == b ? "" : "  MISMATCH");
        if (a != b || a < 0)
            rc = -1;
    }
    if (rc)
        snprintf(err, errlen, "migrate: the destination does not hold exactly the source's rows (see above)");
out:
    if (src && sql_in_transaction(src))
        sql_exec(src, "ROLLBACK");
    sql_close(src);
    sql_close(dst);
    return rc;
}
