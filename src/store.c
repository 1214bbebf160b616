#include "src/store.h"
#include "src/atomic_file.h"
#include "src/checkpointer.h"

#include <assert.h>
#include <errno.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern const char *const store_migrations[];
extern const char *const store_catalog_schema[];

/* The catalog database's schema version (PRAGMA catalog.user_version). */
#define CATALOG_SCHEMA_VERSION 2

/* The statement cache: open addressing on the SQL string's address.  A till runs a few
 * dozen distinct statements; the table grows when half full. */
struct stmt_slot {
    const char *sql;
    sqlite3_stmt *stmt;
};

struct store {
    sqlite3 *db;
    struct stmt_slot *slots;
    size_t nslots, nused;
    enum store_tx tx;          /* what the open transaction is for */
    int fail_commit_at;        /* fault injection: fail the Nth step of a sale */
    int sale_steps;
    int damaged;               /* a statement met a damaged page */
    int row_failure;           /* the last failure was the row's own (a constraint), not the file's */
    char errmsg[STORE_ERRLEN];
    char catalog_path[4096];   /* the attached catalog file, ":memory:" for a memory store */
    int readonly;
    struct checkpointer *ckpt; /* the catalog's checkpoints, off the loop (NULL: in place) */
    int catalog_log_frames;    /* the catalog's log after the last commit, in pages */
    int catalog_ro;            /* the catalog is attached read-only (its writer is a thread) */
    int bound;                 /* only owner may use this handle (store_bind_thread) */
    pthread_t owner;
};

/* A handle bound to a thread is used by that thread only: the loop's handle never writes
 * the catalog while the catalog's writer thread owns it, and the writer's handle never
 * leaves its thread.  Checked at every statement (assert: every build has them on). */
static void check_thread(const struct store *st)
{
    assert(!st->bound || pthread_equal(st->owner, pthread_self()));
    (void)st;
}

/* SQLite's own automatic checkpoint (PASSIVE at 1000 pages of log), except that the
 * catalog's goes to its thread: a sync's pages would otherwise pay a checkpoint and its
 * fsync on the loop every 4 MB.  The log starts again from its beginning only after a
 * checkpoint caught up with the writer, which a thread racing a busy writer seldom does:
 * past 4000 pages store_catalog_log_busy() asks the sync to pause a moment for it.  A
 * log 16 times the size (a writer that does not pause, e.g. a CSV import) is
 * checkpointed in place. */
#define WAL_CHECKPOINT_FRAMES 1000
static int wal_hook(void *ctx, sqlite3 *db, const char *name, int frames)
{
    struct store *st = ctx;
    int catalog = strcmp(name, "catalog") == 0;
    if (catalog)
        st->catalog_log_frames = frames;
    if (frames < WAL_CHECKPOINT_FRAMES)
        return SQLITE_OK;
    if (catalog && st->ckpt && frames < 16 * WAL_CHECKPOINT_FRAMES && checkpointer_kick(st->ckpt) == 0)
        return SQLITE_OK;
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return SQLITE_OK;
}

int store_catalog_log_busy(struct store *st)
{
    return st->ckpt && st->catalog_log_frames >= 4 * WAL_CHECKPOINT_FRAMES && checkpointer_lagging(st->ckpt);
}

static int map_error(struct store *st, int rc);

static void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
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

static int count_row(void *ctx, int ncol, char **vals, char **names)
{
    (void)ncol, (void)vals, (void)names;
    ++*(int *)ctx;
    return 0;
}

/* Applies each migration past PRAGMA user_version in its own transaction.  Foreign keys are
 * off meanwhile, so a migration can rebuild a table others refer to (SQLite cannot change a
 * CHECK in place; sqlite.org/lang_altertable.html, "other kinds of table schema changes"),
 * and every reference is checked before its COMMIT. */
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
    int rc = STORE_OK;
    sqlite3_exec(st->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
    for (int v = have; v < want; v++) {
        char *msg = NULL;
        char pragma[64];
        int dangling = 0;
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        int ok = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) == SQLITE_OK &&
                 sqlite3_exec(st->db, store_migrations[v], NULL, NULL, &msg) == SQLITE_OK &&
                 sqlite3_exec(st->db, "PRAGMA foreign_key_check", count_row, &dangling, &msg) == SQLITE_OK;
        if (ok && dangling) {
            msg = sqlite3_mprintf("%d rows would refer to rows that are not there", dangling);
            ok = 0;
        }
        if (ok)
            ok = sqlite3_exec(st->db, pragma, NULL, NULL, &msg) == SQLITE_OK &&
                 sqlite3_exec(st->db, "COMMIT", NULL, NULL, &msg) == SQLITE_OK;
        if (!ok) {
            seterr(err, errlen, "migration %d failed: %s", v + 1, msg ? msg : "?");
            sqlite3_free(msg);
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            rc = STORE_ERROR;
            break;
        }
    }
    sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    return rc;
}

