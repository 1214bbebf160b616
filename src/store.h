/* Local storage: one SQLite database (WAL).  The store owns the handle, the schema
 * (migrations by PRAGMA user_version), transactions, a cache of prepared statements, the
 * meta table and the audit log.  Every other table belongs to one module that keeps its
 * own SQL and runs it through store_stmt/store_step:
 *   catalog (src/catalog.c), stock levels (src/stock.c), sales (src/sales.c), payment
 *   intents (src/payment_journal.c), outbox (offline/outbox.c).
 * Every business event is one transaction; parameters are always bound. */
#ifndef TILL_STORE_H
#define TILL_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct sqlite3_stmt;

enum {
    STORE_OK = 0,
    STORE_NOTFOUND = 1,
    STORE_ROW = 2,     /* store_step: a row is ready to read */
    STORE_ERROR = -1,
    STORE_EBUSY = -2,
    STORE_EFULL = -3,  /* disk full or the file size limit (ulimit -f): nothing was written */
    STORE_ECORRUPT = -4, /* the database file is damaged (see store_damaged) */
};

#define STORE_ERRLEN 256

/* Opens (creating if needed) and migrates to the latest schema version. */
int store_open(const char *path, struct store **out, char *err, size_t errlen);
/* Opens an existing database for reading only: never creates a file, never migrates.  A
 * missing database or one of another schema version is an error that says so. */
int store_open_readonly(const char *path, struct store **out, char *err, size_t errlen);
void store_close(struct store *st);
int store_schema_version(struct store *st);
int store_latest_version(void);

/* The prepared statement for sql, reset and unbound.  sql must be a string with static
 * storage (a module's own constant): statements are cached for the life of the handle,
 * keyed by the string's address.  NULL if it cannot be prepared (store_errmsg says why). */
struct sqlite3_stmt *store_stmt(struct store *st, const char *sql);
/* Steps s once: STORE_ROW (read the columns, then step again or sqlite3_reset), STORE_OK
 * when done (s is reset), or STORE_EFULL/STORE_EBUSY/STORE_ERROR (s is reset).  The one
 * place where statements run, so that a test can make the Nth step of a sale fail. */
int store_step(struct store *st, struct sqlite3_stmt *s);
/* Steps s (its parameters bound) for one row and reads its first column: STORE_OK with
 * *out, STORE_NOTFOUND when there is no row, or the step's error.  s is reset. */
int store_row_int64(struct store *st, struct sqlite3_stmt *s, int64_t *out);
/* Column col of the current row as text into dst (cut to len; "" for NULL). */
void store_col_text(struct sqlite3_stmt *s, int col, char *dst, size_t len);
/* Rows changed and the rowid inserted by the last statement. */
int64_t store_changes(struct store *st);
int64_t store_last_insert_id(struct store *st);
/* Why the last statement or transaction failed. */
const char *store_errmsg(struct store *st);

/* Transactions (BEGIN IMMEDIATE).  A sale's transaction is marked so that the fault
 * injection below hits only sale commits.  store_commit rolls back when it fails. */
enum store_tx { STORE_TX_PLAIN, STORE_TX_SALE };
int store_begin(struct store *st, enum store_tx kind);
int store_commit(struct store *st);
void store_rollback(struct store *st);
/* Savepoints inside the caller's transaction (name: a constant identifier), so that one
 * row that fails is undone alone: store_rollback_to undoes what followed the savepoint and
 * ends it; store_release keeps it. */
int store_savepoint(struct store *st, const char *name);
int store_release(struct store *st, const char *name);
void store_rollback_to(struct store *st, const char *name);
/* 1 when the last failure was about the row itself (a constraint, a mistyped or oversized
 * value) rather than the file (disk full, busy, damaged, I/O): another row may still go. */
int store_row_failed(const struct store *st);
/* synchronous = FULL (default: a committed sale survives power loss) or NORMAL (catalog
 * and stock pages, which are fetched again if lost). */
void store_durability(struct store *st, int full);
/* 1 when the catalog's write-ahead log has grown while its checkpoint thread has not caught
 * up: a writer that can wait (a sync between slices) should pause a few ms, so the log
 * can start again from its beginning instead of growing or being checkpointed on the loop. */
int store_catalog_log_busy(struct store *st);

/* Appends a row to the hash-chained audit log: each row holds the SHA-256 of the row
 * before it and its own, over store_audit_hash's canonical encoding; meta audit.head
 * holds the newest hash, so that deleting the newest rows is noticed too. */
int store_audit(struct store *st, int64_t at, const char *terminal, const char *cashier,
                const char *event, const char *detail);
#define STORE_AUDIT_HASH_HEX 65 /* 64 hex digits and the NUL */
/* The row's hash: SHA-256 over "till-audit-v1", at, terminal, cashier, event, detail and
 * the previous row's hash, each as <length>:<bytes> ("-" for NULL or empty detail/prev),
 * in lower-case hex.  The server computes the same. */
