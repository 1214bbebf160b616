/* Many tills against one store server at once, in one process (libcurl multi): each
 * simulated till, from a loopback address of its own (127.0.0.2, .3, ...: the server's
 * per-address limit counts shops, and these are separate tills), does ROUNDS rounds of
 *   GET /v1/catalog and GET /v1/stock from its cursors, then POST /v1/orders with BATCH
 *   new orders (keys TERMINAL:rROUND-oN);
 * a failed request (transport, 5xx, 429, an unreadable answer) is sent again, the same
 * body, up to 20 times; and every fourth round the till sends its previous batch again
 * as well (a till that never heard the answer), which must come back "duplicate".
 * Prints requests/s, orders accepted/s and latency percentiles; exits 1 when an order
 * was never settled or was rejected.  The caller checks the server's database.
 * LOAD_BACKOFF_MS (default 0: at once) waits tries x that, at most 2 s, before sending a
 * failed request again, and allows 60 tries: a chain test kills servers and restarts the
 * database, and a till waits for it rather than giving up within milliseconds.
 * Tills beyond 250 come from 127.0.1.x, 127.0.2.x, ...
 * usage: load_tills URL TOKENS_FILE TILLS ROUNDS BATCH SKU PRICE
 *   TOKENS_FILE: one "TERMINAL TOKEN" per line, a line per till */
#include <curl/curl.h>
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum step { S_CATALOG, S_STOCK, S_ORDERS, S_REPEAT, S_DONE };

struct till {
    int index;
    char terminal[64], auth[300], iface[40];
    CURL *h;
    struct curl_slist *headers;
    enum step step;
    int round, tries;
    double retry_at; /* a failed request waits until then (LOAD_BACKOFF_MS), 0: not waiting */
    int64_t catalog_cursor, stock_cursor;
    char *body;          /* the batch being sent */
    char *last_body;     /* the previous batch, for a repeat */
    char *resp;
    size_t resp_len;
    double t0;
};

static const char *base_url, *sku;
static int rounds, batch, backoff_ms, max_tries = 20;
static long long price;
static int64_t accepted, duplicates, rejected, http_errors, transport_errors, unsettled, requests;
static double *lat_orders, *lat_pull;
static size_t n_orders_lat, n_pull_lat, cap_lat;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    struct till *t = ctx;
    char *grown = realloc(t->resp, t->resp_len + size * n + 1);
    if (!grown)
        return 0;
    t->resp = grown;
    memcpy(t->resp + t->resp_len, p, size * n);
    t->resp_len += size * n;
    t->resp[t->resp_len] = 0;
    return size * n;
}

static char *make_batch(struct till *t)
{
    size_t cap = (size_t)batch * 600 + 32, len = 0;
    char *b = malloc(cap);
    if (!b)
        return NULL;
    len += (size_t)snprintf(b + len, cap - len, "{\"orders\":[");
    for (int i = 0; i < batch; i++) {
        len += (size_t)snprintf(b + len, cap - len,
                                "%s{\"idempotency_key\":\"%s:r%d-o%d\",\"terminal_id\":\"%s\",\"sale_uuid\":\"%s-r%d-o%d\","
                                "\"completed_at\":%lld,\"currency\":\"EUR\",\"total\":%lld,"
                                "\"lines\":[{\"line_no\":1,\"sku\":\"%s\",\"qty\":1000,\"unit\":\"each\","
                                "\"unit_price\":%lld,\"line_total\":%lld,\"voided\":false}],"
                                "\"payments\":[{\"tender\":\"cash\",\"amount\":%lld}]}",
                                i ? "," : "", t->terminal, t->round, i, t->terminal, t->terminal, t->round, i,
                                (long long)time(NULL), price, sku, price, price, price);
    }
    snprintf(b + len, cap - len, "]}");
    return b;
}

