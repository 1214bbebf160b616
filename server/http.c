/*
 * One thread per connection (so a stalled answer blocks nobody else) and a small pool of
 * database connections, one per request at a time.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>

#include "server/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "server/faults.h"
#include "server/orders.h"
#include "server/server_db.h"
#include "server/strbuf.h"

#define MAX_BODY (8u * 1024 * 1024)
#define MAX_BATCH 500
#define MAX_LIMIT 5000
#define DEFAULT_LIMIT 1000
#define OVERSIZE_BYTES ((uint64_t)64 * 1024 * 1024)
#define POOL_MAX 32

struct pool {
    pthread_mutex_t lock;
    struct sdb *idle[POOL_MAX];
    int nidle;
};

struct server {
    const struct http_config *cfg;
    struct pool pool;
};

struct request {
    struct timespec started;
    char method[8];
    char path[160];
    char *body;
    size_t len;
    int too_large;
    int status; /* 0 when the connection was dropped on purpose */
};

/* What a handler answers; body is malloc'd JSON. */
struct reply {
    unsigned status;
    char *body;
    size_t len;
    int retry_after; /* seconds, 0 = no header */
};

static struct sdb *pool_get(struct server *srv)
{
    struct sdb *db = NULL;
    pthread_mutex_lock(&srv->pool.lock);
    if (srv->pool.nidle > 0)
        db = srv->pool.idle[--srv->pool.nidle];
    pthread_mutex_unlock(&srv->pool.lock);
    if (db)
        return db;
    char err[256];
    if (sdb_open(srv->cfg->db_path, &db, err, sizeof err) != SDB_OK) {
        fprintf(stderr, "till-server: %s\n", err);
        return NULL;
    }
    return db;
}

static void pool_put(struct server *srv, struct sdb *db)
{
    pthread_mutex_lock(&srv->pool.lock);
    if (srv->pool.nidle < POOL_MAX) {
        srv->pool.idle[srv->pool.nidle++] = db;
        db = NULL;
    }
    pthread_mutex_unlock(&srv->pool.lock);
    sdb_close(db);
}

static void pool_drain(struct server *srv)
{
    while (srv->pool.nidle > 0)
        sdb_close(srv->pool.idle[--srv->pool.nidle]);
}

static void reply_error(struct reply *r, unsigned status, const char *code, const char *message)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "{\"error\":{\"code\":");
    strbuf_json_string(&sb, code);
    strbuf_puts(&sb, ",\"message\":");
    strbuf_json_string(&sb, message);
    strbuf_puts(&sb, "}}");
    r->status = status;
    r->body = strbuf_take(&sb, &r->len);
}

static void reply_json(struct reply *r, struct strbuf *sb)
{
    r->status = MHD_HTTP_OK;
    r->body = strbuf_take(sb, &r->len);
    if (!r->body)
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "out of memory");
}

/* A non-negative integer query parameter; def when absent, -1 when malformed. */
static int64_t query_int(struct MHD_Connection *c, const char *name, int64_t def)
{
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    if (!v)
        return def;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end || n < 0)
        return -1;
    return n;
}

static int page_params(struct MHD_Connection *c, struct reply *r, int64_t *since, int *limit)
{
    *since = query_int(c, "since", 0);
    int64_t l = query_int(c, "limit", DEFAULT_LIMIT);
    if (*since < 0 || l <= 0) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "bad_request",
                    "since must be an integer >= 0 and limit an integer >= 1");
        return -1;
    }
    *limit = l > MAX_LIMIT ? MAX_LIMIT : (int)l;
    return 0;
}

static void handle_health(struct sdb *db, struct reply *r)
{
    int64_t seq;
    if (sdb_catalog_seq(db, &seq) != SDB_OK) {
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "database error");
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "{\"status\":\"ok\",\"catalog_seq\":");
    strbuf_int(&sb, seq);
    strbuf_puts(&sb, "}");
    reply_json(r, &sb);
}

