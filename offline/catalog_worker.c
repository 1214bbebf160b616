/* The catalog's writer thread (see the header). */
#include "offline/catalog_worker.h"
#include "offline/json_num.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "offline/sync_rows.h"
#include "src/catalog.h"
#include "src/catalog_refused.h"
#include "src/loop.h"
#include "src/store.h"
#include "src/sync_rejects.h"

struct catalog_worker {
    struct loop *loop;
    char path[4096];
    catalog_worker_done_cb done;
    void *ctx;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    int running, stopping;
    struct catalog_job *pending, **pending_tail;   /* submitted, not started */
    struct catalog_job *finished, **finished_tail; /* for the loop */
    struct catalog_worker_stats stats;             /* under lock */
    int pipe[2];
    /* the thread's own */
    struct store *st;
    int64_t queued;                                /* rows in the queue table */
};

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---------------------------------------------------------------- a row --- */

static const char *json_str(const cJSON *o, const char *name, size_t maxlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) > maxlen)
        return NULL;
    return v->valuestring;
}

int catalog_worker_stage_row(struct store *st, const cJSON *c)
{
    const char *unit = json_str(c, "unit", 8);
    const cJSON *active = cJSON_GetObjectItemCaseSensitive(c, "active");
    struct catalog_change ch = {
        .sku = json_str(c, "sku", 64),
        .deleted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "deleted")),
        .name = json_str(c, "name", 200),
        .unit = unit && strcmp(unit, "kg") == 0 ? UNIT_KG : UNIT_EACH,
        .tax_class = json_str(c, "tax_class", 16),
        .age_restricted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "age_restricted")),
        .active = active ? cJSON_IsTrue(active) : 1,
        .group = json_str(c, "group", 31),
        .deposit_sku = json_str(c, "deposit_sku", 31),
    };
    int64_t min_age = 0;
    json_num_field(c, "min_age", 2, 99, &min_age);  /* a miss leaves it 0 */
    if (ch.age_restricted && min_age)
        ch.age_restricted = (int)min_age;
    json_num_field(c, "price", 0, SYNC_ROW_PRICE_MAX, &ch.price);
    if (catalog_stage_product(st, &ch))
        return -1;
    if (ch.deleted)
        return 0;
    const cJSON *b;
    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(c, "barcodes")) {
        if (catalog_stage_barcode(st, ch.sku, b->valuestring))
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ the thread --- */

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A valid version of key was applied: queued for the loop when an older one of it was
 * refused (open in sync_rejects, or still in the queue). */
static int note_applied(struct catalog_worker *w, struct catalog_job *j, const char *key, int64_t seq)
{
    const char *k = key;
    int refused = j->all_keys || (j->nkeys && bsearch(&k, j->keys, j->nkeys, sizeof *j->keys, key_cmp));
    if (!refused && w->queued > 0 && catalog_refused_has_park(w->st, key, &refused))
        return -1;
    if (!refused)
        return 0;
    if (catalog_refused_add(w->st, CATALOG_REFUSED_APPLIED, seq, key, NULL, NULL, j->now))
        return -1;
    w->queued++;
    return 0;
}

static int refuse(struct catalog_worker *w, struct catalog_job *j, const cJSON *c, int64_t seq, const char *key,
                  const char *why)
{
    char *raw = cJSON_PrintUnformatted(c);
    int rc = catalog_refused_add(w->st, CATALOG_REFUSED_PARK, seq, key, why, raw ? raw : "", j->now);
    cJSON_free(raw);
    if (rc)
        return -1;
    w->queued++;
    j->refused++;
    return 0;
}

static int note_applied_all(struct catalog_worker *w, struct catalog_job *j)
{
    char key[SYNC_REJECT_KEY_MAX], why[200];
    int64_t seq;
    if (!j->all_keys && !j->nkeys && w->queued <= 0)
        return 0; /* the usual case: nothing refused before */
    for (const cJSON *c = j->first; c; c = c->next)
        if (!sync_row_check(SYNC_ROW_CATALOG, c, &seq, key, sizeof key, why, sizeof why) &&
            note_applied(w, j, key, seq))
            return -1;
    return 0;
}

/* The staged rows went in set-wise, unless the database refused that because of one row:
 * then they are applied one by one, each behind a savepoint, to refuse that row alone. */
static int apply_staged(struct catalog_worker *w, struct catalog_job *j)
{
    struct store *st = w->st;
    if (store_savepoint(st, "page"))
        return -1;
    if (catalog_stage_apply(st, j->now) == STORE_OK)
        return store_release(st, "page") || note_applied_all(w, j) ? -1 : 0;
    store_rollback_to(st, "page");
    if (!store_row_failed(st))
        return -1;
    char key[SYNC_REJECT_KEY_MAX], why[300];
    int64_t seq;
    for (const cJSON *c = j->first; c; c = c->next) {
        if (sync_row_check(SYNC_ROW_CATALOG, c, &seq, key, sizeof key, why, sizeof why))
            continue; /* queued already */
        if (store_savepoint(st, "row"))
            return -1;
        if (catalog_stage_begin(st) == STORE_OK && catalog_worker_stage_row(st, c) == 0 &&
            catalog_stage_apply(st, j->now) == STORE_OK) {
            if (store_release(st, "row") || note_applied(w, j, key, seq))
                return -1;
            continue;
        }
        store_rollback_to(st, "row");
        if (!store_row_failed(st))
            return -1;
        snprintf(why, sizeof why, "could not be stored: %s", store_errmsg(st));
        if (refuse(w, j, c, seq, key, why))
            return -1;
    }
    return 0;
}

/* One page, inside the batch's transaction. */
static int apply_job(struct catalog_worker *w, struct catalog_job *j)
{
    char key[SYNC_REJECT_KEY_MAX], why[300];
    int64_t seq;
    if (catalog_stage_begin(w->st))
        return -1;
    for (const cJSON *c = j->first; c; c = c->next) {
        j->rows++;
        int rc = sync_row_check(SYNC_ROW_CATALOG, c, &seq, key, sizeof key, why, sizeof why)
                     ? refuse(w, j, c, seq, key, why)
                     : catalog_worker_stage_row(w->st, c);
        if (rc)
            return -1;
    }
    if (apply_staged(w, j))
        return -1;
    return j->set_cursor ? catalog_set_cursor(w->st, j->cursor) : 0;
}

static int open_store(struct catalog_worker *w, char *err, size_t len)
{
    if (w->st)
        return 0;
    if (store_open_catalog(w->path, &w->st, err, len))
        return -1;
    if (catalog_writer_open(w->st) || catalog_refused_open(w->st) || catalog_refused_count(w->st, &w->queued)) {
        snprintf(err, len, "catalog writer: %s", store_errmsg(w->st));
        store_close(w->st);
        w->st = NULL;
        return -1;
    }
    return 0;
}

/* The jobs taken together, as one transaction: all of them or none. */
static void run_batch(struct catalog_worker *w, struct catalog_job *jobs)
{
    char err[256] = "";
    int64_t t0 = mono_us();
    int64_t drained = 0;
    for (struct catalog_job *j = jobs; j; j = j->next)
        if (j->drained_upto > drained)
            drained = j->drained_upto;
    int rc = open_store(w, err, sizeof err);
    if (!rc && (rc = store_begin(w->st, STORE_TX_PLAIN)) == 0) {
        if (drained > 0) {
            int64_t n = 0;
            rc = catalog_refused_delete_upto(w->st, drained);
            if (!rc)
                rc = catalog_refused_count(w->st, &n);
            w->queued = n;
        }
        for (struct catalog_job *j = jobs; j && !rc; j = j->next)
            rc = apply_job(w, j);
        if (rc)
            store_rollback(w->st);
        else
            rc = store_commit(w->st);
        if (rc) {
            snprintf(err, sizeof err, "%s", store_errmsg(w->st));
            catalog_refused_count(w->st, &w->queued);
        }
    }
    int64_t took = mono_us() - t0;
    int64_t rows = 0;
    for (struct catalog_job *j = jobs; j; j = j->next) {
        cJSON_Delete(j->doc); /* a page's worth of frees: here, not on the loop */
        j->doc = NULL;
        j->first = NULL;
        j->rc = rc ? -1 : 0;
        j->queued = w->queued;
        j->apply_us = took;
        rows += j->rows;
        if (rc) {
            snprintf(j->err, sizeof j->err, "%s", err[0] ? err : "the catalog could not be written");
            j->refused = 0;
        }
    }
    char wal[4200];
    struct stat sb;
    snprintf(wal, sizeof wal, "%s-wal", w->path);
    int64_t wal_bytes = stat(wal, &sb) == 0 ? (int64_t)sb.st_size : 0;
    pthread_mutex_lock(&w->lock);
    if (wal_bytes > w->stats.wal_max_bytes)
        w->stats.wal_max_bytes = wal_bytes;
    w->stats.batches++;
    w->stats.rows += rows;
    w->stats.busy_us += took;
    if (took > w->stats.longest_batch_us)
        w->stats.longest_batch_us = took;
    pthread_mutex_unlock(&w->lock);
}

/* The connection's figures join the thread's before it closes. */
static void close_store(struct catalog_worker *w)
{
    struct catalog_writer_cost c;
    int64_t hits, misses, writes, spills;
    catalog_writer_cost(w->st, &c);
    store_cache_status(w->st, &hits, &misses, &writes, &spills);
    store_close(w->st);
    w->st = NULL;
    pthread_mutex_lock(&w->lock);
    w->stats.vm_steps += c.vm_steps;
    w->stats.fullscan_steps += c.fullscan_steps;
    w->stats.sorts += c.sorts;
    w->stats.cache_hits += hits;
    w->stats.cache_misses += misses;
    w->stats.cache_writes += writes;
    w->stats.cache_spills += spills;
    pthread_mutex_unlock(&w->lock);
}

static void *worker_thread(void *arg)
{
    struct catalog_worker *w = arg;
    /* a batch job for the scheduler: it never preempts the loop when the loop wakes for a
     * key, and takes what CPU is left (as much as any other program, so a delta on a
     * busy single core is not starved) */
    struct sched_param sp = { 0 };
    pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->pending && !w->stopping)
            pthread_cond_wait(&w->wake, &w->lock);
        if (w->stopping)
            break;
        struct catalog_job *jobs = w->pending;
        w->pending = NULL;
        w->pending_tail = &w->pending;
        pthread_mutex_unlock(&w->lock);
        run_batch(w, jobs);
        pthread_mutex_lock(&w->lock);
        if (!w->pending && w->st) {
            /* out of pages: the file is free for a snapshot's swap; the loop learns of
             * the last page only after this */
            pthread_mutex_unlock(&w->lock);
            close_store(w);
            pthread_mutex_lock(&w->lock);
        }
        *w->finished_tail = jobs;
        while (*w->finished_tail)
            w->finished_tail = &(*w->finished_tail)->next;
        /* the loop is woken only after the lock is free: woken first, it would preempt this
         * thread holding the lock, and then wait for it behind every other program */
        pthread_mutex_unlock(&w->lock);
        ssize_t n = write(w->pipe[1], "d", 1);
        (void)n; /* a full pipe already wakes the loop */
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    if (w->st)
        close_store(w);
    return NULL;
}

