/* Catalog snapshot: download (resumable), hash + inflate in slices, verify, swap. */
#include "offline/snapshot.h"
#include "offline/json_num.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "offline/http.h"
#include "src/catalog.h"
#include "src/loop.h"
#include "src/store.h"

/* How much the loader reads at a time. */
#define READ_CHUNK (128 * 1024)

struct snapshot_load {
    struct loop *loop;
    struct http *http;
    struct store *st;
    struct snapshot_info info;
    char url[800];
    char part_path[4200], new_path[4200], catalog_path[4096];
    int part_fd, new_fd;
    uint64_t req, timer;
    int64_t pause_ms;
    struct snapshot_progress p;
    crypto_hash_sha256_state sha;
    ZSTD_DCtx *zd;
    unsigned char *in, *out;
    size_t out_cap;
    int64_t written, synced;
    int64_t loaded_at;          /* the thread's own count */
    int64_t loaded_shared;      /* the same, for the loop (atomic) */
    pthread_t thread;
    int thread_running, stop, result;
    int wake[2];                /* the thread's "done" to the loop */
    char why[200];
    snapshot_progress_cb progress;
    snapshot_done_cb done;
    void *ctx;
};

/* ------------------------------------------------------------------ parsing --- */

int snapshot_info_parse(const char *body, size_t len, struct snapshot_info *info, char *why, size_t whylen)
{
    memset(info, 0, sizeof *info);
    cJSON *j = cJSON_ParseWithLength(body, len);
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "snapshot");
    int rc = -1;
    if (!j || !s) {
        snprintf(why, whylen, "not a snapshot answer");
        goto out;
    }
    if (cJSON_IsNull(s)) {
        rc = 0;
        goto out;
    }
    const cJSON *sha = cJSON_GetObjectItemCaseSensitive(s, "sha256");
    const cJSON *url = cJSON_GetObjectItemCaseSensitive(s, "url");
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(s, "format");
    int64_t schema = 0;
    if (!cJSON_IsString(sha) || strlen(sha->valuestring) != 64 ||
        strspn(sha->valuestring, "0123456789abcdef") != 64) {
        snprintf(why, whylen, "snapshot: sha256 must be 64 lower-case hex digits");
        goto out;
    }
    if (!cJSON_IsString(url) || url->valuestring[0] != '/' || strlen(url->valuestring) >= sizeof info->url ||
        strspn(url->valuestring, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_.") !=
            strlen(url->valuestring)) {
        snprintf(why, whylen, "snapshot: url must be a plain path on the server");
        goto out;
    }
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "sqlite3+zstd") != 0) {
        snprintf(why, whylen, "snapshot: format must be sqlite3+zstd");
        goto out;
    }
    if (json_num_field(s, "cursor", 0, INT64_C(1) << 52, &info->cursor) ||
        json_num_field(s, "products", 0, INT64_C(1) << 40, &info->products) ||
        json_num_field(s, "bytes", 1, INT64_C(1) << 40, &info->bytes) ||
        json_num_field(s, "raw_bytes", 512, INT64_C(1) << 42, &info->raw_bytes) ||
        json_num_field(s, "schema", 1, 1000, &schema)) {
        snprintf(why, whylen, "snapshot: cursor, products, bytes, raw_bytes or schema missing or out of range");
        goto out;
    }
    info->schema = (int)schema;
    snprintf(info->sha256, sizeof info->sha256, "%s", sha->valuestring);
    snprintf(info->url, sizeof info->url, "%s", url->valuestring);
    rc = 1;
out:
    cJSON_Delete(j);
    return rc;
}

/* ------------------------------------------------------------------ loading --- */

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void note_slice(struct snapshot_load *l, int64_t t0)
{
    int64_t d = now_us() - t0;
    if (d > l->p.longest_slice_us)
        l->p.longest_slice_us = d;
}

static void close_fds(struct snapshot_load *l)
{
    if (l->wake[0] >= 0) {
        close(l->wake[0]);
        close(l->wake[1]);
    }
    l->wake[0] = l->wake[1] = -1;
    if (l->part_fd >= 0)
        close(l->part_fd);
    if (l->new_fd >= 0)
        close(l->new_fd);
    l->part_fd = l->new_fd = -1;
}

