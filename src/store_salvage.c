#include "src/store_salvage.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "src/atomic_file.h"
#include "src/store.h"

/* Point lookups tried in the rowid gaps a damaged page leaves, per table. */
#define MAX_POINT_LOOKUPS 1000000

struct copier {
    sqlite3 *old, *fresh;
    sqlite3_stmt *scan, *probe, *point, *insert;
    int ncols;
    struct salvage_table *t;
    char *err;
    size_t errlen;
};

static int is_read_error(int rc)
{
    return rc != SQLITE_ROW && rc != SQLITE_DONE;
}

/* Copies the row s stands on (rowid in column 0 when with_rowid) into the fresh database. */
static int copy_row(struct copier *c, sqlite3_stmt *s, int with_rowid)
{
    sqlite3_reset(c->insert);
    int n = c->ncols + with_rowid;
    for (int i = 0; i < n; i++)
        sqlite3_bind_value(c->insert, i + 1, sqlite3_column_value(s, i));
    int rc = sqlite3_step(c->insert);
    sqlite3_reset(c->insert);
    if (rc != SQLITE_DONE) {
        snprintf(c->err, c->errlen, "cannot write the fresh database: %s", sqlite3_errmsg(c->fresh));
        return -1;
    }
    c->t->copied++;
    return 0;
}

/* A row by its rowid: 1 copied, 0 none there, 2 unreadable, -1 write error. */
static int copy_rowid(struct copier *c, int64_t rowid)
{
    sqlite3_reset(c->point);
    sqlite3_bind_int64(c->point, 1, rowid);
    int rc = sqlite3_step(c->point);
    if (rc == SQLITE_ROW) {
        int r = copy_row(c, c->point, 1);
        sqlite3_reset(c->point);
        return r ? -1 : 1;
    }
    sqlite3_reset(c->point);
    return rc == SQLITE_DONE ? 0 : 2;
}

/* The first rowid above after that can be reached without the damaged pages: probes at
 * after+1, +2, +4, ...; *end = 1 when nothing readable lies beyond.  Returns the probe start
 * that worked (the rowids up to it are then looked up one by one). */
static int64_t probe_past_damage(struct copier *c, int64_t after, int *end)
{
    *end = 1;
    for (int64_t jump = 1; jump > 0 && after <= INT64_MAX - jump; jump *= 2) {
        sqlite3_reset(c->probe);
        sqlite3_bind_int64(c->probe, 1, after + jump);
        int rc = sqlite3_step(c->probe);
        sqlite3_reset(c->probe);
        if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
            *end = rc == SQLITE_DONE;
            return after + jump;
        }
    }
    return INT64_MAX;
}

/* A rowid table: in rowid order while the pages read; past a damaged page, the next
 * readable rowid is probed for and the gap looked up row by row. */
static int copy_rowid_table(struct copier *c)
{
    int64_t after = 0, lookups = 0;
    for (;;) {
        sqlite3_reset(c->scan);
        sqlite3_bind_int64(c->scan, 1, after);
        int rc;
        while ((rc = sqlite3_step(c->scan)) == SQLITE_ROW) {
            if (copy_row(c, c->scan, 1))
                return -1;
            after = sqlite3_column_int64(c->scan, 0);
        }
        sqlite3_reset(c->scan);
        if (rc == SQLITE_DONE)
            return 0;
        c->t->damaged = 1;
        int end;
        int64_t resume = probe_past_damage(c, after, &end);
        if (resume == INT64_MAX) {
            c->t->lost_after = after + 1;
            return 0;  /* nothing past the damage can be reached: the rest is lost */
        }
        int64_t upto = resume;
        if (upto - after > MAX_POINT_LOOKUPS - lookups)
            upto = after + (MAX_POINT_LOOKUPS - lookups);
        for (int64_t id = after + 1; id <= upto && id > after; id++) {
            int r = copy_rowid(c, id);
            if (r < 0)
                return -1;
            c->t->unreadable += r == 2;
            lookups++;
        }
        if (end)
            return 0;
        after = resume;
    }
}

/* A table without rowid (barcodes): as far as it reads. */
static int copy_plain_table(struct copier *c)
{
    int rc;
    while ((rc = sqlite3_step(c->scan)) == SQLITE_ROW)
        if (copy_row(c, c->scan, 0))
            return -1;
    if (is_read_error(rc))
        c->t->damaged = 1;
    return 0;
}

