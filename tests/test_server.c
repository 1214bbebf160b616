/*
 * The reference store server, driven as a black box: each test starts build/till-server
 * on port 0 against a fresh database (demo catalog imported, one terminal token), talks
 * HTTP to it with libcurl, looks into the database where the contract promises something
 * about storage, and stops the server in its teardown (also after a failed assertion).
 *
 * The same tests run on both storage backends: SQLite by default, PostgreSQL when
 * TILL_TEST_PG names a cluster (postgresql://USER@HOST:PORT, see tests/e2e_server_pg.sh):
 * each test then gets a database of its own there, looked into with psql.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "src/store.h"
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct fx {
    char dir[64];
    char db[160];
    char pg_name[64]; /* the test's PostgreSQL database, "" on SQLite */
    char faults[128];
    char log[128];
    char token[80];
    pid_t pid;
    int port;
};

struct resp {
    CURLcode rc;
    long status;
    char *body;
    size_t len, cap;
    char retry_after[16];
    double seconds;
};

enum auth { AUTH_NONE, AUTH_GOOD, AUTH_BAD };

/* The server under ASan+UBSan (make test builds it); TILL_SERVER_BIN picks another. */
static const char *server_bin(void)
{
    const char *b = getenv("TILL_SERVER_BIN");
    return b ? b : "build/asan/till-server";
}

/* The PostgreSQL cluster the tests run on, or NULL for SQLite. */
static const char *pg_base(void)
{
    const char *b = getenv("TILL_TEST_PG");
    return b && *b ? b : NULL;
}

/* Runs `psql -tA -d URL -c SQL`, its stdout (trimmed) into out; returns the exit status. */
static int psql(const char *url, const char *sql, char *out, size_t outlen)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execlp("psql", "psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    size_t got = 0;
    ssize_t n;
    char sink[256];
    while ((n = read(p[0], out && got < outlen - 1 ? out + got : sink,
                     out && got < outlen - 1 ? outlen - 1 - got : sizeof sink)) > 0)
        if (out && got < outlen - 1)
            got += (size_t)n;
    close(p[0]);
    if (out) {
        while (got > 0 && (out[got - 1] == '\n' || out[got - 1] == ' '))
            got--;
        out[got] = '\0';
    }
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs `till-server --db DB ARGS...`, its stdout into out; returns the exit status. */
static int admin(struct fx *f, char *out, size_t outlen, const char *const *args)
{
    const char *argv[18] = { server_bin(), "--db", f->db };
    int argc = 3;
    if (f->pg_name[0]) {
        argv[argc++] = "--snapshot-dir";
        argv[argc++] = f->dir;
    }
    for (; *args && argc < 17; args++)
        argv[argc++] = *args;
    argv[argc] = NULL;
    int p[2];
    if (pipe(p) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        FILE *log = freopen(f->log, "a", stderr);
        (void)log;
        close(p[0]);
        close(p[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(p[1]);
    size_t got = 0;
    ssize_t n;
    char sink[256];
    while ((n = read(p[0], out && got < outlen - 1 ? out + got : sink,
                     out && got < outlen - 1 ? outlen - 1 - got : sizeof sink)) > 0)
        if (out && got < outlen - 1)
            got += (size_t)n;
    close(p[0]);
    if (out)
        out[got] = '\0';
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void write_faults(struct fx *f, const char *spec)
{
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", f->faults);
    FILE *fp = fopen(tmp, "w");
    assert_non_null(fp);
    fputs(spec, fp);
    fclose(fp);
    assert_int_equal(rename(tmp, f->faults), 0);
}

/* Starts `serve --port 0` and reads the port from its first stdout line. */
static void server_start(struct fx *f)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    f->pid = fork();
    assert_true(f->pid >= 0);
    if (f->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a crashed test */
        dup2(p[1], 1);
        FILE *log = freopen(f->log, "a", stderr);
        (void)log;
        close(p[0]);
        close(p[1]);
        if (f->pg_name[0])
            execl(server_bin(), server_bin(), "--db", f->db, "--snapshot-dir", f->dir, "serve", "--port", "0",
                  "--faults-file", f->faults, (char *)NULL);
        else
            execl(server_bin(), server_bin(), "--db", f->db, "serve", "--port", "0", "--faults-file", f->faults,
                  (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    char line[128] = { 0 };
    size_t got = 0;
    struct pollfd pfd = { p[0], POLLIN, 0 };
    while (got < sizeof line - 1 && !memchr(line, '\n', got) && poll(&pfd, 1, 10000) > 0) {
        ssize_t n = read(p[0], line + got, sizeof line - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(p[0]);
    const char *colon = strrchr(line, ':');
    assert_true(strncmp(line, "listening on 127.0.0.1:", 23) == 0);
    f->port = (int)strtol(colon + 1, NULL, 10);
    assert_true(f->port > 0);
}

/* SIGTERM, then the exit status (0 = clean stop); SIGKILL if it does not stop in 10 s. */
static int server_stop(struct fx *f)
{
    if (f->pid <= 0)
        return 0;
    kill(f->pid, SIGTERM);
    int st = 0;
    for (int i = 0; i < 1000; i++) {
        pid_t r = waitpid(f->pid, &st, WNOHANG);
        if (r == f->pid) {
            f->pid = 0;
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        }
        usleep(10000);
    }
    kill(f->pid, SIGKILL);
    waitpid(f->pid, &st, 0);
    f->pid = 0;
    return -1;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/till-server-test-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/store.db", f->dir);
    if (pg_base()) {
        static int n;
        char url[200], sql[128];
        snprintf(f->pg_name, sizeof f->pg_name, "t%d_%d", (int)getpid(), ++n);
        snprintf(url, sizeof url, "%s/postgres", pg_base());
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", f->pg_name);
        assert_int_equal(psql(url, sql, NULL, 0), 0);
        snprintf(f->db, sizeof f->db, "%s/%s", pg_base(), f->pg_name);
    }
    snprintf(f->faults, sizeof f->faults, "%s/faults", f->dir);
    snprintf(f->log, sizeof f->log, "%s/server.log", f->dir);
    *state = f;
    const char *import[] = { "import", "assets/demo-catalog.csv", NULL };
    assert_int_equal(admin(f, NULL, 0, import), 0);
    const char *token[] = { "token", "create", "T1", NULL };
    assert_int_equal(admin(f, f->token, sizeof f->token, token), 0);
    f->token[strcspn(f->token, "\n")] = '\0';
    assert_int_equal(strlen(f->token), 64);
    server_start(f);
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    int stopped = server_stop(f);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    int rm = system(cmd);
    if (f->pg_name[0]) {
        char url[200], sql[128];
        snprintf(url, sizeof url, "%s/postgres", pg_base());
        snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", f->pg_name);
        rm |= psql(url, sql, NULL, 0);
    }
    free(f);
    /* A server that did not stop cleanly on SIGTERM fails the test. */
    return stopped == 0 && rm == 0 ? 0 : -1;
}

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
    struct resp *r = userp;
    size_t add = size * n;
    if (r->len + add + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + add + 1)
            cap *= 2;
        char *grown = realloc(r->body, cap);
        if (!grown)
            return 0;
        r->body = grown;
        r->cap = cap;
    }
    memcpy(r->body + r->len, data, add);
    r->len += add;
    r->body[r->len] = '\0';
    return add;
}

static size_t on_header(char *data, size_t size, size_t n, void *userp)
{
    struct resp *r = userp;
    size_t len = size * n;
    if (len > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
        size_t i = 12, o = 0;
        while (i < len && data[i] == ' ')
            i++;
        while (i < len && data[i] >= '0' && data[i] <= '9' && o < sizeof r->retry_after - 1)
            r->retry_after[o++] = data[i++];
        r->retry_after[o] = '\0';
    }
    return len;
}

/* One request with an explicit bearer token (NULL: none). */
static void http_token(struct fx *f, const char *method, const char *path, const char *body,
                       size_t body_len, const char *token, struct resp *r)
{
    memset(r, 0, sizeof *r);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[512], hdr[160];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", f->port, path);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    if (token) {
        snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, hdr);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    r->rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &r->seconds);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

static void http_raw(struct fx *f, const char *method, const char *path, const char *body,
                     size_t body_len, enum auth auth, struct resp *r)
{
    http_token(f, method, path, body, body_len,
               auth == AUTH_NONE ? NULL : auth == AUTH_GOOD ? f->token : "0123456789abcdef", r);
}

static void http(struct fx *f, const char *method, const char *path, const char *body,
                 enum auth auth, struct resp *r)
{
    http_raw(f, method, path, body, body ? strlen(body) : 0, auth, r);
}

/* A 200 answer parsed as JSON (the caller deletes it). */
static cJSON *get_json(struct fx *f, const char *path)
{
    struct resp r;
    http(f, "GET", path, NULL, AUTH_GOOD, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    cJSON *doc = cJSON_Parse(r.body);
    free(r.body);
    assert_non_null(doc);
    return doc;
}

static cJSON *post_json(struct fx *f, const char *path, const char *body)
{
    struct resp r;
    http(f, "POST", path, body, AUTH_GOOD, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    cJSON *doc = cJSON_Parse(r.body);
    free(r.body);
    assert_non_null(doc);
    return doc;
}

static void assert_error_code(const struct resp *r, long status, const char *code)
{
    assert_int_equal(r->status, status);
    cJSON *doc = cJSON_Parse(r->body ? r->body : "");
    assert_non_null(doc);
    cJSON *err = cJSON_GetObjectItem(doc, "error");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(err, "code")), code);
    assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItem(err, "message")));
    cJSON_Delete(doc);
}

static int64_t num(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItem(obj, name);
    assert_true(cJSON_IsNumber(v));
    return (int64_t)v->valuedouble;
}

static const char *str(const cJSON *obj, const char *name)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(obj, name));
    assert_non_null(s);
    return s;
}

static int64_t db_count(struct fx *f, const char *sql)
{
    if (f->pg_name[0]) {
        char out[64];
        assert_int_equal(psql(f->db, sql, out, sizeof out), 0);
        char *end;
        int64_t v = strtoll(out, &end, 10);
        assert_true(end != out);
        return v;
    }
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

/* One cash order for `qty` milli-units of SKU10001 at 119 a piece. */
static char *order_json(const char *key, int64_t qty, int64_t completed_at, int64_t total_delta)
{
    int64_t line_total = qty * 119 / 1000;
    char *s = malloc(1024);
    assert_non_null(s);
    snprintf(s, 1024,
             "{\"idempotency_key\":\"%s\",\"terminal_id\":\"T1\",\"sale_uuid\":\"u-%s\","
             "\"completed_at\":%lld,\"currency\":\"EUR\",\"total\":%lld,"
             "\"lines\":[{\"line_no\":1,\"sku\":\"SKU10001\",\"qty\":%lld,\"unit\":\"each\","
             "\"unit_price\":119,\"line_total\":%lld,\"voided\":false}],"
             "\"payments\":[{\"tender\":\"cash\",\"amount\":%lld}]}",
             key, key, (long long)completed_at, (long long)(line_total + total_delta),
             (long long)qty, (long long)line_total, (long long)(line_total + total_delta));
    return s;
}

static cJSON *post_orders(struct fx *f, const char *order)
{
    size_t n = strlen(order) + 32;
    char *body = malloc(n);
    assert_non_null(body);
    snprintf(body, n, "{\"orders\":[%s]}", order);
    cJSON *doc = post_json(f, "/v1/orders", body);
    free(body);
    return doc;
}

static int64_t on_hand(struct fx *f, const char *sku)
{
    cJSON *doc = get_json(f, "/v1/stock?location=store-1&limit=5000");
    const cJSON *l;
    int64_t found = INT64_MIN;
    cJSON_ArrayForEach(l, cJSON_GetObjectItem(doc, "levels"))
        if (strcmp(str(l, "sku"), sku) == 0)
            found = num(l, "on_hand");
    cJSON_Delete(doc);
    return found;
}

static void test_health(void **state)
{
    struct fx *f = *state;
    struct resp r;
    http(f, "GET", "/v1/health", NULL, AUTH_NONE, &r);
    assert_int_equal(r.status, 200);
    cJSON *doc = cJSON_Parse(r.body);
    assert_string_equal(str(doc, "status"), "ok");
    assert_int_equal(num(doc, "catalog_seq"), 293);
    cJSON_Delete(doc);
    free(r.body);
}

static void test_auth_required(void **state)
{
    struct fx *f = *state;
    struct resp r;
    http(f, "GET", "/v1/catalog", NULL, AUTH_NONE, &r);
    assert_error_code(&r, 401, "unauthorized");
    free(r.body);
    http(f, "GET", "/v1/catalog", NULL, AUTH_BAD, &r);
    assert_error_code(&r, 401, "unauthorized");
    free(r.body);
    http(f, "POST", "/v1/orders", "{\"orders\":[]}", AUTH_BAD, &r);
    assert_error_code(&r, 401, "unauthorized");
    free(r.body);
    http(f, "GET", "/v1/catalog?limit=1", NULL, AUTH_GOOD, &r);
    assert_int_equal(r.status, 200);
    free(r.body);
    /* The token never reaches the log. */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "grep -q %s %s", f->token, f->log);
    assert_int_not_equal(system(cmd), 0);
}

static void test_routing_errors(void **state)
{
    struct fx *f = *state;
    struct resp r;
    http(f, "GET", "/v1/nothing", NULL, AUTH_GOOD, &r);
    assert_error_code(&r, 404, "not_found");
    free(r.body);
    http(f, "GET", "/v1/orders", NULL, AUTH_GOOD, &r);
    assert_error_code(&r, 405, "method_not_allowed");
    free(r.body);
    http(f, "GET", "/v1/catalog?since=abc", NULL, AUTH_GOOD, &r);
    assert_error_code(&r, 400, "bad_request");
    free(r.body);
}

static void test_catalog_full_paging(void **state)
{
    struct fx *f = *state;
    char **skus = calloc(400, sizeof *skus);
    int nskus = 0, pages = 0;
    int64_t cursor = 0;
    int has_more = 1;
    while (has_more) {
        char path[128];
        snprintf(path, sizeof path, "/v1/catalog?since=%lld&limit=100", (long long)cursor);
        cJSON *doc = get_json(f, path);
        const cJSON *c;
        int64_t last = cursor;
        cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "changes")) {
            assert_true(num(c, "seq") > last); /* ascending, beyond the cursor */
            last = num(c, "seq");
            const char *sku = str(c, "sku");
            for (int i = 0; i < nskus; i++)
                assert_string_not_equal(skus[i], sku); /* each product once */
            assert_true(nskus < 400);
            skus[nskus++] = strdup(sku);
            assert_true(cJSON_IsArray(cJSON_GetObjectItem(c, "barcodes")));
            assert_true(num(c, "price") > 0);
        }
        assert_int_equal(num(doc, "next_cursor"), last);
        assert_true(num(doc, "next_cursor") > cursor);
        cursor = num(doc, "next_cursor");
        has_more = cJSON_IsTrue(cJSON_GetObjectItem(doc, "has_more"));
        cJSON_Delete(doc);
        pages++;
        assert_true(pages <= 3);
    }
    assert_int_equal(nskus, 293);
    assert_int_equal(pages, 3);
    /* Past the end: empty page, cursor unchanged. */
    cJSON *doc = get_json(f, "/v1/catalog?since=293");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "changes")), 0);
    assert_int_equal(num(doc, "next_cursor"), 293);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(doc, "has_more")));
    cJSON_Delete(doc);
    for (int i = 0; i < nskus; i++)
        free(skus[i]);
    free(skus);
}

