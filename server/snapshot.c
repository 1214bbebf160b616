/*
 * Catalog snapshots: built with a connection of their own (a read transaction on the
 * store's database, so the file is exactly the catalog as of one seq), compressed with
 * zstd and hashed on the way to disk.  A SQLite store is attached to that connection; a
 * PostgreSQL store's catalog is first copied into it in one repeatable-read transaction.
 * One build at a time per snapshot directory, across processes (a lock file), so server
 * processes sharing the directory build each catalog state once.
 */
#include "server/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "server/sql.h"

/* The till's catalog schema (assets/catalog-schema.sql, generated into the build). */
extern const char *const store_catalog_schema[];
#define SNAPSHOT_SCHEMA 2

static pthread_mutex_t fault_lock = PTHREAD_MUTEX_INITIALIZER;
static long faults_cut, faults_corrupt;

static int exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    snprintf(err, errlen, "snapshot: %s", msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return -1;
}

static int64_t query_i64(sqlite3 *db, const char *sql, int64_t arg)
{
    sqlite3_stmt *s;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(s, 1, arg);
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* The till's triggers keep its name index; during the bulk load they would index row by
 * row, so they are set aside and the index is built once at the end. */
static int load_catalog(sqlite3 *db, int64_t *cursor, int64_t *products, char *err, size_t errlen)
{
    char *triggers = NULL;
    sqlite3_stmt *s;
    int rc = -1;
    if (exec(db, store_catalog_schema[0], err, errlen))
        return -1;
    if (sqlite3_prepare_v2(db, "SELECT group_concat(sql, ';') || ';' FROM catalog.sqlite_schema WHERE type = 'trigger'",
                           -1, &s, NULL) != SQLITE_OK)
        goto out;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        /* their text names no schema: qualify it for this connection */
        size_t n = strlen(t) * 2 + 64;
        triggers = malloc(n);
        if (triggers) {
            size_t o = 0;
            for (const char *p = t; *p; p++) {
                if (strncmp(p, "CREATE TRIGGER ", 15) == 0) {
                    o += (size_t)snprintf(triggers + o, n - o, "CREATE TRIGGER catalog.");
                    p += 14;
                    continue;
                }
                triggers[o++] = *p;
            }
            triggers[o] = 0;
        }
    }
    sqlite3_finalize(s);
    if (!triggers) {
        snprintf(err, errlen, "snapshot: the catalog schema has no triggers");
        goto out;
    }
    if (exec(db, "DROP TRIGGER catalog.products_fts_ai; DROP TRIGGER catalog.products_fts_ad;"
                 " DROP TRIGGER catalog.products_fts_au;", err, errlen))
        goto out;
    *cursor = query_i64(db, "SELECT value FROM main.meta WHERE key = 'catalog_seq' AND ?1 = ?1", 0);
    if (exec(db, "INSERT INTO catalog.products (sku, name, price, unit, tax_class, age_restricted, active,"
                 " product_group, deposit_sku)"
                 " SELECT sku, name, price, unit, tax_class, age_restricted, active, product_group, deposit_sku"
                 " FROM main.products"
                 " WHERE NOT deleted ORDER BY sku;"
                 "INSERT INTO catalog.barcodes (code, product_id) SELECT b.code, p.id FROM main.barcodes b"
                 " JOIN catalog.products p ON p.sku = b.sku ORDER BY b.code;"
                 "INSERT INTO catalog.products_fts (products_fts) VALUES ('rebuild');", err, errlen) ||
        exec(db, triggers, err, errlen))
        goto out;
    *products = query_i64(db, "SELECT count(*) FROM catalog.products WHERE ?1 = ?1", 0);
    char meta[256];
    snprintf(meta, sizeof meta,
             "INSERT OR REPLACE INTO catalog.catalog_meta (key, value) VALUES ('cursor', '%lld'),"
             " ('products', '%lld'), ('name_index', 'ready'); PRAGMA catalog.user_version = %d;",
             (long long)*cursor, (long long)*products, SNAPSHOT_SCHEMA);
    rc = exec(db, meta, err, errlen);
out:
    free(triggers);
    return rc;
}

