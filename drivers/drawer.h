/* Cash drawers: opened on a cash payment.  Real drawers hang off the receipt printer
 * (ESC/POS kick pulse) and come with the printer driver; the simulated drawer is the
 * default: it opens, and "closes" when the cashier is done (after close_after_ms). */
#ifndef TILL_DRAWER_H
#define TILL_DRAWER_H

#include <stddef.h>

struct loop;
struct config;
struct drawer;

struct drawer_ops {
    int version;
    size_t priv_size;
    const char *name;
    int (*open_device)(void *priv, struct loop *loop, const struct config *cfg, char *err, size_t errlen);
    void (*close_device)(void *priv);
    int (*kick)(void *priv);          /* open the drawer */
    int (*is_open)(void *priv);
};

struct drawer {
    const struct drawer_ops *ops;
    void *priv;
};

int drawer_open_device(const char *kind, struct loop *loop, const struct config *cfg,
                       struct drawer **out, char *err, size_t errlen);
void drawer_close_device(struct drawer *d);
int drawer_kick(struct drawer *d);
int drawer_is_open(struct drawer *d);

extern const struct drawer_ops drawer_sim_ops;

#endif
