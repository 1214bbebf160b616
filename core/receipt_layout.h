/* The receipt layout model: what a receipt says, line by line, with its emphasis, before
 * anything is printed.  The text receipt (screen and spool file) and the ESC/POS bytes
 * are both rendered from it (rl_render_text here, receipt_escpos in core/receipt_escpos.h),
 * so what the cashier sees is what the customer gets.  Pure: no I/O.
 *
 * An item is one logical line: text on the left, optionally an amount on the right; it
 * becomes one or more printed lines of the layout's width (a long name wraps, the amount
 * stays on the last line).  Double-size items have half the columns. */
#ifndef TILL_RECEIPT_LAYOUT_H
#define TILL_RECEIPT_LAYOUT_H

#include <stddef.h>

#include "core/escpos.h"

enum rl_kind { RL_TEXT, RL_RULE, RL_CODE128, RL_QR };
enum rl_align { RL_LEFT, RL_CENTER, RL_RIGHT };

#define RL_BOLD 1u
#define RL_DOUBLE 2u       /* double width and height */

struct rl_item {
    enum rl_kind kind;
    enum rl_align align;
    unsigned style;
    char *left;            /* RL_TEXT: the text; RL_CODE128/RL_QR: the data */
    char *right;           /* RL_TEXT: right-aligned part, or NULL */
    char fill;             /* RL_RULE: the character */
};

#define RL_MIN_WIDTH 24
#define RL_MAX_WIDTH 80

struct receipt_layout {
    int width;             /* columns at normal size: 32, 42, 48 or 56 for 58/80 mm paper */
    struct rl_item *items;
    int n, cap;
    int failed;            /* out of memory on the way: the layout is incomplete */
    int fold;              /* text is folded to what codepage can print (escpos_fold) */
    enum escpos_codepage codepage;
};

void rl_init(struct receipt_layout *l, int width);
/* From here on, text added is folded to what cp prints, so the text receipt shows what
 * the paper will. */
void rl_fold_to(struct receipt_layout *l, enum escpos_codepage cp);
void rl_free(struct receipt_layout *l);
void rl_text(struct receipt_layout *l, enum rl_align align, unsigned style, const char *text);
/* left text and right-aligned right text on one line (right may be "" or NULL). */
void rl_pair(struct receipt_layout *l, unsigned style, const char *left, const char *right);
void rl_rule(struct receipt_layout *l, char fill);
void rl_code(struct receipt_layout *l, enum rl_kind kind, const char *data);

/* Columns an item has: the width, halved for double size. */
int rl_columns(const struct receipt_layout *l, const struct rl_item *it);
/* Calls emit for each printed line of item it (UTF-8, no newline, no trailing spaces).
 * Barcodes have one line of text: their data, as printed under the bars. */
void rl_item_lines(const struct receipt_layout *l, const struct rl_item *it,
                   void (*emit)(void *ctx, const char *line), void *ctx);
/* The whole receipt as text lines, '\n'-terminated (free() it); -1 out of memory. */
int rl_render_text(const struct receipt_layout *l, char **out);

/* Display columns of UTF-8 text (one per code point: receipts are Latin text). */
int rl_text_width(const char *s);
/* Byte length of the first cols columns of s (cut at the start of a character). */
size_t rl_text_prefix(const char *s, int cols);

#endif
