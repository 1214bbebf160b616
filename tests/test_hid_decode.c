/* HID report decoding: boot-keyboard streams as scanners send them (US and DE layouts,
 * Shift, rollover, release, ErrorRollOver, GS1 separator) and HID POS scanned-data reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "drivers/hid_decode.h"

#define LSHIFT HID_MOD_LSHIFT
#define RSHIFT HID_MOD_RSHIFT

struct scans {
    char got[8][HID_SCAN_MAX + 1];
    int n;
};

static void collect(void *ctx, const char *scan)
{
    struct scans *s = ctx;
    if (s->n < 8)
        snprintf(s->got[s->n], sizeof s->got[0], "%s", scan);
    s->n++;
}

/* A report with up to two keys down. */
static void feed(struct hid_kbd_decoder *d, uint8_t mods, uint8_t k1, uint8_t k2)
{
    uint8_t r[8] = { mods, 0, k1, k2, 0, 0, 0, 0 };
    assert_true(hid_kbd_feed(d, r, sizeof r) >= 0);
}

/* Press and release, the way most scanners type each character. */
static void tap(struct hid_kbd_decoder *d, uint8_t mods, uint8_t key)
{
    feed(d, mods, key, 0);
    feed(d, 0, 0, 0);
}

static uint8_t digit_key(char c)
{
    return c == '0' ? 0x27 : (uint8_t)(0x1E + (c - '1'));
}

static void test_us_digits_and_enter(void **state)
{
    struct scans s = { 0 };
    struct hid_kbd_decoder d;
    hid_kbd_init(&d, HID_LAYOUT_US, collect, &s);
    for (const char *p = "4010433218190"; *p; p++)
        tap(&d, 0, digit_key(*p));
    assert_int_equal(s.n, 0); /* nothing until Enter */
    tap(&d, 0, 0x28);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.got[0], "4010433218190");
    /* Tab ends a scan too, and keypad digits count as digits */
    tap(&d, 0, 0x59);
    tap(&d, 0, 0x62);
    tap(&d, 0, 0x2B);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.got[1], "10");
}

static void test_us_shift_left_and_right(void **state)
{
    struct scans s = { 0 };
    struct hid_kbd_decoder d;
    hid_kbd_init(&d, HID_LAYOUT_US, collect, &s);
    tap(&d, LSHIFT, 0x04);  /* A */
    tap(&d, 0, 0x05);       /* b */
    tap(&d, RSHIFT, 0x06);  /* C */
    tap(&d, LSHIFT, 0x1F);  /* @ */
    tap(&d, RSHIFT, 0x38);  /* ? */
    tap(&d, 0, 0x2D);       /* - */
    tap(&d, 0, 0x37);       /* . */
    tap(&d, 0, 0x38);       /* / */
    tap(&d, LSHIFT, 0x2D);  /* _ */
    tap(&d, 0, 0x1C);       /* y */
    tap(&d, 0, 0x1D);       /* z */
    tap(&d, 0, 0x58);       /* keypad Enter */
    assert_int_equal(s.n, 1);
    assert_string_equal(s.got[0], "AbC@?-./_yz");
}

static void test_de_layout(void **state)
{
    struct scans s = { 0 };
    struct hid_kbd_decoder d;
    hid_kbd_init(&d, HID_LAYOUT_DE, collect, &s);
    tap(&d, 0, 0x1C);                 /* the US 'y' key is 'z' on QWERTZ */
    tap(&d, 0, 0x1D);                 /* and the US 'z' key is 'y' */
    tap(&d, LSHIFT, 0x1C);            /* Z */
    tap(&d, LSHIFT, 0x1F);            /* Shift+2 is " (US: @) */
    tap(&d, LSHIFT, 0x24);            /* Shift+7 is / (US: &) */
    tap(&d, RSHIFT, 0x27);            /* Shift+0 is = (US: )) */
    tap(&d, 0, 0x38);                 /* the US '/' key is '-' */
    tap(&d, HID_MOD_RALT, 0x14);      /* AltGr+Q is @ */
    tap(&d, 0, 0x2D);                 /* ß */
    tap(&d, 0, 0x63);                 /* keypad decimal is ',' */
    tap(&d, 0, 0x28);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.got[0], "zyZ\"/=-@ß,");
}