/* Ends the load: the callback may free l, so nothing touches it afterwards. */
static void finish(struct snapshot_load *l, int ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void finish(struct snapshot_load *l, int ok, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (l->timer)
        loop_cancel_timer(l->loop, l->timer);
    l->timer = 0;
    close_fds(l);
    unlink(l->new_path);
    l->p.stage = ok ? SNAPSHOT_DONE : SNAPSHOT_FAILED;
    l->done(l->ctx, ok, msg);
}

/* A snapshot that cannot be right is removed whole, so the next try starts over. */
static void refuse(struct snapshot_load *l, const char *why)
{
    unlink(l->part_path);
    finish(l, 0, "catalog snapshot refused: %s; the old catalog stays in use", why);
}

/* Writes the inflated bytes; the kernel starts writing them back at once, so the final
 * fdatasync has little left to do. */
static int write_out(struct snapshot_load *l, const void *buf, size_t n)
{
    for (size_t done = 0; done < n;) {
        ssize_t w = write(l->new_fd, (const char *)buf + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        done += (size_t)w;
    }
    l->written += (int64_t)n;
    if (l->written - l->synced >= (8 << 20)) {
        sync_file_range(l->new_fd, l->synced, l->written - l->synced, SYNC_FILE_RANGE_WRITE);
        l->synced = l->written;
    }
    return 0;
}

/* Hashes and inflates the next chunk of the .part file: 1 when it is all done, 0 for
 * more, -1 on error, -2 when the snapshot cannot be right (why filled). */
static int load_chunk(struct snapshot_load *l, char *why, size_t whylen)
{
    /* tests slow the load down (pause_ms) to catch it in the middle: small chunks then */
    ssize_t n = pread(l->part_fd, l->in, l->pause_ms ? 4096 : READ_CHUNK, (off_t)l->loaded_at);
    if (n < 0) {
        snprintf(why, whylen, "cannot read the download: %s", strerror(errno));
        return -1;
    }
    if (n == 0)
        return 1;
    crypto_hash_sha256_update(&l->sha, l->in, (unsigned long long)n);
    ZSTD_inBuffer in = { l->in, (size_t)n, 0 };
    while (in.pos < in.size) {
        ZSTD_outBuffer out = { l->out, l->out_cap, 0 };
        size_t r = ZSTD_decompressStream(l->zd, &out, &in);
        if (ZSTD_isError(r)) {
            snprintf(why, whylen, "it does not inflate (%s)", ZSTD_getErrorName(r));
            return -2;
        }
        if (l->written + (int64_t)out.pos > l->info.raw_bytes) {
            snprintf(why, whylen, "it inflates to more than the %lld bytes announced", (long long)l->info.raw_bytes);
            return -2;
        }
        if (out.pos && write_out(l, l->out, out.pos)) {
            snprintf(why, whylen, "cannot write the new catalog: %s", strerror(errno));
            return -1;
        }
    }
    l->loaded_at += n;
    __atomic_store_n(&l->loaded_shared, l->loaded_at, __ATOMIC_RELAXED);
    return 0;
}

/* The load runs on a thread of its own: hashing, inflating and writing 200 MB would
 * otherwise hold the loop (the kernel throttles a fast writer), and it touches nothing the
 * loop uses: its own fds, buffers, hash and zstd state.  It ends by writing one byte to a
 * pipe the loop watches; the loop then checks the file and swaps it in. */
static void *load_thread(void *arg)
{
    struct snapshot_load *l = arg;
    int rc;
    do {
        rc = load_chunk(l, l->why, sizeof l->why);
        if (rc == 0 && l->pause_ms) {
            struct timespec ts = { l->pause_ms / 1000, (l->pause_ms % 1000) * 1000000L };
            nanosleep(&ts, NULL);
        }
    } while (rc == 0 && !__atomic_load_n(&l->stop, __ATOMIC_RELAXED));
    if (rc == 1) {
        unsigned char digest[crypto_hash_sha256_BYTES];
        char hex[65];
        crypto_hash_sha256_final(&l->sha, digest);
        sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
        if (strcmp(hex, l->info.sha256) != 0) {
            snprintf(l->why, sizeof l->why, "its SHA-256 does not match (damaged in transit or on disk)");
            rc = -2;
        } else if (l->written != l->info.raw_bytes) {
            snprintf(l->why, sizeof l->why, "it inflates to another size than announced");
            rc = -2;
        } else if (fdatasync(l->new_fd) != 0) {
            snprintf(l->why, sizeof l->why, "cannot write the new catalog: %s", strerror(errno));
            rc = -1;
        } else {
            /* the detach on the loop then has no log to write back (a failure here only
             * leaves that work to the detach) */
            store_catalog_prepare_swap(l->catalog_path);
        }
    }
    l->result = rc;
    char one = 1;
    while (write(l->wake[1], &one, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

static void stop_thread(struct snapshot_load *l)
{
    if (!l->thread_running)
        return;
    __atomic_store_n(&l->stop, 1, __ATOMIC_RELAXED);
    pthread_join(l->thread, NULL);
    l->thread_running = 0;
    loop_unwatch_fd(l->loop, l->wake[0]);
}

static void *sync_dir_thread(void *arg)
{
    store_catalog_sync_dir(arg);
    free(arg);
    return NULL;
}

/* The rename is made durable off the loop (an fsync of the directory can take tens of
 * milliseconds); without a thread, on the loop. */
static void sync_dir_later(const char *catalog_path)
{
    pthread_t t;
    pthread_attr_t attr;
    char *copy = strdup(catalog_path);
    if (copy && pthread_attr_init(&attr) == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&t, &attr, sync_dir_thread, copy);
        pthread_attr_destroy(&attr);
        if (rc == 0)
            return;
    }
    free(copy);
    store_catalog_sync_dir(catalog_path);
}

/* Back on the loop: the file is whole and hashed; its own cursor must be right, then the
 * rename swaps it in. */
static void on_loaded(struct loop *loop, int fd, short revents, void *ctx)
{
    struct snapshot_load *l = ctx;
    (void)loop;
    (void)fd;
    (void)revents;
    stop_thread(l);
    int64_t t0 = now_us();
    if (l->result == -2) {
        refuse(l, l->why);
        return;
    }
    if (l->result != 1) {
        finish(l, 0, "catalog snapshot: %s", l->result ? l->why : "stopped");
        return;
    }
    close(l->new_fd);
    l->new_fd = -1;
    char why[200];
    if (catalog_file_check(l->new_path, l->info.schema, l->info.cursor, l->info.products, why, sizeof why)) {
        refuse(l, why);
        return;
    }
    int rc = store_catalog_swap(l->st, l->new_path);
    note_slice(l, t0);
    if (rc) {
        finish(l, 0, "cannot swap in the new catalog: %s", store_errmsg(l->st));
        return;
    }
    unlink(l->part_path);
    sync_dir_later(l->catalog_path);
    finish(l, 1, "catalog snapshot of %lld products (cursor %lld) in place", (long long)l->info.products,
           (long long)l->info.cursor);
}

/* While the thread works, the loop reports its progress ten times a second. */
static void on_load_progress(struct loop *loop, void *ctx)
{
    struct snapshot_load *l = ctx;
    (void)loop;
    l->p.loaded = __atomic_load_n(&l->loaded_shared, __ATOMIC_RELAXED);
    if (l->progress)
        l->progress(l->ctx);
    l->timer = loop_add_timer(l->loop, 100, on_load_progress, l);
}

static void start_load(struct snapshot_load *l)
{
    l->p.stage = SNAPSHOT_LOAD;
    l->new_fd = open(l->new_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    l->zd = l->zd ? l->zd : ZSTD_createDCtx();
    l->out_cap = ZSTD_DStreamOutSize();
    l->in = malloc(READ_CHUNK);
    l->out = malloc(l->out_cap);
    if (l->new_fd < 0 || !l->zd || !l->in || !l->out || pipe2(l->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        finish(l, 0, "catalog snapshot: cannot start loading: %s", l->new_fd < 0 ? strerror(errno) : "out of memory");
        return;
    }
    crypto_hash_sha256_init(&l->sha);
    if (loop_watch_fd(l->loop, l->wake[0], POLLIN, on_loaded, l) != 0 ||
        pthread_create(&l->thread, NULL, load_thread, l) != 0) {
        loop_unwatch_fd(l->loop, l->wake[0]);
        finish(l, 0, "catalog snapshot: cannot start loading");
        return;
    }
    l->thread_running = 1;
    l->timer = loop_add_timer(l->loop, 100, on_load_progress, l);
}

static void on_download_progress(void *ctx, int64_t file_bytes)
{
    struct snapshot_load *l = ctx;
    l->p.downloaded = file_bytes;
    if (l->progress)
        l->progress(l->ctx);
}

static void on_downloaded(void *ctx, const struct http_response *r)
{
    struct snapshot_load *l = ctx;
    l->req = 0;
    if (!r->transport_ok) {
        finish(l, 0, "catalog snapshot download stopped at byte %lld: %s (it goes on from there)",
               (long long)r->file_bytes, r->error);
        return;
    }
    if (r->status == 404 || r->status == 410 || r->status == 416) {
        /* superseded by a newer snapshot, or our part is not a prefix of it: start over */
        unlink(l->part_path);
        finish(l, 0, "catalog snapshot is gone from the server (HTTP %ld); asking again", r->status);
        return;
    }
    if (r->status != 200 && r->status != 206) {
        finish(l, 0, "catalog snapshot download: HTTP %ld", r->status);
        return;
    }
    l->p.downloaded = r->file_bytes;
    if (r->file_bytes != l->info.bytes) {
        char why[160];
        snprintf(why, sizeof why, "it is %lld bytes long, the server announced %lld", (long long)r->file_bytes,
                 (long long)l->info.bytes);
        refuse(l, why);
        return;
    }
    start_load(l);
}

/* Removes parts of other snapshots: only the one being fetched is worth resuming. */
static void remove_stale_parts(const char *catalog, const char *keep)
{
    char pattern[4200];
    glob_t g;
    snprintf(pattern, sizeof pattern, "%s.snapshot-*.part", catalog);
    if (glob(pattern, GLOB_NOSORT, NULL, &g) != 0)
        return;
    for (size_t i = 0; i < g.gl_pathc; i++)
        if (strcmp(g.gl_pathv[i], keep) != 0)
            unlink(g.gl_pathv[i]);
    globfree(&g);
}

static void on_first_slice(struct loop *loop, void *ctx)
{
    struct snapshot_load *l = ctx;
    (void)loop;
    l->timer = 0;
    if (l->p.downloaded == l->info.bytes) {
        /* downloaded before (a crash or a stop during the load): load it again */
        start_load(l);
        return;
    }
    l->p.stage = SNAPSHOT_DOWNLOAD;
    l->req = http_download(l->http, l->url, l->part_fd, l->p.downloaded, on_download_progress, on_downloaded, l);
    if (!l->req)
        finish(l, 0, "catalog snapshot: cannot start the download");
}

struct snapshot_load *snapshot_load_start(struct loop *loop, struct http *http, struct store *st,
                                          const char *base_url, const struct snapshot_info *info,
                                          int64_t pause_ms, snapshot_progress_cb progress,
                                          snapshot_done_cb done, void *ctx, char *err, size_t errlen)
{
    struct snapshot_load *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    l->loop = loop;
    l->http = http;
    l->st = st;
    l->info = *info;
    l->pause_ms = pause_ms;
    l->progress = progress;
    l->done = done;
    l->ctx = ctx;
    l->part_fd = l->new_fd = -1;
    l->wake[0] = l->wake[1] = -1;
    l->p.products = info->products;
    l->p.bytes = info->bytes;
    const char *cat = store_catalog_path(st);
    snprintf(l->url, sizeof l->url, "%s%s", base_url, info->url);
    snprintf(l->part_path, sizeof l->part_path, "%s.snapshot-%.16s.part", cat, info->sha256);
    snprintf(l->new_path, sizeof l->new_path, "%s.new", cat);
    snprintf(l->catalog_path, sizeof l->catalog_path, "%s", cat);
    if (info->schema != store_catalog_schema_version()) {
        snprintf(err, errlen, "catalog snapshot has schema %d, this Till reads %d", info->schema,
                 store_catalog_schema_version());
        free(l);
        return NULL;
    }
    remove_stale_parts(cat, l->part_path);
    l->part_fd = open(l->part_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    struct stat sb;
    if (l->part_fd < 0 || fstat(l->part_fd, &sb) != 0) {
        snprintf(err, errlen, "cannot open %s: %s", l->part_path, strerror(errno));
        snapshot_load_free(l);
        return NULL;
    }
    l->p.downloaded = sb.st_size;
    if (sb.st_size > info->bytes) {
        if (ftruncate(l->part_fd, 0) != 0) {
            snprintf(err, errlen, "cannot truncate %s: %s", l->part_path, strerror(errno));
            snapshot_load_free(l);
            return NULL;
        }
        l->p.downloaded = 0;
    }
    l->p.resumed_at = l->p.downloaded;
    l->timer = loop_add_timer(loop, 0, on_first_slice, l);
    return l;
}

void snapshot_load_free(struct snapshot_load *l)
{
    if (!l)
        return;
    if (l->req)
        http_cancel(l->http, l->req);
    if (l->timer)
        loop_cancel_timer(l->loop, l->timer);
    stop_thread(l);
    close_fds(l);
    if (l->p.stage == SNAPSHOT_LOAD)
        unlink(l->new_path);
    ZSTD_freeDCtx(l->zd);
    free(l->in);
    free(l->out);
    free(l);
}

void snapshot_load_progress(const struct snapshot_load *l, struct snapshot_progress *out)
{
    *out = l->p;
}
