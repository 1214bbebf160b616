/* Orders and adjustments: a rejected item never touches the database. */
#include "server/orders.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/results.h"

#define PPM 1000000
#define QTY_ONE 1000

/* An integer field within [min, max]: a JSON number without fraction. */
static int json_int(const cJSON *obj, const char *name, int64_t min, int64_t max, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!cJSON_IsNumber(v))
        return -1;
    double d = v->valuedouble;
    /* every bound is at most 2^50: the comparison is exact and the cast defined */
    if (d != floor(d) || d < (double)min || d > (double)max)
        return -1;
    *out = (int64_t)d;
    return 0;
}

/* A non-empty string of at most maxlen bytes. */
static const char *json_str(const cJSON *obj, const char *name, size_t maxlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) > maxlen)
        return NULL;
    return v->valuestring;
}

/*
 * The first field of a name that appears twice: readers of the stored payload disagree on
 * which one counts (cJSON takes the first, many parsers the last), so such an order is
 * refused rather than audited one way and summed another.
 */
static const char *repeated_field(const cJSON *obj)
{
    for (const cJSON *a = obj ? obj->child : NULL; a; a = a->next)
        for (const cJSON *b = a->next; b; b = b->next)
            if (a->string && b->string && strcmp(a->string, b->string) == 0)
                return a->string;
    return NULL;
}

static int has(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(obj, name) != NULL;
}

/* a * num / den rounded half away from zero (core/money.c's rule); -1 beyond +/-max. */
static int muldiv_round(int64_t a, int64_t num, int64_t den, int64_t max, int64_t *out)
{
    __int128 p = (__int128)a * num, q = p / den, r = p % den;
    if ((r < 0 ? -r : r) * 2 >= den)
        q += p < 0 ? -1 : 1;
    if (q > max || q < -max)
        return -1;
    *out = (int64_t)q;
    return 0;
}

static int key_belongs(const char *key, const char *terminal)
{
    size_t n = strlen(terminal);
    return key && strncmp(key, terminal, n) == 0 && key[n] == ':';
}

int orders_terminal_check(const cJSON *items, const char *terminal, char *reason, size_t rlen)
{
    const cJSON *it;
    int i = 0;
    cJSON_ArrayForEach(it, items) {
        i++;
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(it, "idempotency_key");
        const cJSON *tid = cJSON_GetObjectItemCaseSensitive(it, "terminal_id");
        if (cJSON_IsString(key) && !key_belongs(key->valuestring, terminal)) {
            snprintf(reason, rlen, "item %d: idempotency_key must start with \"%.32s:\", the"
                     " token's terminal", i, terminal);
            return -1;
        }
        if (tid && !cJSON_IsNull(tid) &&
            (!cJSON_IsString(tid) || strcmp(tid->valuestring, terminal) != 0)) {
            snprintf(reason, rlen, "item %d: terminal_id is not the token's terminal %.32s", i,
                     terminal);
            return -1;
        }
    }
    return 0;
}

