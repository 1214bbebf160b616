/* The "results" array every document push answers with (orders, staff changes, audit
 * rows): one entry per idempotency key with its status, and a code and reason when the
 * item is rejected (assets/store-api.yaml, PushResult). */
#ifndef TILL_SERVER_RESULTS_H
#define TILL_SERVER_RESULTS_H

#include <cjson/cJSON.h>

/* Appends {"idempotency_key": key or null, "status": status}; NULL when out of memory. */
cJSON *results_add(cJSON *results, const char *key, const char *status);
/* Appends a rejected item; code is "invalid", "conflict" or "out_of_range" (the till parks
 * the item with the reason).  SDB_OK, or SDB_ERROR when out of memory. */
int results_reject(cJSON *results, const char *key, const char *code, const char *reason);

#endif
