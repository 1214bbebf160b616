/* Payment terminals seen by the app: open through the registry (drivers/registry.c). */
#include "drivers/payment_terminal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int payment_terminal_open(const char *kind, struct loop *loop, const struct config *cfg,
                          const char *prefix, const struct pt_events *ev,
                          struct payment_terminal **out, char *err, size_t errlen)
{
    const struct driver_header *h;
    void *handle, *priv;
    if (driver_open(DRIVER_TERMINAL, kind, sizeof(struct payment_terminal), &h, &handle, &priv, err, errlen))
        return -1;
    const struct terminal_ops *ops = (const struct terminal_ops *)h;  /* drv is the first member */
    struct payment_terminal *t = handle;
    t->ops = ops;
    t->priv = priv;
    snprintf(t->name, sizeof t->name, "%s", kind);
    if (ops->open(priv, loop, cfg, prefix, ev, err, errlen)) {
        driver_free(handle, priv);
        return -1;
    }
    *out = t;
    return 0;
}

void payment_terminal_close(struct payment_terminal *t)
{
    if (!t)
        return;
    t->ops->close(t->priv);
    driver_free(t, t->priv);
}

int payment_terminal_purchase(struct payment_terminal *t, int64_t amount, const char *reference)
{
    return t->ops->purchase(t->priv, amount, reference);
}

int payment_terminal_reversal(struct payment_terminal *t, const struct pt_outcome *original)
{
    return t->ops->reversal(t->priv, original);
}

int payment_terminal_refund(struct payment_terminal *t, int64_t amount, const char *reference)
{
    return t->ops->refund(t->priv, amount, reference);
}

int payment_terminal_status_enquiry(struct payment_terminal *t, const char *reference, int64_t amount)
{
    return t->ops->status_enquiry(t->priv, reference, amount);
}

int payment_terminal_end_of_day(struct payment_terminal *t)
{
    return t->ops->end_of_day(t->priv);
}

int payment_terminal_abort(struct payment_terminal *t)
{
    return t->ops->abort(t->priv);
}

int payment_terminal_end_of_day_totals(struct payment_terminal *t, pt_eod_cb cb, void *ctx)
{
    if (t->ops->drv.version < 2 || !t->ops->end_of_day_totals)
        return PT_EOD_UNSUPPORTED;
    return t->ops->end_of_day_totals(t->priv, cb, ctx);
}

const char *pt_result_name(enum pt_result r)
{
    switch (r) {
    case PT_APPROVED: return "approved";
    case PT_DECLINED: return "declined";
    case PT_ABORTED: return "aborted";
    case PT_ERROR: return "error";
    case PT_UNKNOWN: return "unknown";
    case PT_NOT_FOUND: return "not found";
    }
    return "?";
}

void pt_mask_pan(const char *pan, char *out, size_t len)
{
    char digits[4];
    int nd = 0;
    size_t n = strlen(pan);
    /* the last four digit characters; masked nibbles (E) and spaces are skipped */
    for (size_t i = n; i > 0 && nd < 4; i--)
        if (pan[i - 1] >= '0' && pan[i - 1] <= '9')
            digits[3 - nd++] = pan[i - 1];
    if (nd < 4) {
        snprintf(out, len, "****");
        return;
    }
    snprintf(out, len, "************%.4s", digits);
}
