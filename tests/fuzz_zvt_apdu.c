/* libFuzzer: everything a terminal can send goes through these parsers: APDU framing,
 * status BMPs and TLV, print lines and text blocks into the two receipt copies (every code
 * page), display texts of intermediate status, the end-of-day's individual totals (BMP 60)
 * and the card-number masking of all text. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/pan.h"
#include "drivers/zvt_apdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct zvt_receipts receipts;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    enum zvt_charset cs = size ? (enum zvt_charset)(data[0] % 5) : ZVT_CP437;
    zvt_receipts_init(&receipts);
    while (off < size) {
        struct zvt_apdu a;
        long used = zvt_apdu_parse(data + off, size - off, &a);
        if (used <= 0)
            break;
        struct zvt_status s;
        memset(&s, 0, sizeof s);
        s.charset = cs;
        zvt_parse_bmps(a.data, a.len, &s);
        struct pt_eod_totals eod;
        zvt_eod_totals(&s, &eod);
        if (eod.nlines > PT_EOD_MAX_LINES || (s.has_totals && eod.count < 0))
            __builtin_trap();
        struct zvt_totals tot;
        zvt_parse_totals(a.data, a.len, &tot);
        memset(&s, 0, sizeof s);
        zvt_parse_tlv(a.data, a.len, &s, 0);
        struct zvt_print_line pl;
        zvt_parse_print_line(a.data, a.len, &pl);
        if (a.ins & 1)
            zvt_receipts_add_line(&receipts, a.data, a.len, cs);
        else
            zvt_receipts_add_block(&receipts, a.data, a.len, cs);
        char text[300];
        zvt_parse_intermediate(a.data, a.len, cs, text, sizeof text);
        zvt_text_decode(a.data, a.len, cs, text, sizeof text);
        off += (size_t)used;
    }
    zvt_receipts_finish(&receipts);
    /* masking never leaves a Luhn-valid 13-19 digit run behind */
    char copy[PT_RECEIPT_MAX];
    memcpy(copy, receipts.cardholder, sizeof copy);
    if (pan_mask_text(copy) != 0)
        __builtin_trap();
    return 0;
}