static void handle_catalog(struct sdb *db, struct MHD_Connection *c, struct reply *r)
{
    int64_t since;
    int limit;
    if (page_params(c, r, &since, &limit) != 0)
        return;
    struct strbuf sb;
    strbuf_init(&sb);
    if (sdb_catalog_page(db, since, limit, &sb) != SDB_OK) {
        strbuf_free(&sb);
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "database error");
        return;
    }
    reply_json(r, &sb);
}

static void handle_stock(struct sdb *db, struct MHD_Connection *c, struct reply *r)
{
    int64_t since;
    int limit;
    if (page_params(c, r, &since, &limit) != 0)
        return;
    const char *location = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "location");
    if (!location || !*location)
        location = SDB_DEFAULT_LOCATION;
    struct strbuf sb;
    strbuf_init(&sb);
    if (sdb_stock_page(db, location, since, limit, &sb) != SDB_OK) {
        strbuf_free(&sb);
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "database error");
        return;
    }
    reply_json(r, &sb);
}

typedef int (*item_handler)(struct sdb *db, const cJSON *item, const char *currency,
                            cJSON *results);

static int order_item(struct sdb *db, const cJSON *item, const char *currency, cJSON *results)
{
    return orders_handle(db, item, currency, results);
}

static int adjustment_item(struct sdb *db, const cJSON *item, const char *currency,
                           cJSON *results)
{
    return adjustments_handle(db, item, results);
}

/* POST bodies {"<field>":[...]}: each item gets its own transaction and result. */
static void handle_batch(struct server *srv, struct sdb *db, const struct request *rq,
                         const char *field, item_handler handle, struct reply *r)
{
    cJSON *doc = rq->len ? cJSON_ParseWithLength(rq->body, rq->len) : NULL;
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(doc, field);
    char msg[128];
    if (!doc || !cJSON_IsArray(items) || cJSON_GetArraySize(items) == 0) {
        snprintf(msg, sizeof msg, "%s: the body must be a JSON object with a non-empty \"%s\" array",
                 doc ? "bad body" : "malformed JSON", field);
        reply_error(r, MHD_HTTP_BAD_REQUEST, "bad_request", msg);
        cJSON_Delete(doc);
        return;
    }
    if (cJSON_GetArraySize(items) > MAX_BATCH) {
        snprintf(msg, sizeof msg, "at most %d %s per request", MAX_BATCH, field);
        reply_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "too_large", msg);
        cJSON_Delete(doc);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON *results = cJSON_AddArrayToObject(out, "results");
    const cJSON *item;
    int failed = !results;
    cJSON_ArrayForEach(item, items) {
        if (failed || handle(db, item, srv->cfg->currency, results) != SDB_OK) {
            failed = 1;
            break;
        }
    }
    cJSON_Delete(doc);
    char *text = failed ? NULL : cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    if (!text) {
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "storage failed; retry");
        return;
    }
    r->status = MHD_HTTP_OK;
    r->body = text;
    r->len = strlen(text);
}

enum route { R_HEALTH, R_CATALOG, R_STOCK, R_ORDERS, R_ADJUSTMENTS, R_NONE };

static const struct {
    const char *path;
    const char *method;
} routes[] = {
    [R_HEALTH] = { "/v1/health", "GET" },
    [R_CATALOG] = { "/v1/catalog", "GET" },
    [R_STOCK] = { "/v1/stock", "GET" },
    [R_ORDERS] = { "/v1/orders", "POST" },
    [R_ADJUSTMENTS] = { "/v1/stock-adjustments", "POST" },
};

static enum route route_of(const char *url)
{
    for (int i = 0; i < R_NONE; i++)
        if (strcmp(url, routes[i].path) == 0)
            return (enum route)i;
    return R_NONE;
}