static int pragma_int(struct store *st, const char *sql)
{
    sqlite3_stmt *s;
    int v = -1;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            v = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    return v;
}

/* The catalog file's name: the database's path + ".catalog" (memory for memory). */
static int catalog_path_for(const char *path, char *out, size_t len)
{
    if (!path[0] || strcmp(path, ":memory:") == 0)
        return snprintf(out, len, ":memory:") >= (int)len ? -1 : 0;
    return snprintf(out, len, "%s.catalog", path) >= (int)len ? -1 : 0;
}

/* Attaches the catalog file as "catalog" (WAL; NORMAL: every catalog change can be fetched
 * again, so a power cut may lose only the last pages).  A new file gets the catalog
 * schema; one of a newer schema is refused. */
/* path as a file: URI that opens it read-only (mode=ro): every byte but the plain ones
 * percent-encoded, so '?', '#' and '%' in a directory name stay part of the path. */
static int readonly_uri(const char *path, char *out, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = (size_t)snprintf(out, len, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (n + 4 >= len)
            return -1;
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("/._-~", *p)) {
            out[n++] = (char)*p;
        } else {
            out[n++] = '%';
            out[n++] = hex[*p >> 4];
            out[n++] = hex[*p & 15];
        }
    }
    return snprintf(out + n, len - n, "?mode=ro") >= (int)(len - n) ? -1 : 0;
}

