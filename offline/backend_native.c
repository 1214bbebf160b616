/* The native backend: Till's own store API (assets/store-api.yaml, server/), whose pages
 * and results already have the shape the engine applies.  This file knows its URLs, its
 * batch bodies and what its HTTP statuses mean:
 *   400, 409, 413, 422  refused (a batch goes one by one; a single row is parked)
 *   429, 503            retry after the server's Retry-After
 *   anything else       retry with backoff (a 401 from a wrong token, a proxy's error page) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offline/backend.h"
#include "offline/json_num.h"
#include "offline/http.h"
#include "offline/json_thread.h"
#include "offline/sync.h"

struct native_req {
    struct native *n;
    uint64_t http_id;
    enum backend_feed feed;     /* pulls */
    int push;
    int lookup;                 /* GET /v1/orders/{key} */
    int64_t since;
    backend_done_cb done;
    void *ctx;
    struct json_job *parse;     /* a page being parsed off the loop */
    struct http_response answer;/* its answer's status and size (no body) meanwhile */
    struct native_req *next;
};

/* Answers from this size on are parsed on a thread (offline/json_thread.c): a catalog
 * page of 2,000 products is ~360 kB and takes 1.5-4 ms to parse. */
#define PARSE_OFF_LOOP_BYTES (64 * 1024)

struct native {
    struct backend base;
    struct http *http;
    struct loop *http_loop;
    struct native_req *reqs;    /* in flight */
    struct sync_config cfg;
};

/* Each kind of outbox row: where it is posted and the array its documents go in. */
static const struct {
    enum outbox_kind kind;
    const char *path, *field;
} push_kinds[] = {
    { OUTBOX_ORDER, "/v1/orders", "orders" },
    { OUTBOX_STOCK_ADJUSTMENT, "/v1/stock-adjustments", "adjustments" },
    { OUTBOX_CASH_MOVEMENT, "/v1/cash-movements", "movements" },
    { OUTBOX_SHIFT, "/v1/shifts", "shifts" },
    { OUTBOX_AUDIT, "/v1/audit", "rows" },
};

static size_t push_kind_index(enum outbox_kind kind)
{
    for (size_t i = 0; i < sizeof push_kinds / sizeof push_kinds[0]; i++)
        if (push_kinds[i].kind == kind)
            return i;
    return 0;
}

static const char *server_message(const struct http_response *r, char *buf, size_t len)
{
    cJSON *j = cJSON_ParseWithLength(r->body, r->len);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    const char *m = backend_json_str(e, "message", 300);
    snprintf(buf, len, "%s", m ? m : "no reason given");
    cJSON_Delete(j);
    return buf;
}

static void req_unlink(struct native_req *q)
{
    for (struct native_req **p = &q->n->reqs; *p; p = &(*p)->next) {
        if (*p == q) {
            *p = q->next;
            return;
        }
    }
}

static void reply_taking(struct native_req *q, enum backend_outcome outcome, const struct http_response *r,
                         const cJSON *doc, cJSON **take, const char *error)
{
    struct backend_reply b = {
        .outcome = outcome,
        .status = r->status,
        .retry_after_s = r->status == 429 || r->status == 503 ? r->retry_after_s : -1,
        .doc = doc,
        .bytes = r->len,
        .take = take,
    };
    snprintf(b.error, sizeof b.error, "%s", error ? error : "");
    req_unlink(q);
    q->done(q->ctx, &b);
    free(q);
}

static void reply(struct native_req *q, enum backend_outcome outcome, const struct http_response *r,
                  const cJSON *doc, const char *error)
{
    reply_taking(q, outcome, r, doc, NULL, error);
}

static const char *const pull_names[] = { [BACKEND_CATALOG] = "GET catalog", [BACKEND_STAFF] = "GET staff",
                                          [BACKEND_STOCK] = "GET stock", [BACKEND_PROMOTIONS] = "GET promotions",
                                          [BACKEND_CUSTOMERS] = "GET customers", [BACKEND_RECONCILE] = "GET catalog" };

static void finish(struct native_req *q, const struct http_response *r, cJSON *j);

static void on_parsed(void *ctx, cJSON *doc)
{
    struct native_req *q = ctx;
    q->parse = NULL;
    finish(q, &q->answer, doc);
}

