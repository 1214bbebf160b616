/* ZVT payment terminals over TCP (default port 20007).  One connection per transaction:
 * connect (non-blocking), Registration (06 00), then the command; the terminal's
 * intermediate status, print lines, status information and completion are acknowledged
 * and turned into one outcome.  Config (prefix = "payment.zvt"):
 *   host (an IP address: no DNS lookup may block the till), port, password (6 digits),
 *   connect_timeout_ms (default 3000), timeout_ms (default 120000),
 *   code_page (the terminal's character set: cp437 (ZVT default), latin1, latin9, cp1252,
 *   utf8), state_file (default: beside the database, "<database>.<name>-zvt"; none when
 *   there is no database, and then an interrupted payment is left to the cashier).
 * A failure before the command was written is "never reached": another terminal may
 * take the payment.  After it was written, a broken connection or a timeout is UNKNOWN,
 * and so is every answer the specification does not make unambiguous.
 *
 * The state file is the driver's memory of the terminal across a crash: the number of the
 * terminal's last receipt, and which payment was sent after it.  A status enquiry asks the
 * terminal to repeat its last receipt (06 20) and compares: the same receipt as before the
 * payment means the payment never happened; a newer one for the amount is the payment. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "drivers/payment_terminal.h"
#include "drivers/zvt_apdu.h"
#include "src/atomic_file.h"
#include "src/config.h"
#include "src/loop.h"
#include "src/i18n.h"
#include "core/money.h"

enum zvt_state { Z_IDLE, Z_CONNECTING, Z_REGISTERING, Z_RUNNING };

struct zvt {
    struct loop *loop;
    struct pt_events ev;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    char password[8];
    int connect_timeout_ms, timeout_ms;
    uint16_t currency;
    struct money_format fmt;

    enum zvt_charset charset;
    char state_file[600];
    char last_txn[16];        /* the terminal's last receipt number seen ("" = unknown) */
    char pending_ref[48];     /* the last purchase sent, and the receipt number before it */
    int64_t pending_amount;
    char pending_before[16];

    enum zvt_state state;
    int fd;
    int sent;                 /* the command has been written to the terminal */
    int awaiting_ack;         /* our registration or command has had no answer yet */
    int connect_errno;
    int registered_done;
    uint64_t timer;
    uint8_t cmd[64];
    size_t cmd_len;
    uint8_t wbuf[128];
    size_t wlen, woff;
    uint8_t rbuf[ZVT_MAX_APDU];
    size_t rlen;
    struct zvt_status st;
    struct zvt_receipts receipts;
    struct pt_outcome out;
    pt_eod_cb eod_cb;         /* an end-of-day with totals is running: its answer goes here */
    void *eod_ctx;
};

/* --- the state file: written whole (src/atomic_file.c: temp file, fsync, rename, directory
 * fsync), so a crash or a power cut leaves the old or the new version --- */

static void state_save(struct zvt *z)
{
    if (!z->state_file[0])
        return;
    char text[256], err[300];
    snprintf(text, sizeof text, "last %s\npending %s %lld %s\n", z->last_txn[0] ? z->last_txn : "-",
             z->pending_ref[0] ? z->pending_ref : "-", (long long)z->pending_amount,
             z->pending_before[0] ? z->pending_before : "-");
    /* on failure the old state stays: recovery then asks the terminal, as after a crash */
    atomic_file_write_text(z->state_file, text, 0600, err, sizeof err);
}

static void state_field(const char *v, char *out, size_t cap)
{
    size_t n = strcmp(v, "-") == 0 ? 0 : strlen(v);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, v, n);
    out[n] = 0;
}

static void state_load(struct zvt *z)
{
    FILE *f = z->state_file[0] ? fopen(z->state_file, "r") : NULL;
    if (!f)
        return;
    char line[160], a[48], b[48];
    long long amount;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "last %15s", a) == 1)
            state_field(a, z->last_txn, sizeof z->last_txn);
        else if (sscanf(line, "pending %47s %lld %15s", a, &amount, b) == 3) {
            state_field(a, z->pending_ref, sizeof z->pending_ref);
            state_field(b, z->pending_before, sizeof z->pending_before);
            z->pending_amount = amount;
        }
    }
    fclose(f);
}