/* Compresses raw into zst (checksummed frame), hashing what is written. */
static int compress_file(const char *raw, const char *zst, int level, struct snapshot_file *f, char *err,
                         size_t errlen)
{
    FILE *in = fopen(raw, "rb"), *out = fopen(zst, "wb");
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    size_t in_cap = ZSTD_CStreamInSize(), out_cap = ZSTD_CStreamOutSize();
    unsigned char *ib = malloc(in_cap), *ob = malloc(out_cap);
    crypto_hash_sha256_state sha;
    int rc = -1;
    if (!in || !out || !cc || !ib || !ob) {
        snprintf(err, errlen, "snapshot: cannot compress: %s", strerror(errno));
        goto out;
    }
    crypto_hash_sha256_init(&sha);
    ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
    f->raw_bytes = f->bytes = 0;
    for (;;) {
        size_t n = fread(ib, 1, in_cap, in);
        int last = n < in_cap;
        f->raw_bytes += (int64_t)n;
        ZSTD_inBuffer ibuf = { ib, n, 0 };
        int finished;
        do {
            ZSTD_outBuffer obuf = { ob, out_cap, 0 };
            size_t left = ZSTD_compressStream2(cc, &obuf, &ibuf, last ? ZSTD_e_end : ZSTD_e_continue);
            if (ZSTD_isError(left)) {
                snprintf(err, errlen, "snapshot: zstd: %s", ZSTD_getErrorName(left));
                goto out;
            }
            if (fwrite(ob, 1, obuf.pos, out) != obuf.pos) {
                snprintf(err, errlen, "snapshot: cannot write %s: %s", zst, strerror(errno));
                goto out;
            }
            crypto_hash_sha256_update(&sha, ob, obuf.pos);
            f->bytes += (int64_t)obuf.pos;
            finished = last ? left == 0 : ibuf.pos == ibuf.size;
        } while (!finished);
        if (last)
            break;
    }
    if (ferror(in) || fflush(out) != 0 || fsync(fileno(out)) != 0) {
        snprintf(err, errlen, "snapshot: cannot write %s: %s", zst, strerror(errno));
        goto out;
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&sha, digest);
    sodium_bin2hex(f->sha256, sizeof f->sha256, digest, sizeof digest);
    rc = 0;
out:
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        rc = -1;
    ZSTD_freeCCtx(cc);
    free(ib);
    free(ob);
    return rc;
}

static void remove_others(const char *db_path, const char *keep)
{
    char pattern[4200];
    glob_t g;
    snprintf(pattern, sizeof pattern, "%s.snapshot-*.zst", db_path);
    if (glob(pattern, GLOB_NOSORT, NULL, &g) != 0)
        return;
    for (size_t i = 0; i < g.gl_pathc; i++)
        if (strcmp(g.gl_pathv[i], keep) != 0)
            unlink(g.gl_pathv[i]);
    globfree(&g);
}