static int attach_catalog(struct store *st, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    char uri[3 * sizeof st->catalog_path + 32];
    if (st->catalog_ro && readonly_uri(st->catalog_path, uri, sizeof uri)) {
        seterr(err, errlen, "catalog path too long: %s", st->catalog_path);
        return STORE_ERROR;
    }
    int rc = sqlite3_prepare_v2(st->db, "ATTACH DATABASE ?1 AS catalog", -1, &s, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(s, 1, st->catalog_ro ? uri : st->catalog_path, -1, SQLITE_STATIC);
        rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        sqlite3_finalize(s);
    }
    if (rc != SQLITE_OK) {
        seterr(err, errlen, "cannot open the catalog database %s: %s", st->catalog_path, sqlite3_errmsg(st->db));
        return STORE_ERROR;
    }
    if (st->readonly || st->catalog_ro)
        return STORE_OK;
    char *msg = NULL;
    if (sqlite3_exec(st->db, "PRAGMA catalog.journal_mode = WAL; PRAGMA catalog.synchronous = NORMAL;",
                     NULL, NULL, &msg) != SQLITE_OK) {
        seterr(err, errlen, "cannot set up the catalog database %s: %s", st->catalog_path, msg ? msg : "?");
        sqlite3_free(msg);
        return STORE_ERROR;
    }
    int have = pragma_int(st, "PRAGMA catalog.user_version");
    if (have > CATALOG_SCHEMA_VERSION) {
        seterr(err, errlen, "catalog database %s has schema %d, newer than this Till (%d): upgrade Till",
               st->catalog_path, have, CATALOG_SCHEMA_VERSION);
        return STORE_ERROR;
    }
    if (have == CATALOG_SCHEMA_VERSION)
        return STORE_OK;
    if (have == 1) {
        /* version 2 adds two columns to a catalog that keeps its rows */
        if (sqlite3_exec(st->db, "BEGIN IMMEDIATE;"
                         " ALTER TABLE catalog.products ADD COLUMN product_group TEXT;"
                         " ALTER TABLE catalog.products ADD COLUMN deposit_sku TEXT;"
                         " PRAGMA catalog.user_version = 2; COMMIT;", NULL, NULL, &msg) != SQLITE_OK) {
            seterr(err, errlen, "cannot upgrade the catalog schema in %s: %s", st->catalog_path, msg ? msg : "?");
            sqlite3_free(msg);
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return STORE_ERROR;
        }
        return STORE_OK;
    }
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA catalog.user_version = %d", CATALOG_SCHEMA_VERSION);
    if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(st->db, store_catalog_schema[0], NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(st->db, pragma, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(st->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
        seterr(err, errlen, "cannot create the catalog schema in %s: %s", st->catalog_path, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return STORE_ERROR;
    }
    return STORE_OK;
}

static struct store *store_new(char *err, size_t errlen)
{
    struct store *st = calloc(1, sizeof *st);
    if (st) {
        st->nslots = 64;
        st->slots = calloc(st->nslots, sizeof *st->slots);
    }
    if (!st || !st->slots) {
        free(st);
        seterr(err, errlen, "out of memory");
        return NULL;
    }
    return st;
}

int store_open(const char *path, struct store **out, char *err, size_t errlen)
{
    struct store *st = store_new(err, errlen);
    if (!st)
        return STORE_ERROR;
    /* URIs for the catalog's read-only attachment (store_catalog_read_only) */
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, NULL) !=
        SQLITE_OK) {
        seterr(err, errlen, "cannot open database %s: %s", path,
               st->db ? sqlite3_errmsg(st->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(st->db, 2000);
    /* WAL for concurrent readers (sync, reports); FULL so a committed sale survives power loss. */
    int rc = sqlite3_exec(st->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                                  " PRAGMA foreign_keys = ON; PRAGMA cache_size = -8000;", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        int m = map_error(st, rc);
        seterr(err, errlen, "cannot set up database %s: %s%s", path, st->errmsg,
               m == STORE_ECORRUPT ? ". Run  till --salvage  (README: Damaged database)" : "");
        goto fail;
    }
    if (catalog_path_for(path, st->catalog_path, sizeof st->catalog_path)) {
        seterr(err, errlen, "database path too long: %s", path);
        goto fail;
    }
    if (attach_catalog(st, err, errlen) || migrate(st, err, errlen))
        goto fail;
    if (strcmp(st->catalog_path, ":memory:") != 0)
        st->ckpt = checkpointer_new(st->catalog_path);
    sqlite3_wal_hook(st->db, wal_hook, st);
    *out = st;
    return STORE_OK;
fail:
    rc = st->damaged ? STORE_ECORRUPT : STORE_ERROR;
    store_close(st);
    return rc;
}

int store_open_readonly(const char *path, struct store **out, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        seterr(err, errlen, "no database at %s (nothing was created)", path);
        return STORE_NOTFOUND;
    }
    struct store *st = store_new(err, errlen);
    if (!st)
        return STORE_ERROR;
    /* Not SQLITE_OPEN_READONLY: a read-only connection to a WAL database leaves its -wal
     * and -shm files behind.  Without SQLITE_OPEN_CREATE nothing is created, and
     * query_only refuses every write. */
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_exec(st->db, "PRAGMA query_only = ON", NULL, NULL, NULL) != SQLITE_OK) {
        seterr(err, errlen, "cannot open database %s: %s", path,
               st->db ? sqlite3_errmsg(st->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(st->db, 2000);
    st->readonly = 1;
    struct stat cb;
    if (catalog_path_for(path, st->catalog_path, sizeof st->catalog_path) || stat(st->catalog_path, &cb)) {
        seterr(err, errlen, "no catalog database at %s.catalog: start Till once to create it", path);
        goto fail;
    }
    if (attach_catalog(st, err, errlen))
        goto fail;
    int have = store_schema_version(st), want = store_latest_version();
    if (have != want) {
        if (have < 0)
            seterr(err, errlen, "%s is not a Till database: %s", path, sqlite3_errmsg(st->db));
        else if (have > want)
            seterr(err, errlen, "database %s has schema %d, newer than this Till (%d): upgrade Till", path, have, want);
        else
            seterr(err, errlen, "database %s has schema %d, this Till expects %d: start Till once to upgrade it",
                   path, have, want);
        goto fail;
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
    /* the thread's connection first: the last one to close removes the log */
    checkpointer_free(st->ckpt);
    for (size_t i = 0; i < st->nslots; i++)
        sqlite3_finalize(st->slots[i].stmt);
    free(st->slots);
    sqlite3_close(st->db);
    free(st);
}

static int exec(struct store *st, const char *sql);

/* Forgets every cached statement (they are prepared again on their next use). */
static void cache_clear(struct store *st)
{
    for (size_t i = 0; i < st->nslots; i++) {
        sqlite3_finalize(st->slots[i].stmt);
        st->slots[i].stmt = NULL;
        st->slots[i].sql = NULL;
    }
    st->nused = 0;
}

const char *store_catalog_path(const struct store *st)
{
    return st->catalog_path;
}

int store_catalog_schema_version(void)
{
    return CATALOG_SCHEMA_VERSION;
}

int store_catalog_prepare_swap(const char *catalog_path)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(catalog_path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
                     sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) == SQLITE_OK
                 ? STORE_OK
                 : STORE_ERROR;
    sqlite3_close(db);
    return rc;
}

int store_catalog_sync_dir(const char *catalog_path)
{
    char err[300];
    return atomic_file_sync_dir(catalog_path, err, sizeof err) == 0 ? STORE_OK : STORE_ERROR;
}

/* Replaces the catalog file by new_path, which must be a complete, verified catalog
 * database (rollback-journal mode, no -wal beside it).  The old file is checkpointed and
 * detached first, so its write-ahead log can never be replayed onto the new one; the
 * rename is the commit point, a crash before it keeps the old catalog, after it the new
 * (once store_catalog_sync_dir made the rename durable; until then a power cut may bring
 * back the old one, with its own cursor, which syncs again). */
static int swap_catalog(struct store *st, const char *new_path);
static size_t slot_of(const struct store *st, const char *sql);

int store_catalog_swap(struct store *st, const char *new_path)
{
    /* a read-only attachment cannot checkpoint nor remove the log: the swap runs read-write */
    int ro = st->catalog_ro;
    if (ro && store_catalog_read_only(st, 0))
        return STORE_ERROR;
    int rc = swap_catalog(st, new_path);
    char keep[STORE_ERRLEN];
    snprintf(keep, sizeof keep, "%s", st->errmsg);
    if (ro && store_catalog_read_only(st, 1))
        return STORE_ERROR;
    snprintf(st->errmsg, sizeof st->errmsg, "%s", keep);
    return rc;
}

int store_catalog_read_only(struct store *st, int on)
{
    st->errmsg[0] = 0;
    on = !!on;
    if (on == st->catalog_ro)
        return STORE_OK;
    if (st->readonly || strcmp(st->catalog_path, ":memory:") == 0) {
        snprintf(st->errmsg, sizeof st->errmsg, "this database has no catalog file of its own");
        return STORE_ERROR;
    }
    if (!sqlite3_get_autocommit(st->db)) {
        snprintf(st->errmsg, sizeof st->errmsg, "a transaction is open");
        return STORE_ERROR;
    }
    cache_clear(st);
    if (exec(st, "DETACH DATABASE catalog"))
        return STORE_ERROR;
    st->catalog_ro = on;
    char err[STORE_ERRLEN] = "";
    if (attach_catalog(st, err, sizeof err)) {
        /* as it was, if it can be */
        st->catalog_ro = !on;
        if (attach_catalog(st, NULL, 0))
            st->catalog_ro = on;
        snprintf(st->errmsg, sizeof st->errmsg, "%s", err);
        return STORE_ERROR;
    }
    return STORE_OK;
}

int store_catalog_is_read_only(const struct store *st)
{
    return st->catalog_ro;
}

void store_bind_thread(struct store *st, int on)
{
    st->bound = on;
    st->owner = pthread_self();
}

int store_open_catalog(const char *catalog_path, struct store **out, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(catalog_path, &sb) != 0) {
        seterr(err, errlen, "no catalog database at %s", catalog_path);
        return STORE_NOTFOUND;
    }
    struct store *st = store_new(err, errlen);
    if (!st)
        return STORE_ERROR;
    snprintf(st->catalog_path, sizeof st->catalog_path, "%s", catalog_path);
    if (sqlite3_open_v2(catalog_path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        seterr(err, errlen, "cannot open the catalog database %s: %s", catalog_path,
               st->db ? sqlite3_errmsg(st->db) : "out of memory");
        store_close(st);
        return STORE_ERROR;
    }
    /* the loop's readers never hold a lock a writer waits for (WAL); another writer (an
     * import in another process) may, for a while */
    sqlite3_busy_timeout(st->db, 10000);
    char *msg = NULL;
    if (sqlite3_exec(st->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -4000;",
                     NULL, NULL, &msg) != SQLITE_OK) {
        seterr(err, errlen, "cannot set up the catalog database %s: %s", catalog_path, msg ? msg : "?");
        sqlite3_free(msg);
        store_close(st);
        return STORE_ERROR;
    }
    store_bind_thread(st, 1);
    *out = st;
    return STORE_OK;
}

int64_t store_stmt_status(struct store *st, const char *sql, int op)
{
    size_t i = slot_of(st, sql);
    while (st->slots[i].sql && st->slots[i].sql != sql)
        i = (i + 1) & (st->nslots - 1);
    return st->slots[i].stmt ? sqlite3_stmt_status(st->slots[i].stmt, op, 0) : -1;
}

void store_cache_status(struct store *st, int64_t *hits, int64_t *misses, int64_t *writes, int64_t *spills)
{
    int cur, hi;
    sqlite3_db_status(st->db, SQLITE_DBSTATUS_CACHE_HIT, &cur, &hi, 0);
    *hits = cur;
    sqlite3_db_status(st->db, SQLITE_DBSTATUS_CACHE_MISS, &cur, &hi, 0);
    *misses = cur;
    sqlite3_db_status(st->db, SQLITE_DBSTATUS_CACHE_WRITE, &cur, &hi, 0);
    *writes = cur;
    sqlite3_db_status(st->db, SQLITE_DBSTATUS_CACHE_SPILL, &cur, &hi, 0);
    *spills = cur;
}

static int swap_catalog(struct store *st, const char *new_path)
{
    char wal[4200];
    struct stat sb;
    st->errmsg[0] = 0;
    if (strcmp(st->catalog_path, ":memory:") == 0 || st->readonly) {
        snprintf(st->errmsg, sizeof st->errmsg, "this database cannot take a catalog snapshot");
        return STORE_ERROR;
    }
    if (!sqlite3_get_autocommit(st->db)) {
        snprintf(st->errmsg, sizeof st->errmsg, "a transaction is open");
        return STORE_ERROR;
    }
    cache_clear(st);
    checkpointer_stop(st->ckpt); /* its connection would keep the old file's log alive */
    if (exec(st, "PRAGMA catalog.wal_checkpoint(TRUNCATE)") || exec(st, "DETACH DATABASE catalog"))
        return STORE_ERROR;
    snprintf(wal, sizeof wal, "%s-wal", st->catalog_path);
    char err[STORE_ERRLEN] = "";
    int rc = STORE_OK;
    if (stat(wal, &sb) == 0) {
        /* another process holds the catalog open: its log could land on the new file */
        snprintf(st->errmsg, sizeof st->errmsg, "the catalog is in use by another process; will try again");
        rc = STORE_EBUSY;
    } else if (rename(new_path, st->catalog_path) != 0) {
        snprintf(st->errmsg, sizeof st->errmsg, "cannot put the new catalog in place: %s", strerror(errno));
        rc = STORE_ERROR;
    }
    if (attach_catalog(st, err, sizeof err)) {
        snprintf(st->errmsg, sizeof st->errmsg, "%s", err);
        return STORE_ERROR;
    }
    return rc;
}

static size_t slot_of(const struct store *st, const char *sql)
{
    uint64_t h = (uint64_t)(uintptr_t)sql * 0x9E3779B97F4A7C15u;
    return (size_t)(h >> 32) & (st->nslots - 1);
}

static int cache_grow(struct store *st)
{
    struct stmt_slot *old = st->slots;
    size_t n = st->nslots;
    struct stmt_slot *slots = calloc(n * 2, sizeof *slots);
    if (!slots)
        return -1;
    st->slots = slots;
    st->nslots = n * 2;
    for (size_t i = 0; i < n; i++) {
        if (!old[i].sql)
            continue;
        size_t j = slot_of(st, old[i].sql);
        while (slots[j].sql)
            j = (j + 1) & (st->nslots - 1);
        slots[j] = old[i];
    }
    free(old);
    return 0;
}

sqlite3_stmt *store_stmt(struct store *st, const char *sql)
{
    check_thread(st);
    size_t i = slot_of(st, sql);
    while (st->slots[i].sql && st->slots[i].sql != sql)
        i = (i + 1) & (st->nslots - 1);
    sqlite3_stmt *s = st->slots[i].stmt;
    if (s) {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        return s;
    }
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
        st->row_failure = 0;
        snprintf(st->errmsg, sizeof st->errmsg, "%s", sqlite3_errmsg(st->db));
        return NULL;
    }
    if (st->nused * 2 >= st->nslots) {
        if (cache_grow(st)) {
            sqlite3_finalize(s);
            snprintf(st->errmsg, sizeof st->errmsg, "out of memory");
            return NULL;
        }
        i = slot_of(st, sql);
        while (st->slots[i].sql)
            i = (i + 1) & (st->nslots - 1);
    }
    st->slots[i].sql = sql;
    st->slots[i].stmt = s;
    st->nused++;
    return s;
}

/* What a failed statement means for the caller, in words a cashier or manager can act on:
 * a full disk and the file size limit are the same "no room" (the sale is retried); a
 * damaged page marks the whole store damaged. */
/* A write error where the database or its log reaches the file size limit (ulimit -f): the
 * errno SQLite keeps is not reliable by the time the error surfaces, the sizes are. */
static int at_file_size_limit(struct store *st, int sys)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_FSIZE, &rl) || rl.rlim_cur == RLIM_INFINITY)
        return 0;
    if (sys == EFBIG)
        return 1;
    const char *db = sqlite3_db_filename(st->db, "main");
    const char *wal = db ? sqlite3_filename_wal(db) : NULL;
    const char *files[] = { db, wal };
    for (size_t i = 0; i < 2; i++) {
        struct stat sb;
        /* one more frame (a page and its header) would pass the limit */
        if (files[i] && files[i][0] && stat(files[i], &sb) == 0 &&
            (uint64_t)sb.st_size + 65536 + 24 > (uint64_t)rl.rlim_cur)
            return 1;
    }
    return 0;
}

static int map_error(struct store *st, int rc)
{
    int primary = rc & 0xff, sys = sqlite3_system_errno(st->db);
    st->row_failure = primary == SQLITE_CONSTRAINT || primary == SQLITE_MISMATCH || primary == SQLITE_TOOBIG;
    const char *msg = sqlite3_errmsg(st->db);
    if (primary == SQLITE_IOERR && at_file_size_limit(st, sys)) {
        struct rlimit rl;
        getrlimit(RLIMIT_FSIZE, &rl);
        snprintf(st->errmsg, sizeof st->errmsg, "file size limit reached (ulimit -f %llu KiB): %s",
                 (unsigned long long)(rl.rlim_cur / 1024), msg);
        return STORE_EFULL;
    }
    if (primary == SQLITE_FULL || (primary == SQLITE_IOERR && sys == ENOSPC)) {
        snprintf(st->errmsg, sizeof st->errmsg, "disk full (%s)", msg);
        return STORE_EFULL;
    }
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
        st->damaged = 1;
        snprintf(st->errmsg, sizeof st->errmsg, "the database file is damaged (%s)", msg);
        return STORE_ECORRUPT;
    }
    if (primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN) {
        snprintf(st->errmsg, sizeof st->errmsg, "cannot write the database or its directory (%s)", msg);
        return STORE_ERROR;
    }
    snprintf(st->errmsg, sizeof st->errmsg, "%s", msg);
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        return STORE_EBUSY;
    return STORE_ERROR;
}

