/* The sale's customer: search by name, card or customer number as the cashier types. */
#include <curses.h>
#include <stdio.h>

#include "app/app.h"
#include "ui/screen.h"

static struct bindings customer_bindings(const struct app *app);

static int customer_draw(const struct ui *ui, const struct app *app)
{
    const struct app_customer *c = &app->customer;
    int w = COLS - 8 < 72 ? COLS - 8 : 72;
    int h = APP_CUSTOMERS_MAX + 7;
    if (h > LINES - 2)
        h = LINES - 2;
    int y, x;
    draw_dialog(h, w, "Customer", &y, &x);
    for (int i = 0; i < c->n && i < h - 6; i++) {
        const struct customer *cu = &c->results[i];
        char line[160];
        snprintf(line, sizeof line, "%-30.30s %-10.10s %s", cu->name, cu->segment, cu->card);
        if (i == c->sel)
            attron(COLOR_PAIR(COLOR_SELECTED));
        mvhline(y + 4 + i, x + 2, ' ', w - 4);
        draw_text(y + 4 + i, x + 3, w - 6, line);
        if (i == c->sel)
            attroff(COLOR_PAIR(COLOR_SELECTED));
    }
    if (c->n == 0 && ui->input[0])
        mvaddstr(y + 4, x + 3, "No customer matches (two letters or more).");
    char hint[128];
    bindings_hint_line(customer_bindings(app), hint, sizeof hint);
    draw_text(y + h - 2, x + 3, w - 6, hint);
    draw_field(y + 2, x + 3, w - 6, "Name or card:", ui->input);
    return 1;
}

static int choose(struct ui *ui, struct app *app) { app_customer_choose(app); return UI_REDRAW; }
static int up(struct ui *ui, struct app *app) { app_customer_select(app, -1); return UI_REDRAW; }
static int down(struct ui *ui, struct app *app) { app_customer_select(app, +1); return UI_REDRAW; }

static int no_customer(struct ui *ui, struct app *app)
{
    app->mode = MODE_SALE;
    app_customer_set(app, NULL);
    return UI_REDRAW;
}

static int close_dialog(struct ui *ui, struct app *app)
{
    app_close_dialog(app);
    return UI_REDRAW;
}

static const struct binding customer_keys[] = {
    { '\r', 0, "Enter", "Choose", NULL, choose },
    { KEY_UP, 1, "Up/Down", "Select", NULL, up },
    { KEY_DOWN, 1, NULL, NULL, NULL, down },
    { KEY_F(3), 1, "F3", "No customer", NULL, no_customer },
    { 27, 0, "Esc", "Close", NULL, close_dialog },
};

static struct bindings customer_bindings(const struct app *app)
{
    return BINDINGS(customer_keys);
}

static int customer_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int r = bindings_dispatch(customer_bindings(app), ui, app, k);
    if (r)
        return r;
    r = field_edit(ui->input, sizeof ui->input, k);
    if (r)
        app_customer_search(app, ui->input);
    return r;
}

const struct screen screen_customer = {
    .name = "customer",
    .draw = customer_draw,
    .key = customer_key,
    .bindings = customer_bindings,
};