/* Promotions and customers from the admin CLI, paged by cursor; withdrawals as tombstones;
 * the catalog carries a product's minimum age, group and deposit. */
static void test_promotions_and_customers_feeds(void **state)
{
    struct fx *f = *state;
    const char *add[] = { "promo", "add",
        "{\"name\":\"Milk 3 for 2\",\"kind\":\"multibuy_free\",\"sku\":\"SKU10001\",\"n\":3,\"m\":2}", NULL };
    const char *bad[] = { "promo", "add", "{\"name\":\"x\",\"kind\":\"percent\",\"percent_bp\":0}", NULL };
    const char *unknown[] = { "promo", "add", "{\"name\":\"x\",\"kind\":\"percent\",\"percent_bp\":5,\"colour\":1}", NULL };
    const char *price[] = { "promo", "add", "{\"kind\":\"segment_price\",\"segment\":\"gold\",\"sku\":\"SKU10001\",\"price\":99}", NULL };
    const char *del[] = { "promo", "delete", "1", NULL };
    const char *del_again[] = { "promo", "delete", "1", NULL };
    const char *cust[] = { "customer", "add", "C1", "Anna Gold", "gold", "9990001", NULL };
    char out[64];
    assert_int_equal(admin(f, out, sizeof out, add), 0);
    assert_string_equal(out, "promotion 1\n");
    assert_int_not_equal(admin(f, NULL, 0, bad), 0);
    assert_int_not_equal(admin(f, NULL, 0, unknown), 0);
    assert_int_equal(admin(f, NULL, 0, price), 0);
    assert_int_equal(admin(f, NULL, 0, cust), 0);
    cJSON *doc = get_json(f, "/v1/promotions?since=0&limit=1");
    const cJSON *changes = cJSON_GetObjectItem(doc, "changes");
    assert_int_equal(cJSON_GetArraySize(changes), 1);
    const cJSON *a = cJSON_GetArrayItem(changes, 0);
    assert_int_equal(num(a, "seq"), 1);
    assert_int_equal(num(a, "id"), 1);
    assert_string_equal(str(a, "kind"), "multibuy_free");
    assert_int_equal(num(a, "n"), 3);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(doc, "has_more")));
    cJSON_Delete(doc);
    assert_int_equal(admin(f, NULL, 0, del), 0);
    assert_int_not_equal(admin(f, NULL, 0, del_again), 0);
    doc = get_json(f, "/v1/promotions?since=1");
    changes = cJSON_GetObjectItem(doc, "changes");
    assert_int_equal(cJSON_GetArraySize(changes), 2);
    assert_string_equal(str(cJSON_GetArrayItem(changes, 0), "kind"), "segment_price");
    a = cJSON_GetArrayItem(changes, 1);
    assert_int_equal(num(a, "seq"), 3);
    assert_int_equal(num(a, "id"), 1);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a, "deleted")));
    assert_int_equal(num(doc, "next_cursor"), 3);
    cJSON_Delete(doc);
    doc = get_json(f, "/v1/customers?since=0");
    a = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "changes"), 0);
    assert_string_equal(str(a, "id"), "C1");
    assert_string_equal(str(a, "name"), "Anna Gold");
    assert_string_equal(str(a, "segment"), "gold");
    assert_string_equal(str(a, "card"), "9990001");
    cJSON_Delete(doc);
    /* the beer: 16 and older, its bottle deposit; ice cream: a promotion group */
    doc = get_json(f, "/v1/catalog?since=23&limit=1");
    a = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "changes"), 0);
    assert_string_equal(str(a, "sku"), "SKU10024");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a, "age_restricted")));
    assert_int_equal(num(a, "min_age"), 16);
    assert_string_equal(str(a, "deposit_sku"), "SKU10293");
    cJSON_Delete(doc);
    doc = get_json(f, "/v1/catalog?since=42&limit=1");
    a = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "changes"), 0);
    assert_string_equal(str(a, "group"), "icecream");
    assert_null(cJSON_GetObjectItem(a, "min_age"));
    cJSON_Delete(doc);
}

