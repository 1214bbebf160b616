/* offline/http.c behind drivers/tse.h's struct tse_http.  See app/tse_http.h. */
#include "app/tse_http.h"

#include <stdlib.h>
#include <string.h>

#include "offline/http.h"

/* A request in flight: its caller's callback (freed when it ends or is cancelled). */
struct pending {
    struct tse_http_adapter *a;
    uint64_t id;
    tse_http_cb cb;
    void *ctx;
    struct pending *next;
};

struct tse_http_adapter {
    struct http *http;
    struct tse_http iface;
    struct pending *pending;
};

static void unlink_pending(struct tse_http_adapter *a, struct pending *p)
{
    for (struct pending **pp = &a->pending; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            return;
        }
}

static void on_done(void *ctx, const struct http_response *r)
{
    struct pending *p = ctx;
    struct tse_http_answer ans = { r->transport_ok, r->status, r->body ? r->body : "", r->len, r->error };
    tse_http_cb cb = p->cb;
    void *cctx = p->ctx;
    unlink_pending(p->a, p);
    free(p);
    cb(cctx, &ans);
}

static uint64_t request(void *t, const char *method, const char *url, const char *bearer, const char *body,
                        tse_http_cb cb, void *ctx)
{
    struct tse_http_adapter *a = t;
    struct pending *p = malloc(sizeof *p);
    if (!p || http_set_bearer(a->http, bearer)) {
        free(p);
        return 0;
    }
    p->a = a;
    p->cb = cb;
    p->ctx = ctx;
    uint64_t id = http_request(a->http, method, url, body, body ? strlen(body) : 0, on_done, p);
    if (!id) {
        free(p);
        return 0;
    }
    p->id = id;
    p->next = a->pending;
    a->pending = p;
    return id;
}

static void cancel(void *t, uint64_t id)
{
    struct tse_http_adapter *a = t;
    http_cancel(a->http, id);
    for (struct pending *p = a->pending; p; p = p->next)
        if (p->id == id) {
            unlink_pending(a, p);
            free(p);
            return;
        }
}

struct tse_http_adapter *tse_http_adapter_new(struct loop *loop, long timeout_ms)
{
    struct tse_http_adapter *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    struct http_options o;
    memset(&o, 0, sizeof o);
    o.max_response_bytes = 1u << 20;
    o.connect_timeout_ms = timeout_ms < 5000 ? timeout_ms : 5000;
    o.timeout_ms = timeout_ms;
    a->http = http_new(loop, &o);
    if (!a->http) {
        free(a);
        return NULL;
    }
    a->iface.request = request;
    a->iface.cancel = cancel;
    a->iface.t = a;
    return a;
}

void tse_http_adapter_free(struct tse_http_adapter *a)
{
    if (!a)
        return;
    http_free(a->http);
    while (a->pending) {
        struct pending *p = a->pending;
        a->pending = p->next;
        free(p);
    }
    free(a);
}

const struct tse_http *tse_http_adapter_iface(struct tse_http_adapter *a)
{
    return &a->iface;
}
