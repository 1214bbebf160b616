/* Shifts and cash movements as the store API carries them (assets/store-api.yaml:
 * CashMovement, Shift): their wire format and idempotency keys, built once, here.  Both
 * are queued in the outbox inside the transaction of their event and sent like orders. */
#ifndef TILL_OFFLINE_SHIFT_DOC_H
#define TILL_OFFLINE_SHIFT_DOC_H

#include <stddef.h>

#include "core/shift_report.h"
#include "src/shifts.h"

struct store;

/* "terminal:cash:uuid" and "terminal:shift:uuid". */
void shift_doc_movement_key(const char *terminal_id, const struct cash_movement *m, char *out, size_t len);
void shift_doc_shift_key(const struct shift *sh, char *out, size_t len);
/* JSON (malloc'd; the caller frees): 0, or -1 when out of memory. */
int shift_doc_movement_json(const char *terminal_id, const char *shift_uuid, const struct cash_movement *m,
                            char **out);
int shift_doc_shift_json(const struct shift *sh, const struct shift_report *r, const char *currency, char **out);
/* Queue them (inside the caller's transaction). */
int shift_doc_enqueue_movement(struct store *st, const char *terminal_id, const char *shift_uuid,
                               const struct cash_movement *m);
int shift_doc_enqueue_shift(struct store *st, const struct shift *sh, const struct shift_report *r,
                            const char *currency);

#endif
