/* The simulated TSE (drivers/tse_sim.c) and the fiscal formats it signs (core/fiscal.c):
 * counters strictly increase across restarts and kills; the signature over the TR-03151
 * log message verifies with the public key (OpenSSL), a changed byte fails it; the QR text
 * parses back; a failing TSE signs nothing and counts nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fiscal.h"
#include "drivers/tse.h"
#include "src/config.h"
#include "src/loop.h"
#include "tests/tse_verify.c"

struct fx {
    char dir[64], state[128], control[128];
    struct config *cfg;
    struct loop *loop;
    struct tse *tse;
    struct tse_result last;
    int answers;
};

static void on_result(void *ctx, const struct tse_result *r)
{
    struct fx *f = ctx;
    f->last = *r;
    f->answers++;
}

static void open_tse(struct fx *f)
{
    char err[256];
    int rc = tse_open("sim", f->loop, f->cfg, "fiscal", "TILL-0001", &f->tse, err, sizeof err);
    if (rc)
        fprintf(stderr, "tse_open: %s\n", err);
    assert_int_equal(rc, 0);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/till-tse-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->state, sizeof f->state, "%s/tse.state", f->dir);
    snprintf(f->control, sizeof f->control, "%s/control", f->dir);
    f->cfg = config_new();
    assert_int_equal(config_set(f->cfg, "fiscal.sim_state", f->state), 0);
    assert_int_equal(config_set(f->cfg, "fiscal.sim_control", f->control), 0);
    f->loop = loop_new();
    open_tse(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    tse_close(f->tse);
    loop_free(f->loop);
    config_free(f->cfg);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void set_control(struct fx *f, const char *word)
{
    FILE *c = fopen(f->control, "w");
    assert_non_null(c);
    fputs(word, c);
    fclose(c);
}

/* Start, then finish with a receipt's process data; the finish's result in f->last. */
static void sale(struct fx *f, const char *id, const char *data)
{
    f->answers = 0;
    assert_int_equal(tse_start(f->tse, id, FISCAL_PROCESS_RECEIPT, "", on_result, f), 0);
    assert_int_equal(f->answers, 1);
    assert_int_equal(f->last.rc, TSE_OK);
    uint64_t n = f->last.tx_number;
    assert_int_equal(tse_finish(f->tse, id, n, FISCAL_PROCESS_RECEIPT, data, on_result, f), 0);
    assert_int_equal(f->answers, 2);
    assert_int_equal(f->last.rc, TSE_OK);
    assert_true(f->last.tx_number == n);
}

static void qr_of(const struct tse_result *r, const char *client, const char *data, char *out, size_t len)
{
    struct fiscal_qr q;
    memset(&q, 0, sizeof q);
    snprintf(q.client_id, sizeof q.client_id, "%s", client);
    snprintf(q.process_type, sizeof q.process_type, "%s", r->process_type);
    snprintf(q.process_data, sizeof q.process_data, "%s", data);
    q.tx_number = r->tx_number;
    q.sig_counter = r->sig_counter;
    q.start_ms = r->start_ms;
    q.log_ms = r->log_ms;
    snprintf(q.sig_alg, sizeof q.sig_alg, "%s", r->sig_alg);
    snprintf(q.time_format, sizeof q.time_format, "%s", r->time_format);
    snprintf(q.signature, sizeof q.signature, "%s", r->signature);
    snprintf(q.public_key, sizeof q.public_key, "%s", r->public_key);
    assert_int_equal(fiscal_qr_format(&q, out, len), 0);
}

