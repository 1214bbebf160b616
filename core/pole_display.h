/* The customer display on a pole: two lines of 20 characters, driven with the ESC/POS
 * line-display commands most of them understand (Epson DM-D and compatibles).  Pure: what
 * the two lines say, and the bytes that put them there. */
#ifndef TILL_POLE_DISPLAY_H
#define TILL_POLE_DISPLAY_H

#include "core/escpos.h"

#define POLE_COLS 20

struct pole_lines {
    char line[2][POLE_COLS * 4 + 1];   /* UTF-8, exactly POLE_COLS columns each */
    enum escpos_codepage cp;           /* text is folded to what the display has */
};

/* Empty lines for a display with code page cp. */
void pole_lines_init(struct pole_lines *l, enum escpos_codepage cp);
/* left text and right-aligned right text on line n (0 or 1); left is cut to fit. */
void pole_line_pair(struct pole_lines *l, int n, const char *left, const char *right);
void pole_line_center(struct pole_lines *l, int n, const char *text);
/* US $ x y to each line's start, then its 20 characters in code page cp (ESC t esc_t):
 * no clear, so the display does not flicker between frames. */
void pole_frame(const struct pole_lines *l, int esc_t, struct escpos_buf *b);

#endif
