/*
 * A bounded pool of polling threads (epoll) serves every connection; idle connections cost
 * a socket, not a thread, so slow clients cannot starve the tills. Limits: connections in
 * all, per client address, and an idle timeout. A small pool of database connections, one
 * per request at a time. A stalled answer (fault injection) suspends its connection
 * instead of sleeping on a polling thread, so it blocks nobody else.
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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "server/audit.h"
#include "server/faults.h"
#include "server/feeds.h"
#include "server/orders.h"
#include "server/server_db.h"
#include "server/snapshot.h"
#include "server/staff.h"
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

/* Connections suspended by a stall fault, resumed by one thread at their deadline. */
struct stall {
    struct MHD_Connection *conn;
    struct timespec until; /* CLOCK_MONOTONIC */
};

struct stalls {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct stall *v;
    size_t n, cap;
    int stop;
    pthread_t thread;
};

struct server {
    const struct http_config *cfg;
    struct pool pool;
    struct stalls stalls;
};

struct request {
    struct timespec started;
    char method[8];
    char path[160];
    char *body;
    size_t len;
    int too_large;
    int status; /* 0 when the connection was dropped on purpose */
    int fault_taken;
    struct fault_pick fault;
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

/* A connection that broke (PostgreSQL restarted) is closed, not pooled. */
static void pool_put(struct server *srv, struct sdb *db)
{
    pthread_mutex_lock(&srv->pool.lock);
    if (srv->pool.nidle < POOL_MAX && sdb_usable(db)) {
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

/* 200 with the catalog seq when the database answers, else 503 (a load balancer's health
 * check takes the process out of rotation until it answers again). */
static void handle_health(struct sdb *db, struct reply *r)
{
    int64_t seq;
    struct strbuf sb;
    strbuf_init(&sb);
    if (!db || sdb_catalog_seq(db, &seq) != SDB_OK) {
        strbuf_puts(&sb, "{\"status\":\"unavailable\",\"database\":\"unreachable\"}");
        reply_json(r, &sb);
        r->status = MHD_HTTP_SERVICE_UNAVAILABLE;
        return;
    }
    strbuf_puts(&sb, "{\"status\":\"ok\",\"database\":");
    strbuf_json_string(&sb, sdb_backend(db));
    strbuf_puts(&sb, ",\"catalog_seq\":");
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

/* GET /v1/promotions and /v1/customers (server/feeds.c): paged like the catalog. */
static void handle_feed(struct sdb *db, struct MHD_Connection *c, const char *feed, struct reply *r)
{
    int64_t since;
    int limit;
    if (page_params(c, r, &since, &limit) != 0)
        return;
    struct strbuf sb;
    strbuf_init(&sb);
    if (feeds_page(db, feed, since, limit, &sb) != SDB_OK) {
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

static void handle_staff(struct sdb *db, struct MHD_Connection *c, struct reply *r)
{
    int64_t since;
    int limit;
    if (page_params(c, r, &since, &limit) != 0)
        return;
    struct strbuf sb;
    strbuf_init(&sb);
    if (server_staff_page(db, since, limit, &sb) != SDB_OK) {
        strbuf_free(&sb);
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "database error");
        return;
    }
    reply_json(r, &sb);
}

/* One item's level now, for a till's live stock lookup: {"sku","location","known","on_hand"}
 * (on_hand null when the server has no level for it). */
static void handle_stock_level(struct sdb *db, struct MHD_Connection *c, struct reply *r)
{
    const char *sku = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "sku");
    const char *location = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "location");
    if (!location || !*location)
        location = SDB_DEFAULT_LOCATION;
    if (!sku || !*sku || strlen(sku) > 64 || strlen(location) > 64) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "bad_request", "sku is required (and sku, location at most 64 bytes)");
        return;
    }
    int64_t on_hand = 0;
    int rc = sdb_stock_on_hand(db, sku, location, &on_hand);
    if (rc != SDB_OK && rc != SDB_NOT_FOUND) {
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "database error");
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "{\"sku\":");
    strbuf_json_string(&sb, sku);
    strbuf_puts(&sb, ",\"location\":");
    strbuf_json_string(&sb, location);
    if (rc == SDB_OK) {
        strbuf_puts(&sb, ",\"known\":true,\"on_hand\":");
        strbuf_int(&sb, on_hand);
    } else {
        strbuf_puts(&sb, ",\"known\":false,\"on_hand\":null");
    }
    strbuf_puts(&sb, "}");
    reply_json(r, &sb);
}

