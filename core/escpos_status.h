/* The printer's real-time status: the one-byte answers to DLE EOT 1..4, read back from
 * the printer (USB bulk IN, the TCP socket).  Pure: bytes in, a status out.
 *
 * Each answer has the fixed bits 0xx1 xx10 (bit 1 and bit 4 set, bits 0 and 7 clear),
 * which tells it apart from automatic status (ASB) blocks and stray bytes, which are
 * skipped.  Answers come in the order the requests went out. */
#ifndef TILL_ESCPOS_STATUS_H
#define TILL_ESCPOS_STATUS_H

#include <stddef.h>
#include <stdint.h>

struct printer_status {
    unsigned answered;      /* bit n set: DLE EOT n was answered */
    int offline;            /* n=1 bit 3 */
    int drawer_pin3_high;   /* n=1 bit 2: the drawer's open/close switch */
    int cover_open;         /* n=2 bit 2 */
    int feed_button;        /* n=2 bit 3: paper is being fed by the button */
    int paper_stop;         /* n=2 bit 5: printing stopped for lack of paper */
    int error;              /* n=2 bit 6 */
    int cutter_error;       /* n=3 bit 2 */
    int unrecoverable;      /* n=3 bit 3 */
    int auto_recoverable;   /* n=3 bit 5 (e.g. head too hot) */
    int paper_near_end;     /* n=4 bits 2,3 */
    int paper_out;          /* n=4 bits 5,6 */
};

#define ESCPOS_STATUS_MAX_PENDING 16

struct escpos_status_reader {
    uint8_t pending[ESCPOS_STATUS_MAX_PENDING];  /* n of each request not yet answered */
    int npending;
    struct printer_status st;
    unsigned long skipped;  /* bytes that were not status answers */
};

void escpos_status_reset(struct escpos_status_reader *r);
/* A DLE EOT n request went out; -1 when too many are outstanding. */
int escpos_status_expect(struct escpos_status_reader *r, int n);
/* Feeds bytes read from the printer; returns how many answers they completed. */
int escpos_status_feed(struct escpos_status_reader *r, const uint8_t *buf, size_t len);
/* Decodes one answer to DLE EOT n into st; -1 if b is not shaped like one. */
int escpos_status_decode(int n, uint8_t b, struct printer_status *st);

/* Whether a receipt can be printed: online, cover shut, paper in, no error. */
int printer_status_can_print(const struct printer_status *st);
/* What stops printing (or warns), for the cashier: "paper out", "cover open",
 * "paper near end", ...; "ok" when nothing.  Several conditions are joined by ", ". */
void printer_status_describe(const struct printer_status *st, char *buf, size_t len);

#endif