/* One line: fields, bounds, and its total recomputed unless the till took it from a label. */
static int line_check(const cJSON *l, int i, int returns, struct sdb_order_line *ol, char *reason,
                      size_t rlen)
{
    memset(ol, 0, sizeof *ol);
    ol->sku = json_str(l, "sku", ORDERS_MAX_SKU);
    ol->barcode = json_str(l, "barcode", 128);
    ol->name = json_str(l, "name", 200);
    ol->voided = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l, "voided"));
    if (json_int(l, "line_no", 1, ORDERS_MAX_LINES, &ol->line_no) != 0)
        ol->line_no = i;
    const char *unit = json_str(l, "unit", 8);
    int label = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l, "price_from_label"));
    if (!cJSON_IsObject(l) || !ol->sku) {
        snprintf(reason, rlen, "line %d: sku (1 to %d bytes) is required", i, ORDERS_MAX_SKU);
        return -1;
    }
    if (json_int(l, "qty", -ORDERS_MAX_QTY, ORDERS_MAX_QTY, &ol->qty) != 0 || ol->qty == 0) {
        snprintf(reason, rlen, "line %d: qty must be a non-zero integer within +/-%lld thousandths",
                 i, (long long)ORDERS_MAX_QTY);
        return -1;
    }
    if (ol->qty < 0 && !returns) {
        snprintf(reason, rlen, "line %d: a negative qty needs a return (return_of naming the"
                 " original order, or no_receipt_return)", i);
        return -1;
    }
    const cJSON *restock = cJSON_GetObjectItemCaseSensitive(l, "restock");
    ol->restock = !cJSON_IsFalse(restock);
    if ((restock && !cJSON_IsBool(restock)) ||
        (has(l, "return_line") &&
         (ol->qty > 0 || json_int(l, "return_line", 1, ORDERS_MAX_LINES, &ol->return_line) != 0))) {
        snprintf(reason, rlen, "line %d: return_line (1 to %d) and restock (a boolean) belong to"
                 " returned lines", i, ORDERS_MAX_LINES);
        return -1;
    }
    if (has(l, "discount") &&
        json_int(l, "discount", -ORDERS_MAX_AMOUNT, ORDERS_MAX_AMOUNT, &ol->discount) != 0) {
        snprintf(reason, rlen, "line %d: discount must be an integer within +/-2^50", i);
        return -1;
    }
    if (has(l, "unit") && (!unit || (strcmp(unit, "each") != 0 && strcmp(unit, "kg") != 0))) {
        snprintf(reason, rlen, "line %d: unit must be each or kg", i);
        return -1;
    }
    if (unit && strcmp(unit, "each") == 0 && !label && ol->qty % QTY_ONE != 0) {
        snprintf(reason, rlen, "line %d: an item sold each comes in whole pieces", i);
        return -1;
    }
    if (json_int(l, "unit_price", 0, ORDERS_MAX_AMOUNT, &ol->unit_price) != 0 ||
        json_int(l, "line_total", -ORDERS_MAX_AMOUNT, ORDERS_MAX_AMOUNT, &ol->line_total) != 0) {
        snprintf(reason, rlen, "line %d: unit_price (0 to 2^50) and line_total (within +/-2^50)"
                 " are required integers", i);
        return -1;
    }
    if (label) {
        /* a price-embedded label fixes the total; only its sign follows the quantity */
        if ((ol->qty > 0 && ol->line_total < 0) || (ol->qty < 0 && ol->line_total > 0)) {
            snprintf(reason, rlen, "line %d: line_total has the wrong sign", i);
            return -1;
        }
        return 0;
    }
    int64_t expect;
    if (muldiv_round(ol->unit_price, ol->qty, QTY_ONE, ORDERS_MAX_AMOUNT, &expect) != 0 ||
        expect - ol->discount != ol->line_total) {
        snprintf(reason, rlen, "line %d: line_total %lld is not unit_price x qty / 1000 rounded"
                 " less the discount", i, (long long)ol->line_total);
        return -1;
    }
    /* a discount takes off at most what the line costs, and never adds to it */
    if ((expect >= 0 && (ol->discount < 0 || ol->discount > expect)) ||
        (expect < 0 && (ol->discount > 0 || ol->discount < expect))) {
        snprintf(reason, rlen, "line %d: discount %lld is outside 0..unit_price x qty", i,
                 (long long)ol->discount);
        return -1;
    }
    return 0;
}

/* Tax per (class, rate) as core/tax.c computes it, rounded per total and per line. */
struct tax_group {
    const char *code;
    int64_t rate;
    int64_t base;
};

static int tax_of(int inclusive, int64_t amount, int64_t rate, int64_t *tax)
{
    return muldiv_round(amount, rate, inclusive ? PPM + rate : PPM, INT64_C(1) << 62, tax);
}

