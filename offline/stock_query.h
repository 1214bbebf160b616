/* A live stock lookup: GET /v1/stock-level (assets/store-api.yaml) for one item at one
 * location, on curl multi inside the main loop, so the cashier's keys never wait for the
 * store server.  One question at a time: a new one replaces the one in flight. */
#ifndef TILL_OFFLINE_STOCK_QUERY_H
#define TILL_OFFLINE_STOCK_QUERY_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct sync_config;
struct stock_query;

#define STOCK_QUERY_TEXT_MAX 64

struct stock_level_answer {
    char sku[STOCK_QUERY_TEXT_MAX + 1];
    char location[STOCK_QUERY_TEXT_MAX + 1];
    int known;                 /* the server holds a level for it */
    int64_t on_hand;           /* thousandths, when known */
};

/* ok 1 with the answer; ok 0 with why (no answer, an HTTP error, an answer not readable). */
typedef void (*stock_query_cb)(void *ctx, int ok, const struct stock_level_answer *a, const char *why);

/* Uses the sync configuration's URL, token and TLS settings, with short timeouts (a person
 * is waiting): NULL when libcurl cannot start. */
struct stock_query *stock_query_new(struct loop *loop, const struct sync_config *cfg);
void stock_query_free(struct stock_query *q);   /* a question in flight is dropped unanswered */
/* Asks for sku at location; cb is called once, from the loop.  0, or -1 (too long, no
 * memory: cb is not called). */
int stock_query_ask(struct stock_query *q, const char *sku, const char *location, stock_query_cb cb, void *ctx);
/* Drops the question in flight, unanswered. */
void stock_query_cancel(struct stock_query *q);

/* Checks an answer's body (bytes from outside: tests/fuzz_stock_level.c): JSON of the
 * contract, about sku at location, on_hand a whole number within +/-2^50 when known.
 * 0, or -1 with why. */
int stock_level_parse(const char *body, size_t len, const char *sku, const char *location,
                      struct stock_level_answer *out, char *why, size_t whylen);

#endif