static void test_signature_verifies_and_a_changed_byte_fails(void **state)
{
    struct fx *f = *state;
    const char *data = "Beleg^11.90_2.14_0.00_0.00_0.00^14.04:Bar";
    sale(f, "sale-1", data);
    char qr[FISCAL_QR_MAX], why[96];
    qr_of(&f->last, "TILL-0001", data, qr, sizeof qr);
    assert_int_equal(tse_verify_qr(qr, why, sizeof why), 0);

    /* the amounts changed by one cent */
    char bad[FISCAL_QR_MAX];
    qr_of(&f->last, "TILL-0001", "Beleg^11.91_2.14_0.00_0.00_0.00^14.04:Bar", bad, sizeof bad);
    assert_int_not_equal(tse_verify_qr(bad, why, sizeof why), 0);
    /* another till's serial */
    qr_of(&f->last, "TILL-0002", data, bad, sizeof bad);
    assert_int_not_equal(tse_verify_qr(bad, why, sizeof why), 0);
    /* one byte of the signature */
    struct tse_result r = f->last;
    r.signature[10] = r.signature[10] == 'A' ? 'B' : 'A';
    qr_of(&r, "TILL-0001", data, bad, sizeof bad);
    assert_int_not_equal(tse_verify_qr(bad, why, sizeof why), 0);
    /* the counter or the time */
    r = f->last;
    r.sig_counter++;
    qr_of(&r, "TILL-0001", data, bad, sizeof bad);
    assert_int_not_equal(tse_verify_qr(bad, why, sizeof why), 0);
    r = f->last;
    r.log_ms += 1000;
    qr_of(&r, "TILL-0001", data, bad, sizeof bad);
    assert_int_not_equal(tse_verify_qr(bad, why, sizeof why), 0);

    /* every byte of the data to be signed matters */
    unsigned char pub[128], sig[128], serial[32], dtbs[2048];
    size_t publen, siglen, dlen;
    assert_int_equal(fiscal_base64_decode(f->last.public_key, pub, sizeof pub, &publen), 0);
    assert_int_equal(fiscal_base64_decode(f->last.signature, sig, sizeof sig, &siglen), 0);
    unsigned int hl;
    EVP_Digest(pub, publen, serial, &hl, EVP_sha256(), NULL);
    struct fiscal_log m = {
        .op = FISCAL_OP_FINISH, .client_id = "TILL-0001", .process_type = FISCAL_PROCESS_RECEIPT,
        .process_data = (const unsigned char *)data, .process_data_len = strlen(data),
        .tx_number = f->last.tx_number, .serial = serial, .serial_len = sizeof serial,
        .sig_counter = f->last.sig_counter, .log_time = f->last.log_ms / 1000,
    };
    assert_int_equal(fiscal_log_dtbs(&m, dtbs, sizeof dtbs, &dlen), 0);
    assert_int_equal(tse_verify_raw(pub, publen, dtbs, dlen, sig, siglen), 0);
    for (size_t i = 0; i < dlen; i++) {
        dtbs[i] ^= 0x01;
        assert_int_not_equal(tse_verify_raw(pub, publen, dtbs, dlen, sig, siglen), 0);
        dtbs[i] ^= 0x01;
    }
}

static void test_log_message_is_der(void **state)
{
    (void)state;
    unsigned char serial[32] = { 1, 2, 3 }, sig[96] = { 0 }, der[2048];
    size_t n;
    const char *data = "Beleg^1.00_0.00_0.00_0.00_0.00^1.00:Bar";
    struct fiscal_log m = {
        .op = FISCAL_OP_START, .client_id = "K1", .process_type = FISCAL_PROCESS_RECEIPT,
        .process_data = (const unsigned char *)data, .process_data_len = strlen(data),
        .tx_number = 200, .serial = serial, .serial_len = sizeof serial, .sig_counter = 128, .log_time = 1765000000,
    };
    assert_int_equal(fiscal_log_encode(&m, sig, sizeof sig, der, sizeof der, &n), 0);
    /* OpenSSL reads it as one SEQUENCE using every byte */
    const unsigned char *p = der;
    ASN1_SEQUENCE_ANY *seq = d2i_ASN1_SEQUENCE_ANY(NULL, &p, (long)n);
    assert_non_null(seq);
    assert_true(p == der + n);
    /* version, type, 5 certified data, serial, algorithm, counter, time, signature */
    assert_int_equal(sk_ASN1_TYPE_num(seq), 12);
    sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
    /* 200 and 128 need a leading zero byte: INTEGERs are signed */
    assert_non_null(memmem(der, n, "\x85\x02\x00\xc8", 4));
    assert_non_null(memmem(der, n, "\x02\x02\x00\x80", 4));
    /* a buffer too small fails, never overflows */
    assert_int_equal(fiscal_log_encode(&m, sig, sizeof sig, der, 40, &n), -1);
}

