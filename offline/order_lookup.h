/* The store server's answer to GET /v1/orders/{key} (assets/store-api.yaml, OrderLookup)
 * read into the original sale a return is taken against.  Bytes from outside: every field
 * is checked and bounded (tests/fuzz_order_lookup.c). */
#ifndef TILL_OFFLINE_ORDER_LOOKUP_H
#define TILL_OFFLINE_ORDER_LOOKUP_H

#include <stddef.h>

#include "core/returns.h"

/* 0 with *out filled (from_server set), or -1 with why. */
int order_lookup_parse(const char *body, size_t len, struct original_sale *out, char *why,
                       size_t whylen);

#endif
