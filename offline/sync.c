/* Sync with the central store: the native API (assets/store-api.yaml) or another commerce
 * backend, through the backend interface (offline/backend.h), which hands every answer
 * over in the native contract's shape.  Catalog snapshots are the native API's own.
 *
 * Push: the outbox drains oldest first in batches; per-order answers mark rows sent or park
 * them with the server's reason.  A transport error, 5xx, 429 or an answer we cannot read
 * changes nothing locally and retries with exponential backoff and jitter, or after the
 * server's Retry-After.  Because every order carries its idempotency key, resending after
 * an unknown outcome (connection closed after the server committed) is harmless.
 *
 * Pull: catalog, staff, then stock levels, by cursor, one page per request.  A page whose
 * envelope is wrong (no list, no cursor, a cursor that does not move) changes nothing and
 * is asked again later.  Otherwise a catalog page goes to the catalog's writer thread,
 * which applies it with its cursor in one transaction (offline/catalog_worker.c); the
 * other feeds' rows are applied on the loop in slices, each slice with the cursor in one
 * transaction, so a restart resumes after the last applied slice or page.  A row the
 * till cannot take (offline/sync_rows.c) or could not store is parked with its reason
 * (src/sync_rejects.c) and the rest goes on: one bad record never stops price changes.
 * At most two pages are held in memory (max_response_bytes bounds each), whatever the
 * catalog size. */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "offline/audit_doc.h"
#include "offline/backend.h"
#include "offline/catalog_worker.h"
#include "offline/feeds.h"
#include "offline/json_num.h"
#include "offline/http.h"
#include "offline/outbox.h"
#include "offline/snapshot.h"
#include "offline/sync.h"
#include "offline/sync_rows.h"
#include "src/catalog.h"
#include "src/catalog_refused.h"
#include "src/config.h"
#include "src/loop.h"
#include "src/pin.h"
#include "src/staff.h"
#include "src/stock.h"
#include "src/store.h"
#include "src/sync_rejects.h"

/* Promotions and customers follow stock: the same cursor paging (offline/feeds.c). */
enum pull_phase { PULL_CATALOG, PULL_STAFF, PULL_STOCK, PULL_PROMOTIONS, PULL_CUSTOMERS, PULL_RECONCILE };

#define MAX_BATCH 500
/* A slice takes rows for at most this long (see apply_slice_rows). */
#define SLICE_ROWS_US 1500

struct sync {
    struct loop *loop;
    struct store *store;
    struct backend *be;
    struct http *http;          /* the native API's catalog snapshots only (NULL otherwise) */
    struct sync_config cfg;
    sync_changed_cb changed;
    sync_log_cb log;
    void *ctx;
    struct sync_status st;
    struct sync_stats stats;
    uint64_t rng;

    /* push */
    uint64_t push_req, push_timer;
    int push_failures;
    int push_single;            /* the server refused a batch: find the order it refuses */
    enum outbox_kind push_kind;
    int64_t push_ids[MAX_BATCH];
    char (*push_keys)[128];
    struct backend_item *push_items;
    char **push_payloads;
    int push_n;

    /* pull */
    uint64_t pull_req, pull_timer;
    int pull_failures;
    enum pull_phase phase;
    int64_t pull_since;         /* cursor of the request in flight */
    int pull_http;              /* the request in flight is a snapshot question (s->http) */
    int64_t reconcile_due_ms;   /* the next full catalog check (a backend without tombstones) */

    /* an order looked up for a return */
    uint64_t order_req;
    sync_order_cb order_cb;
    void *order_ctx;
    /* checked pages waiting to be applied, oldest first, a slice per loop iteration */
    struct page {
        cJSON *doc;
        const cJSON *item;      /* the next change to apply */
        int64_t since;          /* the cursor it was asked from */
        int64_t next;           /* the page's cursor, written with its last slice */
        int more;
        int64_t n;
    } pages[2];
    int npages;
    int want_next;              /* a page arrived while two were held: ask for it later */
    int64_t want_next_cursor;
    uint64_t apply_timer;
    int slice;                  /* changes per slice, adapted to take about 2 ms */
    int log_waits;              /* slices put off in a row for the catalog's checkpoint */
    int64_t last_notify_ms;
    int64_t open_rejects;       /* rows parked and not yet superseded, every feed */
    int rejects_changed;        /* a slice parked or superseded some: recount after it */
    /* catalog pages go to the catalog's writer thread (NULL: a memory catalog, applied in
     * slices on the loop as the other feeds are) */
    struct catalog_worker *worker;
    int jobs;                   /* pages handed over, not yet back */
    uint64_t gen;               /* a failed pull starts a new one: older pages only count */
    int64_t drained_id;         /* the catalog's refused-rows queue is carried over up to here */
    uint64_t drain_timer;
    int drain_failed;
    /* snapshots */
    int snapshot_asked;         /* this round asked the server already */
    int snapshot_unsupported;
    struct snapshot_load *snap;
    int64_t snap_started_us;
};

static void push_start(struct sync *s);
static void pull_start(struct sync *s);

static void slog(struct sync *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void slog(struct sync *s, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (s->log)
        s->log(s->ctx, line);
}

static void set_error(struct sync *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct sync *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->st.last_error, sizeof s->st.last_error, fmt, ap);
    va_end(ap);
    s->stats.errors++;
    slog(s, "sync error: %s", s->st.last_error);
}

static void notify(struct sync *s)
{
    if (s->changed)
        s->changed(s->ctx);
}

static void refresh_counts(struct sync *s)
{
    outbox_count(s->store, OUTBOX_PENDING, &s->st.queued);
    outbox_count_kind(s->store, OUTBOX_PENDING, OUTBOX_AUDIT, &s->st.queued_audit);
    outbox_count(s->store, OUTBOX_PARKED, &s->st.parked);
}

/* Exponential backoff with jitter (half to full delay), or the server's Retry-After. */
static int64_t backoff_ms(struct sync *s, int failures, int64_t retry_after_s)
{
    if (retry_after_s >= 0)
        return retry_after_s * 1000 + 50;
    int64_t d = s->cfg.backoff_base_ms;
    for (int i = 1; i < failures && d < s->cfg.backoff_max_ms; i++)
        d *= 2;
    if (d > s->cfg.backoff_max_ms)
        d = s->cfg.backoff_max_ms;
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 7;
    s->rng ^= s->rng << 17;
    return d / 2 + (int64_t)(s->rng % (uint64_t)(d / 2 + 1));
}

static int meta_set_int(struct sync *s, const char *key, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    return store_meta_set(s->store, key, buf) == STORE_OK ? 0 : -1;
}

static int64_t meta_get_int(struct sync *s, const char *key)
{
    char buf[32];
    return store_meta_get(s->store, key, buf, sizeof buf) == STORE_OK ? strtoll(buf, NULL, 10) : 0;
}

static void cursor_key(struct sync *s, enum pull_phase ph, char *buf, size_t len)
{
    if (ph == PULL_CATALOG)
        snprintf(buf, len, "sync.catalog_cursor");
    else if (ph == PULL_STAFF)
        snprintf(buf, len, "sync.staff_cursor");
    else if (ph == PULL_PROMOTIONS)
        snprintf(buf, len, "sync.promotions_cursor");
    else if (ph == PULL_CUSTOMERS)
        snprintf(buf, len, "sync.customers_cursor");
    else
        snprintf(buf, len, "sync.stock_cursor.%s", s->cfg.location);
}

static const char *json_str(const cJSON *o, const char *name, size_t maxlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) > maxlen)
        return NULL;
    return v->valuestring;
}

static const char *server_message(const struct http_response *r, char *buf, size_t len)
{
    cJSON *j = cJSON_ParseWithLength(r->body, r->len);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    const char *m = json_str(e, "message", 300);
    snprintf(buf, len, "%s", m ? m : "no reason given");
    cJSON_Delete(j);
    return buf;
}