static void test_rollover_two_keys_and_held_key(void **state)
{
    struct scans s = { 0 };
    struct hid_kbd_decoder d;
    hid_kbd_init(&d, HID_LAYOUT_US, collect, &s);
    /* 1 down; 1 still down with 2 newly down; 2 still down; all up: "12" */
    feed(&d, 0, 0x1E, 0);
    feed(&d, 0, 0x1E, 0x1F);
    feed(&d, 0, 0x1F, 0);
    feed(&d, 0, 0, 0);
    /* two keys newly down in the same report count in slot order */
    feed(&d, 0, 0x20, 0x21);
    feed(&d, 0, 0, 0);
    /* a key held across reports is one press, released and pressed again is two */
    feed(&d, 0, 0x22, 0);
    feed(&d, 0, 0x22, 0);
    feed(&d, 0, 0x22, 0);
    feed(&d, 0, 0, 0);
    feed(&d, 0, 0x22, 0);
    feed(&d, 0, 0x28, 0);
    feed(&d, 0, 0, 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.got[0], "123455");
}

static void test_error_rollover_ignored(void **state)
{
    struct scans s = { 0 };
    struct hid_kbd_decoder d;
    hid_kbd_init(&d, HID_LAYOUT_US, collect, &s);
    const uint8_t err[8] = { 0, 0, 1, 1, 1, 1, 1, 1 };
    feed(&d, 0, 0x1E, 0);
    assert_int_equal(hid_kbd_feed(&d, err, sizeof err), 0);
    /* 1 is still down after the error report: not a second press */
    feed(&d, 0, 0x1E, 0);
    feed(&d, 0, 0, 0);
    tap(&d, 0, 0x1F);
    tap(&d, 0, 0x28);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.got[0], "12");
}

static void test_gs1_separator(void **state)
{
    struct scans s = { 0 };
    struct hid_kbd_decoder d;
    hid_kbd_init(&d, HID_LAYOUT_US, collect, &s);
    tap(&d, 0, 0x27);                      /* 0 */
    tap(&d, 0, 0x1E);                      /* 1 */
    tap(&d, HID_MOD_LCTRL, 0x30);          /* Ctrl+] */
    tap(&d, 0, 0x1E);
    tap(&d, 0, 0x27);
    /* Alt+0029 on the keypad, typed when Alt is released */
    feed(&d, HID_MOD_LALT, 0, 0);
    feed(&d, HID_MOD_LALT, 0x62, 0);
    feed(&d, HID_MOD_LALT, 0, 0);
    feed(&d, HID_MOD_LALT, 0x62, 0);
    feed(&d, HID_MOD_LALT, 0, 0);
    feed(&d, HID_MOD_LALT, 0x5A, 0);
    feed(&d, HID_MOD_LALT, 0, 0);
    feed(&d, HID_MOD_LALT, 0x61, 0);
    feed(&d, HID_MOD_LALT, 0, 0);
    feed(&d, 0, 0, 0);
    tap(&d, 0, 0x1F);
    tap(&d, 0, 0x28);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.got[0], "01\x1d" "10\x1d" "2");
}