static int write_info(const char *db_path, const struct snapshot_file *f)
{
    char path[4200], tmp[4300];
    snprintf(path, sizeof path, "%s.snapshot.json", db_path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *o = fopen(tmp, "w");
    if (!o)
        return -1;
    fprintf(o, "%s %s %lld %lld %lld %lld\n", f->name, f->sha256, (long long)f->cursor, (long long)f->products,
            (long long)f->bytes, (long long)f->raw_bytes);
    if (fflush(o) != 0 || fsync(fileno(o)) != 0) {
        fclose(o);
        return -1;
    }
    fclose(o);
    return rename(tmp, path);
}

static int read_info(const char *db_path, struct snapshot_file *f)
{
    char path[4200];
    snprintf(path, sizeof path, "%s.snapshot.json", db_path);
    FILE *in = fopen(path, "r");
    if (!in)
        return -1;
    long long c, p, b, r;
    int n = fscanf(in, "%95s %64s %lld %lld %lld %lld", f->name, f->sha256, &c, &p, &b, &r);
    fclose(in);
    if (n != 6)
        return -1;
    f->cursor = c, f->products = p, f->bytes = b, f->raw_bytes = r;
    return 0;
}

/* Copies the store's live catalog (another backend's) into this connection's main
 * database, shaped as a SQLite store's tables, for load_catalog. */
static int stage_catalog(sqlite3 *db, struct sdb *store, char *err, size_t errlen)
{
    struct sql_conn *c = sdb_conn(store);
    sqlite3_stmt *ins = NULL;
    struct sql_stmt *q = NULL;
    int rc = -1, qrc = SQL_ERR;
    if (exec(db, "CREATE TABLE main.meta(key TEXT PRIMARY KEY, value INTEGER);"
                 " CREATE TABLE main.products(sku TEXT, name TEXT, price INTEGER, unit TEXT, tax_class TEXT,"
                 " age_restricted INTEGER, active INTEGER, product_group TEXT, deposit_sku TEXT, deleted INTEGER);"
                 " CREATE TABLE main.barcodes(code TEXT, sku TEXT);", err, errlen))
        return -1;
    if (sql_exec(c, sql_dialect(c, "BEGIN", "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")) != SQL_DONE)
        goto db_error;
    static const struct {
        const char *from, *to;
        int ncols;
    } copies[] = {
        { "SELECT key, value FROM meta WHERE key = 'catalog_seq'", "INSERT INTO main.meta VALUES(?1, ?2)", 2 },
        { "SELECT sku, name, price, unit, tax_class, age_restricted, active, product_group, deposit_sku, 0"
          " FROM products WHERE deleted = 0",
          "INSERT INTO main.products VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", 10 },
        { "SELECT b.code, b.sku FROM barcodes b JOIN products p ON p.sku = b.sku WHERE p.deleted = 0",
          "INSERT INTO main.barcodes VALUES(?1, ?2)", 2 },
    };
    for (size_t k = 0; k < sizeof copies / sizeof copies[0]; k++) {
        if (!(q = sql_prepare(c, copies[k].from)) ||
            sqlite3_prepare_v2(db, copies[k].to, -1, &ins, NULL) != SQLITE_OK)
            goto db_error;
        while ((qrc = sql_step(q)) == SQL_ROW) {
            for (int i = 0; i < copies[k].ncols; i++)
                sqlite3_bind_text(ins, i + 1, sql_text(q, i), -1, SQLITE_TRANSIENT);
            if (sqlite3_step(ins) != SQLITE_DONE)
                goto db_error;
            sqlite3_reset(ins);
        }
        if (qrc != SQL_DONE)
            goto db_error;
        sql_finalize(q);
        sqlite3_finalize(ins);
        q = NULL;
        ins = NULL;
    }
    /* columns came as text: numbers back to integers, as the till's schema wants them */
    rc = exec(db, "UPDATE main.products SET price = CAST(price AS INTEGER),"
                  " age_restricted = CAST(age_restricted AS INTEGER), active = CAST(active AS INTEGER);"
                  " UPDATE main.meta SET value = CAST(value AS INTEGER);", err, errlen);
    goto out;
db_error:
    snprintf(err, errlen, "snapshot: %s / %s", sql_errmsg(c), sqlite3_errmsg(db));
out:
    sql_finalize(q);
    sqlite3_finalize(ins);
    sql_rollback(c);
    return rc;
}

/* The lock every builder of one snapshot directory takes (an fd to close), or -1. */
static int build_lock(const char *prefix)
{
    char path[4200];
    snprintf(path, sizeof path, "%s.snapshot.lock", prefix);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0 && flock(fd, LOCK_EX) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static int build(struct sdb *store, const char *db_path, const char *prefix, int level,
                 struct snapshot_file *out, char *err, size_t errlen)
{
    char raw[4200], zst[4300];
    sqlite3 *db = NULL;
    int rc = -1;
    int staged = strcmp(sdb_backend(store), "sqlite") != 0;
    memset(out, 0, sizeof *out);
    snprintf(raw, sizeof raw, "%s.snapshot-build.db", prefix);
    unlink(raw);
    struct stat sb;
    /* CREATE lets ATTACH make the new file; the store's database must exist already */
    if (staged ? sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK
               : stat(db_path, &sb) != 0 ||
                 sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "snapshot: cannot open %s", staged ? "a staging database" : db_path);
        goto out;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "ATTACH DATABASE ?1 AS catalog", -1, &s, NULL) != SQLITE_OK)
        goto db_error;
    sqlite3_bind_text(s, 1, raw, -1, SQLITE_STATIC);
    int arc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (arc != SQLITE_DONE)
        goto db_error;
    /* a file being built needs no journal: a failed build is thrown away */
    if (exec(db, "PRAGMA catalog.journal_mode = OFF; PRAGMA catalog.synchronous = OFF;"
                 " PRAGMA catalog.cache_size = -200000; BEGIN", err, errlen))
        goto out;
    if ((staged && stage_catalog(db, store, err, errlen)) ||
        load_catalog(db, &out->cursor, &out->products, err, errlen)) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        goto out;
    }
    /* merged into one segment, the index takes a till's first changes without a
     * crisis merge; in WAL mode already, the till opens it without a journal switch */
    if (exec(db, "INSERT INTO catalog.products_fts (products_fts) VALUES ('optimize'); COMMIT;"
                 " PRAGMA catalog.journal_mode = WAL; DETACH DATABASE catalog", err, errlen))
        goto out;
    snprintf(zst, sizeof zst, "%s.snapshot-build.zst", prefix);
    if (compress_file(raw, zst, level, out, err, errlen))
        goto out;
    snprintf(out->name, sizeof out->name, "%lld-%.16s.zst", (long long)out->cursor, out->sha256);
    char final[4300];
    snprintf(final, sizeof final, "%s.snapshot-%s", prefix, out->name);
    if (rename(zst, final) != 0 || write_info(prefix, out) != 0) {
        snprintf(err, errlen, "snapshot: cannot put %s in place: %s", final, strerror(errno));
        goto out;
    }
    remove_others(prefix, final);
    rc = 0;
    goto out;