static void test_counters_increase_across_restarts(void **state)
{
    struct fx *f = *state;
    uint64_t last_sig = 0, last_tx = 0;
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 3; i++) {
            char id[32];
            snprintf(id, sizeof id, "r%d-%d", round, i);
            sale(f, id, "Beleg^1.00_0.00_0.00_0.00_0.00^1.00:Bar");
            assert_true(f->last.sig_counter > last_sig);
            assert_true(f->last.tx_number > last_tx);
            last_sig = f->last.sig_counter;
            last_tx = f->last.tx_number;
        }
        char serial[80];
        snprintf(serial, sizeof serial, "%s", f->last.serial);
        tse_close(f->tse);
        open_tse(f);
        struct tse_status st;
        tse_get_status(f->tse, &st);
        assert_string_equal(st.serial, serial);     /* the same TSE after a restart */
        assert_true(st.sig_counter == last_sig);
    }
}

/* A child signs transactions as fast as it can and reports each counter; the parent kills
 * it after some answers, restarts the TSE and checks nothing is counted twice. */
static void test_counters_increase_across_kills(void **state)
{
    struct fx *f = *state;
    tse_close(f->tse);
    f->tse = NULL;
    uint64_t highest_sig = 0, highest_tx = 0;
    for (int round = 0; round < 8; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            open_tse(f);
            for (int i = 0;; i++) {
                char id[32];
                snprintf(id, sizeof id, "k%d-%d", round, i);
                tse_start(f->tse, id, FISCAL_PROCESS_RECEIPT, "", on_result, f);
                if (f->last.rc != TSE_OK)
                    _exit(2);
                uint64_t v[2] = { f->last.sig_counter, f->last.tx_number };
                if (write(fds[1], v, sizeof v) != (ssize_t)sizeof v)
                    _exit(3);
                /* finishes report the same transaction number with a higher counter */
                tse_finish(f->tse, id, v[1], FISCAL_PROCESS_RECEIPT, "", on_result, f);
                if (f->last.rc != TSE_OK)
                    _exit(2);
                v[0] = f->last.sig_counter;
                if (write(fds[1], v, sizeof v) != (ssize_t)sizeof v)
                    _exit(3);
            }
        }
        close(fds[1]);
        uint64_t v[2];
        int seen = 0;
        /* wait for answers (state, not time), then kill mid-flight */
        while (seen < 3 + round && read(fds[0], v, sizeof v) == (ssize_t)sizeof v) {
            assert_true(v[0] > highest_sig);
            assert_true(v[1] >= highest_tx);
            highest_sig = v[0];
            highest_tx = v[1];
            seen++;
        }
        kill(pid, SIGKILL);
        /* answers already in the pipe still count */
        while (read(fds[0], v, sizeof v) == (ssize_t)sizeof v) {
            assert_true(v[0] > highest_sig);
            highest_sig = v[0];
            highest_tx = v[1];
        }
        close(fds[0]);
        int status;
        waitpid(pid, &status, 0);
        assert_true(WIFSIGNALED(status));
    }
    open_tse(f);
    sale(f, "after-kills", "Beleg^1.00_0.00_0.00_0.00_0.00^1.00:Bar");
    assert_true(f->last.sig_counter > highest_sig);
    assert_true(f->last.tx_number > highest_tx);
    char qr[FISCAL_QR_MAX], why[96];
    qr_of(&f->last, "TILL-0001", "Beleg^1.00_0.00_0.00_0.00_0.00^1.00:Bar", qr, sizeof qr);
    assert_int_equal(tse_verify_qr(qr, why, sizeof why), 0);
}

