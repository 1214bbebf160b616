/* Receipt layout: a completed sale as fixed-width text lines.  Pure: the caller prints,
 * spools or shows the text.  Printers (ESC/POS) render the same lines. */
#ifndef TILL_RECEIPT_H
#define TILL_RECEIPT_H

#include <stddef.h>

#include "core/sale.h"

#define RECEIPT_DEFAULT_WIDTH 42

/* Renders the receipt into a newly allocated string (free() it); width in columns.
 * when_text is the already-formatted completion time ("2026-11-25 14:03"). */
int receipt_render(const struct sale *sale, int width, const char *when_text, char **out);

#endif
