/* What every backend shares: reading the strings of a JSON answer safely (numbers: offline/json_num.c). */
#include <string.h>

#include "offline/backend.h"

const char *backend_json_str(const cJSON *o, const char *name, size_t maxlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) > maxlen)
        return NULL;
    return v->valuestring;
}
