/* The DSFinV-K export (`till --dsfinvk FROM TO DIR`): one Kassenabschluss per Z made in
 * the date range, each with every TSE transaction of the shift the Z closed (the fiscal
 * records, src/fiscal_records.h) and the lines of its sales (src/sales.h), written as the
 * files core/dsfinvk.h lists with their index.xml and the GDPdU DTD. */
#ifndef TILL_APP_DSFINVK_EXPORT_H
#define TILL_APP_DSFINVK_EXPORT_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct config;

struct dsfinvk_summary {
    int closings;            /* Kassenabschlüsse (Zs) exported */
    int transactions;        /* Bons */
};

/* from and to are local dates "YYYY-MM-DD", both included.  DIR is created if missing.
 * 0, or -1 with a message. */
int dsfinvk_export(struct store *st, const struct config *cfg, const char *from, const char *to,
                   const char *dir, struct dsfinvk_summary *sum, char *err, size_t errlen);

#endif