static int zvt_open(void *priv, struct loop *loop, const struct config *cfg, const char *prefix,
                    const struct pt_events *ev, char *err, size_t errlen)
{
    struct zvt *z = priv;
    char key[96];
    z->loop = loop;
    z->ev = *ev;
    z->fd = -1;
    snprintf(key, sizeof key, "%s.host", prefix);
    const char *host = config_get(cfg, key, "127.0.0.1");
    snprintf(key, sizeof key, "%s.port", prefix);
    long long port, v;
    if (config_get_int(cfg, key, 20007, &port) || port < 1 || port > 65535) {
        snprintf(err, errlen, "%s must be a TCP port", key);
        return -1;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)&z->addr;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&z->addr;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        z->addrlen = sizeof *a4;
    } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        z->addrlen = sizeof *a6;
    } else {
        snprintf(err, errlen, "%s.host must be an IP address, not '%s'", prefix, host);
        return -1;
    }
    snprintf(key, sizeof key, "%s.password", prefix);
    snprintf(z->password, sizeof z->password, "%s", config_get(cfg, key, "000000"));
    snprintf(key, sizeof key, "%s.connect_timeout_ms", prefix);
    if (config_get_int(cfg, key, 3000, &v) || v < 1) {
        snprintf(err, errlen, "%s must be a positive number", key);
        return -1;
    }
    z->connect_timeout_ms = (int)v;
    snprintf(key, sizeof key, "%s.timeout_ms", prefix);
    if (config_get_int(cfg, key, 120000, &v) || v < 1) {
        snprintf(err, errlen, "%s must be a positive number", key);
        return -1;
    }
    z->timeout_ms = (int)v;
    const char *cur = config_get(cfg, "store.currency", "EUR");
    z->currency = zvt_currency_numeric(cur);
    if (money_format_init(&z->fmt, cur, config_get(cfg, "store.money_style", "eu")))
        money_format_init(&z->fmt, "EUR", "eu");
    uint8_t probe[16];
    if (!zvt_build_end_of_day(z->password, probe, sizeof probe)) {
        snprintf(err, errlen, "%s.password must be 6 digits", prefix);
        return -1;
    }
    snprintf(key, sizeof key, "%s.code_page", prefix);
    const char *cp = config_get(cfg, key, "cp437");
    if (zvt_charset_parse(cp, &z->charset)) {
        snprintf(err, errlen, "%s must be cp437, latin1, latin9, cp1252 or utf8, not '%s'", key, cp);
        return -1;
    }
    snprintf(key, sizeof key, "%s.state_file", prefix);
    const char *sf = config_get(cfg, key, NULL);
    /* like the simulated terminal's memory: beside the database (the app puts its path in
     * paths.database), one per configured terminal */
    const char *name = strncmp(prefix, "payment.", 8) == 0 ? prefix + 8 : prefix;
    const char *db = config_get(cfg, "paths.database", "");
    if (sf)
        snprintf(z->state_file, sizeof z->state_file, "%s", sf);
    else if (*db)
        snprintf(z->state_file, sizeof z->state_file, "%.500s.%.60s-zvt", db, name);
    state_load(z);
    return 0;
}

static void disconnect(struct zvt *z)
{
    if (z->timer)
        loop_cancel_timer(z->loop, z->timer);
    z->timer = 0;
    if (z->fd >= 0) {
        loop_unwatch_fd(z->loop, z->fd);
        close(z->fd);
    }
    z->fd = -1;
    z->state = Z_IDLE;
}

static void zvt_close(void *priv)
{
    struct zvt *z = priv;
    z->eod_cb = NULL;
    disconnect(priv);
}

