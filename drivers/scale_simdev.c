/* The simulated scale device on a pty (scale_simdev.h). */
#include "drivers/scale_simdev.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "drivers/scale_ncr.h"
#include "src/loop.h"

enum sim_state { ST_STABLE, ST_MOTION, ST_UNDER_ZERO, ST_OVERLOAD, ST_BELOW_MIN, ST_EMPTY, ST_SILENT,
                 ST_GARBAGE, ST_CHECKSUM, ST_UNPLUG };

static const char *const state_names[] = {"stable", "motion", "under_zero", "overload", "below_min",
                                          "empty", "silent", "garbage", "checksum", "unplug"};

#define MAX_STEPS 16
#define CHECKSUM_ROW 0x2A

struct step {
    enum sim_state state;
    int64_t grams;
    int64_t ms;  /* 0: until the script changes */
};

struct scale_simdev {
    struct loop *loop;
    enum scale_proto proto;
    int master, slave;
    struct step steps[MAX_STEPS];
    int nsteps, cur;
    int64_t step_began;  /* -1: not yet */
    uint8_t table[256][D06_CHECKSUM_LEN];
    int64_t price, tare;
    uint8_t in[256];
    size_t inlen;
    struct scale_simdev_stats stats;
};

static int parse_script(const char *script, struct step *steps, int *n, char *err, size_t errlen)
{
    *n = 0;
    const char *p = script;
    while (*p) {
        size_t len = strcspn(p, ",");
        char word[64];
        if (len == 0 || len >= sizeof word || *n == MAX_STEPS) {
            snprintf(err, errlen, "scale script: bad step at '%s'", p);
            return -1;
        }
        memcpy(word, p, len);
        word[len] = 0;
        struct step st = {0};
        char *slash = strchr(word, '/');
        if (slash) {
            *slash = 0;
            char *end;
            st.ms = strtoll(slash + 1, &end, 10);
            if (*end || st.ms <= 0) {
                snprintf(err, errlen, "scale script: bad duration in '%s'", p);
                return -1;
            }
        }
        char *eq = strchr(word, '=');
        if (eq) {
            *eq = 0;
            char *end;
            st.grams = strtoll(eq + 1, &end, 10);
            if (*end || st.grams < 0 || st.grams > 99999) {
                snprintf(err, errlen, "scale script: bad weight in '%s'", p);
                return -1;
            }
        }
        size_t k = 0;
        while (k < sizeof state_names / sizeof state_names[0] && strcmp(word, state_names[k]))
            k++;
        if (k == sizeof state_names / sizeof state_names[0]) {
            snprintf(err, errlen, "scale script: unknown state '%s'", word);
            return -1;
        }
        st.state = (enum sim_state)k;
        steps[(*n)++] = st;
        p += len;
        if (*p == ',')
            p++;
    }
    if (*n == 0) {
        snprintf(err, errlen, "scale script: empty");
        return -1;
    }
    return 0;
}

/* The step in effect now: steps with a duration give way once it has passed. */
static struct step *current(struct scale_simdev *d)
{
    int64_t now = loop_now_ms(d->loop);
    if (d->step_began < 0)
        d->step_began = now;
    while (d->cur + 1 < d->nsteps && d->steps[d->cur].ms && now - d->step_began >= d->steps[d->cur].ms) {
        d->step_began += d->steps[d->cur].ms;
        d->cur++;
    }
    return &d->steps[d->cur];
}

static void next_step(struct scale_simdev *d)
{
    if (d->cur + 1 < d->nsteps)
        d->cur++;
    d->step_began = loop_now_ms(d->loop);
}

static void send_bytes(struct scale_simdev *d, const void *buf, size_t n)
{
    /* a pty takes a few kB; the answers are tens of bytes */
    if (d->master >= 0 && n && write(d->master, buf, n) < 0)
        return;
}

