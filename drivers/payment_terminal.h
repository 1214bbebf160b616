/* Payment terminals: one vtable per terminal kind, asynchronous, driven by the event loop.
 * An operation starts a transaction and returns at once; intermediate status ("Insert
 * card") and the outcome arrive through the events.  Till never sees a card number: drivers
 * mask the PAN to its last four digits the moment they parse it. */
#ifndef TILL_PAYMENT_TERMINAL_H
#define TILL_PAYMENT_TERMINAL_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct config;

enum pt_op { PT_PURCHASE, PT_REVERSAL, PT_REFUND, PT_STATUS, PT_END_OF_DAY, PT_ABORT };

enum pt_result {
    PT_APPROVED,
    PT_DECLINED,
    PT_ABORTED,   /* cancelled by cashier or customer; nothing charged */
    PT_ERROR,     /* failed; nothing charged */
    PT_UNKNOWN,   /* the request may have reached the terminal; outcome not known */
    PT_NOT_FOUND, /* status enquiry: the terminal has no such transaction */
};

struct pt_outcome {
    enum pt_op op;
    enum pt_result result;
    int never_reached;        /* the request provably never reached the terminal */
    int64_t amount;           /* approved amount (may be less than asked: partial) */
    char reference[48];       /* Till's reference for the transaction */
    char masked_pan[24];      /* "************1234" */
    char card_scheme[24];
    char auth_code[16];
    char terminal_id[24];
    char trace[16];
    char receipt_no[16];
    char message[128];        /* for the cashier */
    char receipt[1024];       /* the terminal's receipt lines, '\n'-separated */
};

struct pt_events {
    void (*status)(void *ctx, const char *text);
    void (*done)(void *ctx, const struct pt_outcome *outcome);
    void *ctx;
};

#define TERMINAL_OPS_VERSION 1

struct terminal_ops {
    int version;
    size_t priv_size;          /* the caller allocates the driver's state */
    const char *name;          /* config name: "sim", "zvt" */
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
};

struct payment_terminal {
    const struct terminal_ops *ops;
    void *priv;
    char name[32];
};

/* Looks the kind up in the driver registry and opens it. */
int payment_terminal_open(const char *kind, struct loop *loop, const struct config *cfg,
                          const char *prefix, const struct pt_events *ev,
                          struct payment_terminal **out, char *err, size_t errlen);
void payment_terminal_close(struct payment_terminal *t);

const char *pt_result_name(enum pt_result r);
/* Masks a PAN to "************1234"; digits beyond the last four never leave this call. */
void pt_mask_pan(const char *pan, char *out, size_t len);

extern const struct terminal_ops terminal_sim_ops;
extern const struct terminal_ops terminal_zvt_ops;

#endif
