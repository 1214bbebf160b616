/* Scanners seen by the app: open through the registry, start, stop, close. */
#include "drivers/scanner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int scanner_open(const char *kind, struct loop *loop, const struct config *cfg,
                 const struct scanner_events *ev, struct scanner **out, char *err, size_t errlen)
{
    const struct driver_header *h;
    void *handle, *priv;
    int rc = driver_open(DRIVER_SCANNER, kind, sizeof(struct scanner), &h, &handle, &priv, err, errlen);
    if (rc == -1) {
        size_t n = strlen(err);
        snprintf(err + n, errlen - n, "; none or wedge for a keyboard wedge");
    }
    if (rc)
        return -1;
    const struct scanner_ops *ops = (const struct scanner_ops *)h;  /* drv is the first member */
    if (ops->open(priv, loop, cfg, ev, err, errlen)) {
        driver_free(handle, priv);
        return -1;
    }
    struct scanner *s = handle;
    s->ops = ops;
    s->priv = priv;
    *out = s;
    return 0;
}

int scanner_start(struct scanner *s)
{
    return s ? s->ops->start(s->priv) : -1;
}

void scanner_stop(struct scanner *s)
{
    if (s)
        s->ops->stop(s->priv);
}

void scanner_close(struct scanner *s)
{
    if (!s)
        return;
    s->ops->stop(s->priv);
    s->ops->close(s->priv);
    driver_free(s, s->priv);
}
