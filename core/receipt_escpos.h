/* A receipt layout as ESC/POS bytes: the same lines the text receipt has, with bold and
 * double size as commands, the barcode or QR code as the printer draws it, then feed and
 * cut.  Pure. */
#ifndef TILL_RECEIPT_ESCPOS_H
#define TILL_RECEIPT_ESCPOS_H

#include "core/escpos.h"
#include "core/receipt_layout.h"

struct receipt_escpos_options {
    enum escpos_codepage codepage;
    int esc_t;               /* ESC t n for that code page on this printer */
    enum escpos_cut cut;
    int feed_lines;          /* fed before the cut, so the last line clears the cutter */
    int barcode_height;      /* dots */
    int barcode_module;      /* 2..6 */
    int qr_module;           /* 1..16 */
};

/* Defaults for an Epson-compatible 80 mm printer: PC858, partial cut after 4 lines. */
void receipt_escpos_defaults(struct receipt_escpos_options *o);
/* Appends the whole receipt, from ESC @ to the cut, to out (escpos_buf_init'ed by the
 * caller with o->codepage).  -1 if out ran out of memory. */
int receipt_escpos(const struct receipt_layout *l, const struct receipt_escpos_options *o,
                   struct escpos_buf *out);

/* A plain text document (lines separated by '\n', already laid out to the paper's width,
 * e.g. a stock count's variance report) from ESC @ to the cut, appended to out.  Each
 * line goes through the code page like receipt text; -1 if out ran out of memory. */
int receipt_escpos_plain(const char *utf8, const struct receipt_escpos_options *o, struct escpos_buf *out);

#endif
