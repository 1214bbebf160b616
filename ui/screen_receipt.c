/* After payment: the change to hand back, big, and the receipt as printed. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "ui/screen.h"

static void receipt_draw(const struct app *app)
{
    int w = app->s.receipt_width + 6;
    if (w > COLS - 2)
        w = COLS - 2;
    int h = LINES - 2, y, x;
    draw_dialog(h, w, "Sale complete", &y, &x);
    char a[48], line[96];
    money_format(app->last_change, &app->s.fmt, 1, a, sizeof a);
    snprintf(line, sizeof line, "CHANGE DUE: %s", a);
    attron(A_BOLD | COLOR_PAIR(COLOR_TOTAL));
    draw_text(y + 1, x + 3, w - 6, line);
    attroff(A_BOLD | COLOR_PAIR(COLOR_TOTAL));
    int row = 0, rows = h - 5;
    const char *s = app->receipt_text ? app->receipt_text : "";
    int skip = app->receipt_scroll;
    while (*s && row < rows) {
        const char *e = strchr(s, '\n');
        int n = e ? (int)(e - s) : (int)strlen(s);
        if (skip > 0) {
            skip--;
        } else {
            char buf[256];
            snprintf(buf, sizeof buf, "%.*s", n < 255 ? n : 255, s);
            draw_text(y + 3 + row, x + 3, w - 6, buf);
            row++;
        }
        s += n + (e != NULL);
    }
    draw_text(y + h - 2, x + 3, w - 6, "Enter: next customer  Up/Down: scroll");
}

static int receipt_key(struct app *app, struct ui_key k)
{
    if (key_is_enter(k) || key_is_escape(k)) {
        app_next_sale(app);
        return KEY_HANDLED;
    }
    if (k.is_key && (k.code == KEY_UP || k.code == KEY_DOWN)) {
        app->receipt_scroll += k.code == KEY_UP ? -1 : 1;
        if (app->receipt_scroll < 0)
            app->receipt_scroll = 0;
        app->dirty = 1;
        return KEY_HANDLED;
    }
    if (k.is_key && k.code == KEY_F(10)) {
        app_request_quit(app);
        return KEY_HANDLED;
    }
    return KEY_IGNORED;
}

const struct screen screen_receipt = { "receipt", receipt_draw, receipt_key };