static void test_catalog_delta_with_tombstone(void **state)
{
    struct fx *f = *state;
    const char *price[] = { "price", "SKU10001", "129", NULL };
    const char *del[] = { "delete", "SKU10002", NULL };
    const char *missing[] = { "price", "NOPE", "1", NULL };
    assert_int_equal(admin(f, NULL, 0, price), 0);
    assert_int_equal(admin(f, NULL, 0, del), 0);
    assert_int_not_equal(admin(f, NULL, 0, missing), 0);
    cJSON *doc = get_json(f, "/v1/catalog?since=293");
    const cJSON *changes = cJSON_GetObjectItem(doc, "changes");
    assert_int_equal(cJSON_GetArraySize(changes), 2);
    const cJSON *a = cJSON_GetArrayItem(changes, 0), *b = cJSON_GetArrayItem(changes, 1);
    assert_int_equal(num(a, "seq"), 294);
    assert_string_equal(str(a, "sku"), "SKU10001");
    assert_int_equal(num(a, "price"), 129);
    assert_string_equal(str(a, "name"), "Whole Milk 1L");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItem(a, "barcodes"), 0)),
                        "4010433218190");
    assert_int_equal(num(b, "seq"), 295);
    assert_string_equal(str(b, "sku"), "SKU10002");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(b, "deleted")));
    assert_null(cJSON_GetObjectItem(b, "name"));
    assert_int_equal(num(doc, "next_cursor"), 295);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(doc, "has_more")));
    cJSON_Delete(doc);
    /* Re-importing the same catalog changes nothing but the deleted product comes back. */
    const char *import[] = { "import", "assets/demo-catalog.csv", NULL };
    assert_int_equal(admin(f, NULL, 0, import), 0);
    doc = get_json(f, "/v1/catalog?since=295");
    changes = cJSON_GetObjectItem(doc, "changes");
    assert_int_equal(cJSON_GetArraySize(changes), 2);
    cJSON_Delete(doc);
}

static void test_order_accepted_then_duplicate(void **state)
{
    struct fx *f = *state;
    char *order = order_json("T1:dup-1", 3000, 1764072060, 0);
    cJSON *doc = post_orders(f, order);
    const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0);
    assert_string_equal(str(r, "idempotency_key"), "T1:dup-1");
    assert_string_equal(str(r, "status"), "accepted");
    int64_t id = num(r, "order_id");
    assert_true(id > 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "price_mismatches")), 0);
    cJSON_Delete(doc);

    doc = post_orders(f, order);
    r = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0);
    assert_string_equal(str(r, "status"), "duplicate");
    assert_int_equal(num(r, "order_id"), id);
    cJSON_Delete(doc);
    free(order);
    assert_int_equal(db_count(f, "SELECT count(*) FROM orders"), 1);
    assert_int_equal(db_count(f, "SELECT count(*) FROM stock_movements"), 1);
    assert_int_equal(on_hand(f, "SKU10001"), -3000);
}

static void test_order_rejected_and_batch_independent(void **state)
{
    struct fx *f = *state;
    char *bad = order_json("T1:bad-total", 2000, 1764072060, 1);
    char *good = order_json("T1:good", 1000, 1764072060, 0);
    char body[4096];
    snprintf(body, sizeof body,
             "{\"orders\":[%s,%s,{\"lines\":[]},{\"idempotency_key\":\"T1:nolines\",\"lines\":[]}]}",
             bad, good);
    cJSON *doc = post_json(f, "/v1/orders", body);
    const cJSON *results = cJSON_GetObjectItem(doc, "results");
    assert_int_equal(cJSON_GetArraySize(results), 4);
    const cJSON *r0 = cJSON_GetArrayItem(results, 0), *r1 = cJSON_GetArrayItem(results, 1);
    assert_string_equal(str(r0, "status"), "rejected");
    assert_non_null(strstr(str(r0, "reason"), "total"));
    assert_null(cJSON_GetObjectItem(r0, "order_id"));
    assert_string_equal(str(r1, "status"), "accepted");
    assert_string_equal(str(cJSON_GetArrayItem(results, 2), "reason"), "missing idempotency_key");
    assert_string_equal(str(cJSON_GetArrayItem(results, 3), "reason"), "no lines");
    cJSON_Delete(doc);
    free(bad);
    free(good);
    assert_int_equal(db_count(f, "SELECT count(*) FROM orders WHERE idempotency_key = 'T1:good'"), 1);
    assert_int_equal(db_count(f, "SELECT count(*) FROM orders"), 1);
}

static void test_order_price_mismatch_and_unknown_sku(void **state)
{
    struct fx *f = *state;
    const char *order =
        "{\"idempotency_key\":\"T1:pm\",\"completed_at\":1000,\"currency\":\"EUR\",\"total\":300,"
        "\"lines\":[{\"sku\":\"SKU10001\",\"qty\":1000,\"unit_price\":100,\"line_total\":100},"
        "{\"sku\":\"NOSUCH\",\"qty\":1000,\"unit_price\":200,\"line_total\":200},"
        "{\"sku\":\"SKU10003\",\"qty\":1000,\"unit_price\":1,\"line_total\":1,\"voided\":true}],"
        "\"payments\":[{\"tender\":\"cash\",\"amount\":300}]}";
    cJSON *doc = post_orders(f, order);
    const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0);
    assert_string_equal(str(r, "status"), "accepted");
    const cJSON *pm = cJSON_GetObjectItem(r, "price_mismatches");
    const cJSON *unknown = cJSON_GetObjectItem(r, "unknown_skus");
    assert_int_equal(cJSON_GetArraySize(pm), 1);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(pm, 0)), "SKU10001");
    assert_int_equal(cJSON_GetArraySize(unknown), 1);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(unknown, 0)), "NOSUCH");
    cJSON_Delete(doc);
    /* The voided line moves no stock. */
    assert_int_equal(db_count(f, "SELECT count(*) FROM stock_movements WHERE sku = 'SKU10003'"), 0);
    assert_int_equal(db_count(f, "SELECT count(*) FROM order_lines"), 3);

    const char *usd = "{\"idempotency_key\":\"T1:usd\",\"completed_at\":1000,\"currency\":\"USD\","
                      "\"total\":100,\"lines\":[{\"sku\":\"SKU10001\",\"qty\":1000,"
                      "\"unit_price\":100,\"line_total\":100}],\"payments\":[{\"amount\":100}]}";
    doc = post_orders(f, usd);
    r = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0);
    assert_string_equal(str(r, "status"), "rejected");
    assert_non_null(strstr(str(r, "reason"), "currency"));
    cJSON_Delete(doc);
}

static void post_adjustment(struct fx *f, const char *key, const char *kind, int64_t qty,
                            int64_t at, const char *expect)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"adjustments\":[{\"idempotency_key\":\"%s\",\"sku\":\"SKU10001\","
             "\"location\":\"store-1\",\"kind\":\"%s\",\"quantity\":%lld,\"occurred_at\":%lld}]}",
             key, kind, (long long)qty, (long long)at);
    cJSON *doc = post_json(f, "/v1/stock-adjustments", body);
    const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0);
    assert_string_equal(str(r, "idempotency_key"), key);
    assert_string_equal(str(r, "status"), expect);
    cJSON_Delete(doc);
}

static void test_stock_count_and_late_sales(void **state)
{
    struct fx *f = *state;
    post_adjustment(f, "T1:count:1", "count", 10000, 100, "accepted");
    post_adjustment(f, "T1:count:1", "count", 10000, 100, "duplicate");
    assert_int_equal(on_hand(f, "SKU10001"), 10000);
    cJSON *doc = get_json(f, "/v1/stock");
    int64_t cursor = num(doc, "next_cursor");
    cJSON_Delete(doc);

    /* A sale dated before the count is already in it. */
    char *early = order_json("T1:early", 2000, 50, 0);
    cJSON_Delete(post_orders(f, early));
    free(early);
    assert_int_equal(on_hand(f, "SKU10001"), 10000);
    char path[96];
    snprintf(path, sizeof path, "/v1/stock?since=%lld", (long long)cursor);
    doc = get_json(f, path);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "levels")), 0);
    cJSON_Delete(doc);

    /* A sale dated after it counts. */
    char *late = order_json("T1:late", 2000, 150, 0);
    cJSON_Delete(post_orders(f, late));
    free(late);
    assert_int_equal(on_hand(f, "SKU10001"), 8000);
    doc = get_json(f, path);
    const cJSON *levels = cJSON_GetObjectItem(doc, "levels");
    assert_int_equal(cJSON_GetArraySize(levels), 1);
    assert_true(num(cJSON_GetArrayItem(levels, 0), "seq") > cursor);
    assert_string_equal(str(cJSON_GetArrayItem(levels, 0), "location"), "store-1");
    cJSON_Delete(doc);

    /* A received delta after the count adds; a later count replaces everything. */
    post_adjustment(f, "T1:recv:1", "received", 5000, 200, "accepted");
    assert_int_equal(on_hand(f, "SKU10001"), 13000);
    post_adjustment(f, "T1:count:2", "count", 4000, 300, "accepted");
    assert_int_equal(on_hand(f, "SKU10001"), 4000);
    post_adjustment(f, "T1:bad", "teleported", 1, 300, "rejected");
}

static void token_for(struct fx *f, const char *terminal, char *out, size_t len);
static long post_orders_status(struct fx *f, const char *orders, const char *token, cJSON **doc);

/* T2's sale of qty at completed_at, sent with T2's token (it was offline until now). */
static void post_t2_sale(struct fx *f, const char *t2, const char *key, int64_t qty, int64_t at)
{
    char *order = order_json(key, qty, at, 0);
    char *tid = strstr(order, "\"terminal_id\":\"T1\"");
    assert_non_null(tid);
    tid[16] = '2';
    cJSON *doc;
    assert_int_equal(post_orders_status(f, order, t2, &doc), 200);
    assert_string_equal(str(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0), "status"), "accepted");
    cJSON_Delete(doc);
    free(order);
}

/*
 * The count-as-of rule with two terminals (issue 14): T1 counts the milk at t=1000 (the
 * key a till's count uses: terminal, count id, sku).  T1 sells after it; T2 was offline
 * and its sales arrive only now: the one made before the count's moment is already in the
 * count, the one after reduces it.  The count sent again applies once.
 */
