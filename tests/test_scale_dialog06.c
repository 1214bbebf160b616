/* Dialog 06 frames written out byte by byte from the record descriptions (see
 * drivers/scale_dialog06.h for the records and where they come from): every record both
 * ways, every status, the checksum dialogue, truncated, broken and garbage input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "drivers/scale_dialog06.h"

#define EOT "\x04"
#define STX "\x02"
#define ETX "\x03"
#define ESC "\x1b"

static long parse(const char *s, struct d06_frame *f)
{
    return d06_parse((const uint8_t *)s, strlen(s), f);
}

/* Record 02: 1.234 kg at 2.99/kg = 3.69. */
static void test_weight_record(void **state)
{
    struct d06_frame f;
    const char *w = STX "02" ESC "3" ESC "01234" ESC "000299" ESC "000369" ETX;
    assert_int_equal(parse(w, &f), (long)strlen(w));
    assert_int_equal(f.kind, D06_WEIGHT);
    assert_int_equal(f.weight_g, 1234);
    assert_int_equal(f.unit_price, 299);
    assert_int_equal(f.amount, 369);
    /* two decimals: 10 g steps */
    assert_true(parse(STX "02" ESC "2" ESC "00123" ESC "000299" ESC "000037" ETX, &f) > 0);
    assert_int_equal(f.kind, D06_WEIGHT);
    assert_int_equal(f.weight_g, 1230);
    /* what the simulated scale sends is what the till reads */
    uint8_t buf[D06_MAX_FRAME];
    size_t n = d06_encode_weight(1234, 299, 369, buf, sizeof buf);
    assert_int_equal(n, strlen(w));
    assert_memory_equal(buf, w, n);
}

static void test_every_status(void **state)
{
    static const int codes[] = {0, 1, 2, 10, 11, 12, 13, 20, 21, 22, 30, 31, 32};
    char unknown[32];
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        char s[16];
        snprintf(s, sizeof s, STX "09" ESC "%02d" ETX, codes[i]);
        struct d06_frame f;
        assert_int_equal(parse(s, &f), 7);
        assert_int_equal(f.kind, D06_STATUS);
        assert_int_equal(f.status, codes[i]);
        assert_null(strstr(d06_status_text(f.status, unknown, sizeof unknown), "status "));
        uint8_t buf[16];
        assert_int_equal(d06_encode_status(codes[i], buf, sizeof buf), 7);
        assert_memory_equal(buf, s, 7);
    }
    char b[32];
    assert_string_equal(d06_status_text(D06_ST_MOTION, b, sizeof b), "in motion");
    assert_string_equal(d06_status_text(D06_ST_BELOW_MIN, b, sizeof b), "below minimum weight");
    assert_string_equal(d06_status_text(D06_ST_UNDER_ZERO, b, sizeof b), "under zero");
    assert_string_equal(d06_status_text(D06_ST_OVERLOAD, b, sizeof b), "overload");
    assert_string_equal(d06_status_text(77, b, sizeof b), "status 77");
}

static void test_ack_nak(void **state)
{
    struct d06_frame f;
    assert_int_equal(parse("\x06", &f), 1);
    assert_int_equal(f.kind, D06_ACK_FRAME);
    assert_int_equal(parse("\x15" STX, &f), 1);
    assert_int_equal(f.kind, D06_NAK_FRAME);
}

/* The scale asks for the checksum (record 11, row 0xA7); the till answers record 10 with
 * the table's 16 bytes. */
static void test_checksum_dialogue(void **state)
{
    struct d06_frame f;
    assert_int_equal(parse(STX "11" ESC "2A7" ETX, &f), 8);
    assert_int_equal(f.kind, D06_CHECKSUM_REQ);
    assert_int_equal(f.d0, '2');
    assert_int_equal(f.row, 0xA7);
    uint8_t buf[D06_MAX_FRAME];
    assert_int_equal(d06_encode_checksum_req(0xA7, buf, sizeof buf), 8);
    assert_memory_equal(buf, STX "11" ESC "2A7" ETX, 8);

    const uint8_t answer[D06_CHECKSUM_LEN] = "0123456789ABCDEF";
    const char *want = EOT STX "10" ESC "0123456789ABCDEF" ETX;
    size_t n = d06_encode_checksum(answer, buf, sizeof buf);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(buf, want, n);
    struct d06_request r;
    assert_int_equal(d06_parse_request(buf, n, &r), (long)n);
    assert_int_equal(r.kind, D06_REQ_CHECKSUM);
    assert_memory_equal(r.checksum, answer, D06_CHECKSUM_LEN);
    /* a row that is not hex, a missing row */
    assert_int_equal(parse(STX "11" ESC "2G7" ETX, &f), 8);
    assert_int_equal(f.kind, D06_GARBAGE);
    assert_true(parse(STX "11" ESC "2" ETX, &f) > 0);
    assert_int_equal(f.kind, D06_GARBAGE);
}

