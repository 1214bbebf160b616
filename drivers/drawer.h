/* Cash drawers: opened on a cash payment.  Real drawers hang off the receipt printer and
 * open on its kick pulse (drawer.driver = printer, drivers/drawer_printer.c); the
 * simulated drawer is the default: it opens, and "closes" when the cashier is done
 * (after close_after_ms). */
#ifndef TILL_DRAWER_H
#define TILL_DRAWER_H

#include <stddef.h>

#include "drivers/registry.h"

struct loop;
struct config;
struct drawer;
struct printer;

/* Version 2 added use_printer. */
#define DRAWER_OPS_VERSION 2

struct drawer_ops {
    struct driver_header drv; /* kind, version, private size, config name: drawer.driver = sim */
    int (*open)(void *priv, struct loop *loop, const struct config *cfg, char *err, size_t errlen);
    void (*close)(void *priv);
    int (*kick)(void *priv);          /* open the drawer */
    int (*is_open)(void *priv);
    /* Version 2: the printer the drawer hangs off (NULL: none). */
    void (*use_printer)(void *priv, struct printer *p);
};

struct drawer {
    const struct drawer_ops *ops;
    void *priv;
};

/* Looks the kind up in the driver registry and opens it. */
int drawer_open(const char *kind, struct loop *loop, const struct config *cfg,
                struct drawer **out, char *err, size_t errlen);
/* NULL is fine. */
void drawer_close(struct drawer *d);
int drawer_kick(struct drawer *d);
int drawer_is_open(struct drawer *d);
/* Hands the drawer the printer it hangs off; a drawer that needs none ignores it. */
void drawer_use_printer(struct drawer *d, struct printer *p);

extern const struct drawer_ops drawer_sim_ops;
extern const struct drawer_ops drawer_printer_ops;

#endif