static void fill_outcome(struct zvt *z)
{
    struct pt_outcome *o = &z->out;
    const struct zvt_status *s = &z->st;
    if (s->has_amount)
        o->amount = s->amount;
    snprintf(o->masked_pan, sizeof o->masked_pan, "%s", s->masked_pan);
    if (s->card_name[0])
        snprintf(o->card_scheme, sizeof o->card_scheme, "%.23s", s->card_name);
    else if (s->has_card_type)
        snprintf(o->card_scheme, sizeof o->card_scheme, "card type %u", s->card_type);
    snprintf(o->auth_code, sizeof o->auth_code, "%s", s->auth_attr);
    snprintf(o->trace, sizeof o->trace, "%s", s->trace);
    snprintf(o->receipt_no, sizeof o->receipt_no, "%s", s->receipt_no);
    snprintf(o->terminal_id, sizeof o->terminal_id, "%s", s->terminal_id);
    zvt_receipts_finish(&z->receipts);
    snprintf(o->receipt, sizeof o->receipt, "%s", z->receipts.cardholder);
    snprintf(o->merchant_receipt, sizeof o->merchant_receipt, "%s", z->receipts.merchant);
    if (!o->receipt[0] && o->result == PT_APPROVED) {
        /* the terminal printed nothing through us: compose the lines from its status */
        char a[48];
        money_format(o->amount, &z->fmt, 1, a, sizeof a);
        snprintf(o->receipt, sizeof o->receipt, "   CARD PAYMENT\n%s %s\nAmount %s\nAuth %s  Trace %s\nTerminal %s  Receipt %s\nAPPROVED",
                 o->card_scheme, o->masked_pan, a, o->auth_code, o->trace, o->terminal_id, o->receipt_no);
    }
}

static void finish(struct zvt *z, enum pt_result r, const char *msg)
{
    /* an enquiry that failed says nothing about the payment it asked about */
    if (z->out.op == PT_STATUS && r != PT_APPROVED && r != PT_NOT_FOUND)
        r = PT_UNKNOWN;
    z->out.result = r;
    if (msg)
        snprintf(z->out.message, sizeof z->out.message, "%s", msg);
    fill_outcome(z);
    disconnect(z);
    if (z->eod_cb) {
        struct pt_eod_totals t;
        zvt_eod_totals(&z->st, &t);
        t.result = r;
        snprintf(t.message, sizeof t.message, "%s", z->out.message);
        pt_eod_cb cb = z->eod_cb;
        z->eod_cb = NULL;
        cb(z->eod_ctx, &t);
        return;
    }
    struct pt_outcome o = z->out;
    z->ev.done(z->ev.ctx, &o);
}

/* The connection failed: before the command was written nothing can have been charged. */
static void fail_transport(struct zvt *z, const char *what)
{
    char msg[128];
    if (!z->sent) {
        z->out.never_reached = 1;
        snprintf(msg, sizeof msg, "Terminal not reachable: %s", what);
        finish(z, PT_ERROR, msg);
    } else {
        snprintf(msg, sizeof msg, "Lost the terminal mid-transaction (%s): outcome unknown", what);
        finish(z, PT_UNKNOWN, msg);
    }
}

static void flush_writes(struct zvt *z)
{
    while (z->woff < z->wlen) {
        ssize_t n = send(z->fd, z->wbuf + z->woff, z->wlen - z->woff, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) {
            fail_transport(z, strerror(errno));
            return;
        }
        z->woff += (size_t)n;
    }
    z->wlen = z->woff = 0;
}

static void queue(struct zvt *z, const uint8_t *p, size_t n)
{
    if (z->wlen + n > sizeof z->wbuf) {
        fail_transport(z, "write buffer full");
        return;
    }
    memcpy(z->wbuf + z->wlen, p, n);
    z->wlen += n;
    flush_writes(z);
}

static void ack(struct zvt *z)
{
    uint8_t a[3];
    queue(z, a, zvt_build_ack(a, sizeof a));
}

static void send_command(struct zvt *z)
{
    z->state = Z_RUNNING;
    if (z->out.op == PT_PURCHASE) {
        /* durable before the command leaves: which payment follows which receipt */
        snprintf(z->pending_ref, sizeof z->pending_ref, "%s", z->out.reference);
        z->pending_amount = z->out.amount;
        snprintf(z->pending_before, sizeof z->pending_before, "%s", z->last_txn);
        state_save(z);
    }
    z->sent = 1;
    z->awaiting_ack = 1;
    queue(z, z->cmd, z->cmd_len);
}

/* 84 xx (xx != 00) from the terminal.  As the direct answer to our registration nothing
 * was asked yet: never reached.  As the direct answer to our command with a code from the
 * specification's error table, the terminal refused it (PA00P016 5.2.3).  Anything else
 * (mid-transaction, "please wait", a code the table does not have) is not a refusal the
 * specification makes certain: the outcome is unknown. */