static void test_short_report_and_empty_enter(void **state)
{
    struct scans s = { 0 };
    struct hid_kbd_decoder d;
    hid_kbd_init(&d, HID_LAYOUT_US, collect, &s);
    const uint8_t tiny[2] = { 0, 0 };
    assert_int_equal(hid_kbd_feed(&d, tiny, sizeof tiny), -1);
    tap(&d, 0, 0x28); /* Enter alone is no scan */
    assert_int_equal(s.n, 0);
    /* a scan longer than HID_SCAN_MAX is dropped, the next one is fine */
    for (int i = 0; i < HID_SCAN_MAX + 5; i++)
        tap(&d, 0, 0x1E);
    tap(&d, 0, 0x28);
    assert_int_equal(s.n, 0);
    assert_int_equal(d.dropped, 1);
    tap(&d, 0, 0x1F);
    tap(&d, 0, 0x28);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.got[0], "2");
}

static void test_layout_names(void **state)
{
    enum hid_layout l;
    assert_int_equal(hid_layout_from_name("us", &l), 0);
    assert_int_equal(l, HID_LAYOUT_US);
    assert_int_equal(hid_layout_from_name("DE", &l), 0);
    assert_int_equal(l, HID_LAYOUT_DE);
    assert_int_equal(hid_layout_from_name("fr", &l), -1);
    assert_int_equal(hid_layout_from_name(NULL, &l), -1);
}

/* The 64-byte report: id 2, length, AIM "]xy", 56 data bytes, extra id, reserved, flag. */
static void pos_report(uint8_t r[64], const char *aim, const char *data, int more)
{
    memset(r, 0, 64);
    size_t n = strlen(data);
    r[0] = 0x02;
    r[1] = (uint8_t)n;
    memcpy(r + 2, aim, 3);
    memcpy(r + 5, data, n);
    r[63] = more ? 0x01 : 0x00;
}

static void test_pos_single_report(void **state)
{
    struct scans s = { 0 };
    struct hid_pos_decoder d;
    uint8_t r[64];
    hid_pos_init(&d, NULL, collect, &s);
    pos_report(r, "]E0", "4010433218190", 0);
    assert_int_equal(hid_pos_feed(&d, r, sizeof r), 1);
    assert_string_equal(s.got[0], "]E04010433218190");
    /* GS1 DataMatrix with a GS inside */
    pos_report(r, "]d2", "0104012345678901\x1d" "10ABC", 0);
    assert_int_equal(hid_pos_feed(&d, r, sizeof r), 1);
    assert_string_equal(s.got[1], "]d20104012345678901\x1d" "10ABC");
    /* another report id (e.g. a status report) is not a scan */
    r[0] = 0x04;
    assert_int_equal(hid_pos_feed(&d, r, sizeof r), 0);
    assert_int_equal(s.n, 2);
    /* too short for the layout */
    r[0] = 0x02;
    assert_int_equal(hid_pos_feed(&d, r, 3), -1);
}

static void test_pos_continued(void **state)
{
    struct scans s = { 0 };
    struct hid_pos_decoder d;
    uint8_t r[64];
    char first[57], second[5];
    memset(first, 'A', 56);
    first[56] = 0;
    snprintf(second, sizeof second, "BCDE");
    hid_pos_init(&d, NULL, collect, &s);
    pos_report(r, "]Q0", first, 1);
    assert_int_equal(hid_pos_feed(&d, r, sizeof r), 0);
    assert_int_equal(s.n, 0);
    pos_report(r, "]Q0", second, 0); /* the AIM id of a continuation is not repeated */
    assert_int_equal(hid_pos_feed(&d, r, sizeof r), 1);
    char want[80];
    snprintf(want, sizeof want, "]Q0%sBCDE", first);
    assert_string_equal(s.got[0], want);
}

static void test_pos_layout_without_length(void **state)
{
    /* A vendor whose report has no id and no length byte: data padded with NULs. */
    const struct hid_pos_layout l = {
        .report_id = 0, .length_offset = -1, .aim_offset = 0, .data_offset = 3,
        .data_max = 20, .cont_offset = 23, .cont_mask = 0x01,
    };
    struct scans s = { 0 };
    struct hid_pos_decoder d;
    uint8_t r[24] = { ']', 'C', '1', '1', '2', '3' };
    hid_pos_init(&d, &l, collect, &s);
    assert_int_equal(hid_pos_feed(&d, r, sizeof r), 1);
    assert_string_equal(s.got[0], "]C1123");
}