static void unplug(struct scale_simdev *d)
{
    if (d->master >= 0) {
        loop_unwatch_fd(d->loop, d->master);
        close(d->master);
        d->master = -1;
    }
    if (d->slave >= 0) {
        close(d->slave);
        d->slave = -1;
    }
}

static int d06_status_of(enum sim_state st)
{
    switch (st) {
    case ST_MOTION: return D06_ST_MOTION;
    case ST_UNDER_ZERO: return D06_ST_UNDER_ZERO;
    case ST_OVERLOAD: return D06_ST_OVERLOAD;
    default: return D06_ST_BELOW_MIN;  /* below min, empty */
    }
}

/* Answers a data request (or an NCR S11/S14) in the current state. */
static void answer(struct scale_simdev *d, int ncr_cmd)
{
    struct step *st = current(d);
    uint8_t out[D06_MAX_FRAME];
    size_t n = 0;
    switch (st->state) {
    case ST_SILENT:
        return;
    case ST_UNPLUG:
        unplug(d);
        return;
    case ST_GARBAGE:
        send_bytes(d, "\xff\x13garbage\x7f\r", 12);
        return;
    case ST_CHECKSUM:
        if (d->proto == SCALE_PROTO_DIALOG06) {
            n = d06_encode_checksum_req(CHECKSUM_ROW, out, sizeof out);
            break;
        }
        next_step(d);
        answer(d, ncr_cmd);
        return;
    case ST_STABLE:
        if (d->proto == SCALE_PROTO_DIALOG06) {
            int64_t amount = (st->grams * d->price + 500) / 1000;
            n = d06_encode_weight(st->grams, d->price, amount, out, sizeof out);
        } else {
            n = ncr_cmd != 14 ? ncr_encode_weight(st->grams, out, sizeof out)
                : st->grams ? ncr_encode_stable_status(st->grams, out, sizeof out)
                            : ncr_encode_status(NCR_ST_ZERO, out, sizeof out);
        }
        break;
    default:
        if (d->proto == SCALE_PROTO_DIALOG06) {
            n = d06_encode_status(d06_status_of(st->state), out, sizeof out);
        } else if (st->state == ST_BELOW_MIN) {
            n = ncr_encode_weight(st->grams ? st->grams : 5, out, sizeof out);  /* the driver refuses */
        } else {
            int s = st->state == ST_MOTION ? NCR_ST_MOTION : st->state == ST_UNDER_ZERO ? NCR_ST_UNDER_ZERO
                  : st->state == ST_OVERLOAD ? NCR_ST_OVER_CAPACITY : NCR_ST_ZERO;
            n = ncr_encode_status(s, out, sizeof out);
        }
        break;
    }
    send_bytes(d, out, n);
}

static void on_d06_request(struct scale_simdev *d, const struct d06_request *r)
{
    struct step *st = current(d);
    if (st->state == ST_SILENT)
        return;
    if (st->state == ST_UNPLUG) {
        unplug(d);
        return;
    }
    uint8_t ack = D06_ACK, nak = D06_NAK;
    switch (r->kind) {
    case D06_REQ_GARBAGE:
        d->stats.garbage_in++;
        send_bytes(d, &nak, 1);
        return;
    case D06_REQ_PRICE:
        d->stats.prices++;
        d->price = d->stats.last_price = r->unit_price;
        d->tare = d->stats.last_tare = r->tare_g;
        send_bytes(d, &ack, 1);
        return;
    case D06_REQ_DATA:
        d->stats.requests++;
        answer(d, 0);
        return;
    case D06_REQ_CHECKSUM:
        if (memcmp(r->checksum, d->table[CHECKSUM_ROW], D06_CHECKSUM_LEN) == 0) {
            d->stats.checksums_ok++;
            if (st->state == ST_CHECKSUM)
                next_step(d);
            send_bytes(d, &ack, 1);
        } else {
            d->stats.checksums_bad++;
            send_bytes(d, &nak, 1);
        }
        return;
    }
}