typedef int (*item_handler)(struct sdb *db, const cJSON *item, const struct orders_rules *rules,
                            cJSON *results);

/*
 * POST bodies {"<field>":[...]}: each item gets its own savepoint and result. A batch
 * with an item of another terminal is refused whole (403) and stores nothing: that token
 * is misconfigured or stolen, and the till keeps its items queued until it is fixed. A
 * single item whose key is stored with another payload is answered 409; in a larger batch
 * the conflict is that item's result (rejected, code "conflict").
 */
static void handle_batch(struct sdb *db, const struct request *rq, const char *field,
                         item_handler handle, const struct orders_rules *rules, struct reply *r)
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
    if (orders_terminal_check(items, rules->terminal_id, msg, sizeof msg) != 0) {
        reply_error(r, MHD_HTTP_FORBIDDEN, "forbidden", msg);
        cJSON_Delete(doc);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON *results = cJSON_AddArrayToObject(out, "results");
    const cJSON *item;
    /* one transaction for the request (each item a savepoint): answered after COMMIT */
    int failed = !results || sdb_begin(db) != SDB_OK, conflict = 0;
    cJSON_ArrayForEach(item, items) {
        int rc = failed ? SDB_ERROR : handle(db, item, rules, results);
        if (rc == SDB_CONFLICT)
            conflict = 1;
        else if (rc != SDB_OK) {
            failed = 1;
            break;
        }
    }
    if (failed)
        sdb_rollback(db);
    else
        failed = sdb_commit(db) != SDB_OK;
    int single = cJSON_GetArraySize(items) == 1;
    cJSON_Delete(doc);
    if (!failed && conflict && single) {
        const cJSON *res = cJSON_GetArrayItem(results, 0);
        cJSON *err = cJSON_CreateObject();
        cJSON_AddStringToObject(err, "code", "conflict");
        cJSON_AddStringToObject(err, "message",
                                cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(res, "reason")));
        cJSON_AddItemToObject(out, "error", err);
    }
    char *text = failed ? NULL : cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    if (!text) {
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "storage failed; retry");
        return;
    }
    r->status = conflict && single ? MHD_HTTP_CONFLICT : MHD_HTTP_OK;
    r->body = text;
    r->len = strlen(text);
}

/* GET /v1/catalog/snapshot?since=CURSOR: a snapshot's description, or null (deltas). */
static void handle_snapshot_info(struct sdb *db, const struct http_config *cfg, struct MHD_Connection *c,
                                 struct reply *r)
{
    int64_t since = query_int(c, "since", 0);
    if (since < 0) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "bad_request", "since must be an integer >= 0");
        return;
    }
    struct strbuf sb;
    char err[256];
    strbuf_init(&sb);
    if (snapshot_answer(db, cfg->db_path, cfg->snapshot_prefix, since, cfg->snapshot_min_changes, &sb, err,
                        sizeof err) != 0) {
        strbuf_free(&sb);
        fprintf(stderr, "till-server: %s\n", err);
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "cannot build a catalog snapshot");
        return;
    }
    reply_json(r, &sb);
}

/* A byte range "bytes=N-" (the only form a till sends); 0 without one, -1 when malformed. */
static int64_t range_start(struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
    if (!h)
        return 0;
    if (strncmp(h, "bytes=", 6) != 0)
        return -1;
    char *end;
    errno = 0;
    long long n = strtoll(h + 6, &end, 10);
    if (errno || end == h + 6 || *end != '-' || end[1] || n < 0)
        return -1;
    return n;
}

struct file_stream {
    int fd;
    int64_t start, end;     /* what this answer sends; it stops at end (a cut) */
    int64_t flip;           /* a byte to flip (corrupt fault), -1: none */
};

