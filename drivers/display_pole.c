/* A 2x20 pole display on a serial line or USB CDC port (display.device.path, e.g.
 * /dev/ttyACM0) or on the network (display.tcp.host, display.tcp.port).  Writes are
 * non-blocking; a frame that cannot go now waits, replaced by any newer one. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "drivers/display.h"
#include "src/config.h"
#include "src/loop.h"

struct display_pole {
    struct loop *loop;
    char path[256];
    struct sockaddr_storage addr;
    socklen_t addrlen;
    int use_tcp;
    int retry_ms;
    int fd;
    int connecting;
    int64_t next_try_ms;
    unsigned char *out;   /* the frame going out */
    size_t len, off;
    unsigned char *next;  /* the newest frame waiting behind it */
    size_t next_len;
};

static void drop(struct display_pole *d)
{
    if (d->fd >= 0) {
        loop_unwatch_fd(d->loop, d->fd);
        close(d->fd);
    }
    d->fd = -1;
    d->connecting = 0;
    d->next_try_ms = loop_now_ms(d->loop) + d->retry_ms;
    d->off = d->len; /* a half-sent frame is abandoned: the next one starts from the top */
}

static void on_fd(struct loop *loop, int fd, short revents, void *ctx);

static void rewatch(struct display_pole *d)
{
    if (d->fd < 0)
        return;
    if (d->connecting || d->off < d->len)
        loop_watch_fd(d->loop, d->fd, POLLOUT, on_fd, d);
    else
        loop_unwatch_fd(d->loop, d->fd);
}

static void advance(struct display_pole *d)
{
    if (d->off == d->len && d->next) {
        free(d->out);
        d->out = d->next;
        d->len = d->next_len;
        d->off = 0;
        d->next = NULL;
    }
    rewatch(d);
}

static void on_fd(struct loop *loop, int fd, short revents, void *ctx)
{
    struct display_pole *d = ctx;
    if (d->connecting) {
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
        if (soerr) {
            drop(d);
            return;
        }
        d->connecting = 0;
    }
    if (d->off < d->len) {
        ssize_t n = d->use_tcp ? send(fd, d->out + d->off, d->len - d->off, MSG_NOSIGNAL)
                               : write(fd, d->out + d->off, d->len - d->off);
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            drop(d);
            return;
        }
        if (n > 0)
            d->off += (size_t)n;
    }
    advance(d);
}

static void try_open(struct display_pole *d)
{
    if (d->fd >= 0 || loop_now_ms(d->loop) < d->next_try_ms)
        return;
    if (d->use_tcp) {
        int fd = socket(d->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return;
        if (connect(fd, (struct sockaddr *)&d->addr, d->addrlen) && errno != EINPROGRESS) {
            close(fd);
            d->next_try_ms = loop_now_ms(d->loop) + d->retry_ms;
            return;
        }
        d->fd = fd;
        d->connecting = 1;
        return;
    }
    d->fd = open(d->path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (d->fd < 0)
        d->next_try_ms = loop_now_ms(d->loop) + d->retry_ms;
}

static int pole_open(void *priv, struct loop *loop, const struct config *cfg, char *err, size_t errlen)
{
    struct display_pole *d = priv;
    d->loop = loop;
    d->fd = -1;
    long long ms;
    if (config_get_int(cfg, "display.retry_ms", 5000, &ms) || ms < 100 || ms > 600000) {
        snprintf(err, errlen, "display.retry_ms must be milliseconds between 100 and 600000");
        return -1;
    }
    d->retry_ms = (int)ms;
    const char *host = config_get(cfg, "display.tcp.host", "");
    if (*host) {
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
        const char *port = config_get(cfg, "display.tcp.port", "9100");
        int rc = getaddrinfo(host, port, &hints, &res);
        if (rc) {
            snprintf(err, errlen, "display.tcp.host %s port %s: %s", host, port, gai_strerror(rc));
            return -1;
        }
        memcpy(&d->addr, res->ai_addr, res->ai_addrlen);
        d->addrlen = res->ai_addrlen;
        freeaddrinfo(res);
        d->use_tcp = 1;
        return 0;
    }
    const char *path = config_get(cfg, "display.device.path", "");
    if (!*path) {
        snprintf(err, errlen, "display.driver = pole needs display.device.path (e.g. /dev/ttyACM0) or display.tcp.host");
        return -1;
    }
    snprintf(d->path, sizeof d->path, "%s", path);
    return 0;
}

static void pole_show(void *priv, const unsigned char *frame, size_t n)
{
    struct display_pole *d = priv;
    unsigned char *copy = malloc(n ? n : 1);
    if (!copy)
        return;
    memcpy(copy, frame, n);
    free(d->next);
    d->next = copy;
    d->next_len = n;
    try_open(d);
    if (d->fd >= 0)
        advance(d);
}

static void pole_close(void *priv)
{
    struct display_pole *d = priv;
    if (d->fd >= 0) {
        loop_unwatch_fd(d->loop, d->fd);
        close(d->fd);
    }
    d->fd = -1;
    free(d->out);
    free(d->next);
    d->out = d->next = NULL;
}

const struct display_ops display_pole_ops = {
    .drv = { DRIVER_DISPLAY, DISPLAY_OPS_VERSION, sizeof(struct display_pole), "pole" },
    .open = pole_open,
    .show = pole_show,
    .close = pole_close,
};