/* ---------------------------------------------------------------- push (outbox) --- */

/* Every kind of outbox row, in the order they are sent (the backend knows where each goes). */
static const enum outbox_kind push_kinds[] = { OUTBOX_ORDER, OUTBOX_STOCK_ADJUSTMENT, OUTBOX_CASH_MOVEMENT, OUTBOX_SHIFT,
                                               OUTBOX_AUDIT };
#define NPUSH_KINDS (sizeof push_kinds / sizeof push_kinds[0])

static void schedule_push(struct sync *s, int64_t delay_ms);

static void on_push_timer(struct loop *loop, void *ctx)
{
    struct sync *s = ctx;
    (void)loop;
    s->push_timer = 0;
    push_start(s);
}

static void schedule_push(struct sync *s, int64_t delay_ms)
{
    if (s->push_timer)
        loop_cancel_timer(s->loop, s->push_timer);
    s->push_timer = loop_add_timer(s->loop, delay_ms, on_push_timer, s);
}

static void push_failed(struct sync *s, int64_t retry_after_s)
{
    s->push_failures++;
    int64_t d = backoff_ms(s, s->push_failures, retry_after_s);
    slog(s, "sync: sending again in %lld ms", (long long)d);
    schedule_push(s, d);
    notify(s);
}

static int apply_push_results(struct sync *s, const cJSON *results)
{
    int done = 0;
    if (store_begin(s->store, STORE_TX_PLAIN))
        return -1;
    int64_t now = loop_wall_time();
    for (int i = 0; i < s->push_n; i++) {
        const cJSON *res = NULL, *it;
        cJSON_ArrayForEach(it, results) {
            const char *k = json_str(it, "idempotency_key", 127);
            if (k && strcmp(k, s->push_keys[i]) == 0) {
                res = it;
                break;
            }
        }
        if (!res) {
            slog(s, "sync: no answer for %s in the server's reply: it will be sent again", s->push_keys[i]);
            continue;
        }
        const char *status = json_str(res, "status", 32);
        char ref[64] = "";
        int64_t oid;
        if (json_num_field(res, "order_id", 0, INT64_C(1) << 52, &oid) == 0)
            snprintf(ref, sizeof ref, "%lld", (long long)oid);
        int rc;
        if (status && (strcmp(status, "accepted") == 0 || strcmp(status, "duplicate") == 0)) {
            rc = outbox_mark_sent(s->store, s->push_ids[i], now, ref[0] ? ref : status);
        } else if (status && strcmp(status, "rejected") == 0) {
            const char *reason = json_str(res, "reason", 300);
            rc = outbox_park(s->store, s->push_ids[i], reason ? reason : "rejected without a reason", "rejected");
            slog(s, "sync: the server rejected %s: %s (parked for a manager)", s->push_keys[i],
                 reason ? reason : "no reason given");
        } else {
            slog(s, "sync: unknown status for %s: it will be sent again", s->push_keys[i]);
            continue;
        }
        if (rc) {
            store_rollback(s->store);
            return -1;
        }
        done++;
    }
    if (store_commit(s->store))
        return -1;
    if (s->push_kind == OUTBOX_ORDER)
        s->stats.orders_sent += done;
    else if (s->push_kind == OUTBOX_AUDIT)
        s->stats.audit_sent += done;
    else
        s->stats.docs_sent += done;
    return done;
}

static void on_push_done(void *ctx, const struct backend_reply *r)
{
    struct sync *s = ctx;
    s->push_req = 0;
    s->stats.requests++;
    /* online means this request succeeded: anything but a valid answer is offline (a 404
     * from a wrong sync.url, a 401, a proxy's error page, a garbled body) */
    s->st.online = 0;
    if (r->outcome == BACKEND_REFUSED) {
        if (s->push_n > 1) {
            /* one order in the batch is refused: send them one by one to find it */
            slog(s, "sync: the server refused a batch (%s); sending one at a time", r->error);
            s->push_single = 1;
            schedule_push(s, 0);
            return;
        }
        if (store_begin(s->store, STORE_TX_PLAIN) == STORE_OK) {
            if (outbox_park(s->store, s->push_ids[0], r->error, "refused") == STORE_OK &&
                store_commit(s->store) == STORE_OK) {
                slog(s, "sync: %s parked: %s", s->push_keys[0], r->error);
                refresh_counts(s);
                schedule_push(s, 0);
                notify(s);
                return;
            }
            store_rollback(s->store);
        }
        set_error(s, "could not park %s", s->push_keys[0]);
        push_failed(s, -1);
        return;
    }
    if (r->status)
        s->st.refused = r->status == 401 || r->status == 403 || r->status == 404;
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(r->doc, "results");
    if (r->outcome != BACKEND_OK || !cJSON_IsArray(results)) {
        set_error(s, "%s", r->outcome == BACKEND_OK ? "the server's answer has no results" : r->error);
        push_failed(s, r->retry_after_s);
        return;
    }
    s->st.online = 1;
    int done = apply_push_results(s, results);
    if (done < 0) {
        set_error(s, "could not record the server's answer locally: %s", store_errmsg(s->store));
        push_failed(s, -1);
        return;
    }
    s->push_failures = 0;
    if (s->push_single && done == s->push_n)
        s->push_single = 0;
    s->st.last_sync_at = loop_wall_time();
    s->st.last_error[0] = 0;
    refresh_counts(s);
    notify(s);
    if (done > 0)
        schedule_push(s, 0); /* more may be waiting */
    else
        push_failed(s, -1);
}

/* The batch: the stored payloads (the exact JSON of each row), handed to the backend. */
static void free_batch(struct sync *s)
{
    for (int i = 0; i < s->push_n; i++) {
        free(s->push_payloads[i]);
        s->push_payloads[i] = NULL;
    }
}

static int add_to_batch(void *ctx, int64_t id, const char *key, const char *payload, size_t pl)
{
    struct sync *s = ctx;
    if (s->push_n >= MAX_BATCH)
        return 1;
    char *copy = malloc(pl + 1);
    if (!copy)
        return 1; /* rows that do not fit (out of memory) simply wait for the next batch */
    memcpy(copy, payload, pl);
    copy[pl] = 0;
    int i = s->push_n++;
    s->push_ids[i] = id;
    snprintf(s->push_keys[i], sizeof s->push_keys[0], "%s", key);
    s->push_payloads[i] = copy;
    s->push_items[i] = (struct backend_item){ id, s->push_keys[i], copy, pl };
    return 0;
}

static int load_batch(struct sync *s, enum outbox_kind kind)
{
    int limit = s->push_single ? 1 : s->cfg.batch;
    int most = s->be->ops->max_batch(s->be, kind);
    if (limit > most)
        limit = most;
    free_batch(s);
    s->push_n = 0;
    if (outbox_next_batch(s->store, kind, limit, add_to_batch, s) < 0) {
        free_batch(s);
        s->push_n = 0;
        return -1;
    }
    return s->push_n;
}

static void push_start(struct sync *s)
{
    if (s->push_req)
        return;
    /* the audit rows written since the last round join the outbox (a failure leaves them
     * in the log for the next round) */
    audit_doc_enqueue_new(s->store, 500);
    for (size_t k = 0; k < NPUSH_KINDS; k++) {
        int n = load_batch(s, push_kinds[k]);
        if (n < 0) {
            set_error(s, "cannot read the outbox: %s", store_errmsg(s->store));
            push_failed(s, -1);
            return;
        }
        if (n == 0)
            continue;
        s->push_kind = push_kinds[k];
        s->push_req = s->be->ops->push(s->be, push_kinds[k], s->push_items, n, on_push_done, s);
        if (!s->push_req) {
            set_error(s, "cannot start a request to the store server");
            push_failed(s, -1);
        }
        return;
    }
    /* nothing to send */
}

/* ------------------------------------------------------- pull (catalog, stock) --- */

