/* The audit log's rows as the store API carries them (assets/store-api.yaml: AuditRow):
 * each chained row once, in order, keyed "terminal:audit:seq" (seq is the row's id), so the
 * server can check the chain per terminal.  Rows are queued from the log into the outbox
 * as sync rounds come, not in the audited event's transaction: the log is src/store.c's,
 * and a row waits there until it is queued. */
#ifndef TILL_OFFLINE_AUDIT_DOC_H
#define TILL_OFFLINE_AUDIT_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "src/store.h"

/* "T1:audit:42" */
void audit_doc_key(const char *terminal_id, int64_t seq, char *out, size_t len);
/* JSON (malloc'd; the caller frees): 0, or -1 when out of memory. */
int audit_doc_json(const struct store_audit_row *row, char **out);
/* Queues the chained rows written since the last call (at most max), in one transaction;
 * the last row queued is kept in meta audit.queued.  How many were queued, or < 0. */
int audit_doc_enqueue_new(struct store *st, int max);
/* How many chained rows wait in the log, not yet queued: STORE_OK or < 0. */
int audit_doc_unqueued(struct store *st, int64_t *out);

#endif
