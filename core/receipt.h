/* Receipt content: a completed sale as a layout model (core/receipt_layout.h), from which
 * the text (screen, spool file) and the printer's bytes are rendered.  Pure: the caller
 * prints, spools or shows it.
 *
 * What a receipt says: the store's header lines, receipt number, till, date and cashier;
 * every line (a voided line with its amount and the void under it, so the amounts add
 * up to the total); the total, one line per tender, the change; tax per class; the card
 * terminal's own receipt lines; the footer; and a barcode (CODE128) or QR code carrying
 * the receipt's number, so a reprint or a return can scan it.  A gift receipt leaves out
 * every price; a reprint says COPY at the top and the bottom. */
#ifndef TILL_RECEIPT_H
#define TILL_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "core/receipt_layout.h"
#include "core/sale.h"

#define RECEIPT_DEFAULT_WIDTH 42

enum receipt_code { RECEIPT_CODE_NONE, RECEIPT_CODE_128, RECEIPT_CODE_QR };

struct receipt_options {
    int width;              /* 32, 42, 48, 56 columns */
    const char *when_text;  /* the completion time, already formatted: "2026-11-25 14:03" */
    const char *header;     /* extra header lines under the store name, '\n'-separated; NULL: none */
    const char *footer;     /* footer lines, '\n'-separated; NULL: "Thank you!" */
    enum receipt_code code;
    int copy;               /* a reprint: COPY at the top and the bottom */
    int gift;               /* a gift receipt: items and quantities, no prices */
    int fold;               /* fold the text to what codepage prints (rl_fold_to) */
    enum escpos_codepage codepage;
};

/* Lays the receipt out into l (rl_init'ed here; rl_free it).  0, or -1 out of memory. */
int receipt_layout(const struct sale *sale, const struct receipt_options *o, struct receipt_layout *l);
/* The plain receipt as text, newly allocated (free() it); width in columns, no barcode. */
int receipt_render(const struct sale *sale, int width, const char *when_text, char **out);

/* The text a receipt's barcode carries: "R" + till id + "-" + receipt number ("RT1-42"). */
int receipt_code_format(const char *terminal_id, int64_t receipt_no, char *buf, size_t len);
/* Reads a scanned receipt code back; 0, or -1 if text is not one. */
int receipt_code_parse(const char *text, char *terminal_id, size_t tlen, int64_t *receipt_no);

#endif
