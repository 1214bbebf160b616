/* The CashMovement and Shift documents of the store API: built once, here. */
#include "offline/shift_doc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "offline/outbox.h"
#include "src/store.h"

void shift_doc_movement_key(const char *terminal_id, const struct cash_movement *m, char *out, size_t len)
{
    snprintf(out, len, "%.31s:cash:%.39s", terminal_id, m->uuid);
}

void shift_doc_shift_key(const struct shift *sh, char *out, size_t len)
{
    snprintf(out, len, "%.31s:shift:%.39s", sh->terminal_id, sh->uuid);
}

static void add_opt(cJSON *o, const char *k, const char *v)
{
    if (v && *v)
        cJSON_AddStringToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static void add_int(cJSON *o, const char *k, int64_t v)
{
    cJSON_AddNumberToObject(o, k, (double)v);
}

static int finish(cJSON *o, char **out)
{
    *out = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return *out ? 0 : -1;
}

int shift_doc_movement_json(const char *terminal_id, const char *shift_uuid, const struct cash_movement *m,
                            char **out)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return -1;
    char key[OUTBOX_KEY_MAX];
    shift_doc_movement_key(terminal_id, m, key, sizeof key);
    cJSON_AddStringToObject(o, "idempotency_key", key);
    cJSON_AddStringToObject(o, "terminal_id", terminal_id);
    cJSON_AddStringToObject(o, "movement_uuid", m->uuid);
    cJSON_AddStringToObject(o, "shift_uuid", shift_uuid);
    cJSON_AddStringToObject(o, "kind", cash_kind_name(m->kind));
    add_int(o, "amount", m->amount);
    add_opt(o, "reason", m->reason);
    cJSON_AddStringToObject(o, "staff_id", m->staff_id);
    add_opt(o, "approved_by", m->approved_by);
    add_int(o, "at", m->at);
    return finish(o, out);
}

static void add_count_value(cJSON *o, const char *k, int64_t n, int64_t v)
{
    cJSON *j = cJSON_AddObjectToObject(o, k);
    if (!j)
        return;
    add_int(j, "count", n);
    add_int(j, "value", v);
}

int shift_doc_shift_json(const struct shift *sh, const struct shift_report *r, const char *currency, char **out)
{
    const struct shift_figures *f = &r->f;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return -1;
    char key[OUTBOX_KEY_MAX];
    shift_doc_shift_key(sh, key, sizeof key);
    cJSON_AddStringToObject(o, "idempotency_key", key);
    cJSON_AddStringToObject(o, "terminal_id", sh->terminal_id);
    cJSON_AddStringToObject(o, "shift_uuid", sh->uuid);
    add_int(o, "shift_no", sh->id);
    add_int(o, "z_number", sh->z_number);
    cJSON_AddStringToObject(o, "currency", currency);
    add_int(o, "opened_at", sh->opened_at);
    cJSON_AddStringToObject(o, "opened_by", sh->opened_by);
    add_int(o, "closed_at", sh->closed_at);
    cJSON_AddStringToObject(o, "closed_by", sh->closed_by);
    add_int(o, "opening_float", f->opening_float);
    add_int(o, "sales_count", f->sales_count);
    add_int(o, "sales_total", f->sales_total);
    cJSON *t = cJSON_AddObjectToObject(o, "tenders");
    if (t) {
        add_int(t, "cash", f->cash);
        add_int(t, "card", f->card);
        add_int(t, "voucher", f->voucher);
    }
    cJSON *taxes = cJSON_AddArrayToObject(o, "taxes");
    for (int i = 0; taxes && i < f->ntaxes; i++) {
        cJSON *j = cJSON_CreateObject();
        if (!j)
            break;
        cJSON_AddStringToObject(j, "tax_class", f->taxes[i].code);
        add_int(j, "rate_ppm", f->taxes[i].rate_ppm);
        add_int(j, "net", f->taxes[i].net);
        add_int(j, "tax", f->taxes[i].tax);
        add_int(j, "gross", f->taxes[i].gross);
        cJSON_AddItemToArray(taxes, j);
    }
    add_int(o, "discounts", f->discounts);
    add_count_value(o, "voids", f->voids_count, f->voids_value);
    add_count_value(o, "cancels", f->cancels_count, f->cancels_value);
    add_count_value(o, "refunds", f->refunds_count, f->refunds_value);
    add_int(o, "no_sales", f->no_sales);
    add_int(o, "paid_in", f->paid_in);
    add_int(o, "paid_out", f->paid_out);
    add_int(o, "drops", f->drops);
    add_int(o, "expected_cash", r->expected_cash);
    add_int(o, "counted_cash", r->counted_cash);
    add_int(o, "over_short", r->over_short);
    /* the payment terminal's end-of-day against the till's card total */
    cJSON *e = cJSON_AddObjectToObject(o, "card_terminal");
    if (e) {
        cJSON_AddStringToObject(e, "end_of_day", shift_eod_name(r->eod.state));
        if (r->eod.state == SHIFT_EOD_OK) {
            add_int(e, "terminal_total", r->eod.terminal.total);
            add_int(e, "terminal_count", r->eod.terminal.count);
            add_int(e, "difference", r->eod_difference);
        }
    }
    return finish(o, out);
}

int shift_doc_enqueue_movement(struct store *st, const char *terminal_id, const char *shift_uuid,
                               const struct cash_movement *m)
{
    char key[OUTBOX_KEY_MAX], *json;
    shift_doc_movement_key(terminal_id, m, key, sizeof key);
    if (shift_doc_movement_json(terminal_id, shift_uuid, m, &json))
        return STORE_ERROR;
    int rc = outbox_enqueue(st, OUTBOX_CASH_MOVEMENT, key, json, m->at);
    free(json);
    return rc;
}

int shift_doc_enqueue_shift(struct store *st, const struct shift *sh, const struct shift_report *r,
                            const char *currency)
{
    char key[OUTBOX_KEY_MAX], *json;
    shift_doc_shift_key(sh, key, sizeof key);
    if (shift_doc_shift_json(sh, r, currency, &json))
        return STORE_ERROR;
    int rc = outbox_enqueue(st, OUTBOX_SHIFT, key, json, sh->closed_at);
    free(json);
    return rc;
}
