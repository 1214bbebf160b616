/* The file printer: each job's ESC/POS bytes are appended to printer.file.path, as a
 * printer would receive them (the default in `make run`; build/escpos-view FILE shows
 * the paper).  A file cannot answer status requests: a job is done once written and
 * flushed to disk. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "drivers/printer.h"
#include "src/config.h"
#include "src/loop.h"

struct printer_file {
    struct loop *loop;
    const struct printer_link *link;
    char path[512];
    int fd;
    uint64_t timer;
};

static int file_open(void *priv, struct loop *loop, const struct config *cfg,
                     const struct printer_link *link, char *err, size_t errlen)
{
    struct printer_file *f = priv;
    f->loop = loop;
    f->link = link;
    f->fd = -1;
    const char *path = config_get(cfg, "printer.file.path", "");
    if (!*path) {
        /* beside the text receipts by default */
        const char *spool = config_get(cfg, "paths.spool", ".");
        snprintf(f->path, sizeof f->path, "%s/printer.escpos", spool);
    } else {
        snprintf(f->path, sizeof f->path, "%s", path);
    }
    return 0;
}

static void file_connect(void *priv)
{
    struct printer_file *f = priv;
    f->fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (f->fd < 0) {
        char why[600];
        snprintf(why, sizeof why, "%s: %s", f->path, strerror(errno));
        f->link->connect_failed(f->link->ctx, why);
        return;
    }
    f->link->connected(f->link->ctx);
}

static void on_written(struct loop *loop, void *ctx)
{
    struct printer_file *f = ctx;
    f->timer = 0;
    f->link->written(f->link->ctx);
}

/* A local file takes a receipt at once; written is reported from the loop. */
static int file_write(void *priv, const unsigned char *p, size_t n)
{
    struct printer_file *f = priv;
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(f->fd, p + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    if (fdatasync(f->fd))
        return -1;
    f->timer = loop_add_timer(f->loop, 0, on_written, f);
    return f->timer ? 0 : -1;
}

static int file_can_read(void *priv)
{
    return 0;
}

static void file_disconnect(void *priv, int abort)
{
    struct printer_file *f = priv;
    if (f->timer)
        loop_cancel_timer(f->loop, f->timer);
    f->timer = 0;
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
}

static void file_close(void *priv)
{
    file_disconnect(priv, 0);
}

const struct printer_ops printer_file_ops = {
    .drv = { DRIVER_PRINTER, PRINTER_OPS_VERSION, sizeof(struct printer_file), "file" },
    .open = file_open,
    .connect = file_connect,
    .write = file_write,
    .can_read = file_can_read,
    .disconnect = file_disconnect,
    .close = file_close,
};
