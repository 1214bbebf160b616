/* Real terminals' frames replayed against the real ZVT driver over TCP.  A fake terminal
 * (a child process) answers the registration, then sends frames captured from real
 * terminals (tests/zvt_captures.h names each source) in fragments of 1 to 5 bytes, as a
 * network delivers them, and checks that Till acknowledges every message that needs it.
 * Covered: receipts as text blocks and as print lines, both copies, code pages, 84 00 as
 * an acknowledgement, 84 xx mid-transaction, the terminal's display text, a declined card,
 * and a terminal that prints a full card number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drivers/payment_terminal.h"
#include "src/config.h"
#include "src/loop.h"
#include "tests/zvt_captures.h"

/* One message of the fake terminal: its bytes, and whether the ECR must acknowledge it. */
struct step {
    const char *hex;
    int needs_ack;
};

#define ACK 1
#define NO_ACK 0

static int read_full(int fd, uint8_t *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd pf = { fd, POLLIN, 0 };
        if (poll(&pf, 1, 10000) <= 0)
            return -1;
        ssize_t r = read(fd, p + got, n - got);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

/* Reads one APDU from the ECR; returns its class << 8 | instruction, or -1. */
static int read_apdu(int fd)
{
    uint8_t h[5], body[512];
    if (read_full(fd, h, 3))
        return -1;
    size_t len = h[2];
    if (h[2] == 0xFF) {
        if (read_full(fd, h + 3, 2))
            return -1;
        len = (size_t)h[3] | (size_t)h[4] << 8;
    }
    if (len > sizeof body || read_full(fd, body, len))
        return -1;
    return h[0] << 8 | h[1];
}

/* Writes bytes in fragments of 1..5 bytes with a short gap, so the driver's reads see
 * partial APDUs (the gap only forces fragmentation; nothing waits on time). */
static int send_fragmented(int fd, const uint8_t *b, size_t n, unsigned *seed)
{
    for (size_t off = 0; off < n;) {
        size_t chunk = 1 + (size_t)(rand_r(seed) % 5);
        if (chunk > n - off)
            chunk = n - off;
        if (write(fd, b + off, chunk) != (ssize_t)chunk)
            return -1;
        off += chunk;
        usleep(300);
    }
    return 0;
}

static int send_hex(int fd, const char *hex, unsigned *seed)
{
    static uint8_t b[4096];
    size_t n = zcap_bytes(hex, b, sizeof b);
    return n ? send_fragmented(fd, b, n, seed) : -1;
}

/* The fake terminal: exits 0 when the ECR registered, sent the expected command and
 * acknowledged every message that needed it; 1..4 say where it went wrong. */
static void fake_terminal(int lfd, int expect_cmd, const struct step *steps)
{
    unsigned seed = 7;
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        _exit(1);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (read_apdu(fd) != 0x0600 || send_hex(fd, "80-00-00", &seed) || send_hex(fd, "06-0F-00", &seed) ||
        read_apdu(fd) != 0x8000)
        _exit(2);
    if (read_apdu(fd) != expect_cmd)
        _exit(3);
    for (const struct step *s = steps; s->hex; s++) {
        if (send_hex(fd, s->hex, &seed))
            _exit(4);
        if (s->needs_ack && read_apdu(fd) != 0x8000)
            _exit(4);
    }
    /* the driver closes the connection when the transaction is over */
    uint8_t b[16];
    while (read(fd, b, sizeof b) > 0)
        ;
    close(fd);
    _exit(0);
}

struct run {
    int done;
    struct pt_outcome o;
    char statuses[1024];
};

static void on_status(void *ctx, const char *t)
{
    struct run *r = ctx;
    size_t n = strlen(r->statuses);
    snprintf(r->statuses + n, sizeof r->statuses - n, "%s|", t);
}

static void on_done(void *ctx, const struct pt_outcome *o)
{
    struct run *r = ctx;
    r->done = 1;
    r->o = *o;
}

/* Runs one purchase (or status enquiry) against the fake terminal playing steps. */
static struct run *replay(const char *code_page, int enquiry, int64_t amount, const struct step *steps)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(lfd >= 0);
    assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(lfd, 1), 0);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &alen), 0);
    pid_t pid = fork();
    if (pid == 0)
        fake_terminal(lfd, enquiry ? 0x0620 : 0x0601, steps);
    close(lfd);

    char v[64], state[64];
    struct loop *loop = loop_new();
    struct config *cfg = config_new();
    snprintf(v, sizeof v, "%d", ntohs(a.sin_port));
    config_set(cfg, "payment.zvt.port", v);
    config_set(cfg, "payment.zvt.code_page", code_page);
    snprintf(state, sizeof state, "/tmp/zvt-replay-%d-%ld", getpid(), random());
    config_set(cfg, "payment.zvt.state_file", state);
    struct run *r = calloc(1, sizeof *r);
    struct pt_events ev = { on_status, on_done, r };
    struct payment_terminal *t;
    char err[256];
    assert_int_equal(payment_terminal_open("zvt", loop, cfg, "payment.zvt", &ev, &t, err, sizeof err), 0);
    if (enquiry)
        assert_int_equal(t->ops->status_enquiry(t->priv, "replay-1", amount), 0);
    else
        assert_int_equal(t->ops->purchase(t->priv, amount, "replay-1"), 0);
    int64_t end = loop_now_ms(loop) + 20000;
    while (!r->done && loop_now_ms(loop) < end)
        loop_run_once(loop, 50);
    assert_true(r->done);
    payment_terminal_close(t);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0); /* every message acknowledged */
    loop_free(loop);
    config_free(cfg);
    unlink(state);
    return r;
}

