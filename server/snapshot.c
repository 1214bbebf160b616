/*
 * Catalog snapshots: built with a connection of their own (a read transaction on the
 * store's database, so the file is exactly the catalog as of one seq), compressed with
 * zstd and hashed on the way to disk.
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
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

/* The till's catalog schema (assets/catalog-schema.sql, generated into the build). */
extern const char *const store_catalog_schema[];
#define SNAPSHOT_SCHEMA 2

static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER;
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

int snapshot_build(const char *db_path, int level, struct snapshot_file *out, char *err, size_t errlen)
{
    char raw[4200], zst[4300];
    sqlite3 *db = NULL;
    int rc = -1;
    memset(out, 0, sizeof *out);
    snprintf(raw, sizeof raw, "%s.snapshot-build.db", db_path);
    unlink(raw);
    struct stat sb;
    /* CREATE lets ATTACH make the new file; the store's database must exist already */
    if (stat(db_path, &sb) != 0 ||
        sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "snapshot: cannot open %s", db_path);
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
    if (load_catalog(db, &out->cursor, &out->products, err, errlen)) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        goto out;
    }
    /* merged into one segment, the index takes a till's first changes without a
     * crisis merge; in WAL mode already, the till opens it without a journal switch */
    if (exec(db, "INSERT INTO catalog.products_fts (products_fts) VALUES ('optimize'); COMMIT;"
                 " PRAGMA catalog.journal_mode = WAL; DETACH DATABASE catalog", err, errlen))
        goto out;
    snprintf(zst, sizeof zst, "%s.snapshot-build.zst", db_path);
    if (compress_file(raw, zst, level, out, err, errlen))
        goto out;
    snprintf(out->name, sizeof out->name, "%lld-%.16s.zst", (long long)out->cursor, out->sha256);
    char final[4300];
    snprintf(final, sizeof final, "%s.snapshot-%s", db_path, out->name);
    if (rename(zst, final) != 0 || write_info(db_path, out) != 0) {
        snprintf(err, errlen, "snapshot: cannot put %s in place: %s", final, strerror(errno));
        goto out;
    }
    remove_others(db_path, final);
    rc = 0;
    goto out;
db_error:
    snprintf(err, errlen, "snapshot: %s", sqlite3_errmsg(db));
out:
    sqlite3_close(db);
    unlink(raw);
    return rc;
}

int snapshot_answer(const char *db_path, int64_t since, int64_t min_changes, struct strbuf *out, char *err,
                    size_t errlen)
{
    sqlite3 *db = NULL;
    int rc = -1;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "snapshot: cannot open %s", db_path);
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    int64_t behind = query_i64(db, "SELECT count(*) FROM products WHERE seq > ?1", since);
    int64_t seq = query_i64(db, "SELECT value FROM meta WHERE key = 'catalog_seq' AND ?1 = ?1", 0);
    if (behind < 0 || seq < 0) {
        snprintf(err, errlen, "snapshot: %s", sqlite3_errmsg(db));
        goto out;
    }
    if (behind == 0 || (since > 0 && behind < min_changes)) {
        strbuf_puts(out, "{\"snapshot\":null,\"behind\":");
        strbuf_int(out, behind);
        strbuf_puts(out, "}");
        rc = 0;
        goto out;
    }
    struct snapshot_file f;
    pthread_mutex_lock(&build_lock);
    /* the newest snapshot serves while the catalog has not moved on by min_changes since */
    int fresh = read_info(db_path, &f) == 0 &&
                query_i64(db, "SELECT count(*) FROM products WHERE seq > ?1", f.cursor) < min_changes &&
                f.cursor > since;
    if (fresh) {
        char path[4300];
        snprintf(path, sizeof path, "%s.snapshot-%s", db_path, f.name);
        fresh = access(path, R_OK) == 0;
    }
    int built = fresh ? 0 : snapshot_build(db_path, 3, &f, err, errlen);
    pthread_mutex_unlock(&build_lock);
    if (built)
        goto out;
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
    rc = 0;
out:
    sqlite3_close(db);
    return rc;
}

int snapshot_open(const char *db_path, const char *name, int64_t *size)
{
    size_t n = strlen(name);
    if (n < 6 || n > 90 || strspn(name, "0123456789abcdef-.zst") != n || strstr(name, "..") ||
        strcmp(name + n - 4, ".zst") != 0)
        return -1;
    char path[4300];
    snprintf(path, sizeof path, "%s.snapshot-%s", db_path, name);
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
