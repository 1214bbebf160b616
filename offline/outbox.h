/* The outbox: every business event that must reach the central store API, exactly once
 * (orders, stock adjustments, cash movements, closed shifts).  This module owns the outbox table: a row is enqueued in
 * the transaction of its event, sent in batches oldest first, then marked sent, or parked
 * with the server's reason for a manager, who can put it back in the queue. */
#ifndef TILL_OUTBOX_H
#define TILL_OUTBOX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct store;

enum outbox_kind { OUTBOX_ORDER, OUTBOX_STOCK_ADJUSTMENT, OUTBOX_CASH_MOVEMENT, OUTBOX_SHIFT, OUTBOX_AUDIT,
                   OUTBOX_KIND_COUNT };
enum outbox_state {
    OUTBOX_PENDING,   /* waiting to be sent (again) */
    OUTBOX_SENT,      /* the server accepted it (or already had it) */
    OUTBOX_PARKED,    /* the server rejected it: never retried on its own */
};

#define OUTBOX_KEY_MAX 128

struct outbox_entry {
    int64_t id;
    enum outbox_kind kind;
    enum outbox_state state;
    char key[OUTBOX_KEY_MAX];   /* the idempotency key */
    int64_t created_at, sent_at;
    int attempts;
    char server_ref[64];        /* the server's order id, or why it was parked */
    char last_error[320];
};

/* "order", "stock_adjustment", "cash_movement", "shift"; "pending", "sent", "parked". */
const char *outbox_kind_name(enum outbox_kind kind);
const char *outbox_state_name(enum outbox_state state);

/* Queues payload (the exact JSON to send) under its idempotency key: STORE_OK or an error
 * code (a key already queued is an error: an event is queued once). */
int outbox_enqueue(struct store *st, enum outbox_kind kind, const char *key, const char *payload,
                   int64_t created_at);
/* Calls each for up to max pending rows of kind, oldest first; returns how many, or < 0.
 * each must not use the outbox itself; a non-zero return stops the batch there. */
typedef int (*outbox_row_fn)(void *ctx, int64_t id, const char *key, const char *payload, size_t len);
int outbox_next_batch(struct store *st, enum outbox_kind kind, int max, outbox_row_fn each, void *ctx);
/* A pending row was accepted (server_ref: the server's order id or its status). */
int outbox_mark_sent(struct store *st, int64_t id, int64_t at, const char *server_ref);
/* A pending row was rejected: parked with the reason, for a manager. */
int outbox_park(struct store *st, int64_t id, const char *reason, const char *server_ref);
/* Puts a parked row back in the queue: 0 done, 1 no parked row with that key, -1 error. */
int outbox_retry_parked(struct store *st, const char *key);
/* Rows in state, audit rows left out (they are the log's copy, not documents anyone waits
 * for); outbox_count_kind counts one kind (OUTBOX_KIND_COUNT: as outbox_count). */
int outbox_count(struct store *st, enum outbox_state state, int64_t *out);
int outbox_count_kind(struct store *st, enum outbox_state state, enum outbox_kind kind, int64_t *out);
/* STORE_OK, STORE_NOTFOUND or < 0. */
int outbox_get(struct store *st, const char *key, struct outbox_entry *out);
/* The manager's list (till --outbox): pending and parked rows with their attempts and
 * last error, then a count; 0 or -1. */
int outbox_print(struct store *st, FILE *out);

#endif
