/* The stock adjustment as the store API carries it: built once, here. */
#include "offline/adjustment.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "offline/outbox.h"
#include "src/store.h"

void adjustment_idempotency_key(const struct stock_adjustment *a, char *out, size_t len)
{
    /* within OUTBOX_KEY_MAX: 31 + 1 + 19 + 1 + 31 */
    snprintf(out, len, "%.31s:%.19s:%.31s", a->terminal_id, a->document, a->sku);
}

int adjustment_to_json(const struct stock_adjustment *a, char **out)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return -1;
    char key[OUTBOX_KEY_MAX];
    adjustment_idempotency_key(a, key, sizeof key);
    cJSON_AddStringToObject(o, "idempotency_key", key);
    cJSON_AddStringToObject(o, "sku", a->sku);
    cJSON_AddStringToObject(o, "location", a->location);
    cJSON_AddStringToObject(o, "kind", a->kind);
    cJSON_AddNumberToObject(o, "quantity", (double)a->quantity);
    cJSON_AddNumberToObject(o, "occurred_at", (double)a->occurred_at);
    if (a->reason && *a->reason)
        cJSON_AddStringToObject(o, "reason", a->reason);
    *out = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return *out ? 0 : -1;
}

int adjustment_enqueue(struct store *st, const struct stock_adjustment *a, int64_t now)
{
    char key[OUTBOX_KEY_MAX], *json = NULL;
    adjustment_idempotency_key(a, key, sizeof key);
    if (adjustment_to_json(a, &json))
        return STORE_ERROR;
    int rc = outbox_enqueue(st, OUTBOX_STOCK_ADJUSTMENT, key, json, now);
    free(json);
    return rc;
}
