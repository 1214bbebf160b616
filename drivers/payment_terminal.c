/* The payment terminal registry: config name -> driver vtable. */
#include "drivers/payment_terminal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct terminal_ops *const registry[] = { &terminal_sim_ops, &terminal_zvt_ops };

int payment_terminal_open(const char *kind, struct loop *loop, const struct config *cfg,
                          const char *prefix, const struct pt_events *ev,
                          struct payment_terminal **out, char *err, size_t errlen)
{
    const struct terminal_ops *ops = NULL;
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
        if (strcmp(registry[i]->name, kind) == 0)
            ops = registry[i];
    if (!ops) {
        snprintf(err, errlen, "unknown payment terminal kind '%s' (known: sim, zvt)", kind);
        return -1;
    }
    if (ops->version < TERMINAL_OPS_VERSION) {
        snprintf(err, errlen, "payment terminal driver '%s' is too old", kind);
        return -1;
    }
    struct payment_terminal *t = calloc(1, sizeof *t);
    void *priv = calloc(1, ops->priv_size);
    if (!t || !priv) {
        free(t);
        free(priv);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    t->ops = ops;
    t->priv = priv;
    snprintf(t->name, sizeof t->name, "%s", kind);
    if (ops->open(priv, loop, cfg, prefix, ev, err, errlen)) {
        free(priv);
        free(t);
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
    free(t->priv);
    free(t);
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
