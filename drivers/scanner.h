/* Barcode scanners read directly (not as a keyboard wedge): one vtable per kind, driven
 * by the event loop.  A driver reports every complete scan and every change of its
 * connection; an unplugged scanner is not an error, the driver keeps looking for it. */
#ifndef TILL_SCANNER_H
#define TILL_SCANNER_H

#include <stddef.h>

#include "drivers/registry.h"

struct loop;
struct config;

enum scanner_state { SCANNER_DISCONNECTED, SCANNER_CONNECTED };

struct scanner_events {
    void (*on_scan)(void *ctx, const char *text);
    /* text is for the status bar: "scanner connected", "scanner disconnected: <why>" */
    void (*on_status)(void *ctx, enum scanner_state state, const char *text);
    void *ctx;
};

#define SCANNER_OPS_VERSION 1

struct scanner_ops {
    struct driver_header drv; /* kind, version, private size, config name: scanner.kind = usb */
    /* Reads the driver's config; fails only for a configuration error. */
    int (*open)(void *priv, struct loop *loop, const struct config *cfg,
                const struct scanner_events *ev, char *err, size_t errlen);
    /* Starts looking for the device and reading scans; never blocks, never fails for a
     * missing device (that is a status). */
    int (*start)(void *priv);
    void (*stop)(void *priv);
    void (*close)(void *priv);
};

struct scanner {
    const struct scanner_ops *ops;
    void *priv;
};

/* Looks the kind up in the driver registry and opens it (not started yet). */
int scanner_open(const char *kind, struct loop *loop, const struct config *cfg,
                 const struct scanner_events *ev, struct scanner **out, char *err, size_t errlen);
int scanner_start(struct scanner *s);
void scanner_stop(struct scanner *s);
/* Stops and closes; NULL is fine. */
void scanner_close(struct scanner *s);

extern const struct scanner_ops scanner_usb_ops;

#endif