static void test_failing_tse_signs_nothing(void **state)
{
    struct fx *f = *state;
    sale(f, "before", "Beleg^1.00_0.00_0.00_0.00_0.00^1.00:Bar");
    uint64_t sig = f->last.sig_counter;
    const char *words[] = { "fail", "full", "refuse" };
    const int rcs[] = { TSE_EFAIL, TSE_EFULL, TSE_EREFUSED };
    for (int i = 0; i < 3; i++) {
        set_control(f, words[i]);
        f->answers = 0;
        assert_int_equal(tse_start(f->tse, "x", FISCAL_PROCESS_RECEIPT, "", on_result, f), 0);
        assert_int_equal(f->answers, 1);
        assert_int_equal(f->last.rc, rcs[i]);
        struct tse_status st;
        tse_get_status(f->tse, &st);
        assert_false(st.ok);
    }
    set_control(f, "ok");
    sale(f, "after", "Beleg^1.00_0.00_0.00_0.00_0.00^1.00:Bar");
    assert_true(f->last.sig_counter == sig + 2);
    struct tse_status st;
    tse_get_status(f->tse, &st);
    assert_true(st.ok);
}

/* A finish asked again (its answer lost on the way) gets the same answer and signs
 * nothing new; a transaction the TSE never had is refused; a finish by the caller's id
 * alone (number 0) finds the open transaction. */
static void test_finish_twice_gets_the_same_answer(void **state)
{
    struct fx *f = *state;
    sale(f, "once", "Beleg^1.00_0.00_0.00_0.00_0.00^1.00:Bar");
    struct tse_result first = f->last;
    assert_int_equal(tse_finish(f->tse, "once", first.tx_number, FISCAL_PROCESS_RECEIPT, "", on_result, f), 0);
    assert_int_equal(f->last.rc, TSE_OK);
    assert_true(f->last.sig_counter == first.sig_counter && f->last.tx_number == first.tx_number);
    assert_string_equal(f->last.signature, first.signature);
    /* after a restart too: the answer is in the TSE's state */
    tse_close(f->tse);
    open_tse(f);
    assert_int_equal(tse_finish(f->tse, "once", 0, FISCAL_PROCESS_RECEIPT, "", on_result, f), 0);
    assert_int_equal(f->last.rc, TSE_OK);
    assert_string_equal(f->last.signature, first.signature);
    assert_int_equal(tse_finish(f->tse, "never", 0, FISCAL_PROCESS_RECEIPT, "", on_result, f), 0);
    assert_int_equal(f->last.rc, TSE_ENOTOPEN);

    assert_int_equal(tse_start(f->tse, "by-id", FISCAL_PROCESS_RECEIPT, "", on_result, f), 0);
    uint64_t n = f->last.tx_number;
    assert_int_equal(tse_finish(f->tse, "by-id", 0, FISCAL_PROCESS_RECEIPT, "x", on_result, f), 0);
    assert_int_equal(f->last.rc, TSE_OK);
    assert_true(f->last.tx_number == n);
    assert_true(f->last.sig_counter == first.sig_counter + 2);
}

/* slow:MS answers from the loop, not in the call. */
static void test_slow_answers_from_the_loop(void **state)
{
    struct fx *f = *state;
    set_control(f, "slow:30");
    f->answers = 0;
    assert_int_equal(tse_start(f->tse, "slow", FISCAL_PROCESS_RECEIPT, "", on_result, f), 0);
    assert_int_equal(f->answers, 0);
    assert_int_equal(tse_start(f->tse, "slow2", FISCAL_PROCESS_RECEIPT, "", on_result, f), TSE_EBUSY);
    for (int i = 0; i < 500 && f->answers == 0; i++)
        loop_run_once(f->loop, 100);
    assert_int_equal(f->answers, 1);
    assert_int_equal(f->last.rc, TSE_OK);
}