/* 0 when tax_total is what the till would have computed under either rounding. */
static int tax_check(const cJSON *lines, const struct sdb_order_line *ls, int inclusive,
                     int64_t tax_total, char *reason, size_t rlen)
{
    struct tax_group g[ORDERS_MAX_TAX_CLASSES];
    int ng = 0, i = 0;
    int64_t per_line = 0, per_total = 0;
    const cJSON *l;
    cJSON_ArrayForEach(l, lines) {
        const struct sdb_order_line *ol = &ls[i++];
        if (ol->voided)
            continue;
        int64_t rate, t;
        const char *code = json_str(l, "tax_class", 16);
        if (!code || json_int(l, "tax_rate_ppm", 0, PPM, &rate) != 0) {
            snprintf(reason, rlen, "line %d: tax_total needs tax_class and tax_rate_ppm (0 to %d)"
                     " on every line", i, PPM);
            return -1;
        }
        int k = 0;
        while (k < ng && !(strcmp(g[k].code, code) == 0 && g[k].rate == rate))
            k++;
        if (k == ng) {
            if (ng == ORDERS_MAX_TAX_CLASSES) {
                snprintf(reason, rlen, "more than %d tax classes", ORDERS_MAX_TAX_CLASSES);
                return -1;
            }
            g[ng++] = (struct tax_group){ code, rate, 0 };
        }
        /* each line is within 2^50 and there are at most 1000: no overflow */
        g[k].base += ol->line_total;
        if (tax_of(inclusive, ol->line_total, rate, &t) != 0)
            return -1;
        per_line += t;
    }
    for (int k = 0; k < ng; k++) {
        int64_t t;
        if (tax_of(inclusive, g[k].base, g[k].rate, &t) != 0)
            return -1;
        per_total += t;
    }
    if (tax_total != per_total && tax_total != per_line) {
        snprintf(reason, rlen, "tax_total %lld is neither %lld (rounded per class) nor %lld"
                 " (rounded per line)", (long long)tax_total, (long long)per_total,
                 (long long)per_line);
        return -1;
    }
    return 0;
}

/* Subtotal, tax and total add up; payments cover the total exactly. */
static int totals_check(const cJSON *order, const cJSON *lines, const struct sdb_order *o,
                        int64_t lines_sum, char *reason, size_t rlen)
{
    int64_t subtotal, tax = 0;
    const char *mode = json_str(order, "tax_mode", 16);
    int exclusive = mode && strcmp(mode, "exclusive") == 0;
    if (mode && !exclusive && strcmp(mode, "inclusive") != 0) {
        snprintf(reason, rlen, "tax_mode must be inclusive or exclusive");
        return -1;
    }
    if (has(order, "subtotal") &&
        (json_int(order, "subtotal", -ORDERS_MAX_AMOUNT, ORDERS_MAX_AMOUNT, &subtotal) != 0 ||
         subtotal != lines_sum)) {
        snprintf(reason, rlen, "subtotal does not equal the sum of the lines");
        return -1;
    }
    if (has(order, "tax_total")) {
        if (json_int(order, "tax_total", -ORDERS_MAX_AMOUNT, ORDERS_MAX_AMOUNT, &tax) != 0 ||
            tax_check(lines, o->lines, !exclusive, tax, reason, rlen) != 0) {
            if (!*reason)
                snprintf(reason, rlen, "tax_total is not an integer within +/-2^50");
            return -1;
        }
    } else if (exclusive) {
        snprintf(reason, rlen, "an exclusive-tax order needs tax_total");
        return -1;
    }
    if (o->total != lines_sum + (exclusive ? tax : 0)) {
        snprintf(reason, rlen, exclusive ? "total does not equal the sum of the lines plus tax_total"
                                         : "total does not equal the sum of the lines");
        return -1;
    }
    const cJSON *pays = cJSON_GetObjectItemCaseSensitive(order, "payments"), *p;
    if (pays && (!cJSON_IsArray(pays) || cJSON_GetArraySize(pays) > ORDERS_MAX_PAYMENTS)) {
        snprintf(reason, rlen, "payments must be an array of at most %d", ORDERS_MAX_PAYMENTS);
        return -1;
    }
    int64_t paid = 0, amount;
    cJSON_ArrayForEach(p, pays) {
        if (json_int(p, "amount", -ORDERS_MAX_AMOUNT, ORDERS_MAX_AMOUNT, &amount) != 0) {
            snprintf(reason, rlen, "every payment needs an integer amount within +/-2^50");
            return -1;
        }
        paid += amount; /* at most 16 of them: no overflow */
    }
    if (paid != o->total) {
        snprintf(reason, rlen, "payments do not add up to the total");
        return -1;
    }
    return 0;
}

