/* Cash drawers seen by the app: open through the registry, kick, ask whether it is open. */
#include "drivers/drawer.h"

#include <stdlib.h>

int drawer_open(const char *kind, struct loop *loop, const struct config *cfg,
                struct drawer **out, char *err, size_t errlen)
{
    const struct driver_header *h = driver_find(DRIVER_DRAWER, kind, err, errlen);
    if (!h)
        return -1;
    const struct drawer_ops *ops = (const struct drawer_ops *)h;  /* drv is the first member */
    struct drawer *d = calloc(1, sizeof *d);
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

void drawer_close(struct drawer *d)
{
    if (!d)
        return;
    d->ops->close(d->priv);
    free(d->priv);
    free(d);
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