static void on_pull_timer(struct loop *loop, void *ctx)
{
    struct sync *s = ctx;
    (void)loop;
    s->pull_timer = 0;
    pull_start(s);
}

static void schedule_pull(struct sync *s, int64_t delay_ms)
{
    if (s->pull_timer)
        loop_cancel_timer(s->loop, s->pull_timer);
    s->pull_timer = loop_add_timer(s->loop, delay_ms, on_pull_timer, s);
}

static void drop_pages(struct sync *s)
{
    for (int i = 0; i < s->npages; i++)
        cJSON_Delete(s->pages[i].doc);
    s->npages = 0;
    s->want_next = 0;
    if (s->apply_timer) {
        loop_cancel_timer(s->loop, s->apply_timer);
        s->apply_timer = 0;
    }
}

static void pull_failed(struct sync *s, int64_t retry_after_s)
{
    if (s->pull_req) {
        if (s->pull_http)
            http_cancel(s->http, s->pull_req);
        else
            s->be->ops->cancel(s->be, s->pull_req);
        s->pull_req = 0;
    }
    drop_pages(s);
    s->gen++; /* pages still with the writer thread finish, but the round starts over */
    s->st.catalog_busy = 0;
    s->pull_failures++;
    schedule_pull(s, backoff_ms(s, s->pull_failures, retry_after_s));
    notify(s);
}

static void on_pull_done(void *ctx, const struct backend_reply *r);
static void on_snapshot_info(void *ctx, const struct http_response *r);

static int pull_request(struct sync *s, int64_t since)
{
    static const enum backend_feed feeds[] = { [PULL_CATALOG] = BACKEND_CATALOG, [PULL_STAFF] = BACKEND_STAFF,
                                               [PULL_STOCK] = BACKEND_STOCK, [PULL_PROMOTIONS] = BACKEND_PROMOTIONS,
                                               [PULL_CUSTOMERS] = BACKEND_CUSTOMERS,
                                               [PULL_RECONCILE] = BACKEND_RECONCILE };
    s->pull_since = since;
    s->pull_http = 0;
    s->pull_req = s->be->ops->pull(s->be, feeds[s->phase], since, s->cfg.page_size, on_pull_done, s);
    return s->pull_req ? 0 : -1;
}

/* The staff and stock cursors live in meta; the catalog's in the catalog file. */
static int64_t phase_cursor(struct sync *s)
{
    char key[100];
    cursor_key(s, s->phase, key, sizeof key);
    return meta_get_int(s, key);
}

static int64_t catalog_cursor_now(struct sync *s)
{
    int64_t c = 0;
    catalog_cursor(s->store, &c);
    return c;
}

/* A round's catalog phase first asks whether a snapshot is the better way (a new or
 * far-behind till); the server decides from our cursor. */
static void pull_start(struct sync *s)
{
    /* the catalog cursor is the worker's to move while it holds pages */
    if (s->pull_req || s->snap || s->npages || s->jobs)
        return;
    if (s->phase == PULL_CATALOG && s->http && s->cfg.snapshot && !s->snapshot_asked && !s->snapshot_unsupported) {
        char url[512];
        snprintf(url, sizeof url, "%s/v1/catalog/snapshot?since=%lld", s->cfg.url, (long long)catalog_cursor_now(s));
        s->snapshot_asked = 1;
        s->pull_req = http_request(s->http, "GET", url, NULL, 0, on_snapshot_info, s);
        s->pull_http = 1;
        if (!s->pull_req) {
            set_error(s, "cannot start a catalog request");
            pull_failed(s, -1);
        }
        return;
    }
    /* a reconcile always reads the whole catalog; its cursor is never stored */
    if (pull_request(s, s->phase == PULL_RECONCILE ? 0 : s->phase == PULL_CATALOG ? catalog_cursor_now(s) : phase_cursor(s))) {
        set_error(s, "cannot start a catalog request");
        pull_failed(s, -1);
    }
}

/* ------------------------------------------------------------- snapshots --- */

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void on_snapshot_progress(void *ctx)
{
    struct sync *s = ctx;
    struct snapshot_progress p;
    snapshot_load_progress(s->snap, &p);
    /* the download and the load each count for half of the way */
    double frac = p.bytes > 0 ? ((double)p.downloaded + (double)p.loaded) / (2.0 * (double)p.bytes) : 0;
    if (frac > 1)
        frac = 1;
    s->st.catalog_done = (int64_t)(frac * (double)p.products);
    s->st.catalog_total = p.products;
    double resumed = p.bytes > 0 ? (double)p.resumed_at / (2.0 * (double)p.bytes) : 0;
    double elapsed = (double)(mono_us() - s->snap_started_us) / 1e6;
    s->st.catalog_eta_s = frac - resumed > 0.02 && elapsed > 0.2 ? (int64_t)(elapsed * (1 - frac) / (frac - resumed) + 0.5) : -1;
    int64_t now = loop_now_ms(s->loop);
    if (now - s->last_notify_ms >= 100) { /* the header redraws ten times a second at most */
        s->last_notify_ms = now;
        notify(s);
    }
}

static void on_snapshot_done(void *ctx, int ok, const char *message)
{
    struct sync *s = ctx;
    struct snapshot_progress p;
    snapshot_load_progress(s->snap, &p);
    if (p.longest_slice_us > s->stats.longest_slice_us)
        s->stats.longest_slice_us = p.longest_slice_us;
    snapshot_load_free(s->snap);
    s->snap = NULL;
    if (!ok) {
        s->st.online = 0; /* the download or its content failed, like an invalid page */
        set_error(s, "%s", message);
        s->snapshot_asked = 0; /* the next try asks again (a part is resumed) */
        pull_failed(s, -1);
        return;
    }
    slog(s, "sync: %s%s", message, p.resumed_at ? " (download resumed)" : "");
    s->drained_id = 0; /* a new catalog file: its refused-rows queue starts afresh */
    s->stats.snapshots++;
    s->stats.snapshot_bytes += p.bytes;
    s->stats.snapshot_resumed_at = p.resumed_at;
    s->st.catalog_busy = 0;
    s->st.last_error[0] = 0;
    s->pull_failures = 0;
    notify(s);
    pull_start(s); /* deltas from the snapshot's cursor */
}

static void on_snapshot_info(void *ctx, const struct http_response *r)
{
    struct sync *s = ctx;
    s->pull_req = 0;
    s->stats.requests++;
    char msg[320];
    s->st.online = 0;
    if (!r->transport_ok) {
        set_error(s, "GET catalog snapshot: %s", r->error);
        s->snapshot_asked = 0;
        pull_failed(s, -1);
        return;
    }
    if (r->status == 404) {
        /* a server without snapshots: pages of changes as before */
        slog(s, "sync: the server offers no catalog snapshots; syncing by pages of changes");
        s->snapshot_unsupported = 1;
        s->st.online = 1;
        pull_start(s);
        return;
    }
    /* 404 was answered above (no snapshots there): pages will say whether the URL is wrong */
    s->st.refused = r->status == 401 || r->status == 403;
    if (r->status != 200) {
        set_error(s, "GET catalog snapshot: HTTP %ld: %s", r->status, server_message(r, msg, sizeof msg));
        s->snapshot_asked = 0;
        pull_failed(s, r->status == 429 || r->status == 503 ? r->retry_after_s : -1);
        return;
    }
    struct snapshot_info info;
    char why[200] = "";
    int offered = snapshot_info_parse(r->body, r->len, &info, why, sizeof why);
    if (offered < 0) {
        set_error(s, "GET catalog snapshot: the server's answer is not valid (%s); nothing was changed", why);
        s->snapshot_asked = 0;
        pull_failed(s, -1);
        return;
    }
    s->st.online = 1;
    if (!offered || info.cursor <= catalog_cursor_now(s)) {
        pull_start(s);
        return;
    }
    char err[300];
    s->snap = snapshot_load_start(s->loop, s->http, s->store, s->cfg.url, &info, s->cfg.snapshot_pause_ms,
                                  on_snapshot_progress, on_snapshot_done, s, err, sizeof err);
    if (!s->snap) {
        set_error(s, "catalog snapshot: %s", err);
        pull_failed(s, -1);
        return;
    }
    slog(s, "sync: loading a catalog snapshot of %lld products (cursor %lld, %lld bytes)",
         (long long)info.products, (long long)info.cursor, (long long)info.bytes);
    s->snap_started_us = mono_us();
    s->st.catalog_busy = 1;
    s->st.catalog_snapshot = 1;
    s->st.catalog_done = 0;
    s->st.catalog_total = info.products;
    s->st.catalog_eta_s = -1;
    notify(s);
}