static void test_count_as_of_two_terminals(void **state)
{
    struct fx *f = *state;
    char t2[80];
    token_for(f, "T2", t2, sizeof t2);
    char *before = order_json("T1:before", 1000, 950, 0);
    cJSON_Delete(post_orders(f, before));
    free(before);
    post_adjustment(f, "T1:c0011223344556677:SKU10001", "count", 10000, 1000, "accepted");
    assert_int_equal(on_hand(f, "SKU10001"), 10000);
    char *after = order_json("T1:after", 1000, 1100, 0);
    cJSON_Delete(post_orders(f, after));
    free(after);
    assert_int_equal(on_hand(f, "SKU10001"), 9000);
    post_t2_sale(f, t2, "T2:offline-before", 2000, 900);
    assert_int_equal(on_hand(f, "SKU10001"), 9000);
    post_t2_sale(f, t2, "T2:offline-after", 3000, 1050);
    assert_int_equal(on_hand(f, "SKU10001"), 6000);
    /* a sale in the very second of the count is taken as on the shelf count already */
    post_t2_sale(f, t2, "T2:same-second", 1000, 1000);
    assert_int_equal(on_hand(f, "SKU10001"), 6000);
    post_adjustment(f, "T1:c0011223344556677:SKU10001", "count", 10000, 1000, "duplicate");
    assert_int_equal(on_hand(f, "SKU10001"), 6000);
    assert_int_equal(db_count(f, "SELECT count(*) FROM stock_movements WHERE kind = 'count'"), 1);
}

/* GET /v1/stock-level: one item's level as it is now, for a till's live lookup (issue 14). */
static void test_stock_level_live(void **state)
{
    struct fx *f = *state;
    struct resp r;
    http(f, "GET", "/v1/stock-level?sku=SKU10001", NULL, AUTH_NONE, &r);
    assert_error_code(&r, 401, "unauthorized");
    free(r.body);
    http(f, "GET", "/v1/stock-level", NULL, AUTH_GOOD, &r);
    assert_error_code(&r, 400, "bad_request");
    free(r.body);
    http(f, "POST", "/v1/stock-level?sku=SKU10001", "{}", AUTH_GOOD, &r);
    assert_error_code(&r, 405, "method_not_allowed");
    free(r.body);

    cJSON *doc = get_json(f, "/v1/stock-level?sku=SKU10001");
    assert_string_equal(str(doc, "sku"), "SKU10001");
    assert_string_equal(str(doc, "location"), "store-1");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(doc, "known")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(doc, "on_hand")));
    cJSON_Delete(doc);

    post_adjustment(f, "T1:count:live", "count", 10000, 100, "accepted");
    char *order = order_json("T1:live-sale", 2000, 150, 0);
    cJSON_Delete(post_orders(f, order));
    free(order);
    doc = get_json(f, "/v1/stock-level?sku=SKU10001&location=store-1");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(doc, "known")));
    assert_int_equal(num(doc, "on_hand"), 8000);
    cJSON_Delete(doc);
    /* another location has its own level: none here */
    doc = get_json(f, "/v1/stock-level?sku=SKU10001&location=backroom");
    assert_string_equal(str(doc, "location"), "backroom");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(doc, "known")));
    cJSON_Delete(doc);
}

static void test_stock_negative_allowed(void **state)
{
    struct fx *f = *state;
    post_adjustment(f, "T1:count:n", "count", 1000, 100, "accepted");
    char *order = order_json("T1:neg", 3000, 200, 0);
    cJSON *doc = post_orders(f, order);
    free(order);
    assert_string_equal(str(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0), "status"),
                        "accepted");
    cJSON_Delete(doc);
    assert_int_equal(on_hand(f, "SKU10001"), -2000);
}

static void test_faults_retry_after(void **state)
{
    struct fx *f = *state;
    write_faults(f, "429=1,5xx=1\n");
    struct resp r;
    http(f, "GET", "/v1/catalog?limit=1", NULL, AUTH_GOOD, &r);
    assert_error_code(&r, 429, "rate_limited");
    assert_string_equal(r.retry_after, "2");
    free(r.body);
    http(f, "GET", "/v1/health", NULL, AUTH_NONE, &r); /* health is never faulted */
    assert_int_equal(r.status, 200);
    free(r.body);
    http(f, "POST", "/v1/orders", "{\"orders\":[]}", AUTH_GOOD, &r);
    assert_error_code(&r, 503, "unavailable");
    assert_string_equal(r.retry_after, "1");
    free(r.body);
    http(f, "GET", "/v1/catalog?limit=1", NULL, AUTH_GOOD, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.retry_after, "");
    free(r.body);
}

static void test_close_after_commit(void **state)
{
    struct fx *f = *state;
    write_faults(f, "close_after_commit=1");
    char *order = order_json("T1:cac", 1000, 1764072060, 0);
    char body[2048];
    snprintf(body, sizeof body, "{\"orders\":[%s]}", order);
    struct resp r;
    http(f, "POST", "/v1/orders", body, AUTH_GOOD, &r);
    assert_int_not_equal(r.rc, CURLE_OK); /* the client never saw an answer */
    free(r.body);
    assert_int_equal(db_count(f, "SELECT count(*) FROM orders WHERE idempotency_key = 'T1:cac'"), 1);
    int64_t id = db_count(f, "SELECT id FROM orders WHERE idempotency_key = 'T1:cac'");

    cJSON *doc = post_orders(f, order);
    const cJSON *res = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0);
    assert_string_equal(str(res, "status"), "duplicate");
    assert_int_equal(num(res, "order_id"), id);
    cJSON_Delete(doc);
    free(order);
    assert_int_equal(db_count(f, "SELECT count(*) FROM orders"), 1);
}

static void test_reset_and_broken_bodies(void **state)
{
    struct fx *f = *state;
    write_faults(f, "reset=1,malformed=1,truncate=1,oversize=1");
    struct resp r;
    http(f, "GET", "/v1/catalog?limit=50", NULL, AUTH_GOOD, &r);
    assert_int_not_equal(r.rc, CURLE_OK);
    free(r.body);
    http(f, "GET", "/v1/catalog?limit=50", NULL, AUTH_GOOD, &r);
    assert_int_equal(r.status, 200);
    assert_null(cJSON_Parse(r.body));
    free(r.body);
    http(f, "GET", "/v1/catalog?limit=50", NULL, AUTH_GOOD, &r);
    assert_int_equal(r.status, 200);
    assert_true(r.len > 100);
    assert_null(cJSON_Parse(r.body));
    free(r.body);
    http(f, "GET", "/v1/catalog?limit=50", NULL, AUTH_GOOD, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, 64u * 1024 * 1024);
    cJSON *doc = cJSON_ParseWithLength(r.body, r.len);
    assert_non_null(doc);
    cJSON_Delete(doc);
    free(r.body);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct timed {
    struct fx *f;
    struct resp r;
    double start, end;
};

static void *timed_request(void *arg)
{
    struct timed *t = arg;
    t->start = now_s();
    http_raw(t->f, "GET", "/v1/catalog?limit=1", NULL, 0, AUTH_GOOD, &t->r);
    t->end = now_s();
    return NULL;
}

/* Whichever of two overlapping requests gets the stall, the other is answered meanwhile. */
static void test_stall_blocks_nobody_else(void **state)
{
    struct fx *f = *state;
    write_faults(f, "stall=1,stall_ms=1500");
    struct timed a = { .f = f }, b = { .f = f };
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, timed_request, &a), 0);
    usleep(300000);
    timed_request(&b);
    pthread_join(t, NULL);
    assert_int_equal(a.r.status, 200);
    assert_int_equal(b.r.status, 200);
    struct timed *slow = a.end - a.start > b.end - b.start ? &a : &b;
    struct timed *fast = slow == &a ? &b : &a;
    assert_true(slow->end - slow->start >= 1.4);
    assert_true(fast->end - fast->start < 1.0);
    assert_true(fast->end > slow->start && fast->end < slow->end); /* answered during the stall */
    free(a.r.body);
    free(b.r.body);
}

static void test_malformed_request_body(void **state)
{
    struct fx *f = *state;
    struct resp r;
    http(f, "POST", "/v1/orders", "{\"orders\":[{", AUTH_GOOD, &r);
    assert_error_code(&r, 400, "bad_request");
    free(r.body);
    http(f, "POST", "/v1/orders", "{\"sales\":[]}", AUTH_GOOD, &r);
    assert_error_code(&r, 400, "bad_request");
    free(r.body);
    http(f, "POST", "/v1/stock-adjustments", "", AUTH_GOOD, &r);
    assert_error_code(&r, 400, "bad_request");
    free(r.body);
    assert_int_equal(db_count(f, "SELECT count(*) FROM orders"), 0);
}

static void test_body_too_large(void **state)
{
    struct fx *f = *state;
    size_t n = 8u * 1024 * 1024 + 1;
    char *body = malloc(n);
    assert_non_null(body);
    memset(body, ' ', n);
    body[0] = '{';
    body[n - 1] = '}';
    struct resp r;
    http_raw(f, "POST", "/v1/orders", body, n, AUTH_GOOD, &r);
    free(body);
    assert_int_equal(r.rc, CURLE_OK);
    assert_error_code(&r, 413, "too_large");
    free(r.body);

    /* 501 orders: too many for one batch. */
    struct strbuf_like { char *p; size_t len; } b = { malloc(64 * 1024), 0 };
    assert_non_null(b.p);
    b.len = (size_t)snprintf(b.p, 64, "{\"orders\":[");
    for (int i = 0; i < 501; i++)
        b.len += (size_t)snprintf(b.p + b.len, 64, "%s{}", i ? "," : "");
    b.len += (size_t)snprintf(b.p + b.len, 64, "]}");
    http_raw(f, "POST", "/v1/orders", b.p, b.len, AUTH_GOOD, &r);
    free(b.p);
    assert_error_code(&r, 413, "too_large");
    free(r.body);
}

