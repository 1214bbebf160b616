/* The print job engine, the same for every printer driver (see drivers/printer.h). */
#include "drivers/printer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/escpos.h"
#include "src/config.h"
#include "src/loop.h"

enum job_state {
    JOB_IDLE,
    JOB_CONNECTING,
    JOB_STATUS_BEFORE,   /* DLE EOT sent, waiting for the answers */
    JOB_WRITING,
    JOB_STATUS_AFTER,
};

struct printer {
    const struct printer_ops *ops;
    void *priv;
    struct loop *loop;
    struct printer_events ev;
    struct printer_link link;
    int timeout_ms;
    int status_enabled;      /* printer.status = yes: ask DLE EOT around each job */

    enum job_state state;
    int status_only;         /* the job is a status query */
    int is_kick;             /* the job is the drawer's kick pulse */
    unsigned char kick[8];   /* a kick asked for while busy, sent next */
    size_t kick_len;
    unsigned flags;
    unsigned char *job;
    size_t job_len;
    uint64_t timer;
    uint64_t finish_timer;   /* job_done runs from the loop, never inside a driver callback */
    int finished_ok;
    char finished_why[96];
    struct escpos_status_reader reader;
    struct printer_status last;
};

static void report(struct printer *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(struct printer *p, const char *fmt, ...)
{
    char text[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (p->ev.status)
        p->ev.status(p->ev.ctx, &p->last, text);
}

static int start_job(struct printer *p, const unsigned char *bytes, size_t len, unsigned flags, int is_kick);

/* A job ended: a waiting kick goes first (the drawer should not wait for a receipt), then
 * the owner hears how the job went, then that the printer is free. */
static void on_finish(struct loop *loop, void *ctx)
{
    struct printer *p = ctx;
    p->finish_timer = 0;
    p->state = JOB_IDLE;
    free(p->job);
    p->job = NULL;
    int was_print = !p->status_only && !p->is_kick;
    p->status_only = 0;
    p->is_kick = 0;
    if (p->kick_len) {
        size_t n = p->kick_len;
        p->kick_len = 0;
        start_job(p, p->kick, n, PRINTER_JOB_ANY_PAPER, 1);
    }
    if (was_print && p->ev.job_done)
        p->ev.job_done(p->ev.ctx, p->finished_ok, p->finished_why);
    if (p->state == JOB_IDLE && p->ev.idle)
        p->ev.idle(p->ev.ctx);
}

/* Ends the job: disconnects, then tells the owner on the next loop turn. */
static void finish(struct printer *p, int ok, const char *why)
{
    if (p->state == JOB_IDLE || p->finish_timer)
        return;
    if (p->timer)
        loop_cancel_timer(p->loop, p->timer);
    p->timer = 0;
    p->ops->disconnect(p->priv, !ok);
    p->finished_ok = ok;
    snprintf(p->finished_why, sizeof p->finished_why, "%s", why ? why : "");
    p->finish_timer = loop_add_timer(p->loop, 0, on_finish, p);
}

static void on_timeout(struct loop *loop, void *ctx)
{
    struct printer *p = ctx;
    p->timer = 0;
    const char *why = p->state == JOB_CONNECTING ? "printer not reachable (timed out)"
                                                 : "printer not answering (timed out)";
    report(p, "%s", why);
    finish(p, 0, why);
}

static void arm(struct printer *p)
{
    if (p->timer)
        loop_cancel_timer(p->loop, p->timer);
    p->timer = loop_add_timer(p->loop, p->timeout_ms, on_timeout, p);
}

static int reads_status(struct printer *p)
{
    return p->status_enabled && p->ops->can_read(p->priv);
}

static void ask_status(struct printer *p, enum job_state next)
{
    struct escpos_buf b;
    escpos_buf_init(&b, ESCPOS_PC858);
    escpos_status_reset(&p->reader);
    for (int n = 1; n <= 4; n++) {
        escpos_status_request(&b, n);
        escpos_status_expect(&p->reader, n);
    }
    p->state = next;
    arm(p);
    if (b.failed || p->ops->write(p->priv, b.p, b.len))
        finish(p, 0, "printer: cannot send");
    escpos_buf_free(&b);
}

static void send_job(struct printer *p)
{
    p->state = JOB_WRITING;
    arm(p);
    if (p->ops->write(p->priv, p->job, p->job_len))
        finish(p, 0, "printer: cannot send");
}

static void link_connected(void *ctx)
{
    struct printer *p = ctx;
    if (p->state != JOB_CONNECTING)
        return;
    if (reads_status(p))
        ask_status(p, JOB_STATUS_BEFORE);
    else if (p->status_only)
        finish(p, 1, NULL);
    else
        send_job(p);
}

static void link_connect_failed(void *ctx, const char *why)
{
    struct printer *p = ctx;
    if (p->state != JOB_CONNECTING)
        return;
    memset(&p->last, 0, sizeof p->last);
    report(p, "printer not connected: %s", why);
    char msg[96];
    snprintf(msg, sizeof msg, "printer not connected: %s", why);
    finish(p, 0, msg);
}

/* The status answers are in: go on, or stop with what the printer said. */
static void status_complete(struct printer *p)
{
    p->last = p->reader.st;
    char what[96];
    printer_status_describe(&p->last, what, sizeof what);
    report(p, "printer: %s", what);
    int can = printer_status_can_print(&p->last);
    if (p->status_only) {
        finish(p, 1, NULL);
    } else if (p->state == JOB_STATUS_BEFORE) {
        if (can || (p->flags & PRINTER_JOB_ANY_PAPER))
            send_job(p);
        else
            finish(p, 0, what);
    } else {
        /* After the job: a printer that ran out of paper on the way did not print it all. */
        if (can || (p->flags & PRINTER_JOB_ANY_PAPER))
            finish(p, 1, NULL);
        else
            finish(p, 0, what);
    }
}

static void link_received(void *ctx, const unsigned char *b, size_t n)
{
    struct printer *p = ctx;
    if (p->state != JOB_STATUS_BEFORE && p->state != JOB_STATUS_AFTER)
        return; /* nothing asked: stray bytes */
    if (escpos_status_feed(&p->reader, b, n) > 0 && p->reader.npending == 0)
        status_complete(p);
}

static void link_written(void *ctx)
{
    struct printer *p = ctx;
    if (p->state != JOB_WRITING)
        return; /* the status requests went out: the answers are awaited */
    if (reads_status(p))
        ask_status(p, JOB_STATUS_AFTER);
    else
        finish(p, 1, NULL);
}

static void link_lost(void *ctx, const char *why)
{
    struct printer *p = ctx;
    memset(&p->last, 0, sizeof p->last);
    report(p, "printer not connected: %s", why);
    if (p->state != JOB_IDLE) {
        char msg[96];
        snprintf(msg, sizeof msg, "printer connection lost: %s", why);
        finish(p, 0, msg);
    }
}

static void link_arrived(void *ctx)
{
    struct printer *p = ctx;
    report(p, "%s", "printer connected");
}

int printer_open(const char *driver, struct loop *loop, const struct config *cfg,
                 const struct printer_events *ev, struct printer **out, char *err, size_t errlen)
{
    if (!driver_find(DRIVER_PRINTER, driver, err, errlen))
        return -1; /* an unknown driver is named before the settings are checked */
    long long timeout;
    if (config_get_int(cfg, "printer.timeout_ms", 5000, &timeout) || timeout < 100 || timeout > 600000) {
        snprintf(err, errlen, "printer.timeout_ms must be milliseconds between 100 and 600000");
        return -1;
    }
    const char *st = config_get(cfg, "printer.status", "yes");
    if (strcmp(st, "yes") && strcmp(st, "no")) {
        snprintf(err, errlen, "printer.status must be yes (ask the printer for paper and cover state) or no");
        return -1;
    }
    const struct driver_header *h;
    void *handle, *priv;
    if (driver_open(DRIVER_PRINTER, driver, sizeof(struct printer), &h, &handle, &priv, err, errlen))
        return -1;
    struct printer *p = handle;
    p->ops = (const struct printer_ops *)h;  /* drv is the first member */
    p->priv = priv;
    p->loop = loop;
    p->ev = *ev;
    p->timeout_ms = (int)timeout;
    p->status_enabled = strcmp(st, "yes") == 0;
    p->link = (struct printer_link){ link_connected, link_connect_failed, link_received,
                                     link_written, link_lost, link_arrived, p };
    if (p->ops->open(priv, loop, cfg, &p->link, err, errlen)) {
        driver_free(p, priv);
        return -1;
    }
    *out = p;
    return 0;
}

void printer_close(struct printer *p)
{
    if (!p)
        return;
    if (p->timer)
        loop_cancel_timer(p->loop, p->timer);
    if (p->finish_timer)
        loop_cancel_timer(p->loop, p->finish_timer);
    if (p->state != JOB_IDLE)
        p->ops->disconnect(p->priv, 1);
    p->ops->close(p->priv);
    free(p->job);
    driver_free(p, p->priv);
}

static int start(struct printer *p)
{
    p->state = JOB_CONNECTING;
    arm(p);
    p->ops->connect(p->priv);
    return 0;
}

static int start_job(struct printer *p, const unsigned char *bytes, size_t len, unsigned flags, int is_kick)
{
    p->job = malloc(len);
    if (!p->job)
        return -1;
    memcpy(p->job, bytes, len);
    p->job_len = len;
    p->flags = flags;
    p->status_only = 0;
    p->is_kick = is_kick;
    return start(p);
}

int printer_print(struct printer *p, const unsigned char *bytes, size_t len, unsigned flags)
{
    if (!p || p->state != JOB_IDLE || p->finish_timer || len == 0)
        return -1;
    return start_job(p, bytes, len, flags, 0);
}

int printer_kick(struct printer *p, int pin, int on_ms, int off_ms)
{
    if (!p)
        return -1;
    struct escpos_buf b;
    escpos_buf_init(&b, ESCPOS_PC858);
    escpos_kick(&b, pin == 5 ? ESCPOS_PIN5 : ESCPOS_PIN2, on_ms, off_ms);
    int rc = -1;
    if (!b.failed && b.len <= sizeof p->kick) {
        if (p->state == JOB_IDLE && !p->finish_timer) {
            rc = start_job(p, b.p, b.len, PRINTER_JOB_ANY_PAPER, 1);
        } else {
            memcpy(p->kick, b.p, b.len);   /* one pending kick is enough */
            p->kick_len = b.len;
            rc = 0;
        }
    }
    escpos_buf_free(&b);
    return rc;
}

int printer_query_status(struct printer *p)
{
    if (!p || p->state != JOB_IDLE || p->finish_timer)
        return -1;
    p->status_only = 1;
    p->flags = 0;
    return start(p);
}

int printer_busy(const struct printer *p)
{
    return p && (p->state != JOB_IDLE || p->finish_timer);
}

const struct printer_status *printer_last_status(const struct printer *p)
{
    return &p->last;
}

int printer_reads_status(const struct printer *p)
{
    return p->status_enabled && p->ops->can_read(p->priv);
}

const char *printer_driver_name(const struct printer *p)
{
    return p->ops->drv.name;
}
