/* Customer displays seen by the app: open through the registry, show frames. */
#include "drivers/display.h"

#include <stdlib.h>

int display_open(const char *kind, struct loop *loop, const struct config *cfg,
                 struct display **out, char *err, size_t errlen)
{
    const struct driver_header *h = driver_find(DRIVER_DISPLAY, kind, err, errlen);
    if (!h)
        return -1;
    const struct display_ops *ops = (const struct display_ops *)h;  /* drv is the first member */
    struct display *d = calloc(1, sizeof *d);
    void *priv = driver_priv_new(h, err, errlen);
    if (!d || !priv || ops->open(priv, loop, cfg, err, errlen)) {
        free(d);
        free(priv);
        return -1;
    }
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
    free(d->priv);
    free(d);
}
