/* Network receipt printers on raw TCP (port 9100, "JetDirect"): one connection per job,
 * opened without blocking; the printer's status answers come back on the same socket.
 * printer.tcp.host (an address, or a name resolved once at start-up) and printer.tcp.port. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "drivers/printer.h"
#include "drivers/printer_fdio.h"
#include "src/config.h"
#include "src/loop.h"

struct printer_tcp {
    struct printer_fdio io;
    const struct printer_link *link;
    struct sockaddr_storage addr;
    socklen_t addrlen;
};

static int tcp_open(void *priv, struct loop *loop, const struct config *cfg,
                    const struct printer_link *link, char *err, size_t errlen)
{
    struct printer_tcp *t = priv;
    t->link = link;
    fdio_init(&t->io, loop, link);
    const char *host = config_get(cfg, "printer.tcp.host", "");
    const char *port = config_get(cfg, "printer.tcp.port", "9100");
    if (!*host) {
        snprintf(err, errlen, "printer.driver = tcp needs printer.tcp.host (the printer's address)");
        return -1;
    }
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc) {
        snprintf(err, errlen, "printer.tcp.host %s port %s: %s", host, port, gai_strerror(rc));
        return -1;
    }
    memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
    t->addrlen = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static void tcp_connect(void *priv)
{
    struct printer_tcp *t = priv;
    const struct printer_link *l = t->link;
    int fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        l->connect_failed(l->ctx, strerror(errno));
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&t->addr, t->addrlen) == 0) {
        fdio_attach(&t->io, fd, 1, 0);
        l->connected(l->ctx);
        return;
    }
    if (errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        l->connect_failed(l->ctx, e == ECONNREFUSED ? "connection refused" : strerror(e));
        return;
    }
    fdio_attach(&t->io, fd, 1, 1);
}

static int tcp_write(void *priv, const unsigned char *p, size_t n)
{
    return fdio_write(&((struct printer_tcp *)priv)->io, p, n);
}

static int tcp_can_read(void *priv)
{
    return 1;
}

static void tcp_disconnect(void *priv, int abort)
{
    fdio_close(&((struct printer_tcp *)priv)->io, abort);
}

static void tcp_close(void *priv)
{
    fdio_close(&((struct printer_tcp *)priv)->io, 1);
}

const struct printer_ops printer_tcp_ops = {
    .drv = { DRIVER_PRINTER, PRINTER_OPS_VERSION, sizeof(struct printer_tcp), "tcp" },
    .open = tcp_open,
    .connect = tcp_connect,
    .write = tcp_write,
    .can_read = tcp_can_read,
    .disconnect = tcp_disconnect,
    .close = tcp_close,
};