int orders_validate(const cJSON *order, const struct orders_rules *rules, struct sdb_order *o,
                    struct sdb_order_line **lines_out, char *reason, size_t rlen)
{
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(order, "lines"), *l;
    int nlines = cJSON_IsArray(lines) ? cJSON_GetArraySize(lines) : 0;
    memset(o, 0, sizeof *o);
    *lines_out = NULL;
    reason[0] = '\0';
    if (!cJSON_IsObject(order)) {
        snprintf(reason, rlen, "an order must be an object");
        return -1;
    }
    const char *twice = repeated_field(order);
    const cJSON *item;
    cJSON_ArrayForEach(item, lines)
        twice = twice ? twice : repeated_field(item);
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(order, "payments"))
        twice = twice ? twice : repeated_field(item);
    if (twice) {
        snprintf(reason, rlen, "field %.40s appears twice", twice);
        return -1;
    }
    o->idempotency_key = json_str(order, "idempotency_key", ORDERS_MAX_KEY);
    o->terminal_id = json_str(order, "terminal_id", 64);
    o->sale_uuid = json_str(order, "sale_uuid", 64);
    o->currency = json_str(order, "currency", 3);
    o->location = json_str(order, "location", ORDERS_MAX_LOCATION);
    if (!o->location)
        o->location = SDB_DEFAULT_LOCATION;
    const char *return_of = json_str(order, "return_of", ORDERS_MAX_KEY);
    const cJSON *no_receipt = cJSON_GetObjectItemCaseSensitive(order, "no_receipt_return");
    o->return_of = return_of;
    if (json_int(order, "receipt_no", 1, INT64_C(1) << 50, &o->receipt_no) != 0)
        o->receipt_no = 0;
    if (!o->idempotency_key) {
        snprintf(reason, rlen, "missing idempotency_key");
        return -1;
    }
    if (rules->terminal_id && !key_belongs(o->idempotency_key, rules->terminal_id)) {
        snprintf(reason, rlen, "idempotency_key is not the token's terminal's");
        return -1;
    }
    if (nlines == 0) {
        snprintf(reason, rlen, "no lines");
        return -1;
    }
    if (nlines > ORDERS_MAX_LINES) {
        snprintf(reason, rlen, "more than %d lines", ORDERS_MAX_LINES);
        return -1;
    }
    if (json_int(order, "total", -ORDERS_MAX_AMOUNT, ORDERS_MAX_AMOUNT, &o->total) != 0 ||
        json_int(order, "completed_at", 1, INT64_C(1) << 40, &o->completed_at) != 0 ||
        !o->currency) {
        snprintf(reason, rlen, "total (within +/-2^50), completed_at and currency are required");
        return -1;
    }
    if ((has(order, "location") && !json_str(order, "location", ORDERS_MAX_LOCATION)) ||
        (has(order, "return_of") && !return_of) || (no_receipt && !cJSON_IsBool(no_receipt))) {
        snprintf(reason, rlen, "location and return_of must be strings of at most %d bytes",
                 ORDERS_MAX_LOCATION);
        return -1;
    }
    struct sdb_order_line *ls = calloc((size_t)nlines, sizeof *ls);
    if (!ls) {
        snprintf(reason, rlen, "out of memory");
        return -1;
    }
    *lines_out = ls;
    o->lines = ls;
    o->nlines = (size_t)nlines;
    int i = 0;
    int64_t lines_sum = 0;
    cJSON_ArrayForEach(l, lines) {
        if (line_check(l, i + 1, return_of != NULL || cJSON_IsTrue(no_receipt), &ls[i], reason,
                       rlen) != 0)
            return -1;
        if (!ls[i].voided)
            lines_sum += ls[i].line_total; /* 1000 lines within 2^50: no overflow */
        i++;
    }
    if (totals_check(order, lines, o, lines_sum, reason, rlen) != 0)
        return -1;
    if (strcmp(o->currency, rules->currency) != 0) {
        snprintf(reason, rlen, "currency %s does not match the store's %.8s", o->currency,
                 rules->currency);
        return -1;
    }
    /* A sale dated ahead of the server moves stock now: dated later, it would hide behind
     * the counts taken before that date. */
    o->stock_at = o->completed_at > rules->now + ORDERS_CLOCK_SKEW ? rules->now : o->completed_at;
    return 0;
}

