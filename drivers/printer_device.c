/* Printers behind a character device: the kernel's usblp (/dev/usb/lp0), a parallel port
 * or a serial line.  Opened for each job, non-blocking.  printer.device.path; status is
 * read back only with printer.status = yes (usblp passes the printer's answers on; a
 * parallel port or a one-way cable cannot). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "drivers/printer.h"
#include "drivers/printer_fdio.h"
#include "src/config.h"

struct printer_device {
    struct printer_fdio io;
    const struct printer_link *link;
    char path[256];
    int readable;
    int want_status;         /* printer.status = yes (default no: many devices cannot answer) */
};

static int dev_open(void *priv, struct loop *loop, const struct config *cfg,
                    const struct printer_link *link, char *err, size_t errlen)
{
    struct printer_device *d = priv;
    d->link = link;
    fdio_init(&d->io, loop, link);
    snprintf(d->path, sizeof d->path, "%s", config_get(cfg, "printer.device.path", "/dev/usb/lp0"));
    d->want_status = strcmp(config_get(cfg, "printer.status", "no"), "yes") == 0;
    return 0;
}

static void dev_connect(void *priv)
{
    struct printer_device *d = priv;
    const struct printer_link *l = d->link;
    int fd = open(d->path, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    d->readable = fd >= 0;
    if (fd < 0 && (errno == EACCES || errno == EROFS))
        fd = open(d->path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        char why[300];
        snprintf(why, sizeof why, "%s: %s", d->path,
                 errno == EACCES ? "no access (udev rule? group lp?)" :
                 errno == ENOENT || errno == ENODEV || errno == ENXIO ? "not there (unplugged?)" : strerror(errno));
        l->connect_failed(l->ctx, why);
        return;
    }
    fdio_attach(&d->io, fd, d->readable && d->want_status, 0);
    l->connected(l->ctx);
}

static int dev_write(void *priv, const unsigned char *p, size_t n)
{
    return fdio_write(&((struct printer_device *)priv)->io, p, n);
}

static int dev_can_read(void *priv)
{
    struct printer_device *d = priv;
    return d->readable && d->want_status;
}

static void dev_disconnect(void *priv, int abort)
{
    fdio_close(&((struct printer_device *)priv)->io, 0);
}

static void dev_close(void *priv)
{
    fdio_close(&((struct printer_device *)priv)->io, 0);
}

const struct printer_ops printer_device_ops = {
    .drv = { DRIVER_PRINTER, PRINTER_OPS_VERSION, sizeof(struct printer_device), "device" },
    .open = dev_open,
    .connect = dev_connect,
    .write = dev_write,
    .can_read = dev_can_read,
    .disconnect = dev_disconnect,
    .close = dev_close,
};