int store_step(struct store *st, sqlite3_stmt *s)
{
    if (!s)
        return STORE_ERROR; /* store_stmt failed and said why */
    check_thread(st);
    if (st->tx == STORE_TX_SALE && st->fail_commit_at && ++st->sale_steps == st->fail_commit_at) {
        sqlite3_reset(s);
        snprintf(st->errmsg, sizeof st->errmsg, "injected fault");
        return STORE_ERROR;
    }
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        return STORE_ROW;
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? STORE_OK : map_error(st, rc);
}

int store_row_int64(struct store *st, sqlite3_stmt *s, int64_t *out)
{
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_NOTFOUND : rc;
    *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return STORE_OK;
}

void store_col_text(sqlite3_stmt *s, int col, char *dst, size_t len)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    snprintf(dst, len, "%s", t ? (const char *)t : "");
}

int64_t store_changes(struct store *st)
{
    return sqlite3_changes64(st->db);
}

int64_t store_last_insert_id(struct store *st)
{
    return sqlite3_last_insert_rowid(st->db);
}

const char *store_errmsg(struct store *st)
{
    return st->errmsg[0] ? st->errmsg : sqlite3_errmsg(st->db);
}

static int exec(struct store *st, const char *sql)
{
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? STORE_OK : map_error(st, rc);
}