static void add_unique(cJSON *list, const char *sku)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, list)
        if (strcmp(it->valuestring, sku) == 0)
            return;
    cJSON_AddItemToArray(list, cJSON_CreateString(sku));
}

/* Receipt prices win; differences and unknown skus are reported, not rejected. */
static int catalog_compare(struct sdb *db, const struct sdb_order *o, cJSON *mismatches,
                           cJSON *unknown)
{
    for (size_t i = 0; i < o->nlines; i++) {
        const struct sdb_order_line *l = &o->lines[i];
        if (l->voided)
            continue;
        int64_t price;
        int rc = sdb_product_price(db, l->sku, &price);
        if (rc == SDB_ERROR)
            return SDB_ERROR;
        if (rc == SDB_NOT_FOUND)
            add_unique(unknown, l->sku);
        else if (price != l->unit_price)
            add_unique(mismatches, l->sku);
    }
    return SDB_OK;
}

static int answer_known(cJSON *results, const char *key, int rc, int64_t order_id)
{
    if (rc == SDB_CONFLICT) {
        char why[200];
        snprintf(why, sizeof why, "conflict: order %lld was stored under this idempotency_key"
                 " with a different content", (long long)order_id);
        return results_reject(results, key, "conflict", why) == SDB_OK ? SDB_CONFLICT : SDB_ERROR;
    }
    cJSON *r = results_add(results, key, "duplicate");
    if (!r)
        return SDB_ERROR;
    cJSON_AddNumberToObject(r, "order_id", (double)order_id);
    return SDB_OK;
}

/*
 * A return names the original order by its key; the server must hold it, and each returned
 * line names a line of it with the same sku, of which no more comes back than was sold,
 * counting every return stored before (from any till). A line returned without a receipt
 * (no return_line) needs the order's no_receipt_return. Inside the request's transaction,
 * so two returns of the same line are counted one after the other.
 */