/* ------------------------------------------------------- pages of changes --- */

static int stage_change(struct sync *s, const cJSON *c)
{
    return catalog_worker_stage_row(s->store, c);
}

static int apply_staff_record(struct sync *s, const cJSON *c)
{
    struct staff_change ch = {
        .id = json_str(c, "id", STAFF_ID_MAX - 1),
        .deleted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "deleted")),
        .name = json_str(c, "name", STAFF_NAME_MAX - 1),
        .pin_hash = json_str(c, "pin_hash", PIN_HASH_MAX - 1),
        .active = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "active")),
    };
    if (!ch.deleted)
        staff_role_parse(json_str(c, "role", 16), &ch.role);
    return staff_apply(s->store, &ch);
}

static int apply_stock_level(struct sync *s, const cJSON *c)
{
    int64_t on_hand = 0, seq = 0;
    json_num_field(c, "on_hand", -(INT64_C(1) << 50), INT64_C(1) << 50, &on_hand);
    json_num_field(c, "seq", 1, INT64_C(1) << 52, &seq);
    const char *loc = json_str(c, "location", 63);
    return stock_level_set(s->store, json_str(c, "sku", 64), loc ? loc : s->cfg.location, on_hand, seq);
}

static void on_apply_timer(struct loop *loop, void *ctx);

static void schedule_apply(struct sync *s)
{
    if (!s->apply_timer)
        s->apply_timer = loop_add_timer(s->loop, 0, on_apply_timer, s);
}

/* The page (all checked) is done: the next phase, the next page or the end of the round. */
static void page_finished(struct sync *s, int more, int64_t n);

static void page_done(struct sync *s, struct page *pg)
{
    int more = pg->more;
    int64_t n = pg->n;
    cJSON_Delete(pg->doc);
    memmove(&s->pages[0], &s->pages[1], (size_t)(s->npages - 1) * sizeof s->pages[0]);
    s->npages--;
    page_finished(s, more, n);
}

static void page_finished(struct sync *s, int more, int64_t n)
{
    if (s->phase == PULL_CATALOG || s->phase == PULL_RECONCILE) {
        s->stats.catalog_changes += n;
        s->stats.catalog_pages++;
    } else if (s->phase == PULL_STAFF) {
        s->stats.staff_changes += n;
    } else if (s->phase == PULL_STOCK) {
        s->stats.stock_changes += n;
    }
    s->pull_failures = 0;
    s->st.last_sync_at = loop_wall_time();
    s->st.last_error[0] = 0;
    if (s->npages) {
        schedule_apply(s);
        return;
    }
    if (s->want_next && s->jobs < 2) {
        int64_t next = s->want_next_cursor;
        s->want_next = 0;
        if (pull_request(s, next)) {
            set_error(s, "cannot start a catalog request");
            pull_failed(s, -1);
        }
        return;
    }
    if (more || s->pull_req || s->jobs)
        return; /* the next page is on its way, or still with the catalog's writer */
    s->st.catalog_busy = 0;
    if (s->phase < PULL_CUSTOMERS) {
        s->phase++;   /* catalog, staff, stock, promotions, customers */
        pull_start(s);
        return;
    }
    /* a backend without tombstones: now and then the whole catalog, to retire what the
     * server no longer has */
    if (s->phase == PULL_CUSTOMERS && s->be->ops->has_reconcile && s->cfg.reconcile_interval_ms > 0 &&
        loop_now_ms(s->loop) >= s->reconcile_due_ms) {
        s->phase = PULL_RECONCILE;
        pull_start(s);
        return;
    }
    if (s->phase == PULL_RECONCILE)
        s->reconcile_due_ms = loop_now_ms(s->loop) + s->cfg.reconcile_interval_ms;
    s->phase = PULL_CATALOG;
    s->snapshot_asked = 0;
    if (!s->push_req && !s->push_timer)
        push_start(s);
    s->st.rounds++;
    notify(s);
    schedule_pull(s, s->cfg.pull_interval_ms);
}

/* Promotions and customers: written by offline/feeds.c.  A promotion the pricing engine
 * refuses is applied as a removal; *note says why (it is parked too, for a manager). */
static int apply_feed_record(struct sync *s, const cJSON *c, char *note, size_t notelen)
{
    note[0] = 0;
    if (s->phase == PULL_CUSTOMERS)
        return feeds_apply_customer(s->store, c);
    return feeds_apply_promotion(s->store, c, note, notelen);
}

static enum sync_row_feed row_feed(enum pull_phase ph)
{
    switch (ph) {
    case PULL_STAFF: return SYNC_ROW_STAFF;
    case PULL_STOCK: return SYNC_ROW_STOCK;
    case PULL_PROMOTIONS: return SYNC_ROW_PROMOTIONS;
    case PULL_CUSTOMERS: return SYNC_ROW_CUSTOMERS;
    case PULL_CATALOG: case PULL_RECONCILE: break;
    }
    return SYNC_ROW_CATALOG;
}

/* Parks a row the till refused, inside the slice's transaction; a row parked before (the
 * same version, on a page fetched again) is neither stored nor logged twice. */
static int park_row(struct sync *s, const cJSON *c, int64_t seq, const char *key, const char *why)
{
    const char *feed = sync_row_feed_name(row_feed(s->phase));
    char *raw = cJSON_PrintUnformatted(c);
    int rc = sync_rejects_park(s->store, feed, seq, key, why, raw ? raw : "", loop_wall_time());
    cJSON_free(raw);
    if (rc < 0)
        return -1;
    if (rc == 1) {
        s->open_rejects++;
        s->rejects_changed = 1;
        s->stats.rows_refused++;
        slog(s, "sync: %s row %.80s (seq %lld) refused: %s; the rest of the page is applied"
                " (till --sync-rejects lists it)", feed, key[0] ? key : "without a key", (long long)seq, why);
    }
    return 0;
}

/* A valid version of key was applied: an older refused one is settled. */
static int supersede(struct sync *s, const char *key, int64_t seq)
{
    if (s->open_rejects <= 0)
        return 0; /* the usual case: nothing to look up */
    int n = sync_rejects_supersede(s->store, sync_row_feed_name(row_feed(s->phase)), key, seq, loop_wall_time());
    if (n < 0)
        return -1;
    if (n > 0) {
        s->open_rejects -= n;
        s->rejects_changed = 1;
    }
    return 0;
}

/* One checked staff, stock, promotion or customer row, behind a savepoint: a row the
 * database refuses (a constraint of its own, e.g. a loyalty card another customer has) is
 * undone alone and parked; a failure of the file (disk full, busy) fails the slice. */
static int apply_row(struct sync *s, const cJSON *c, int64_t seq, const char *key)
{
    char note[200] = "";
    if (store_savepoint(s->store, "sync_row"))
        return -1;
    int rc = s->phase == PULL_STAFF ? apply_staff_record(s, c)
             : s->phase == PULL_STOCK ? apply_stock_level(s, c)
                                      : apply_feed_record(s, c, note, sizeof note);
    if (rc == 0) {
        if (store_release(s->store, "sync_row") || supersede(s, key, seq))
            return -1;
        return note[0] ? park_row(s, c, seq, key, note) : 0;
    }
    store_rollback_to(s->store, "sync_row");
    if (!store_row_failed(s->store))
        return -1;
    char why[SYNC_REJECT_REASON_MAX];
    snprintf(why, sizeof why, "could not be stored: %s", store_errmsg(s->store));
    return park_row(s, c, seq, key, why);
}

