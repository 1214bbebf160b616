/* Validation of uploaded orders and stock adjustments, and their per-item results. */
#ifndef TILL_SERVER_ORDERS_H
#define TILL_SERVER_ORDERS_H

#include <cjson/cJSON.h>

#include "server/server_db.h"

/*
 * Checks one ORDER, stores it when valid (deduplicated by its idempotency_key) and appends
 * its result object to results. SDB_ERROR only for a storage failure.
 */
int orders_handle(struct sdb *db, const cJSON *order, const char *store_currency, cJSON *results);
/* The same for one stock adjustment. */
int adjustments_handle(struct sdb *db, const cJSON *adj, cJSON *results);

#endif