static int authorized(struct sdb *db, struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return 0;
    const char *token = h + 7;
    while (*token == ' ')
        token++;
    return *token && sdb_token_lookup(db, token, NULL, 0) == SDB_OK;
}

/* Auth, limits and the endpoint's work. */
static void handle(struct server *srv, struct MHD_Connection *c, const struct request *rq,
                   enum route route, struct reply *r)
{
    struct sdb *db = pool_get(srv);
    if (!db) {
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "database unavailable");
        return;
    }
    if (route != R_HEALTH && !authorized(db, c))
        reply_error(r, MHD_HTTP_UNAUTHORIZED, "unauthorized", "missing or unknown bearer token");
    else if (rq->too_large)
        reply_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "too_large", "request body over 8 MiB");
    else if (route == R_HEALTH)
        handle_health(db, r);
    else if (route == R_CATALOG)
        handle_catalog(db, c, r);
    else if (route == R_STOCK)
        handle_stock(db, c, r);
    else if (route == R_ORDERS)
        handle_batch(srv, db, rq, "orders", order_item, r);
    else
        handle_batch(srv, db, rq, "adjustments", adjustment_item, r);
    pool_put(srv, db);
}

/* The oversize fault: {"padding":"xxx...x"} of exactly OVERSIZE_BYTES. */
static ssize_t oversize_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    static const char head[] = "{\"padding\":\"", tail[] = "\"}";
    const uint64_t head_len = sizeof head - 1, tail_start = OVERSIZE_BYTES - (sizeof tail - 1);
    if (pos >= OVERSIZE_BYTES)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = 0;
    for (; n < max && pos + n < OVERSIZE_BYTES; n++) {
        uint64_t at = pos + n;
        buf[n] = at < head_len ? head[at] : at >= tail_start ? tail[at - tail_start] : 'x';
    }
    return (ssize_t)n;
}

