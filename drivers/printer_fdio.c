#include "drivers/printer_fdio.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "src/loop.h"

#define READ_MAX 256

static void rewatch(struct printer_fdio *io);

static void on_fd(struct loop *loop, int fd, short revents, void *ctx)
{
    struct printer_fdio *io = ctx;
    const struct printer_link *l = io->link;
    if (io->connecting) {
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
            return;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
        if (soerr) {
            fdio_close(io, 0);
            l->connect_failed(l->ctx, soerr == ECONNREFUSED ? "connection refused" : strerror(soerr));
            return;
        }
        io->connecting = 0;
        rewatch(io);
        l->connected(l->ctx);
        return;
    }
    if (revents & (POLLIN | POLLHUP | POLLERR)) {
        unsigned char buf[READ_MAX];
        ssize_t n = read(io->fd, buf, sizeof buf);
        if (n > 0) {
            l->received(l->ctx, buf, (size_t)n);
            return; /* the callback may have closed us: look again next turn */
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            const char *why = n == 0 ? "closed by the printer" : strerror(errno);
            fdio_close(io, 0);
            l->lost(l->ctx, why);
            return;
        }
    }
    if ((revents & POLLOUT) && io->off < io->len) {
        /* a printer that hung up must not kill the till with SIGPIPE */
        ssize_t n = send(io->fd, io->out + io->off, io->len - io->off, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK)
            n = write(io->fd, io->out + io->off, io->len - io->off);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n < 0) {
            const char *why = errno == EPIPE || errno == ECONNRESET ? "closed by the printer" : strerror(errno);
            fdio_close(io, 0);
            l->lost(l->ctx, why);
            return;
        }
        io->off += (size_t)n;
        if (io->off == io->len) {
            io->off = io->len = 0;
            rewatch(io);
            l->written(l->ctx);
        }
    }
}

static void rewatch(struct printer_fdio *io)
{
    if (io->fd < 0)
        return;
    short ev = io->connecting ? POLLOUT : (short)((io->reading ? POLLIN : 0) | (io->off < io->len ? POLLOUT : 0));
    if (ev)
        loop_watch_fd(io->loop, io->fd, ev, on_fd, io);
    else
        loop_unwatch_fd(io->loop, io->fd);
}

void fdio_init(struct printer_fdio *io, struct loop *loop, const struct printer_link *link)
{
    memset(io, 0, sizeof *io);
    io->loop = loop;
    io->link = link;
    io->fd = -1;
}

void fdio_attach(struct printer_fdio *io, int fd, int reading, int connecting)
{
    io->fd = fd;
    io->reading = reading;
    io->connecting = connecting;
    io->off = io->len = 0;
    rewatch(io);
}

int fdio_write(struct printer_fdio *io, const unsigned char *p, size_t n)
{
    if (io->fd < 0)
        return -1;
    /* what is still queued stays in front */
    size_t pending = io->len - io->off;
    unsigned char *b = malloc(pending + n);
    if (!b)
        return -1;
    if (pending)
        memcpy(b, io->out + io->off, pending);
    memcpy(b + pending, p, n);
    free(io->out);
    io->out = b;
    io->len = pending + n;
    io->off = 0;
    rewatch(io);
    return 0;
}

void fdio_close(struct printer_fdio *io, int abort)
{
    if (io->fd >= 0) {
        loop_unwatch_fd(io->loop, io->fd);
        if (abort) {
            struct linger lg = { 1, 0 };
            setsockopt(io->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg); /* fails harmlessly off sockets */
        }
        close(io->fd);
    }
    io->fd = -1;
    io->connecting = 0;
    free(io->out);
    io->out = NULL;
    io->len = io->off = 0;
}