static int return_known(struct sdb *db, const cJSON *order, const struct sdb_order *o,
                        char *reason, size_t rlen)
{
    const char *of = o->return_of;
    int no_receipt = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(order, "no_receipt_return"));
    int64_t id;
    if (of) {
        int rc = sdb_order_find(db, of, "", &id);
        if (rc == SDB_ERROR)
            return SDB_ERROR;
        if (rc == SDB_NOT_FOUND) {
            snprintf(reason, rlen, "return_of %.64s: no such order on the server", of);
            return SDB_NOT_FOUND;
        }
    }
    for (size_t i = 0; i < o->nlines; i++) {
        const struct sdb_order_line *l = &o->lines[i];
        if (l->qty >= 0 || l->voided)
            continue;
        if (!l->return_line || !of) {
            if (no_receipt)
                continue;
            snprintf(reason, rlen, "line %zu: a returned line names return_line in return_of, or"
                     " the order says no_receipt_return", i + 1);
            return SDB_NOT_FOUND;
        }
        char sku[ORDERS_MAX_SKU + 1];
        int64_t sold, returned = 0, here = 0;
        int voided, rc = sdb_order_line_sold(db, of, l->return_line, sku, sizeof sku, &sold, &voided);
        if (rc == SDB_ERROR)
            return SDB_ERROR;
        if (rc == SDB_NOT_FOUND || voided || sold <= 0 || strcmp(sku, l->sku) != 0) {
            snprintf(reason, rlen, "line %zu: return_line %lld of %.64s is not a sold %.64s", i + 1,
                     (long long)l->return_line, of, l->sku);
            return SDB_NOT_FOUND;
        }
        if (sdb_order_line_returned(db, of, l->return_line, &returned) != SDB_OK)
            return SDB_ERROR;
        /* this order may return the same line on more than one line */
        for (size_t k = 0; k < o->nlines; k++)
            if (o->lines[k].qty < 0 && !o->lines[k].voided && o->lines[k].return_line == l->return_line)
                here -= o->lines[k].qty;
        if (returned + here > sold) {
            snprintf(reason, rlen, "line %zu: returns %lld of line %lld, of which %lld were sold and"
                     " %lld already returned", i + 1, (long long)here, (long long)l->return_line,
                     (long long)sold, (long long)returned);
            return SDB_NOT_FOUND;
        }
    }
    return SDB_OK;
}

int orders_handle(struct sdb *db, const cJSON *order, const struct orders_rules *rules,
                  cJSON *results)
{
    struct sdb_order o;
    struct sdb_order_line *lines = NULL;
    char reason[240], hash[SDB_HASH_HEX];
    int64_t order_id = 0;
    cJSON *mismatches = NULL, *unknown = NULL;
    int rc = SDB_ERROR;
    char *payload = cJSON_PrintUnformatted(order);
    if (!payload)
        return SDB_ERROR;
    /* A repeated key is answered before validation: the rules may have changed since. */
    sdb_payload_hash(payload, hash);
    const char *key = cJSON_IsObject(order) ? json_str(order, "idempotency_key", ORDERS_MAX_KEY)
                                            : NULL;
    if (key && (!rules->terminal_id || key_belongs(key, rules->terminal_id))) {
        rc = sdb_order_find(db, key, hash, &order_id);
        if (rc != SDB_NOT_FOUND) {
            rc = rc == SDB_ERROR ? rc : answer_known(results, key, rc, order_id);
            goto done;
        }
    }
    if (orders_validate(order, rules, &o, &lines, reason, sizeof reason) != 0) {
        rc = results_reject(results, key, "invalid", reason);
        goto done;
    }
    rc = return_known(db, order, &o, reason, sizeof reason);
    if (rc != SDB_OK) {
        rc = rc == SDB_ERROR ? rc : results_reject(results, key, "invalid", reason);
        goto done;
    }
    o.payload = payload;
    o.payload_sha256 = hash;
    rc = SDB_ERROR;
    mismatches = cJSON_CreateArray();
    unknown = cJSON_CreateArray();
    if (!mismatches || !unknown || catalog_compare(db, &o, mismatches, unknown) != SDB_OK)
        goto done;
    rc = sdb_order_store(db, &o, &order_id);
    if (rc == SDB_ERROR)
        goto done;
    if (rc == SDB_RANGE) {
        rc = results_reject(results, key, "out_of_range", sdb_detail(db));
        goto done;
    }
    if (rc != SDB_OK) {
        rc = answer_known(results, key, rc, order_id); /* stored meanwhile by a racing request */
        goto done;
    }
    cJSON *r = results_add(results, key, "accepted");
    if (!r) {
        rc = SDB_ERROR;
        goto done;
    }
    cJSON_AddNumberToObject(r, "order_id", (double)order_id);
    cJSON_AddItemToObject(r, "price_mismatches", mismatches);
    cJSON_AddItemToObject(r, "unknown_skus", unknown);
    mismatches = unknown = NULL;
    cJSON *flags = cJSON_AddArrayToObject(r, "flags");
    if (flags && o.stock_at != o.completed_at)
        cJSON_AddItemToArray(flags, cJSON_CreateString("completed_at_in_future"));
done:
    cJSON_Delete(mismatches);
    cJSON_Delete(unknown);
    free(payload);
    free(lines);
    return rc;
}