/* A hobex terminal's text blocks (CP 437), merchant copy first, after a production
 * terminal's status information and display text. */
static void test_text_blocks_both_copies(void **state)
{
    const struct step steps[] = {
        { "80-00-00", NO_ACK },
        { "04-FF-01-0A", ACK },
        { zcap_intermediate_text, ACK },
        { zcap_status_approved, ACK },
        { zcap_d3_merchant, ACK },
        { zcap_d3_cardholder, ACK },
        { "06-0F-00", ACK },
        { NULL, 0 },
    };
    struct run *r = replay("cp437", 0, 2040, steps);
    assert_int_equal(r->o.result, PT_APPROVED);
    assert_int_equal(r->o.amount, 2040);
    assert_string_equal(r->o.receipt_no, "0470");
    assert_string_equal(r->o.masked_pan, "************4771");
    assert_string_equal(r->o.card_scheme, "Debit Mastercard");
    assert_non_null(strstr(r->statuses, "Insert card|"));
    assert_non_null(strstr(r->statuses, "EUR 1.23 / Bitte warten|"));
    assert_non_null(strstr(r->o.receipt, "KUNDENBELEG"));
    assert_non_null(strstr(r->o.receipt, "f\xC3\xBCr PORTALUM GmbH"));
    assert_non_null(strstr(r->o.receipt, "EUR: 1,00"));
    assert_null(strstr(r->o.receipt, "NDLERBELEG"));
    assert_non_null(strstr(r->o.merchant_receipt, "H\xC3\x84NDLERBELEG"));
    assert_null(strstr(r->o.merchant_receipt, "KUNDENBELEG"));
    free(r);
}

/* 67 print lines with markers and trailing TLV (ISO 8859-1), after an 84 00 00
 * acknowledgement: a positive answer, the payment goes on. */
