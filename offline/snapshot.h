/* Catalog bootstrap from a snapshot (assets/store-api.yaml, "Catalog snapshots").
 *
 * The server offers its whole catalog as of a cursor: a catalog database
 * (assets/catalog-schema.sql) compressed with zstd, named by its SHA-256.  The loader
 * downloads it into a .part file beside the catalog (resumed with a Range after an
 * interruption), then in slices on the loop hashes and inflates it into a .new file,
 * verifies the hash, the inflated size and the file's own cursor, and hands it to
 * store_catalog_swap, which renames it over the catalog: the old catalog is in use until
 * that moment.  Nothing here holds the loop for more than a few milliseconds. */
#ifndef TILL_SNAPSHOT_H
#define TILL_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct http;
struct store;
struct snapshot_load;

/* What the server says about its snapshot (GET /v1/catalog/snapshot). */
struct snapshot_info {
    char sha256[65];           /* lower-case hex of the compressed file */
    char url[512];             /* where to download it: a path on the server */
    int64_t cursor;            /* the catalog sequence it is complete up to */
    int64_t products;
    int64_t bytes;             /* compressed, on the wire */
    int64_t raw_bytes;         /* the catalog database inflated */
    int schema;                /* PRAGMA user_version of the catalog database */
};

/* Parses the answer: 1 with *info filled when a snapshot is offered, 0 when the server
 * says deltas are the way ("snapshot": null), -1 (why says it) when the answer is not
 * valid.  Bounded: every field checked; the url must be a path ("/..."). */
int snapshot_info_parse(const char *body, size_t len, struct snapshot_info *info, char *why, size_t whylen);

enum snapshot_stage { SNAPSHOT_IDLE, SNAPSHOT_DOWNLOAD, SNAPSHOT_LOAD, SNAPSHOT_DONE, SNAPSHOT_FAILED };

struct snapshot_progress {
    enum snapshot_stage stage;
    int64_t products;          /* in the snapshot */
    int64_t bytes, downloaded, loaded;  /* compressed bytes: in all, on disk, hashed and inflated */
    int64_t resumed_at;        /* > 0: the download went on from this byte */
    int64_t longest_slice_us;  /* the longest the loader held the loop */
};

/* Called once when the load ends: ok = the new catalog is in place. */
typedef void (*snapshot_done_cb)(void *ctx, int ok, const char *message);
typedef void (*snapshot_progress_cb)(void *ctx);

/* Starts loading info's snapshot from base_url (the server's) into st's catalog.  Returns
 * NULL (err says why) when it cannot start; done is never called from inside this call. */
struct snapshot_load *snapshot_load_start(struct loop *loop, struct http *http, struct store *st,
                                          const char *base_url, const struct snapshot_info *info,
                                          int64_t pause_ms, snapshot_progress_cb progress,
                                          snapshot_done_cb done, void *ctx, char *err, size_t errlen);
/* Stops (a download is resumed next time); the old catalog stays. */
void snapshot_load_free(struct snapshot_load *l);
void snapshot_load_progress(const struct snapshot_load *l, struct snapshot_progress *out);

#endif
