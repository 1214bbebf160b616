/*
 * The store server's storage backends: one SQL connection interface, two drivers
 * (server/sql_sqlite.c, server/sql_pg.c), chosen by the --db target: a path is SQLite,
 * postgresql://... (or postgres://...) is PostgreSQL through libpq.  Each driver is a
 * versioned table of operations, as the till's device drivers are; the modules that own
 * tables (server_db.c, staff.c, feeds.c, audit.c) write their SQL once, in the dialect
 * both understand (?N parameters, ON CONFLICT, RETURNING), and pick a variant with
 * sql_dialect() where the two differ.
 *
 * Write transactions (sql_begin_write) are serialised in the database itself, so any
 * number of server processes may share one PostgreSQL: SQLite by BEGIN IMMEDIATE (and a
 * lock between this process's threads), PostgreSQL by a transaction-scoped advisory lock.
 * Idempotency, conflict detection, the audit chain check and stock arithmetic all run
 * inside such a transaction, so they hold whichever process receives an item.
 */
#ifndef TILL_SERVER_SQL_H
#define TILL_SERVER_SQL_H

#include <stddef.h>
#include <stdint.h>

/* What sql_step returns. SQL_UNIQUE: a UNIQUE or PRIMARY KEY constraint refused the row. */
enum { SQL_DONE = 0, SQL_ROW = 1, SQL_ERR = -1, SQL_UNIQUE = -2 };

#define SQL_OPS_VERSION 1

struct sql_conn;
struct sql_stmt;

struct sql_ops {
    int version;               /* SQL_OPS_VERSION */
    const char *name;          /* "sqlite" or "postgresql" */
    /* the backend's schema, one entry per version, applied in order by sql_migrate */
    const char *const *migrations;
    int nmigrations;
    int (*open)(const char *target, struct sql_conn **out, char *err, size_t errlen);
    void (*close)(struct sql_conn *c);
    /* 0 when the connection is broken (the server went away): drop it, open another */
    int (*usable)(struct sql_conn *c);
    /* statements without parameters or rows, ";"-separated */
    int (*exec)(struct sql_conn *c, const char *sql);
    /* keep: prepared once for the connection's life and reused (sql_reset between uses) */
    struct sql_stmt *(*prepare)(struct sql_conn *c, const char *sql, int keep);
    void (*finalize)(struct sql_stmt *s);
    void (*reset)(struct sql_stmt *s);
    void (*bind_text)(struct sql_stmt *s, int i, const char *v); /* NULL binds NULL */
    void (*bind_int)(struct sql_stmt *s, int i, int64_t v);
    int (*step)(struct sql_stmt *s);
    int64_t (*col_int)(struct sql_stmt *s, int i);
    const char *(*col_text)(struct sql_stmt *s, int i); /* NULL for NULL */
    /* rows changed by the last statement run to its end */
    int64_t (*changes)(struct sql_conn *c);
    const char *(*errmsg)(struct sql_conn *c);
    int (*in_transaction)(struct sql_conn *c);
    int (*begin_write)(struct sql_conn *c);
    int (*commit)(struct sql_conn *c);
    void (*rollback)(struct sql_conn *c);
    int (*schema_version)(struct sql_conn *c, int *version); /* inside begin_write */
    int (*set_schema_version)(struct sql_conn *c, int version);
    void (*durability)(struct sql_conn *c, char *out, size_t len);
    void (*bulk_mode)(struct sql_conn *c);
};

extern const struct sql_ops sql_sqlite_ops;
extern const struct sql_ops sql_pg_ops;

/* Every connection and statement starts with its driver. */
struct sql_conn {
    const struct sql_ops *ops;
};
struct sql_stmt {
    const struct sql_ops *ops;
};

/* The driver for a --db target (never NULL). */
const struct sql_ops *sql_driver_for(const char *target);
int sql_is_url(const char *target);

/* Opens target with its driver and brings its schema up to date. */
int sql_open(const char *target, struct sql_conn **out, char *err, size_t errlen);
static inline void sql_close(struct sql_conn *c) { if (c) c->ops->close(c); }
static inline int sql_usable(struct sql_conn *c) { return c->ops->usable(c); }
static inline int sql_exec(struct sql_conn *c, const char *sql) { return c->ops->exec(c, sql); }
static inline struct sql_stmt *sql_prepare(struct sql_conn *c, const char *sql)
{ return c->ops->prepare(c, sql, 0); }
static inline struct sql_stmt *sql_prepare_kept(struct sql_conn *c, const char *sql)
{ return c->ops->prepare(c, sql, 1); }
static inline void sql_finalize(struct sql_stmt *s) { if (s) s->ops->finalize(s); }
static inline void sql_reset(struct sql_stmt *s) { s->ops->reset(s); }
static inline void sql_bind_text(struct sql_stmt *s, int i, const char *v) { s->ops->bind_text(s, i, v); }
static inline void sql_bind_int(struct sql_stmt *s, int i, int64_t v) { s->ops->bind_int(s, i, v); }
static inline int sql_step(struct sql_stmt *s) { return s->ops->step(s); }
static inline int64_t sql_int(struct sql_stmt *s, int i) { return s->ops->col_int(s, i); }
static inline const char *sql_text(struct sql_stmt *s, int i) { return s->ops->col_text(s, i); }
static inline int64_t sql_changes(struct sql_conn *c) { return c->ops->changes(c); }
static inline const char *sql_errmsg(struct sql_conn *c) { return c->ops->errmsg(c); }
static inline int sql_in_transaction(struct sql_conn *c) { return c->ops->in_transaction(c); }
static inline int sql_begin_write(struct sql_conn *c) { return c->ops->begin_write(c); }
static inline int sql_commit(struct sql_conn *c) { return c->ops->commit(c); }
static inline void sql_rollback(struct sql_conn *c) { c->ops->rollback(c); }
/* The first text for SQLite, the second for PostgreSQL. */
static inline const char *sql_dialect(struct sql_conn *c, const char *sqlite, const char *pg)
{ return c->ops == &sql_pg_ops ? pg : sqlite; }

/* Runs a statement to its end: SQL_DONE, SQL_UNIQUE or SQL_ERR; the statement is reset. */
int sql_run(struct sql_stmt *s);
/* A one-shot query of one integer (ints binds ?1..?n); SQL_ROW with *out, SQL_DONE when
 * no row, SQL_ERR. */
int sql_query_int(struct sql_conn *c, const char *sql, int64_t *out, int n, const int64_t *ints);

#endif