static void test_admin_json_import_rename_stock(void **state)
{
    struct fx *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/products.json", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    /* A new product, and SKU10001 taking over a second barcode (its set is replaced). */
    fputs("[{\"sku\":\"NEW1\",\"name\":\"Oat Drink 1L\",\"price\":189,\"unit\":\"each\","
          "\"tax_class\":\"std\",\"barcodes\":[\"2000000000015\",\"2000000000022\"]},"
          "{\"sku\":\"SKU10001\",\"name\":\"Whole Milk 1L\",\"price\":119,\"unit\":\"each\","
          "\"tax_class\":\"red\",\"barcodes\":[\"2000000000039\"]}]",
          fp);
    fclose(fp);
    const char *import[] = { "import", path, NULL };
    assert_int_equal(admin(f, NULL, 0, import), 0);
    const char *rename_cmd[] = { "rename", "NEW1", "Oat Drink Barista 1L", NULL };
    assert_int_equal(admin(f, NULL, 0, rename_cmd), 0);
    const char *stock[] = { "stock", "SKU10005", "store-1", "7000", NULL };
    assert_int_equal(admin(f, NULL, 0, stock), 0);

    cJSON *doc = get_json(f, "/v1/catalog?since=293");
    const cJSON *changes = cJSON_GetObjectItem(doc, "changes");
    assert_int_equal(cJSON_GetArraySize(changes), 2);
    const cJSON *milk = cJSON_GetArrayItem(changes, 0), *oat = cJSON_GetArrayItem(changes, 1);
    assert_string_equal(str(milk, "sku"), "SKU10001");
    const cJSON *codes = cJSON_GetObjectItem(milk, "barcodes");
    assert_int_equal(cJSON_GetArraySize(codes), 1);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(codes, 0)), "2000000000039");
    assert_string_equal(str(oat, "sku"), "NEW1");
    assert_string_equal(str(oat, "name"), "Oat Drink Barista 1L");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(oat, "barcodes")), 2);
    assert_int_equal(num(oat, "seq"), 296); /* 294 NEW1, 295 SKU10001, 296 the rename */
    cJSON_Delete(doc);
    assert_int_equal(on_hand(f, "SKU10005"), 7000);

    /* A barcode moving to another product changes both of them. */
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("[{\"sku\":\"NEW2\",\"name\":\"Milk Twin\",\"price\":100,"
          "\"barcodes\":[\"4060013389086\"]}]", fp);
    fclose(fp);
    assert_int_equal(admin(f, NULL, 0, import), 0);
    doc = get_json(f, "/v1/catalog?since=296");
    changes = cJSON_GetObjectItem(doc, "changes");
    assert_int_equal(cJSON_GetArraySize(changes), 2);
    const cJSON *twin = cJSON_GetArrayItem(changes, 0), *old = cJSON_GetArrayItem(changes, 1);
    assert_string_equal(str(twin, "sku"), "NEW2");
    assert_string_equal(str(twin, "unit"), "each");
    assert_string_equal(str(old, "sku"), "SKU10002");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(old, "barcodes")), 0);
    cJSON_Delete(doc);
}

static void test_faults_percent_file_change_and_env(void **state)
{
    struct fx *f = *state;
    struct resp r;
    write_faults(f, "5xx=100%");
    for (int i = 0; i < 3; i++) {
        http(f, "GET", "/v1/stock", NULL, AUTH_GOOD, &r);
        assert_error_code(&r, 503, "unavailable");
        free(r.body);
    }
    write_faults(f, "429=1"); /* a changed file replaces the faults and restarts counters */
    http(f, "GET", "/v1/stock", NULL, AUTH_GOOD, &r);
    assert_error_code(&r, 429, "rate_limited");
    free(r.body);
    http(f, "GET", "/v1/stock", NULL, AUTH_GOOD, &r);
    assert_int_equal(r.status, 200);
    free(r.body);
    write_faults(f, "");
    assert_int_equal(unlink(f->faults), 0);

    /* The environment sets faults too; a bad SPEC stops the server from starting. */
    assert_int_equal(server_stop(f), 0);
    setenv("TILL_SERVER_FAULTS", "5xx=1", 1);
    server_start(f);
    unsetenv("TILL_SERVER_FAULTS");
    http(f, "GET", "/v1/catalog", NULL, AUTH_GOOD, &r);
    assert_error_code(&r, 503, "unavailable");
    free(r.body);
    http(f, "GET", "/v1/catalog", NULL, AUTH_GOOD, &r);
    assert_int_equal(r.status, 200);
    free(r.body);
    const char *bad[] = { "serve", "--port", "0", "--faults", "explode=1", NULL };
    assert_int_equal(admin(f, NULL, 0, bad), 1);
}

/* ---- A server that trusts no till ---- */

/* A token for another terminal, created while the server runs. */
static void token_for(struct fx *f, const char *terminal, char *out, size_t len)
{
    const char *args[] = { "token", "create", terminal, NULL };
    assert_int_equal(admin(f, out, len, args), 0);
    out[strcspn(out, "\n")] = '\0';
    assert_int_equal(strlen(out), 64);
}

/* POSTs {"orders":[ORDERS]} and returns the status, the parsed body in *doc. */
static long post_orders_status(struct fx *f, const char *orders, const char *token, cJSON **doc)
{
    size_t n = strlen(orders) + 32;
    char *body = malloc(n);
    assert_non_null(body);
    snprintf(body, n, "{\"orders\":[%s]}", orders);
    struct resp r;
    http_token(f, "POST", "/v1/orders", body, strlen(body), token, &r);
    free(body);
    assert_int_equal(r.rc, CURLE_OK);
    *doc = cJSON_Parse(r.body ? r.body : "");
    assert_non_null(*doc);
    free(r.body);
    return r.status;
}

static void test_token_bound_to_its_terminal(void **state)
{
    struct fx *f = *state;
    char t2[80];
    token_for(f, "T2", t2, sizeof t2);
    /* T2's token posting T1's sale (key and terminal_id of T1) */
    char *order = order_json("T1:stolen", 1000, 1764072060, 0);
    cJSON *doc;
    assert_int_equal(post_orders_status(f, order, t2, &doc), 403);
    assert_string_equal(str(cJSON_GetObjectItem(doc, "error"), "code"), "forbidden");
    cJSON_Delete(doc);
    /* a batch with one foreign order among good ones is refused whole */
    char *good = order_json("T2:own", 1000, 1764072060, 0), both[4096];
    char *fixed = strstr(good, "\"terminal_id\":\"T1\"");
    assert_non_null(fixed);
    fixed[16] = '2'; /* its terminal_id becomes T2 */
    snprintf(both, sizeof both, "%s,%s", good, order);
    assert_int_equal(post_orders_status(f, both, t2, &doc), 403);
    cJSON_Delete(doc);
    /* the key says T2 but terminal_id still says T1 */
    char *mixed = order_json("T2:mixed", 1000, 1764072060, 0);
    assert_int_equal(post_orders_status(f, mixed, t2, &doc), 403);
    cJSON_Delete(doc);
    assert_int_equal(db_count(f, "SELECT count(*) FROM orders"), 0);
    /* its own order goes through; adjustments are bound the same way */
    assert_int_equal(post_orders_status(f, good, t2, &doc), 200);
    assert_string_equal(str(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0), "status"),
                        "accepted");
    cJSON_Delete(doc);
    const char *adj = "{\"adjustments\":[{\"idempotency_key\":\"T1:count:x\",\"sku\":\"SKU10001\","
                      "\"kind\":\"count\",\"quantity\":1000,\"occurred_at\":100}]}";
    struct resp r;
    http_token(f, "POST", "/v1/stock-adjustments", adj, strlen(adj), t2, &r);
    assert_error_code(&r, 403, "forbidden");
    free(r.body);
    assert_int_equal(db_count(f, "SELECT count(*) FROM orders WHERE terminal_id = 'T2'"), 1);
    assert_int_equal(db_count(f, "SELECT count(*) FROM stock_movements WHERE kind = 'count'"), 0);
    free(order);
    free(good);
    free(mixed);
}

static void test_same_key_other_payload_is_a_conflict(void **state)
{
    struct fx *f = *state;
    char *first = order_json("T1:k", 1000, 1764072060, 0);
    char *other = order_json("T1:k", 5000, 1764072060, 0); /* another sale, same key */
    cJSON *doc;
    assert_int_equal(post_orders_status(f, first, f->token, &doc), 200);
    cJSON_Delete(doc);
    /* alone: HTTP 409, and the result says conflict */
    assert_int_equal(post_orders_status(f, other, f->token, &doc), 409);
    assert_string_equal(str(cJSON_GetObjectItem(doc, "error"), "code"), "conflict");
    const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0);
    assert_string_equal(str(r, "status"), "rejected");
    assert_string_equal(str(r, "code"), "conflict");
    assert_non_null(strstr(str(r, "reason"), "conflict"));
    cJSON_Delete(doc);
    /* in a batch: a per-order rejection, the other order accepted */
    char *next = order_json("T1:k2", 1000, 1764072060, 0), batch[4096];
    snprintf(batch, sizeof batch, "%s,%s", other, next);
    assert_int_equal(post_orders_status(f, batch, f->token, &doc), 200);
    const cJSON *results = cJSON_GetObjectItem(doc, "results");
    assert_string_equal(str(cJSON_GetArrayItem(results, 0), "code"), "conflict");
    assert_string_equal(str(cJSON_GetArrayItem(results, 1), "status"), "accepted");
    cJSON_Delete(doc);
    /* the same payload again is still a duplicate, and the first sale is what is stored */
    assert_int_equal(post_orders_status(f, first, f->token, &doc), 200);
    assert_string_equal(str(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0), "status"),
                        "duplicate");
    cJSON_Delete(doc);
    assert_int_equal(db_count(f, "SELECT qty FROM order_lines l JOIN orders o ON o.id = l.order_id"
                                 " WHERE o.idempotency_key = 'T1:k'"), 1000);
    assert_int_equal(db_count(f, "SELECT count(*) FROM orders WHERE payload_sha256 IS NOT NULL"), 2);
    free(first);
    free(other);
    free(next);
}

/* One order built from its lines; total and the cash payment are given separately. */
static char *order_with(const char *key, const char *lines, long long total, long long paid,
                        const char *extra)
{
    size_t cap = strlen(lines) + strlen(extra) + 512;
    char *s = malloc(cap);
    assert_non_null(s);
    snprintf(s, cap,
             "{\"idempotency_key\":\"%s\",\"terminal_id\":\"T1\",\"completed_at\":1764072060,"
             "\"currency\":\"EUR\",\"total\":%lld,\"lines\":[%s],"
             "\"payments\":[{\"tender\":\"cash\",\"amount\":%lld}]%s}",
             key, total, lines, paid, extra);
    return s;
}