static enum MHD_Result send_reply(struct MHD_Connection *c, struct request *rq, struct reply *r,
                                  enum fault_kind fault)
{
    struct MHD_Response *resp;
    if (fault == FAULT_OVERSIZE) {
        free(r->body);
        r->status = MHD_HTTP_OK;
        resp = MHD_create_response_from_callback(OVERSIZE_BYTES, 64 * 1024, oversize_reader,
                                                 NULL, NULL);
    } else {
        if (fault == FAULT_MALFORMED) {
            free(r->body);
            r->body = strdup("{\"results\":[{\"status\":\"acce");
            r->len = r->body ? strlen(r->body) : 0;
            r->status = MHD_HTTP_OK;
        } else if (fault == FAULT_TRUNCATE) {
            r->len /= 2;
            r->status = MHD_HTTP_OK;
        }
        if (!r->body)
            return MHD_NO;
        resp = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
        if (!resp)
            free(r->body);
    }
    r->body = NULL;
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (r->retry_after > 0) {
        char secs[16];
        snprintf(secs, sizeof secs, "%d", r->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, secs);
    }
    rq->status = (int)r->status;
    enum MHD_Result ret = MHD_queue_response(c, r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static enum MHD_Result dispatch(struct server *srv, struct MHD_Connection *c, struct request *rq,
                                const char *url, const char *method)
{
    struct reply r = { 0 };
    struct fault_pick fault = { FAULT_NONE, 0 };
    enum route route = route_of(url);
    if (route == R_NONE) {
        reply_error(&r, MHD_HTTP_NOT_FOUND, "not_found", "no such endpoint");
        return send_reply(c, rq, &r, FAULT_NONE);
    }
    if (strcmp(method, routes[route].method) != 0) {
        reply_error(&r, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                    route == R_ORDERS || route == R_ADJUSTMENTS ? "use POST" : "use GET");
        return send_reply(c, rq, &r, FAULT_NONE);
    }
    if (route != R_HEALTH)
        faults_take(&fault);
    if (fault.stall_ms > 0)
        sleep_ms(fault.stall_ms);
    switch (fault.kind) {
    case FAULT_RESET:
        return MHD_NO;
    case FAULT_5XX:
        reply_error(&r, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable", "injected fault: try again");
        r.retry_after = 1;
        return send_reply(c, rq, &r, FAULT_NONE);
    case FAULT_429:
        reply_error(&r, MHD_HTTP_TOO_MANY_REQUESTS, "rate_limited", "injected fault: slow down");
        r.retry_after = 2;
        return send_reply(c, rq, &r, FAULT_NONE);
    default:
        break;
    }
    handle(srv, c, rq, route, &r);
    if (fault.kind == FAULT_CLOSE_AFTER_COMMIT) {
        free(r.body);
        return MHD_NO;
    }
    return send_reply(c, rq, &r, fault.kind);
}

static void body_append(struct request *rq, const char *data, size_t n)
{
    if (rq->too_large)
        return;
    if (rq->len + n > MAX_BODY) {
        /* Keep reading (and dropping) so the client gets a clean 413. */
        rq->too_large = 1;
        free(rq->body);
        rq->body = NULL;
        rq->len = 0;
        return;
    }
    char *grown = realloc(rq->body, rq->len + n + 1);
    if (!grown) {
        rq->too_large = 1;
        return;
    }
    rq->body = grown;
    memcpy(rq->body + rq->len, data, n);
    rq->len += n;
    rq->body[rq->len] = '\0';
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    struct request *rq = *con_cls;
    if (!rq) {
        rq = calloc(1, sizeof *rq);
        if (!rq)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &rq->started);
        snprintf(rq->method, sizeof rq->method, "%s", method);
        snprintf(rq->path, sizeof rq->path, "%s", url);
        *con_cls = rq;
        return MHD_YES;
    }
    if (*upload_size) {
        body_append(rq, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    return dispatch(cls, c, rq, url, method);
}

/* One log line per request; never the headers (they carry the token). */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct request *rq = *con_cls;
    if (!rq)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (double)(now.tv_sec - rq->started.tv_sec) * 1e3 +
                (double)(now.tv_nsec - rq->started.tv_nsec) / 1e6;
    if (rq->status)
        fprintf(stderr, "%s %s %d %.1fms\n", rq->method, rq->path, rq->status, ms);
    else
        fprintf(stderr, "%s %s - %.1fms (connection closed)\n", rq->method, rq->path, ms);
    free(rq->body);
    free(rq);
    *con_cls = NULL;
}

int http_serve(const struct http_config *cfg, char *err, size_t errlen)
{
    struct server srv = { .cfg = cfg };
    pthread_mutex_init(&srv.pool.lock, NULL);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(cfg->port) };
    if (inet_pton(AF_INET, cfg->listen, &sa.sin_addr) != 1) {
        snprintf(err, errlen, "--listen %s: not an IPv4 address", cfg->listen);
        return -1;
    }
    /* Migrate once up front, so a broken database fails here and not per request. */
    struct sdb *db = pool_get(&srv);
    if (!db) {
        snprintf(err, errlen, "cannot open %s", cfg->db_path);
        return -1;
    }
    pool_put(&srv, db);

    /* Signals go to sigwait below; the daemon's threads inherit the blocked mask. A
     * background job of a script starts with SIGINT ignored, which would discard it. */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
            MHD_USE_ERROR_LOG,
        cfg->port, NULL, NULL, on_request, &srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)60, MHD_OPTION_END);
    if (!d) {
        snprintf(err, errlen, "cannot listen on %s:%u", cfg->listen, cfg->port);
        pool_drain(&srv);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("listening on %s:%u\n", cfg->listen, info ? info->port : cfg->port);
    fflush(stdout);
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "till-server: signal %d, stopping\n", sig);
    MHD_stop_daemon(d);
    pool_drain(&srv);
    pthread_mutex_destroy(&srv.pool.lock);
    return 0;
}
