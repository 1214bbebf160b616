/* The push answers' results array (see results.h). */
#include "server/results.h"

#include "server/server_db.h"

cJSON *results_add(cJSON *results, const char *key, const char *status)
{
    cJSON *r = cJSON_CreateObject();
    if (!r)
        return NULL;
    if (key)
        cJSON_AddStringToObject(r, "idempotency_key", key);
    else
        cJSON_AddNullToObject(r, "idempotency_key");
    cJSON_AddStringToObject(r, "status", status);
    cJSON_AddItemToArray(results, r);
    return r;
}

int results_reject(cJSON *results, const char *key, const char *code, const char *reason)
{
    cJSON *r = results_add(results, key, "rejected");
    if (!r)
        return SDB_ERROR;
    cJSON_AddStringToObject(r, "code", code);
    cJSON_AddStringToObject(r, "reason", reason);
    return SDB_OK;
}
