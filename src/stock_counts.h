/* Stock counts taken on this till, and goods received (a delivery scanned on the same
 * screen): the stock_counts and stock_count_entries tables (migrations 007, 011) and their
 * SQL.  Every entry is its own transaction, so a count survives a crash entry for entry;
 * undo marks the last entry, it never deletes it. */
#ifndef TILL_STOCK_COUNTS_H
#define TILL_STOCK_COUNTS_H

#include <stdint.h>

#include "core/stock_count.h"

struct store;

#define STOCK_COUNT_ID_LEN 20
#define STOCK_COUNT_ZONE_LEN 48

struct stock_count_info {
    char id[STOCK_COUNT_ID_LEN];
    char zone[STOCK_COUNT_ZONE_LEN];
    int full_store;
    int blind;
    int submitted;
    int abandoned;                  /* given up: nothing was or will be sent */
    int receiving;                  /* goods in: each item's quantity adds to stock */
    int active;
    int uncounted_as_zero;
    char counted_by[32];
    int64_t started_at, finished_at;
    int64_t entries;                /* entries not undone */
};

/* Starts a count (or goods in, c->receiving): STORE_OK, STORE_EBUSY when this till already
 * has an open one of that kind in that zone (*existing gets its id), or an error. */
int stock_count_create(struct store *st, const struct stock_count_info *c, char existing[STOCK_COUNT_ID_LEN]);
/* STORE_OK, STORE_NOTFOUND or < 0. */
int stock_count_get(struct store *st, const char *id, struct stock_count_info *out);
/* The open counts, newest first: how many (at most max), or < 0. */
int stock_count_list_open(struct store *st, struct stock_count_info *out, int max);
/* The count that was on screen when Till stopped (a crash, a kill): STORE_OK or NOTFOUND. */
int stock_count_find_active(struct store *st, struct stock_count_info *out);
int stock_count_set_active(struct store *st, const char *id, int active);
int stock_count_set_uncounted_as_zero(struct store *st, const char *id, int as_zero);

/* Saves an entry as the count's next (e->seq is set). */
int stock_count_add_entry(struct store *st, const char *id, struct count_entry *e);
/* Marks the last entry not yet undone as undone: STORE_OK (*undone is it), STORE_NOTFOUND. */
int stock_count_undo_last(struct store *st, const char *id, struct count_entry *undone);
/* Calls each for the entries not undone, in order; 0 or the first non-zero return. */
typedef int (*stock_count_entry_fn)(void *ctx, const struct count_entry *e);
int stock_count_each_entry(struct store *st, const char *id, stock_count_entry_fn each, void *ctx);
/* Inside the caller's transaction (the one that queues its adjustments). */
int stock_count_mark_submitted(struct store *st, const char *id, int64_t at);
/* Gives an open count up (state abandoned; its entries stay for the record): STORE_OK,
 * STORE_NOTFOUND when it is not open. */
int stock_count_abandon(struct store *st, const char *id, int64_t at, const char *by);

#endif