/* The columns both schemas have, as a quoted list. */
static int common_columns(sqlite3 *old, sqlite3 *fresh, const char *table, char *cols, size_t len, int *ncols)
{
    sqlite3_stmt *s;
    size_t n = 0;
    *ncols = 0;
    cols[0] = 0;
    if (sqlite3_prepare_v2(fresh, "SELECT name FROM pragma_table_info(?1)", -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *col = (const char *)sqlite3_column_text(s, 0);
        sqlite3_stmt *o;
        int has = 0;
        if (sqlite3_prepare_v2(old, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1, &o, NULL) == SQLITE_OK) {
            sqlite3_bind_text(o, 1, table, -1, SQLITE_STATIC);
            sqlite3_bind_text(o, 2, col, -1, SQLITE_STATIC);
            has = sqlite3_step(o) == SQLITE_ROW;
            sqlite3_finalize(o);
        }
        if (!has || !col)
            continue;
        int w = snprintf(cols + n, len - n, "%s\"%s\"", n ? ", " : "", col);
        if (w < 0 || (size_t)w >= len - n) {
            sqlite3_finalize(s);
            return -1;
        }
        n += (size_t)w;
        (*ncols)++;
    }
    sqlite3_finalize(s);
    return 0;
}

static int copy_table(sqlite3 *old, sqlite3 *fresh, const char *table, int without_rowid,
                      struct salvage_table *t, char *err, size_t errlen)
{
    char cols[2048], sql[4600], marks[400] = "";
    struct copier c = { old, fresh, NULL, NULL, NULL, NULL, 0, t, err, errlen };
    snprintf(t->name, sizeof t->name, "%s", table);
    if (common_columns(old, fresh, table, cols, sizeof cols, &c.ncols) || c.ncols == 0)
        return 0; /* a table the damaged file does not have (or cannot describe): nothing to copy */
    int n = c.ncols + !without_rowid;
    for (int i = 0, m = 0; i < n && (size_t)m + 3 < sizeof marks; i++)
        m += snprintf(marks + m, sizeof marks - (size_t)m, "%s?", i ? "," : "");
    int rc = -1;
    const char *rid = without_rowid ? "" : "rowid, ";
    snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO main.\"%s\" (%s%s) VALUES (%s)", table, rid, cols, marks);
    if (sqlite3_prepare_v2(fresh, sql, -1, &c.insert, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot write table %s: %s", table, sqlite3_errmsg(fresh));
        goto out;
    }
    /* a statement the damaged file cannot even prepare leaves the table unreadable */
    rc = 0;
    if (without_rowid) {
        snprintf(sql, sizeof sql, "SELECT %s FROM main.\"%s\"", cols, table);
        if (sqlite3_prepare_v2(old, sql, -1, &c.scan, NULL) != SQLITE_OK)
            t->damaged = 1;
        else
            rc = copy_plain_table(&c);
        goto out;
    }
    snprintf(sql, sizeof sql, "SELECT rowid, %s FROM main.\"%s\" WHERE rowid > ?1 ORDER BY rowid", cols, table);
    int ok = sqlite3_prepare_v2(old, sql, -1, &c.scan, NULL) == SQLITE_OK;
    snprintf(sql, sizeof sql, "SELECT rowid FROM main.\"%s\" WHERE rowid > ?1 ORDER BY rowid LIMIT 1", table);
    ok = ok && sqlite3_prepare_v2(old, sql, -1, &c.probe, NULL) == SQLITE_OK;
    snprintf(sql, sizeof sql, "SELECT rowid, %s FROM main.\"%s\" WHERE rowid = ?1", cols, table);
    ok = ok && sqlite3_prepare_v2(old, sql, -1, &c.point, NULL) == SQLITE_OK;
    if (ok)
        rc = copy_rowid_table(&c);
    else
        t->damaged = 1;
out:
    sqlite3_finalize(c.scan);
    sqlite3_finalize(c.probe);
    sqlite3_finalize(c.point);
    sqlite3_finalize(c.insert);
    return rc;
}

/* Another connection (a running Till) keeps a WAL database's shared-memory lock: an
 * exclusive transaction in exclusive locking mode cannot start while it is open. */
static int in_use(const char *path)
{
    sqlite3 *db;
    int busy = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
        sqlite3_exec(db, "PRAGMA locking_mode = EXCLUSIVE", NULL, NULL, NULL);
        int rc = sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL);
        busy = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_close(db);
    return busy;
}

/* Each of path's pieces under another name: "%s-wal" of path in buf. */
static const char *piece(char *buf, size_t len, const char *path, const char *sfx)
{
    snprintf(buf, len, "%s%s", path, sfx);
    return buf;
}

/* Gives the damaged database and its log the kept names, then takes the old names away,
 * syncing the directory after each step, so that at any point of a power cut the database
 * and its log are together under one name, and the fresh database is only ever created
 * with no old log beside it.  Hard links, not two renames: between two renames the
 * database would sit under one name and its log under the other.  The old names go
 * database first: a log with no database beside it is dropped by SQLite when a database
 * is created there, while a database without its log would open without its last
 * commits. */
