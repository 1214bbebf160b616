#include "core/pole_display.h"

#include <stdio.h>
#include <string.h>

#include "core/receipt_layout.h"

void pole_lines_init(struct pole_lines *l, enum escpos_codepage cp)
{
    memset(l, 0, sizeof *l);
    l->cp = cp;
}

static void put_line(struct pole_lines *l, int n, int indent, const char *a, int room, const char *b)
{
    char *out = l->line[n & 1];
    size_t len = 0, cap = sizeof l->line[0];
    int cols = 0;
    for (; cols < indent && len + 1 < cap; cols++)
        out[len++] = ' ';
    size_t k = rl_text_prefix(a, room);
    if (len + k < cap) {
        memcpy(out + len, a, k);
        len += k;
        char tmp[sizeof l->line[0]];
        memcpy(tmp, a, k);
        tmp[k] = 0;
        cols += rl_text_width(tmp);
    }
    int bw = b ? rl_text_width(b) : 0;
    for (; cols < POLE_COLS - bw && len + 1 < cap; cols++)
        out[len++] = ' ';
    if (b) {
        size_t bn = rl_text_prefix(b, POLE_COLS);
        if (len + bn < cap) {
            memcpy(out + len, b, bn);
            len += bn;
        }
    }
    out[len] = 0;
}

/* Text as the display will show it (substitutes counted in columns). */
static void fold(const struct pole_lines *l, const char *in, char *out, size_t len)
{
    escpos_fold(l->cp, in ? in : "", out, len);
}

void pole_line_pair(struct pole_lines *l, int n, const char *left_in, const char *right_in)
{
    char left[256], right[256];
    fold(l, left_in, left, sizeof left);
    fold(l, right_in, right, sizeof right);
    int rw = rl_text_width(right);
    if (rw > POLE_COLS)
        rw = POLE_COLS;
    int room = POLE_COLS - rw - (rw && rw < POLE_COLS ? 1 : 0);
    put_line(l, n, 0, left, room, right);
}

void pole_line_center(struct pole_lines *l, int n, const char *text_in)
{
    char text[256];
    fold(l, text_in, text, sizeof text);
    int w = rl_text_width(text);
    put_line(l, n, w < POLE_COLS ? (POLE_COLS - w) / 2 : 0, text, POLE_COLS, NULL);
}

void pole_frame(const struct pole_lines *l, int esc_t, struct escpos_buf *b)
{
    escpos_select_codepage(b, esc_t);
    for (int n = 0; n < 2; n++) {
        unsigned char pos[4] = { 0x1F, 0x24, 1, (unsigned char)(n + 1) };
        escpos_raw(b, pos, sizeof pos);
        escpos_text(b, l->line[n]);
    }
}
