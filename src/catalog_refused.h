/* Rows of the server's catalog pages that the catalog's writer thread refused (and valid
 * versions it applied of records refused before), waiting in the catalog file for the loop
 * to carry them into the main database's sync_rejects (src/sync_rejects.c).  A queue, so
 * that no transaction spans the two files: the writer adds a row in the transaction that
 * moves the catalog cursor past it; the loop parks it (parking or settling the same
 * version twice does nothing); the writer deletes it afterwards.  A crash anywhere in
 * between parks each row exactly once.  This module owns the catalog_refused table. */
#ifndef TILL_CATALOG_REFUSED_H
#define TILL_CATALOG_REFUSED_H

#include <stdint.h>

struct store;

enum catalog_refused_kind {
    CATALOG_REFUSED_PARK = 0,     /* a row refused: park it */
    CATALOG_REFUSED_APPLIED = 1,  /* a valid version applied: older refused ones are settled */
};

struct catalog_refused_row {
    int64_t id;
    enum catalog_refused_kind kind;
    int64_t seq;
    const char *key, *reason, *raw;
    int64_t at;
};

/* The writer's connection (store_open_catalog): creates the table if it is not there. */
int catalog_refused_open(struct store *st);
/* Inside the writer's transaction. */
int catalog_refused_add(struct store *st, enum catalog_refused_kind kind, int64_t seq, const char *key,
                        const char *reason, const char *raw, int64_t now);
/* *out = 1 when a refused row of key is still queued. */
int catalog_refused_has_park(struct store *st, const char *key, int *out);
int catalog_refused_count(struct store *st, int64_t *out);
/* Inside the writer's transaction: the rows the loop has carried over. */
int catalog_refused_delete_upto(struct store *st, int64_t id);
/* Either connection (the loop's reads the attached catalog): calls fn for up to max rows
 * after after_id, oldest first; a non-zero return stops.  The number given, or < 0; 0 when
 * no writer ever made the table. */
typedef int (*catalog_refused_fn)(void *ctx, const struct catalog_refused_row *r);
int catalog_refused_each(struct store *st, int64_t after_id, int max, catalog_refused_fn fn, void *ctx);

#endif
