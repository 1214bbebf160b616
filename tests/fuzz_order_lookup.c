/* The store server's GET /v1/orders/{key} answer (offline/order_lookup.c): any bytes are
 * refused or read within bounds. */
#include <stddef.h>
#include <stdint.h>

#include "core/returns.h"
#include "offline/order_lookup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct original_sale o;
    char why[200];
    if (order_lookup_parse((const char *)data, size, &o, why, sizeof why) == 0) {
        /* what was read obeys the bounds the return dialog relies on */
        if (o.nlines > RETURNS_MAX_LINES)
            __builtin_trap();
        for (int i = 0; i < o.nlines; i++) {
            int64_t refund;
            if (returns_available(&o.lines[i]) > 0 && returns_refund(&o.lines[i], 1000, &refund) == 0 &&
                (refund > (INT64_C(1) << 51) || refund < -(INT64_C(1) << 51)))
                __builtin_trap();
        }
    }
    return 0;
}
