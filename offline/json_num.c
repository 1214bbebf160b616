/* Bounded JSON integers (json_num.h). */
#include "offline/json_num.h"

enum json_num_status json_num_int(const cJSON *v, int64_t min, int64_t max, int64_t *out)
{
    if (!v)
        return JSON_NUM_ABSENT;
    if (!cJSON_IsNumber(v))
        return JSON_NUM_NOT_NUMBER;
    if (min < -JSON_NUM_EXACT_MAX)
        min = -JSON_NUM_EXACT_MAX;
    if (max > JSON_NUM_EXACT_MAX)
        max = JSON_NUM_EXACT_MAX;
    double d = v->valuedouble;
    /* written so that NaN fails too */
    if (!(d >= (double)min && d <= (double)max))
        return JSON_NUM_OUT_OF_BOUNDS;
    int64_t i = (int64_t)d;
    if ((double)i != d)
        return JSON_NUM_NOT_WHOLE;
    *out = i;
    return JSON_NUM_OK;
}

enum json_num_status json_num_field(const cJSON *o, const char *name, int64_t min, int64_t max, int64_t *out)
{
    return json_num_int(cJSON_GetObjectItemCaseSensitive(o, name), min, max, out);
}