static void on_done(void *ctx, const struct http_response *r)
{
    struct native_req *q = ctx;
    const char *what = q->push ? "POST" : pull_names[q->feed];
    char msg[400], sm[320];
    if (q->lookup) {
        /* the answer's bytes go to the caller as they came */
        if (!r->transport_ok) {
            snprintf(msg, sizeof msg, "store server not reachable: %.150s", r->error);
            reply(q, BACKEND_RETRY, r, NULL, msg);
        } else if ((r->status == 200 && !r->too_large) || r->status == 404) {
            cJSON *doc = cJSON_CreateObject();
            cJSON_AddBoolToObject(doc, "found", r->status == 200);
            if (r->status == 200)
                cJSON_AddItemToObject(doc, "body", cJSON_CreateString(r->body));
            reply(q, BACKEND_OK, r, doc, NULL);
            cJSON_Delete(doc);
        } else {
            snprintf(msg, sizeof msg, "store server answered HTTP %ld", r->status);
            reply(q, BACKEND_RETRY, r, NULL, msg);
        }
        return;
    }
    if (!r->transport_ok) {
        snprintf(msg, sizeof msg, "%s: %s", what, r->error);
        reply(q, BACKEND_RETRY, r, NULL, msg);
        return;
    }
    /* 409: the server holds another sale under this key; parked loudly, never sent */
    if (q->push && (r->status == 400 || r->status == 409 || r->status == 413 || r->status == 422)) {
        snprintf(msg, sizeof msg, "refused by the server (HTTP %ld): %s", r->status, server_message(r, sm, sizeof sm));
        reply(q, BACKEND_REFUSED, r, NULL, msg);
        return;
    }
    if (r->status != 200) {
        snprintf(msg, sizeof msg, "%s: HTTP %ld: %s", what, r->status, server_message(r, sm, sizeof sm));
        reply(q, BACKEND_RETRY, r, NULL, msg);
        return;
    }
    if (!q->push && r->len >= PARSE_OFF_LOOP_BYTES) {
        q->answer = *r;
        q->answer.body = NULL;
        q->parse = json_parse_async(q->n->http_loop, r->body, r->len, on_parsed, q);
        if (q->parse)
            return;
    }
    finish(q, r, cJSON_ParseWithLength(r->body, r->len));
}

/* The answer (200) parsed: checked, then handed over. */
static void finish(struct native_req *q, const struct http_response *r, cJSON *j)
{
    const char *what = q->push ? "POST" : pull_names[q->feed];
    char msg[400];
    int ok;
    if (q->push) {
        ok = cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "results"));
    } else {
        /* the contract's cursors only move forward, and a page with more behind it moves */
        int64_t next;
        const cJSON *more = cJSON_GetObjectItemCaseSensitive(j, "has_more");
        ok = cJSON_IsBool(more) && !json_num_field(j, "next_cursor", 0, INT64_C(1) << 52, &next) &&
             next >= q->since && !(cJSON_IsTrue(more) && next == q->since);
    }
    if (!ok) {
        if (q->push)
            snprintf(msg, sizeof msg, "%s: the server's answer is not the expected JSON (%zu bytes)", what, r->len);
        else
            snprintf(msg, sizeof msg, "%s: the server's answer is not valid (%zu bytes); nothing was changed", what, r->len);
        cJSON_Delete(j);
        reply(q, BACKEND_RETRY, r, NULL, msg);
        return;
    }
    /* a page is the engine's to keep: parsed once, never copied */
    reply_taking(q, BACKEND_OK, r, j, &j, NULL);
    cJSON_Delete(j);
}

static struct native_req *req_new(struct native *n, backend_done_cb done, void *ctx)
{
    struct native_req *q = calloc(1, sizeof *q);
    if (q) {
        q->n = n;
        q->done = done;
        q->ctx = ctx;
    }
    return q;
}

/* The engine's id is the HTTP request's: cancel goes straight to it. */
static uint64_t start(struct native_req *q, const char *method, const char *url, const char *body, size_t len)
{
    q->http_id = http_request(q->n->http, method, url, body, len, on_done, q);
    if (!q->http_id) {
        free(q);
        return 0;
    }
    q->next = q->n->reqs;
    q->n->reqs = q;
    return q->http_id;
}

