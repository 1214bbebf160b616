/* The live stock lookup (see offline/stock_query.h). */
#include "offline/stock_query.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offline/http.h"
#include "offline/json_num.h"
#include "offline/sync.h"

/* A person waits at the till: give up long before a sync would. */
#define LOOKUP_CONNECT_MS 2000
#define LOOKUP_TIMEOUT_MS 4000
#define LOOKUP_MAX_BYTES 4096

struct stock_query {
    struct http *http;
    char url[256];
    uint64_t req;
    stock_query_cb cb;
    void *ctx;
    char sku[STOCK_QUERY_TEXT_MAX + 1];
    char location[STOCK_QUERY_TEXT_MAX + 1];
};

static long shorter(long a, long b)
{
    return a < b ? a : b;
}

struct stock_query *stock_query_new(struct loop *loop, const struct sync_config *cfg)
{
    struct stock_query *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    snprintf(q->url, sizeof q->url, "%s", cfg->url);
    struct http_options ho;
    sync_http_options(cfg, &ho);
    /* a lookup the cashier waits for: small and quick, whatever the sync may take */
    ho.max_response_bytes = LOOKUP_MAX_BYTES;
    ho.connect_timeout_ms = shorter(cfg->connect_timeout_ms, LOOKUP_CONNECT_MS);
    ho.timeout_ms = shorter(cfg->timeout_ms, LOOKUP_TIMEOUT_MS);
    q->http = http_new(loop, &ho);
    if (!q->http) {
        free(q);
        return NULL;
    }
    return q;
}

void stock_query_free(struct stock_query *q)
{
    if (!q)
        return;
    http_free(q->http);
    free(q);
}

void stock_query_cancel(struct stock_query *q)
{
    if (q->req)
        http_cancel(q->http, q->req);
    q->req = 0;
}

/* RFC 3986: unreserved characters as they are, every other byte %XX. */
static int url_escape(const char *s, char *out, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                    *p == '-' || *p == '_' || *p == '.' || *p == '~';
        if (o + (plain ? 1 : 3) >= len)
            return -1;
        if (plain) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = 0;
    return 0;
}

static const char *server_reason(const struct http_response *r, char *buf, size_t len)
{
    cJSON *j = cJSON_ParseWithLength(r->body, r->len);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "error"), "message");
    snprintf(buf, len, "%.120s", cJSON_IsString(m) ? m->valuestring : "no reason given");
    cJSON_Delete(j);
    return buf;
}

static void on_answer(void *ctx, const struct http_response *r)
{
    struct stock_query *q = ctx;
    q->req = 0;
    struct stock_level_answer a;
    char why[200], reason[128];
    if (!r->transport_ok) {
        snprintf(why, sizeof why, "no answer: %.150s", r->error);
    } else if (r->status != 200) {
        snprintf(why, sizeof why, "HTTP %ld: %s", r->status, server_reason(r, reason, sizeof reason));
    } else if (stock_level_parse(r->body, r->len, q->sku, q->location, &a, reason, sizeof reason) == 0) {
        q->cb(q->ctx, 1, &a, NULL);
        return;
    } else {
        snprintf(why, sizeof why, "the answer is not readable: %s", reason);
    }
    q->cb(q->ctx, 0, NULL, why);
}

int stock_query_ask(struct stock_query *q, const char *sku, const char *location, stock_query_cb cb, void *ctx)
{
    char esku[3 * STOCK_QUERY_TEXT_MAX + 1], eloc[3 * STOCK_QUERY_TEXT_MAX + 1], url[720];
    if (strlen(sku) > STOCK_QUERY_TEXT_MAX || strlen(location) > STOCK_QUERY_TEXT_MAX ||
        url_escape(sku, esku, sizeof esku) || url_escape(location, eloc, sizeof eloc))
        return -1;
    stock_query_cancel(q);
    snprintf(q->sku, sizeof q->sku, "%s", sku);
    snprintf(q->location, sizeof q->location, "%s", location);
    q->cb = cb;
    q->ctx = ctx;
    snprintf(url, sizeof url, "%s/v1/stock-level?sku=%s&location=%s", q->url, esku, eloc);
    q->req = http_request(q->http, "GET", url, NULL, 0, on_answer, q);
    return q->req ? 0 : -1;
}

int stock_level_parse(const char *body, size_t len, const char *sku, const char *location,
                      struct stock_level_answer *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    cJSON *j = cJSON_ParseWithLength(body, len);
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "sku");
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(j, "location");
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(j, "known");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(j, "on_hand");
    const int64_t limit = INT64_C(1) << 50;
    int64_t on_hand = 0;
    int rc = -1;
    if (!cJSON_IsObject(j) || !cJSON_IsString(s) || !cJSON_IsString(l) || !cJSON_IsBool(k))
        snprintf(why, whylen, "not a stock level");
    else if (strcmp(s->valuestring, sku) != 0 || strcmp(l->valuestring, location) != 0)
        snprintf(why, whylen, "about another item or location");
    else if (cJSON_IsTrue(k) && json_num_int(n, -limit, limit, &on_hand) != JSON_NUM_OK)
        snprintf(why, whylen, "on_hand is not a whole number within +/-2^50");
    else {
        snprintf(out->sku, sizeof out->sku, "%s", sku);
        snprintf(out->location, sizeof out->location, "%s", location);
        out->known = cJSON_IsTrue(k);
        out->on_hand = out->known ? on_hand : 0;
        rc = 0;
    }
    cJSON_Delete(j);
    return rc;
}
