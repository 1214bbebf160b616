/* The simulated cash drawer: kick opens it; it reports closed again after
 * drawer.close_after_ms (default 3000), as if the cashier pushed it shut. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/drawer.h"
#include "src/config.h"
#include "src/loop.h"

struct drawer_sim {
    struct loop *loop;
    int open;
    int close_after_ms;
    uint64_t timer;
    unsigned kicks;
};

static int sim_open_device(void *priv, struct loop *loop, const struct config *cfg, char *err, size_t errlen)
{
    struct drawer_sim *d = priv;
    long long ms;
    d->loop = loop;
    if (config_get_int(cfg, "drawer.close_after_ms", 3000, &ms) || ms < 0) {
        snprintf(err, errlen, "drawer.close_after_ms must be a number of milliseconds");
        return -1;
    }
    d->close_after_ms = (int)ms;
    return 0;
}

static void sim_close_device(void *priv)
{
    struct drawer_sim *d = priv;
    if (d->timer)
        loop_cancel_timer(d->loop, d->timer);
}

static void on_pushed_shut(struct loop *loop, void *ctx)
{
    struct drawer_sim *d = ctx;
    d->timer = 0;
    d->open = 0;
}

static int sim_kick(void *priv)
{
    struct drawer_sim *d = priv;
    d->open = 1;
    d->kicks++;
    if (d->timer)
        loop_cancel_timer(d->loop, d->timer);
    d->timer = loop_add_timer(d->loop, d->close_after_ms, on_pushed_shut, d);
    return 0;
}

static int sim_is_open(void *priv)
{
    return ((struct drawer_sim *)priv)->open;
}

const struct drawer_ops drawer_sim_ops = {
    .version = 1,
    .priv_size = sizeof(struct drawer_sim),
    .name = "sim",
    .open_device = sim_open_device,
    .close_device = sim_close_device,
    .kick = sim_kick,
    .is_open = sim_is_open,
};

static const struct drawer_ops *const drawers[] = { &drawer_sim_ops };

int drawer_open_device(const char *kind, struct loop *loop, const struct config *cfg,
                       struct drawer **out, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof drawers / sizeof drawers[0]; i++) {
        if (strcmp(drawers[i]->name, kind) != 0)
            continue;
        struct drawer *d = calloc(1, sizeof *d);
        void *priv = calloc(1, drawers[i]->priv_size);
        if (!d || !priv || drawers[i]->open_device(priv, loop, cfg, err, errlen)) {
            if (!d || !priv)
                snprintf(err, errlen, "out of memory");
            free(d);
            free(priv);
            return -1;
        }
        d->ops = drawers[i];
        d->priv = priv;
        *out = d;
        return 0;
    }
    snprintf(err, errlen, "unknown drawer kind '%s' (known: sim)", kind);
    return -1;
}

void drawer_close_device(struct drawer *d)
{
    if (!d)
        return;
    d->ops->close_device(d->priv);
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
