/* Orders and adjustments: a rejected item never touches the database. */
#include "server/orders.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An integer field: a JSON number without fraction, exact in a double. */
static int json_int(const cJSON *obj, const char *name, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!cJSON_IsNumber(v))
        return -1;
    double d = v->valuedouble;
    if (d != floor(d) || d > 9007199254740992.0 || d < -9007199254740992.0)
        return -1;
    *out = (int64_t)d;
    return 0;
}

static const char *json_str(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

static cJSON *result_new(cJSON *results, const char *key, const char *status)
{
    cJSON *r = cJSON_CreateObject();
    if (!r)
        return NULL;
    if (key)
        cJSON_AddStringToObject(r, "idempotency_key", key);
    else
        cJSON_AddNullToObject(r, "idempotency_key");
    cJSON_AddStringToObject(r, "status", status);
    cJSON_AddItemToArray(results, r);
    return r;
}

static int reject(cJSON *results, const char *key, const char *reason)
{
    cJSON *r = result_new(results, key, "rejected");
    if (!r)
        return SDB_ERROR;
    cJSON_AddStringToObject(r, "reason", reason);
    return SDB_OK;
}

static void add_unique(cJSON *list, const char *sku)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, list)
        if (strcmp(it->valuestring, sku) == 0)
            return;
    cJSON_AddItemToArray(list, cJSON_CreateString(sku));
}

/* Fills lines[] from the JSON; reason gets why not when a line is unusable. */
static int parse_lines(const cJSON *arr, struct sdb_order_line *lines, int64_t *sum,
                       char *reason, size_t rlen)
{
    int i = 0;
    const cJSON *l;
    *sum = 0;
    cJSON_ArrayForEach(l, arr) {
        struct sdb_order_line *ol = &lines[i++];
        memset(ol, 0, sizeof *ol);
        ol->sku = json_str(l, "sku");
        ol->barcode = json_str(l, "barcode");
        ol->name = json_str(l, "name");
        ol->voided = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l, "voided"));
        if (json_int(l, "line_no", &ol->line_no) != 0)
            ol->line_no = i;
        if (!cJSON_IsObject(l) || !ol->sku || json_int(l, "qty", &ol->qty) != 0 ||
            json_int(l, "unit_price", &ol->unit_price) != 0 ||
            json_int(l, "line_total", &ol->line_total) != 0) {
            snprintf(reason, rlen, "line %d: sku, qty, unit_price and line_total are required", i);
            return -1;
        }
        if (!ol->voided && __builtin_add_overflow(*sum, ol->line_total, sum)) {
            snprintf(reason, rlen, "line totals overflow");
            return -1;
        }
    }
    return 0;
}

static int payments_sum(const cJSON *order, int64_t *sum)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(order, "payments"), *p;
    *sum = 0;
    if (!arr)
        return 0; /* no payments: only a zero total can match */
    if (!cJSON_IsArray(arr))
        return -1;
    cJSON_ArrayForEach(p, arr) {
        int64_t amount;
        if (json_int(p, "amount", &amount) != 0 || __builtin_add_overflow(*sum, amount, sum))
            return -1;
    }
    return 0;
}

