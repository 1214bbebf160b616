/* libFuzzer: anything a scanner (or a person) can send goes through barcode_parse. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/barcode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct barcode_rules rules;
    barcode_rules_default(&rules, 2);
    char err[200];
    /* a layout with the price check digit too */
    barcode_layout_parse("item:4,check,price:5/2", &rules.variable[3], err, sizeof err);
    struct barcode b;
    enum barcode_status st = barcode_parse((const char *)data, size, &rules, 20250615, &b);
    if (st == BARCODE_OK) {
        /* every key is a NUL-terminated string the catalog can take */
        if (b.nkeys < 1 || b.nkeys > BARCODE_MAX_KEYS)
            __builtin_trap();
        for (int i = 0; i < b.nkeys; i++)
            if (!memchr(b.keys[i], 0, sizeof b.keys[i]) || !b.keys[i][0])
                __builtin_trap();
        if (b.weight < 0 || b.price < 0)
            __builtin_trap();
    }
    if (!barcode_strerror(st)[0])
        __builtin_trap();
    /* the layout parser sees config text */
    if (size < 64) {
        char text[64];
        memcpy(text, data, size);
        text[size] = 0;
        struct barcode_layout l;
        if (barcode_layout_parse(text, &l, err, sizeof err) == 0 && l.used &&
            l.item_digits + l.has_check + l.value_digits != 10)
            __builtin_trap();
    }
    return 0;
}