/* Supersedes what the catalog rows [first, end) replace (rows that were refused are
 * skipped: they were parked). */
static int supersede_range(struct sync *s, const cJSON *first, const cJSON *end)
{
    char key[SYNC_REJECT_KEY_MAX], why[SYNC_REJECT_REASON_MAX];
    int64_t seq;
    for (const cJSON *c = first; s->open_rejects > 0 && c != end; c = c->next)
        if (!sync_row_check(SYNC_ROW_CATALOG, c, &seq, key, sizeof key, why, sizeof why) && supersede(s, key, seq))
            return -1;
    return 0;
}

/* The staged catalog rows [first, end) go in set-wise, as one statement per table.  If the
 * database refuses that because of one row, the slice is undone and applied row by row, each
 * behind a savepoint, to park the row at fault alone. */
static int apply_catalog_slice(struct sync *s, const cJSON *first, const cJSON *end)
{
    int64_t now = loop_wall_time();
    if (store_savepoint(s->store, "sync_slice"))
        return -1;
    if (catalog_stage_apply(s->store, now) == STORE_OK)
        return store_release(s->store, "sync_slice") || supersede_range(s, first, end) ? -1 : 0;
    store_rollback_to(s->store, "sync_slice");
    if (!store_row_failed(s->store))
        return -1;
    slog(s, "sync: a catalog slice was refused (%s); applying it row by row", store_errmsg(s->store));
    char key[SYNC_REJECT_KEY_MAX], why[SYNC_REJECT_REASON_MAX];
    int64_t seq;
    for (const cJSON *c = first; c != end; c = c->next) {
        if (sync_row_check(SYNC_ROW_CATALOG, c, &seq, key, sizeof key, why, sizeof why))
            continue; /* parked already */
        if (store_savepoint(s->store, "sync_row"))
            return -1;
        if (catalog_stage_begin(s->store) == STORE_OK && stage_change(s, c) == 0 &&
            catalog_stage_apply(s->store, now) == STORE_OK) {
            if (store_release(s->store, "sync_row") || supersede(s, key, seq))
                return -1;
            continue;
        }
        store_rollback_to(s->store, "sync_row");
        if (!store_row_failed(s->store))
            return -1;
        snprintf(why, sizeof why, "could not be stored: %s", store_errmsg(s->store));
        if (park_row(s, c, seq, key, why))
            return -1;
    }
    return 0;
}

/* The rows of one slice: each checked, then staged (catalog) or applied (the others); a
 * row refused is parked.  *seq is the highest seq met.  0, or -1 when the file fails. */
static int apply_slice_rows(struct sync *s, struct page *pg, int catalog, int *n, int64_t *seq, int64_t t0)
{
    char key[SYNC_REJECT_KEY_MAX], why[SYNC_REJECT_REASON_MAX];
    enum sync_row_feed feed = row_feed(s->phase);
    const cJSON *first = pg->item;
    if (catalog && catalog_stage_begin(s->store))
        return -1;
    for (; pg->item && *n < s->slice; pg->item = pg->item->next, (*n)++) {
        /* bounded by time as well as by count: a slice whose rows turn out slow (a cold
         * cache, a busy machine) stops after SLICE_ROWS_US; its apply and commit follow */
        if ((*n & 15) == 15 && mono_us() - t0 > SLICE_ROWS_US)
            break;
        const cJSON *c = pg->item;
        int64_t rseq;
        int rc;
        if (sync_row_check(feed, c, &rseq, key, sizeof key, why, sizeof why))
            rc = park_row(s, c, rseq, key, why);
        else
            rc = catalog ? stage_change(s, c) : apply_row(s, c, rseq, key);
        if (rc)
            return -1;
        if (rseq > *seq)
            *seq = rseq;
    }
    return catalog ? apply_catalog_slice(s, first, pg->item) : 0;
}

/* Rows parked or superseded: the status bar's count, from the table. */
static void refresh_rejects(struct sync *s)
{
    int64_t all = 0, cat = 0;
    if (sync_rejects_count_open(s->store, NULL, &all) || sync_rejects_count_open(s->store, "catalog", &cat))
        return;
    s->open_rejects = all;
    s->st.refused_rows = all;
    s->st.refused_catalog = cat;
}

/* Applies the next slice of the oldest page in its own transaction, so a keystroke never
 * waits for a whole page.  Each slice moves the cursor to the highest seq it met (the
 * server sends them in seq order; the page's next_cursor with its last slice), so a
 * restart in the middle of a page goes on after the last slice applied.  Rows refused in
 * the slice are parked in the same transaction: the cursor never passes a row that is
 * neither applied nor parked. */
static void on_apply_timer(struct loop *loop, void *ctx)
{
    struct sync *s = ctx;
    (void)loop;
    s->apply_timer = 0;
    if (!s->npages)
        return;
    int64_t t0 = mono_us();
    struct page *pg = &s->pages[0];
    int catalog = s->phase == PULL_CATALOG || s->phase == PULL_RECONCILE, n = 0, rc = 0;
    int64_t parked_before = s->stats.rows_refused;
    /* a moment for the catalog's checkpoint thread to catch up (at most 100 ms in a row) */
    if (catalog && s->log_waits < 50 && store_catalog_log_busy(s->store)) {
        s->log_waits++;
        s->stats.log_waits++;
        s->apply_timer = loop_add_timer(s->loop, 2, on_apply_timer, s);
        return;
    }
    s->log_waits = 0;
    if (!catalog)
        store_durability(s->store, 0); /* staff and stock pages are fetched again if lost, like the catalog's */
    if (store_begin(s->store, STORE_TX_PLAIN) != STORE_OK) {
        rc = -1;
    } else {
        int64_t seq = 0;
        rc = apply_slice_rows(s, pg, catalog, &n, &seq, t0);
        /* a mid-page cursor never goes back, nor past the page's own; the page's end takes
         * the backend's next_cursor as it is (Vendure starts each round over from 0) */
        int64_t cursor = !pg->item ? pg->next : seq > pg->next ? pg->next : seq;
        if (!rc && (n || !pg->item) && s->phase != PULL_RECONCILE && (!pg->item || cursor > pg->since)) {
            char key[100];
            cursor_key(s, s->phase, key, sizeof key);
            rc = catalog ? catalog_set_cursor(s->store, cursor) : meta_set_int(s, key, cursor);
        }
        if (rc)
            store_rollback(s->store);
        else if (store_commit(s->store))
            rc = -1;
    }
    if (!catalog)
        store_durability(s->store, 1);
    if (s->rejects_changed) {
        s->rejects_changed = 0;
        refresh_rejects(s); /* after a rollback too: its parks are gone */
        notify(s);
    }
    int64_t took = mono_us() - t0;
    if (took > s->stats.longest_slice_us)
        s->stats.longest_slice_us = took;
    /* aim each slice at about 2 ms: a key pressed meanwhile waits no longer than that */
    if (took > 3000 && s->slice > 25)
        s->slice = s->slice * 2 / 3;
    else if (took < 1500 && s->slice < 2000)
        s->slice = s->slice + s->slice / 4 + 1;
    if (rc) {
        s->stats.rows_refused = parked_before; /* rolled back with the slice */
        set_error(s, "could not store the %s page locally: %s", sync_row_feed_name(row_feed(s->phase)),
                  store_errmsg(s->store));
        pull_failed(s, -1);
        return;
    }
    pg->n += n;
    if (catalog) {
        s->st.catalog_done += n;
        int64_t now = loop_now_ms(s->loop);
        if (now - s->last_notify_ms >= 100) {
            s->last_notify_ms = now;
            notify(s);
        }
    }
    if (pg->item)
        schedule_apply(s);
    else
        page_done(s, pg);
}

