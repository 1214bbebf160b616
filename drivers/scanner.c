/* The scanner driver registry: config name to ops. */
#include "drivers/scanner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct scanner_ops *const scanners[] = { &scanner_usb_ops };

int scanner_open(const char *kind, struct loop *loop, const struct config *cfg,
                 const struct scanner_events *ev, struct scanner **out, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof scanners / sizeof scanners[0]; i++) {
        const struct scanner_ops *ops = scanners[i];
        if (strcmp(ops->name, kind) != 0)
            continue;
        struct scanner *s = calloc(1, sizeof *s);
        void *priv = calloc(1, ops->priv_size);
        if (!s || !priv) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        if (ops->open(priv, loop, cfg, ev, err, errlen))
            goto fail;
        s->ops = ops;
        s->priv = priv;
        *out = s;
        return 0;
fail:
        free(s);
        free(priv);
        return -1;
    }
    snprintf(err, errlen, "unknown scanner kind '%s' (known: usb; none or wedge for a keyboard wedge)", kind);
    return -1;
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

void scanner_free(struct scanner *s)
{
    if (!s)
        return;
    s->ops->stop(s->priv);
    s->ops->free(s->priv);
    free(s->priv);
    free(s);
}
