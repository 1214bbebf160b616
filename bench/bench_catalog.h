/* The generated benchmark catalog's barcode for product i (gen_catalog writes them, the
 * other benchmarks scan them): "40", ten digits of i, and the GS1 check digit. */
#ifndef TILL_BENCH_CATALOG_H
#define TILL_BENCH_CATALOG_H

#include <stdio.h>

#include "core/barcode.h"

static inline void bench_ean13(long long i, char out[14])
{
    snprintf(out, 14, "40%010lld", i % 10000000000LL);
    out[12] = (char)('0' + barcode_gs1_check_digit(out, 13));
    out[13] = 0;
}

#endif
