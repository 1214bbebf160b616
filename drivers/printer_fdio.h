/* Non-blocking byte I/O on one file descriptor for the printer drivers that have one
 * (TCP, character device): the loop writes as the printer takes bytes and reads what it
 * sends back.  Internal to drivers/printer_*.c. */
#ifndef TILL_PRINTER_FDIO_H
#define TILL_PRINTER_FDIO_H

#include <stddef.h>

#include "drivers/printer.h"

struct loop;

struct printer_fdio {
    struct loop *loop;
    const struct printer_link *link;
    int fd;                 /* -1: none */
    int reading;            /* also watch for bytes from the printer */
    int connecting;         /* a non-blocking connect() is under way */
    unsigned char *out;
    size_t len, off;
};

void fdio_init(struct printer_fdio *io, struct loop *loop, const struct printer_link *link);
/* Takes fd (non-blocking) and watches it; connecting: wait for connect() first. */
void fdio_attach(struct printer_fdio *io, int fd, int reading, int connecting);
int fdio_write(struct printer_fdio *io, const unsigned char *p, size_t n);
/* Unwatches and closes; abort drops the connection hard (TCP reset) so that nothing
 * still queued reaches the printer later. */
void fdio_close(struct printer_fdio *io, int abort);

#endif