int store_damaged(const struct store *st)
{
    return st->damaged;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int past_deadline(void *ctx)
{
    return mono_ms() > *(const int64_t *)ctx;
}

int store_quick_check(struct store *st, int64_t max_ms, int *complete, char *err, size_t errlen)
{
    /* constants: the names are spliced into the pragma */
    /* what no server can give back, most precious first: the bound may stop before the end */
    static const char *const tables[] = { "sales", "sale_lines", "sale_taxes", "payments",
                                          "payment_intents", "outbox", "meta", "open_sale",
                                          "open_lines", "open_payments", "shifts", "cash_movements",
                                          "audit_log", "parked_sales", "parked_lines", "stock_counts",
                                          "stock_count_entries", "sync_rejects" };
    int64_t deadline = mono_ms() + max_ms;
    int rc = STORE_OK;
    size_t used = 0;
    *complete = 1;
    if (err && errlen)
        err[0] = 0;
    sqlite3_progress_handler(st->db, 1000, past_deadline, &deadline);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0] && *complete && rc != STORE_ERROR; i++) {
        char sql[64];
        sqlite3_stmt *s;
        snprintf(sql, sizeof sql, "PRAGMA quick_check(%s)", tables[i]);
        int r = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
        while (r == SQLITE_OK && (r = sqlite3_step(s)) == SQLITE_ROW) {
            const char *line = (const char *)sqlite3_column_text(s, 0);
            if (line && strcmp(line, "ok") != 0) {
                st->damaged = 1;
                rc = STORE_ECORRUPT;
                if (err && used + 1 < errlen)
                    used += (size_t)snprintf(err + used, errlen - used, "%s%s: %s", used ? "; " : "",
                                             tables[i], line);
                if (used >= errlen)
                    used = errlen - 1;
            }
            r = SQLITE_OK;
        }
        if (r == SQLITE_INTERRUPT) {
            *complete = 0;
        } else if (r != SQLITE_DONE && r != SQLITE_OK) {
            int m = map_error(st, r);
            if (m == STORE_ECORRUPT)
                rc = STORE_ECORRUPT;
            else if (rc == STORE_OK)
                rc = m;
            if (err && used + 1 < errlen)
                used += (size_t)snprintf(err + used, errlen - used, "%s%s: %s", used ? "; " : "", tables[i],
                                         st->errmsg);
            if (used >= errlen)
                used = errlen - 1;
        }
        sqlite3_finalize(s);
    }
    sqlite3_progress_handler(st->db, 0, NULL, NULL);
    for (char *p = err; p && *p; p++)
        if (*p == '\n')
            *p = ' '; /* one line for the screen and the log */
    return rc;
}

