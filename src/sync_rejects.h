/* Rows of the store server's pages that this till refused: a catalog, staff, stock,
 * promotions or customers record it cannot take (a barcode with a wrong check digit, a
 * price out of bounds, an unknown role ...) or could not store (a constraint of its own).
 * The sync applies the rest of the page and moves its cursor on; the refused row waits
 * here with its reason for a manager (till --sync-rejects, the status bar).  A later valid
 * version of the same record supersedes it.  This module owns the sync_rejects table. */
#ifndef TILL_SYNC_REJECTS_H
#define TILL_SYNC_REJECTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct store;

#define SYNC_REJECT_RAW_MAX 2048    /* bytes of the row kept, "..." after a cut */
#define SYNC_REJECT_KEY_MAX 80
#define SYNC_REJECT_REASON_MAX 300

struct sync_reject {
    int64_t id;
    char feed[16];
    int64_t seq;
    char key[SYNC_REJECT_KEY_MAX];
    char reason[SYNC_REJECT_REASON_MAX];
    char raw[SYNC_REJECT_RAW_MAX + 4];
    int64_t refused_at;
    int64_t superseded_at;          /* 0: still open */
};

/* Inside the caller's transaction.  Records the row (raw: its JSON, cut to
 * SYNC_REJECT_RAW_MAX bytes on a character boundary).  1 when it is new, 0 when this very
 * version (feed, key, seq) was refused before (a page fetched again), < 0 on error. */
int sync_rejects_park(struct store *st, const char *feed, int64_t seq, const char *key, const char *reason,
                      const char *raw, int64_t now);
/* Inside the caller's transaction: a version of key with this seq was applied, so every
 * open reject of it with a lower seq is superseded.  How many were, or < 0. */
int sync_rejects_supersede(struct store *st, const char *feed, const char *key, int64_t seq, int64_t now);
/* Inside the caller's transaction: a manager dealt with open reject id; it is closed like
 * a superseded one (the audit row the caller writes says who).  STORE_OK, STORE_NOTFOUND
 * (no open reject with that id) or < 0. */
int sync_rejects_dismiss(struct store *st, int64_t id, int64_t now);
/* Open rejects of feed (NULL: of every feed). */
int sync_rejects_count_open(struct store *st, const char *feed, int64_t *out);
/* Calls each for every reject, newest first (open only unless all); a non-zero return
 * stops.  Returns 0, or < 0 on a read error. */
typedef int (*sync_rejects_fn)(void *ctx, const struct sync_reject *r);
int sync_rejects_each(struct store *st, int all, sync_rejects_fn each, void *ctx);
/* till --sync-rejects: the open rejects, then a summary line; 0 or -1 on a read error. */
int sync_rejects_print(struct store *st, FILE *out);

#endif