db_error:
    snprintf(err, errlen, "snapshot: %s", sqlite3_errmsg(db));
out:
    sqlite3_close(db);
    unlink(raw);
    return rc;
}

int snapshot_build(struct sdb *store, const char *db_path, const char *prefix, int level,
                   struct snapshot_file *out, char *err, size_t errlen)
{
    int lock = build_lock(prefix);
    if (lock < 0) {
        snprintf(err, errlen, "snapshot: cannot lock %s.snapshot.lock: %s", prefix, strerror(errno));
        return -1;
    }
    int rc = build(store, db_path, prefix, level, out, err, errlen);
    close(lock);
    return rc;
}

int snapshot_prefix(const char *db_target, const char *dir, char *out, size_t len, char *err, size_t errlen)
{
    if (dir && *dir) {
        snprintf(out, len, "%s/catalog", dir);
        return 0;
    }
    if (sql_is_url(db_target)) {
        snprintf(err, errlen, "a postgresql:// database needs --snapshot-dir DIR (a directory every"
                 " server process shares, for catalog snapshots)");
        return -1;
    }
    snprintf(out, len, "%s", db_target);
    return 0;
}

static int64_t products_after(struct sdb *store, int64_t seq)
{
    int64_t n = -1;
    return sql_query_int(sdb_conn(store), "SELECT count(*) FROM products WHERE seq > ?1", &n, 1, &seq) == SQL_ROW
               ? n : -1;
}

