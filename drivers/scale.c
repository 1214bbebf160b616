/* Scales seen by the app: open through the registry, weigh, cancel, status. */
#include "drivers/scale.h"

#include <stdio.h>

int scale_open(const char *kind, struct loop *loop, const struct config *cfg, const char *prefix,
               struct scale **out, char *err, size_t errlen)
{
    const struct driver_header *h;
    void *handle, *priv;
    if (driver_open(DRIVER_SCALE, kind, sizeof(struct scale), &h, &handle, &priv, err, errlen))
        return -1;
    struct scale *s = handle;
    const struct scale_ops *ops = (const struct scale_ops *)h;  /* drv is the first member */
    if (ops->open(priv, loop, cfg, prefix, err, errlen)) {
        driver_free(s, priv);
        return -1;
    }
    s->ops = ops;
    s->priv = priv;
    *out = s;
    return 0;
}

void scale_close(struct scale *s)
{
    if (!s)
        return;
    s->ops->close(s->priv);
    driver_free(s, s->priv);
}

int scale_weigh(struct scale *s, int64_t unit_price, int64_t tare_g, const char *text, scale_cb cb, void *ctx)
{
    return s->ops->weigh(s->priv, unit_price, tare_g, text, cb, ctx);
}

void scale_cancel(struct scale *s)
{
    s->ops->cancel(s->priv);
}

void scale_status(struct scale *s, char *text, size_t len)
{
    s->ops->status(s->priv, text, len);
}

const char *scale_state_name(enum scale_state st)
{
    switch (st) {
    case SCALE_STABLE: return "stable";
    case SCALE_MOTION: return "in motion";
    case SCALE_BELOW_MIN: return "below minimum weight";
    case SCALE_UNDER_ZERO: return "under zero";
    case SCALE_OVERLOAD: return "overload";
    case SCALE_EMPTY: return "nothing on the scale";
    case SCALE_NO_ANSWER: return "no answer";
    case SCALE_UNPLUGGED: return "unplugged";
    case SCALE_FAILED: return "failed";
    }
    return "unknown";
}