static void test_process_data_and_qr_text(void **state)
{
    (void)state;
    struct fiscal_amounts a = { .vat = { 7533, 799, 0, 0, 0 }, .cash = 1000, .noncash = 7332 };
    char pd[256];
    assert_int_equal(fiscal_process_data("Beleg", &a, pd, sizeof pd), 0);
    assert_string_equal(pd, "Beleg^75.33_7.99_0.00_0.00_0.00^10.00:Bar_73.32:Unbar");
    struct fiscal_amounts r = { .vat = { -1190, 0, 0, 0, 0 }, .cash = -1190 };
    assert_int_equal(fiscal_process_data("Beleg", &r, pd, sizeof pd), 0);
    assert_string_equal(pd, "Beleg^-11.90_0.00_0.00_0.00_0.00^-11.90:Bar");
    struct fiscal_amounts z = { { 0 }, 0, 0 };
    assert_int_equal(fiscal_process_data("AVBelegabbruch", &z, pd, sizeof pd), 0);
    assert_string_equal(pd, "AVBelegabbruch^0.00_0.00_0.00_0.00_0.00^");
    assert_int_equal(fiscal_process_data("Beleg", &a, pd, 20), -1);
    assert_int_equal(fiscal_vat_slot(190000), 0);
    assert_int_equal(fiscal_vat_slot(70000), 1);
    assert_int_equal(fiscal_vat_slot(0), 4);
    assert_int_equal(fiscal_vat_slot(160000), -1);

    char t[32];
    assert_int_equal(fiscal_time_iso(1765102500123LL, t, sizeof t), 0);
    assert_string_equal(t, "2025-12-07T10:15:00.123Z");
    int64_t ms;
    assert_int_equal(fiscal_time_parse(t, &ms), 0);
    assert_true(ms == 1765102500123LL);
    assert_int_equal(fiscal_time_parse("2025-12-07 10:15:00.123Z", &ms), -1);

    struct fiscal_qr q = { .client_id = "K1", .process_type = "Kassenbeleg-V1",
                           .process_data = "Beleg^1.00_0.00_0.00_0.00_0.00^1.00:Bar", .tx_number = 7,
                           .sig_counter = 15, .start_ms = 1765102500000LL, .log_ms = 1765102501000LL,
                           .sig_alg = "ecdsa-plain-SHA384", .time_format = "unixTime",
                           .signature = "AAAA", .public_key = "BBBB" };
    char text[FISCAL_QR_MAX];
    assert_int_equal(fiscal_qr_format(&q, text, sizeof text), 0);
    assert_string_equal(text, "V0;K1;Kassenbeleg-V1;Beleg^1.00_0.00_0.00_0.00_0.00^1.00:Bar;7;15;"
                              "2025-12-07T10:15:00.000Z;2025-12-07T10:15:01.000Z;ecdsa-plain-SHA384;unixTime;AAAA;BBBB");
    struct fiscal_qr back;
    assert_int_equal(fiscal_qr_parse(text, &back), 0);
    assert_true(back.tx_number == 7 && back.sig_counter == 15 && back.log_ms == q.log_ms);
    assert_string_equal(back.process_data, q.process_data);
    assert_int_equal(fiscal_qr_parse("V0;K1;x", &back), -1);
    assert_int_equal(fiscal_qr_parse("V1;K1;a;b;1;2;2025-12-07T10:15:00.000Z;2025-12-07T10:15:01.000Z;s;u;A;B", &back), -1);
    size_t tl = strlen(text);
    snprintf(text + tl, sizeof text - tl, ";extra");   /* one field too many */
    assert_int_equal(fiscal_qr_parse(text, &back), -1);

    unsigned char bytes[] = { 0xff, 0x00, 0x10, 0x7f }, out[8];
    char b[16];
    size_t n;
    assert_int_equal(fiscal_base64(bytes, sizeof bytes, b, sizeof b), 0);
    assert_string_equal(b, "/wAQfw==");
    assert_int_equal(fiscal_base64_decode(b, out, sizeof out, &n), 0);
    assert_true(n == 4 && memcmp(out, bytes, 4) == 0);
    assert_int_equal(fiscal_base64_decode("ab$d", out, sizeof out, &n), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_signature_verifies_and_a_changed_byte_fails, setup, teardown),
        cmocka_unit_test(test_log_message_is_der),
        cmocka_unit_test_setup_teardown(test_counters_increase_across_restarts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counters_increase_across_kills, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_tse_signs_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_finish_twice_gets_the_same_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_answers_from_the_loop, setup, teardown),
        cmocka_unit_test(test_process_data_and_qr_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