/* A HID POS scanner's report descriptor (Honeywell's layout): report id 2, Byte Count,
 * Symbology Identifier 1-3, 56 bytes Decoded Data, a Continued bit, 7 bits padding. */
static const uint8_t pos_descriptor[] = {
    0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01,       /* page 0x8C, Bar Code Scanner, application */
    0x85, 0x02,                               /* Report ID 2 */
    0x09, 0x12, 0xA1, 0x02,                   /* Scanned Data Report, logical */
    0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08,
    0x95, 0x01, 0x05, 0x01, 0x09, 0x3B, 0x81, 0x02,             /* Byte Count */
    0x95, 0x03, 0x05, 0x8C, 0x09, 0xFB, 0x09, 0xFC, 0x09, 0xFD, 0x81, 0x02, /* AIM */
    0x95, 0x38, 0x09, 0xFE, 0x82, 0x02, 0x01,                   /* Decoded Data (56) */
    0x25, 0x01, 0x75, 0x01, 0x95, 0x01, 0x09, 0xFF, 0x81, 0x02, /* Continued */
    0x75, 0x07, 0x81, 0x03,                                     /* padding */
    0xC0, 0xC0,
};

static void test_pos_layout_from_descriptor(void **state)
{
    struct hid_pos_layout l;
    assert_int_equal(hid_pos_layout_from_descriptor(pos_descriptor, sizeof pos_descriptor, &l), 0);
    assert_int_equal(l.report_id, 2);
    assert_int_equal(l.length_offset, 1);
    assert_int_equal(l.aim_offset, 2);
    assert_int_equal(l.data_offset, 5);
    assert_int_equal(l.data_max, 56);
    assert_int_equal(l.cont_offset, 61);
    assert_int_equal(l.cont_mask, 0x01);

    /* a 62-byte report decoded with that layout, in two parts */
    struct scans s = { 0 };
    struct hid_pos_decoder d;
    uint8_t r[62] = { 0x02, 3, ']', 'Q', '1', 'a', 'b', 'c' };
    r[61] = 0x01;
    hid_pos_init(&d, &l, collect, &s);
    assert_int_equal(hid_pos_feed(&d, r, sizeof r), 0);
    memset(r + 1, 0, sizeof r - 1);
    r[1] = 2;
    r[5] = 'd';
    r[6] = 'e';
    assert_int_equal(hid_pos_feed(&d, r, sizeof r), 1);
    assert_string_equal(s.got[0], "]Q1abcde");

    /* the boot keyboard's descriptor has no Decoded Data: not a HID POS scanner */
    static const uint8_t kbd[] = {
        0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0x15, 0x00,
        0x25, 0x01, 0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x01,
        0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0x65, 0x05, 0x07, 0x19, 0x00, 0x29, 0x65,
        0x81, 0x00, 0xC0,
    };
    assert_int_equal(hid_pos_layout_from_descriptor(kbd, sizeof kbd, &l), -1);
    /* truncated in the middle of an item */
    assert_int_equal(hid_pos_layout_from_descriptor(pos_descriptor, 16, &l), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_us_digits_and_enter),
        cmocka_unit_test(test_us_shift_left_and_right),
        cmocka_unit_test(test_de_layout),
        cmocka_unit_test(test_rollover_two_keys_and_held_key),
        cmocka_unit_test(test_error_rollover_ignored),
        cmocka_unit_test(test_gs1_separator),
        cmocka_unit_test(test_short_report_and_empty_enter),
        cmocka_unit_test(test_layout_names),
        cmocka_unit_test(test_pos_single_report),
        cmocka_unit_test(test_pos_continued),
        cmocka_unit_test(test_pos_layout_without_length),
        cmocka_unit_test(test_pos_layout_from_descriptor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