/* ------------------------------------------------------------- the loop --- */

static void on_finished(struct loop *loop, int fd, short revents, void *ctx)
{
    struct catalog_worker *w = ctx;
    (void)loop;
    (void)revents;
    char buf[64];
    while (read(fd, buf, sizeof buf) > 0)
        ;
    pthread_mutex_lock(&w->lock);
    struct catalog_job *jobs = w->finished;
    w->finished = NULL;
    w->finished_tail = &w->finished;
    pthread_mutex_unlock(&w->lock);
    while (jobs) {
        struct catalog_job *j = jobs;
        jobs = j->next;
        j->next = NULL;
        w->done(w->ctx, j);
    }
}

struct catalog_worker *catalog_worker_new(struct loop *loop, const char *catalog_path, catalog_worker_done_cb done,
                                          void *ctx)
{
    struct catalog_worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    if (snprintf(w->path, sizeof w->path, "%s", catalog_path) >= (int)sizeof w->path ||
        pipe2(w->pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        free(w);
        return NULL;
    }
    w->loop = loop;
    w->done = done;
    w->ctx = ctx;
    w->pending_tail = &w->pending;
    w->finished_tail = &w->finished;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    if (loop_watch_fd(loop, w->pipe[0], POLLIN, on_finished, w) != 0) {
        catalog_worker_free(w);
        return NULL;
    }
    return w;
}

int catalog_worker_submit(struct catalog_worker *w, struct catalog_job *job)
{
    pthread_mutex_lock(&w->lock);
    if (!w->running) {
        w->stopping = 0;
        w->running = pthread_create(&w->thread, NULL, worker_thread, w) == 0;
    }
    if (!w->running) {
        pthread_mutex_unlock(&w->lock);
        return -1;
    }
    job->next = NULL;
    *w->pending_tail = job;
    w->pending_tail = &job->next;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    return 0;
}

void catalog_worker_get_stats(struct catalog_worker *w, struct catalog_worker_stats *out)
{
    pthread_mutex_lock(&w->lock);
    *out = w->stats;
    pthread_mutex_unlock(&w->lock);
}

void catalog_job_free(struct catalog_job *job)
{
    if (!job)
        return;
    cJSON_Delete(job->doc);
    for (size_t i = 0; i < job->nkeys; i++)
        free(job->keys[i]);
    free(job->keys);
    free(job);
}

static void free_list(struct catalog_job *j)
{
    while (j) {
        struct catalog_job *next = j->next;
        catalog_job_free(j);
        j = next;
    }
}

void catalog_worker_free(struct catalog_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    int running = w->running;
    w->stopping = 1;
    free_list(w->pending);
    w->pending = NULL;
    w->pending_tail = &w->pending;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    if (running)
        pthread_join(w->thread, NULL);
    free_list(w->finished);
    loop_unwatch_fd(w->loop, w->pipe[0]);
    close(w->pipe[0]);
    close(w->pipe[1]);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    free(w);
}
