/* HID reports from barcode scanners to scans, with no I/O: the USB driver feeds the bytes
 * of each interrupt-IN report, the decoder calls back once per complete scan.
 *
 * Two report kinds:
 *  - boot keyboard (8 bytes: modifiers, reserved, six key slots): the scanner "types"
 *    the code on a keyboard layout the decoder must know (US or DE); Enter or Tab ends a
 *    scan.  Only keys pressed since the previous report count (rollover), an all-0x01
 *    ErrorRollOver report is ignored, Ctrl+] and Alt+0029 give the GS1 separator (0x1D).
 *  - HID POS bar code scanner page (0x8C) "Scanned Data Report": report id, length,
 *    three AIM symbology identifier bytes, decoded data, a continuation flag; the scan is
 *    the AIM identifier followed by the data ("]E04010433218190"). */
#ifndef TILL_HID_DECODE_H
#define TILL_HID_DECODE_H

#include <stddef.h>
#include <stdint.h>

#define HID_SCAN_MAX 512   /* longest scan kept (bytes, without the NUL); longer is dropped */

typedef void (*hid_scan_cb)(void *ctx, const char *scan);

enum hid_layout { HID_LAYOUT_US, HID_LAYOUT_DE };

/* "us" / "de" (case-insensitive); -1 for anything else. */
int hid_layout_from_name(const char *name, enum hid_layout *out);

/* Boot-keyboard modifier bits (byte 0). */
#define HID_MOD_LCTRL  0x01
#define HID_MOD_LSHIFT 0x02
#define HID_MOD_LALT   0x04
#define HID_MOD_RCTRL  0x10
#define HID_MOD_RSHIFT 0x20
#define HID_MOD_RALT   0x40   /* AltGr on European layouts */

struct hid_kbd_decoder {
    enum hid_layout layout;
    uint8_t prev_keys[6];   /* keys down in the previous report */
    uint8_t prev_mods;
    int alt_code;           /* Alt+keypad digits so far, -1 none */
    char buf[HID_SCAN_MAX + 1];
    size_t len;
    int overflow;           /* the scan being collected outgrew buf: it is dropped */
    unsigned dropped;       /* scans dropped for length */
    hid_scan_cb on_scan;
    void *ctx;
};

void hid_kbd_init(struct hid_kbd_decoder *d, enum hid_layout layout, hid_scan_cb on_scan, void *ctx);
/* Forgets keys held and a half-collected scan (e.g. after the scanner was unplugged). */
void hid_kbd_reset(struct hid_kbd_decoder *d);
/* Feeds one report (at least 3 bytes; bytes past 8 are ignored).  Returns the number of
 * scans completed by it, or -1 for a report too short to be a boot-keyboard report. */
int hid_kbd_feed(struct hid_kbd_decoder *d, const uint8_t *report, size_t len);

/* Where a vendor puts the fields of its Scanned Data Report.  Layouts vary; the default
 * is the common 64-byte one (Honeywell, Access-IS and others). */
struct hid_pos_layout {
    uint8_t report_id;       /* byte 0 must equal this (0: the report has no id byte) */
    int length_offset;       /* byte holding the data length, -1: trim trailing NULs */
    int aim_offset;          /* three AIM bytes (']', code character, modifier), -1 none */
    int data_offset;
    int data_max;
    int cont_offset;         /* byte with the "decoded data continued" flag */
    uint8_t cont_mask;
};

extern const struct hid_pos_layout hid_pos_layout_default;

/* Finds the Scanned Data Report in a HID report descriptor (the bytes the device returns
 * for GET_DESCRIPTOR(Report)): Byte Count (0x01:0x3B), Symbology Identifier 1
 * (0x8C:0xFB), Decoded Data (0x8C:0xFE), Decoded Data Continued (0x8C:0xFF).  Returns 0
 * and fills out when Decoded Data was found, -1 otherwise (not a HID POS scanner, or a
 * descriptor we do not understand: keep the default layout). */
int hid_pos_layout_from_descriptor(const uint8_t *desc, size_t len, struct hid_pos_layout *out);

struct hid_pos_decoder {
    struct hid_pos_layout layout;
    char buf[HID_SCAN_MAX + 1];
    size_t len;
    int overflow;
    unsigned dropped;
    hid_scan_cb on_scan;
    void *ctx;
};

void hid_pos_init(struct hid_pos_decoder *d, const struct hid_pos_layout *layout,
                  hid_scan_cb on_scan, void *ctx);
void hid_pos_reset(struct hid_pos_decoder *d);
/* Feeds one report.  Returns 1 when it completed a scan, 0 when it was a fragment or
 * another report id, -1 when it is too short for the layout. */
int hid_pos_feed(struct hid_pos_decoder *d, const uint8_t *report, size_t len);

#endif
