/* The fiskaly SIGN DE driver (drivers/tse_fiskaly.c) against a local server that answers
 * the documented v2 endpoints and error shapes (POST /auth, PUT and GET
 * /tss/{tss}/tx/{tx}?tx_revision=N, errors {status_code, error, code, message}), through
 * the app's HTTP (app/tse_http.c: curl multi on the real loop).  Faults: an expired token,
 * 5xx, an answer lost after fiskaly committed, a server that stays down.  Whatever happens,
 * no transaction is lost or signed twice, and no call waits for the network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/fiscal.h"
#include "app/tse_http.h"
#include "core/cart.h"
#include "core/fiscal.h"
#include "drivers/tse.h"
#include "src/config.h"
#include "src/fiscal_records.h"
#include "src/loop.h"
#include "src/store.h"

/* ------------------------------------------------------------ the fake fiskaly --- */

#define FAKE_TX 64
struct fake_tx {
    char id[48];
    int revision;
    int number;
    int start_counter, finish_counter;
    long time_start, time_end;
    int finishes;                   /* how often revision 2 was applied: must stay <= 1 */
};

struct fake {
    pthread_mutex_t mu;
    struct MHD_Daemon *d;
    int port;
    int auths;
    int token_no;
    char token[64];
    int expire_token;               /* the next authorised request finds the token expired */
    int fail_5xx;                   /* the next N transaction requests answer 503, unapplied */
    int lose_after_commit;          /* the next N transaction requests apply, then answer 500 */
    int counter, numbers;
    struct fake_tx tx[FAKE_TX];
    int ntx;
};

struct body {
    char buf[4096];
    size_t len;
};

static enum MHD_Result reply(struct MHD_Connection *c, int status, const char *json)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result error(struct MHD_Connection *c, int status, const char *err, const char *code, const char *msg)
{
    char j[300];
    snprintf(j, sizeof j, "{\"status_code\":%d,\"error\":\"%s\",\"code\":\"%s\",\"message\":\"%s\"}", status, err, code, msg);
    return reply(c, status, j);
}

static void tx_json(const struct fake_tx *t, char *out, size_t len)
{
    snprintf(out, len,
             "{\"_id\":\"%s\",\"state\":\"%s\",\"number\":%d,\"time_start\":%ld,%s%ld,\"client_serial_number\":\"KASSE-01\","
             "\"tss_serial_number\":\"abcdef0123\",\"latest_revision\":%d,\"log\":{\"operation\":\"%s\",\"timestamp\":%ld,"
             "\"timestamp_format\":\"unixTime\"},\"signature\":{\"value\":\"c2lnLSVk%d\",\"algorithm\":\"ecdsa-plain-SHA384\","
             "\"counter\":%d,\"public_key\":\"BPUB\"}}",
             t->id, t->revision >= 2 ? "FINISHED" : "ACTIVE", t->number, t->time_start,
             t->revision >= 2 ? "\"time_end\":" : "\"time_start_again\":", t->revision >= 2 ? t->time_end : t->time_start,
             t->revision, t->revision >= 2 ? "FinishTransaction" : "StartTransaction",
             t->revision >= 2 ? t->time_end : t->time_start, t->number,
             t->revision >= 2 ? t->finish_counter : t->start_counter);
}

