/* What every backend shares: reading the numbers and strings of a JSON answer safely. */
#include <string.h>

#include "offline/backend.h"

int backend_json_int(const cJSON *o, const char *name, int64_t min, int64_t max, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v))
        return -1;
    double d = v->valuedouble;
    if (d < (double)min || d > (double)max || d != (double)(int64_t)d)
        return -1;
    *out = (int64_t)d;
    return 0;
}

const char *backend_json_str(const cJSON *o, const char *name, size_t maxlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) > maxlen)
        return NULL;
    return v->valuestring;
}
