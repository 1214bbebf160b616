/* libFuzzer: everything a terminal can send goes through these parsers. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "drivers/zvt_apdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    while (off < size) {
        struct zvt_apdu a;
        long used = zvt_apdu_parse(data + off, size - off, &a);
        if (used <= 0)
            break;
        struct zvt_status s;
        memset(&s, 0, sizeof s);
        zvt_parse_bmps(a.data, a.len, &s);
        memset(&s, 0, sizeof s);
        zvt_parse_tlv(a.data, a.len, &s, 0);
        off += (size_t)used;
    }
    return 0;
}