static uint64_t n_pull(struct backend *b, enum backend_feed feed, int64_t since, int limit, backend_done_cb done,
                       void *ctx)
{
    struct native *n = (struct native *)b;
    if (feed == BACKEND_RECONCILE)
        return 0; /* the contract's catalog feed carries tombstones */
    struct native_req *q = req_new(n, done, ctx);
    if (!q)
        return 0;
    q->feed = feed;
    q->since = since;
    char url[512];
    if (feed == BACKEND_CATALOG)
        snprintf(url, sizeof url, "%s/v1/catalog?since=%lld&limit=%d", n->cfg.url, (long long)since, limit);
    else if (feed == BACKEND_STAFF)
        snprintf(url, sizeof url, "%s/v1/staff?since=%lld&limit=%d", n->cfg.url, (long long)since, limit);
    else if (feed == BACKEND_PROMOTIONS || feed == BACKEND_CUSTOMERS)
        snprintf(url, sizeof url, "%s/v1/%s?since=%lld&limit=%d", n->cfg.url,
                 feed == BACKEND_PROMOTIONS ? "promotions" : "customers", (long long)since, limit);
    else
        snprintf(url, sizeof url, "%s/v1/stock?location=%s&since=%lld&limit=%d", n->cfg.url, n->cfg.location,
                 (long long)since, limit);
    return start(q, "GET", url, NULL, 0);
}

/* The body is the stored payloads (the exact JSON to send) in one array. */
static uint64_t n_push(struct backend *b, enum outbox_kind kind, const struct backend_item *items, int count,
                       backend_done_cb done, void *ctx)
{
    struct native *n = (struct native *)b;
    size_t ki = push_kind_index(kind);
    char head[40];
    snprintf(head, sizeof head, "{\"%s\":[", push_kinds[ki].field);
    size_t cap = strlen(head) + 3;
    for (int i = 0; i < count; i++)
        cap += items[i].len + 1;
    char *body = malloc(cap);
    struct native_req *q = body ? req_new(n, done, ctx) : NULL;
    if (!q) {
        free(body);
        return 0;
    }
    q->push = 1;
    size_t len = (size_t)snprintf(body, cap, "%s", head);
    for (int i = 0; i < count; i++) {
        if (i)
            body[len++] = ',';
        memcpy(body + len, items[i].payload, items[i].len);
        len += items[i].len;
    }
    memcpy(body + len, "]}", 3);
    len += 2;
    char url[400];
    snprintf(url, sizeof url, "%s%s", n->cfg.url, push_kinds[ki].path);
    uint64_t id = start(q, "POST", url, body, len);
    free(body);
    return id;
}

static uint64_t n_lookup(struct backend *b, const char *key, backend_done_cb done, void *ctx)
{
    struct native *n = (struct native *)b;
    struct native_req *q = req_new(n, done, ctx);
    if (!q)
        return 0;
    q->lookup = 1;
    char url[1024], enc[3 * 128 + 1];
    size_t len = 0;
    /* the key goes into the path: anything but safe characters percent-encoded */
    for (const unsigned char *p = (const unsigned char *)key; *p && len + 4 < sizeof enc; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == ':' || *p == '~')
            enc[len++] = (char)*p;
        else
            len += (size_t)snprintf(enc + len, sizeof enc - len, "%%%02X", *p);
    }
    enc[len] = 0;
    snprintf(url, sizeof url, "%s/v1/orders/%s", n->cfg.url, enc);
    return start(q, "GET", url, NULL, 0);
}

static void n_cancel(struct backend *b, uint64_t id)
{
    struct native *n = (struct native *)b;
    for (struct native_req *q = n->reqs; q; q = q->next) {
        if (q->http_id == id) {
            if (q->parse)
                json_job_cancel(q->parse);
            else
                http_cancel(n->http, id);
            req_unlink(q);
            free(q);
            return;
        }
    }
}

static int n_max_batch(struct backend *b, enum outbox_kind kind)
{
    (void)b;
    (void)kind;
    return 500; /* the contract's limit per request */
}

static void n_free(struct backend *b)
{
    struct native *n = (struct native *)b;
    if (!n)
        return;
    http_free(n->http);
    while (n->reqs) {
        struct native_req *q = n->reqs;
        n->reqs = q->next;
        json_job_cancel(q->parse);
        free(q);
    }
    memset(n->cfg.token, 0, sizeof n->cfg.token);
    free(n);
}

static const struct backend_ops native_ops = {
    .name = "native",
    .pull = n_pull,
    .push = n_push,
    .lookup_order = n_lookup,
    .cancel = n_cancel,
    .max_batch = n_max_batch,
    .free = n_free,
    .has_reconcile = 0,
};

struct backend *backend_native_new(struct loop *loop, const struct sync_config *cfg, char *err, size_t errlen)
{
    struct native *n = calloc(1, sizeof *n);
    if (!n) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    n->base.ops = &native_ops;
    n->cfg = *cfg;
    struct http_options ho;
    sync_http_options(cfg, &ho);
    n->http = http_new(loop, &ho);
    n->http_loop = loop;
    if (!n->http) {
        snprintf(err, errlen, "sync: cannot start libcurl");
        free(n);
        return NULL;
    }
    return &n->base;
}
