/* The sync engine: completed sales and stock adjustments go up from the outbox, catalog and
 * staff records and stock levels come down by cursor.  Everything runs as callbacks of the main loop (HTTP on
 * curl multi), except that catalog pages are written by the catalog's writer thread
 * (offline/catalog_worker.c; the loop then only reads the catalog); the local database is
 * changed only after an answer's envelope has been checked, and a row of a page the till
 * cannot take is parked alone (src/sync_rejects.c). */
#ifndef TILL_SYNC_H
#define TILL_SYNC_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct store;
struct config;
struct sync;

struct sync_config {
    char url[256];              /* base URL, e.g. https://store.example.com */
    char token[256];            /* bearer token, read from sync.token_file */
    char ca_file[256];          /* "" = system CA bundle */
    char pinned_pubkey[256];    /* "" = no pinning; else curl's sha256//... */
    char location[64];          /* stock location of this store */
    int batch;                  /* orders per POST */
    int page_size;              /* catalog/stock changes per page */
    int64_t pull_interval_ms;   /* how often catalog and stock are asked for changes */
    int64_t backoff_base_ms, backoff_max_ms;
    size_t max_response_bytes;
    long connect_timeout_ms, timeout_ms;
    int insecure_tls;           /* tests only: certificates not checked (a loud warning) */
    int plain_http;             /* http:// to a host that is not this machine (sync.allow_plain_http) */
    int64_t now_deadline_ms;    /* till --sync-now gives up after this long */
    int snapshot;               /* bootstrap a new or far-behind catalog from a snapshot */
    int64_t snapshot_pause_ms;  /* tests only: a pause between the loader's slices */
    char backend[16];           /* "native" (assets/store-api.yaml) or "vendure" */
    int64_t reconcile_interval_ms; /* a backend without tombstones: full catalog check, 0 = never */
    struct {                    /* sync.backend = vendure (README "Vendure") */
        char channel_token[128];    /* the vendure-token header; "" = the default channel */
        int api_key;                /* 1: the token is an API key (vendure-api-key); 0: a bearer token */
        char tax_classes[512];      /* "Vendure tax category=Till tax class; ..." */
        char stock_location[128];   /* the Vendure stock location of this store; "" = all */
        char shipping_method[64];   /* the code of the shipping method till sales get */
        char customer_email[128];   /* the walk-in customer till sales belong to */
        int plugin;                 /* Till's batch-import plugin: 1 on, 0 off, -1 find out */
        int64_t overlap_s;          /* each catalog round starts this far back */
        int prices_include_tax;     /* store.tax_mode = inclusive: Till takes priceWithTax */
        int64_t draft_cleanup_s;    /* plain Admin API: empty drafts without a key this old are deleted */
    } vendure;
};

struct http_options;
/* The HTTP options every client of the store server shares: the token, the response cap,
 * the timeouts and the TLS settings of cfg (texts point into cfg). */
void sync_http_options(const struct sync_config *cfg, struct http_options *out);

/* Reads sync.* from config.  Returns 0 with *configured = 0 when sync.url is not set.  The
 * token file must exist and be owner-only (no group or other bits): otherwise an error.  A
 * plain http:// URL is refused unless it names this machine (localhost, 127.x, [::1]) or
 * sync.allow_plain_http = yes. */
int sync_config_from(const struct config *cfg, struct sync_config *out, int *configured,
                     char *err, size_t errlen);

/* 1 when url's host is this machine: localhost, 127.0.0.0/8 or [::1]. */
int sync_url_is_loopback(const char *url);

struct sync_status {
    int online;                 /* the last request to the store API succeeded (a valid 200 answer) */
    int64_t queued;             /* outbox rows waiting to be sent (audit rows apart) */
    int64_t queued_audit;       /* audit rows waiting to be sent */
    int64_t parked;             /* rejected by the server: a manager must look */
    int64_t last_sync_at;       /* Unix seconds of the last successful exchange, 0 = never */
    int64_t rounds;             /* completed rounds: catalog + stock pulled and outbox empty */
    int refused;                /* the last answer was 401, 403 or 404: retrying will not help */
    char last_error[200];
    /* catalog sync in progress (the header shows it): products done of total, and an
     * estimate of the time left (-1: not known yet) */
    int catalog_busy;
    int catalog_snapshot;       /* by snapshot (else by pages of changes) */
    int64_t catalog_done, catalog_total, catalog_eta_s;
    /* rows of the server's pages this till refused and parked (src/sync_rejects.c), not
     * yet replaced by a valid version: a manager looks (till --sync-rejects) */
    int64_t refused_rows, refused_catalog;
};

struct sync_stats {
    int64_t requests;
    int64_t orders_sent;        /* orders accepted or duplicate */
    int64_t docs_sent;          /* the other documents: stock adjustments, cash movements, shifts */
    int64_t audit_sent;         /* audit rows */
    int64_t catalog_changes;    /* applied */
    int64_t catalog_pages;
    int64_t stock_changes;
    int64_t staff_changes;      /* staff records applied (upserts and tombstones) */
    int64_t errors;
    int64_t snapshots;          /* snapshots swapped in */
    int64_t snapshot_bytes;     /* their compressed bytes (on the wire, unless resumed) */
    int64_t snapshot_resumed_at;/* the last download went on from this byte (0: from the start) */
    int64_t longest_slice_us;   /* the longest the sync held the loop in one go */
    int64_t rows_refused;       /* rows of pages parked by this engine (each version once) */
    int64_t log_waits;          /* 2 ms pauses for the catalog's checkpoint thread */
    /* the catalog's writer thread (offline/catalog_worker.c): transactions, pages in them,
     * time in them and the longest one */
    int64_t writer_batches, writer_rows, writer_busy_us, writer_longest_us;
    int64_t writer_vm_steps, writer_fullscan_steps, writer_sorts;   /* its statements' cost */
    int64_t writer_cache_hits, writer_cache_misses, writer_cache_writes, writer_cache_spills;
    int64_t writer_wal_max_bytes;
};

typedef void (*sync_changed_cb)(void *ctx);
typedef void (*sync_log_cb)(void *ctx, const char *line);

struct sync *sync_new(struct loop *loop, struct store *store, const struct sync_config *cfg,
                      sync_changed_cb changed, sync_log_cb log, void *ctx, char *err, size_t errlen);
void sync_free(struct sync *s);
/* A sale was committed: send it soon (still respecting a server's Retry-After). */
void sync_kick(struct sync *s);
void sync_get_status(const struct sync *s, struct sync_status *out);

/* One order from the store server (GET /v1/orders/{key}), for a return against a receipt
 * from any till.  found: 1 with the answer's body, 0 when the server has no such order, -1
 * when it could not be asked (why says so).  One lookup at a time: a new one cancels the
 * last; cb is called once, from the loop. */
typedef void (*sync_order_cb)(void *ctx, int found, const char *body, size_t len, const char *why);
int sync_get_order(struct sync *s, const char *key, sync_order_cb cb, void *ctx);
void sync_cancel_order(struct sync *s);
void sync_get_stats(const struct sync *s, struct sync_stats *out);

#endif
