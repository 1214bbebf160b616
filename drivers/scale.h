/* Scales (the checkout's legal-for-trade scale, a scanner-scale, the kiosk's bagging-area
 * scale): one vtable per kind, in the one driver registry.
 *
 * Weighing is asynchronous on the loop: scale_weigh() sends the unit price (and tare) and
 * asks; readings come back through the callback: zero or more that are not final (the
 * scale is in motion: "Weighing…"), then exactly one final one (a stable weight, or why
 * there is none: below minimum, under zero, overload, no answer, unplugged).  A scale that
 * stops answering costs a timer, never a blocked key.
 *
 * Weights are grams (int64), prices minor units; the amount is the scale's own (Dialog 06
 * computes it legally on the scale) or 0 where the scale does not compute one (NCR). */
#ifndef TILL_DRIVERS_SCALE_H
#define TILL_DRIVERS_SCALE_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/registry.h"

struct loop;
struct config;

#define SCALE_OPS_VERSION 1

enum scale_state {
    SCALE_STABLE,       /* final: weight_g is the legal weight */
    SCALE_MOTION,       /* not final: still settling */
    SCALE_BELOW_MIN,    /* final: under the scale's minimum weight */
    SCALE_UNDER_ZERO,   /* final */
    SCALE_OVERLOAD,     /* final */
    SCALE_EMPTY,        /* final: nothing on the scale */
    SCALE_NO_ANSWER,    /* final: the scale did not answer in time */
    SCALE_UNPLUGGED,    /* final: the port went away (or cannot be opened) */
    SCALE_FAILED,       /* final: the scale refused (a record error, the checksum) */
};

struct scale_reading {
    enum scale_state state;
    int final;
    int64_t weight_g;
    int64_t unit_price;
    int64_t amount;
    char text[128];     /* why, for the cashier: "below minimum weight", "no answer" */
};

typedef void (*scale_cb)(void *ctx, const struct scale_reading *r);

struct scale_ops {
    struct driver_header drv;  /* kind DRIVER_SCALE: "dialog06", "ncr", "sim" */
    /* prefix names the config section, "scale" (keys prefix.device, prefix.baud, ...). */
    int (*open)(void *priv, struct loop *loop, const struct config *cfg, const char *prefix,
                char *err, size_t errlen);
    void (*close)(void *priv);
    /* Starts one weighing; -1 while one is in progress.  text may be NULL. */
    int (*weigh)(void *priv, int64_t unit_price, int64_t tare_g, const char *text, scale_cb cb, void *ctx);
    /* Ends the weighing in progress without calling back (the cashier went on). */
    void (*cancel)(void *priv);
    /* What the driver knows now, without waiting: "dialog06 on /dev/ttyUSB0: ready". */
    void (*status)(void *priv, char *text, size_t len);
};

struct scale {
    const struct scale_ops *ops;
    void *priv;
};

/* Looks the kind up in the driver registry and opens it. */
int scale_open(const char *kind, struct loop *loop, const struct config *cfg, const char *prefix,
               struct scale **out, char *err, size_t errlen);
/* NULL is fine. */
void scale_close(struct scale *s);
int scale_weigh(struct scale *s, int64_t unit_price, int64_t tare_g, const char *text, scale_cb cb, void *ctx);
void scale_cancel(struct scale *s);
void scale_status(struct scale *s, char *text, size_t len);
/* "stable", "in motion", "below minimum weight", ... */
const char *scale_state_name(enum scale_state st);

extern const struct scale_ops scale_dialog06_ops;
extern const struct scale_ops scale_ncr_ops;
extern const struct scale_ops scale_sim_ops;

#endif
