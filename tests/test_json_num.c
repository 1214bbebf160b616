/* offline/json_num.c: the one reader of JSON integers: bounds before the cast, whole
 * numbers only, the exact range of a double as the outer bound, and why a value is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "offline/json_num.h"

static enum json_num_status read_field(const char *json, int64_t min, int64_t max, int64_t *out)
{
    cJSON *j = cJSON_Parse(json);
    assert_non_null(j);
    enum json_num_status st = json_num_field(j, "n", min, max, out);
    cJSON_Delete(j);
    return st;
}

static void test_whole_numbers_within_bounds(void **state)
{
    int64_t v = 7;
    assert_int_equal(read_field("{\"n\": 42}", 0, 100, &v), JSON_NUM_OK);
    assert_int_equal(v, 42);
    assert_int_equal(read_field("{\"n\": -5}", -5, 5, &v), JSON_NUM_OK);
    assert_int_equal(v, -5);
    assert_int_equal(read_field("{\"n\": 4503599627370496}", 0, INT64_C(1) << 52, &v), JSON_NUM_OK);
    assert_int_equal(v, INT64_C(1) << 52);
    assert_int_equal(read_field("{\"n\": 1e3}", 0, 1000, &v), JSON_NUM_OK);
    assert_int_equal(v, 1000);
}

static void test_refusals_leave_out_untouched(void **state)
{
    int64_t v = 7;
    assert_int_equal(read_field("{}", 0, 100, &v), JSON_NUM_ABSENT);
    assert_int_equal(read_field("{\"n\": \"42\"}", 0, 100, &v), JSON_NUM_NOT_NUMBER);
    assert_int_equal(read_field("{\"n\": null}", 0, 100, &v), JSON_NUM_NOT_NUMBER);
    assert_int_equal(read_field("{\"n\": 101}", 0, 100, &v), JSON_NUM_OUT_OF_BOUNDS);
    assert_int_equal(read_field("{\"n\": -1}", 0, 100, &v), JSON_NUM_OUT_OF_BOUNDS);
    assert_int_equal(read_field("{\"n\": 1.5}", 0, 100, &v), JSON_NUM_NOT_WHOLE);
    /* far beyond int64: refused before any conversion (UBSan would catch the cast) */
    assert_int_equal(read_field("{\"n\": 1e300}", INT64_MIN, INT64_MAX, &v), JSON_NUM_OUT_OF_BOUNDS);
    assert_int_equal(read_field("{\"n\": -1e300}", INT64_MIN, INT64_MAX, &v), JSON_NUM_OUT_OF_BOUNDS);
    /* past 2^53 a double is no longer exact: refused whatever the caller's bound */
    assert_int_equal(read_field("{\"n\": 9007199254740994}", 0, INT64_MAX, &v), JSON_NUM_OUT_OF_BOUNDS);
    assert_int_equal(v, 7);
    assert_int_equal(json_num_int(NULL, 0, 1, &v), JSON_NUM_ABSENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_numbers_within_bounds),
        cmocka_unit_test(test_refusals_leave_out_untouched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
