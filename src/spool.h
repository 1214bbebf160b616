/* The receipt spool: one text file per sale, receipt-NNNNNN-<uuid>.txt, written to a
 * temporary file (.tmp), fsynced and renamed, and the directory fsynced (src/atomic_file.c),
 * so that a printer daemon never sees half a receipt and a power cut never undoes one.  A spool directory belongs to one till. */
#ifndef TILL_SPOOL_H
#define TILL_SPOOL_H

#include <stddef.h>
#include <stdint.h>

/* 0, or -1 with the reason in err (nothing is left behind: the temporary file is removed). */
int spool_write(const char *dir, int64_t receipt_no, const char *uuid, const char *text,
                char *err, size_t errlen);
/* Removes the temporary files a crash left (receipt-*.tmp); *removed counts them.  0, or -1
 * when the directory cannot be read. */
int spool_remove_stale(const char *dir, int *removed);

#endif
