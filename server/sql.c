/* Choosing a storage driver and the helpers common to both (see sql.h). */
#include "server/sql.h"

#include <stdio.h>
#include <string.h>

int sql_is_url(const char *target)
{
    return strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0;
}

const struct sql_ops *sql_driver_for(const char *target)
{
    return sql_is_url(target) ? &sql_pg_ops : &sql_sqlite_ops;
}

/* One migration per write transaction; the version is read under the write lock, so two
 * processes starting together apply each migration once. */
static int migrate(struct sql_conn *c, char *err, size_t errlen)
{
    const struct sql_ops *ops = c->ops;
    for (;;) {
        int version;
        if (ops->begin_write(c) != SQL_DONE || ops->schema_version(c, &version) != SQL_DONE) {
            snprintf(err, errlen, "migrate: %s", ops->errmsg(c));
            ops->rollback(c);
            return SQL_ERR;
        }
        if (version >= ops->nmigrations) {
            ops->rollback(c);
            return SQL_DONE;
        }
        if (ops->exec(c, ops->migrations[version]) != SQL_DONE ||
            ops->set_schema_version(c, version + 1) != SQL_DONE) {
            snprintf(err, errlen, "migration %d: %s", version + 1, ops->errmsg(c));
            ops->rollback(c);
            return SQL_ERR;
        }
        if (ops->commit(c) != SQL_DONE) {
            snprintf(err, errlen, "migration %d: %s", version + 1, ops->errmsg(c));
            return SQL_ERR;
        }
    }
}

int sql_open(const char *target, struct sql_conn **out, char *err, size_t errlen)
{
    const struct sql_ops *ops = sql_driver_for(target);
    *out = NULL;
    if (ops->open(target, out, err, errlen) != SQL_DONE)
        return SQL_ERR;
    if (migrate(*out, err, errlen) != SQL_DONE) {
        sql_close(*out);
        *out = NULL;
        return SQL_ERR;
    }
    return SQL_DONE;
}

int sql_run(struct sql_stmt *s)
{
    int rc;
    while ((rc = sql_step(s)) == SQL_ROW)
        ;
    sql_reset(s);
    return rc;
}

int sql_query_int(struct sql_conn *c, const char *sql, int64_t *out, int n, const int64_t *ints)
{
    struct sql_stmt *s = sql_prepare(c, sql);
    if (!s)
        return SQL_ERR;
    for (int i = 0; i < n; i++)
        sql_bind_int(s, i + 1, ints[i]);
    int rc = sql_step(s);
    if (rc == SQL_ROW)
        *out = sql_int(s, 0);
    sql_finalize(s);
    return rc == SQL_ROW || rc == SQL_DONE ? rc : SQL_ERR;
}
