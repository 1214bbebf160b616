/* libFuzzer: anything a scanner (or a person) can send goes through barcode_parse.
 * The first byte picks an AIM symbology identifier to put in front (or none, and then the
 * input goes in whole), so short runs reach the EAN/UPC checks and every GS1 AI's field
 * rules without having to guess "]E0" or "]C1" first. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/barcode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const AIMS[] = { "]E0", "]E3", "]E4", "]E1", "]C1", "]e0", "]d2", "]Q3", "]C0", "]I1" };
#define NAIMS (sizeof AIMS / sizeof AIMS[0])

static void check_result(enum barcode_status st, const struct barcode *b)
{
    char msg[200];
    barcode_message(st, b, msg, sizeof msg);
    if (!msg[0] || !memchr(msg, 0, sizeof msg))
        __builtin_trap();
    if (st != BARCODE_OK)
        return;
    /* every key is a NUL-terminated string the catalog can take */
    if (b->nkeys < 1 || b->nkeys > BARCODE_MAX_KEYS)
        __builtin_trap();
    for (int i = 0; i < b->nkeys; i++)
        if (!memchr(b->keys[i], 0, sizeof b->keys[i]) || !b->keys[i][0])
            __builtin_trap();
    if (b->weight < 0 || b->price < 0)
        __builtin_trap();
    /* a scan the reader called EAN/UPC is never an internal code; a GS1 one always GS1 */
    if (b->aim[0] == ']' && b->aim[1] == 'E' && b->kind == BARCODE_PLAIN)
        __builtin_trap();
    if ((!strcmp(b->aim, "]C1") || !strcmp(b->aim, "]e0") || !strcmp(b->aim, "]d2") ||
         !strcmp(b->aim, "]Q3")) && b->kind != BARCODE_GS1)
        __builtin_trap();
    if (b->kind == BARCODE_GS1 && strlen(b->gtin) != 14)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct barcode_rules rules;
    barcode_rules_default(&rules, 2);
    char err[200];
    /* a layout with the price check digit too */
    barcode_layout_parse("item:4,check,price:5/2", &rules.variable[3], err, sizeof err);
    struct barcode b;
    enum barcode_status st = barcode_parse((const char *)data, size, &rules, 20250615, &b);
    check_result(st, &b);

    if (size >= 1 && data[0] < NAIMS && size - 1 <= BARCODE_MAX_SCAN) {
        char scan[3 + BARCODE_MAX_SCAN];
        memcpy(scan, AIMS[data[0]], 3);
        memcpy(scan + 3, data + 1, size - 1);
        st = barcode_parse(scan, size + 2, &rules, 20250615, &b);
        check_result(st, &b);
    }
    if (size >= 2 && size <= 4 && barcode_ai_find((const char *)data, size) &&
        strncmp(barcode_ai_find((const char *)data, size)->ai, (const char *)data, size) != 0)
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