/* Posts one order and checks its status and, for a rejection, a word of its reason. */
static void expect_order(struct fx *f, const char *order, const char *status, const char *why)
{
    cJSON *doc;
    assert_int_equal(post_orders_status(f, order, f->token, &doc), 200);
    const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0);
    if (strcmp(str(r, "status"), status) != 0)
        fail_msg("%s: expected %s, got %s (%s)", order, status, str(r, "status"),
                 cJSON_GetStringValue(cJSON_GetObjectItem(r, "reason")));
    if (why) {
        assert_string_equal(str(r, "code"), "invalid");
        if (!strstr(str(r, "reason"), why))
            fail_msg("reason \"%s\" lacks \"%s\"", str(r, "reason"), why);
    }
    cJSON_Delete(doc);
}

#define MILK(qty, total) "{\"sku\":\"SKU10001\",\"qty\":" #qty ",\"unit\":\"each\"," \
                         "\"unit_price\":119,\"line_total\":" #total "}"

static void test_orders_validated_against_till_bounds(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *lines;
        long long total;
        const char *extra, *status, *why;
    } cases[] = {
        /* the order: a quantity no till can hold */
        { "{\"sku\":\"SKU10001\",\"qty\":-2251799813685248,\"unit_price\":0,\"line_total\":0}", 0, "",
          "rejected", "qty" },
        { MILK(100001000, 11900119), 11900119, "", "rejected", "qty" },
        { MILK(0, 0), 0, "", "rejected", "qty" },
        { MILK(-1000, -119), -119, "", "rejected", "return" },
        { MILK(1500, 179), 179, "", "rejected", "whole pieces" },
        { MILK(2000, 239), 239, "", "rejected", "line_total" },
        /* a price above 2^50 (one gram of it, so the total itself is in range) */
        { "{\"sku\":\"SKU10001\",\"qty\":1,\"unit\":\"kg\",\"unit_price\":1125899906842625,"
          "\"line_total\":1125899906843}", 1125899906843LL, "", "rejected", "unit_price" },
        /* weighed: 1.250 kg at 1.99 = 2.4875 -> 2.49 (half away from zero), not 2.48 */
        { "{\"sku\":\"SKU10050\",\"qty\":1250,\"unit\":\"kg\",\"unit_price\":199,\"line_total\":248}",
          248, "", "rejected", "line_total" },
        { "{\"sku\":\"SKU10050\",\"qty\":1250,\"unit\":\"kg\",\"unit_price\":199,\"line_total\":249}",
          249, "", "accepted", NULL },
        /* a price-embedded label fixes the line total */
        { "{\"sku\":\"SKU10050\",\"qty\":1000,\"unit\":\"each\",\"unit_price\":199,"
          "\"line_total\":350,\"price_from_label\":true}", 350, "", "accepted", NULL },
        { MILK(1000, 119), 120, "", "rejected", "total" },
        { MILK(1000, 119), 119, ",\"subtotal\":118", "rejected", "subtotal" },
        /* tax: 7% inclusive of 1.19 is 0.08 (0.0778...) */
        { "{\"sku\":\"SKU10001\",\"qty\":1000,\"unit_price\":119,\"line_total\":119,"
          "\"tax_class\":\"red\",\"tax_rate_ppm\":70000}", 119,
          ",\"tax_mode\":\"inclusive\",\"subtotal\":119,\"tax_total\":8", "accepted", NULL },
        { "{\"sku\":\"SKU10001\",\"qty\":1000,\"unit_price\":119,\"line_total\":119,"
          "\"tax_class\":\"red\",\"tax_rate_ppm\":70000}", 119,
          ",\"tax_mode\":\"inclusive\",\"tax_total\":9", "rejected", "tax_total" },
        /* exclusive: 1.19 + 7% = 1.27 */
        { "{\"sku\":\"SKU10001\",\"qty\":1000,\"unit_price\":119,\"line_total\":119,"
          "\"tax_class\":\"red\",\"tax_rate_ppm\":70000}", 127,
          ",\"tax_mode\":\"exclusive\",\"tax_total\":8", "accepted", NULL },
        { MILK(1000, 119), 119, ",\"tax_mode\":\"exclusive\"", "rejected", "tax_total" },
        /* a field given twice reads differently to different parsers */
        { MILK(1000, 119), 119, ",\"total\":0", "rejected", "twice" },
        { MILK(1000, 119), 119, ",\"return_of\":\"T1:never-sold\"", "rejected", "return_of" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char key[32];
        snprintf(key, sizeof key, "T1:v%zu", i);
        char *o = order_with(key, cases[i].lines, cases[i].total, cases[i].total, cases[i].extra);
        expect_order(f, o, cases[i].status, cases[i].why);
        free(o);
    }
    /* payments must cover the total exactly */
    char *o = order_with("T1:pay", MILK(1000, 119), 119, 100, "");
    expect_order(f, o, "rejected", "payments");
    free(o);
    /* a return referencing a stored sale brings the stock back */
    o = order_with("T1:sold", MILK(3000, 357), 357, 357, "");
    expect_order(f, o, "accepted", NULL);
    free(o);
    assert_int_equal(on_hand(f, "SKU10001"), -3000 - 1000 - 1000); /* with the tax cases */
    o = order_with("T1:ret", "{\"sku\":\"SKU10001\",\"qty\":-1000,\"unit\":\"each\",\"unit_price\":119,"
                   "\"line_total\":-119,\"return_line\":1}", -119, -119, ",\"return_of\":\"T1:sold\"");
    expect_order(f, o, "accepted", NULL);
    free(o);
    assert_int_equal(on_hand(f, "SKU10001"), -4000);
    /* 1001 lines: more than a cart holds */
    size_t cap = 1001 * 80 + 64, len = 0;
    char *many = malloc(cap);
    assert_non_null(many);
    for (int i = 0; i < 1001; i++)
        len += (size_t)snprintf(many + len, cap - len, "%s" MILK(1000, 119), i ? "," : "");
    o = order_with("T1:many", many, 119119, 119119, "");
    expect_order(f, o, "rejected", "lines");
    free(o);
    free(many);
    /* nothing rejected reached the database */
    assert_int_equal(db_count(f, "SELECT count(*) FROM orders"), 6);
}

/* A returned line of milk: qty thousandths back of line `line`, refunding `total`. */
static char *milk_return(const char *key, const char *of, int qty, int line, int total, const char *extra)
{
    char lines[256];
    snprintf(lines, sizeof lines, "{\"sku\":\"SKU10001\",\"qty\":%d,\"unit\":\"each\",\"unit_price\":119,"
             "\"line_total\":%d,\"discount\":%d,\"return_line\":%d%s}", -qty, -total,
             -(qty * 119 / 1000) + total, line, extra);
    char ext[128];
    snprintf(ext, sizeof ext, ",\"return_of\":\"%s\"", of);
    return order_with(key, lines, -total, -total, ext);
}

/* GET /v1/orders/{key}, and returns checked against what was sold and already returned
 * by any till; a line not restocked moves no stock. */
static void test_returns_against_orders(void **state)
{
    struct fx *f = *state;
    /* line 1: three milk; line 2: one milk with 0,19 off */
    char *o = order_with("T1:r-sold", MILK(3000, 357) ",{\"sku\":\"SKU10001\",\"qty\":1000,"
                         "\"unit\":\"each\",\"unit_price\":119,\"discount\":19,\"line_total\":100}",
                         457, 457, ",\"receipt_no\":7");
    expect_order(f, o, "accepted", NULL);
    free(o);
    assert_int_equal(on_hand(f, "SKU10001"), -4000);
    cJSON *doc = get_json(f, "/v1/orders/T1:r-sold");
    assert_string_equal(str(cJSON_GetObjectItem(doc, "order"), "idempotency_key"), "T1:r-sold");
    cJSON_Delete(doc);
    /* by the receipt's printed code: R, the till, its number */
    doc = get_json(f, "/v1/orders/RT1-7");
    assert_string_equal(str(cJSON_GetObjectItem(doc, "order"), "idempotency_key"), "T1:r-sold");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "returned")), 0);
    assert_true(num(doc, "order_id") > 0);
    cJSON_Delete(doc);
    struct resp r;
    http(f, "GET", "/v1/orders/T1:nothing", NULL, AUTH_GOOD, &r);
    assert_int_equal(r.status, 404);
    free(r.body);
    http(f, "GET", "/v1/orders/RT1-8", NULL, AUTH_GOOD, &r);
    assert_int_equal(r.status, 404);
    free(r.body);
    http(f, "GET", "/v1/orders/T1:r-sold", NULL, AUTH_NONE, &r);
    assert_int_equal(r.status, 401);
    free(r.body);

    /* two of line 1 come back and go on the shelf */
    o = milk_return("T1:r1", "T1:r-sold", 2000, 1, 238, "");
    expect_order(f, o, "accepted", NULL);
    free(o);
    assert_int_equal(on_hand(f, "SKU10001"), -2000);
    doc = get_json(f, "/v1/orders/T1:r-sold");
    const cJSON *ret = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "returned"), 0);
    assert_int_equal(num(ret, "line_no"), 1);
    assert_int_equal(num(ret, "qty"), 2000);
    cJSON_Delete(doc);
    /* two more of line 1: only one is left */
    o = milk_return("T1:r2", "T1:r-sold", 2000, 1, 238, "");
    expect_order(f, o, "rejected", "already returned");
    free(o);
    /* the last one, at another till, faulty: not restocked */
    char t2[80];
    token_for(f, "T2", t2, sizeof t2);
    char *o2 = milk_return("T2:r3", "T1:r-sold", 1000, 1, 119, ",\"restock\":false");
    memcpy(strstr(o2, "\"terminal_id\":\"T1\"") + 15, "T2", 2);
    assert_int_equal(post_orders_status(f, o2, t2, &doc), 200);
    assert_string_equal(str(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0), "status"),
                        "accepted");
    cJSON_Delete(doc);
    free(o2);
    assert_int_equal(on_hand(f, "SKU10001"), -2000);
    doc = get_json(f, "/v1/orders/T1:r-sold");
    assert_int_equal(num(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "returned"), 0), "qty"), 3000);
    cJSON_Delete(doc);
    /* line 2 refunds what was paid: 1,00, the discount given back with the sign of qty */
    o = milk_return("T1:r4", "T1:r-sold", 1000, 2, 100, "");
    expect_order(f, o, "accepted", NULL);
    free(o);
    o = milk_return("T1:r5", "T1:r-sold", 1000, 3, 119, "");
    expect_order(f, o, "rejected", "not a sold");
    free(o);
    /* without a receipt: only when the order says so */
    o = order_with("T1:r6", "{\"sku\":\"SKU10001\",\"qty\":-1000,\"unit_price\":119,\"line_total\":-119}",
                   -119, -119, ",\"return_of\":\"T1:r-sold\"");
    expect_order(f, o, "rejected", "return_line");
    free(o);
    o = order_with("T1:r7", "{\"sku\":\"SKU10001\",\"qty\":-1000,\"unit_price\":119,\"line_total\":-119}",
                   -119, -119, ",\"no_receipt_return\":true");
    expect_order(f, o, "accepted", NULL);
    free(o);
    /* a discount is never more than the line, nor negative on a sale line */
    o = order_with("T1:d1", "{\"sku\":\"SKU10001\",\"qty\":1000,\"unit_price\":119,\"discount\":120,"
                   "\"line_total\":-1}", -1, -1, "");
    expect_order(f, o, "rejected", "discount");
    free(o);
    o = order_with("T1:d2", "{\"sku\":\"SKU10001\",\"qty\":1000,\"unit_price\":119,\"discount\":-1,"
                   "\"line_total\":120}", 120, 120, "");
    expect_order(f, o, "rejected", "discount");
    free(o);
}

