/* ZVT payment terminals over TCP (default port 20007).  One connection per transaction:
 * connect (non-blocking), Registration (06 00), then the command; the terminal's
 * intermediate status, print lines, status information and completion are acknowledged
 * and turned into one outcome.  Config (prefix = "payment.zvt"):
 *   host (an IP address: no DNS lookup may block the till), port, password (6 digits),
 *   connect_timeout_ms (default 3000), timeout_ms (default 120000).
 * A failure before the command was written is "never reached": another terminal may
 * take the payment.  After it was written, a broken connection or a timeout is UNKNOWN. */
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
#include "src/config.h"
#include "src/loop.h"
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

    enum zvt_state state;
    int fd;
    int sent;                 /* the command has been written to the terminal */
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
    struct pt_outcome out;
};

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
    z->out.result = r;
    if (msg)
        snprintf(z->out.message, sizeof z->out.message, "%s", msg);
    fill_outcome(z);
    disconnect(z);
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

static void append_line(struct zvt *z, const uint8_t *s, size_t n)
{
    char *r = z->out.receipt;
    size_t o = strlen(r);
    if (o && o + 1 < sizeof z->out.receipt)
        r[o++] = '\n';
    for (size_t i = 0; i < n && o + 1 < sizeof z->out.receipt; i++)
        r[o++] = s[i] >= 0x20 && s[i] < 0x7F ? (char)s[i] : ' ';
    r[o] = 0;
}

static void send_command(struct zvt *z)
{
    z->state = Z_RUNNING;
    z->sent = 1;
    queue(z, z->cmd, z->cmd_len);
}

/* One APDU from the terminal; returns -1 when the transaction has ended. */
static int handle(struct zvt *z, const struct zvt_apdu *a)
{
    uint16_t cmd = (uint16_t)(a->cls << 8 | a->ins);
    if (a->cls == 0x84) { /* negative acknowledgement: the command was refused */
        char msg[96];
        snprintf(msg, sizeof msg, "Terminal refused the command (84 %02X)", a->ins);
        if (z->state == Z_REGISTERING)
            z->out.never_reached = 1;
        finish(z, PT_ERROR, msg);
        return -1;
    }
    switch (cmd) {
    case 0x8000: /* ack of our command */
        return 0;
    case 0x04FF:
        ack(z);
        z->ev.status(z->ev.ctx, a->len ? zvt_intermediate_text(a->data[0]) : "Please wait");
        return 0;
    case 0x06D1: /* print line: <attribute> <text> */
        ack(z);
        if (a->len >= 1)
            append_line(z, a->data + 1, a->len - 1);
        return 0;
    case 0x06D3: { /* print text block: TLV */
        struct zvt_status t;
        memset(&t, 0, sizeof t);
        ack(z);
        if (a->len >= 1 && a->data[0] == 0x06) {
            size_t off = 1, vlen;
            /* BMP 06 length form */
            if (a->len >= 2 && a->data[1] < 0x80) {
                vlen = a->data[1];
                off = 2;
            } else if (a->len >= 3 && a->data[1] == 0x81) {
                vlen = a->data[2];
                off = 3;
            } else if (a->len >= 4 && a->data[1] == 0x82) {
                vlen = (size_t)a->data[2] << 8 | a->data[3];
                off = 4;
            } else {
                return 0;
            }
            if (vlen <= a->len - off && zvt_parse_tlv(a->data + off, vlen, &t, 0) == ZVT_OK)
                append_line(z, (const uint8_t *)t.tlv_text, strlen(t.tlv_text));
        }
        return 0;
    }
    case 0x040F: /* status information */
        ack(z);
        if (zvt_parse_bmps(a->data, a->len, &z->st) != ZVT_OK) {
            finish(z, PT_UNKNOWN, "Malformed status from the terminal: outcome unknown");
            return -1;
        }
        return 0;
    case 0x060F: /* completion */
        ack(z);
        if (z->state == Z_REGISTERING) {
            memset(&z->st, 0, sizeof z->st);
            send_command(z);
            return 0;
        }
        if (z->out.op == PT_STATUS) {
            finish(z, PT_UNKNOWN, "Terminal is up, but cannot report that transaction: check its last receipt");
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
            char msg[96];
            snprintf(msg, sizeof msg, "Not approved: %s", zvt_result_text(z->st.result));
            finish(z, PT_DECLINED, msg);
        } else {
            finish(z, PT_UNKNOWN, "Completion without a result: outcome unknown");
        }
        return -1;
    case 0x061E: { /* abort from the terminal */
        uint8_t rc = a->len ? a->data[0] : 0xFF;
        char msg[96];
        ack(z);
        snprintf(msg, sizeof msg, "Terminal aborted: %s", zvt_result_text(rc));
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
    z->ev.status(z->ev.ctx, "Connecting to the terminal");
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
    return start(z, PT_STATUS, amount, reference,
                 zvt_build_status_enquiry(z->password, z->cmd, sizeof z->cmd));
}

static int zvt_end_of_day(void *priv)
{
    struct zvt *z = priv;
    return start(z, PT_END_OF_DAY, 0, "eod", zvt_build_end_of_day(z->password, z->cmd, sizeof z->cmd));
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
};