int store_begin(struct store *st, enum store_tx kind)
{
    check_thread(st);
    st->errmsg[0] = 0;
    int rc = exec(st, "BEGIN IMMEDIATE");
    if (rc == STORE_OK) {
        st->tx = kind;
        st->sale_steps = 0;
    }
    return rc;
}

int store_commit(struct store *st)
{
    int rc = exec(st, "COMMIT");
    if (rc != STORE_OK)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    st->tx = STORE_TX_PLAIN;
    return rc;
}

void store_rollback(struct store *st)
{
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    st->tx = STORE_TX_PLAIN;
}

/* The name is spliced into the statement: callers pass a constant identifier. */
static int savepoint_exec(struct store *st, const char *verb, const char *name)
{
    char sql[64];
    snprintf(sql, sizeof sql, "%s %s", verb, name);
    return exec(st, sql);
}

int store_savepoint(struct store *st, const char *name)
{
    return savepoint_exec(st, "SAVEPOINT", name);
}

int store_release(struct store *st, const char *name)
{
    return savepoint_exec(st, "RELEASE", name);
}

void store_rollback_to(struct store *st, const char *name)
{
    /* the failure that led here stays the one store_errmsg and store_row_failed report */
    char msg[STORE_ERRLEN];
    int row = st->row_failure;
    snprintf(msg, sizeof msg, "%s", store_errmsg(st));
    savepoint_exec(st, "ROLLBACK TO", name);
    savepoint_exec(st, "RELEASE", name);
    snprintf(st->errmsg, sizeof st->errmsg, "%s", msg);
    st->row_failure = row;
}

