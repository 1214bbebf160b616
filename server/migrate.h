/*
 * `till-server migrate --from STORE.db --to postgresql://...`: a store's SQLite database
 * copied into PostgreSQL (or any backend to any other, see sql.h), every table, rows
 * keeping their ids, in one transaction.  A row already there (same primary or unique
 * key) is left alone, so a second run copies nothing; the counts are compared at the end.
 */
#ifndef TILL_SERVER_MIGRATE_H
#define TILL_SERVER_MIGRATE_H

#include <stdio.h>

/* 0 when every table holds as many rows at the destination as at the source (report
 * lines on out), -1 with err otherwise. */
int migrate_store(const char *from, const char *to, FILE *out, char *err, size_t errlen);

#endif
