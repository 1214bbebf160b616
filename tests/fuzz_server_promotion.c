/* The server's check of a promotion given to `till-server promo add` (server/feeds.c): any
 * bytes are refused or accepted without reading out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/feeds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    char why[200];
    feeds_promotion_check(text, why, sizeof why);
    free(text);
    return 0;
}