static ssize_t file_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct file_stream *f = cls;
    int64_t at = f->start + (int64_t)pos;
    if (at >= f->end)
        return MHD_CONTENT_READER_END_WITH_ERROR; /* only reached for a cut */
    if ((int64_t)max > f->end - at)
        max = (size_t)(f->end - at);
    ssize_t n = pread(f->fd, buf, max, (off_t)at);
    if (n <= 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (f->flip >= at && f->flip < at + n)
        buf[f->flip - at] ^= 0x5a;
    return n;
}

static void file_stream_free(void *cls)
{
    struct file_stream *f = cls;
    close(f->fd);
    free(f);
}

static enum MHD_Result send_reply(struct MHD_Connection *c, struct request *rq, struct reply *r,
                                  enum fault_kind fault);

/* GET /v1/catalog/snapshot/NAME: the file, or the rest of it from a Range (206). */
static enum MHD_Result send_snapshot(const struct http_config *cfg, struct MHD_Connection *c,
                                     struct request *rq, const char *name)
{
    struct reply r = { 0 };
    int64_t size, from = range_start(c);
    int fd = snapshot_open(cfg->snapshot_prefix, name, &size);
    if (fd < 0) {
        reply_error(&r, MHD_HTTP_NOT_FOUND, "not_found", "no such snapshot (a newer one replaced it)");
        return send_reply(c, rq, &r, FAULT_NONE);
    }
    if (from < 0 || from >= size) {
        close(fd);
        reply_error(&r, MHD_HTTP_RANGE_NOT_SATISFIABLE, "bad_range", "the range is not in the file");
        return send_reply(c, rq, &r, FAULT_NONE);
    }
    int cut, corrupt;
    snapshot_faults_take(&cut, &corrupt);
    struct file_stream *f = malloc(sizeof *f);
    if (!f) {
        close(fd);
        return MHD_NO;
    }
    *f = (struct file_stream){ fd, from, cut ? from + (size - from) / 2 : size, corrupt ? size / 2 : -1 };
    struct MHD_Response *resp = MHD_create_response_from_callback((uint64_t)(size - from), 64 * 1024, file_reader, f,
                                                                  file_stream_free);
    if (!resp) {
        file_stream_free(f);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/zstd");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    unsigned status = MHD_HTTP_OK;
    if (from > 0) {
        char cr[96];
        snprintf(cr, sizeof cr, "bytes %lld-%lld/%lld", (long long)from, (long long)size - 1, (long long)size);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
        status = MHD_HTTP_PARTIAL_CONTENT;
    }
    rq->status = (int)status;
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

enum route { R_HEALTH, R_CATALOG, R_STOCK, R_STOCK_LEVEL, R_ORDERS, R_ADJUSTMENTS, R_ORDER, R_STAFF, R_CASH_MOVEMENTS,
             R_SHIFTS, R_SNAPSHOT, R_SNAPSHOT_FILE, R_PROMOTIONS, R_CUSTOMERS, R_AUDIT, R_NONE };

static const struct {
    const char *path;
    const char *method;
} routes[] = {
    [R_HEALTH] = { "/v1/health", "GET" },
    [R_CATALOG] = { "/v1/catalog", "GET" },
    [R_STOCK] = { "/v1/stock", "GET" },
    [R_STOCK_LEVEL] = { "/v1/stock-level", "GET" },
    [R_ORDERS] = { "/v1/orders", "POST" },
    [R_ADJUSTMENTS] = { "/v1/stock-adjustments", "POST" },
    [R_ORDER] = { "/v1/orders/", "GET" },   /* + the order's key */
    [R_STAFF] = { "/v1/staff", "GET" },
    [R_CASH_MOVEMENTS] = { "/v1/cash-movements", "POST" },
    [R_SHIFTS] = { "/v1/shifts", "POST" },
    [R_SNAPSHOT] = { "/v1/catalog/snapshot", "GET" },
    [R_SNAPSHOT_FILE] = { "/v1/catalog/snapshot/", "GET" },
    [R_PROMOTIONS] = { "/v1/promotions", "GET" },
    [R_CUSTOMERS] = { "/v1/customers", "GET" },
    [R_AUDIT] = { "/v1/audit", "POST" },
};

static enum route route_of(const char *url)
{
    if (strncmp(url, routes[R_SNAPSHOT_FILE].path, strlen(routes[R_SNAPSHOT_FILE].path)) == 0)
        return R_SNAPSHOT_FILE;
    for (int i = 0; i < R_NONE; i++)
        if (strcmp(url, routes[i].path) == 0)
            return (enum route)i;
    size_t n = strlen(routes[R_ORDER].path);
    if (strncmp(url, routes[R_ORDER].path, n) == 0 && url[n])
        return R_ORDER;
    return R_NONE;
}

/*
 * GET /v1/orders/{key or receipt code}: one order as its till sent it, with what was returned of each line
 * since (by any till), so a till can take a return against a receipt from another till.
 * Any terminal's token may ask: returns are taken wherever the customer comes back.
 */
/* A receipt's printed code, "R" TERMINAL "-" NUMBER (core/receipt.c), split; -1 otherwise. */
static int receipt_code(const char *ref, char *terminal, size_t tlen, int64_t *no)
{
    const char *dash = strrchr(ref, '-');
    if (ref[0] != 'R' || !dash || dash == ref + 1 || (size_t)(dash - ref - 1) >= tlen || !dash[1] ||
        strlen(dash + 1) > 15 || strspn(dash + 1, "0123456789") != strlen(dash + 1))
        return -1;
    snprintf(terminal, tlen, "%.*s", (int)(dash - ref - 1), ref + 1);
    return parse_int64(dash + 1, no) == 0 && *no > 0 ? 0 : -1;
}

static void handle_order(struct sdb *db, const char *url, struct reply *r)
{
    const char *ref = url + strlen(routes[R_ORDER].path);
    char key[ORDERS_MAX_KEY + 1], terminal[65];
    int64_t no;
    int rc = SDB_NOT_FOUND;
    /* an order key holds a ':'; a receipt's code names its till and number */
    if (strlen(ref) <= ORDERS_MAX_KEY) {
        if (strchr(ref, ':')) {
            snprintf(key, sizeof key, "%s", ref);
            rc = SDB_OK;
        } else if (receipt_code(ref, terminal, sizeof terminal, &no) == 0) {
            rc = sdb_order_key_by_receipt(db, terminal, no, key, sizeof key);
        }
    }
    if (rc != SDB_OK) {
        reply_error(r, rc == SDB_ERROR ? MHD_HTTP_INTERNAL_SERVER_ERROR : MHD_HTTP_NOT_FOUND,
                    rc == SDB_ERROR ? "internal" : "not_found",
                    rc == SDB_ERROR ? "database error" : "no such order");
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    rc = sdb_order_get(db, key, &sb);
    if (rc == SDB_OK) {
        reply_json(r, &sb);
        return;
    }
    strbuf_free(&sb);
    if (rc == SDB_NOT_FOUND)
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", "no such order");
    else
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "database error");
}

/* The terminal the bearer token belongs to, or 0 for no or an unknown token. */
/* 1 for a known token (its terminal copied out), 0 for none or an unknown one, -1 when
 * the database could not say (a restart of PostgreSQL, a broken connection): that is a
 * 503 to retry, never a 401 that would make a till stop syncing. */
static int authorized(struct sdb *db, struct MHD_Connection *c, char *terminal, size_t len)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return 0;
    const char *token = h + 7;
    while (*token == ' ')
        token++;
    if (!*token)
        return 0;
    int rc = sdb_token_lookup(db, token, terminal, len);
    return rc == SDB_OK ? 1 : rc == SDB_NOT_FOUND ? 0 : -1;
}

/* Auth, limits and the endpoint's work. */
static void handle(struct server *srv, struct MHD_Connection *c, const struct request *rq,
                   const char *url, enum route route, struct reply *r)
{
    struct sdb *db = pool_get(srv);
    char terminal[128] = "";
    if (route == R_HEALTH) {
        handle_health(db, r);
        if (r->status != MHD_HTTP_OK && db && !sdb_usable(db)) {
            /* a pooled connection from before a database restart: one try on a new one
             * (the other pooled ones may be as stale) */
            char err[256];
            sdb_close(db);
            free(r->body);
            if (sdb_open(srv->cfg->db_path, &db, err, sizeof err) != SDB_OK)
                db = NULL;
            handle_health(db, r);
        }
        if (db)
            pool_put(srv, db);
        return;
    }
    if (!db) {
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "database unavailable");
        return;
    }
    struct orders_rules rules = { .currency = srv->cfg->currency, .terminal_id = terminal,
                                  .now = (int64_t)time(NULL) };
    int auth = route == R_HEALTH ? 1 : authorized(db, c, terminal, sizeof terminal);
    if (auth < 0)
        reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable", "database unavailable, try again");
    else if (auth == 0)
        reply_error(r, MHD_HTTP_UNAUTHORIZED, "unauthorized", "missing or unknown bearer token");
    else if (rq->too_large)
        reply_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "too_large", "request body over 8 MiB");
    else if (route == R_HEALTH)
        handle_health(db, r);
    else if (route == R_CATALOG)
        handle_catalog(db, c, r);
    else if (route == R_STOCK)
        handle_stock(db, c, r);
    else if (route == R_STOCK_LEVEL)
        handle_stock_level(db, c, r);
    else if (route == R_SNAPSHOT)
        handle_snapshot_info(db, srv->cfg, c, r);
    else if (route == R_SNAPSHOT_FILE)
        r->status = 0; /* authorized: the file goes out from dispatch */
    else if (route == R_ORDERS)
        handle_batch(db, rq, "orders", orders_handle, &rules, r);
    else if (route == R_ORDER)
        handle_order(db, url, r);
    else if (route == R_STAFF)
        handle_staff(db, c, r);
    else if (route == R_CASH_MOVEMENTS)
        handle_batch(db, rq, "movements", shift_docs_handle_movement, &rules, r);
    else if (route == R_SHIFTS)
        handle_batch(db, rq, "shifts", shift_docs_handle_shift, &rules, r);
    else if (route == R_AUDIT)
        handle_batch(db, rq, "rows", server_audit_handle_row, &rules, r);
    else if (route == R_PROMOTIONS)
        handle_feed(db, c, FEED_PROMOTIONS, r);
    else if (route == R_CUSTOMERS)
        handle_feed(db, c, FEED_CUSTOMERS, r);
    else
        handle_batch(db, rq, "adjustments", adjustments_handle, &rules, r);
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