/* Fills o from the JSON or explains in reason why the order is rejected. */
static int order_check(const cJSON *order, const char *store_currency, struct sdb_order *o,
                       struct sdb_order_line **lines_out, char *reason, size_t rlen)
{
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(order, "lines");
    int nlines = cJSON_IsArray(lines) ? cJSON_GetArraySize(lines) : 0;
    int64_t lines_sum, paid;
    *lines_out = NULL;
    if (!o->idempotency_key) {
        snprintf(reason, rlen, "missing idempotency_key");
        return -1;
    }
    if (nlines == 0) {
        snprintf(reason, rlen, "no lines");
        return -1;
    }
    if (json_int(order, "total", &o->total) != 0 ||
        json_int(order, "completed_at", &o->completed_at) != 0 || !o->currency) {
        snprintf(reason, rlen, "total, completed_at and currency are required");
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
    if (parse_lines(lines, ls, &lines_sum, reason, rlen) != 0)
        return -1;
    if (lines_sum != o->total) {
        snprintf(reason, rlen, "total does not equal the sum of the lines");
        return -1;
    }
    if (payments_sum(order, &paid) != 0 || paid != o->total) {
        snprintf(reason, rlen, "payments do not add up to the total");
        return -1;
    }
    if (strcmp(o->currency, store_currency) != 0) {
        snprintf(reason, rlen, "currency %s does not match the store's %s", o->currency,
                 store_currency);
        return -1;
    }
    return 0;
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

int orders_handle(struct sdb *db, const cJSON *order, const char *store_currency, cJSON *results)
{
    struct sdb_order o = { 0 };
    struct sdb_order_line *lines = NULL;
    char reason[160];
    o.idempotency_key = json_str(order, "idempotency_key");
    o.terminal_id = json_str(order, "terminal_id");
    o.sale_uuid = json_str(order, "sale_uuid");
    o.currency = json_str(order, "currency");
    o.location = json_str(order, "location");
    if (!o.location)
        o.location = SDB_DEFAULT_LOCATION;
    if (!cJSON_IsObject(order) ||
        order_check(order, store_currency, &o, &lines, reason, sizeof reason) != 0) {
        free(lines);
        return reject(results, cJSON_IsObject(order) ? o.idempotency_key : NULL,
                      cJSON_IsObject(order) ? reason : "an order must be an object");
    }
    int rc = SDB_ERROR;
    cJSON *mismatches = cJSON_CreateArray(), *unknown = cJSON_CreateArray();
    char *payload = cJSON_PrintUnformatted(order);
    o.payload = payload;
    int64_t order_id = 0;
    if (!mismatches || !unknown || !payload || catalog_compare(db, &o, mismatches, unknown) != SDB_OK)
        goto done;
    rc = sdb_order_store(db, &o, &order_id);
    if (rc == SDB_ERROR)
        goto done;
    cJSON *r = result_new(results, o.idempotency_key, rc == SDB_DUPLICATE ? "duplicate" : "accepted");
    if (!r) {
        rc = SDB_ERROR;
        goto done;
    }
    cJSON_AddNumberToObject(r, "order_id", (double)order_id);
    if (rc == SDB_OK) {
        cJSON_AddItemToObject(r, "price_mismatches", mismatches);
        cJSON_AddItemToObject(r, "unknown_skus", unknown);
        mismatches = unknown = NULL;
    }
    rc = SDB_OK;
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

int adjustments_handle(struct sdb *db, const cJSON *adj, cJSON *results)
{
    if (!cJSON_IsObject(adj))
        return reject(results, NULL, "an adjustment must be an object");
    struct sdb_adjustment a = { 0 };
    a.idempotency_key = json_str(adj, "idempotency_key");
    a.sku = json_str(adj, "sku");
    a.location = json_str(adj, "location");
    a.kind = json_str(adj, "kind");
    a.reason = json_str(adj, "reason");
    if (!a.location)
        a.location = SDB_DEFAULT_LOCATION;
    if (!a.idempotency_key)
        return reject(results, NULL, "missing idempotency_key");
    if (!a.sku || !a.kind || json_int(adj, "quantity", &a.quantity) != 0 ||
        json_int(adj, "occurred_at", &a.occurred_at) != 0)
        return reject(results, a.idempotency_key, "sku, kind, quantity and occurred_at are required");
    if (!kind_known(a.kind))
        return reject(results, a.idempotency_key, "unknown kind");
    int rc = sdb_adjustment_store(db, &a);
    if (rc == SDB_ERROR)
        return SDB_ERROR;
    return result_new(results, a.idempotency_key, rc == SDB_DUPLICATE ? "duplicate" : "accepted")
               ? SDB_OK : SDB_ERROR;
}