/* ------------------------------------------- catalog pages on the writer thread --- */

static void schedule_drain(struct sync *s, int64_t delay_ms);

/* One row of the catalog's refused-rows queue into sync_rejects, inside the loop's
 * transaction on the main database. */
static int drain_one(void *ctx, const struct catalog_refused_row *r)
{
    struct sync *s = ctx;
    s->drained_id = r->id;
    if (r->kind == CATALOG_REFUSED_APPLIED) {
        int n = sync_rejects_supersede(s->store, "catalog", r->key, r->seq, r->at);
        if (n < 0)
            return s->drain_failed = 1;
        return 0;
    }
    int rc = sync_rejects_park(s->store, "catalog", r->seq, r->key, r->reason, r->raw, r->at);
    if (rc < 0)
        return s->drain_failed = 1;
    if (rc == 1) {
        s->stats.rows_refused++;
        slog(s, "sync: catalog row %.80s (seq %lld) refused: %s; the rest of the page is applied"
                " (till --sync-rejects lists it)", r->key[0] ? r->key : "without a key", (long long)r->seq, r->reason);
    }
    return 0;
}

/* Carries the rows the writer thread refused (and the versions it applied of rows refused
 * before) into sync_rejects, a few at a time.  Parking and settling are idempotent, so a
 * crash before the writer deleted them only carries them again. */
static void drain_refused(struct sync *s)
{
    enum { DRAIN_ROWS = 64 };
    int64_t from = s->drained_id, refused = s->stats.rows_refused;
    s->drain_failed = 0;
    int n = -1;
    if (store_begin(s->store, STORE_TX_PLAIN) == STORE_OK) {
        n = catalog_refused_each(s->store, from, DRAIN_ROWS, drain_one, s);
        if (n < 0 || s->drain_failed) {
            store_rollback(s->store);
            n = -1;
        } else if (store_commit(s->store)) {
            n = -1;
        }
    }
    if (n < 0) {
        s->drained_id = from;
        s->stats.rows_refused = refused;
        set_error(s, "cannot record refused catalog rows: %s", store_errmsg(s->store));
        schedule_drain(s, 1000);
        return;
    }
    if (n == DRAIN_ROWS)
        schedule_drain(s, 0);
    refresh_rejects(s);
    notify(s);
}

static void on_drain_timer(struct loop *loop, void *ctx)
{
    struct sync *s = ctx;
    (void)loop;
    s->drain_timer = 0;
    drain_refused(s);
}

static void schedule_drain(struct sync *s, int64_t delay_ms)
{
    if (!s->drain_timer)
        s->drain_timer = loop_add_timer(s->loop, delay_ms, on_drain_timer, s);
}

/* The keys of refused catalog rows still open: the writer tells when it applies a valid
 * version of one (a few; more than the list holds and it tells of every row). */
struct open_keys {
    char **keys;
    size_t n, cap;
    int all;
};

static int add_open_key(void *ctx, const struct sync_reject *r)
{
    struct open_keys *k = ctx;
    if (strcmp(r->feed, "catalog") != 0)
        return 0;
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 16;
        char **keys = cap <= 4096 ? realloc(k->keys, cap * sizeof *keys) : NULL;
        if (!keys) {
            k->all = 1;
            return 1;
        }
        k->keys = keys;
        k->cap = cap;
    }
    if (!(k->keys[k->n] = strdup(r->key))) {
        k->all = 1;
        return 1;
    }
    k->n++;
    return 0;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void on_job_done(void *ctx, struct catalog_job *job);

/* Hands a checked page to the catalog's writer thread; the next page is asked for while
 * it is written (two pages at most with the writer). */
static void submit_page(struct sync *s, cJSON *doc, const cJSON *first, int64_t next, int more)
{
    struct catalog_job *job = calloc(1, sizeof *job);
    if (!job) {
        cJSON_Delete(doc);
        set_error(s, "out of memory");
        pull_failed(s, -1);
        return;
    }
    job->doc = doc;
    job->first = first;
    job->set_cursor = s->phase != PULL_RECONCILE;
    job->cursor = next;
    job->now = loop_wall_time();
    job->tag = s->gen << 1 | (uint64_t)(more != 0);
    job->drained_upto = s->drained_id;
    if (s->st.refused_catalog > 0) {
        struct open_keys k = { 0 };
        sync_rejects_each(s->store, 0, add_open_key, &k);
        if (k.n)
            qsort(k.keys, k.n, sizeof *k.keys, cmp_key);
        job->keys = k.keys;
        job->nkeys = k.n;
        job->all_keys = k.all;
    }
    if (catalog_worker_submit(s->worker, job)) {
        catalog_job_free(job);
        set_error(s, "cannot start the catalog's writer thread");
        pull_failed(s, -1);
        return;
    }
    s->jobs++;
    if (!more)
        return;
    if (s->jobs < 2) {
        if (pull_request(s, next)) {
            set_error(s, "cannot start a catalog request");
            pull_failed(s, -1);
        }
    } else {
        s->want_next = 1;
        s->want_next_cursor = next;
    }
}

/* A page the writer thread committed (or could not).  Pages of a pull that failed since
 * count, but the round goes on from the cursor they left. */
static void on_job_done(void *ctx, struct catalog_job *job)
{
    struct sync *s = ctx;
    s->jobs--;
    int current = job->tag >> 1 == s->gen, more = (int)(job->tag & 1);
    if (job->rc == 0 && job->rows > 0) {
        s->st.catalog_done += job->rows;
        int64_t now = loop_now_ms(s->loop);
        if (now - s->last_notify_ms >= 100) {
            s->last_notify_ms = now;
            notify(s);
        }
    }
    if (job->rc == 0 && job->queued > 0)
        schedule_drain(s, 0);
    if (!current) {
        if (job->rc == 0) {
            s->stats.catalog_changes += job->rows;
            s->stats.catalog_pages++;
        }
        /* the retry was put off while the writer held pages */
        if (!s->jobs && !s->pull_timer && !s->pull_req)
            schedule_pull(s, 0);
    } else if (job->rc) {
        set_error(s, "could not store the catalog page locally: %s", job->err);
        pull_failed(s, -1);
    } else {
        page_finished(s, more, job->rows);
    }
    catalog_job_free(job);
}

