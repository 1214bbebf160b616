/* libFuzzer: every answer the store server gives to a live stock lookup goes through
 * stock_level_parse.  An accepted answer is about the item asked for, within bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "offline/stock_query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct stock_level_answer a;
    char why[128];
    if (stock_level_parse((const char *)data, size, "SKU10001", "store-1", &a, why, sizeof why) == 0) {
        if (strcmp(a.sku, "SKU10001") || strcmp(a.location, "store-1") ||
            a.on_hand > (INT64_C(1) << 50) || a.on_hand < -(INT64_C(1) << 50) || (!a.known && a.on_hand))
            __builtin_trap();
    } else if (!why[0]) {
        __builtin_trap();   /* a refusal always says why */
    }
    return 0;
}
