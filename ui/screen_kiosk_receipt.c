/* Kiosk: paid.  The receipt (also written to the spool, where the printer takes it) and a
 * key to finish; it moves on by itself after kiosk.receipt_s. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "app/kiosk.h"
#include "src/i18n.h"
#include "ui/kiosk_draw.h"
#include "ui/screen.h"

/* Appends n bytes of src to dst (cap bytes, *len used), as much as fits. */
static void put(char *dst, size_t cap, size_t *len, const char *src, size_t n)
{
    if (*len + n >= cap)
        n = cap - 1 - *len;
    memcpy(dst + *len, src, n);
    *len += n;
    dst[*len] = 0;
}

static void put_spaces(char *dst, size_t cap, size_t *len, int n)
{
    for (; n > 0; n--)
        put(dst, cap, len, " ", 1);
}

/* A receipt line wider than the room beside the words: the figure at its right end (after
 * the last run of two or more spaces) stays whole, the words before it are shortened with
 * an ellipsis.  Never "TOTAL 4,1". */
static void receipt_line_fit(char *line, size_t size, int width)
{
    int cols = text_columns(line);
    if (cols <= width || width < 8)
        return;
    char *gap = NULL;
    for (char *p = line; *p; p++)
        if (p[0] == ' ' && p[1] == ' ' && (p == line || p[-1] != ' '))
            gap = p;
    if (!gap)
        return;
    char *right = gap;
    while (*right == ' ')
        right++;
    if (!*right)
        return;
    int rcols = text_columns(right);
    int lroom = width - rcols - 1; /* one space between */
    char tmp[512];
    size_t n = 0;
    tmp[0] = 0;
    if (lroom < 2) { /* only the figure fits */
        put_spaces(tmp, sizeof tmp, &n, width - rcols);
    } else {
        *gap = '\0';
        int lcols = text_columns(line);
        if (lcols > lroom) { /* cut the words at a character, then an ellipsis */
            int c = 0;
            size_t i = 0;
            while (line[i]) {
                if (((unsigned char)line[i] & 0xC0) != 0x80 && c++ == lroom - 1)
                    break;
                i++;
            }
            put(tmp, sizeof tmp, &n, line, i);
            put(tmp, sizeof tmp, &n, "\xe2\x80\xa6 ", 4);
        } else {
            put(tmp, sizeof tmp, &n, line, strlen(line));
            put_spaces(tmp, sizeof tmp, &n, width - lcols - rcols);
        }
    }
    put(tmp, sizeof tmp, &n, right, strlen(right));
    n = n < size ? n : size - 1;
    memcpy(line, tmp, n);
    line[n] = 0;
}

static int receipt_draw(const struct ui *ui, const struct app *app)
{
    const struct kiosk *k = app->kiosk;
    /* the receipt gets its full width (42 columns: the whole figures of every line); the
     * words beside it at least 30 columns */
    int left_w = COLS - app->s.receipt_width - 1, top = 3;
    if (left_w < 36)
        left_w = 36;
    attron(COLOR_PAIR(KIOSK_PAIR_GOOD) | A_BOLD);
    for (int r = top; r <= top + 2; r++)
        mvhline(r, 2, ' ', left_w - 4);
    attroff(COLOR_PAIR(KIOSK_PAIR_GOOD) | A_BOLD);
    attron(COLOR_PAIR(KIOSK_PAIR_GOOD) | A_BOLD);
    draw_text(top + 1, 4, left_w - 8, _("PAYMENT APPROVED"));
    attroff(COLOR_PAIR(KIOSK_PAIR_GOOD) | A_BOLD);
    char a[48], line[160];
    money_format(app->last.total, &app->s.fmt, 1, a, sizeof a);
    snprintf(line, sizeof line, _("You paid %s."), a);
    attron(A_BOLD);
    draw_text(top + 4, 4, left_w - 6, line);
    /* TRANSLATORS: two short lines beside the receipt; at most 30 columns each */
    draw_text(top + 6, 4, left_w - 6, _("Please take your receipt"));
    /* TRANSLATORS: at most 30 columns */
    draw_text(top + 7, 4, left_w - 6, _("and your shopping."));
    attroff(A_BOLD);
    /* TRANSLATORS: at most 34 columns with a one-character key */
    snprintf(line, sizeof line, _("Press %s when you are done."), k->keys[KIOSK_KEY_OK].name);
    draw_text(top + 9, 4, left_w - 6, line);
    /* the receipt itself, as much as fits */
    const char *s = app->last.receipt_text ? app->last.receipt_text : "";
    int rx = left_w, rw = COLS - left_w - 1, rows = LINES - 4 - top - 1;
    attron(A_DIM);
    for (int r = 0; r < rows && *s; r++) {
        size_t n = strcspn(s, "\n");
        char buf[256];
        snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), s);
        receipt_line_fit(buf, sizeof buf, rw);
        draw_text(top + r, rx, rw, buf);
        s += n + (s[n] == '\n');
    }
    attroff(A_DIM);
    return 0;
}

static int done(struct ui *ui, struct app *app)
{
    kiosk_done(app);
    return UI_REDRAW;
}

static struct binding receipt_keys[2];

static struct bindings receipt_bindings(const struct app *app)
{
    receipt_keys[0] = kiosk_binding(app, KIOSK_KEY_OK, CAP_("Done"), "finish", done);
    receipt_keys[1] = kiosk_binding(app, KIOSK_KEY_STAFF, NULL, "attendant: PIN", kiosk_run_staff);
    return BINDINGS(receipt_keys);
}

static int receipt_key(struct ui *ui, struct app *app, struct ui_key k)
{
    return bindings_dispatch(receipt_bindings(app), ui, app, k);
}

const struct screen screen_kiosk_receipt = {
    .name = "kiosk receipt",
    .draw = receipt_draw,
    .key = receipt_key,
    .bindings = receipt_bindings,
    .full_screen = 1,
};
