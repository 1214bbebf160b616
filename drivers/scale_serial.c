/* Serial scales on the loop: Dialog 06 and NCR/SASI scanner-scales (scale_serial.h).
 *
 * Dialog 06: price record -> ACK -> EOT ENQ -> record 02 (final), or record 09 (motion:
 * ask again after poll_ms; below minimum, under zero, overload: final), or record 11 (the
 * checksum dialogue: record 10 from the table -> ACK -> the price again).
 * NCR: "S11" -> a weight (final, or below min_g), or a status (motion, empty: ask again;
 * over capacity, under zero: final). */
#include "drivers/scale_serial.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "drivers/scale_ncr.h"
#include "src/config.h"
#include "src/loop.h"

static void on_io(struct loop *loop, int fd, short revents, void *ctx);

static const struct { int baud; speed_t speed; } bauds[] = {
    {1200, B1200}, {2400, B2400}, {4800, B4800}, {9600, B9600},
    {19200, B19200}, {38400, B38400}, {57600, B57600}, {115200, B115200},
};

static int set_termios(int fd, int baud, const char *format, char *err, size_t errlen)
{
    struct termios t;
    if (tcgetattr(fd, &t)) {
        snprintf(err, errlen, "not a serial port: %s", strerror(errno));
        return -1;
    }
    cfmakeraw(&t);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
    t.c_cflag |= CLOCAL | CREAD;
    if (strcmp(format, "8N1") == 0)
        t.c_cflag |= CS8;
    else
        t.c_cflag |= CS7 | PARENB | (strcmp(format, "7O1") == 0 ? PARODD : 0);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    for (size_t i = 0; i < sizeof bauds / sizeof bauds[0]; i++)
        if (bauds[i].baud == baud)
            cfsetspeed(&t, bauds[i].speed);
    if (tcsetattr(fd, TCSANOW, &t)) {
        snprintf(err, errlen, "cannot set up the serial port: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static void port_close(struct scale_serial *s)
{
    if (s->fd < 0)
        return;
    loop_unwatch_fd(s->loop, s->fd);
    close(s->fd);
    s->fd = -1;
    s->inlen = s->outlen = 0;
}

static int port_open(struct scale_serial *s, char *err, size_t errlen)
{
    if (s->fd >= 0)
        return 0;
    int fd = open(s->device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "scale on %.80s: %s", s->device, strerror(errno));
        return -1;
    }
    if (set_termios(fd, s->baud, s->format, err, errlen) ||
        loop_watch_fd(s->loop, fd, POLLIN, on_io, s)) {
        close(fd);
        return -1;
    }
    tcflush(fd, TCIOFLUSH);
    s->fd = fd;
    s->inlen = s->outlen = 0;
    return 0;
}

/* Ends the weighing with a final reading (the callback may start the next one). */
static void finish(struct scale_serial *s, enum scale_state st, int64_t weight_g, int64_t amount, const char *text)
{
    if (s->timer)
        loop_cancel_timer(s->loop, s->timer);
    s->timer = 0;
    s->step = SCALE_IDLE;
    struct scale_reading r = {.state = st, .final = 1, .weight_g = weight_g, .unit_price = s->unit_price,
                              .amount = amount};
    snprintf(r.text, sizeof r.text, "%s", text ? text : scale_state_name(st));
    snprintf(s->last, sizeof s->last, "%s", r.text);
    scale_cb cb = s->cb;
    s->cb = NULL;
    if (cb)
        cb(s->ctx, &r);
}

static void progress(struct scale_serial *s, enum scale_state st, const char *text)
{
    struct scale_reading r = {.state = st, .final = 0, .unit_price = s->unit_price};
    snprintf(r.text, sizeof r.text, "%s", text);
    snprintf(s->last, sizeof s->last, "%s", text);
    if (s->cb)
        s->cb(s->ctx, &r);
}

static void unplugged(struct scale_serial *s, const char *why)
{
    port_close(s);
    if (s->step != SCALE_IDLE) {
        char text[128];
        snprintf(text, sizeof text, "scale unplugged (%s)", why);
        finish(s, SCALE_UNPLUGGED, 0, 0, text);
    } else {
        snprintf(s->last, sizeof s->last, "unplugged (%s)", why);
    }
}

static void flush_out(struct scale_serial *s)
{
    while (s->fd >= 0 && s->outlen) {
        ssize_t n = write(s->fd, s->out, s->outlen);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        if (n <= 0) {
            unplugged(s, strerror(errno));
            return;
        }
        memmove(s->out, s->out + n, s->outlen - (size_t)n);
        s->outlen -= (size_t)n;
    }
    if (s->fd >= 0)
        loop_watch_fd(s->loop, s->fd, POLLIN | (s->outlen ? POLLOUT : 0), on_io, s);
}

static void on_timeout(struct loop *loop, void *ctx);

/* Sends a frame and waits for its answer in step. */
static void send_frame(struct scale_serial *s, const uint8_t *frame, size_t len, enum scale_step step)
{
    if (!len || s->outlen + len > sizeof s->out) {
        finish(s, SCALE_FAILED, 0, 0, "the request does not fit the scale's record");
        return;
    }
    memcpy(s->out + s->outlen, frame, len);
    s->outlen += len;
    s->step = step;
    if (s->timer)
        loop_cancel_timer(s->loop, s->timer);
    s->timer = loop_add_timer(s->loop, s->timeout_ms, on_timeout, s);
    flush_out(s);
}

static void send_price(struct scale_serial *s)
{
    uint8_t f[D06_MAX_FRAME];
    size_t n = d06_encode_price(s->unit_price, s->tare_g, s->text, f, sizeof f);
    if (!n) {
        finish(s, SCALE_FAILED, 0, 0, "unit price or tare too large for the scale");
        return;
    }
    send_frame(s, f, n, SCALE_WAIT_ACK);
}

static void send_request(struct scale_serial *s)
{
    uint8_t f[8];
    size_t n = s->proto == SCALE_PROTO_DIALOG06 ? d06_encode_request(f, sizeof f)
                                                 : ncr_encode_weight_request(f, sizeof f);
    send_frame(s, f, n, SCALE_WAIT_DATA);
}

static void on_timeout(struct loop *loop, void *ctx)
{
    struct scale_serial *s = ctx;
    s->timer = 0;
    if (s->step == SCALE_PAUSE) {
        send_request(s);
        return;
    }
    if (s->step != SCALE_IDLE)
        finish(s, SCALE_NO_ANSWER, 0, 0, "the scale does not answer");
}

/* Motion or an empty scale: say so and ask again after poll_ms. */
static void ask_again(struct scale_serial *s, enum scale_state st, const char *text)
{
    progress(s, st, text);
    if (s->step == SCALE_IDLE || !s->cb)
        return;  /* cancelled from the callback */
    s->step = SCALE_PAUSE;
    if (s->timer)
        loop_cancel_timer(s->loop, s->timer);
    s->timer = loop_add_timer(s->loop, s->poll_ms, on_timeout, s);
}

static void on_d06_status(struct scale_serial *s, int status)
{
    char buf[32], text[96];
    const char *what = d06_status_text(status, buf, sizeof buf);
    switch (status) {
    case D06_ST_MOTION:
    case D06_ST_NO_PRICE:
        ask_again(s, SCALE_MOTION, "weighing");
        return;
    case D06_ST_NO_MOTION:
        ask_again(s, SCALE_MOTION, "take the item off the scale and put it back");
        return;
    case D06_ST_OK:
        if (s->step == SCALE_WAIT_ACK)
            send_request(s);
        else
            ask_again(s, SCALE_MOTION, "weighing");
        return;
    case D06_ST_BELOW_MIN: finish(s, SCALE_BELOW_MIN, 0, 0, "below the scale's minimum weight"); return;
    case D06_ST_UNDER_ZERO: finish(s, SCALE_UNDER_ZERO, 0, 0, "the scale is under zero"); return;
    case D06_ST_OVERLOAD: finish(s, SCALE_OVERLOAD, 0, 0, "the scale is overloaded"); return;
    }
    snprintf(text, sizeof text, "the scale refused: %s", what);
    finish(s, SCALE_FAILED, 0, 0, text);
}

static void on_d06_frame(struct scale_serial *s, const struct d06_frame *f)
{
    switch (f->kind) {
    case D06_GARBAGE:
        return;  /* noise on the line: the answer may still come, or the timer ends it */
    case D06_ACK_FRAME:
        if (s->step == SCALE_WAIT_ACK) {
            send_request(s);
        } else if (s->step == SCALE_WAIT_CHECKSUM_ACK) {
            send_price(s);
        }
        return;
    case D06_NAK_FRAME:
        if (s->step != SCALE_WAIT_ACK && s->step != SCALE_WAIT_CHECKSUM_ACK)
            return;
        if (++s->naks > 2) {
            finish(s, SCALE_FAILED, 0, 0, s->step == SCALE_WAIT_ACK ? "the scale refuses the unit price"
                                                                    : "the scale refuses the checksum");
            return;
        }
        send_price(s);
        return;
    case D06_WEIGHT:
        if (s->step != SCALE_WAIT_DATA)
            return;
        finish(s, f->weight_g > 0 ? SCALE_STABLE : SCALE_BELOW_MIN, f->weight_g, f->amount,
               f->weight_g > 0 ? NULL : "below the scale's minimum weight");
        return;
    case D06_STATUS:
        if (s->step == SCALE_WAIT_DATA || s->step == SCALE_WAIT_ACK)
            on_d06_status(s, f->status);
        return;
    case D06_CHECKSUM_REQ:
        if (s->step == SCALE_IDLE || s->step == SCALE_PAUSE)
            return;
        if (!s->has_table) {
            finish(s, SCALE_FAILED, 0, 0, "the scale asks for the checksum dialogue: set scale.checksum_table");
            return;
        }
        if (f->d0 != '2' || ++s->checksums > 3) {
            finish(s, SCALE_FAILED, 0, 0, "the scale does not accept the checksum");
            return;
        }
        uint8_t out[D06_MAX_FRAME];
        send_frame(s, out, d06_encode_checksum(s->table[f->row], out, sizeof out), SCALE_WAIT_CHECKSUM_ACK);
        return;
    }
}

static void on_ncr_frame(struct scale_serial *s, const struct ncr_frame *f)
{
    if (s->step != SCALE_WAIT_DATA || f->kind == NCR_GARBAGE)
        return;
    if (f->kind == NCR_WEIGHT) {
        if (!f->metric)
            finish(s, SCALE_FAILED, 0, 0, "the scale weighs in pounds: set it to metric");
        else if (f->weight == 0)
            ask_again(s, SCALE_EMPTY, "put the item on the scale");
        else if (f->weight < s->min_g)
            finish(s, SCALE_BELOW_MIN, f->weight, 0, "below the scale's minimum weight");
        else
            finish(s, SCALE_STABLE, f->weight, 0, NULL);
        return;
    }
    switch (f->status) {
    case NCR_ST_MOTION: ask_again(s, SCALE_MOTION, "weighing"); return;
    case NCR_ST_ZERO: ask_again(s, SCALE_EMPTY, "put the item on the scale"); return;
    case NCR_ST_WEIGHT: ask_again(s, SCALE_MOTION, "weighing"); return;
    case NCR_ST_OVER_CAPACITY: finish(s, SCALE_OVERLOAD, 0, 0, "the scale is overloaded"); return;
    case NCR_ST_UNDER_ZERO: finish(s, SCALE_UNDER_ZERO, 0, 0, "the scale is under zero"); return;
    default: finish(s, SCALE_FAILED, 0, 0, "the scale is not ready"); return;
    }
}

static void parse_input(struct scale_serial *s)
{
    size_t off = 0;
    while (off < s->inlen && s->fd >= 0) {
        long used;
        if (s->proto == SCALE_PROTO_DIALOG06) {
            struct d06_frame f;
            used = d06_parse(s->in + off, s->inlen - off, &f);
            if (used <= 0)
                break;
            off += (size_t)used;
            on_d06_frame(s, &f);
        } else {
            struct ncr_frame f;
            used = ncr_parse(s->in + off, s->inlen - off, &f);
            if (used <= 0)
                break;
            off += (size_t)used;
            on_ncr_frame(s, &f);
        }
    }
    if (s->fd < 0)
        return;
    memmove(s->in, s->in + off, s->inlen - off);
    s->inlen -= off;
}

static void on_io(struct loop *loop, int fd, short revents, void *ctx)
{
    struct scale_serial *s = ctx;
    if (revents & POLLOUT)
        flush_out(s);
    if (s->fd < 0)
        return;
    if (revents & POLLIN) {
        ssize_t n = read(s->fd, s->in + s->inlen, sizeof s->in - s->inlen);
        if (n > 0) {
            s->inlen += (size_t)n;
            parse_input(s);
            if (s->fd >= 0 && s->inlen == sizeof s->in)
                s->inlen = 0;  /* a full buffer without one frame in it: noise */
            return;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        unplugged(s, n == 0 ? "end of file" : strerror(errno));
        return;
    }
    if (revents & (POLLHUP | POLLERR | POLLNVAL))
        unplugged(s, "the port hung up");
}

int scale_checksum_table_load(const char *path, uint8_t table[256][D06_CHECKSUM_LEN], char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "checksum table %s: %s", path, strerror(errno));
        return -1;
    }
    char line[64];
    int row = 0;
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n");
        line[n] = 0;
        int ok = row < 256 && n == D06_CHECKSUM_LEN;
        for (size_t i = 0; ok && i < n; i++)
            ok = line[i] > 0x20 && line[i] < 0x7f;
        if (!ok) {
            fclose(f);
            snprintf(err, errlen, "checksum table %s:%d: not 16 printable characters", path, row + 1);
            return -1;
        }
        memcpy(table[row++], line, D06_CHECKSUM_LEN);
    }
    fclose(f);
    if (row != 256) {
        snprintf(err, errlen, "checksum table %s: %d rows, not 256", path, row);
        return -1;
    }
    return 0;
}

