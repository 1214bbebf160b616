/* libFuzzer: every line a scanner-scale (or a till, for the simulated scale) can send goes
 * through the NCR line parsers; each call takes at least one byte or asks for more. */
#include <stddef.h>
#include <stdint.h>

#include "drivers/scale_ncr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    while (off < size) {
        struct ncr_frame f;
        long used = ncr_parse(data + off, size - off, &f);
        if (used < 0 || (size_t)used > size - off)
            __builtin_trap();
        if (used == 0)
            break;
        if (f.kind == NCR_WEIGHT && (f.weight < 0 || f.weight > 99999))
            __builtin_trap();
        off += (size_t)used;
    }
    off = 0;
    while (off < size) {
        int cmd;
        long used = ncr_parse_request(data + off, size - off, &cmd);
        if (used < 0 || (size_t)used > size - off)
            __builtin_trap();
        if (used == 0)
            break;
        off += (size_t)used;
    }
    return 0;
}
