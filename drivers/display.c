/* Customer displays seen by the app: open through the registry, show frames. */
#include "drivers/display.h"

#include <stdlib.h>

int display_open(const char *kind, struct loop *loop, const struct config *cfg,
                 struct display **out, char *err, size_t errlen)
{
    const struct driver_header *h;
    void *handle, *priv;
    if (driver_open(DRIVER_DISPLAY, kind, sizeof(struct display), &h, &handle, &priv, err, errlen))
        return -1;
    const struct display_ops *ops = (const struct display_ops *)h;  /* drv is the first member */
    if (ops->open(priv, loop, cfg, err, errlen)) {
        driver_free(handle, priv);
        return -1;
    }
    struct display *d = handle;
    d->ops = ops;
    d->priv = priv;
    *out = d;
    return 0;
}

void display_show(struct display *d, const unsigned char *frame, size_t n)
{
    if (d)
        d->ops->show(d->priv, frame, n);
}

void display_close(struct display *d)
{
    if (!d)
        return;
    d->ops->close(d->priv);
    driver_free(d, d->priv);
}
