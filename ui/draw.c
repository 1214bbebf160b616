#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "ui/screen.h"

int text_columns(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

/* Writes at most width columns of UTF-8 text. */
void draw_text(int y, int x, int width, const char *s)
{
    if (width <= 0)
        return;
    size_t i = 0;
    int cols = 0;
    while (s[i]) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && cols++ == width)
            break;
        i++;
    }
    mvaddnstr(y, x, s, (int)i);
}

/* The byte end of the first cols columns of s. */
static size_t columns_end(const char *s, int cols)
{
    size_t i = 0;
    int c = 0;
    while (s[i]) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && c++ == cols)
            break;
        i++;
    }
    return i;
}

void draw_text_fit(int y, int x, int width, const char *s, const char *sep)
{
    if (width <= 0)
        return;
    if (text_columns(s) <= width) {
        mvaddstr(y, x, s);
        return;
    }
    /* cut at the last sep that leaves room for " …" */
    size_t limit = width >= 2 ? columns_end(s, width - 2) : 0, cut = 0, seplen = strlen(sep);
    for (size_t i = 1; i <= limit; i++)
        if (strncmp(s + i, sep, seplen) == 0 && s[i - 1] != ' ')
            cut = i;
    if (cut) {
        mvaddnstr(y, x, s, (int)cut);
        addstr(" \xe2\x80\xa6");
    } else { /* one word longer than the line: cut at a character */
        mvaddnstr(y, x, s, (int)columns_end(s, width - 1));
        addstr("\xe2\x80\xa6");
    }
}

void draw_text_right(int y, int x_end, const char *s)
{
    int w = text_columns(s);
    mvaddstr(y, x_end - w, s);
}

int dialog_rows_above_totals(void)
{
    return LINES - 6;
}

void draw_dialog_above_totals(int h, int w, const char *title, int *top, int *left)
{
    int rows = dialog_rows_above_totals();
    if (h > rows)
        h = rows;
    draw_dialog_at(1 + (rows - h) / 2, h, w, title, top, left);
}

void draw_dialog(int h, int w, const char *title, int *top, int *left)
{
    draw_dialog_at((LINES - h) / 2, h, w, title, top, left);
}

void draw_dialog_at(int y, int h, int w, const char *title, int *top, int *left)
{
    int x = (COLS - w) / 2;
    attron(COLOR_PAIR(COLOR_DIALOG));
    for (int r = 0; r < h; r++)
        mvhline(y + r, x, ' ', w);
    mvhline(y, x + 1, ACS_HLINE, w - 2);
    mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
    mvvline(y + 1, x, ACS_VLINE, h - 2);
    mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
    mvaddch(y, x, ACS_ULCORNER);
    mvaddch(y, x + w - 1, ACS_URCORNER);
    mvaddch(y + h - 1, x, ACS_LLCORNER);
    mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
    attron(A_BOLD);
    mvprintw(y, x + 2, " %s ", title);
    attroff(A_BOLD);
    *top = y;
    *left = x;
}

void draw_field(int y, int x, int width, const char *label, const char *value)
{
    mvaddstr(y, x, label);
    int fx = x + text_columns(label) + 1;
    int fw = width - (fx - x);
    attron(A_UNDERLINE | A_BOLD);
    mvhline(y, fx, ' ', fw);
    int vw = text_columns(value);
    /* keep the end of a long value visible */
    const char *v = value;
    while (vw >= fw && *v) {
        v++;
        while (((unsigned char)*v & 0xC0) == 0x80)
            v++;
        vw--;
    }
    mvaddstr(y, fx, v);
    attroff(A_UNDERLINE | A_BOLD);
    move(y, fx + vw);
}

int key_is_enter(struct ui_key k)
{
    return (!k.is_key && (k.code == '\r' || k.code == '\n')) || (k.is_key && k.code == KEY_ENTER);
}

int key_is_escape(struct ui_key k)
{
    return !k.is_key && k.code == 27;
}

int field_edit(char *buf, size_t len, struct ui_key k)
{
    size_t n = strlen(buf);
    if ((k.is_key && k.code == KEY_BACKSPACE) || (!k.is_key && (k.code == 127 || k.code == 8))) {
        while (n > 0 && ((unsigned char)buf[n - 1] & 0xC0) == 0x80)
            n--;
        if (n > 0)
            n--;
        buf[n] = 0;
        return UI_HANDLED | UI_REDRAW;
    }
    if (!k.is_key && k.code == 21) { /* Ctrl-U clears the field */
        buf[0] = 0;
        return UI_HANDLED | UI_REDRAW;
    }
    if (k.is_key || k.code < 32 || k.code == 127)
        return UI_IGNORED;
    char mb[8];
    int m = wctomb(mb, (wchar_t)k.code);
    if (m <= 0 || n + (size_t)m + 1 > len)
        return UI_HANDLED | UI_REDRAW;
    memcpy(buf + n, mb, (size_t)m);
    buf[n + (size_t)m] = 0;
    return UI_HANDLED | UI_REDRAW;
}