static int get_ms(const struct config *cfg, const char *prefix, const char *name, long long def, long long lo,
                  long long hi, long long *out, char *err, size_t errlen)
{
    char key[96];
    snprintf(key, sizeof key, "%s.%s", prefix, name);
    if (config_get_int(cfg, key, def, out) || *out < lo || *out > hi) {
        snprintf(err, errlen, "%s must be a number from %lld to %lld", key, lo, hi);
        return -1;
    }
    return 0;
}

int scale_serial_setup(struct scale_serial *s, struct loop *loop, enum scale_proto proto, const char *device,
                       const struct config *cfg, const char *prefix, char *err, size_t errlen)
{
    char key[96];
    long long baud, timeout, poll, min;
    s->loop = loop;
    s->proto = proto;
    s->fd = -1;
    if (!device) {
        snprintf(key, sizeof key, "%s.device", prefix);
        device = config_get(cfg, key, "/dev/ttyUSB0");
    }
    snprintf(s->device, sizeof s->device, "%s", device);
    if (get_ms(cfg, prefix, "baud", 9600, 1200, 115200, &baud, err, errlen) ||
        get_ms(cfg, prefix, "timeout_ms", 1000, 50, 60000, &timeout, err, errlen) ||
        get_ms(cfg, prefix, "poll_ms", 200, 10, 10000, &poll, err, errlen) ||
        get_ms(cfg, prefix, "min_g", 0, 0, 99999, &min, err, errlen))
        return -1;
    int known = 0;
    for (size_t i = 0; i < sizeof bauds / sizeof bauds[0]; i++)
        known |= bauds[i].baud == baud;
    if (!known) {
        snprintf(err, errlen, "%s.baud: %lld is not a serial speed (1200 .. 115200)", prefix, baud);
        return -1;
    }
    snprintf(key, sizeof key, "%s.format", prefix);
    const char *format = config_get(cfg, key, "7E1");
    if (strcmp(format, "7E1") && strcmp(format, "7O1") && strcmp(format, "8N1")) {
        snprintf(err, errlen, "%s must be 7E1, 7O1 or 8N1", key);
        return -1;
    }
    snprintf(s->format, sizeof s->format, "%s", format);
    s->baud = (int)baud;
    s->timeout_ms = (int)timeout;
    s->poll_ms = (int)poll;
    s->min_g = min;
    snprintf(key, sizeof key, "%s.checksum_table", prefix);
    const char *table = config_get(cfg, key, NULL);
    if (table && table[0]) {
        if (scale_checksum_table_load(table, s->table, err, errlen))
            return -1;
        s->has_table = 1;
    }
    char perr[160];
    if (port_open(s, perr, sizeof perr))
        snprintf(s->last, sizeof s->last, "%s", perr);
    else
        snprintf(s->last, sizeof s->last, "ready");
    return 0;
}