/* Doubles the array (cap updated); NULL when out of memory, the old array kept. */
static struct stall *stalls_grow(struct stall *v, size_t *cap)
{
    size_t ncap = *cap ? *cap * 2 : 16;
    struct stall *g = realloc(v, ncap * sizeof *g);
    if (g)
        *cap = ncap;
    return g;
}

static int before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Resumes each stalled connection at its deadline; all of them at once when stopping. */
static void *stalls_run(void *arg)
{
    struct stalls *st = arg;
    pthread_mutex_lock(&st->lock);
    for (;;) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        struct timespec next = { 0, 0 };
        int have_next = 0;
        for (size_t i = 0; i < st->n;) {
            if (st->stop || !before(&now, &st->v[i].until)) {
                struct MHD_Connection *c = st->v[i].conn;
                st->v[i] = st->v[--st->n];
                MHD_resume_connection(c);
                continue;
            }
            if (!have_next || before(&st->v[i].until, &next))
                next = st->v[i].until;
            have_next = 1;
            i++;
        }
        if (st->stop)
            break;
        if (have_next)
            pthread_cond_timedwait(&st->wake, &st->lock, &next);
        else
            pthread_cond_wait(&st->wake, &st->lock);
    }
    pthread_mutex_unlock(&st->lock);
    return NULL;
}

