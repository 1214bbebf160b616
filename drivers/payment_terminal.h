/* Payment terminals: one vtable per terminal kind, asynchronous, driven by the event loop.
 * An operation starts a transaction and returns at once; intermediate status ("Insert
 * card") and the outcome arrive through the events.  Till never sees a card number: drivers
 * mask the PAN to its last four digits the moment they parse it. */
#ifndef TILL_PAYMENT_TERMINAL_H
#define TILL_PAYMENT_TERMINAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/payment_outcome.h"
#include "drivers/registry.h"

struct loop;
struct config;

struct pt_events {
    void (*status)(void *ctx, const char *text);
    void (*done)(void *ctx, const struct pt_outcome *outcome);
    void *ctx;
};

/* Version 2 added end_of_day_totals; a version 1 driver (or one leaving it NULL) has no
 * end-of-day with totals, and the registry still takes it. */
#define TERMINAL_OPS_VERSION 2

/* The end-of-day's answer: called once, from the loop, unless the driver is closed first. */
typedef void (*pt_eod_cb)(void *ctx, const struct pt_eod_totals *totals);

struct terminal_ops {
    struct driver_header drv;  /* kind, version, private size, config name: "sim", "zvt" */
    /* prefix names the driver's config section, e.g. "payment.sim" */
    int (*open)(void *priv, struct loop *loop, const struct config *cfg, const char *prefix,
                const struct pt_events *ev, char *err, size_t errlen);
    void (*close)(void *priv);
    int (*purchase)(void *priv, int64_t amount, const char *reference);
    int (*reversal)(void *priv, const struct pt_outcome *original);
    int (*refund)(void *priv, int64_t amount, const char *reference);
    /* What does the terminal know about reference (after a crash or a timeout)? */
    int (*status_enquiry)(void *priv, const char *reference, int64_t amount);
    int (*end_of_day)(void *priv);
    int (*abort)(void *priv);
    /* Version 2: closes the terminal's batch and reports its totals through cb (not through
     * the events' done).  0 started, -1 busy, PT_EOD_UNSUPPORTED when this terminal (as
     * configured) has none. */
    int (*end_of_day_totals)(void *priv, pt_eod_cb cb, void *ctx);
};

struct payment_terminal {
    const struct terminal_ops *ops;
    void *priv;
    char name[32];
};

/* Looks the kind up in the driver registry (drivers/registry.c) and opens it. */
int payment_terminal_open(const char *kind, struct loop *loop, const struct config *cfg,
                          const char *prefix, const struct pt_events *ev,
                          struct payment_terminal **out, char *err, size_t errlen);
void payment_terminal_close(struct payment_terminal *t);

/* The operations, each asynchronous: 0 when started (the outcome arrives through the
 * events), -1 when the terminal cannot take it now (busy).  Nobody calls the ops table
 * directly. */
int payment_terminal_purchase(struct payment_terminal *t, int64_t amount, const char *reference);
int payment_terminal_reversal(struct payment_terminal *t, const struct pt_outcome *original);
int payment_terminal_refund(struct payment_terminal *t, int64_t amount, const char *reference);
int payment_terminal_status_enquiry(struct payment_terminal *t, const char *reference, int64_t amount);
int payment_terminal_end_of_day(struct payment_terminal *t);
int payment_terminal_abort(struct payment_terminal *t);
/* End of day with the terminal's totals: 0 started (cb follows), -1 busy,
 * PT_EOD_UNSUPPORTED when the driver has no such operation. */
#define PT_EOD_UNSUPPORTED 1
int payment_terminal_end_of_day_totals(struct payment_terminal *t, pt_eod_cb cb, void *ctx);

const char *pt_result_name(enum pt_result r);
/* Masks a PAN to "************1234"; digits beyond the last four never leave this call. */
void pt_mask_pan(const char *pan, char *out, size_t len);

extern const struct terminal_ops terminal_sim_ops;
extern const struct terminal_ops terminal_zvt_ops;

#endif
