/* TSEs seen by the app: open through the registry, start, finish, status, export. */
#include "drivers/tse.h"

#include <stdio.h>
#include <stdlib.h>

int tse_open(const char *kind, struct loop *loop, const struct config *cfg, const char *prefix,
             const char *client_id, struct tse **out, char *err, size_t errlen)
{
    const struct driver_header *h;
    void *handle, *priv;
    if (driver_open(DRIVER_TSE, kind, sizeof(struct tse), &h, &handle, &priv, err, errlen))
        return -1;
    struct tse *t = handle;
    const struct tse_ops *ops = (const struct tse_ops *)h;  /* drv is the first member */
    if (ops->open(priv, loop, cfg, prefix, client_id, err, errlen)) {
        driver_free(t, priv);
        return -1;
    }
    t->ops = ops;
    t->priv = priv;
    *out = t;
    return 0;
}

void tse_close(struct tse *t)
{
    if (!t)
        return;
    t->ops->close(t->priv);
    driver_free(t, t->priv);
}

int tse_start(struct tse *t, const char *tx_id, const char *process_type, const char *process_data,
              tse_cb cb, void *ctx)
{
    return t->ops->start(t->priv, tx_id, process_type, process_data ? process_data : "", cb, ctx);
}

int tse_finish(struct tse *t, const char *tx_id, uint64_t tx_number, const char *process_type,
               const char *process_data, tse_cb cb, void *ctx)
{
    return t->ops->finish(t->priv, tx_id, tx_number, process_type, process_data ? process_data : "", cb, ctx);
}

void tse_get_status(struct tse *t, struct tse_status *st)
{
    t->ops->status(t->priv, st);
}

int tse_use_http(struct tse *t, const struct tse_http *http)
{
    if (!t->ops->use_http)
        return 0;
    t->ops->use_http(t->priv, http);
    return 1;
}

int tse_export_log(struct tse *t, const char *path, char *err, size_t errlen)
{
    if (!t->ops->export_log) {
        snprintf(err, errlen, "this TSE has no log export");
        return -1;
    }
    return t->ops->export_log(t->priv, path, err, errlen);
}
