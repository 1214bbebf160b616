/* Recovery from a damaged database (`till --salvage`): every row that can still be read is
 * copied into a fresh database of the current schema at the same path; the damaged file is
 * kept beside it, renamed.  Part of the store: it copies tables whole, by their columns,
 * and knows no business rules. */
#ifndef TILL_STORE_SALVAGE_H
#define TILL_STORE_SALVAGE_H

#include <stddef.h>
#include <stdint.h>

#define SALVAGE_MAX_TABLES 48

struct salvage_table {
    char name[64];
    int64_t copied;
    int64_t unreadable;     /* rows known to exist (a rowid in a damaged range) but unreadable */
    int damaged;            /* a read in this table failed */
    int64_t lost_after;     /* > 0: no row past this rowid could be reached (count unknown) */
};

struct salvage_report {
    char kept_as[600];      /* where the damaged file now is */
    struct salvage_table tables[SALVAGE_MAX_TABLES];
    int ntables;
};

/* Salvages the database at path.  Refuses while another program (a running Till) has it
 * open.  The catalog and stock cursors are reset so that sync fetches both whole again.
 * 0, or -1 with err (then the database at path is as it was, or, if the fresh copy could
 * not be completed, the damaged file is put back). */
int store_salvage(const char *path, struct salvage_report *rep, char *err, size_t errlen);

#endif
