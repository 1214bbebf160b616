/* The AuditRow documents of the store API: built and queued here. */
#include "offline/audit_doc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "offline/outbox.h"

#define AUDIT_QUEUED_KEY "audit.queued"

void audit_doc_key(const char *terminal_id, int64_t seq, char *out, size_t len)
{
    snprintf(out, len, "%.31s:audit:%lld", terminal_id, (long long)seq);
}

static void add_opt(cJSON *o, const char *k, const char *v)
{
    if (v && *v)
        cJSON_AddStringToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

int audit_doc_json(const struct store_audit_row *row, char **out)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return -1;
    char key[OUTBOX_KEY_MAX];
    const char *terminal = row->terminal ? row->terminal : "";
    audit_doc_key(terminal, row->id, key, sizeof key);
    cJSON_AddStringToObject(o, "idempotency_key", key);
    cJSON_AddStringToObject(o, "terminal_id", terminal);
    cJSON_AddNumberToObject(o, "seq", (double)row->id);
    cJSON_AddNumberToObject(o, "at", (double)row->at);
    cJSON_AddStringToObject(o, "cashier", row->cashier ? row->cashier : "");
    cJSON_AddStringToObject(o, "event", row->event ? row->event : "");
    add_opt(o, "detail", row->detail);
    add_opt(o, "prev_hash", row->prev_hash);
    cJSON_AddStringToObject(o, "hash", row->hash ? row->hash : "");
    *out = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return *out ? 0 : -1;
}

struct enqueue_ctx {
    struct store *st;
    int64_t last;
    int rc;
};

static int enqueue_row(void *ctx, const struct store_audit_row *row)
{
    struct enqueue_ctx *c = ctx;
    char key[OUTBOX_KEY_MAX], *json;
    audit_doc_key(row->terminal ? row->terminal : "", row->id, key, sizeof key);
    if (audit_doc_json(row, &json)) {
        c->rc = STORE_ERROR;
        return 1;
    }
    c->rc = outbox_enqueue(c->st, OUTBOX_AUDIT, key, json, row->at);
    free(json);
    if (c->rc != STORE_OK)
        return 1;
    c->last = row->id;
    return 0;
}

int audit_doc_enqueue_new(struct store *st, int max)
{
    char buf[32];
    struct enqueue_ctx c = { st, 0, STORE_OK };
    if (store_meta_get(st, AUDIT_QUEUED_KEY, buf, sizeof buf) == STORE_OK)
        c.last = strtoll(buf, NULL, 10);
    int64_t before = c.last;
    int rc = store_begin(st, STORE_TX_PLAIN);
    if (rc != STORE_OK)
        return rc;
    int n = store_audit_rows_after(st, c.last, max, enqueue_row, &c);
    if (n < 0 || c.rc != STORE_OK) {
        store_rollback(st);
        return n < 0 ? n : c.rc;
    }
    if (c.last == before) {
        store_rollback(st);
        return 0;
    }
    snprintf(buf, sizeof buf, "%lld", (long long)c.last);
    if ((rc = store_meta_set(st, AUDIT_QUEUED_KEY, buf)) != STORE_OK || (rc = store_commit(st)) != STORE_OK) {
        store_rollback(st);
        return rc;
    }
    return n;
}

static int count_row(void *ctx, const struct store_audit_row *row)
{
    int64_t *last = ctx;
    *last = row->id;
    return 0;
}

int audit_doc_unqueued(struct store *st, int64_t *out)
{
    char buf[32];
    int64_t last = 0;
    *out = 0;
    if (store_meta_get(st, AUDIT_QUEUED_KEY, buf, sizeof buf) == STORE_OK)
        last = strtoll(buf, NULL, 10);
    for (;;) {
        int n = store_audit_rows_after(st, last, 1000, count_row, &last);
        if (n < 0)
            return n;
        *out += n;
        if (n < 1000)
            return STORE_OK;
    }
}
