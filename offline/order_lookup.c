#include "offline/order_lookup.h"
#include "offline/json_num.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "core/money.h"

#define AMOUNT_MAX (INT64_C(1) << 50)
#define QTY_MAX (INT64_C(100000) * QTY_ONE)

/* A string field copied into dst; -1 when absent (and required) or too long. */
static int get_str(const cJSON *o, const char *name, char *dst, size_t len, int required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    dst[0] = 0;
    if (!v || cJSON_IsNull(v))
        return required ? -1 : 0;
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= len || (required && !v->valuestring[0]))
        return -1;
    snprintf(dst, len, "%s", v->valuestring);
    return 0;
}

static int read_line(const cJSON *j, int i, struct original_line *l, char *why, size_t wl)
{
    int64_t v;
    char unit[8];
    memset(l, 0, sizeof *l);
    if (json_num_field(j, "line_no", 1, 1000, &v))
        v = i + 1;
    l->line_no = (int)v;
    if (get_str(j, "sku", l->product.sku, sizeof l->product.sku, 1) ||
        get_str(j, "name", l->product.name, sizeof l->product.name, 0) ||
        get_str(j, "barcode", l->barcode, sizeof l->barcode, 0) ||
        get_str(j, "unit", unit, sizeof unit, 0) ||
        get_str(j, "tax_class", l->product.tax_class, sizeof l->product.tax_class, 1) ||
        json_num_field(j, "qty", -QTY_MAX, QTY_MAX, &l->qty) ||
        json_num_field(j, "unit_price", 0, AMOUNT_MAX, &l->unit_price) ||
        json_num_field(j, "line_total", -AMOUNT_MAX, AMOUNT_MAX, &l->paid) ||
        json_num_field(j, "tax_rate_ppm", 0, 1000000, &l->product.tax_rate_ppm)) {
        snprintf(why, wl, "line %d: sku, tax_class, qty, unit_price, line_total and tax_rate_ppm"
                 " are required and bounded", i + 1);
        return -1;
    }
    if (unit[0] && unit_parse(unit, &l->product.unit)) {
        snprintf(why, wl, "line %d: unit must be each or kg", i + 1);
        return -1;
    }
    if (!l->product.name[0])
        memcpy(l->product.name, l->product.sku, sizeof l->product.sku);   /* name is the larger */
    l->voided = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "voided"));
    l->product.price = l->unit_price;
    l->product.active = 1;
    return 0;
}

int order_lookup_parse(const char *body, size_t len, struct original_sale *out, char *why,
                       size_t wl)
{
    memset(out, 0, sizeof *out);
    cJSON *doc = cJSON_ParseWithLength(body, len);
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(doc, "order");
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(o, "lines");
    const cJSON *it;
    int rc = -1;
    if (!cJSON_IsObject(o) || !cJSON_IsArray(lines) ||
        cJSON_GetArraySize(lines) > RETURNS_MAX_LINES) {
        snprintf(why, wl, "the answer has no order with at most %d lines", RETURNS_MAX_LINES);
        goto done;
    }
    if (get_str(o, "idempotency_key", out->key, sizeof out->key, 1) ||
        get_str(o, "terminal_id", out->terminal_id, sizeof out->terminal_id, 0) ||
        get_str(o, "sale_uuid", out->uuid, sizeof out->uuid, 0) ||
        json_num_field(o, "total", -AMOUNT_MAX, AMOUNT_MAX, &out->total) ||
        json_num_field(o, "completed_at", 0, INT64_C(1) << 40, &out->completed_at)) {
        snprintf(why, wl, "the order lacks its key, total or completion time");
        goto done;
    }
    if (json_num_field(o, "receipt_no", 0, INT64_C(1) << 50, &out->receipt_no))
        out->receipt_no = 0;
    cJSON_ArrayForEach(it, lines) {
        if (read_line(it, out->nlines, &out->lines[out->nlines], why, wl))
            goto done;
        out->nlines++;
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "payments")) {
        char tender[12];
        int64_t amount;
        if (get_str(it, "tender", tender, sizeof tender, 1) ||
            json_num_field(it, "amount", -AMOUNT_MAX, AMOUNT_MAX, &amount)) {
            snprintf(why, wl, "a payment lacks its tender or amount");
            goto done;
        }
        for (int k = TENDER_CASH; k <= TENDER_VOUCHER; k++)
            if (strcmp(tender, tender_name((enum tender_kind)k)) == 0)
                out->paid_by[k] += amount;   /* 16 payments within 2^50: no overflow */
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc, "returned")) {
        int64_t line_no, qty;
        if (json_num_field(it, "line_no", 1, 1000, &line_no) || json_num_field(it, "qty", 0, QTY_MAX, &qty)) {
            snprintf(why, wl, "returned: line_no and qty are required");
            goto done;
        }
        int i = returns_find_line(out, (int)line_no);
        if (i >= 0)
            out->lines[i].returned = qty;
    }
    out->from_server = 1;
    rc = 0;
done:
    cJSON_Delete(doc);
    return rc;
}
