/* Product search by name: results update as the cashier types. */
#include <curses.h>
#include <stdio.h>

#include "app/app.h"
#include "ui/screen.h"

static void search_draw(const struct app *app)
{
    int w = COLS - 8 < 72 ? COLS - 8 : 72;
    int h = APP_SEARCH_MAX + 7;
    if (h > LINES - 2)
        h = LINES - 2;
    int y, x;
    draw_dialog(h, w, "Search product", &y, &x);
    draw_field(y + 2, x + 3, w - 6, "Name:", app->input);
    int rows = h - 6;
    for (int i = 0; i < app->nresults && i < rows; i++) {
        const struct product *p = &app->results[i];
        char price[48], line[160];
        money_format(p->price, &app->s.fmt, 1, price, sizeof price);
        snprintf(line, sizeof line, "%s%s", p->name, p->unit == UNIT_KG ? " (per kg)" : "");
        if (i == app->result_sel)
            attron(COLOR_PAIR(COLOR_SELECTED));
        mvhline(y + 4 + i, x + 2, ' ', w - 4);
        draw_text(y + 4 + i, x + 3, w - 20, line);
        draw_text_right(y + 4 + i, x + w - 3, price);
        if (i == app->result_sel)
            attroff(COLOR_PAIR(COLOR_SELECTED));
    }
    if (app->search_needs_more)
        mvaddstr(y + 4, x + 3, "Keep typing: results from two letters on.");
    else if (app->nresults == 0 && app->input[0])
        mvaddstr(y + 4, x + 3, "No product matches.");
    mvaddstr(y + h - 2, x + 3, "Up/Down: choose  Enter: add  Esc: close");
    draw_field(y + 2, x + 3, w - 6, "Name:", app->input);
}

static int search_key(struct app *app, struct ui_key k)
{
    if (key_is_escape(k)) {
        app_close_dialog(app);
        return KEY_HANDLED;
    }
    if (key_is_enter(k)) {
        app_search_choose(app);
        return KEY_HANDLED;
    }
    if (k.is_key && (k.code == KEY_UP || k.code == KEY_DOWN)) {
        int s = app->result_sel + (k.code == KEY_UP ? -1 : 1);
        if (s >= 0 && s < app->nresults)
            app->result_sel = s;
        app->dirty = 1;
        return KEY_HANDLED;
    }
    if (field_edit(app->input, sizeof app->input, k)) {
        app_search_update(app);
        return KEY_HANDLED;
    }
    return KEY_IGNORED;
}

const struct screen screen_search = { "search", search_draw, search_key };