static int stalls_start(struct stalls *st)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&st->lock, NULL);
    pthread_cond_init(&st->wake, &attr);
    pthread_condattr_destroy(&attr);
    return pthread_create(&st->thread, NULL, stalls_run, st) == 0 ? 0 : -1;
}

static void stalls_stop(struct stalls *st)
{
    pthread_mutex_lock(&st->lock);
    st->stop = 1;
    pthread_cond_signal(&st->wake);
    pthread_mutex_unlock(&st->lock);
    pthread_join(st->thread, NULL);
    free(st->v);
    pthread_cond_destroy(&st->wake);
    pthread_mutex_destroy(&st->lock);
}

/* Suspends c for ms; the handler is called again when it resumes. -1: stall inline. */
static int stall_connection(struct stalls *st, struct MHD_Connection *c, long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&st->lock);
    if (!st->stop && st->n == st->cap) {
        struct stall *grown = stalls_grow(st->v, &st->cap);
        if (grown)
            st->v = grown;
    }
    if (st->stop || st->n == st->cap) {
        pthread_mutex_unlock(&st->lock);
        return -1;
    }
    /* suspended under the lock, so the stall thread cannot resume it first */
    MHD_suspend_connection(c);
    st->v[st->n++] = (struct stall){ c, until };
    pthread_cond_signal(&st->wake);
    pthread_mutex_unlock(&st->lock);
    return 0;
}