void scale_serial_close(struct scale_serial *s)
{
    if (s->timer)
        loop_cancel_timer(s->loop, s->timer);
    s->timer = 0;
    s->step = SCALE_IDLE;
    s->cb = NULL;
    port_close(s);
}

int scale_serial_weigh(struct scale_serial *s, int64_t unit_price, int64_t tare_g, const char *text, scale_cb cb,
                       void *ctx)
{
    if (s->step != SCALE_IDLE)
        return -1;
    s->cb = cb;
    s->ctx = ctx;
    s->unit_price = unit_price;
    s->tare_g = tare_g;
    snprintf(s->text, sizeof s->text, "%s", text ? text : "");
    s->naks = s->checksums = 0;
    s->step = SCALE_WAIT_DATA;  /* busy from here on, whatever follows */
    char perr[160];
    if (port_open(s, perr, sizeof perr)) {
        char msg[200];
        snprintf(msg, sizeof msg, "scale unplugged (%s)", perr);
        finish(s, SCALE_UNPLUGGED, 0, 0, msg);
        return 0;
    }
    if (s->proto == SCALE_PROTO_DIALOG06)
        send_price(s);
    else
        send_request(s);
    return 0;
}

void scale_serial_cancel(struct scale_serial *s)
{
    if (s->timer)
        loop_cancel_timer(s->loop, s->timer);
    s->timer = 0;
    s->step = SCALE_IDLE;
    s->cb = NULL;
}