int store_row_failed(const struct store *st)
{
    return st->row_failure;
}

void store_durability(struct store *st, int full)
{
    sqlite3_exec(st->db, full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
}

void store_fail_commit_step(struct store *st, int n)
{
    st->fail_commit_at = n;
}

int store_simulate_disk_full(struct store *st)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "PRAGMA page_count", -1, &s, NULL) != SQLITE_OK)
        return STORE_ERROR;
    int pages = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_finalize(s);
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA max_page_count = %d", pages);
    return pages > 0 ? exec(st, pragma) : STORE_ERROR;
}

int store_simulate_disk_freed(struct store *st)
{
    return exec(st, "PRAGMA max_page_count = 2147483646");
}

static const char SQL_AUDIT[] = "INSERT INTO audit_log (at, terminal_id, cashier, event, detail, prev_hash, hash)"
                                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_AUDIT_LAST[] = "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1";
static const char SQL_AUDIT_ALL[] = "SELECT id, at, terminal_id, cashier, event, detail, prev_hash, hash"
                                    " FROM audit_log ORDER BY id";
static const char SQL_META_GET[] = "SELECT value FROM meta WHERE key = ?1";
static const char SQL_META_SET[] = "INSERT INTO meta (key, value) VALUES (?1, ?2)"
                                   " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
static const char SQL_AUDIT_AFTER[] = "SELECT id, at, terminal_id, cashier, event, detail, prev_hash, hash"
                                      " FROM audit_log WHERE id > ?1 AND hash IS NOT NULL ORDER BY id LIMIT ?2";
#define AUDIT_HEAD_KEY "audit.head"

/* One field of the canonical encoding: its length in decimal, ':', its bytes; NULL is
 * "-".  Lengths make it unambiguous: no field's bytes can pass for a separator. */
static void audit_hash_field(crypto_hash_sha256_state *h, const char *v)
{
    char len[24];
    if (!v) {
        crypto_hash_sha256_update(h, (const unsigned char *)"-", 1);
        return;
    }
    size_t n = strlen(v);
    int m = snprintf(len, sizeof len, "%zu:", n);
    crypto_hash_sha256_update(h, (const unsigned char *)len, (unsigned long long)m);
    crypto_hash_sha256_update(h, (const unsigned char *)v, n);
}

void store_audit_hash(int64_t at, const char *terminal, const char *cashier, const char *event,
                      const char *detail, const char *prev_hash, char out[STORE_AUDIT_HASH_HEX])
{
    crypto_hash_sha256_state h;
    unsigned char digest[crypto_hash_sha256_BYTES];
    char at_text[24];
    snprintf(at_text, sizeof at_text, "%lld", (long long)at);
    crypto_hash_sha256_init(&h);
    audit_hash_field(&h, "till-audit-v1");
    audit_hash_field(&h, at_text);
    audit_hash_field(&h, terminal);
    audit_hash_field(&h, cashier);
    audit_hash_field(&h, event);
    audit_hash_field(&h, detail && *detail ? detail : NULL);
    audit_hash_field(&h, prev_hash && *prev_hash ? prev_hash : NULL);
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(out, STORE_AUDIT_HASH_HEX, digest, sizeof digest);
}

