/*
 * Catalog snapshots (assets/store-api.yaml, "Catalog snapshots"): the whole live catalog
 * as of a catalog seq, as the till's catalog database (assets/catalog-schema.sql, built
 * with its name index) compressed with zstd and named by its SHA-256.  Files live beside
 * the server's database: DB.snapshot-SEQ-HASH16.zst and DB.snapshot.json (the newest's
 * description).  Built once per catalog state and kept until the catalog has moved on.
 */
#ifndef TILL_SERVER_SNAPSHOT_H
#define TILL_SERVER_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "server/server_db.h"
#include "server/strbuf.h"

struct snapshot_file {
    char name[96];            /* SEQ-HASH16.zst: the last part of its URL */
    char sha256[65];
    int64_t cursor, products, bytes, raw_bytes;
};

/* Where a store's snapshots live: DIR/catalog when dir is given, else beside a SQLite
 * database; -1 (with err) for PostgreSQL without a directory. */
int snapshot_prefix(const char *db_target, const char *dir, char *out, size_t len, char *err, size_t errlen);

/* Builds a snapshot of the store's catalog now (the "snapshot" command). store is a
 * connection to the database db_target. */
int snapshot_build(struct sdb *store, const char *db_target, const char *prefix, int level,
                   struct snapshot_file *out, char *err, size_t errlen);

/*
 * The answer to GET /v1/catalog/snapshot?since=SINCE: a snapshot when the till is new
 * (since 0) or at least min_changes behind, built first when none is fresh enough;
 * otherwise {"snapshot":null}.  Thread- and process-safe (one build at a time).
 */
int snapshot_answer(struct sdb *store, const char *db_target, const char *prefix, int64_t since,
                    int64_t min_changes, struct strbuf *out, char *err, size_t errlen);

/* The file for a URL name: an open fd and its size, or -1 (unknown or malformed name). */
int snapshot_open(const char *prefix, const char *name, int64_t *size);

/* Test faults for downloads: the next `cut` answers stop halfway (connection dropped), the
 * next `corrupt` ones carry one flipped byte.  SPEC "cut=N,corrupt=N". */
int snapshot_faults_init(const char *spec);
void snapshot_faults_take(int *cut, int *corrupt);

#endif