static struct fake_tx *find_tx(struct fake *f, const char *id)
{
    for (int i = 0; i < f->ntx; i++)
        if (strcmp(f->tx[i].id, id) == 0)
            return &f->tx[i];
    return NULL;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    struct fake *f = cls;
    if (!*con_cls) {
        *con_cls = calloc(1, sizeof(struct body));
        return MHD_YES;
    }
    struct body *b = *con_cls;
    if (*upload_size) {
        size_t n = *upload_size < sizeof b->buf - 1 - b->len ? *upload_size : sizeof b->buf - 1 - b->len;
        memcpy(b->buf + b->len, upload, n);
        b->len += n;
        *upload_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&f->mu);
    enum MHD_Result rc;
    char json[1024];
    if (strcmp(url, "/api/v2/auth") == 0 && strcmp(method, "POST") == 0) {
        int ok = strstr(b->buf, "\"api_key\":\"key-1\"") && strstr(b->buf, "\"api_secret\":\"secret-1\"");
        int refresh = strstr(b->buf, "\"refresh_token\":\"ref-") != NULL;
        if (!ok && !refresh) {
            rc = error(c, 401, "Unauthorized", "E_UNAUTHORIZED", "invalid credentials");
        } else {
            f->auths++;
            f->token_no++;
            snprintf(f->token, sizeof f->token, "tok-%d", f->token_no);
            snprintf(json, sizeof json, "{\"access_token\":\"%s\",\"access_token_expires_in\":3600,"
                                        "\"refresh_token\":\"ref-%d\",\"refresh_token_expires_in\":86400}",
                     f->token, f->token_no);
            rc = reply(c, 200, json);
        }
        goto out;
    }
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    char want[80];
    snprintf(want, sizeof want, "Bearer %s", f->token);
    if (!auth || strcmp(auth, want) != 0 || f->expire_token) {
        f->expire_token = 0;
        f->token[0] = 0;   /* that token is gone */
        rc = error(c, 401, "Unauthorized", "E_UNAUTHORIZED", "token expired");
        goto out;
    }
    char id[48];
    if (sscanf(url, "/api/v2/tss/TSS-1/tx/%47[^/?]", id) != 1) {
        rc = error(c, 404, "Not Found", "E_NOT_FOUND", "no such route");
        goto out;
    }
    struct fake_tx *t = find_tx(f, id);
    if (strcmp(method, "GET") == 0) {
        if (!t) {
            rc = error(c, 404, "Not Found", "E_TX_NOT_FOUND", "no such transaction");
        } else {
            tx_json(t, json, sizeof json);
            rc = reply(c, 200, json);
        }
        goto out;
    }
    if (f->fail_5xx > 0) {
        f->fail_5xx--;
        rc = error(c, 503, "Service Unavailable", "E_UNAVAILABLE", "try again");
        goto out;
    }
    const char *rev_s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "tx_revision");
    int rev = rev_s ? atoi(rev_s) : 0;
    if (!strstr(b->buf, "\"client_id\":\"CLIENT-1\"") || rev < 1 || rev > 2) {
        rc = error(c, 400, "Bad Request", "E_VALIDATION", "bad transaction");
        goto out;
    }
    if ((t && rev <= t->revision) || (!t && rev != 1)) {
        rc = error(c, 409, "Conflict", "E_TX_REVISION_CONFLICT", "revision exists");
        goto out;
    }
    if (!t) {
        t = &f->tx[f->ntx++];
        memset(t, 0, sizeof *t);
        snprintf(t->id, sizeof t->id, "%s", id);
        t->number = ++f->numbers;
        t->start_counter = ++f->counter;
        t->time_start = 1765000000 + t->number;
    } else {
        if (!strstr(b->buf, "\"state\":\"FINISHED\"") || !strstr(b->buf, "\"process_type\":\"Kassenbeleg-V1\"")) {
            rc = error(c, 400, "Bad Request", "E_VALIDATION", "finish needs the raw schema");
            goto out;
        }
        t->finish_counter = ++f->counter;
        t->time_end = t->time_start + 5;
        t->finishes++;
    }
    t->revision = rev;
    if (f->lose_after_commit > 0) {
        f->lose_after_commit--;
        rc = error(c, 500, "Internal Server Error", "E_INTERNAL", "lost");
        goto out;
    }
    tx_json(t, json, sizeof json);
    rc = reply(c, 200, json);
out:
    pthread_mutex_unlock(&f->mu);
    return rc;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
    free(*con_cls);
    *con_cls = NULL;
}

/* ------------------------------------------------------------------ fixture --- */

struct fx {
    struct fake fake;
    char dir[64], cred[128];
    struct config *cfg;
    struct loop *loop;
    struct tse_http_adapter *http;
    struct tse *tse;
    int answers;
    struct tse_result last;
};

static void on_result(void *ctx, const struct tse_result *r)
{
    struct fx *f = ctx;
    f->last = *r;
    f->answers++;
}