static void test_stock_arithmetic_stays_in_range(void **state)
{
    struct fx *f = *state;
    const int64_t max = INT64_C(1) << 50;
    post_adjustment(f, "T1:c1", "count", max, 100, "accepted");
    assert_int_equal(on_hand(f, "SKU10001"), max);
    /* today this wrapped (and aborted under UBSan); now the level would leave +/-2^50 */
    post_adjustment(f, "T1:r1", "received", max, 200, "rejected");
    post_adjustment(f, "T1:r2", "received", 1000, 200, "rejected");
    post_adjustment(f, "T1:c2", "count", max + 1, 300, "rejected");
    post_adjustment(f, "T1:c3", "count", -1, 300, "rejected");
    post_adjustment(f, "T1:d1", "damaged", -max, 400, "accepted");
    assert_int_equal(on_hand(f, "SKU10001"), 0);
    post_adjustment(f, "T1:d2", "damaged", -max, 500, "accepted");
    assert_int_equal(on_hand(f, "SKU10001"), -max);
    /* a sale that would take it below -2^50 is refused (out_of_range), nothing stored */
    char *o = order_json("T1:over", 1000, 600, 0);
    cJSON *doc;
    assert_int_equal(post_orders_status(f, o, f->token, &doc), 200);
    const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0);
    assert_string_equal(str(r, "status"), "rejected");
    assert_string_equal(str(r, "code"), "out_of_range");
    assert_non_null(strstr(str(r, "reason"), "SKU10001"));
    cJSON_Delete(doc);
    free(o);
    assert_int_equal(db_count(f, "SELECT count(*) FROM orders"), 0);
    assert_int_equal(on_hand(f, "SKU10001"), -max);
    /* every level a till can page through is within what it accepts */
    assert_int_equal(db_count(f, "SELECT count(*) FROM stock_levels WHERE abs(on_hand) > 1125899906842624"), 0);
}

static void test_future_dates(void **state)
{
    struct fx *f = *state;
    int64_t now = (int64_t)time(NULL);
    /* a sale from a till whose clock runs ahead is kept (it happened), flagged, and moves
     * stock now rather than hiding behind later counts */
    char *o = order_json("T1:ahead", 1000, now + 86400, 0);
    cJSON *doc = post_orders(f, o);
    const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0);
    assert_string_equal(str(r, "status"), "accepted");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "flags"), 0)),
                        "completed_at_in_future");
    cJSON_Delete(doc);
    free(o);
    assert_int_equal(on_hand(f, "SKU10001"), -1000);
    assert_true(db_count(f, "SELECT max(occurred_at) FROM stock_movements WHERE kind = 'sale'") <= now + 300);
    /* a count or delta ahead of the server's clock by more than 300 s is refused */
    post_adjustment(f, "T1:future", "count", 5000, now + 3600, "rejected");
    post_adjustment(f, "T1:later", "received", 1000, now + 3600, "rejected");
    assert_int_equal(on_hand(f, "SKU10001"), -1000);
    post_adjustment(f, "T1:skew", "count", 5000, now + 60, "accepted"); /* within the skew */
    assert_int_equal(on_hand(f, "SKU10001"), 5000);
}

static void test_item_gone_from_catalog_accepted_and_flagged(void **state)
{
    struct fx *f = *state;
    const char *del[] = { "delete", "SKU10001", NULL };
    assert_int_equal(admin(f, NULL, 0, del), 0);
    char *o = order_json("T1:gone", 2000, 1764072060, 0);
    cJSON *doc = post_orders(f, o);
    const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0);
    assert_string_equal(str(r, "status"), "accepted");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "unknown_skus"), 0)),
                        "SKU10001");
    cJSON_Delete(doc);
    free(o);
    assert_int_equal(on_hand(f, "SKU10001"), -2000);
}

/* The server says how its database writes are made durable, read from the connection. */
static void test_durability_full(void **state)
{
    struct fx *f = *state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "grep -q '%s' %s",
             f->pg_name[0] ? "postgresql fsync=on synchronous_commit=on" : "journal_mode=wal synchronous=full", f->log);
    assert_int_equal(system(cmd), 0);
}

/* ---- Slow clients ---- */

/*
 * Slow clients: N connections from 127.0.0.FIRST.. (spread over NADDRS loopback
 * addresses), each sending an unfinished request a header line every second, reconnecting
 * when the server closes one (if reconnect). Stops by itself at its deadline.
 */
struct attack {
    int port, nconn, first_addr, naddrs, reconnect;
    double deadline;
    volatile int stop;
    volatile int open_now;  /* connections open at the last look */
    volatile long closed;   /* closed by the server */
    pthread_t thread;
};

static int attack_connect(const struct attack *a, int i)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in src = { .sin_family = AF_INET }, dst = { .sin_family = AF_INET };
    src.sin_addr.s_addr = htonl(INADDR_LOOPBACK + (uint32_t)(a->first_addr - 1 + i % a->naddrs));
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    dst.sin_port = htons((uint16_t)a->port);
    if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0 ||
        (connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0 && errno != EINPROGRESS)) {
        close(fd);
        return -1;
    }
    return fd;
}

