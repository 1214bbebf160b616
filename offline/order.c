/* The order as the store API carries it (assets/store-api.yaml, Order): built once, here. */
#include "offline/order.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "offline/outbox.h"
#include "src/sales.h"
#include "src/store.h"

void order_idempotency_key(const struct sale *sale, char *out, size_t len)
{
    snprintf(out, len, "%.31s:%.39s", sale->terminal_id, sale->uuid);
}

static void add_str_or_null(cJSON *o, const char *k, const char *v)
{
    if (v && *v)
        cJSON_AddStringToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

/* Integers go out as JSON numbers; all our amounts fit in 2^53 in practice, and the
 * server checks that they are integral. */
int order_to_json(const struct sale *sale, char **out)
{
    const struct cart *cart = sale->cart;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return -1;
    char key[ORDER_KEY_MAX];
    order_idempotency_key(sale, key, sizeof key);
    cJSON_AddStringToObject(o, "idempotency_key", key);
    cJSON_AddStringToObject(o, "terminal_id", sale->terminal_id);
    cJSON_AddStringToObject(o, "sale_uuid", sale->uuid);
    cJSON_AddStringToObject(o, "cashier", sale->cashier);
    cJSON_AddNumberToObject(o, "receipt_no", (double)sale->receipt_no);
    cJSON_AddNumberToObject(o, "started_at", (double)sale->started_at);
    cJSON_AddNumberToObject(o, "completed_at", (double)sale->completed_at);
    cJSON_AddStringToObject(o, "currency", sale->fmt.cur.code);
    cJSON_AddStringToObject(o, "tax_mode", sale->tax.mode == TAX_INCLUSIVE ? "inclusive" : "exclusive");
    cJSON_AddNumberToObject(o, "subtotal", (double)cart->totals.subtotal);
    cJSON_AddNumberToObject(o, "tax_total", (double)cart->totals.tax);
    cJSON_AddNumberToObject(o, "total", (double)cart->totals.total);
    cJSON_AddNumberToObject(o, "change_given", (double)sale->change_given);
    /* a return names its original order; one without a receipt says so (an override) */
    const char *return_of = NULL;
    int no_receipt = 0;
    for (int i = 0; i < cart->nlines; i++) {
        const struct cart_line *l = &cart->lines[i];
        if (l->qty >= 0 || l->voided)
            continue;
        if (l->return_of[0] && !return_of)
            return_of = l->return_of;
        no_receipt |= !l->return_of[0];
    }
    if (return_of)
        cJSON_AddStringToObject(o, "return_of", return_of);
    if (no_receipt)
        cJSON_AddTrueToObject(o, "no_receipt_return");
    if (cart->customer_id[0])
        cJSON_AddStringToObject(o, "customer_id", cart->customer_id);
    cJSON *lines = cJSON_AddArrayToObject(o, "lines");
    for (int i = 0; lines && i < cart->nlines; i++) {
        const struct cart_line *l = &cart->lines[i];
        cJSON *j = cJSON_CreateObject();
        if (!j)
            break;
        cJSON_AddNumberToObject(j, "line_no", i + 1);
        cJSON_AddStringToObject(j, "sku", l->product.sku);
        add_str_or_null(j, "barcode", l->barcode);
        cJSON_AddStringToObject(j, "name", l->product.name);
        cJSON_AddNumberToObject(j, "qty", (double)l->qty);
        cJSON_AddStringToObject(j, "unit", unit_name(l->product.unit));
        cJSON_AddNumberToObject(j, "unit_price", (double)l->unit_price);
        cJSON_AddNumberToObject(j, "line_total", (double)l->line_total);
        cJSON_AddStringToObject(j, "tax_class", l->product.tax_class);
        cJSON_AddNumberToObject(j, "tax_rate_ppm", (double)l->product.tax_rate_ppm);
        cJSON_AddBoolToObject(j, "voided", l->voided);
        /* the label's price is the line total: the server cannot recompute it */
        if (l->price_from_barcode)
            cJSON_AddTrueToObject(j, "price_from_label");
        /* line_total = unit_price x qty - discount; other orders stay byte-identical */
        if (l->discount)
            cJSON_AddNumberToObject(j, "discount", (double)l->discount);
        if (l->discount_label[0])
            cJSON_AddStringToObject(j, "discount_label", l->discount_label);
        if (l->qty < 0) {
            if (l->return_line)
                cJSON_AddNumberToObject(j, "return_line", l->return_line);
            cJSON_AddBoolToObject(j, "restock", l->restock);
            if (l->reason[0])
                cJSON_AddStringToObject(j, "reason", l->reason);
        }
        cJSON_AddItemToArray(lines, j);
    }
    cJSON *pays = cJSON_AddArrayToObject(o, "payments");
    for (int i = 0; pays && i < sale->npayments; i++) {
        const struct payment *p = &sale->payments[i];
        cJSON *j = cJSON_CreateObject();
        if (!j)
            break;
        cJSON_AddStringToObject(j, "tender", tender_name(p->tender));
        cJSON_AddNumberToObject(j, "amount", (double)p->amount);
        cJSON_AddNumberToObject(j, "tendered", (double)p->tendered);
        cJSON_AddNumberToObject(j, "change", (double)p->change);
        add_str_or_null(j, "reference", p->reference);
        add_str_or_null(j, "card_scheme", p->card_scheme);
        add_str_or_null(j, "masked_pan", p->masked_pan);
        add_str_or_null(j, "auth_code", p->auth_code);
        cJSON_AddItemToArray(pays, j);
    }
    *out = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return *out ? 0 : -1;
}

int order_enqueue(struct store *st, const struct sale *sale, void *ctx)
{
    (void)ctx;
    char key[ORDER_KEY_MAX], *json = NULL;
    order_idempotency_key(sale, key, sizeof key);
    if (order_to_json(sale, &json))
        return STORE_ERROR;
    int rc = outbox_enqueue(st, OUTBOX_ORDER, key, json, sale->completed_at);
    free(json);
    return rc;
}

int order_requeue_unsent(struct store *st, const struct sale *as, int64_t *queued, int64_t *kept)
{
    *queued = *kept = 0;
    int rc = store_begin(st, STORE_TX_PLAIN);
    if (rc)
        return rc;
    int64_t id = 0;
    for (;;) {
        struct sale sale = *as;
        struct cart cart;
        cart_init(&cart, &as->tax);
        sale.npayments = 0;
        rc = sales_next(st, id, &sale, &cart, &id);
        if (rc == STORE_OK) {
            char key[ORDER_KEY_MAX];
            struct outbox_entry e;
            order_idempotency_key(&sale, key, sizeof key);
            rc = outbox_get(st, key, &e);
            if (rc == STORE_NOTFOUND) {
                rc = order_enqueue(st, &sale, NULL);
                *queued += rc == STORE_OK;
            } else if (rc == STORE_OK) {
                (*kept)++;
            }
        }
        cart_free(&cart);
        if (rc != STORE_OK)
            break;
    }
    if (rc != STORE_NOTFOUND) {
        store_rollback(st);
        *queued = 0;
        return rc;
    }
    return store_commit(st);
}
