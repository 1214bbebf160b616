/* libFuzzer: every report and report descriptor a USB scanner can send goes through these
 * decoders.  The input is a stream of reports, each prefixed by its length byte. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "drivers/hid_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_scan(void *ctx, const char *scan)
{
    size_t *total = ctx;
    size_t n = strlen(scan);
    if (n == 0 || n > HID_SCAN_MAX)
        __builtin_trap();
    *total += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t total = 0;
    struct hid_kbd_decoder us, de;
    struct hid_pos_decoder pos;
    hid_kbd_init(&us, HID_LAYOUT_US, check_scan, &total);
    hid_kbd_init(&de, HID_LAYOUT_DE, check_scan, &total);
    hid_pos_init(&pos, NULL, check_scan, &total);
    /* The whole input is also a report descriptor; a layout found in it decodes too. */
    struct hid_pos_layout layout;
    struct hid_pos_decoder pos2;
    int have_layout = hid_pos_layout_from_descriptor(data, size, &layout) == 0;
    hid_pos_init(&pos2, have_layout ? &layout : NULL, check_scan, &total);
    size_t off = 0;
    while (off < size) {
        size_t n = data[off++];
        if (n > size - off)
            n = size - off;
        hid_kbd_feed(&us, data + off, n);
        hid_kbd_feed(&de, data + off, n);
        hid_pos_feed(&pos, data + off, n);
        hid_pos_feed(&pos2, data + off, n);
        off += n;
    }
    return 0;
}