static void start(CURLM *m, struct till *t)
{
    char url[600];
    t->resp_len = 0;
    curl_easy_setopt(t->h, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(t->h, CURLOPT_HTTPGET, 1L);
    if (t->step == S_CATALOG) {
        snprintf(url, sizeof url, "%s/v1/catalog?since=%lld&limit=200", base_url, (long long)t->catalog_cursor);
    } else if (t->step == S_STOCK) {
        snprintf(url, sizeof url, "%s/v1/stock?location=store-1&since=%lld&limit=200", base_url,
                 (long long)t->stock_cursor);
    } else {
        snprintf(url, sizeof url, "%s/v1/orders", base_url);
        if (t->step == S_ORDERS && !t->body)
            t->body = make_batch(t);
        const char *body = t->step == S_ORDERS ? t->body : t->last_body;
        curl_easy_setopt(t->h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(t->h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(t->h, CURLOPT_URL, url);
    t->t0 = now_ms();
    curl_multi_add_handle(m, t->h);
}

static void note_latency(int orders, double ms)
{
    if (orders)
        lat_orders[n_orders_lat++ % cap_lat] = ms;
    else
        lat_pull[n_pull_lat++ % cap_lat] = ms;
}

/* The answer to the request in flight: 1 when it is settled (move on), 0 to send again. */
static int settle(struct till *t, CURLcode cc, long status)
{
    requests++;
    if (cc != CURLE_OK) {
        transport_errors++;
        return 0;
    }
    if (status != 200) {
        http_errors++;
        return 0;
    }
    cJSON *doc = cJSON_ParseWithLength(t->resp ? t->resp : "", t->resp_len);
    int ok = doc != NULL;
    if (ok && (t->step == S_CATALOG || t->step == S_STOCK)) {
        const cJSON *next = cJSON_GetObjectItemCaseSensitive(doc, "next_cursor");
        ok = cJSON_IsNumber(next);
        if (ok)
            *(t->step == S_CATALOG ? &t->catalog_cursor : &t->stock_cursor) = (int64_t)next->valuedouble;
    } else if (ok) {
        const cJSON *res = cJSON_GetObjectItemCaseSensitive(doc, "results"), *r;
        ok = cJSON_IsArray(res) && cJSON_GetArraySize(res) == batch;
        int64_t a = 0, d = 0, x = 0;
        cJSON_ArrayForEach(r, res) {
            const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "status"));
            if (st && strcmp(st, "accepted") == 0)
                a++;
            else if (st && strcmp(st, "duplicate") == 0)
                d++;
            else
                x++;
        }
        if (ok) {
            accepted += a;
            duplicates += d;
            rejected += x;
            if (x)
                fprintf(stderr, "till %s: %lld orders rejected: %.300s\n", t->terminal, (long long)x, t->resp);
        }
    }
    cJSON_Delete(doc);
    if (!ok)
        http_errors++;
    return ok;
}

static void advance(struct till *t)
{
    t->tries = 0;
    if (t->step == S_CATALOG) {
        t->step = S_STOCK;
    } else if (t->step == S_STOCK) {
        t->step = S_ORDERS;
    } else if (t->step == S_ORDERS && t->round % 4 == 3) {
        free(t->last_body);
        t->last_body = t->body; /* the batch just settled, sent again */
        t->body = NULL;
        t->step = S_REPEAT;
    } else {
        if (t->step == S_ORDERS) {
            free(t->last_body);
            t->last_body = t->body;
            t->body = NULL;
        }
        t->round++;
        t->step = t->round < rounds ? S_CATALOG : S_DONE;
    }
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void pct(const char *what, double *v, size_t n)
{
    if (n > cap_lat)
        n = cap_lat;
    if (!n) {
        printf("%s: none\n", what);
        return;
    }
    qsort(v, n, sizeof *v, cmp);
    printf("%s (%zu): p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", what, n, v[n / 2], v[n * 99 / 100], v[n - 1]);
}

int main(int argc, char **argv)
{
    if (argc != 8) {
        fprintf(stderr, "usage: load_tills URL TOKENS_FILE TILLS ROUNDS BATCH SKU PRICE\n");
        return 2;
    }
    base_url = argv[1];
    int n = (int)strtol(argv[3], NULL, 10);
    rounds = (int)strtol(argv[4], NULL, 10);
    batch = (int)strtol(argv[5], NULL, 10);
    sku = argv[6];
    price = strtoll(argv[7], NULL, 10);
    if (n < 1 || n > 5000 || rounds < 1 || batch < 1 || batch > 500) {
        fprintf(stderr, "load_tills: 1-5000 tills, rounds >= 1, 1-500 orders a batch\n");
        return 2;
    }
    const char *bo = getenv("LOAD_BACKOFF_MS");
    backoff_ms = bo ? (int)strtol(bo, NULL, 10) : 0;
    if (backoff_ms > 0)
        max_tries = 60;
    else
        backoff_ms = 0;
    FILE *f = fopen(argv[2], "r");
    struct till *tills = calloc((size_t)n, sizeof *tills);
    cap_lat = (size_t)n * (size_t)rounds * 4 + 16;
    lat_orders = calloc(cap_lat, sizeof *lat_orders);
    lat_pull = calloc(cap_lat, sizeof *lat_pull);
    if (!f || !tills || !lat_orders || !lat_pull)
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *m = curl_multi_init();
    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)n + 8);
    for (int i = 0; i < n; i++) {
        struct till *t = &tills[i];
        char token[256];
        if (fscanf(f, "%63s %255s", t->terminal, token) != 2) {
            fprintf(stderr, "load_tills: %s has fewer than %d tokens\n", argv[2], n);
            return 2;
        }
        t->index = i;
        snprintf(t->auth, sizeof t->auth, "Authorization: Bearer %s", token);
        snprintf(t->iface, sizeof t->iface, "host!127.0.%d.%d", i / 250, 2 + i % 250);
        t->headers = curl_slist_append(curl_slist_append(NULL, t->auth), "Content-Type: application/json");
        t->h = curl_easy_init();
        curl_easy_setopt(t->h, CURLOPT_HTTPHEADER, t->headers);
        curl_easy_setopt(t->h, CURLOPT_INTERFACE, t->iface);
        curl_easy_setopt(t->h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(t->h, CURLOPT_WRITEDATA, t);
        curl_easy_setopt(t->h, CURLOPT_PRIVATE, t);
        curl_easy_setopt(t->h, CURLOPT_TIMEOUT_MS, 30000L);
        curl_easy_setopt(t->h, CURLOPT_NOSIGNAL, 1L);
        start(m, t);
    }
    fclose(f);
    double t_start = now_ms();
    int running = n;
    while (running > 0) {
        int still;
        curl_multi_perform(m, &still);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            struct till *t;
            long status = 0;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            CURLcode cc = msg->data.result;
            curl_multi_remove_handle(m, t->h);
            int orders = t->step == S_ORDERS || t->step == S_REPEAT;
            note_latency(orders, now_ms() - t->t0);
            if (settle(t, cc, status)) {
                advance(t);
            } else if (++t->tries >= max_tries) {
                fprintf(stderr, "till %s: gave up after %d tries (round %d)\n", t->terminal, max_tries, t->round);
                if (orders)
                    unsettled += batch;
                advance(t);
            }
            if (t->step == S_DONE)
                running--;
            else if (t->tries && backoff_ms)
                t->retry_at = now_ms() + (t->tries * backoff_ms > 2000 ? 2000 : t->tries * backoff_ms);
            else
                start(m, t);
        }
        for (int i = 0; backoff_ms && i < n; i++)
            if (tills[i].retry_at > 0 && tills[i].retry_at <= now_ms()) {
                tills[i].retry_at = 0;
                start(m, &tills[i]);
            }
        curl_multi_poll(m, NULL, 0, backoff_ms ? 20 : 100, NULL);
    }
    double secs = (now_ms() - t_start) / 1000.0;
    printf("%d tills x %d rounds x %d orders: %lld requests in %.2f s: %.0f requests/s, %.0f orders accepted/s\n", n,
           rounds, batch, (long long)requests, secs, requests / secs, accepted / secs);
    printf("orders: %lld accepted, %lld duplicate (repeated batches), %lld rejected, %lld never settled;"
           " failed requests: %lld HTTP, %lld transport (each sent again)\n",
           (long long)accepted, (long long)duplicates, (long long)rejected, (long long)unsettled,
           (long long)http_errors, (long long)transport_errors);
    pct("POST /v1/orders latency", lat_orders, n_orders_lat);
    pct("GET catalog/stock latency", lat_pull, n_pull_lat);
    for (int i = 0; i < n; i++) {
        curl_easy_cleanup(tills[i].h);
        curl_slist_free_all(tills[i].headers);
        free(tills[i].body);
        free(tills[i].last_body);
        free(tills[i].resp);
    }
    curl_multi_cleanup(m);
    curl_global_cleanup();
    return rejected || unsettled ? 1 : 0;
}
