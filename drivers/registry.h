/* The one driver registry: every driver of every kind (payment terminal, scanner, drawer,
 * receipt printer, customer display, TSE, scale) is listed once, by kind and config name.  Each driver's ops
 * table starts with a struct driver_header carrying its version and the size of its
 * private state, so the registry allocates that state and new operations can be added to
 * a kind later without breaking older drivers (SQLite's sqlite3_io_methods.iVersion). */
#ifndef TILL_DRIVERS_REGISTRY_H
#define TILL_DRIVERS_REGISTRY_H

#include <stddef.h>

enum driver_kind { DRIVER_TERMINAL, DRIVER_SCANNER, DRIVER_DRAWER, DRIVER_PRINTER, DRIVER_DISPLAY,
                   DRIVER_TSE, DRIVER_SCALE, DRIVER_KIND_COUNT };

struct driver_header {
    enum driver_kind kind;
    int version;               /* of the kind's ops table the driver was written for */
    size_t priv_size;          /* the registry allocates the driver's state, zeroed */
    const char *name;          /* config name: "sim", "zvt", "usb" */
};

/* The driver of that kind and name, or NULL with a message naming the known ones. */
const struct driver_header *driver_find(enum driver_kind kind, const char *name,
                                        char *err, size_t errlen);
/* The driver's private state, zeroed; NULL with "out of memory". */
void *driver_priv_new(const struct driver_header *d, char *err, size_t errlen);
/* The part of opening a driver that every kind shares: finds the driver of that kind and
 * name (driver_find) and allocates, zeroed, the kind's handle (handle_size bytes) and the
 * driver's private state.  0 with *drv, *handle and *priv set; -1 when there is no such
 * driver (or it is too old), -2 out of memory, each with a message and nothing allocated.
 * The kind then calls its own ops->open(priv, ...) and, if that fails, driver_free. */
int driver_open(enum driver_kind kind, const char *name, size_t handle_size, const struct driver_header **drv,
                void **handle, void **priv, char *err, size_t errlen);
/* Frees what driver_open allocated (after the driver's own close, if it was opened). */
void driver_free(void *handle, void *priv);
/* "payment terminal", "scanner", "drawer", "printer", "customer display", "TSE", "scale" */
const char *driver_kind_name(enum driver_kind kind);
/* The known names of a kind, comma-separated, for messages and --help. */
void driver_names(enum driver_kind kind, char *buf, size_t len);

#endif
