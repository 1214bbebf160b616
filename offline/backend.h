/* The store backend the sync engine talks to: a vtable, like the drivers.  The native
 * contract (assets/store-api.yaml, our reference server) and Vendure's Admin GraphQL API
 * are two implementations, chosen by sync.backend.
 *
 * The engine (offline/sync.c) owns the schedule, the backoff, the outbox and the local
 * writes; a backend only turns one engine request into requests to its server and the
 * answer back into the native contract's shape, so every backend's pages and results are
 * checked and applied by the same code.  All calls return at once; done runs later from
 * the loop, exactly once, unless the request is cancelled. */
#ifndef TILL_BACKEND_H
#define TILL_BACKEND_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "offline/outbox.h"

struct loop;
struct store;
struct config;
struct sync_config;

enum backend_outcome {
    BACKEND_OK,        /* doc holds the answer */
    BACKEND_RETRY,     /* nothing is known to have changed: ask again later (transport, 5xx,
                        * 429, an unreadable answer, a server not set up for Till) */
    BACKEND_REFUSED,   /* the server refuses the content: a batch goes again one by one, a
                        * single order or adjustment is parked for a manager */
};

struct backend_reply {
    enum backend_outcome outcome;
    long status;                /* HTTP status of the last request, 0 = none */
    int64_t retry_after_s;      /* the server's Retry-After, -1 = none */
    /* OK: the answer in the native contract's shape, owned by the backend and valid during
     * the callback.  A page: {"changes"|"staff"|"levels": [...], "has_more": b, "next_cursor": n};
     * a push: {"results": [{"idempotency_key", "status": accepted|duplicate|rejected,
     * "ref", "reason"}]}; a lookup: {"found": b, "ref": s, "state": s, "body": the order in
     * the native contract's JSON, where the backend has it}. */
    const cJSON *doc;
    size_t bytes;               /* how much came over the wire */
    cJSON **take;               /* when set, *take is doc and the engine may keep it (setting
                                 * *take to NULL) instead of copying a page it holds on to */
    char error[320];            /* RETRY / REFUSED: what went wrong, for the status bar */
};

typedef void (*backend_done_cb)(void *ctx, const struct backend_reply *r);

enum backend_feed {
    BACKEND_CATALOG,     /* changes since the cursor, tombstones included where the server has them */
    BACKEND_STAFF,       /* staff records (ids, names, roles, PIN hashes) */
    BACKEND_STOCK,       /* stock levels of this store's location */
    BACKEND_PROMOTIONS,  /* promotions (offline/feeds.c applies them) */
    BACKEND_CUSTOMERS,   /* customers and their groups */
    BACKEND_RECONCILE,   /* the whole catalog from cursor 0, then tombstones for every local
                          * product the server no longer has (a server without a tombstone
                          * feed); the cursor is the backend's own, kept only in memory */
};

/* One outbox row for a push: its stored payload is the native contract's JSON. */
struct backend_item {
    int64_t id;
    const char *key;
    const char *payload;
    size_t len;
};

struct backend;

struct backend_ops {
    const char *name;
    /* A page of feed since cursor (at most limit entries).  Returns a request id > 0, 0 when
     * it could not start (done is then never called). */
    uint64_t (*pull)(struct backend *b, enum backend_feed feed, int64_t since, int limit,
                     backend_done_cb done, void *ctx);
    /* Sends n rows of one outbox kind; the answer has one result per row it settled (a row
     * without a result is sent again later). */
    uint64_t (*push)(struct backend *b, enum outbox_kind kind, const struct backend_item *items, int n,
                     backend_done_cb done, void *ctx);
    /* Whether the server holds the order with this idempotency key. */
    uint64_t (*lookup_order)(struct backend *b, const char *key, backend_done_cb done, void *ctx);
    /* Stops a request: done is not called. */
    void (*cancel)(struct backend *b, uint64_t id);
    /* Most rows one push should carry (the engine takes the smaller of this and sync.batch). */
    int (*max_batch)(struct backend *b, enum outbox_kind kind);
    void (*free)(struct backend *b);
    int has_reconcile;   /* offers BACKEND_RECONCILE */
};

struct backend {
    const struct backend_ops *ops;
};

/* Each returns NULL with a reason in err. */
struct backend *backend_native_new(struct loop *loop, const struct sync_config *cfg, char *err, size_t errlen);
struct backend *backend_vendure_new(struct loop *loop, struct store *store, const struct sync_config *cfg,
                                    char *err, size_t errlen);

/* Reads the vendure.* keys (and store.tax_mode) into out->vendure: 0, or -1 with err. */
int backend_vendure_config(const struct config *cfg, struct sync_config *out, char *err, size_t errlen);

/* Tests and fuzzing: body handled as Vendure's answer to a catalog page (kind 0), a stock
 * page (1), the plugin's batch import (2), an order look-up (3), or a page of the plugin's
 * catalog (4) or stock (5) changes, without a request; done is called before it returns. */
void backend_vendure_answer(struct backend *b, int kind, int64_t since, const char *body, size_t len,
                            backend_done_cb done, void *ctx);

/* Shared by the backends: a non-empty string no longer than maxlen, or NULL (integers:
 * offline/json_num.h). */
const char *backend_json_str(const cJSON *o, const char *name, size_t maxlen);

#endif