static enum MHD_Result dispatch(struct server *srv, struct MHD_Connection *c, struct request *rq,
                                const char *url, const char *method)
{
    struct reply r = { 0 };
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
    if (!rq->fault_taken) {
        rq->fault_taken = 1;
        if (route != R_HEALTH)
            faults_take(&rq->fault);
        if (rq->fault.stall_ms > 0) {
            if (stall_connection(&srv->stalls, c, rq->fault.stall_ms) == 0)
                return MHD_YES;
            sleep_ms(rq->fault.stall_ms);
        }
    }
    struct fault_pick fault = rq->fault;
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
    handle(srv, c, rq, url, route, &r);
    if (route == R_SNAPSHOT_FILE && r.status == 0)
        return send_snapshot(srv->cfg, c, rq, url + strlen(routes[R_SNAPSHOT_FILE].path));
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

/*
 * libmicrohttpd's messages, at most one a second: a flood of refused connections (limits
 * reached) would otherwise become a flood of log lines.
 */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static time_t last;
    static unsigned long dropped;
    time_t now = time(NULL);
    pthread_mutex_lock(&lock);
    if (now == last) {
        dropped++;
        pthread_mutex_unlock(&lock);
        return;
    }
    last = now;
    if (dropped)
        fprintf(stderr, "till-server: (%lu more messages from libmicrohttpd)\n", dropped);
    dropped = 0;
    fputs("till-server: ", stderr);
    vfprintf(stderr, fmt, ap);
    pthread_mutex_unlock(&lock);
}

/* The connection limit the open-file limit allows (raised to its hard maximum first). */
static unsigned connection_budget(unsigned wanted)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return wanted;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    /* descriptors for the databases, the listener, epoll and the log */
    rlim_t spare = rl.rlim_cur > 2 * POOL_MAX + 64 ? rl.rlim_cur - 2 * POOL_MAX - 64 : 16;
    return spare < wanted ? (unsigned)spare : wanted;
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
    char durability[96];
    sdb_durability(db, durability, sizeof durability);
    pool_put(&srv, db);
    unsigned max_conns = connection_budget(cfg->max_connections);
    fprintf(stderr, "till-server: database %s (%s); %u threads, at most %u connections, %u per"
            " address, %u s idle timeout\n", cfg->db_path, durability, cfg->threads, max_conns,
            cfg->per_ip, cfg->idle_timeout_s);

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

    if (stalls_start(&srv.stalls) != 0) {
        snprintf(err, errlen, "cannot start a thread");
        pool_drain(&srv);
        return -1;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNALLY | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, cfg->port, NULL,
        NULL, on_request, &srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
        MHD_OPTION_CONNECTION_LIMIT, max_conns,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout_s,
        MHD_OPTION_END);
    if (!d) {
        snprintf(err, errlen, "cannot listen on %s:%u", cfg->listen, cfg->port);
        stalls_stop(&srv.stalls);
        pool_drain(&srv);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("listening on %s:%u\n", cfg->listen, info ? info->port : cfg->port);
    fflush(stdout);
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "till-server: signal %d, stopping\n", sig);
    stalls_stop(&srv.stalls); /* resumes every stalled connection before the daemon goes */
    MHD_stop_daemon(d);
    pool_drain(&srv);
    pthread_mutex_destroy(&srv.pool.lock);
    return 0;
}
