/*
 * libFuzzer: any bytes a till (or anyone holding a token) can POST as an order go through
 * the server's order validation. An order it accepts must add up and stay in the bounds
 * the tills enforce; a refusal always says why.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "server/orders.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_accepted(const struct sdb_order *o, const struct orders_rules *rules)
{
    int64_t sum = 0;
    if (o->nlines < 1 || o->nlines > ORDERS_MAX_LINES || !o->idempotency_key || !o->location)
        __builtin_trap();
    if (strncmp(o->idempotency_key, "T1:", 3) != 0 || strcmp(o->currency, rules->currency) != 0)
        __builtin_trap();
    for (size_t i = 0; i < o->nlines; i++) {
        const struct sdb_order_line *l = &o->lines[i];
        if (!l->sku || l->qty == 0 || l->qty > ORDERS_MAX_QTY || l->qty < -ORDERS_MAX_QTY ||
            l->unit_price < 0 || l->unit_price > ORDERS_MAX_AMOUNT ||
            l->line_total > ORDERS_MAX_AMOUNT || l->line_total < -ORDERS_MAX_AMOUNT)
            __builtin_trap();
        if (!l->voided)
            sum += l->line_total;
    }
    if (o->total > ORDERS_MAX_AMOUNT || o->total < -ORDERS_MAX_AMOUNT)
        __builtin_trap();
    /* inclusive tax: the total is the lines; exclusive: the lines plus a bounded tax */
    if (o->total != sum && (o->total - sum > ORDERS_MAX_AMOUNT || sum - o->total > ORDERS_MAX_AMOUNT))
        __builtin_trap();
    if (o->stock_at > rules->now + ORDERS_CLOCK_SKEW && o->stock_at != o->completed_at)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *doc = cJSON_ParseWithLength((const char *)data, size);
    if (!doc)
        return 0;
    const struct orders_rules rules = { .currency = "EUR", .terminal_id = "T1", .now = 1764072060 };
    char reason[240];
    if (cJSON_IsArray(doc)) {
        if (orders_terminal_check(doc, "T1", reason, sizeof reason) != 0 && !reason[0])
            __builtin_trap();
        cJSON_Delete(doc);
        return 0;
    }
    struct sdb_order o;
    struct sdb_order_line *lines = NULL;
    if (orders_validate(doc, &rules, &o, &lines, reason, sizeof reason) == 0)
        check_accepted(&o, &rules);
    else if (!reason[0] || !memchr(reason, 0, sizeof reason))
        __builtin_trap();
    free(lines);
    cJSON_Delete(doc);
    return 0;
}