void scale_serial_status(struct scale_serial *s, char *text, size_t len)
{
    snprintf(text, len, "%s on %s: %s", s->proto == SCALE_PROTO_DIALOG06 ? "dialog06" : "ncr", s->device,
             s->last);
}

/* The two serial drivers: the same engine, each its protocol. */
static int d06_open(void *priv, struct loop *loop, const struct config *cfg, const char *prefix, char *err,
                    size_t errlen)
{
    return scale_serial_setup(priv, loop, SCALE_PROTO_DIALOG06, NULL, cfg, prefix, err, errlen);
}

static int ncr_open(void *priv, struct loop *loop, const struct config *cfg, const char *prefix, char *err,
                    size_t errlen)
{
    return scale_serial_setup(priv, loop, SCALE_PROTO_NCR, NULL, cfg, prefix, err, errlen);
}

static void ser_close(void *priv)
{
    scale_serial_close(priv);
}

static int ser_weigh(void *priv, int64_t unit_price, int64_t tare_g, const char *text, scale_cb cb, void *ctx)
{
    return scale_serial_weigh(priv, unit_price, tare_g, text, cb, ctx);
}

static void ser_cancel(void *priv)
{
    scale_serial_cancel(priv);
}

static void ser_status(void *priv, char *text, size_t len)
{
    scale_serial_status(priv, text, len);
}

const struct scale_ops scale_dialog06_ops = {
    .drv = {.kind = DRIVER_SCALE, .version = SCALE_OPS_VERSION, .priv_size = sizeof(struct scale_serial),
            .name = "dialog06"},
    .open = d06_open,
    .close = ser_close,
    .weigh = ser_weigh,
    .cancel = ser_cancel,
    .status = ser_status,
};

const struct scale_ops scale_ncr_ops = {
    .drv = {.kind = DRIVER_SCALE, .version = SCALE_OPS_VERSION, .priv_size = sizeof(struct scale_serial),
            .name = "ncr"},
    .open = ncr_open,
    .close = ser_close,
    .weigh = ser_weigh,
    .cancel = ser_cancel,
    .status = ser_status,
};
