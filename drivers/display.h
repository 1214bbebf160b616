/* Customer displays (display.driver = pole): the app hands over frames of bytes; the
 * driver sends them without blocking, and when frames come faster than the display takes
 * them only the newest waits.  A display that is missing or gone is not an error: it is
 * tried again with the next frame (at most every display.retry_ms). */
#ifndef TILL_DISPLAY_H
#define TILL_DISPLAY_H

#include <stddef.h>

#include "drivers/registry.h"

struct loop;
struct config;

#define DISPLAY_OPS_VERSION 1

struct display_ops {
    struct driver_header drv; /* kind, version, private size, config name: display.driver = pole */
    int (*open)(void *priv, struct loop *loop, const struct config *cfg, char *err, size_t errlen);
    void (*show)(void *priv, const unsigned char *frame, size_t n);
    void (*close)(void *priv);
};

struct display {
    const struct display_ops *ops;
    void *priv;
};

int display_open(const char *kind, struct loop *loop, const struct config *cfg,
                 struct display **out, char *err, size_t errlen);
void display_show(struct display *d, const unsigned char *frame, size_t n);
/* NULL is fine. */
void display_close(struct display *d);

extern const struct display_ops display_pole_ops;

#endif
