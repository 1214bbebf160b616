/* An ESC/POS decoder written for the tests from the command reference, independent of
 * core/escpos.c: bytes back to the text on the paper and the commands around it.  Text
 * is decoded with iconv from the code page ESC t selected.  Also the viewer for the file
 * printer (build/escpos-view FILE) and the test printer's checker. */
#ifndef TILL_TESTS_ESCPOS_DECODE_H
#define TILL_TESTS_ESCPOS_DECODE_H

#include <stddef.h>
#include <stdio.h>

#define DEC_MAX_CODES 64

struct escpos_decoded {
    char *text;            /* the paper: UTF-8 lines; with annotate, commands as [..] lines */
    size_t len;
    int inits, cuts, kicks, unknown, status_requests;
    int kick_pin, kick_on_ms, kick_off_ms;   /* the last kick */
    int codepage;          /* the last ESC t n */
    int bold_bytes;        /* printed characters that were bold */
    int double_bytes;      /* printed characters that were double size */
    char codes[DEC_MAX_CODES][1024];         /* CODE128 and QR data, in order (a TSE QR is ~450) */
    char code_kinds[DEC_MAX_CODES][8];       /* "CODE128", "QR" */
    int ncodes;
    int truncated;         /* the bytes ended inside a command */
};

/* annotate: commands appear as lines like "[cut partial]"; else only the paper text.
 * Double-size characters count as one column, their leading spaces as two (the text
 * receipt's convention, so the two can be compared line by line). */
/* columns: the paper's width, where ESC a centres a line (the barcode's text). */
int escpos_decode(const unsigned char *p, size_t n, int columns, int annotate, struct escpos_decoded *out);
void escpos_decoded_free(struct escpos_decoded *d);

#endif