static void negative_ack(struct zvt *z, uint8_t code)
{
    char msg[256], what[96];
    zvt_result_describe(code, what, sizeof what);
    if (z->state == Z_REGISTERING) {
        z->out.never_reached = 1;
        snprintf(msg, sizeof msg, "Terminal refused the registration: %s", what);
        finish(z, PT_ERROR, msg);
        return;
    }
    int refusal = z->awaiting_ack && code >= 0x64 && code != 0x9C &&
                  strcmp(zvt_result_text(code), "unknown error code") != 0;
    if (refusal) {
        snprintf(msg, sizeof msg, "Terminal refused the command: %s", what);
        finish(z, PT_ERROR, msg);
    } else {
        snprintf(msg, sizeof msg, "Terminal answered 84 %02X (%s): outcome unknown", code, what);
        finish(z, PT_UNKNOWN, msg);
    }
}

/* The terminal's answer to Repeat Receipt, against what the state file knew before the
 * payment: unambiguous answers settle it, anything else is left to the cashier. */
static void enquiry_complete(struct zvt *z)
{
    const struct zvt_status *s = &z->st;
    const char *txn = s->receipt_no[0] ? s->receipt_no : s->trace;
    int ours = z->pending_ref[0] && strcmp(z->pending_ref, z->out.reference) == 0 &&
               z->pending_before[0];
    char a[48], msg[256];
    money_format(s->amount, &z->fmt, 1, a, sizeof a);
    if (ours && txn[0] && strcmp(txn, z->pending_before) == 0) {
        finish(z, PT_NOT_FOUND, "The terminal's last transaction is older than this payment: nothing was charged");
        return;
    }
    if (ours && txn[0] && s->has_result && s->has_amount) {
        if (s->result == 0x00 && s->amount > 0 && s->amount <= z->out.amount) {
            z->out.amount = s->amount;
            finish(z, PT_APPROVED, "Approved (the terminal's last transaction)");
            return;
        }
        if (s->result != 0x00 && s->amount == z->out.amount) {
            char why[96];
            zvt_result_describe(s->result, why, sizeof why);
            snprintf(msg, sizeof msg, "The terminal did not approve it (%s): nothing was charged", why);
            finish(z, PT_NOT_FOUND, msg);
            return;
        }
    }
    if (txn[0] && s->has_amount)
        snprintf(msg, sizeof msg, "Terminal's last transaction: receipt %s, %s, %s. Check whether it is this payment",
                 txn, a, s->has_result && s->result == 0 ? "approved" : "not approved");
    else
        snprintf(msg, sizeof msg, "The terminal cannot tell about that payment: check its last receipt");
    finish(z, PT_UNKNOWN, msg);
}

/* One APDU from the terminal; returns -1 when the transaction has ended. */
static int handle(struct zvt *z, const struct zvt_apdu *a)
{
    uint16_t cmd = (uint16_t)(a->cls << 8 | a->ins);
    if (a->cls == 0x84 && a->ins != 0x00) {
        negative_ack(z, a->ins);
        return -1;
    }
    switch (cmd) {
    case 0x8000: /* acknowledgement of our command */
    case 0x8400: /* 84 00 is a positive acknowledgement too (PA00P016 5.2.3) */
        z->awaiting_ack = 0;
        return 0;
    case 0x04FF: {
        char text[256];
        ack(z);
        if (zvt_parse_intermediate(a->data, a->len, z->charset, text, sizeof text) == ZVT_OK)
            z->ev.status(z->ev.ctx, text);
        return 0;
    }
    case 0x06D1: /* print line */
        ack(z);
        zvt_receipts_add_line(&z->receipts, a->data, a->len, z->charset);
        return 0;
    case 0x06D3: /* print text block */
        ack(z);
        zvt_receipts_add_block(&z->receipts, a->data, a->len, z->charset);
        return 0;
    case 0x040F: /* status information */
        ack(z);
        z->st.charset = z->charset;
        if (zvt_parse_bmps(a->data, a->len, &z->st) != ZVT_OK) {
            finish(z, PT_UNKNOWN, "Malformed status from the terminal: outcome unknown");
            return -1;
        }
        if (z->st.receipt_no[0] || z->st.trace[0]) {
            snprintf(z->last_txn, sizeof z->last_txn, "%s", z->st.receipt_no[0] ? z->st.receipt_no : z->st.trace);
            state_save(z);
        }
        return 0;
    case 0x060F: /* completion */
        ack(z);
        z->awaiting_ack = 0;
        if (z->state == Z_REGISTERING) {
            memset(&z->st, 0, sizeof z->st);
            zvt_receipts_init(&z->receipts);
            send_command(z);
            return 0;
        }
        if (z->out.op == PT_STATUS) {
            enquiry_complete(z);
            return -1;
        }
        if (z->out.op == PT_END_OF_DAY || z->out.op == PT_REVERSAL || z->out.op == PT_REFUND ||
            (z->st.has_result && z->st.result == 0x00)) {
            if (!z->st.has_result || z->st.result == 0x00) {
                finish(z, PT_APPROVED, z->st.has_amount && z->st.amount < z->out.amount ? "Partially approved" : "Approved");
                return -1;
            }
        }
        if (z->st.has_result) {
            char msg[256], why[96];
            zvt_result_describe(z->st.result, why, sizeof why);
            snprintf(msg, sizeof msg, "Not approved: %s", why);
            finish(z, PT_DECLINED, msg);
        } else {
            finish(z, PT_UNKNOWN, "Completion without a result: outcome unknown");
        }
        return -1;
    case 0x061E: { /* abort from the terminal: the command was not carried out */
        uint8_t rc = a->len ? a->data[0] : 0xFF;
        char msg[256], why[96];
        ack(z);
        zvt_result_describe(rc, why, sizeof why);
        snprintf(msg, sizeof msg, "Terminal aborted: %s", why);
        finish(z, rc == 0x6C ? PT_ABORTED : PT_DECLINED, msg);
        return -1;
    }
    default:
        ack(z); /* unknown but well-formed: acknowledged and ignored */
        return 0;
    }
}