static void test_print_lines_after_84_00(void **state)
{
    struct step steps[80];
    size_t n = 0;
    steps[n++] = (struct step){ zcap_ack_84_00, NO_ACK };
    for (size_t i = 0; i < sizeof zcap_d1_lines / sizeof zcap_d1_lines[0]; i++)
        steps[n++] = (struct step){ zcap_d1_lines[i], ACK };
    steps[n++] = (struct step){ zcap_status_approved, ACK };
    steps[n++] = (struct step){ "06-0F-00", ACK };
    steps[n] = (struct step){ NULL, 0 };
    struct run *r = replay("latin1", 0, 2040, steps);
    assert_int_equal(r->o.result, PT_APPROVED);
    assert_false(r->o.never_reached);
    assert_non_null(strstr(r->o.receipt, "** KUNDENBELEG **"));
    assert_non_null(strstr(r->o.receipt, "VIELEN DANK"));
    assert_non_null(strstr(r->o.receipt, "Nr:  **** **** **** 4821"));
    assert_null(strstr(r->o.receipt, "NDLERBELEG"));
    assert_non_null(strstr(r->o.merchant_receipt, "** H\xC3\x84NDLERBELEG **"));
    assert_null(strstr(r->o.merchant_receipt, "VIELEN DANK"));
    free(r);
}

/* A declined card: the host's code, in the specification's words, and not charged. */
static void test_declined_card(void **state)
{
    const struct step steps[] = {
        { "80-00-00", NO_ACK },
        { zcap_status_declined, ACK },
        { zcap_abort_declined, ACK },
        { NULL, 0 },
    };
    struct run *r = replay("cp437", 0, 1000, steps);
    assert_int_equal(r->o.result, PT_DECLINED);
    assert_non_null(strstr(r->o.message, "declined by the card issuer's host (host code 5)"));
    free(r);
}

/* 84 1E from a CCV IM30 mid-transaction: not a refusal the specification makes certain. */
static void test_unexplained_84_mid_transaction_is_unknown(void **state)
{
    const struct step steps[] = {
        { "80-00-00", NO_ACK },
        { "04-FF-01-0A", ACK },
        { zcap_nack_ccv_im30, NO_ACK },
        { NULL, 0 },
    };
    struct run *r = replay("cp437", 0, 1000, steps);
    assert_int_equal(r->o.result, PT_UNKNOWN);
    assert_false(r->o.never_reached);
    free(r);
}

/* 84 83 as the direct answer to the command: refused, nothing charged.  84 9C ("please
 * wait") in the same place is not a refusal: unknown. */
static void test_direct_refusal_and_please_wait(void **state)
{
    const struct step refused[] = { { "84-83-00", NO_ACK }, { NULL, 0 } };
    struct run *r = replay("cp437", 0, 1000, refused);
    assert_int_equal(r->o.result, PT_ERROR);
    assert_non_null(strstr(r->o.message, "function not possible"));
    free(r);
    const struct step wait[] = { { "84-9C-00", NO_ACK }, { NULL, 0 } };
    r = replay("cp437", 0, 1000, wait);
    assert_int_equal(r->o.result, PT_UNKNOWN);
    free(r);
}

/* A terminal that prints the full card number on a receipt line (a constructed line in a
 * real flow): masked before Till keeps it. */
static void test_full_card_number_on_a_receipt_line(void **state)
{
    const struct step steps[] = {
        { "80-00-00", NO_ACK },
        /* 06 D1, attribute 00, "Karte 4111 1111 1111 1111" */
        { "06-D1-1A-00-4B-61-72-74-65-20-34-31-31-31-20-31-31-31-31-20-31-31-31-31-20-31-31-31-31", ACK },
        { zcap_status_approved, ACK },
        { "06-0F-00", ACK },
        { NULL, 0 },
    };
    struct run *r = replay("cp437", 0, 2040, steps);
    assert_int_equal(r->o.result, PT_APPROVED);
    assert_string_equal(r->o.receipt, "Karte **** **** **** 1111");
    assert_null(strstr(r->o.receipt, "4111"));
    free(r);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_blocks_both_copies),
        cmocka_unit_test(test_print_lines_after_84_00),
        cmocka_unit_test(test_declined_card),
        cmocka_unit_test(test_unexplained_84_mid_transaction_is_unknown),
        cmocka_unit_test(test_direct_refusal_and_please_wait),
        cmocka_unit_test(test_full_card_number_on_a_receipt_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
