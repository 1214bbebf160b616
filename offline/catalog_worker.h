/* The catalog's writer: a thread with its own connection to the catalog file applies the
 * server's catalog pages (deltas), so that nothing sized by a page runs on the loop.  The
 * loop hands over a parsed page and goes on; the thread checks each row
 * (offline/sync_rows.c), stages the good ones and applies them set-wise with the page's
 * cursor in one transaction (two pages waiting: one transaction for both), and queues the
 * rows it refused in the catalog file itself (src/catalog_refused.c), so no transaction
 * spans the catalog and the main database.  When the transaction has committed, the
 * loop is told (a callback from the loop, per page, in order) and carries the queued rows
 * into sync_rejects.  The loop's handle meanwhile has the catalog attached read-only
 * (store_catalog_read_only): it reads a consistent catalog (WAL) and cannot write it.
 * The thread closes its connection whenever it runs out of pages (a snapshot can then
 * replace the file). */
#ifndef TILL_CATALOG_WORKER_H
#define TILL_CATALOG_WORKER_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct store;
struct catalog_worker;

struct catalog_job {
    struct catalog_job *next;
    uint64_t tag;               /* the caller's, untouched */
    /* in: the page (the job owns doc; the thread frees it), rows from first to the end */
    cJSON *doc;
    const cJSON *first;
    int set_cursor;             /* write cursor with the page (0: a reconcile pass) */
    int64_t cursor;
    int64_t now;                /* updated_at, refused_at */
    /* keys of refused catalog rows still open in sync_rejects (sorted, owned by the job):
     * a valid version of one applied is queued so the loop settles it; all_keys: every
     * applied row is (too many open to list) */
    char **keys;
    size_t nkeys;
    int all_keys;
    int64_t drained_upto;       /* the queue's rows up to this id are in sync_rejects: delete them */
    /* out */
    int rc;                     /* 0, or < 0: nothing of the batch was written (err says why) */
    char err[256];
    int64_t rows;               /* rows of the page taken: applied or refused */
    int64_t refused;            /* of them refused (queued for the loop) */
    int64_t queued;             /* rows in the queue after the commit (parks and settles) */
    int64_t apply_us;           /* the thread's time for its batch (shared by its pages) */
};

/* Called on the loop for every job submitted, in order, after its batch committed or
 * failed; the callee frees the job (catalog_job_free). */
typedef void (*catalog_worker_done_cb)(void *ctx, struct catalog_job *job);

/* The thread starts with the first job.  NULL when out of memory. */
struct catalog_worker *catalog_worker_new(struct loop *loop, const char *catalog_path, catalog_worker_done_cb done,
                                          void *ctx);
/* Takes job (and its doc) on success (0); -1 when no thread could start (the caller keeps
 * the job). */
int catalog_worker_submit(struct catalog_worker *w, struct catalog_job *job);
/* Waits for the batch under way, drops the jobs not started (their callbacks never come)
 * and ends the thread. */
void catalog_worker_free(struct catalog_worker *w);
void catalog_job_free(struct catalog_job *job);

struct catalog_worker_stats {
    int64_t batches, rows;
    int64_t busy_us;            /* in transactions, on the thread */
    int64_t longest_batch_us;
    /* where the time goes, summed over the thread's connections (each lasts while it has
     * pages): the writer's statements' virtual machine steps, full-scan steps and sorts;
     * the page cache's hits, misses, pages written and spilled before a commit; the
     * catalog's write-ahead log at its largest after a commit */
    int64_t vm_steps, fullscan_steps, sorts;
    int64_t cache_hits, cache_misses, cache_writes, cache_spills;
    int64_t wal_max_bytes;
};
void catalog_worker_get_stats(struct catalog_worker *w, struct catalog_worker_stats *out);

/* One catalog row of a page as a staged change (src/catalog.h), for any writer of pages. */
int catalog_worker_stage_row(struct store *st, const cJSON *row);

#endif
