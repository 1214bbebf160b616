/* The stock lookup: an item's stock as the last sync brought it and, online, live from the
 * store server, saying which figure is which.  A scan or a typed barcode looks an item up;
 * F4 finds one by name (F2 there comes back here with it). */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "ui/screen.h"

static struct bindings stock_bindings(const struct app *app);

/* The time of t, with the day (day.month. hh:mm) or with the seconds (hh:mm:ss). */
static void hhmm(int64_t t, int with_day, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!t || !localtime_r(&tt, &tm))
        snprintf(buf, len, "never");
    else if (with_day)
        strftime(buf, len, "%d.%m. %H:%M", &tm);
    else
        strftime(buf, len, "%H:%M:%S", &tm);
}

/* "8", "0 OUT", "-2 OUT" (at or below zero: selling goes on, the server counts it oversold),
 * or "no level" when the server has none. */
static void level_text(const struct app *app, int known, int64_t q, char *buf, size_t len)
{
    char n[32];
    if (!known) {
        snprintf(buf, len, "no level");
        return;
    }
    if (money_format_qty(q, app->lookup.product.unit == UNIT_KG, &app->s.fmt, n, sizeof n) < 0)
        snprintf(n, sizeof n, "?");
    snprintf(buf, len, "%s%s%s", n, app->lookup.product.unit == UNIT_KG ? " kg" : "", q <= 0 ? " OUT" : "");
}

static void figure(int y, int x, int w, const char *label, const char *value, int bold)
{
    draw_text(y, x, w - 16, label);
    if (bold)
        attron(A_BOLD);
    draw_text_right(y, x + w, value);
    attroff(A_BOLD);
}

static int stock_draw(const struct ui *ui, const struct app *app)
{
    const struct stock_lookup *l = &app->lookup;
    int w = COLS - 8 < 72 ? COLS - 8 : 72, h = 13, y, x;
    draw_dialog(h, w, "Stock lookup", &y, &x);
    int iw = w - 6;
    char line[240], value[48], when[32];
    if (l->state == STOCK_LOOKUP_EMPTY) {
        draw_text(y + 2, x + 3, iw, "Scan an item, or type its barcode and Enter.");
        draw_text(y + 3, x + 3, iw, "F4 finds it by name (F2 there shows its stock).");
    } else {
        char price[48];
        money_format(l->product.price, &app->s.fmt, 1, price, sizeof price);
        attron(A_BOLD);
        draw_text(y + 2, x + 3, iw - 14, l->product.name);
        attroff(A_BOLD);
        draw_text_right(y + 2, x + 3 + iw, price);
        snprintf(line, sizeof line, "%s  at %s", l->product.sku, app->count.location);
        draw_text(y + 3, x + 3, iw, line);
        if (l->state == STOCK_LOOKUP_LIVE) {
            hhmm(l->live_at, 0, when, sizeof when);
            snprintf(line, sizeof line, "LIVE from the store server at %s", when);
            level_text(app, l->live_known, l->live_on_hand, value, sizeof value);
            attron(COLOR_PAIR(COLOR_OK));
            figure(y + 5, x + 3, iw, line, value, 1);
            attroff(COLOR_PAIR(COLOR_OK));
        } else if (l->state == STOCK_LOOKUP_ASKING) {
            draw_text(y + 5, x + 3, iw, "Asking the store server...");
        } else {
            attron(COLOR_PAIR(COLOR_ERROR) | A_BOLD);
            snprintf(line, sizeof line, "%s: %s", l->state == STOCK_LOOKUP_FAILED ? "NOT LIVE" : "OFFLINE", l->why);
            draw_text(y + 5, x + 3, iw, line);
            attroff(COLOR_PAIR(COLOR_ERROR) | A_BOLD);
        }
        hhmm(l->synced_at, 1, when, sizeof when);
        snprintf(line, sizeof line, "As last synced (%s)", when);
        level_text(app, l->synced_known, l->synced_on_hand, value, sizeof value);
        figure(y + 7, x + 3, iw, line, value, l->state != STOCK_LOOKUP_LIVE);
    }
    if (app->message_is_error && app->message[0]) {
        attron(COLOR_PAIR(COLOR_ERROR));
        draw_text(y + 9, x + 3, iw, app->message);
        attroff(COLOR_PAIR(COLOR_ERROR));
    }
    char hint[160];
    bindings_hint_line(stock_bindings(app), hint, sizeof hint);
    draw_text(y + h - 2, x + 3, iw, hint);
    draw_field(y + 10, x + 3, iw, "Barcode:", ui->input);
    return 1;
}

static int look_up(struct ui *ui, struct app *app)
{
    char text[UI_INPUT_MAX];
    snprintf(text, sizeof text, "%s", ui->input);
    ui->input[0] = 0;
    if (text[0])
        app_stock_lookup_code(app, text);
    return UI_REDRAW;
}

static int again(struct ui *ui, struct app *app) { app_stock_refresh(app); return UI_REDRAW; }
static int search(struct ui *ui, struct app *app) { app_open_mode(app, MODE_SEARCH); return UI_REDRAW; }
static int close_lookup(struct ui *ui, struct app *app) { app_stock_leave(app); return UI_REDRAW; }

static const struct binding stock_keys[] = {
    { '\r', 0, "Enter", "Look up", NULL, look_up },
    { KEY_F(4), 1, "F4", "Search", NULL, search },
    { KEY_F(5), 1, "F5", "Ask again", NULL, again },
    { 27, 0, "Esc", "Close", NULL, close_lookup },
};

static struct bindings stock_bindings(const struct app *app)
{
    return BINDINGS(stock_keys);
}

static int stock_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int r = bindings_dispatch(stock_bindings(app), ui, app, k);
    if (r)
        return r;
    return field_edit(ui->input, sizeof ui->input, k);
}

const struct screen screen_stock = {
    .name = "stock",
    .draw = stock_draw,
    .key = stock_key,
    .bindings = stock_bindings,
};