static int move_aside(const char *path, const char *kept, char *err, size_t errlen)
{
    char a[700], b[700];
    if (link(piece(a, sizeof a, path, "-wal"), piece(b, sizeof b, kept, "-wal")) && errno != ENOENT) {
        snprintf(err, errlen, "cannot link %s to %s: %s", a, b, strerror(errno));
        return -1;
    }
    if (link(path, kept)) {
        snprintf(err, errlen, "cannot link %s to %s: %s", path, kept, strerror(errno));
        unlink(b);
        return -1;
    }
    if (atomic_file_sync_dir(path, err, errlen) || unlink(path)) {
        if (!err[0])
            snprintf(err, errlen, "cannot remove %s: %s", path, strerror(errno));
        unlink(kept);
        unlink(b);
        return -1;
    }
    unlink(a);
    unlink(piece(a, sizeof a, path, "-shm"));
    return atomic_file_sync_dir(path, err, errlen);
}

/* Puts the damaged database back where it was, in place of an unfinished fresh one: the
 * fresh one goes (its log first), the kept pair is linked back (log first, for the reason
 * above) and its kept names removed.  The kept pair is whole throughout. */
static void put_back(const char *path, const char *kept)
{
    char a[700], b[700], err[300];
    unlink(piece(a, sizeof a, path, "-wal"));
    unlink(piece(a, sizeof a, path, "-shm"));
    unlink(path);
    atomic_file_sync_dir(path, err, sizeof err);
    int wal = link(piece(b, sizeof b, kept, "-wal"), piece(a, sizeof a, path, "-wal")) == 0;
    if (link(kept, path) == 0 && atomic_file_sync_dir(path, err, sizeof err) == 0) {
        unlink(kept);
        if (wal)
            unlink(b);
        atomic_file_sync_dir(path, err, sizeof err);
    }
}

static int copy_all(sqlite3 *old, sqlite3 *fresh, struct salvage_report *rep, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    if (sqlite3_exec(fresh, "PRAGMA foreign_keys = OFF; BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(fresh, "SELECT name, wr FROM pragma_table_list WHERE schema = 'main' AND type = 'table'"
                                  " AND name NOT LIKE 'sqlite_%' ORDER BY name", -1, &s, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot start the fresh database: %s", sqlite3_errmsg(fresh));
        return -1;
    }
    int rc = 0;
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW && rep->ntables < SALVAGE_MAX_TABLES) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        struct salvage_table *t = &rep->tables[rep->ntables++];
        rc = copy_table(old, fresh, name, sqlite3_column_int(s, 1), t, err, errlen);
    }
    sqlite3_finalize(s);
    /* the catalog and stock levels come whole from the store server again: rows of them
     * may be among the unreadable */
    if (rc == 0 && sqlite3_exec(fresh, "DELETE FROM meta WHERE key LIKE 'sync.%cursor%'; COMMIT", NULL, NULL,
                                NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot write the fresh database: %s", sqlite3_errmsg(fresh));
        rc = -1;
    }
    if (rc)
        sqlite3_exec(fresh, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int store_salvage(const char *path, struct salvage_report *rep, char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    err[0] = 0;
    struct stat sb;
    if (stat(path, &sb)) {
        snprintf(err, errlen, "no database at %s", path);
        return -1;
    }
    if (in_use(path)) {
        snprintf(err, errlen, "%s is in use (a running Till?): stop it first", path);
        return -1;
    }
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime_r(&now, &tm));
    snprintf(rep->kept_as, sizeof rep->kept_as, "%s.damaged-%s", path, stamp);
    for (int i = 2; stat(rep->kept_as, &sb) == 0 && i < 100; i++)
        snprintf(rep->kept_as, sizeof rep->kept_as, "%s.damaged-%s-%d", path, stamp, i);
    if (move_aside(path, rep->kept_as, err, errlen))
        return -1;
    struct store *st;
    char e[STORE_ERRLEN];
    if (store_open(path, &st, e, sizeof e)) {
        snprintf(err, errlen, "cannot create a fresh database at %s: %s", path, e);
        put_back(path, rep->kept_as);
        return -1;
    }
    store_close(st);
    sqlite3 *old = NULL, *fresh = NULL;
    int rc = -1;
    if (sqlite3_open_v2(rep->kept_as, &old, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", rep->kept_as, old ? sqlite3_errmsg(old) : "out of memory");
    } else if (sqlite3_open_v2(path, &fresh, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", path, fresh ? sqlite3_errmsg(fresh) : "out of memory");
    } else {
        rc = copy_all(old, fresh, rep, err, errlen);
    }
    sqlite3_close(old);
    sqlite3_close(fresh);
    /* the fresh database's name (and its log's) survive a power cut */
    if (rc == 0 && atomic_file_sync_dir(path, err, errlen))
        rc = -1;
    if (rc)
        put_back(path, rep->kept_as);
    return rc;
}