static void on_readable(struct zvt *z)
{
    const char *closed = NULL;
    for (;;) {
        if (z->rlen == sizeof z->rbuf) {
            fail_transport(z, "oversized message");
            return;
        }
        ssize_t n = recv(z->fd, z->rbuf + z->rlen, sizeof z->rbuf - z->rlen, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            break;
        if (n <= 0) {
            closed = n == 0 ? "connection closed" : strerror(errno);
            break;
        }
        z->rlen += (size_t)n;
    }
    /* what arrived before the connection closed still counts */
    size_t off = 0;
    while (off < z->rlen) {
        struct zvt_apdu a;
        long used = zvt_apdu_parse(z->rbuf + off, z->rlen - off, &a);
        if (used == 0)
            break;
        if (used < 0) {
            fail_transport(z, "malformed message");
            return;
        }
        off += (size_t)used;
        if (handle(z, &a) < 0)
            return;
    }
    memmove(z->rbuf, z->rbuf + off, z->rlen - off);
    z->rlen -= off;
    if (closed)
        fail_transport(z, closed);
}

static void on_io(struct loop *loop, int fd, short revents, void *ctx)
{
    struct zvt *z = ctx;
    if (z->state == Z_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
            fail_transport(z, strerror(err ? err : errno));
            return;
        }
        z->state = Z_REGISTERING;
        loop_watch_fd(loop, fd, POLLIN, on_io, z);
        uint8_t reg[16];
        /* config byte 0x86: ECR prints payment and administration receipts from the
         * terminal's print lines (06 D1), and wants intermediate status */
        size_t n = zvt_build_registration(z->password, 0x86 | 0x08, z->currency, reg, sizeof reg);
        z->awaiting_ack = 1;
        queue(z, reg, n);
        return;
    }
    if (revents & POLLIN || revents & (POLLHUP | POLLERR))
        on_readable(z);
    else if (z->fd >= 0 && (revents & POLLOUT))
        flush_writes(z);
}

static void on_timeout(struct loop *loop, void *ctx)
{
    struct zvt *z = ctx;
    z->timer = 0;
    fail_transport(z, z->state == Z_CONNECTING ? "connect timed out" : "no answer in time");
}

static void on_connect_deadline(struct loop *loop, void *ctx)
{
    struct zvt *z = ctx;
    z->timer = 0;
    if (z->state == Z_CONNECTING || z->state == Z_REGISTERING) {
        fail_transport(z, z->state == Z_CONNECTING ? "connect timed out" : "registration timed out");
        return;
    }
    z->timer = loop_add_timer(loop, z->timeout_ms, on_timeout, z);
}

