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

static int sim_open(void *priv, struct loop *loop, const struct config *cfg, char *err, size_t errlen)
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

static void sim_close(void *priv)
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
    .drv = { DRIVER_DRAWER, 1, sizeof(struct drawer_sim), "sim" },
    .open = sim_open,
    .close = sim_close,
    .kick = sim_kick,
    .is_open = sim_is_open,
};
