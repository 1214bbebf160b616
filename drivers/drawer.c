/* Cash drawers seen by the app: open through the registry, kick, ask whether it is open. */
#include "drivers/drawer.h"

#include <stdlib.h>

int drawer_open(const char *kind, struct loop *loop, const struct config *cfg,
                struct drawer **out, char *err, size_t errlen)
{
    const struct driver_header *h;
    void *handle, *priv;
    if (driver_open(DRIVER_DRAWER, kind, sizeof(struct drawer), &h, &handle, &priv, err, errlen))
        return -1;
    const struct drawer_ops *ops = (const struct drawer_ops *)h;  /* drv is the first member */
    if (ops->open(priv, loop, cfg, err, errlen)) {
        driver_free(handle, priv);
        return -1;
    }
    struct drawer *d = handle;
    d->ops = ops;
    d->priv = priv;
    *out = d;
    return 0;
}

void drawer_close(struct drawer *d)
{
    if (!d)
        return;
    d->ops->close(d->priv);
    driver_free(d, d->priv);
}

int drawer_kick(struct drawer *d)
{
    return d ? d->ops->kick(d->priv) : -1;
}

int drawer_is_open(struct drawer *d)
{
    return d ? d->ops->is_open(d->priv) : 0;
}

void drawer_use_printer(struct drawer *d, struct printer *p)
{
    if (d && d->ops->drv.version >= 2 && d->ops->use_printer)
        d->ops->use_printer(d->priv, p);
}
