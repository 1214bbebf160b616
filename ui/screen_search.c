/* Product search by name: results update as the cashier types. */
#include <curses.h>
#include <stdio.h>
#include <time.h>

#include "app/app.h"
#include "ui/screen.h"

static struct bindings search_bindings(const struct app *app);

static int search_draw(const struct ui *ui, const struct app *app)
{
    const struct app_search *se = &app->search;
    int w = COLS - 8 < 72 ? COLS - 8 : 72;
    int h = APP_SEARCH_MAX + 7;
    if (h > LINES - 2)
        h = LINES - 2;
    int y, x;
    draw_dialog(h, w, "Search product", &y, &x);
    int rows = h - 6;
    for (int i = 0; i < se->n && i < rows; i++) {
        const struct product *p = &se->results[i];
        char price[48], line[160], stock[48] = "-", q[32];
        money_format(p->price, &app->s.fmt, 1, price, sizeof price);
        snprintf(line, sizeof line, "%s%s", p->name, p->unit == UNIT_KG ? " (per kg)" : "");
        if (se->stock_known[i] && money_format_qty(se->stock[i], p->unit == UNIT_KG, &app->s.fmt, q, sizeof q) >= 0)
            snprintf(stock, sizeof stock, "%s%s", q, se->stock[i] <= 0 ? " OUT" : "");
        if (i == ui->result_sel)
            attron(COLOR_PAIR(COLOR_SELECTED));
        mvhline(y + 4 + i, x + 2, ' ', w - 4);
        draw_text(y + 4 + i, x + 3, w - 32, line);
        draw_text_right(y + 4 + i, x + w - 17, stock);
        draw_text_right(y + 4 + i, x + w - 3, price);
        if (i == ui->result_sel)
            attroff(COLOR_PAIR(COLOR_SELECTED));
    }
    if (se->names_not_ready && se->n == 0)
        mvaddstr(y + 4, x + 3, "Name search ready in a moment (catalog loading).");
    else if (se->needs_more)
        mvaddstr(y + 4, x + 3, "Keep typing: results from two letters on.");
    else if (se->n == 0 && ui->input[0])
        mvaddstr(y + 4, x + 3, "No product matches.");
    if (se->n) {
        /* the stock column is what the last sync brought: say when */
        char when[32] = "never", head[64];
        time_t t = (time_t)app->sync.last_sync_at;
        struct tm tm;
        if (t && localtime_r(&t, &tm))
            strftime(when, sizeof when, "%H:%M", &tm);
        snprintf(head, sizeof head, "stock, synced %s", when);
        attron(A_DIM);
        draw_text_right(y + 3, x + w - 17, head);
        attroff(A_DIM);
    }
    char hint[128];
    bindings_hint_line(search_bindings(app), hint, sizeof hint);
    draw_text(y + h - 2, x + 3, w - 6, hint);
    draw_field(y + 2, x + 3, w - 6, "Name:", ui->input);
    return 1;
}

static void search_enter(struct ui *ui, struct app *app)
{
    ui->result_sel = 0;
}

static int choose(struct ui *ui, struct app *app)
{
    app_search_choose(app, ui->result_sel);
    return UI_REDRAW;
}

static int move_selection(struct ui *ui, const struct app *app, int delta)
{
    int s = ui->result_sel + delta;
    if (s >= 0 && s < app->search.n)
        ui->result_sel = s;
    return UI_REDRAW;
}

static int stock(struct ui *ui, struct app *app)
{
    app_stock_lookup_search(app, ui->result_sel);
    return UI_REDRAW;
}

static int up(struct ui *ui, struct app *app) { return move_selection(ui, app, -1); }
static int down(struct ui *ui, struct app *app) { return move_selection(ui, app, +1); }

static int close_search(struct ui *ui, struct app *app)
{
    app_close_dialog(app);
    return UI_REDRAW;
}

static const struct binding search_keys[] = {
    { '\r', 0, "Enter", "Add", NULL, choose },
    { KEY_F(2), 1, "F2", "Stock", NULL, stock },
    { KEY_UP, 1, "Up/Down", "Choose", NULL, up },
    { KEY_DOWN, 1, NULL, NULL, NULL, down },
    { 27, 0, "Esc", "Close", NULL, close_search },
};

static struct bindings search_bindings(const struct app *app)
{
    return BINDINGS(search_keys);
}

static int search_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int r = bindings_dispatch(search_bindings(app), ui, app, k);
    if (r)
        return r;
    r = field_edit(ui->input, sizeof ui->input, k);
    if (r) {
        ui->result_sel = 0;
        app_search_update(app, ui->input);
    }
    return r;
}

const struct screen screen_search = {
    .name = "search",
    .enter = search_enter,
    .draw = search_draw,
    .key = search_key,
    .bindings = search_bindings,
};
