/* The driver registry: config name -> driver, for every kind.  A new driver is one file
 * and one line here. */
#include "drivers/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/display.h"
#include "drivers/drawer.h"
#include "drivers/payment_terminal.h"
#include "drivers/printer.h"
#include "drivers/scale.h"
#include "drivers/scanner.h"
#include "drivers/tse.h"

static const struct driver_header *const drivers[] = {
    &terminal_sim_ops.drv,
    &terminal_zvt_ops.drv,
    &scanner_usb_ops.drv,
    &drawer_sim_ops.drv,
    &drawer_printer_ops.drv,
    &printer_usb_ops.drv,
    &printer_tcp_ops.drv,
    &printer_device_ops.drv,
    &printer_file_ops.drv,
    &display_pole_ops.drv,
    &tse_sim_ops.drv,
    &tse_fiskaly_ops.drv,
    &scale_dialog06_ops.drv,
    &scale_ncr_ops.drv,
    &scale_sim_ops.drv,
};

/* The oldest ops version each kind can still call. */
static const int min_version[DRIVER_KIND_COUNT] = {
    [DRIVER_TERMINAL] = 1,  /* version 2 added end_of_day_totals, which a terminal may leave out */
    [DRIVER_SCANNER] = SCANNER_OPS_VERSION,
    [DRIVER_DRAWER] = 1,  /* version 2 added use_printer, which a drawer may leave out */
    [DRIVER_PRINTER] = PRINTER_OPS_VERSION,
    [DRIVER_DISPLAY] = DISPLAY_OPS_VERSION,
    [DRIVER_TSE] = TSE_OPS_VERSION,
    [DRIVER_SCALE] = SCALE_OPS_VERSION,
};

const char *driver_kind_name(enum driver_kind kind)
{
    switch (kind) {
    case DRIVER_TERMINAL: return "payment terminal";
    case DRIVER_SCANNER: return "scanner";
    case DRIVER_DRAWER: return "drawer";
    case DRIVER_PRINTER: return "printer";
    case DRIVER_DISPLAY: return "customer display";
    case DRIVER_TSE: return "TSE";
    case DRIVER_SCALE: return "scale";
    case DRIVER_KIND_COUNT: break;
    }
    return "driver";
}

void driver_names(enum driver_kind kind, char *buf, size_t len)
{
    size_t used = 0;
    if (len)
        buf[0] = 0;
    for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++) {
        if (drivers[i]->kind != kind)
            continue;
        int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", drivers[i]->name);
        if (n < 0 || (size_t)n >= len - used)
            return;
        used += (size_t)n;
    }
}

const struct driver_header *driver_find(enum driver_kind kind, const char *name,
                                        char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++) {
        const struct driver_header *d = drivers[i];
        if (d->kind != kind || strcmp(d->name, name) != 0)
            continue;
        if (d->version < min_version[kind]) {
            snprintf(err, errlen, "%s driver '%s' is too old (version %d, needs %d)",
                     driver_kind_name(kind), name, d->version, min_version[kind]);
            return NULL;
        }
        return d;
    }
    char known[128];
    driver_names(kind, known, sizeof known);
    snprintf(err, errlen, "unknown %s kind '%s' (known: %s)", driver_kind_name(kind), name, known);
    return NULL;
}

void *driver_priv_new(const struct driver_header *d, char *err, size_t errlen)
{
    void *priv = calloc(1, d->priv_size ? d->priv_size : 1);
    if (!priv)
        snprintf(err, errlen, "out of memory");
    return priv;
}

int driver_open(enum driver_kind kind, const char *name, size_t handle_size, const struct driver_header **drv,
                void **handle, void **priv, char *err, size_t errlen)
{
    const struct driver_header *d = driver_find(kind, name, err, errlen);
    if (!d)
        return -1;
    void *h = calloc(1, handle_size ? handle_size : 1);
    void *p = driver_priv_new(d, err, errlen);
    if (!h || !p) {
        free(h);
        free(p);
        snprintf(err, errlen, "out of memory");
        return -2;
    }
    *drv = d;
    *handle = h;
    *priv = p;
    return 0;
}

void driver_free(void *handle, void *priv)
{
    free(priv);
    free(handle);
}