int snapshot_answer(struct sdb *store, const char *db_path, const char *prefix, int64_t since,
                    int64_t min_changes, struct strbuf *out, char *err, size_t errlen)
{
    int64_t behind = products_after(store, since);
    if (behind < 0) {
        snprintf(err, errlen, "snapshot: %s", sdb_errmsg(store));
        return -1;
    }
    if (behind == 0 || (since > 0 && behind < min_changes)) {
        strbuf_puts(out, "{\"snapshot\":null,\"behind\":");
        strbuf_int(out, behind);
        strbuf_puts(out, "}");
        return 0;
    }
    struct snapshot_file f;
    int lock = build_lock(prefix);
    if (lock < 0) {
        snprintf(err, errlen, "snapshot: cannot lock %s.snapshot.lock: %s", prefix, strerror(errno));
        return -1;
    }
    /* the newest snapshot serves while the catalog has not moved on by min_changes since */
    int fresh = read_info(prefix, &f) == 0 && f.cursor > since;
    if (fresh) {
        int64_t moved = products_after(store, f.cursor);
        fresh = moved >= 0 && moved < min_changes;
    }
    if (fresh) {
        char path[4300];
        snprintf(path, sizeof path, "%s.snapshot-%s", prefix, f.name);
        fresh = access(path, R_OK) == 0;
    }
    int built = fresh ? 0 : build(store, db_path, prefix, 3, &f, err, errlen);
    close(lock);
    if (built)
        return -1;
    strbuf_puts(out, "{\"snapshot\":{\"format\":\"sqlite3+zstd\",\"schema\":");
    strbuf_int(out, SNAPSHOT_SCHEMA);
    strbuf_puts(out, ",\"cursor\":");
    strbuf_int(out, f.cursor);
    strbuf_puts(out, ",\"products\":");
    strbuf_int(out, f.products);
    strbuf_puts(out, ",\"bytes\":");
    strbuf_int(out, f.bytes);
    strbuf_puts(out, ",\"raw_bytes\":");
    strbuf_int(out, f.raw_bytes);
    strbuf_puts(out, ",\"sha256\":");
    strbuf_json_string(out, f.sha256);
    strbuf_puts(out, ",\"url\":");
    char url[160];
    snprintf(url, sizeof url, "/v1/catalog/snapshot/%s", f.name);
    strbuf_json_string(out, url);
    strbuf_puts(out, "},\"behind\":");
    strbuf_int(out, behind);
    strbuf_puts(out, "}");
    return 0;
}

int snapshot_open(const char *prefix, const char *name, int64_t *size)
{
    size_t n = strlen(name);
    if (n < 6 || n > 90 || strspn(name, "0123456789abcdef-.zst") != n || strstr(name, "..") ||
        strcmp(name + n - 4, ".zst") != 0)
        return -1;
    char path[4300];
    snprintf(path, sizeof path, "%s.snapshot-%s", prefix, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *size = sb.st_size;
    return fd;
}

int snapshot_faults_init(const char *spec)
{
    long cut = 0, corrupt = 0;
    if (spec && *spec && sscanf(spec, "cut=%ld,corrupt=%ld", &cut, &corrupt) < 1 &&
        sscanf(spec, "corrupt=%ld", &corrupt) != 1)
        return -1;
    faults_cut = cut;
    faults_corrupt = corrupt;
    return 0;
}

void snapshot_faults_take(int *cut, int *corrupt)
{
    pthread_mutex_lock(&fault_lock);
    *cut = faults_cut > 0;
    if (*cut)
        faults_cut--;
    *corrupt = !*cut && faults_corrupt > 0;
    if (*corrupt)
        faults_corrupt--;
    pthread_mutex_unlock(&fault_lock);
}