static int audit_append(struct store *st, int64_t at, const char *terminal, const char *cashier,
                        const char *event, const char *detail)
{
    char prev[STORE_AUDIT_HASH_HEX] = "", hash[STORE_AUDIT_HASH_HEX];
    sqlite3_stmt *s = store_stmt(st, SQL_AUDIT_LAST);
    int rc = store_step(st, s);
    if (rc == STORE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s, 0);
        snprintf(prev, sizeof prev, "%s", v ? v : "");
        sqlite3_reset(s);
    } else if (rc != STORE_OK) {
        return rc;
    }
    store_audit_hash(at, terminal, cashier, event, detail, prev, hash);
    s = store_stmt(st, SQL_AUDIT);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, at);
    sqlite3_bind_text(s, 2, terminal, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, cashier, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, event, -1, SQLITE_STATIC);
    if (detail && *detail)
        sqlite3_bind_text(s, 5, detail, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 5);
    if (prev[0])
        sqlite3_bind_text(s, 6, prev, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 6);
    sqlite3_bind_text(s, 7, hash, -1, SQLITE_STATIC);
    rc = store_step(st, s);
    return rc ? rc : store_meta_set(st, AUDIT_HEAD_KEY, hash);
}

int store_audit(struct store *st, int64_t at, const char *terminal, const char *cashier,
                const char *event, const char *detail)
{
    /* The row and the head in meta together or neither, inside a sale's transaction or
     * on their own: a savepoint nests either way. */
    int rc = exec(st, "SAVEPOINT audit");
    if (rc)
        return rc;
    rc = audit_append(st, at, terminal, cashier, event, detail);
    if (rc)
        exec(st, "ROLLBACK TO audit");
    exec(st, "RELEASE audit");
    return rc;
}

int store_audit_rows_after(struct store *st, int64_t after_id, int max, store_audit_row_fn fn, void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, SQL_AUDIT_AFTER);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, after_id);
    sqlite3_bind_int(s, 2, max);
    int rc, n = 0;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        struct store_audit_row r = {
            sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
            (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
            (const char *)sqlite3_column_text(s, 4), (const char *)sqlite3_column_text(s, 5),
            (const char *)sqlite3_column_text(s, 6), (const char *)sqlite3_column_text(s, 7),
        };
        n++;
        if (fn(ctx, &r)) {
            sqlite3_reset(s);
            return n;
        }
    }
    return rc == STORE_OK ? n : rc;
}

int store_audit_verify(struct store *st, struct store_audit_check *out, char *why, size_t len)
{
    memset(out, 0, sizeof *out);
    why[0] = 0;
    char prev[STORE_AUDIT_HASH_HEX] = "", expect[STORE_AUDIT_HASH_HEX];
    int64_t prev_id = 0;
    sqlite3_stmt *s = store_stmt(st, SQL_AUDIT_ALL);
    int rc;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        const char *row_prev = (const char *)sqlite3_column_text(s, 6);
        const char *row_hash = (const char *)sqlite3_column_text(s, 7);
        if (!row_hash && out->chained == 0) {
            out->unchained++; /* written before the chain began (migration 018) */
            prev_id = id;
            continue;
        }
        if (!row_hash) {
            snprintf(why, len, "row %lld has no hash: written around the chain", (long long)id);
        } else if (strcmp(row_prev ? row_prev : "", prev) != 0) {
            if (prev[0])
                snprintf(why, len, "row %lld does not follow row %lld: a row between them was deleted, or row %lld's"
                                   " previous hash was changed", (long long)id, (long long)prev_id, (long long)id);
            else
                snprintf(why, len, "row %lld names a previous row that is not there: the chain's first rows were"
                                   " deleted", (long long)id);
        } else {
            store_audit_hash(sqlite3_column_int64(s, 1), (const char *)sqlite3_column_text(s, 2),
                             (const char *)sqlite3_column_text(s, 3), (const char *)sqlite3_column_text(s, 4),
                             (const char *)sqlite3_column_text(s, 5), row_prev, expect);
            if (strcmp(expect, row_hash) != 0)
                snprintf(why, len, "row %lld was changed after it was written (its hash does not match)",
                         (long long)id);
        }
        if (why[0]) {
            out->broken_id = id;
            sqlite3_reset(s);
            return 1;
        }
        out->chained++;
        snprintf(prev, sizeof prev, "%s", row_hash);
        prev_id = id;
    }
    if (rc != STORE_OK)
        return -1;
    char head[STORE_AUDIT_HASH_HEX + 8] = "";
    rc = store_meta_get(st, AUDIT_HEAD_KEY, head, sizeof head);
    if (rc != STORE_OK && rc != STORE_NOTFOUND)
        return -1;
    if (strcmp(head, prev) != 0) {
        out->broken_id = prev_id;
        snprintf(why, len, prev[0] ? "rows after row %lld were deleted (the chain's head is not the newest row)"
                                   : "the chain's rows were deleted (the head names a row that is not there)",
                 (long long)prev_id);
        return 1;
    }
    return 0;
}

int store_meta_get(struct store *st, const char *key, char *buf, size_t len)
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

int store_meta_set(struct store *st, const char *key, const char *value)
{
    sqlite3_stmt *s = store_stmt(st, SQL_META_SET);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
    return store_step(st, s);
}