static int kind_known(const char *kind)
{
    static const char *const kinds[] = { "count", "received", "damaged", "shrinkage",
                                         "correction", "sale" };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kind, kinds[i]) == 0)
            return 1;
    return 0;
}

/*
 * A count is what is on the shelf: 0 to 2^50. A delta is within +/-2^50. Neither may be
 * dated ahead of the server's clock by more than the skew: a future count would stay "the
 * latest count" and swallow every real sale until that date.
 */
static int adjustment_check(const cJSON *adj, const struct orders_rules *rules,
                            struct sdb_adjustment *a, char *reason, size_t rlen)
{
    a->sku = json_str(adj, "sku", ORDERS_MAX_SKU);
    a->location = json_str(adj, "location", ORDERS_MAX_LOCATION);
    a->kind = json_str(adj, "kind", 16);
    a->reason = json_str(adj, "reason", 300);
    if (!a->location)
        a->location = SDB_DEFAULT_LOCATION;
    if (!a->sku || !a->kind || json_int(adj, "occurred_at", 1, INT64_C(1) << 40, &a->occurred_at) ||
        json_int(adj, "quantity", -SDB_STOCK_MAX, SDB_STOCK_MAX, &a->quantity) != 0) {
        snprintf(reason, rlen, "sku, kind, quantity (within +/-2^50) and occurred_at are required");
        return -1;
    }
    if (!kind_known(a->kind)) {
        snprintf(reason, rlen, "unknown kind");
        return -1;
    }
    if (strcmp(a->kind, "count") == 0 && a->quantity < 0) {
        snprintf(reason, rlen, "a count cannot be negative");
        return -1;
    }
    if (a->occurred_at > rules->now + ORDERS_CLOCK_SKEW) {
        snprintf(reason, rlen, "occurred_at is %lld s ahead of the server's clock (at most %d"
                 " allowed)", (long long)(a->occurred_at - rules->now), ORDERS_CLOCK_SKEW);
        return -1;
    }
    return 0;
}

int adjustments_handle(struct sdb *db, const cJSON *adj, const struct orders_rules *rules,
                       cJSON *results)
{
    if (!cJSON_IsObject(adj))
        return results_reject(results, NULL, "invalid", "an adjustment must be an object");
    struct sdb_adjustment a = { 0 };
    char reason[240];
    a.idempotency_key = json_str(adj, "idempotency_key", ORDERS_MAX_KEY);
    if (!a.idempotency_key)
        return results_reject(results, NULL, "invalid", "missing idempotency_key");
    if (rules->terminal_id && !key_belongs(a.idempotency_key, rules->terminal_id))
        return results_reject(results, a.idempotency_key, "invalid",
                      "idempotency_key is not the token's terminal's");
    if (adjustment_check(adj, rules, &a, reason, sizeof reason) != 0)
        return results_reject(results, a.idempotency_key, "invalid", reason);
    int rc = sdb_adjustment_store(db, &a);
    if (rc == SDB_ERROR)
        return SDB_ERROR;
    if (rc == SDB_RANGE)
        return results_reject(results, a.idempotency_key, "out_of_range", sdb_detail(db));
    return results_add(results, a.idempotency_key, rc == SDB_DUPLICATE ? "duplicate" : "accepted")
               ? SDB_OK : SDB_ERROR;
}