static void on_pull_done(void *ctx, const struct backend_reply *r)
{
    struct sync *s = ctx;
    s->pull_req = 0;
    s->stats.requests++;
    static const char *const whats[] = { [PULL_CATALOG] = "catalog", [PULL_STAFF] = "staff", [PULL_STOCK] = "stock",
                                         [PULL_PROMOTIONS] = "promotions", [PULL_CUSTOMERS] = "customers",
                                         [PULL_RECONCILE] = "catalog check" };
    static const char *const fields[] = { [PULL_CATALOG] = "changes", [PULL_STAFF] = "staff", [PULL_STOCK] = "levels",
                                          [PULL_PROMOTIONS] = "changes", [PULL_CUSTOMERS] = "changes",
                                          [PULL_RECONCILE] = "changes" };
    const char *what = whats[s->phase];
    s->st.online = 0; /* until the answer proves valid, as for a push */
    if (r->status)
        s->st.refused = r->status == 401 || r->status == 403 || r->status == 404;
    if (r->outcome != BACKEND_OK) {
        set_error(s, "%s", r->error);
        pull_failed(s, r->retry_after_s);
        return;
    }
    /* the page is held while it is applied slice by slice: the backend's answer where it
     * gives it away, else a copy */
    cJSON *j;
    if (r->take && *r->take == r->doc) {
        j = *r->take;
        *r->take = NULL;
    } else {
        j = cJSON_Duplicate(r->doc, 1);
    }
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(j, fields[s->phase]);
    const cJSON *more = cJSON_GetObjectItemCaseSensitive(j, "has_more");
    int64_t next;
    /* the backend checked its own cursor rules; a page with more behind it must move on.
     * The rows are checked one by one as they are applied: a bad one is parked alone. */
    if (!cJSON_IsArray(items) || !cJSON_IsBool(more) ||
        json_num_field(j, "next_cursor", 0, INT64_C(1) << 52, &next) ||
        (cJSON_IsTrue(more) && next == s->pull_since)) {
        set_error(s, "%s: the server's answer is not valid (%zu bytes: not a page of %s with has_more and"
                  " a next_cursor that moves on); nothing was changed", what, r->bytes, fields[s->phase]);
        cJSON_Delete(j);
        pull_failed(s, -1);
        return;
    }
    s->st.online = 1;
    int has_more = cJSON_IsTrue(more);
    if (s->phase == PULL_CATALOG && (has_more || cJSON_GetArraySize(items) > 0) && !s->st.catalog_busy) {
        s->st.catalog_busy = 1;
        s->st.catalog_snapshot = 0;
        s->st.catalog_done = 0;
        s->st.catalog_total = 0;
        s->st.catalog_eta_s = -1;
    }
    if (s->worker && (s->phase == PULL_CATALOG || s->phase == PULL_RECONCILE)) {
        submit_page(s, j, items->child, next, has_more);
        return;
    }
    s->pages[s->npages++] = (struct page){ j, items ? items->child : NULL, s->pull_since, next, has_more, 0 };
    /* the next page is on its way while this one is written (two pages at most held) */
    if (has_more) {
        if (s->npages < 2) {
            if (pull_request(s, next)) {
                set_error(s, "cannot start a %s request", what);
                pull_failed(s, -1);
                return;
            }
        } else {
            s->want_next = 1;
            s->want_next_cursor = next;
        }
    }
    schedule_apply(s);
}

/* ------------------------------------------------------------------- set-up --- */

int sync_url_is_loopback(const char *url)
{
    const char *host = strstr(url, "://");
    host = host ? host + 3 : url;
    const char *at = strpbrk(host, "@/");
    if (at && *at == '@')
        host = at + 1;
    size_t n = strcspn(host, ":/");
    if (host[0] == '[')
        return strncmp(host, "[::1]", 5) == 0 && (host[5] == 0 || host[5] == ':' || host[5] == '/');
    if (n == 9 && strncmp(host, "localhost", 9) == 0)
        return 1;
    /* 127.0.0.0/8: four numbers, the first 127 */
    int dots = 0;
    if (n < 4 || strncmp(host, "127.", 4) != 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (host[i] == '.')
            dots++;
        else if (host[i] < '0' || host[i] > '9')
            return 0;
    }
    return dots == 3;
}

int sync_config_from(const struct config *cfg, struct sync_config *out, int *configured,
                     char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    *configured = 0;
    const char *url = config_get(cfg, "sync.url", "");
    if (!url[0])
        return 0;
    size_t ul = strlen(url);
    if (ul >= sizeof out->url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))) {
        snprintf(err, errlen, "config sync.url must be an http:// or https:// URL");
        return -1;
    }
    snprintf(out->url, sizeof out->url, "%s", url);
    while (ul > 0 && out->url[ul - 1] == '/')
        out->url[--ul] = 0;
    const char *ah = config_get(cfg, "sync.allow_plain_http", "no");
    int allow_http = strcmp(ah, "yes") == 0 || strcmp(ah, "1") == 0;
    if (!allow_http && strcmp(ah, "no") != 0 && strcmp(ah, "0") != 0) {
        snprintf(err, errlen, "config sync.allow_plain_http must be yes or no");
        return -1;
    }
    out->plain_http = strncmp(out->url, "http://", 7) == 0 && !sync_url_is_loopback(out->url);
    if (out->plain_http && !allow_http) {
        snprintf(err, errlen, "config sync.url %.200s would send the token and every sale unencrypted: use"
                 " https://, or set sync.allow_plain_http = yes (only on a network you trust)", out->url);
        return -1;
    }
    const char *tf = config_get(cfg, "sync.token_file", "");
    if (!tf[0]) {
        snprintf(err, errlen, "config sync.url is set but sync.token_file is not");
        return -1;
    }
    struct stat sb;
    if (stat(tf, &sb)) {
        snprintf(err, errlen, "sync.token_file %.200s: cannot be read", tf);
        return -1;
    }
    if (sb.st_mode & 077) {
        snprintf(err, errlen, "sync.token_file %.200s is open to its group or other users (mode %04o): run"
                 "  chmod 600 %.200s", tf, (unsigned)(sb.st_mode & 07777), tf);
        return -1;
    }
    FILE *f = fopen(tf, "r");
    if (!f || !fgets(out->token, sizeof out->token, f)) {
        if (f)
            fclose(f);
        snprintf(err, errlen, "sync.token_file %.200s: cannot be read or is empty", tf);
        return -1;
    }
    fclose(f);
    out->token[strcspn(out->token, "\r\n \t")] = 0;
    if (!out->token[0]) {
        snprintf(err, errlen, "sync.token_file %.200s is empty", tf);
        return -1;
    }
    snprintf(out->ca_file, sizeof out->ca_file, "%s", config_get(cfg, "sync.ca_file", ""));
    snprintf(out->pinned_pubkey, sizeof out->pinned_pubkey, "%s", config_get(cfg, "sync.pinned_pubkey", ""));
    snprintf(out->location, sizeof out->location, "%s", config_get(cfg, "sync.location", "store-1"));
    for (const char *p = out->location; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_')) {
            snprintf(err, errlen, "config sync.location may hold only letters, digits, - and _");
            return -1;
        }
    }
    static const struct { const char *key; long long def, min, max; } ints[] = {
        { "sync.batch", 100, 1, MAX_BATCH },
        { "sync.page_size", 2000, 1, 5000 },
        { "sync.pull_interval_ms", 30000, 100, 86400000 },
        { "sync.backoff_base_ms", 1000, 10, 600000 },
        { "sync.backoff_max_ms", 60000, 10, 3600000 },
        { "sync.max_response_bytes", 16 << 20, 1024, 1 << 30 },
        { "sync.connect_timeout_ms", 5000, 100, 600000 },
        { "sync.timeout_ms", 30000, 100, 3600000 },
        { "sync.insecure_tls", 0, 0, 1 },
        { "sync.now_deadline_s", 600, 1, 86400 },
        { "sync.snapshot", 1, 0, 1 },
        { "sync.snapshot_pause_ms", 0, 0, 10000 },
        { "sync.reconcile_interval_ms", 3600000, 0, INT64_C(604800000) },
    };
    long long v[sizeof ints / sizeof ints[0]];
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        if (config_get_int(cfg, ints[i].key, ints[i].def, &v[i]) || v[i] < ints[i].min || v[i] > ints[i].max) {
            snprintf(err, errlen, "config %s must be a whole number from %lld to %lld", ints[i].key,
                     ints[i].min, ints[i].max);
            return -1;
        }
    }
    out->batch = (int)v[0];
    out->page_size = (int)v[1];
    out->pull_interval_ms = v[2];
    out->backoff_base_ms = v[3];
    out->backoff_max_ms = v[4];
    out->max_response_bytes = (size_t)v[5];
    out->connect_timeout_ms = (long)v[6];
    out->timeout_ms = (long)v[7];
    out->insecure_tls = (int)v[8];
    out->now_deadline_ms = v[9] * 1000;
    out->snapshot = (int)v[10];
    out->snapshot_pause_ms = v[11];
    out->reconcile_interval_ms = v[12];
    const char *be = config_get(cfg, "sync.backend", "native");
    if (strcmp(be, "native") && strcmp(be, "vendure")) {
        snprintf(err, errlen, "config sync.backend must be native or vendure");
        return -1;
    }
    snprintf(out->backend, sizeof out->backend, "%s", be);
    if (strcmp(be, "vendure") == 0 && backend_vendure_config(cfg, out, err, errlen))
        return -1;
    *configured = 1;
    return 0;
}

