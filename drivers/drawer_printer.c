/* The cash drawer on the receipt printer's drawer port (drawer.driver = printer): kick
 * sends the printer's pulse (ESC p) on drawer.pin (2 or 5) for drawer.pulse_ms; whether
 * it is open comes from the printer's status (DLE EOT 1, the drawer switch on pin 3),
 * asked every drawer.poll_ms after a kick until it is shut again.  drawer.open_level says
 * which level of pin 3 means open (high or low: drawers differ). */
#include <stdio.h>
#include <string.h>

#include "drivers/drawer.h"
#include "drivers/printer.h"
#include "src/config.h"
#include "src/loop.h"

#define POLL_FOR_MS (10 * 60 * 1000)  /* give up asking after ten minutes open */

struct drawer_printer {
    struct loop *loop;
    struct printer *printer;
    int pin, pulse_ms, poll_ms, open_high;
    uint64_t poll_timer;
    int64_t poll_until_ms;
    int kicked;              /* kicked, and not yet seen shut */
};

static int dp_open(void *priv, struct loop *loop, const struct config *cfg, char *err, size_t errlen)
{
    struct drawer_printer *d = priv;
    long long pin, pulse, poll;
    d->loop = loop;
    if (config_get_int(cfg, "drawer.pin", 2, &pin) || (pin != 2 && pin != 5)) {
        snprintf(err, errlen, "drawer.pin must be 2 or 5 (the printer's drawer connector)");
        return -1;
    }
    if (config_get_int(cfg, "drawer.pulse_ms", 100, &pulse) || pulse < 2 || pulse > 510) {
        snprintf(err, errlen, "drawer.pulse_ms must be between 2 and 510");
        return -1;
    }
    if (config_get_int(cfg, "drawer.poll_ms", 1000, &poll) || poll < 50 || poll > 60000) {
        snprintf(err, errlen, "drawer.poll_ms must be between 50 and 60000");
        return -1;
    }
    const char *level = config_get(cfg, "drawer.open_level", "high");
    if (strcmp(level, "high") && strcmp(level, "low")) {
        snprintf(err, errlen, "drawer.open_level must be high or low (pin 3 when the drawer is open)");
        return -1;
    }
    d->pin = (int)pin;
    d->pulse_ms = (int)pulse;
    d->poll_ms = (int)poll;
    d->open_high = strcmp(level, "high") == 0;
    return 0;
}

static void dp_close(void *priv)
{
    struct drawer_printer *d = priv;
    if (d->poll_timer)
        loop_cancel_timer(d->loop, d->poll_timer);
    d->poll_timer = 0;
}

static int dp_is_open(void *priv)
{
    struct drawer_printer *d = priv;
    if (!d->printer)
        return 0;
    const struct printer_status *st = printer_last_status(d->printer);
    if (!(st->answered & (1u << 1)))
        return 0;   /* never heard: the drawer is assumed shut */
    return st->drawer_pin3_high == d->open_high;
}

/* While the drawer may be open, ask the printer every poll_ms (when it is free). */
static void on_poll(struct loop *loop, void *ctx)
{
    struct drawer_printer *d = ctx;
    d->poll_timer = 0;
    if (!d->printer || !printer_reads_status(d->printer))
        return;
    if (!printer_busy(d->printer)) {
        if (d->kicked && !dp_is_open(d) && printer_last_status(d->printer)->answered)
            d->kicked = 0;  /* seen shut */
        if (!d->kicked && !dp_is_open(d))
            return;
        printer_query_status(d->printer);
    }
    if (loop_now_ms(d->loop) < d->poll_until_ms)
        d->poll_timer = loop_add_timer(d->loop, d->poll_ms, on_poll, d);
}

static int dp_kick(void *priv)
{
    struct drawer_printer *d = priv;
    if (!d->printer)
        return -1;
    if (printer_kick(d->printer, d->pin, d->pulse_ms, d->pulse_ms * 2))
        return -1;
    d->kicked = 1;
    d->poll_until_ms = loop_now_ms(d->loop) + POLL_FOR_MS;
    if (d->poll_timer)
        loop_cancel_timer(d->loop, d->poll_timer);
    d->poll_timer = loop_add_timer(d->loop, d->poll_ms, on_poll, d);
    return 0;
}

static void dp_use_printer(void *priv, struct printer *p)
{
    ((struct drawer_printer *)priv)->printer = p;
}

const struct drawer_ops drawer_printer_ops = {
    .drv = { DRIVER_DRAWER, DRAWER_OPS_VERSION, sizeof(struct drawer_printer), "printer" },
    .open = dp_open,
    .close = dp_close,
    .kick = dp_kick,
    .is_open = dp_is_open,
    .use_printer = dp_use_printer,
};