static void on_connect_failed(struct loop *loop, void *ctx)
{
    struct zvt *z = ctx;
    z->timer = 0;
    fail_transport(z, strerror(z->connect_errno));
}

static int start(struct zvt *z, enum pt_op op, int64_t amount, const char *reference, size_t cmd_len)
{
    if (z->state != Z_IDLE || !cmd_len)
        return -1;
    z->cmd_len = cmd_len;
    memset(&z->out, 0, sizeof z->out);
    memset(&z->st, 0, sizeof z->st);
    zvt_receipts_init(&z->receipts);
    z->awaiting_ack = 0;
    z->out.op = op;
    z->out.amount = amount;
    snprintf(z->out.reference, sizeof z->out.reference, "%s", reference ? reference : "");
    z->sent = 0;
    z->rlen = z->wlen = z->woff = 0;
    z->fd = socket(z->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (z->fd < 0)
        return -1;
    int one = 1;
    setsockopt(z->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    z->state = Z_CONNECTING;
    int rc = connect(z->fd, (struct sockaddr *)&z->addr, z->addrlen);
    if (rc < 0 && errno != EINPROGRESS) {
        /* reported through the loop, like every other outcome */
        z->connect_errno = errno;
        z->timer = loop_add_timer(z->loop, 0, on_connect_failed, z);
        return 0;
    }
    loop_watch_fd(z->loop, z->fd, POLLOUT, on_io, z);
    z->timer = loop_add_timer(z->loop, z->connect_timeout_ms, on_connect_deadline, z);
    return 0;
}

static int zvt_purchase(void *priv, int64_t amount, const char *reference)
{
    struct zvt *z = priv;
    z->ev.status(z->ev.ctx, N_("Connecting to the terminal"));
    return start(z, PT_PURCHASE, amount, reference,
                 zvt_build_authorization(amount, z->currency, z->cmd, sizeof z->cmd));
}

static int zvt_reversal(void *priv, const struct pt_outcome *orig)
{
    struct zvt *z = priv;
    return start(z, PT_REVERSAL, orig->amount, orig->reference,
                 zvt_build_reversal(z->password, orig->receipt_no, z->cmd, sizeof z->cmd));
}

static int zvt_refund(void *priv, int64_t amount, const char *reference)
{
    struct zvt *z = priv;
    return start(z, PT_REFUND, amount, reference,
                 zvt_build_refund(z->password, amount, z->cmd, sizeof z->cmd));
}

static int zvt_status_enquiry(void *priv, const char *reference, int64_t amount)
{
    struct zvt *z = priv;
    /* Repeat Receipt: the terminal's last transaction, with its receipt number */
    return start(z, PT_STATUS, amount, reference,
                 zvt_build_repeat_receipt(z->password, z->cmd, sizeof z->cmd));
}

static int zvt_end_of_day(void *priv)
{
    struct zvt *z = priv;
    return start(z, PT_END_OF_DAY, 0, "eod", zvt_build_end_of_day(z->password, z->cmd, sizeof z->cmd));
}

static int zvt_end_of_day_totals(void *priv, pt_eod_cb cb, void *ctx)
{
    struct zvt *z = priv;
    if (z->state != Z_IDLE)
        return -1;
    z->eod_cb = cb;
    z->eod_ctx = ctx;
    if (zvt_end_of_day(z)) {
        z->eod_cb = NULL;
        return -1;
    }
    return 0;
}

static int zvt_abort(void *priv)
{
    struct zvt *z = priv;
    if (z->state == Z_IDLE)
        return -1;
    if (!z->sent) {
        z->out.never_reached = 1;
        finish(z, PT_ABORTED, "Cancelled before the terminal was asked");
        return 0;
    }
    uint8_t a[3];
    queue(z, a, zvt_build_abort(a, sizeof a)); /* the terminal answers with 06 1E */
    return 0;
}

const struct terminal_ops terminal_zvt_ops = {
    .drv = { DRIVER_TERMINAL, TERMINAL_OPS_VERSION, sizeof(struct zvt), "zvt" },
    .open = zvt_open,
    .close = zvt_close,
    .purchase = zvt_purchase,
    .reversal = zvt_reversal,
    .refund = zvt_refund,
    .status_enquiry = zvt_status_enquiry,
    .end_of_day = zvt_end_of_day,
    .abort = zvt_abort,
    .end_of_day_totals = zvt_end_of_day_totals,
};
