/* The sync engine against the real reference server on loopback: outage and drain, the
 * fault matrix (each with a count check on the server's own database), catalog full sync,
 * delta and resume, and the token file rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "core/barcode.h"
#include "core/cart.h"
#include "src/config.h"
#include "src/loop.h"
#include "offline/outbox.h"
#include "offline/sync.h"
#include "core/sale.h"
#include "offline/order.h"
#include "src/catalog.h"
#include "src/sales.h"
#include "src/stock.h"
#include "src/store.h"

extern const char *const demo_catalog_csv[];

#define SERVER_BIN "build/till-server"

struct fx {
    char dir[64];
    char db[128], server_db[128], token_file[128], faults[128], log[128];
    int port;
    pid_t server;
    struct store *st;
    struct loop *loop;
    struct sync *sync;
    struct sync_config sc;
    struct cart carts[64];
    int nlog_larger, nlog_lines;
};

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    assert_int_equal(system(cmd), 0);
}

static int64_t server_count(struct fx *f, const char *sql)
{
    sqlite3 *db;
    int64_t n = -1;
    assert_int_equal(sqlite3_open_v2(f->server_db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 2000);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* The till's database as any other reader sees it: through a connection of its own. */
static int64_t local_count(struct fx *f, const char *sql)
{
    sqlite3 *db;
    int64_t n = -1;
    assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 2000);
    /* the catalog is the file beside it, as the till attaches it */
    char attach[300];
    snprintf(attach, sizeof attach, "ATTACH DATABASE '%s.catalog' AS catalog", f->db);
    assert_int_equal(sqlite3_exec(db, attach, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* A port that was free a moment ago: the server is started on it later.  It is taken
 * below the kernel's ephemeral range: a client connecting to a port in that range where
 * nothing listens can, rarely, be given the same port as its source and connect to itself. */
static int free_port(void)
{
    for (int tries = 0; tries < 1000; tries++) {
        int port = 20000 + (int)((unsigned)(getpid() * 7919 + tries * 104729) % 10000u);
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
        close(fd);
        if (ok)
            return port;
    }
    fail_msg("no free port");
    return -1;
}

static void set_faults(struct fx *f, const char *spec)
{
    FILE *o = fopen(f->faults, "w");
    assert_non_null(o);
    fprintf(o, "%s\n", spec);
    fclose(o);
    /* mtime has a granularity: make each change visible */
    struct timespec ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
    static long bump;
    clock_gettime(CLOCK_REALTIME, &ts[0]);
    ts[0].tv_sec += ++bump;
    ts[1] = ts[0];
    utimensat(AT_FDCWD, f->faults, ts, 0);
}

static void start_server(struct fx *f)
{
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char port[16];
        snprintf(port, sizeof port, "%d", f->port);
        dup2(pfd[1], 1);
        close(pfd[0]);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0 && !getenv("SYNC_TEST_SERVER_LOG"))
            dup2(devnull, 2);
        execl(SERVER_BIN, SERVER_BIN, "--db", f->server_db, "serve", "--port", port, "--faults-file",
              f->faults, (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    char line[128] = "";
    FILE *in = fdopen(pfd[0], "r");
    assert_non_null(fgets(line, sizeof line, in));
    fclose(in);
    assert_non_null(strstr(line, "listening on"));
    f->server = pid;
}

static void stop_server(struct fx *f)
{
    if (f->server > 0) {
        kill(f->server, SIGTERM);
        waitpid(f->server, NULL, 0);
        f->server = 0;
    }
}

static void on_log(void *ctx, const char *line)
{
    struct fx *f = ctx;
    f->nlog_lines++;
    if (strstr(line, "larger than"))
        f->nlog_larger++;
}

static void open_sync(struct fx *f)
{
    char err[256];
    f->sync = sync_new(f->loop, f->st, &f->sc, NULL, on_log, f, err, sizeof err);
    assert_non_null(f->sync);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/till-sync-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/till.db", f->dir);
    snprintf(f->server_db, sizeof f->server_db, "%s/server.db", f->dir);
    snprintf(f->token_file, sizeof f->token_file, "%s/token", f->dir);
    snprintf(f->faults, sizeof f->faults, "%s/faults", f->dir);
    set_faults(f, "");
    run(SERVER_BIN " --db %s import assets/demo-catalog.csv > /dev/null", f->server_db);
    run("umask 077; " SERVER_BIN " --db %s token create T1 > %s", f->server_db, f->token_file);
    char err[256];
    assert_int_equal(store_open(f->db, &f->st, err, sizeof err), 0);
    struct tax_class std = { "std", "Standard", 190000 }, red = { "red", "Reduced", 70000 },
                     zero = { "zero", "Zero", 0 };
    catalog_upsert_tax_class(f->st, &std);
    catalog_upsert_tax_class(f->st, &red);
    catalog_upsert_tax_class(f->st, &zero);
    f->loop = loop_new();
    f->port = free_port();

    struct config *cfg = config_new();
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", f->port);
    config_set(cfg, "sync.url", url);
    config_set(cfg, "sync.token_file", f->token_file);
    config_set(cfg, "sync.backoff_base_ms", "50");
    config_set(cfg, "sync.backoff_max_ms", "400");
    config_set(cfg, "sync.pull_interval_ms", "300");
    config_set(cfg, "sync.batch", "7"); /* several batches per test */
    config_set(cfg, "sync.max_response_bytes", "1048576");
    config_set(cfg, "sync.timeout_ms", "5000");
    /* pages of changes here; snapshots have tests/e2e_snapshot.sh */
    config_set(cfg, "sync.snapshot", "0");
    int configured;
    assert_int_equal(sync_config_from(cfg, &f->sc, &configured, err, sizeof err), 0);
    assert_true(configured);
    config_free(cfg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    stop_server(f);
    sync_free(f->sync);
    loop_free(f->loop);
    store_close(f->st);
    for (int i = 0; i < 64; i++)
        cart_free(&f->carts[i]);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* Commits n real sales through the same path the till uses (the outbox row is the order). */
static void sell(struct fx *f, int n, const char *tag)
{
    static const struct tax_config tc = { TAX_INCLUSIVE, TAX_ROUND_PER_TOTAL };
    for (int i = 0; i < n; i++) {
        struct cart *c = &f->carts[i % 64];
        cart_free(c);
        cart_init(c, &tc);
        struct product p;
        assert_int_equal(catalog_find_by_sku(f->st, "SKU10001", &p), 0);
        assert_int_equal(cart_add_item(c, &p, "4010433218190", (i % 3 + 1) * QTY_ONE), 0);
        struct sale s;
        memset(&s, 0, sizeof s);
        char n4[16];
        snprintf(n4, sizeof n4, "%04d", i);
        snprintf(s.uuid, sizeof s.uuid, "%.8s-%.4s-4000-8000-000000000000", tag, n4);
        snprintf(s.terminal_id, sizeof s.terminal_id, "T1");
        snprintf(s.cashier, sizeof s.cashier, "test");
        money_format_init(&s.fmt, "EUR", "eu");
        s.tax = tc;
        s.cart = c;
        s.npayments = 1;
        s.payments[0] = (struct payment){ .tender = TENDER_CASH, .amount = c->totals.total,
                                          .tendered = c->totals.total };
        s.completed_at = 1795583883 + i;
        char err[256];
        assert_int_equal(sales_commit(f->st, &s, order_enqueue, NULL, err, sizeof err), 0);
        if (f->sync)
            sync_kick(f->sync);
    }
}

/* Runs the loop until the outbox is empty and a pull round completed, or ms pass. */
static int drain(struct fx *f, int64_t ms, int64_t min_rounds)
{
    int64_t end = loop_now_ms(f->loop) + ms;
    struct sync_status st;
    do {
        loop_run_once(f->loop, 50);
        sync_get_status(f->sync, &st);
        if (st.queued == 0 && st.rounds >= min_rounds)
            return 0;
    } while (loop_now_ms(f->loop) < end);
    return -1;
}

static void import_catalog(struct fx *f)
{
    char err[256];
    assert_int_equal(catalog_import_csv(f->st, demo_catalog_csv[0], err, sizeof err), 0);
}

static void test_outage_then_drain(void **state)
{
    struct fx *f = *state;
    import_catalog(f);
    open_sync(f);
    sell(f, 50, "aaaaaaaa");
    /* server down: sales stay queued, nothing is lost */
    int64_t end = loop_now_ms(f->loop) + 1000;
    while (loop_now_ms(f->loop) < end)
        loop_run_once(f->loop, 50);
    struct sync_status st;
    sync_get_status(f->sync, &st);
    struct sync_stats ss;
    sync_get_stats(f->sync, &ss);
    if (!st.last_error[0])
        print_message("no error after 1 s: %lld requests, %lld errors, %d log lines\n", (long long)ss.requests,
                      (long long)ss.errors, f->nlog_lines);
    assert_int_equal(st.online, 0);
    assert_int_equal(st.queued, 50);
    assert_true(ss.errors > 0);
    start_server(f);
    assert_int_equal(drain(f, 20000, 1), 0);
    assert_int_equal(server_count(f, "SELECT count(*) FROM orders"), 50);
    assert_int_equal(server_count(f, "SELECT count(DISTINCT idempotency_key) FROM orders"), 50);
    assert_int_equal(local_count(f, "SELECT count(*) FROM outbox WHERE state = 'sent'"), 50);
    sync_get_status(f->sync, &st);
    assert_int_equal(st.online, 1);
    assert_true(st.last_sync_at > 0);
}

/* One fault kind: 20 sales through it, then every sale is on the server exactly once. */
static void fault_case(struct fx *f, const char *spec, const char *tag)
{
    import_catalog(f);
    set_faults(f, spec);
    start_server(f);
    open_sync(f);
    sell(f, 20, tag);
    assert_int_equal(drain(f, 30000, 1), 0);
    assert_int_equal(server_count(f, "SELECT count(*) FROM orders"), 20);
    assert_int_equal(local_count(f, "SELECT count(*) FROM outbox WHERE state = 'sent'"), 20);
    assert_int_equal(local_count(f, "SELECT count(*) FROM outbox WHERE state != 'sent'"), 0);
    struct sync_stats ss;
    sync_get_stats(f->sync, &ss);
    assert_true(ss.errors >= 1); /* the fault really happened */
}

static void test_5xx_burst(void **state) { fault_case(*state, "5xx=4", "b5000000"); }
static void test_connection_reset(void **state) { fault_case(*state, "reset=3", "cccccccc"); }
static void test_malformed_json(void **state) { fault_case(*state, "malformed=3", "dddddddd"); }
static void test_truncated_body(void **state) { fault_case(*state, "truncate=3", "eeeeeeee"); }

static void test_close_after_commit(void **state)
{
    struct fx *f = *state;
    fault_case(f, "close_after_commit=3", "ffffffff");
    /* the server had committed what the client never heard about: still once each */
    assert_int_equal(server_count(f, "SELECT count(DISTINCT idempotency_key) FROM orders"), 20);
}

static void test_oversize_reply(void **state)
{
    struct fx *f = *state;
    fault_case(f, "oversize=2", "a0000000");
    assert_true(f->nlog_larger >= 1);
}

static void test_retry_after_honoured(void **state)
{
    struct fx *f = *state;
    import_catalog(f);
    set_faults(f, "429=1");
    start_server(f);
    sell(f, 3, "a4290000");
    int64_t t0 = loop_now_ms(f->loop);
    open_sync(f);
    assert_int_equal(drain(f, 20000, 1), 0);
    /* our own backoff is at most 400 ms here; the server asked for 2 s */
    assert_true(loop_now_ms(f->loop) - t0 >= 1900);
    assert_int_equal(server_count(f, "SELECT count(*) FROM orders"), 3);
}

static void test_rejected_is_parked(void **state)
{
    struct fx *f = *state;
    import_catalog(f);
    start_server(f);
    sell(f, 3, "a7000000");
    /* a sale the server cannot accept: its total does not add up */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE outbox SET payload = replace(payload, '\"total\":', '\"total\":1')"
                                      " WHERE id = 2", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    open_sync(f);
    assert_int_equal(drain(f, 20000, 1), 0);
    assert_int_equal(server_count(f, "SELECT count(*) FROM orders"), 2);
    assert_int_equal(local_count(f, "SELECT count(*) FROM outbox WHERE state = 'parked' AND id = 2"
                                    " AND length(last_error) > 0"), 1);
    struct outbox_entry e;
    char parked_key[80];
    snprintf(parked_key, sizeof parked_key, "T1:%s", "a7000000-0001-4000-8000-000000000000");
    assert_int_equal(outbox_get(f->st, parked_key, &e), 0);
    assert_int_equal(e.state, OUTBOX_PARKED);
    assert_string_equal(e.server_ref, "rejected");
    assert_true(e.last_error[0] != 0);
    struct sync_status st;
    sync_get_status(f->sync, &st);
    assert_int_equal(st.parked, 1);
    /* never retried: another round sends nothing more */
    int64_t before = server_count(f, "SELECT count(*) FROM orders");
    assert_int_equal(drain(f, 5000, st.rounds + 1), 0);
    assert_int_equal(server_count(f, "SELECT count(*) FROM orders"), before);
    /* a manager puts it back in the queue (till --outbox-retry KEY) */
    assert_int_equal(outbox_retry_parked(f->st, "no-such-key"), 1);
    char key[80];
    snprintf(key, sizeof key, "T1:%s", "a7000000-0001-4000-8000-000000000000");
    assert_int_equal(outbox_retry_parked(f->st, key), 0);
    assert_int_equal(local_count(f, "SELECT count(*) FROM outbox WHERE id = 2 AND state = 'pending'"), 1);
}

/* "online" means the last request to the store API succeeded: a server that answers 404
 * (here a wrong sync.url) is not online, however quickly it answers. */
static void test_not_found_is_offline(void **state)
{
    struct fx *f = *state;
    import_catalog(f);
    start_server(f);
    char good[256];
    snprintf(good, sizeof good, "%s", f->sc.url);
    snprintf(f->sc.url, sizeof f->sc.url, "%.200s/wrong", good);
    open_sync(f);
    sell(f, 1, "a4040000");
    struct sync_stats ss;
    int64_t end = loop_now_ms(f->loop) + 20000;
    do {
        loop_run_once(f->loop, 50);
        sync_get_stats(f->sync, &ss);
    } while (ss.requests < 3 && loop_now_ms(f->loop) < end);
    assert_true(ss.requests >= 3); /* the push and pulls were answered */
    struct sync_status st;
    sync_get_status(f->sync, &st);
    assert_int_equal(st.online, 0);
    assert_non_null(strstr(st.last_error, "HTTP 404"));
    assert_int_equal(st.queued, 1);
    /* the same server at the right URL: online */
    sync_free(f->sync);
    snprintf(f->sc.url, sizeof f->sc.url, "%s", good);
    open_sync(f);
    assert_int_equal(drain(f, 20000, 1), 0);
    sync_get_status(f->sync, &st);
    assert_int_equal(st.online, 1);
}

static void test_catalog_full_then_delta(void **state)
{
    struct fx *f = *state;
    run(SERVER_BIN " --db %s stock SKU10003 store-1 12000 > /dev/null", f->server_db);
    start_server(f);
    open_sync(f);
    assert_int_equal(drain(f, 20000, 1), 0);
    assert_int_equal(local_count(f, "SELECT count(*) FROM products"), 293);
    assert_int_equal(local_count(f, "SELECT count(*) FROM barcodes"), 293);
    struct product p;
    assert_int_equal(catalog_find_by_barcode(f->st, "4010433218190", &p), 0);
    assert_int_equal(p.price, 119);
    /* stock levels come down by their own cursor */
    int64_t level = 0;
    assert_int_equal(stock_level_get(f->st, "SKU10003", "store-1", &level), 0);
    assert_int_equal(level, 12000);
    assert_int_equal(stock_level_get(f->st, "SKU10003", "store-2", &level), STORE_NOTFOUND);

    /* an item in an open cart keeps the price it was scanned at */
    static const struct tax_config tc = { TAX_INCLUSIVE, TAX_ROUND_PER_TOTAL };
    struct cart *open_cart = &f->carts[0];
    cart_init(open_cart, &tc);
    assert_int_equal(cart_add_item(open_cart, &p, "4010433218190", QTY_ONE), 0);

    run(SERVER_BIN " --db %s price SKU10001 149 > /dev/null", f->server_db);
    run(SERVER_BIN " --db %s delete SKU10002 > /dev/null", f->server_db);
    char json[160];
    snprintf(json, sizeof json, "%s/new.json", f->dir);
    FILE *o = fopen(json, "w");
    fprintf(o, "[{\"sku\":\"SKU99001\",\"name\":\"Oat Drink 1L\",\"price\":199,\"unit\":\"each\","
               "\"tax_class\":\"std\",\"barcodes\":[\"4000000000013\"]}]");
    fclose(o);
    run(SERVER_BIN " --db %s import %s > /dev/null", f->server_db, json);
    struct sync_stats before;
    sync_get_stats(f->sync, &before);
    struct sync_status st;
    sync_get_status(f->sync, &st);
    assert_int_equal(drain(f, 20000, st.rounds + 2), 0);
    struct sync_stats after;
    sync_get_stats(f->sync, &after);
    assert_int_equal(after.catalog_changes - before.catalog_changes, 3); /* a delta, not a full sync */
    assert_int_equal(catalog_find_by_barcode(f->st, "4010433218190", &p), 0);
    assert_int_equal(p.price, 149);
    assert_int_equal(catalog_find_by_barcode(f->st, "4060013389086", &p), STORE_NOTFOUND);
    assert_int_equal(local_count(f, "SELECT active FROM products WHERE sku = 'SKU10002'"), 0);
    assert_int_equal(catalog_find_by_barcode(f->st, "4000000000013", &p), 0);
    assert_string_equal(p.name, "Oat Drink 1L");
    assert_int_equal(open_cart->lines[0].unit_price, 119);

    /* a sale of two goes up; the server's stock for it comes back down */
    sell(f, 2, "a5000000"); /* SKU10001: 1 + 2 pieces */
    run(SERVER_BIN " --db %s stock SKU10001 store-1 10000 > /dev/null", f->server_db);
    sync_get_status(f->sync, &st);
    assert_int_equal(drain(f, 20000, st.rounds + 2), 0);
    int64_t on_hand = local_count(f, "SELECT on_hand FROM stock_levels WHERE sku = 'SKU10001'");
    /* the count was taken after the sales' completed_at: they are already in it */
    assert_int_equal(on_hand, server_count(f, "SELECT on_hand FROM stock_levels WHERE sku = 'SKU10001'"));
}

/* The real till syncing a 20,000-product catalog is killed (SIGKILL) mid-sync; the next
 * sync starts from the last applied page's cursor and fetches only the rest. */
static void test_catalog_resumes_after_kill(void **state)
{
    struct fx *f = *state;
    enum { N = 20000 };
    char csv[160];
    snprintf(csv, sizeof csv, "%s/big.csv", f->dir);
    FILE *o = fopen(csv, "w");
    assert_non_null(o);
    fprintf(o, "sku,barcode,name,price,unit,tax_class,age_restricted\n");
    for (int i = 0; i < N; i++) {
        char code[14];
        snprintf(code, sizeof code, "29%010d", i);
        code[12] = (char)('0' + barcode_gs1_check_digit(code, 13));
        code[13] = 0;
        fprintf(o, "BIG%06d,%s,Bulk Item %d,%d,each,std,0\n", i, code, i, 100 + i % 900);
    }
    fclose(o);
    run(SERVER_BIN " --db %s import %s > /dev/null", f->server_db, csv);
    int64_t total = server_count(f, "SELECT count(*) FROM products");
    assert_true(total >= N);
    start_server(f);

    char url[64];
    snprintf(url, sizeof url, "sync.url=http://127.0.0.1:%d", f->port);
    char tok[200];
    snprintf(tok, sizeof tok, "sync.token_file=%s", f->token_file);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execl("build/till", "build/till", "--db", f->db, "--set", "catalog.demo=no", "--set", url, "--set", tok,
              "--set", "sync.page_size=100", "--set", "sync.snapshot=0", "--sync-now", (char *)NULL);
        _exit(127);
    }
    int64_t seen = 0;
    for (int i = 0; i < 2000 && seen == 0; i++) {
        usleep(2000);
        seen = local_count(f, "SELECT count(*) FROM products");
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    int64_t before = local_count(f, "SELECT count(*) FROM products");
    print_message("killed after %lld of %lld products\n", (long long)before, (long long)total);
    assert_true(before > 0 && before < total);
    int64_t cursor = 0;
    assert_int_equal(catalog_cursor(f->st, &cursor), 0);
    assert_true(cursor > 0);

    f->sc.page_size = 100;
    open_sync(f);
    assert_int_equal(drain(f, 30000, 1), 0);
    struct sync_stats ss;
    sync_get_stats(f->sync, &ss);
    assert_int_equal(before + ss.catalog_changes, total); /* nothing fetched twice */
    assert_int_equal(local_count(f, "SELECT count(*) FROM products"), total);
    assert_int_equal(local_count(f, "SELECT count(*) FROM barcodes"), total);
}

static void test_bad_catalog_page_changes_nothing(void **state)
{
    struct fx *f = *state;
    set_faults(f, "malformed=100%");
    start_server(f);
    open_sync(f);
    int64_t end = loop_now_ms(f->loop) + 1500;
    while (loop_now_ms(f->loop) < end)
        loop_run_once(f->loop, 50);
    struct sync_status st;
    sync_get_status(f->sync, &st);
    assert_non_null(strstr(st.last_error, "not valid"));
    assert_int_equal(local_count(f, "SELECT count(*) FROM products"), 0);
    int64_t cursor = -1;
    assert_int_equal(catalog_cursor(f->st, &cursor), 0);
    assert_int_equal(cursor, 0);
}

/* Runs SQL on a database the way an outside writer would (the server's admin, a test). */
static void db_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
    sqlite3_close(db);
}

/* A row the server hands out that the till cannot take: written straight into the
 * server's database (its own admin commands refuse such rows), with the next seq. */
static void server_bad_price(struct fx *f, const char *sku, const char *price)
{
    char sql[400];
    snprintf(sql, sizeof sql,
             "BEGIN IMMEDIATE; UPDATE meta SET value = value + 1 WHERE key = 'catalog_seq';"
             " UPDATE products SET price = %s, seq = (SELECT value FROM meta WHERE key = 'catalog_seq')"
             " WHERE sku = '%s'; COMMIT;", price, sku);
    db_exec(f->server_db, sql);
}

static void server_import_json(struct fx *f, const char *json)
{
    char path[160];
    snprintf(path, sizeof path, "%s/rows.json", f->dir);
    FILE *o = fopen(path, "w");
    assert_non_null(o);
    fputs(json, o);
    fclose(o);
    run(SERVER_BIN " --db %s import %s > /dev/null", f->server_db, path);
}

static int64_t local_price(struct fx *f, const char *sku)
{
    struct product p;
    return catalog_find_by_sku(f->st, sku, &p) == 0 ? p.price : -1;
}

static void sync_round(struct fx *f)
{
    struct sync_status st;
    sync_get_status(f->sync, &st);
    assert_int_equal(drain(f, 30000, st.rounds + 2), 0);
}

/* Issue 10: one bad record never freezes sync.  A catalog page with a barcode whose check
 * digit is wrong and a price beyond 2^50 among good rows: the good rows are applied, the
 * bad ones parked with their reason, the cursor moves past them, later price changes
 * still arrive, and a corrected version of each applies and settles the parked one. */
static void test_bad_catalog_row_is_parked(void **state)
{
    struct fx *f = *state;
    start_server(f);
    open_sync(f);
    assert_int_equal(drain(f, 20000, 1), 0);
    assert_int_equal(local_price(f, "SKU10005"), 199);

    server_import_json(f, "[{\"sku\":\"NEW-1\",\"name\":\"Oat Drink 1L\",\"price\":199,\"unit\":\"each\","
                          "\"tax_class\":\"std\",\"barcodes\":[\"4000000000013\"]},"
                          "{\"sku\":\"BAD-1\",\"name\":\"Misprinted\",\"price\":250,\"unit\":\"each\","
                          "\"tax_class\":\"std\",\"barcodes\":[\"4000000000020\",\"4000000000018\"]},"
                          "{\"sku\":\"NEW-2\",\"name\":\"Rye Bread\",\"price\":329,\"unit\":\"each\","
                          "\"tax_class\":\"std\",\"barcodes\":[\"4000000000037\"]}]");
    server_bad_price(f, "SKU10005", "2251799813685248"); /* 2^51 */
    run(SERVER_BIN " --db %s price SKU10001 149 > /dev/null", f->server_db);
    sync_round(f);

    struct product p;
    assert_int_equal(catalog_find_by_barcode(f->st, "4000000000013", &p), 0);
    assert_string_equal(p.sku, "NEW-1");
    assert_int_equal(catalog_find_by_barcode(f->st, "4000000000037", &p), 0);
    assert_int_equal(local_price(f, "SKU10001"), 149);        /* the price change after them */
    assert_int_equal(local_price(f, "BAD-1"), -1);            /* not applied, not half-applied */
    assert_int_equal(catalog_find_by_barcode(f->st, "4000000000020", &p), STORE_NOTFOUND);
    assert_int_equal(local_price(f, "SKU10005"), 199);        /* keeps its last good version */
    assert_int_equal(local_count(f, "SELECT count(*) FROM sync_rejects WHERE feed = 'catalog' AND item_key = 'BAD-1'"
                                    " AND reason LIKE '%4000000000018 has a wrong check digit%'"
                                    " AND raw LIKE '{%\"sku\":\"BAD-1\"%' AND superseded_at IS NULL"), 1);
    assert_int_equal(local_count(f, "SELECT count(*) FROM sync_rejects WHERE feed = 'catalog' AND item_key = 'SKU10005'"
                                    " AND reason LIKE 'price 2251799813685248 is out of bounds%'"
                                    " AND superseded_at IS NULL"), 1);
    int64_t cursor = 0;
    assert_int_equal(catalog_cursor(f->st, &cursor), 0);
    assert_int_equal(cursor, server_count(f, "SELECT value FROM meta WHERE key = 'catalog_seq'"));
    struct sync_status st;
    sync_get_status(f->sync, &st);
    assert_string_equal(st.last_error, "");
    assert_int_equal(st.refused_catalog, 2);
    assert_int_equal(st.refused_rows, 2);

    /* more rounds: the bad rows are neither fetched nor parked again */
    sync_round(f);
    assert_int_equal(local_count(f, "SELECT count(*) FROM sync_rejects"), 2);

    /* the store fixes both: the new versions apply and settle the parked ones */
    server_import_json(f, "[{\"sku\":\"BAD-1\",\"name\":\"Misprinted\",\"price\":250,\"unit\":\"each\","
                          "\"tax_class\":\"std\",\"barcodes\":[\"4000000000020\",\"4000000000044\"]}]");
    run(SERVER_BIN " --db %s price SKU10005 205 > /dev/null", f->server_db);
    sync_round(f);
    assert_int_equal(catalog_find_by_barcode(f->st, "4000000000044", &p), 0);
    assert_string_equal(p.sku, "BAD-1");
    assert_int_equal(local_price(f, "SKU10005"), 205);
    assert_int_equal(local_count(f, "SELECT count(*) FROM sync_rejects WHERE superseded_at IS NULL"), 0);
    assert_int_equal(local_count(f, "SELECT count(*) FROM sync_rejects WHERE superseded_at IS NOT NULL"), 2);
    sync_get_status(f->sync, &st);
    assert_int_equal(st.refused_rows, 0);
}

/* A stock page with one level beyond +-2^50: the other levels arrive, the bad one is
 * parked, and the stock cursor moves past it. */
static void test_bad_stock_row_is_parked(void **state)
{
    struct fx *f = *state;
    run(SERVER_BIN " --db %s stock SKU10003 store-1 12000 > /dev/null", f->server_db);
    db_exec(f->server_db, "BEGIN IMMEDIATE; UPDATE meta SET value = value + 1 WHERE key = 'stock_seq';"
                          " INSERT INTO stock_levels (sku, location, on_hand, seq) VALUES ('SKU10004', 'store-1',"
                          " -2251799813685248, (SELECT value FROM meta WHERE key = 'stock_seq')); COMMIT;");
    run(SERVER_BIN " --db %s stock SKU10006 store-1 7000 > /dev/null", f->server_db);
    start_server(f);
    open_sync(f);
    assert_int_equal(drain(f, 20000, 1), 0);
    int64_t level = 0;
    assert_int_equal(stock_level_get(f->st, "SKU10003", "store-1", &level), 0);
    assert_int_equal(level, 12000);
    assert_int_equal(stock_level_get(f->st, "SKU10006", "store-1", &level), 0);
    assert_int_equal(level, 7000);
    assert_int_equal(stock_level_get(f->st, "SKU10004", "store-1", &level), STORE_NOTFOUND);
    assert_int_equal(local_count(f, "SELECT count(*) FROM sync_rejects WHERE feed = 'stock' AND item_key = 'SKU10004'"
                                    " AND reason LIKE 'on_hand -2251799813685248 is out of bounds%'"), 1);
    assert_int_equal(local_count(f, "SELECT value FROM meta WHERE key = 'sync.stock_cursor.store-1'"),
                     server_count(f, "SELECT value FROM meta WHERE key = 'stock_seq'"));
    /* a count puts it right */
    run(SERVER_BIN " --db %s stock SKU10004 store-1 3000 > /dev/null", f->server_db);
    sync_round(f);
    assert_int_equal(stock_level_get(f->st, "SKU10004", "store-1", &level), 0);
    assert_int_equal(level, 3000);
    assert_int_equal(local_count(f, "SELECT count(*) FROM sync_rejects WHERE superseded_at IS NULL"), 0);
}

/* A row that passes every check but that the database refuses (here a trigger stands for
 * any constraint of the till's own): undone alone, parked with the database's reason; the
 * other rows of its slice stay applied.  For the catalog (applied set-wise, then row by
 * row to find the culprit) and for stock (a savepoint per row). */
static void test_row_the_database_refuses_is_parked(void **state)
{
    struct fx *f = *state;
    start_server(f);
    open_sync(f);
    assert_int_equal(drain(f, 20000, 1), 0);
    char path[160];
    snprintf(path, sizeof path, "%s.catalog", f->db);
    db_exec(path, "CREATE TRIGGER test_refuse BEFORE UPDATE ON products WHEN new.sku = 'SKU10007'"
                  " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
    db_exec(f->db, "CREATE TRIGGER test_refuse BEFORE INSERT ON stock_levels WHEN new.sku = 'SKU10008'"
                   " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
    run(SERVER_BIN " --db %s price SKU10006 281 > /dev/null", f->server_db);
    run(SERVER_BIN " --db %s price SKU10007 351 > /dev/null", f->server_db);
    run(SERVER_BIN " --db %s price SKU10009 91 > /dev/null", f->server_db);
    run(SERVER_BIN " --db %s stock SKU10008 store-1 5000 > /dev/null", f->server_db);
    run(SERVER_BIN " --db %s stock SKU10009 store-1 6000 > /dev/null", f->server_db);
    sync_round(f);
    assert_int_equal(local_price(f, "SKU10006"), 281);
    assert_int_equal(local_price(f, "SKU10007"), 349);
    assert_int_equal(local_price(f, "SKU10009"), 91);
    int64_t level = 0;
    assert_int_equal(stock_level_get(f->st, "SKU10009", "store-1", &level), 0);
    assert_int_equal(level, 6000);
    assert_int_equal(stock_level_get(f->st, "SKU10008", "store-1", &level), STORE_NOTFOUND);
    assert_int_equal(local_count(f, "SELECT count(*) FROM sync_rejects WHERE item_key IN ('SKU10007', 'SKU10008')"
                                    " AND reason LIKE 'could not be stored: %refused by the test%'"), 2);
}

static void *read_cursor_thread(void *arg)
{
    int64_t c = 0;
    catalog_cursor(arg, &c);
    return NULL;
}

/* Issue 27: catalog pages are written by the catalog's writer thread on a connection of
 * its own; while the sync runs, the loop's handle has the catalog read-only (a write from
 * the loop fails) and belongs to the loop's thread (any other thread using it aborts). */
static void test_loop_never_writes_catalog(void **state)
{
    struct fx *f = *state;
    start_server(f);
    open_sync(f);
    assert_true(store_catalog_is_read_only(f->st));
    assert_int_equal(drain(f, 20000, 1), 0);
    assert_int_equal(local_count(f, "SELECT count(*) FROM products"), 293);
    run(SERVER_BIN " --db %s price SKU10001 149 > /dev/null", f->server_db);
    sync_round(f);
    assert_int_equal(local_price(f, "SKU10001"), 149);

    /* the loop's handle reads the catalog but cannot write it */
    int64_t before = 0, after = 0;
    assert_int_equal(catalog_cursor(f->st, &before), 0);
    assert_true(before > 0);
    assert_int_equal(store_begin(f->st, STORE_TX_PLAIN), 0);
    assert_true(catalog_set_cursor(f->st, 1) < 0);
    store_rollback(f->st);
    char err[256];
    assert_true(catalog_import_csv(f->st, demo_catalog_csv[0], err, sizeof err) < 0);
    assert_int_equal(catalog_cursor(f->st, &after), 0);
    assert_int_equal(after, before);

    /* another thread using the loop's handle is a bug the store stops at once */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        pthread_t t;
        pthread_create(&t, NULL, read_cursor_thread, f->st);
        pthread_join(t, NULL);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);

    /* without the sync the catalog is the loop's to write again */
    sync_free(f->sync);
    f->sync = NULL;
    assert_false(store_catalog_is_read_only(f->st));
    assert_int_equal(catalog_import_csv(f->st, demo_catalog_csv[0], err, sizeof err), 0);
}

/* Refused catalog rows wait in the catalog file until the loop has parked them; a crash
 * before the writer deleted them carries them again, and each is parked once. */
static void test_refused_queue_parks_once(void **state)
{
    struct fx *f = *state;
    start_server(f);
    open_sync(f);
    assert_int_equal(drain(f, 20000, 1), 0);
    sync_free(f->sync);
    f->sync = NULL;
    char path[160];
    snprintf(path, sizeof path, "%s.catalog", f->db);
    /* as the writer leaves them: queued, carried over once already, then a crash */
    db_exec(path, "CREATE TABLE IF NOT EXISTS catalog_refused (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                  " kind INTEGER NOT NULL, seq INTEGER NOT NULL, item_key TEXT NOT NULL, reason TEXT, raw TEXT,"
                  " at INTEGER NOT NULL);"
                  " INSERT INTO catalog_refused (kind, seq, item_key, reason, raw, at)"
                  " VALUES (0, 7, 'X-1', 'price out of bounds', '{\"sku\":\"X-1\"}', 1);");
    open_sync(f);
    sync_round(f);
    assert_int_equal(local_count(f, "SELECT count(*) FROM sync_rejects WHERE item_key = 'X-1'"), 1);
    sync_free(f->sync);
    f->sync = NULL;
    db_exec(path, "INSERT INTO catalog_refused (kind, seq, item_key, reason, raw, at)"
                  " VALUES (0, 7, 'X-1', 'price out of bounds', '{\"sku\":\"X-1\"}', 1);");
    open_sync(f);
    sync_round(f);
    assert_int_equal(local_count(f, "SELECT count(*) FROM sync_rejects WHERE item_key = 'X-1'"), 1);
    struct sync_status st;
    sync_get_status(f->sync, &st);
    assert_int_equal(st.refused_catalog, 1);
    /* carried over and deleted by the writer's next page */
    assert_int_equal(local_count(f, "SELECT count(*) FROM catalog_refused"), 0);
}

static void test_token_file_must_be_private(void **state)
{
    struct fx *f = *state;
    struct config *cfg = config_new();
    config_set(cfg, "sync.url", "http://127.0.0.1:1");
    config_set(cfg, "sync.token_file", f->token_file);
    chmod(f->token_file, 0644);
    struct sync_config sc;
    int configured;
    char err[256] = "";
    assert_int_not_equal(sync_config_from(cfg, &sc, &configured, err, sizeof err), 0);
    assert_non_null(strstr(err, "chmod 600"));
    chmod(f->token_file, 0600);
    assert_int_equal(sync_config_from(cfg, &sc, &configured, err, sizeof err), 0);
    assert_true(configured);
    config_set(cfg, "sync.url", "ftp://example.com");
    assert_int_not_equal(sync_config_from(cfg, &sc, &configured, err, sizeof err), 0);
    config_free(cfg);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_outage_then_drain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_5xx_burst, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_after_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize_reply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_after_honoured, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejected_is_parked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found_is_offline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catalog_full_then_delta, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catalog_resumes_after_kill, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_catalog_page_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_catalog_row_is_parked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_stock_row_is_parked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_row_the_database_refuses_is_parked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loop_never_writes_catalog, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_queue_parks_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_file_must_be_private, setup, teardown),
    };
    if (getenv("TEST_FILTER"))
        cmocka_set_test_filter(getenv("TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