static void *attack_run(void *arg)
{
    struct attack *a = arg;
    int *fds = malloc((size_t)a->nconn * sizeof *fds);
    struct pollfd *pf = malloc((size_t)a->nconn * sizeof *pf);
    if (!fds || !pf)
        abort();
    for (int i = 0; i < a->nconn; i++)
        fds[i] = attack_connect(a, i);
    double next_trickle = 0;
    while (!a->stop && now_s() < a->deadline) {
        int n = 0;
        for (int i = 0; i < a->nconn; i++) {
            if (fds[i] < 0 && a->reconnect)
                fds[i] = attack_connect(a, i);
            pf[i] = (struct pollfd){ fds[i], POLLIN | POLLRDHUP, 0 };
        }
        poll(pf, (nfds_t)a->nconn, 200);
        int trickle = now_s() >= next_trickle;
        for (int i = 0; i < a->nconn; i++) {
            if (fds[i] < 0)
                continue;
            char buf[256];
            if (pf[i].revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR)) {
                /* the server never answers an unfinished request: anything is a close */
                ssize_t got = recv(fds[i], buf, sizeof buf, MSG_DONTWAIT);
                (void)got;
                close(fds[i]);
                fds[i] = -1;
                a->closed++;
                continue;
            }
            if (trickle) {
                /* the request line, then one header line at a time, never the blank line */
                const char *part = next_trickle == 0 ? "GET /v1/catalog HTTP/1.1\r\nHost: x\r\n"
                                                     : "X-Slow: 1\r\n";
                if (send(fds[i], part, strlen(part), MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
                    errno != EAGAIN && errno != ENOTCONN) {
                    close(fds[i]);
                    fds[i] = -1;
                    a->closed++;
                    continue;
                }
            }
            n++;
        }
        if (trickle)
            next_trickle = now_s() + 1.0;
        a->open_now = n;
    }
    for (int i = 0; i < a->nconn; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(fds);
    free(pf);
    return NULL;
}

static void attack_start(struct attack *a, struct fx *f, int nconn, int first, int naddrs,
                         int reconnect, double seconds)
{
    *a = (struct attack){ .port = f->port, .nconn = nconn, .first_addr = first, .naddrs = naddrs,
                          .reconnect = reconnect, .deadline = now_s() + seconds };
    assert_int_equal(pthread_create(&a->thread, NULL, attack_run, a), 0);
}

static void attack_stop(struct attack *a)
{
    a->stop = 1;
    pthread_join(a->thread, NULL);
}

/* Waits (up to `seconds`) until the attack holds `n` connections and has for a second. */
static int attack_holds(struct attack *a, int n, double seconds)
{
    double end = now_s() + seconds, since = 0;
    while (now_s() < end) {
        if (a->open_now == n) {
            if (since == 0)
                since = now_s();
            else if (now_s() - since >= 1.0)
                return 1;
        } else {
            since = 0;
        }
        usleep(50000);
    }
    return 0;
}

/* Runs argv with a deadline; its exit status, or -1 when killed at the deadline. */
static int run_until(char *const *argv, const char *log, int seconds)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        FILE *o = freopen(log, "w", stdout), *e = freopen(log, "a", stderr);
        (void)o;
        (void)e;
        execv(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    for (int i = 0; i < seconds * 10; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        usleep(100000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

/* From one address, no more than the per-address limit (32) stay connected. */
static void test_per_address_limit(void **state)
{
    struct fx *f = *state;
    struct attack a;
    attack_start(&a, f, 100, 18, 1, 0, 60);
    int held = attack_holds(&a, 32, 40);
    long closed = a.closed;
    attack_stop(&a);
    assert_true(held);
    assert_int_equal(closed, 68);
    /* and the tills on other addresses are served meanwhile (checked by the next test) */
}

/*
 * 500 slow connections (from 127.0.0.2-17, under the per-address limit of 32 each, so
 * that the server really holds them all) while the real till drains its queue of sales
 * from 127.0.0.1: the drain completes with no error, every sale is stored once, and the
 * attack was still holding its connections at the end.
 */
static void test_slow_clients_do_not_stop_a_till(void **state)
{
    struct fx *f = *state;
    const char *n_env = getenv("TILL_TEST_SLOW_CLIENTS");
    int nconn = n_env ? (int)strtol(n_env, NULL, 10) : 500, sales = 300;
    char till_db[160], token_file[160], url[64], tok[200], log[160], n[16];
    snprintf(till_db, sizeof till_db, "%s/till.db", f->dir);
    snprintf(token_file, sizeof token_file, "%s/token", f->dir);
    snprintf(log, sizeof log, "%s/till.log", f->dir);
    snprintf(url, sizeof url, "sync.url=http://127.0.0.1:%d", f->port);
    snprintf(tok, sizeof tok, "sync.token_file=%s", token_file);
    snprintf(n, sizeof n, "%d", sales);
    FILE *fp = fopen(token_file, "w");
    assert_non_null(fp);
    fprintf(fp, "%s\n", f->token);
    fclose(fp);
    assert_int_equal(chmod(token_file, 0600), 0);
    char *gen[] = { "build/bench/gen_sales", till_db, n, NULL };
    assert_int_equal(run_until(gen, log, 120), 0);

    struct attack a;
    attack_start(&a, f, nconn, 2, (nconn + 31) / 32, 1, 240);
    if (!attack_holds(&a, nconn, 60)) {
        attack_stop(&a);
        fail_msg("the attack never held its %d connections (%d open)", nconn, a.open_now);
    }
    double t0 = now_s();
    char *till[] = { "build/till", "--db", till_db, "--set", "catalog.demo=no", "--set", url,
                     "--set", tok, "--sync-now", NULL };
    int rc = run_until(till, log, 180);
    double took = now_s() - t0;
    int open_at_end = a.open_now;
    long closed = a.closed;
    attack_stop(&a);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "cat %s", log);
    if (rc != 0 && system(cmd) >= 0)
        fail_msg("till --sync-now exited %d under %d slow connections", rc, nconn);
    printf("# drained %d sales in %.1f s under %d slow connections (%d open at the end, %ld closed)\n",
           sales, took, nconn, open_at_end, closed);
    assert_int_equal(db_count(f, "SELECT count(*) FROM orders"), sales);
    assert_true(open_at_end >= nconn * 9 / 10);
}

/* One audit row as a till sends it, hashed by the till's own code (src/store.c): the
 * server's re-implementation of the encoding (server/audit.c, from the spec in
 * assets/store-api.yaml) must agree with it. */
static char *audit_row(int64_t seq, int64_t at, const char *event, const char *detail, const char *prev,
                       char hash[STORE_AUDIT_HASH_HEX])
{
    store_audit_hash(at, "T1", "9", event, detail, prev, hash);
    cJSON *o = cJSON_CreateObject();
    char key[64];
    snprintf(key, sizeof key, "T1:audit:%lld", (long long)seq);
    cJSON_AddStringToObject(o, "idempotency_key", key);
    cJSON_AddStringToObject(o, "terminal_id", "T1");
    cJSON_AddNumberToObject(o, "seq", (double)seq);
    cJSON_AddNumberToObject(o, "at", (double)at);
    cJSON_AddStringToObject(o, "cashier", "9");
    cJSON_AddStringToObject(o, "event", event);
    if (detail)
        cJSON_AddStringToObject(o, "detail", detail);
    else
        cJSON_AddNullToObject(o, "detail");
    if (prev && *prev)
        cJSON_AddStringToObject(o, "prev_hash", prev);
    else
        cJSON_AddNullToObject(o, "prev_hash");
    cJSON_AddStringToObject(o, "hash", hash);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

static void post_audit(struct fx *f, const char *rows, const char *const *statuses, int n)
{
    char body[8192];
    snprintf(body, sizeof body, "{\"rows\":[%s]}", rows);
    cJSON *doc = post_json(f, "/v1/audit", body);
    const cJSON *results = cJSON_GetObjectItem(doc, "results");
    assert_int_equal(cJSON_GetArraySize(results), n);
    for (int i = 0; i < n; i++)
        assert_string_equal(str(cJSON_GetArrayItem(results, i), "status"), statuses[i]);
    cJSON_Delete(doc);
}

static int log_has(struct fx *f, const char *text)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "grep -q '%s' %s", text, f->log);
    return system(cmd) == 0;
}

/* The audit chain up through POST /v1/audit: rows stored once per terminal and seq, the
 * chain intact; then a forged batch (a row left out, a row changed after it was hashed,
 * a row sent again with other content) is accepted and each break is flagged: in
 * audit_breaks, in the log, by `till-server audit` (exit 1). */
static void test_audit_chain_checked(void **state)
{
    struct fx *f = *state;
    char h1[STORE_AUDIT_HASH_HEX], h2[STORE_AUDIT_HASH_HEX], h3[STORE_AUDIT_HASH_HEX], h4[STORE_AUDIT_HASH_HEX],
        h5[STORE_AUDIT_HASH_HEX], h3b[STORE_AUDIT_HASH_HEX];
    char *r1 = audit_row(1, 1000, "signon", "manager", NULL, h1);
    char *r2 = audit_row(2, 1001, "void", "line 2 approved by 9", h1, h2);
    char *r3 = audit_row(3, 1002, "no_sale", NULL, h2, h3);
    char rows[4096];
    snprintf(rows, sizeof rows, "%s,%s,%s", r1, r2, r3);
    const char *const three[] = { "accepted", "accepted", "accepted" };
    post_audit(f, rows, three, 3);
    assert_int_equal(db_count(f, "SELECT count(*) FROM audit_rows WHERE terminal_id = 'T1'"), 3);
    assert_int_equal(db_count(f, "SELECT count(*) FROM audit_breaks"), 0);
    char out[2048];
    const char *const audit_cmd[] = { "audit", NULL };
    assert_int_equal(admin(f, out, sizeof out, audit_cmd), 0);
    assert_non_null(strstr(out, "terminal T1: 3 rows, last 3, chain intact"));
    /* a row sent again (a retry) is a duplicate, nothing more */
    const char *const dup[] = { "duplicate" };
    post_audit(f, r2, dup, 1);
    assert_int_equal(db_count(f, "SELECT count(*) FROM audit_breaks"), 0);

    /* row 4 names row 2 as its previous one: row 3 was taken out of the till's chain */
    char *r4 = audit_row(4, 1003, "drawer_open", NULL, h2, h4);
    /* row 5 follows row 4, but its detail was changed after it was hashed */
    char *r5 = audit_row(5, 1004, "price_override", "1,99 -> 0,99", h4, h5);
    char *p = strstr(r5, "0,99");
    assert_non_null(p);
    p[0] = '9';
    /* row 3 sent again with other content */
    char *r3b = audit_row(3, 1002, "no_sale", "edited", h2, h3b);
    snprintf(rows, sizeof rows, "%s,%s,%s", r4, r5, r3b);
    const char *const forged[] = { "accepted", "accepted", "duplicate" };
    post_audit(f, rows, forged, 3);
    assert_int_equal(db_count(f, "SELECT count(*) FROM audit_rows WHERE terminal_id = 'T1'"), 5);
    assert_int_equal(db_count(f, "SELECT count(*) FROM audit_breaks WHERE seq = 4 AND reason LIKE '%does not follow row 3%'"), 1);
    assert_int_equal(db_count(f, "SELECT count(*) FROM audit_breaks WHERE seq = 5 AND reason LIKE '%hash does not match%'"), 1);
    assert_int_equal(db_count(f, "SELECT count(*) FROM audit_breaks WHERE seq = 3 AND reason LIKE '%other content%'"), 1);
    assert_int_equal(db_count(f, "SELECT count(*) FROM audit_breaks"), 3);
    /* the held row 3 is the first one, unchanged */
    assert_int_equal(db_count(f, "SELECT count(*) FROM audit_rows WHERE seq = 3 AND detail IS NULL"), 1);
    assert_true(log_has(f, "AUDIT CHAIN BREAK: terminal T1 row 4"));
    assert_int_equal(admin(f, out, sizeof out, audit_cmd), 1);
    assert_non_null(strstr(out, "terminal T1: 5 rows, last 5, CHAIN BROKEN"));
    assert_non_null(strstr(out, "BREAK terminal T1 row 4: it does not follow row 3"));
    /* not a row at all: rejected, the rest of the batch stands */
    const char *const bad[] = { "rejected" };
    post_audit(f, "{\"idempotency_key\":\"T1:audit:9\",\"terminal_id\":\"T1\",\"seq\":9}", bad, 1);
    char *all[] = { r1, r2, r3, r4, r5, r3b };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        T(test_health),
        T(test_audit_chain_checked),
        T(test_auth_required),
        T(test_routing_errors),
        T(test_catalog_full_paging),
        T(test_catalog_delta_with_tombstone),
        T(test_promotions_and_customers_feeds),
        T(test_order_accepted_then_duplicate),
        T(test_order_rejected_and_batch_independent),
        T(test_order_price_mismatch_and_unknown_sku),
        T(test_stock_count_and_late_sales),
        T(test_count_as_of_two_terminals),
        T(test_stock_level_live),
        T(test_stock_negative_allowed),
        T(test_faults_retry_after),
        T(test_close_after_commit),
        T(test_reset_and_broken_bodies),
        T(test_stall_blocks_nobody_else),
        T(test_malformed_request_body),
        T(test_body_too_large),
        T(test_admin_json_import_rename_stock),
        T(test_faults_percent_file_change_and_env),
        T(test_token_bound_to_its_terminal),
        T(test_same_key_other_payload_is_a_conflict),
        T(test_orders_validated_against_till_bounds),
        T(test_returns_against_orders),
        T(test_stock_arithmetic_stays_in_range),
        T(test_future_dates),
        T(test_item_gone_from_catalog_accepted_and_flagged),
        T(test_durability_full),
        T(test_per_address_limit),
        T(test_slow_clients_do_not_stop_a_till),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