static void wait_answers(struct fx *f, int n)
{
    for (int i = 0; i < 3000 && f->answers < n; i++)
        loop_run_once(f->loop, 10);
    assert_int_equal(f->answers, n);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    pthread_mutex_init(&f->fake.mu, NULL);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    f->fake.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handle, &f->fake,
                                 MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                                 MHD_OPTION_END);
    assert_non_null(f->fake.d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(f->fake.d, MHD_DAEMON_INFO_BIND_PORT);
    f->fake.port = info->port;
    snprintf(f->dir, sizeof f->dir, "/tmp/till-fiskaly-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->cred, sizeof f->cred, "%s/fiskaly.key", f->dir);
    FILE *c = fopen(f->cred, "w");
    fputs("api_key = key-1\napi_secret = secret-1\n", c);
    fclose(c);
    chmod(f->cred, 0600);
    char url[80], port[16];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v2", f->fake.port);
    snprintf(port, sizeof port, "%d", f->fake.port);
    f->cfg = config_new();
    config_set(f->cfg, "fiscal.fiskaly_url", url);
    config_set(f->cfg, "fiscal.fiskaly_tss_id", "TSS-1");
    config_set(f->cfg, "fiscal.fiskaly_client_id", "CLIENT-1");
    config_set(f->cfg, "fiscal.fiskaly_credentials", f->cred);
    config_set(f->cfg, "fiscal.fiskaly_retry_ms", "20");
    config_set(f->cfg, "fiscal.fiskaly_attempts", "4");
    f->loop = loop_new();
    f->http = tse_http_adapter_new(f->loop, 5000);
    char err[256];
    int rc = tse_open("fiskaly", f->loop, f->cfg, "fiscal", "KASSE-01", &f->tse, err, sizeof err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(tse_use_http(f->tse, tse_http_adapter_iface(f->http)), 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    tse_close(f->tse);
    tse_http_adapter_free(f->http);
    loop_free(f->loop);
    config_free(f->cfg);
    MHD_stop_daemon(f->fake.d);
    pthread_mutex_destroy(&f->fake.mu);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* start, then finish; the finish's answer in f->last */
static void sale(struct fx *f, const char *id)
{
    int base = f->answers;
    assert_int_equal(tse_start(f->tse, id, FISCAL_PROCESS_RECEIPT, "", on_result, f), 0);
    assert_int_equal(f->answers, base);      /* the call did not wait for the network */
    wait_answers(f, base + 1);
    assert_int_equal(f->last.rc, TSE_OK);
    assert_int_equal(tse_finish(f->tse, id, f->last.tx_number, FISCAL_PROCESS_RECEIPT,
                                "Beleg^1.00_0.00_0.00_0.00_0.00^1.00:Bar", on_result, f), 0);
    assert_int_equal(f->answers, base + 1);
    wait_answers(f, base + 2);
}

static int finishes(struct fx *f, const char *id)
{
    pthread_mutex_lock(&f->fake.mu);
    struct fake_tx *t = find_tx(&f->fake, id);
    int n = t ? t->finishes : -1;
    pthread_mutex_unlock(&f->fake.mu);
    return n;
}

static void test_a_sale_is_signed(void **state)
{
    struct fx *f = *state;
    sale(f, "tx-1");
    assert_int_equal(f->last.rc, TSE_OK);
    assert_true(f->last.tx_number == 1);
    assert_true(f->last.sig_counter == 2);
    assert_true(f->last.start_ms == 1765000001000LL && f->last.log_ms == 1765000006000LL);
    assert_string_equal(f->last.sig_alg, "ecdsa-plain-SHA384");
    assert_string_equal(f->last.time_format, "unixTime");
    assert_string_equal(f->last.serial, "abcdef0123");
    assert_int_equal(finishes(f, "tx-1"), 1);
    assert_int_equal(f->fake.auths, 1);
    sale(f, "tx-2");
    assert_int_equal(f->fake.auths, 1);       /* the token is kept */
    struct tse_status st;
    tse_get_status(f->tse, &st);
    assert_true(st.ok);
}

static void test_an_expired_token_is_renewed(void **state)
{
    struct fx *f = *state;
    sale(f, "tx-1");
    f->fake.expire_token = 1;
    sale(f, "tx-2");
    assert_int_equal(f->last.rc, TSE_OK);
    assert_int_equal(f->fake.auths, 2);
    assert_int_equal(finishes(f, "tx-2"), 1);
}

static void test_5xx_is_asked_again(void **state)
{
    struct fx *f = *state;
    sale(f, "tx-1");
    f->fake.fail_5xx = 2;
    sale(f, "tx-2");
    assert_int_equal(f->last.rc, TSE_OK);
    assert_int_equal(finishes(f, "tx-2"), 1);
}

/* fiskaly committed the finish but its answer was lost: asked again, the revision exists
 * (409), the driver reads the transaction and answers with what fiskaly signed, once. */
static void test_an_answer_lost_after_the_commit_signs_nothing_twice(void **state)
{
    struct fx *f = *state;
    assert_int_equal(tse_start(f->tse, "tx-1", FISCAL_PROCESS_RECEIPT, "", on_result, f), 0);
    wait_answers(f, 1);
    uint64_t number = f->last.tx_number;
    f->fake.lose_after_commit = 1;
    assert_int_equal(tse_finish(f->tse, "tx-1", number, FISCAL_PROCESS_RECEIPT,
                                "Beleg^1.00_0.00_0.00_0.00_0.00^1.00:Bar", on_result, f), 0);
    wait_answers(f, 2);
    assert_int_equal(f->last.rc, TSE_OK);
    assert_true(f->last.tx_number == number);
    assert_true(f->last.sig_counter == 2);
    assert_int_equal(finishes(f, "tx-1"), 1);
    /* the start's answer lost too: the same transaction, not a second one */
    f->fake.lose_after_commit = 1;
    assert_int_equal(tse_start(f->tse, "tx-2", FISCAL_PROCESS_RECEIPT, "", on_result, f), 0);
    wait_answers(f, 3);
    assert_int_equal(f->last.rc, TSE_OK);
    assert_int_equal(f->fake.ntx, 2);
}

/* A server that stays down: the operation fails after its attempts (the app records the
 * outage and the sale goes on); the next one, once it is back, is signed. */
static void test_down_fails_then_recovers(void **state)
{
    struct fx *f = *state;
    sale(f, "tx-1");
    f->fake.fail_5xx = 100;
    assert_int_equal(tse_start(f->tse, "tx-2", FISCAL_PROCESS_RECEIPT, "", on_result, f), 0);
    wait_answers(f, 3);
    assert_int_equal(f->last.rc, TSE_EFAIL);
    struct tse_status st;
    tse_get_status(f->tse, &st);
    assert_false(st.ok);
    f->fake.fail_5xx = 0;
    sale(f, "tx-3");
    assert_int_equal(f->last.rc, TSE_OK);
    assert_int_equal(finishes(f, "tx-3"), 1);
    assert_int_equal(finishes(f, "tx-2"), -1);
}

static void test_operations_queue(void **state)
{
    struct fx *f = *state;
    /* three starts at once: each answered, in order, none waiting for another's network */
    assert_int_equal(tse_start(f->tse, "q-1", FISCAL_PROCESS_RECEIPT, "", on_result, f), 0);
    assert_int_equal(tse_start(f->tse, "q-2", FISCAL_PROCESS_RECEIPT, "", on_result, f), 0);
    assert_int_equal(tse_start(f->tse, "q-3", FISCAL_PROCESS_RECEIPT, "", on_result, f), 0);
    assert_int_equal(f->answers, 0);
    wait_answers(f, 3);
    assert_string_equal(f->last.tx_id, "q-3");
    assert_true(f->last.tx_number == 3);
}

static void test_refused_credentials(void **state)
{
    struct fx *f = *state;
    FILE *c = fopen(f->cred, "w");
    fputs("api_key = key-1\napi_secret = wrong\n", c);
    fclose(c);
    struct tse *t;
    char err[256];
    assert_int_equal(tse_open("fiskaly", f->loop, f->cfg, "fiscal", "KASSE-01", &t, err, sizeof err), 0);
    tse_use_http(t, tse_http_adapter_iface(f->http));
    assert_int_equal(tse_start(t, "r-1", FISCAL_PROCESS_RECEIPT, "", on_result, f), 0);
    wait_answers(f, 1);
    assert_int_equal(f->last.rc, TSE_EREFUSED);
    assert_non_null(strstr(f->last.error, "invalid credentials"));
    tse_close(t);
    /* a credentials file others may read is refused at open */
    chmod(f->cred, 0644);
    assert_int_equal(tse_open("fiskaly", f->loop, f->cfg, "fiscal", "KASSE-01", &t, err, sizeof err), -1);
    assert_non_null(strstr(err, "owner only"));
}

/* The fiscal controller (app/fiscal.c) with fiskaly: the start goes out after the first
 * item, the finish at payment returns at once (pending), the paid sale is tried again from
 * the loop as the app does, and completes signed once fiskaly has answered: keys never
 * wait, one transaction, one finish. */
static void test_the_fiscal_controller_never_waits(void **state)
{
    struct fx *f = *state;
    char db[128], err[256];
    snprintf(db, sizeof db, "%s/till.db", f->dir);
    struct store *st;
    assert_int_equal(store_open(db, &st, err, sizeof err), 0);
    config_set(f->cfg, "fiscal.country", "DE");
    config_set(f->cfg, "fiscal.tse", "fiskaly");
    config_set(f->cfg, "fiscal.till_serial", "KASSE-01");
    struct fiscal fc;
    struct fiscal_setup s = { f->loop, st, f->cfg, "T1" };
    assert_int_equal(fiscal_open(&fc, &s, NULL, err, sizeof err), 0);
    assert_non_null(fc.http);
    struct tax_config tax = { TAX_INCLUSIVE, TAX_ROUND_PER_TOTAL };
    struct cart cart;
    cart_init(&cart, &tax);
    struct product p;
    memset(&p, 0, sizeof p);
    snprintf(p.sku, sizeof p.sku, "SKU1");
    snprintf(p.name, sizeof p.name, "Milk");
    p.price = 100;
    p.tax_rate_ppm = 70000;
    p.active = 1;
    cart_add_item(&cart, &p, "4010433218190", 1000);
    struct sale sale;
    memset(&sale, 0, sizeof sale);
    snprintf(sale.uuid, sizeof sale.uuid, "sale-1");
    sale.cart = &cart;
    sale.npayments = 1;
    sale.payments[0].tender = TENDER_CASH;
    sale.payments[0].amount = 100;

    fiscal_sale_begin(&fc, "sale-1");
    /* paid before fiskaly has even answered the start: nothing waits */
    loop_run_once(f->loop, 0);
    struct fiscal_receipt r;
    fiscal_sale_finish(&fc, &sale, &r);
    assert_int_equal(r.state, FISCAL_PENDING);
    /* as the app does (app/unsaved_sale.c): the paid sale is tried again from the loop
     * until the TSE has answered */
    int tries = 1;
    for (int i = 0; i < 3000 && r.state == FISCAL_PENDING; i++) {
        loop_run_once(f->loop, 10);
        fiscal_sale_finish(&fc, &sale, &r);
        tries++;
    }
    assert_int_equal(r.state, FISCAL_SIGNED);
    assert_true(tries > 1);
    assert_non_null(strstr(r.text, "TSE-Transaktion: 1"));
    assert_int_equal(store_begin(st, STORE_TX_SALE), STORE_OK);
    sale.receipt_no = 1;
    assert_int_equal(fiscal_sale_committed(&fc, &sale), STORE_OK);
    assert_int_equal(store_commit(st), STORE_OK);
    struct fiscal_record rec;
    memset(&rec, 0, sizeof rec);
    assert_int_equal(fiscal_rec_get(st, "sale-1", &rec), STORE_OK);
    assert_string_equal(rec.state, "finished");
    assert_true(rec.receipt_no == 1 && rec.tx_number == 1 && rec.sig_counter == 2);
    assert_string_equal(rec.process_data, "Beleg^0.00_1.00_0.00_0.00_0.00^1.00:Bar");
    assert_int_equal(finishes(f, "sale-1"), 1);
    pthread_mutex_lock(&f->fake.mu);
    int ntx = f->fake.ntx;
    pthread_mutex_unlock(&f->fake.mu);
    assert_int_equal(ntx, 1);
    fiscal_close(&fc);
    cart_free(&cart);
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_sale_is_signed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_expired_token_is_renewed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_5xx_is_asked_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_answer_lost_after_the_commit_signs_nothing_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_down_fails_then_recovers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_operations_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_fiscal_controller_never_waits, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
