/* The outbox seen by a manager: what has not been accepted by the store server yet, and
 * sending a rejected (parked) order again. */
#ifndef TILL_OUTBOX_H
#define TILL_OUTBOX_H

#include <stdio.h>

struct store;

/* Lists pending and parked rows with their attempts and last error; 0 or -1. */
int outbox_print(struct store *st, FILE *out);
/* Puts a parked row back in the queue: 0 done, 1 no parked row with that key, -1 error. */
int outbox_retry_parked(struct store *st, const char *key);

#endif