static void test_price_records(void **state)
{
    uint8_t buf[D06_MAX_FRAME];
    const char *r01 = EOT STX "01" ESC "000299" ETX;
    size_t n = d06_encode_price(299, 0, NULL, buf, sizeof buf);
    assert_int_equal(n, strlen(r01));
    assert_memory_equal(buf, r01, n);
    const char *r04 = EOT STX "04" ESC "000299" ESC "0015" ETX;
    n = d06_encode_price(299, 15, "", buf, sizeof buf);
    assert_int_equal(n, strlen(r04));
    assert_memory_equal(buf, r04, n);
    const char *r05 = EOT STX "05" ESC "001999" ESC "0000" ESC "Tomatoes Stri" ETX;
    n = d06_encode_price(1999, 0, "Tomatoes Strings", buf, sizeof buf);
    assert_int_equal(n, strlen(r05));
    assert_memory_equal(buf, r05, n);
    struct d06_request r;
    assert_int_equal(d06_parse_request(buf, n, &r), (long)n);
    assert_int_equal(r.kind, D06_REQ_PRICE);
    assert_int_equal(r.record, 5);
    assert_int_equal(r.unit_price, 1999);
    assert_string_equal(r.text, "Tomatoes Stri");
    /* values the record cannot carry */
    assert_int_equal(d06_encode_price(1000000, 0, NULL, buf, sizeof buf), 0);
    assert_int_equal(d06_encode_price(-1, 0, NULL, buf, sizeof buf), 0);
    assert_int_equal(d06_encode_price(100, 10000, NULL, buf, sizeof buf), 0);
    assert_int_equal(d06_encode_price(100, 0, NULL, buf, 5), 0);
    /* the data request */
    assert_int_equal(d06_encode_request(buf, sizeof buf), 2);
    assert_memory_equal(buf, EOT "\x05", 2);
    assert_int_equal(d06_parse_request(buf, 2, &r), 2);
    assert_int_equal(r.kind, D06_REQ_DATA);
}

static void test_truncated_waits_for_more(void **state)
{
    const char *w = STX "02" ESC "3" ESC "01234" ESC "000299" ESC "000369" ETX;
    struct d06_frame f;
    for (size_t i = 0; i + 1 < strlen(w); i++)
        assert_int_equal(d06_parse((const uint8_t *)w, i, &f), 0);
    struct d06_request r;
    const char *r01 = EOT STX "01" ESC "000299" ETX;
    for (size_t i = 0; i + 1 < strlen(r01); i++)
        assert_int_equal(d06_parse_request((const uint8_t *)r01, i, &r), 0);
}

static void test_garbage_is_skipped(void **state)
{
    struct d06_frame f;
    /* noise before a frame: skipped up to the STX */
    const char *s = "xyz\xff" STX "09" ESC "20" ETX;
    long n = parse(s, &f);
    assert_int_equal(n, 4);
    assert_int_equal(f.kind, D06_GARBAGE);
    assert_int_equal(parse(s + n, &f), 7);
    assert_int_equal(f.kind, D06_STATUS);
    assert_int_equal(f.status, 20);
    /* a frame cut off by a new one: the broken part is skipped, the new one read */
    s = STX "02" ESC "3" ESC "012" STX "09" ESC "31" ETX;
    n = parse(s, &f);
    assert_int_equal(f.kind, D06_GARBAGE);
    assert_int_equal(parse(s + n, &f), 7);
    assert_int_equal(f.status, 31);
    /* no ETX within the longest frame */
    char longf[D06_MAX_FRAME + 2];
    memset(longf, '0', sizeof longf);
    longf[0] = D06_STX;
    longf[sizeof longf - 1] = 0;
    assert_true(parse(longf, &f) > 0);
    assert_int_equal(f.kind, D06_GARBAGE);
    /* letters where digits belong, missing fields, unknown records, missing ESC */
    static const char *const bad[] = {
        STX "02" ESC "3" ESC "0123x" ESC "000299" ESC "000369" ETX,
        STX "02" ESC "3" ESC "01234" ESC "000299" ETX,
        STX "02" ESC "4" ESC "01234" ESC "000299" ESC "000369" ETX,
        STX "09" ESC "2" ETX,
        STX "09" ESC "200" ETX,
        STX "09" "20" ETX,
        STX "07" ESC "20" ETX,
        STX "x9" ESC "20" ETX,
        STX ETX,
        STX "0" ETX,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(parse(bad[i], &f), (long)strlen(bad[i]));
        assert_int_equal(f.kind, D06_GARBAGE);
        assert_true(f.error[0] != 0);
    }
    struct d06_request r;
    assert_int_equal(d06_parse_request((const uint8_t *)"ab" EOT, 3, &r), 2);
    assert_int_equal(r.kind, D06_REQ_GARBAGE);
    const char *r03 = EOT STX "03" ESC "000299" ETX;
    assert_int_equal(d06_parse_request((const uint8_t *)r03, strlen(r03), &r), (long)strlen(r03));
    assert_int_equal(r.kind, D06_REQ_GARBAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weight_record),
        cmocka_unit_test(test_every_status),
        cmocka_unit_test(test_ack_nak),
        cmocka_unit_test(test_checksum_dialogue),
        cmocka_unit_test(test_price_records),
        cmocka_unit_test(test_truncated_waits_for_more),
        cmocka_unit_test(test_garbage_is_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
