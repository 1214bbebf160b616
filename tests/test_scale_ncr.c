/* NCR/SASI scanner-scale lines written out from the command table in
 * drivers/scale_ncr.h (Magellan single-cable RS-232 scale commands): the weight and status
 * requests, every status, metric and pound weights, truncated and garbage lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "drivers/scale_ncr.h"

static long parse(const char *s, struct ncr_frame *f)
{
    return ncr_parse((const uint8_t *)s, strlen(s), f);
}

static void test_requests(void **state)
{
    uint8_t buf[8];
    assert_int_equal(ncr_encode_weight_request(buf, sizeof buf), 4);
    assert_memory_equal(buf, "S11\r", 4);
    assert_int_equal(ncr_encode_status_request(buf, sizeof buf), 4);
    assert_memory_equal(buf, "S14\r", 4);
    assert_int_equal(ncr_encode_weight_request(buf, 3), 0);
    int cmd;
    assert_int_equal(ncr_parse_request((const uint8_t *)"S11\r", 4, &cmd), 4);
    assert_int_equal(cmd, 11);
    assert_int_equal(ncr_parse_request((const uint8_t *)"S14\r", 4, &cmd), 4);
    assert_int_equal(cmd, 14);
    assert_int_equal(ncr_parse_request((const uint8_t *)"S1", 2, &cmd), 0);
    assert_int_equal(ncr_parse_request((const uint8_t *)"S99\r", 4, &cmd), 4);
    assert_int_equal(cmd, -1);
}

static void test_weights(void **state)
{
    struct ncr_frame f;
    assert_int_equal(parse("S1101234\r", &f), 9);
    assert_int_equal(f.kind, NCR_WEIGHT);
    assert_int_equal(f.metric, 1);
    assert_int_equal(f.weight, 1234);
    /* four digits: hundredths of a pound */
    assert_int_equal(parse("S110250\r", &f), 8);
    assert_int_equal(f.kind, NCR_WEIGHT);
    assert_int_equal(f.metric, 0);
    assert_int_equal(f.weight, 250);
    /* LF around the CR is skipped */
    assert_int_equal(parse("\nS1100500\r\n", &f), 11);
    assert_int_equal(f.weight, 500);
    /* the status "stable with weight" carries it (CORE-POS's S144 + weight) */
    assert_int_equal(parse("S14401234\r", &f), 10);
    assert_int_equal(f.kind, NCR_WEIGHT);
    assert_int_equal(f.metric, 1);
    assert_int_equal(f.weight, 1234);
    assert_int_equal(parse("S1440250\r", &f), 9);
    assert_int_equal(f.kind, NCR_WEIGHT);
    assert_int_equal(f.metric, 0);
    uint8_t buf[16];
    assert_int_equal(ncr_encode_stable_status(1234, buf, sizeof buf), 10);
    assert_memory_equal(buf, "S14401234\r", 10);
    assert_int_equal(ncr_encode_weight(1234, buf, sizeof buf), 9);
    assert_memory_equal(buf, "S1101234\r", 9);
    assert_int_equal(ncr_encode_weight(100000, buf, sizeof buf), 0);
}

static void test_every_status(void **state)
{
    static const char *const text[] = {"not ready", "in motion", "overload", "nothing on the scale",
                                       "stable", "under zero"};
    for (int s = 0; s <= 5; s++) {
        char line[16];
        snprintf(line, sizeof line, "S14%d\r", s);
        struct ncr_frame f;
        assert_int_equal(parse(line, &f), 5);
        assert_int_equal(f.kind, NCR_STATUS);
        assert_int_equal(f.status, s);
        assert_string_equal(ncr_status_text(s), text[s]);
        uint8_t buf[8];
        assert_int_equal(ncr_encode_status(s, buf, sizeof buf), 5);
        assert_memory_equal(buf, line, 5);
    }
    struct ncr_frame f;
    assert_int_equal(parse("S146\r", &f), 5);
    assert_int_equal(f.kind, NCR_GARBAGE);
}

static void test_truncated_waits(void **state)
{
    const char *s = "S1101234\r";
    struct ncr_frame f;
    for (size_t i = 0; i < strlen(s); i++)
        assert_int_equal(ncr_parse((const uint8_t *)s, i, &f), 0);
}

static void test_garbage(void **state)
{
    static const char *const bad[] = {
        "S11012a4\r", "S11123\r", "S110123456\r", "S12\r", "X1101234\r", "S14\r", "S1\r", "\r", "S14x\r", "S144123\r", "S14412345x\r",
        "\x00\xff\xfe\r",
    };
    struct ncr_frame f;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = i == 11 ? 4 : strlen(bad[i]);
        assert_int_equal(ncr_parse((const uint8_t *)bad[i], len, &f), (long)len);
        assert_int_equal(f.kind, NCR_GARBAGE);
        assert_true(f.error[0] != 0);
    }
    /* a line that never ends is skipped in bounded pieces */
    char noise[NCR_MAX_LINE * 2];
    memset(noise, 'x', sizeof noise);
    long n = ncr_parse((const uint8_t *)noise, sizeof noise, &f);
    assert_int_equal(n, NCR_MAX_LINE);
    assert_int_equal(f.kind, NCR_GARBAGE);
    /* garbage then an answer */
    const char *s = "junk\rS143\r";
    n = parse(s, &f);
    assert_int_equal(f.kind, NCR_GARBAGE);
    assert_int_equal(parse(s + n, &f), 5);
    assert_int_equal(f.status, NCR_ST_ZERO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests),
        cmocka_unit_test(test_weights),
        cmocka_unit_test(test_every_status),
        cmocka_unit_test(test_truncated_waits),
        cmocka_unit_test(test_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