static void on_master(struct loop *loop, int fd, short revents, void *ctx)
{
    struct scale_simdev *d = ctx;
    if (!(revents & POLLIN)) {
        if (revents & (POLLHUP | POLLERR))
            loop_watch_fd(loop, fd, 0, on_master, d);  /* nobody on the line now: wait */
        return;
    }
    ssize_t n = read(fd, d->in + d->inlen, sizeof d->in - d->inlen);
    if (n <= 0)
        return;
    d->inlen += (size_t)n;
    size_t off = 0;
    while (off < d->inlen && d->master >= 0) {
        long used;
        if (d->proto == SCALE_PROTO_DIALOG06) {
            struct d06_request r;
            used = d06_parse_request(d->in + off, d->inlen - off, &r);
            if (used <= 0)
                break;
            off += (size_t)used;
            on_d06_request(d, &r);
        } else {
            int cmd;
            used = ncr_parse_request(d->in + off, d->inlen - off, &cmd);
            if (used <= 0)
                break;
            off += (size_t)used;
            if (cmd < 0) {
                d->stats.garbage_in++;
                continue;
            }
            d->stats.requests++;
            answer(d, cmd);
        }
    }
    if (d->master < 0)
        return;
    memmove(d->in, d->in + off, d->inlen - off);
    d->inlen -= off;
    if (d->inlen == sizeof d->in)
        d->inlen = 0;
}

void scale_simdev_default_table(uint8_t table[256][D06_CHECKSUM_LEN])
{
    for (int r = 0; r < 256; r++) {
        char row[D06_CHECKSUM_LEN + 1];
        snprintf(row, sizeof row, "ROW%013X", (unsigned)r * 2654435761u);
        memcpy(table[r], row, D06_CHECKSUM_LEN);
    }
}

struct scale_simdev *scale_simdev_open(struct loop *loop, enum scale_proto proto, const char *script,
                                       char *slave, size_t slave_len, char *err, size_t errlen)
{
    struct scale_simdev *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    d->loop = loop;
    d->proto = proto;
    d->master = d->slave = -1;
    d->step_began = -1;
    scale_simdev_default_table(d->table);
    if (parse_script(script, d->steps, &d->nsteps, err, errlen))
        goto fail;
    char name[128];
    if (openpty(&d->master, &d->slave, name, NULL, NULL)) {
        snprintf(err, errlen, "simulated scale: openpty: %s", strerror(errno));
        goto fail;
    }
    struct termios t;
    if (tcgetattr(d->slave, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(d->slave, TCSANOW, &t);
    }
    fcntl(d->master, F_SETFL, fcntl(d->master, F_GETFL) | O_NONBLOCK);
    fcntl(d->master, F_SETFD, FD_CLOEXEC);
    fcntl(d->slave, F_SETFD, FD_CLOEXEC);
    if (loop_watch_fd(loop, d->master, POLLIN, on_master, d)) {
        snprintf(err, errlen, "simulated scale: cannot watch the pty");
        goto fail;
    }
    snprintf(slave, slave_len, "%s", name);
    return d;
fail:
    unplug(d);
    free(d);
    return NULL;
}

void scale_simdev_close(struct scale_simdev *d)
{
    if (!d)
        return;
    unplug(d);
    free(d);
}

int scale_simdev_script(struct scale_simdev *d, const char *script, char *err, size_t errlen)
{
    struct step steps[MAX_STEPS];
    int n;
    if (parse_script(script, steps, &n, err, errlen))
        return -1;
    memcpy(d->steps, steps, sizeof steps);
    d->nsteps = n;
    d->cur = 0;
    d->step_began = -1;
    return 0;
}

void scale_simdev_table(struct scale_simdev *d, const uint8_t table[256][D06_CHECKSUM_LEN])
{
    memcpy(d->table, table, sizeof d->table);
}

void scale_simdev_stats(const struct scale_simdev *d, struct scale_simdev_stats *st)
{
    *st = d->stats;
}
