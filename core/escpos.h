/* ESC/POS commands as bytes: a builder over a growing buffer.  Pure: it never talks to a
 * printer, it only says what to send.  Text goes in as UTF-8 and comes out in the
 * printer's code page (PC858 by default: €, umlauts and accents); a character the code
 * page lacks becomes a look-alike ("—" to "-", "Ő" to "O") or, failing that, '?', never
 * a stray byte.  Control characters in text are dropped, so a product name can never
 * smuggle a command to the printer. */
#ifndef TILL_ESCPOS_H
#define TILL_ESCPOS_H

#include <stddef.h>
#include <stdint.h>

/* Character tables the builder can encode for. */
enum escpos_codepage { ESCPOS_PC437, ESCPOS_PC850, ESCPOS_PC858, ESCPOS_WPC1252 };

struct escpos_buf {
    unsigned char *p;
    size_t len, cap;
    int failed;            /* out of memory: the buffer is incomplete, don't send it */
    enum escpos_codepage cp;
};

enum escpos_align { ESCPOS_LEFT = 0, ESCPOS_CENTER = 1, ESCPOS_RIGHT = 2 };
enum escpos_cut { ESCPOS_CUT_NONE, ESCPOS_CUT_PARTIAL, ESCPOS_CUT_FULL };
enum escpos_pin { ESCPOS_PIN2 = 0, ESCPOS_PIN5 = 1 };

/* "pc858" -> ESCPOS_PC858, with the table number ESC t selects on Epson-compatible
 * printers (PC437 0, PC850 2, PC858 19, WPC1252 16).  -1 for an unknown name. */
int escpos_codepage_from_name(const char *name, enum escpos_codepage *cp, int *esc_t);
const char *escpos_codepage_name(enum escpos_codepage cp);

void escpos_buf_init(struct escpos_buf *b, enum escpos_codepage cp);
void escpos_buf_free(struct escpos_buf *b);
void escpos_raw(struct escpos_buf *b, const void *bytes, size_t n);

/* ESC @: back to the printer's defaults. */
void escpos_initialize(struct escpos_buf *b);
/* ESC t n: the character table (n from escpos_codepage_from_name or the printer's manual). */
void escpos_select_codepage(struct escpos_buf *b, int esc_t);
void escpos_bold(struct escpos_buf *b, int on);
/* GS ! n: width and height multipliers 1..8. */
void escpos_size(struct escpos_buf *b, int width, int height);
void escpos_align(struct escpos_buf *b, enum escpos_align a);
/* UTF-8 text in the buffer's code page; no line feed. */
void escpos_text(struct escpos_buf *b, const char *utf8);
void escpos_newline(struct escpos_buf *b);
/* ESC d n: print and feed n lines. */
void escpos_feed(struct escpos_buf *b, int lines);
/* GS V m: cut (none writes nothing). */
void escpos_cut(struct escpos_buf *b, enum escpos_cut cut);
/* ESC p m t1 t2: a pulse on pin 2 or 5 (the cash drawer), on/off times in ms (2 ms units,
 * capped at 510 ms). */
void escpos_kick(struct escpos_buf *b, enum escpos_pin pin, int on_ms, int off_ms);
/* GS k 73: CODE128 (code set B) with its text printed below; height in dots, module
 * width 2..6.  Characters outside printable ASCII make it fail (returns -1, writes nothing). */
int escpos_code128(struct escpos_buf *b, const char *data, int height, int module);
/* GS ( k: QR code, model 2, error correction M; module size 1..16 dots. */
int escpos_qr(struct escpos_buf *b, const char *data, int module);
/* DLE EOT n (1..4): ask for real-time status; the answer is one byte (escpos_status.h). */
void escpos_status_request(struct escpos_buf *b, int n);

/* The text as it will print in cp, still UTF-8: characters cp lacks replaced by their
 * look-alikes or '?', control characters dropped.  Layouts fold their text first so that
 * column counts are those of the paper.  Returns the length, or -1 if out is too small
 * (out then holds what fitted). */
int escpos_fold(enum escpos_codepage cp, const char *utf8, char *out, size_t outlen);
/* The code page byte for a Unicode code point, or 0 when the page has none. */
unsigned char escpos_encode_char(enum escpos_codepage cp, uint32_t u);
/* Next code point of UTF-8 text; malformed bytes come back as U+FFFD, one at a time. */
uint32_t escpos_utf8_next(const char **s);

#endif