void store_audit_hash(int64_t at, const char *terminal, const char *cashier, const char *event,
                      const char *detail, const char *prev_hash, char out[STORE_AUDIT_HASH_HEX]);
struct store_audit_check {
    int64_t chained;   /* rows checked on the chain */
    int64_t unchained; /* older rows written before the chain began */
    int64_t broken_id; /* the first broken row (or the last good one when the tail is gone) */
};
/* Walks the whole chain: 0 intact, 1 broken (why says which row and how), -1 on a
 * database error (store_errmsg). */
int store_audit_verify(struct store *st, struct store_audit_check *out, char *why, size_t len);

/* One chained audit row, as it is stored (detail and prev_hash NULL when absent). */
struct store_audit_row {
    int64_t id, at;
    const char *terminal, *cashier, *event, *detail, *prev_hash, *hash;
};
/* Calls fn for up to max chained rows (those with a hash) after id after_id, in order;
 * fn returns non-zero to stop.  The number of rows given, or < 0 on error. */
typedef int (*store_audit_row_fn)(void *ctx, const struct store_audit_row *row);
int store_audit_rows_after(struct store *st, int64_t after_id, int max, store_audit_row_fn fn, void *ctx);

/* meta table: small key/value settings (cursors, counters). */
int store_meta_get(struct store *st, const char *key, char *buf, size_t len);
int store_meta_set(struct store *st, const char *key, const char *value);

/* 1 once any statement has met a damaged page (SQLITE_CORRUPT, SQLITE_NOTADB): no sale
 * may be saved into this file any more; `till --salvage` copies out what is readable. */
int store_damaged(const struct store *st);
/* PRAGMA quick_check of the tables that hold what cannot be fetched again (sales, their
 * lines, taxes and payments, card intents, the outbox, meta), stopped after max_ms: the
 * catalog and stock levels come back from the store server.  STORE_OK (done, or out of
 * time: *complete = 0), STORE_ECORRUPT with what is wrong in err, or another error. */
int store_quick_check(struct store *st, int64_t max_ms, int *complete, char *err, size_t errlen);
/* The catalog (src/catalog.c's tables) lives in a file of its own beside the database
 * (path + ".catalog"), attached as "catalog", so that a snapshot can replace it whole.
 * Where it is (":memory:" for a memory database), and the schema version a catalog file
 * must have (PRAGMA user_version of assets/catalog-schema.sql). */
const char *store_catalog_path(const struct store *st);
int store_catalog_schema_version(void);
/* Atomically replaces the catalog file by new_path (a complete catalog database, already
 * verified); outside any transaction.  On failure the old catalog stays attached:
 * STORE_EBUSY when another process holds it open (try again later). */
int store_catalog_swap(struct store *st, const char *new_path);
/* The slow parts of a swap, for a thread of the caller's (each opens nothing of st):
 * before it, the live catalog's write-ahead log is checkpointed from a connection of its
 * own, so the detach has nothing to write; after it, the directory is fsynced so the
 * rename survives a power cut. */
int store_catalog_prepare_swap(const char *catalog_path);
int store_catalog_sync_dir(const char *catalog_path);

/* The catalog's writer is a thread of its own (offline/catalog_worker.c): while it runs,
 * the loop's handle has the catalog attached read-only (on), so it can read it beside the
 * writer (WAL) but never write it, and its transactions never wait for the writer's.
 * Outside any transaction; cached statements are prepared again.  Not for a memory or
 * read-only store. */
int store_catalog_read_only(struct store *st, int on);
int store_catalog_is_read_only(const struct store *st);
/* A connection of the caller's own to the catalog file (path: store_catalog_path), its
 * tables as the main database, for the catalog's writer thread: the catalog module's
 * functions run on it as on a store.  Never creates the file.  Bound to the calling thread. */
int store_open_catalog(const char *catalog_path, struct store **out, char *err, size_t errlen);
/* From now on (on) only the calling thread may use st: every statement asserts it. */
void store_bind_thread(struct store *st, int on);
/* The connection's page cache since it opened: hits, misses, pages written, pages spilled
 * to the file before a commit (measurements). */
void store_cache_status(struct store *st, int64_t *hits, int64_t *misses, int64_t *writes, int64_t *spills);
/* sqlite3_stmt_status(op) of the cached statement for sql (-1: not prepared); measurements. */
int64_t store_stmt_status(struct store *st, const char *sql, int op);

/* Fault injection for tests: the Nth step inside a sale transaction fails (0: none). */
void store_fail_commit_step(struct store *st, int n);
/* Fault injection for tests: the database may not grow past its current size, as if the
 * disk were full. */
int store_simulate_disk_full(struct store *st);
/* ... and space was freed again. */
int store_simulate_disk_freed(struct store *st);

#endif