struct sync *sync_new(struct loop *loop, struct store *store, const struct sync_config *cfg,
                      sync_changed_cb changed, sync_log_cb log, void *ctx, char *err, size_t errlen)
{
    struct sync *s = calloc(1, sizeof *s);
    if (!s || !(s->push_keys = calloc(MAX_BATCH, sizeof *s->push_keys))) {
        free(s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->loop = loop;
    s->store = store;
    s->cfg = *cfg;
    s->changed = changed;
    s->log = log;
    s->ctx = ctx;
    s->slice = 50; /* grows while slices stay short: the first ones run on a cold cache */
    s->rng = (uint64_t)loop_now_ms(loop) * 2654435761u ^ (uint64_t)getpid() ^ 0x9E3779B97F4A7C15u;
    if (catalog_writer_open(store)) {
        snprintf(err, errlen, "sync: %s", store_errmsg(store));
        sync_free(s);
        return NULL;
    }
    s->be = strcmp(cfg->backend, "vendure") == 0 ? backend_vendure_new(loop, store, cfg, err, errlen)
                                                 : backend_native_new(loop, cfg, err, errlen);
    s->push_items = calloc(MAX_BATCH, sizeof *s->push_items);
    s->push_payloads = calloc(MAX_BATCH, sizeof *s->push_payloads);
    if (!s->be || !s->push_items || !s->push_payloads) {
        if (s->be)
            snprintf(err, errlen, "out of memory");
        sync_free(s);
        return NULL;
    }
    if (strcmp(cfg->backend, "native") == 0) {
        struct http_options ho;
        sync_http_options(cfg, &ho);
        s->http = http_new(loop, &ho);
        if (!s->http) {
            snprintf(err, errlen, "sync: cannot start libcurl");
            sync_free(s);
            return NULL;
        }
    }
    /* cursors mean something only to the server that gave them: a till moved to another
     * backend starts its catalog, staff, stock, promotions and customers afresh */
    char was[32] = "";
    store_meta_get(store, "sync.backend", was, sizeof was);
    if (strcmp(was, cfg->backend) && (was[0] || strcmp(cfg->backend, "native"))) {
        char key[100];
        int rc = store_begin(store, STORE_TX_PLAIN);
        if (!rc)
            rc = catalog_set_cursor(store, 0);
        for (int ph = PULL_STAFF; !rc && ph <= PULL_CUSTOMERS; ph++) {
            cursor_key(s, (enum pull_phase)ph, key, sizeof key);
            rc = meta_set_int(s, key, 0);
        }
        if (!rc)
            rc = store_meta_set(store, "sync.backend", cfg->backend);
        if (rc || store_commit(store)) {
            store_rollback(store);
            snprintf(err, errlen, "sync: %s", store_errmsg(store));
            sync_free(s);
            return NULL;
        }
    }
    /* the catalog's writer is a thread; from now on the loop only reads the catalog */
    if (strcmp(store_catalog_path(store), ":memory:") != 0) {
        s->worker = catalog_worker_new(loop, store_catalog_path(store), on_job_done, s);
        if (!s->worker || store_catalog_read_only(store, 1)) {
            snprintf(err, errlen, "sync: cannot set up the catalog's writer: %s",
                     s->worker ? store_errmsg(store) : "out of memory");
            sync_free(s);
            return NULL;
        }
        store_bind_thread(store, 1);
        schedule_drain(s, 0); /* rows a crash left in the queue */
    }
    /* a till that starts from nothing reads the whole catalog anyway: no check right after */
    if (catalog_cursor_now(s) == 0)
        s->reconcile_due_ms = loop_now_ms(loop) + cfg->reconcile_interval_ms;
    refresh_counts(s);
    refresh_rejects(s);
    schedule_push(s, 0);
    schedule_pull(s, 0);
    return s;
}

static void on_order_done(void *ctx, const struct backend_reply *r)
{
    struct sync *s = ctx;
    s->order_req = 0;
    if (!s->order_cb)
        return;
    char why[200] = "";
    int found = -1;
    const char *body = NULL;
    if (r->outcome == BACKEND_OK) {
        found = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->doc, "found"));
        body = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r->doc, "body"));
        if (found && !body) {
            found = -1;
            snprintf(why, sizeof why, "the %s server has this order, but not in Till's order format", s->be->ops->name);
        }
    } else {
        snprintf(why, sizeof why, "%.190s", r->error);
    }
    sync_order_cb cb = s->order_cb;
    s->order_cb = NULL;
    cb(s->order_ctx, found, found == 1 ? body : NULL, found == 1 ? strlen(body) : 0, why);
}

int sync_get_order(struct sync *s, const char *key, sync_order_cb cb, void *ctx)
{
    sync_cancel_order(s);
    s->order_cb = cb;
    s->order_ctx = ctx;
    s->order_req = s->be->ops->lookup_order(s->be, key, on_order_done, s);
    if (!s->order_req) {
        s->order_cb = NULL;
        return -1;
    }
    return 0;
}

void sync_cancel_order(struct sync *s)
{
    if (s->order_req)
        s->be->ops->cancel(s->be, s->order_req);
    s->order_req = 0;
    s->order_cb = NULL;
}

void sync_free(struct sync *s)
{
    if (!s)
        return;
    snapshot_load_free(s->snap);
    drop_pages(s);
    if (s->worker) {
        catalog_worker_free(s->worker); /* waits for the page being written */
        store_bind_thread(s->store, 0);
        store_catalog_read_only(s->store, 0);
    }
    if (s->drain_timer)
        loop_cancel_timer(s->loop, s->drain_timer);
    if (s->be)
        s->be->ops->free(s->be);
    http_free(s->http);
    if (s->push_payloads)
        free_batch(s);
    free(s->push_items);
    free(s->push_payloads);
    if (s->push_timer)
        loop_cancel_timer(s->loop, s->push_timer);
    if (s->pull_timer)
        loop_cancel_timer(s->loop, s->pull_timer);
    memset(s->cfg.token, 0, sizeof s->cfg.token);
    free(s->push_keys);
    free(s);
}

void sync_kick(struct sync *s)
{
    refresh_counts(s);
    /* a backoff in progress (or a Retry-After) still holds: only an idle engine starts now */
    if (!s->push_req && !s->push_timer && !s->push_failures)
        schedule_push(s, 0);
    notify(s);
}

void sync_get_status(const struct sync *s, struct sync_status *out)
{
    *out = s->st;
}

void sync_get_stats(const struct sync *s, struct sync_stats *out)
{
    *out = s->stats;
    if (s->worker) {
        struct catalog_worker_stats w;
        catalog_worker_get_stats(s->worker, &w);
        out->writer_batches = w.batches;
        out->writer_rows = w.rows;
        out->writer_busy_us = w.busy_us;
        out->writer_longest_us = w.longest_batch_us;
        out->writer_vm_steps = w.vm_steps;
        out->writer_fullscan_steps = w.fullscan_steps;
        out->writer_sorts = w.sorts;
        out->writer_cache_hits = w.cache_hits;
        out->writer_cache_misses = w.cache_misses;
        out->writer_cache_writes = w.cache_writes;
        out->writer_cache_spills = w.cache_spills;
        out->writer_wal_max_bytes = w.wal_max_bytes;
    }
}

void sync_http_options(const struct sync_config *cfg, struct http_options *out)
{
    *out = (struct http_options){
        .bearer_token = cfg->token,
        .max_response_bytes = cfg->max_response_bytes,
        .connect_timeout_ms = cfg->connect_timeout_ms,
        .timeout_ms = cfg->timeout_ms,
        .tls = { cfg->ca_file[0] ? cfg->ca_file : NULL, cfg->pinned_pubkey[0] ? cfg->pinned_pubkey : NULL,
                 cfg->insecure_tls },
    };
}
