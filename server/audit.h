/*
 * The tills' audit logs on the server (POST /v1/audit): each row stored once per terminal
 * and seq, and the chain checked as rows arrive.  A row's hash is recomputed over the
 * canonical encoding of assets/store-api.yaml (AuditRow; the till's src/store.c writes the
 * same, but the server links none of the till's code), and its prev_hash must be the hash
 * of the row the server holds just before it for that terminal.  A break is flagged (a row
 * in audit_breaks, a line in the log, `till-server audit`), never refused: the till has
 * committed the row, and refusing it would only hide it.
 */
#ifndef TILL_SERVER_AUDIT_H
#define TILL_SERVER_AUDIT_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "server/orders.h"
#include "server/server_db.h"

#define AUDIT_HASH_HEX 65

/* The canonical hash of a row: SHA-256 over "till-audit-v1", at, terminal, cashier, event,
 * detail, prev_hash, each as "<length>:<bytes>" and NULL (or empty detail/prev_hash) as
 * "-"; lower-case hex. */
void server_audit_hash(long long at, const char *terminal, const char *cashier, const char *event,
                       const char *detail, const char *prev_hash, char out[AUDIT_HASH_HEX]);
/* One row of a POST /v1/audit batch: "accepted" (new), "duplicate" (held already, the
 * same), or "accepted" with a break flagged; "rejected" only when it is not a row at all. */
int server_audit_handle_row(struct sdb *db, const cJSON *item, const struct orders_rules *rules,
                            cJSON *results);
/* till-server audit: per terminal the rows held and the last seq, then every break. */
int server_audit_report(struct sdb *db, FILE *out);
/* Breaks flagged so far (all terminals). */
int server_audit_breaks(struct sdb *db, long long *out);

#endif
