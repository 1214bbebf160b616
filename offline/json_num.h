/* Integers from JSON answers, bounded.  cJSON keeps every number as a double: an integer is
 * taken only when it is within [min, max] (checked before any conversion, as converting a
 * double beyond int64 is undefined) and whole.  Bounds are kept within +/-2^53, where every
 * integer is exact as a double.  The one reader of JSON integers for offline/. */
#ifndef TILL_JSON_NUM_H
#define TILL_JSON_NUM_H

#include <cjson/cJSON.h>
#include <stdint.h>

#define JSON_NUM_EXACT_MAX (INT64_C(1) << 53)

enum json_num_status {
    JSON_NUM_OK = 0,
    JSON_NUM_ABSENT = -1,        /* no such member (or no value) */
    JSON_NUM_NOT_NUMBER = -2,
    JSON_NUM_OUT_OF_BOUNDS = -3,
    JSON_NUM_NOT_WHOLE = -4,
};

/* The value v as an integer in [min, max]: JSON_NUM_OK with *out set, or why not (*out
 * untouched). */
enum json_num_status json_num_int(const cJSON *v, int64_t min, int64_t max, int64_t *out);
/* The same for the member name of the object o. */
enum json_num_status json_num_field(const cJSON *o, const char *name, int64_t min, int64_t max, int64_t *out);

#endif
