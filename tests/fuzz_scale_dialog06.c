/* libFuzzer: every byte a Dialog 06 scale (or a till, for the simulated scale) can send
 * goes through the frame parsers; each call takes at least one byte or asks for more. */
#include <stddef.h>
#include <stdint.h>

#include "drivers/scale_dialog06.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    while (off < size) {
        struct d06_frame f;
        long used = d06_parse(data + off, size - off, &f);
        if (used < 0 || (size_t)used > size - off)
            __builtin_trap();
        if (used == 0)
            break;
        if (f.kind == D06_WEIGHT && (f.weight_g < 0 || f.unit_price < 0 || f.amount < 0))
            __builtin_trap();
        if (f.kind == D06_CHECKSUM_REQ && (f.row < 0 || f.row > 255))
            __builtin_trap();
        off += (size_t)used;
    }
    off = 0;
    while (off < size) {
        struct d06_request r;
        long used = d06_parse_request(data + off, size - off, &r);
        if (used < 0 || (size_t)used > size - off)
            __builtin_trap();
        if (used == 0)
            break;
        off += (size_t)used;
    }
    return 0;
}
