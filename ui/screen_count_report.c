/* The variance report of a finished count: per item expected, counted, difference and its
 * value; the items expected but not counted apart (as zero, or left out: F6); unknown
 * barcodes for review; the totals.  F5 submits. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "ui/screen.h"

#define TOP 3

struct rows {
    const struct ui *ui;
    const struct app *app;
    int n;          /* rows laid out so far */
    int first, last_y;
};

/* Puts row number rows->n on screen if it is in the window. */
static int row_y(struct rows *r)
{
    int y = TOP + r->n - r->first;
    r->n++;
    return y >= TOP && y <= r->last_y ? y : -1;
}

static void heading(struct rows *r, const char *text)
{
    int y = row_y(r);
    if (y < 0)
        return;
    attron(A_BOLD);
    draw_text(y, 1, COLS - 2, text);
    attroff(A_BOLD);
}

static void item_row(struct rows *r, const struct count_item *it)
{
    int y = row_y(r);
    if (y < 0)
        return;
    const struct app *app = r->app;
    struct count_variance v;
    char e[32], c[32], d[40], val[48];
    if (count_item_variance(it, app->count.info.uncounted_as_zero, &v))
        return;
    count_qty_text(app, it->unit, v.expected, e, sizeof e);
    count_qty_text(app, it->unit, v.counted, c, sizeof c);
    count_qty_text(app, it->unit, v.difference, d + 1, sizeof d - 1);
    d[0] = v.difference > 0 ? '+' : ' ';
    money_format(v.value_difference, &app->s.fmt, 0, val, sizeof val);
    if (app->count.info.receiving) {
        money_format(v.value_counted, &app->s.fmt, 0, val, sizeof val);
        draw_text(y, 1, COLS - 52, it->name);
        draw_text_right(y, COLS - 26, c);
        draw_text_right(y, COLS - 1, val);
        return;
    }
    if (v.difference)
        attron(v.difference < 0 ? COLOR_PAIR(COLOR_ERROR) : COLOR_PAIR(COLOR_OK));
    draw_text(y, 1, COLS - 52, it->name);
    draw_text_right(y, COLS - 38, it->has_expected ? e : "-");
    draw_text_right(y, COLS - 26, c);
    draw_text_right(y, COLS - 14, d);
    draw_text_right(y, COLS - 1, val);
    attroff(COLOR_PAIR(COLOR_ERROR) | COLOR_PAIR(COLOR_OK));
}

/* Lays out every row; only those in the window are drawn.  Returns the number of rows. */
static int layout(const struct ui *ui, const struct app *app, int first, int last_y)
{
    const struct count_session *c = &app->count;
    struct count_report_totals t;
    if (count_report_totals(&c->tally, c->info.uncounted_as_zero, &t))
        memset(&t, 0, sizeof t);
    struct rows r = { ui, app, 0, first, last_y };
    char line[160];
    snprintf(line, sizeof line, "%s (%d)", c->info.receiving ? "Received" : "Counted", t.items_counted);
    heading(&r, line);
    for (int i = 0; i < c->tally.n; i++)
        if (c->tally.items[i].sku[0] && c->tally.items[i].counted_ever)
            item_row(&r, &c->tally.items[i]);
    if (t.items_uncounted) {
        row_y(&r);
        snprintf(line, sizeof line, "Expected but not counted (%d): %s (F6 changes)", t.items_uncounted,
                 c->info.uncounted_as_zero ? "COUNTED AS ZERO" : "LEFT OUT, their stock stays");
        heading(&r, line);
        for (int i = 0; i < c->tally.n; i++)
            if (c->tally.items[i].sku[0] && !c->tally.items[i].counted_ever)
                item_row(&r, &c->tally.items[i]);
    }
    if (t.unknown_codes) {
        row_y(&r);
        snprintf(line, sizeof line, "Unknown barcodes for review (%d): not submitted", t.unknown_codes);
        heading(&r, line);
        for (int i = 0; i < c->tally.n; i++) {
            const struct count_item *it = &c->tally.items[i];
            if (it->sku[0])
                continue;
            int y = row_y(&r);
            char q[32];
            count_qty_text(app, UNIT_EACH, it->counted, q, sizeof q);
            if (y >= 0) {
                draw_text(y, 1, COLS - 30, it->barcode);
                draw_text_right(y, COLS - 26, q);
            }
        }
    }
    return r.n;
}

static int report_draw(const struct ui *ui, const struct app *app)
{
    const struct count_session *c = &app->count;
    char title[120];
    int receiving = c->info.receiving;
    if (receiving)
        snprintf(title, sizeof title, "GOODS IN %s | Into %s", c->info.id, c->info.zone);
    else
        snprintf(title, sizeof title, "VARIANCE REPORT %s | Zone %s", c->info.id, c->info.zone);
    count_draw_header(app, title);
    attron(A_BOLD);
    mvprintw(2, 1, "Item");
    if (!receiving) {
        draw_text_right(2, COLS - 38, "Expected");
        draw_text_right(2, COLS - 14, "Difference");
    }
    draw_text_right(2, COLS - 26, receiving ? "Received" : "Counted");
    draw_text_right(2, COLS - 1, "Value");
    attroff(A_BOLD);
    int last_y = LINES - 6;
    int total_rows = layout(ui, app, ui->receipt_scroll, last_y);
    if (ui->receipt_scroll > 0)
        mvprintw(TOP, COLS - 12, "^ more");
    if (total_rows - ui->receipt_scroll > last_y - TOP + 1)
        mvprintw(last_y, COLS - 12, "v more");

    struct count_report_totals t;
    char ve[48], vc[48], vd[48], line[300];
    if (count_report_totals(&c->tally, c->info.uncounted_as_zero, &t) == 0) {
        money_format(t.sum.value_expected, &app->s.fmt, 1, ve, sizeof ve);
        money_format(t.sum.value_counted, &app->s.fmt, 1, vc, sizeof vc);
        money_format(t.sum.value_difference, &app->s.fmt, 1, vd, sizeof vd);
        mvhline(LINES - 5, 0, ACS_HLINE, COLS);
        if (c->info.receiving)
            snprintf(line, sizeof line, "Items received %d  VALUE RECEIVED %s", t.items_counted, vc);
        else
            snprintf(line, sizeof line, "Value expected %s  counted %s  DIFFERENCE %s", ve, vc, vd);
        attron(A_BOLD | COLOR_PAIR(COLOR_TOTAL));
        draw_text(LINES - 4, 1, COLS - 2, line);
        attroff(A_BOLD | COLOR_PAIR(COLOR_TOTAL));
    }
    if (app->message[0]) {
        attron(app->message_is_error ? COLOR_PAIR(COLOR_ERROR) | A_BOLD : COLOR_PAIR(COLOR_OK));
        draw_text(LINES - 3, 1, COLS - 2, app->message);
        attroff(COLOR_PAIR(COLOR_ERROR) | COLOR_PAIR(COLOR_OK) | A_BOLD);
    }
    draw_text(LINES - 2, 1, COLS - 2, "Values at the catalog's selling price (no cost price is kept on the till).");
    if (ui->show_help)
        count_draw_help(screen_count_report.bindings(app), "Variance report: keys");
    return 0;
}

static void report_enter(struct ui *ui, struct app *app)
{
    ui->show_help = 0;
    ui->receipt_scroll = 0;
}

static int open_help(struct ui *ui, struct app *app) { ui->show_help = 1; return UI_REDRAW; }
static int submit(struct ui *ui, struct app *app) { app_count_submit(app); return UI_REDRAW; }
static int toggle(struct ui *ui, struct app *app) { app_count_toggle_uncounted(app); return UI_REDRAW; }
static int back(struct ui *ui, struct app *app) { app_count_back(app); return UI_REDRAW; }
static int print(struct ui *ui, struct app *app) { app_count_print(app); return UI_REDRAW; }

static int scroll_by(struct ui *ui, int d)
{
    ui->receipt_scroll += d;
    if (ui->receipt_scroll < 0)
        ui->receipt_scroll = 0;
    return UI_REDRAW;
}

static int up(struct ui *ui, struct app *app) { return scroll_by(ui, -1); }
static int down(struct ui *ui, struct app *app) { return scroll_by(ui, +1); }
static int page_up(struct ui *ui, struct app *app) { return scroll_by(ui, -(LINES - 9)); }
static int page_down(struct ui *ui, struct app *app) { return scroll_by(ui, LINES - 9); }

static const struct binding report_keys[] = {
    { KEY_F(1), 1, "F1", "Help", NULL, open_help },
    { KEY_F(5), 1, "F5", "Submit", "submit the count to the store server (once; it is queued if offline)", submit },
    { KEY_F(6), 1, "F6", "Uncounted: zero/out", "items expected but not counted: count as zero, or leave out", toggle },
    { KEY_F(7), 1, "F7", "Print", "print the report (it printed once when the count was finished)", print },
    { 27, 0, "Esc", "Back", "back to counting (the count stays open)", back },
    { KEY_UP, 1, "Up/Down PgUp/PgDn", NULL, "scroll the report", up },
    { KEY_DOWN, 1, NULL, NULL, NULL, down },
    { KEY_PPAGE, 1, NULL, NULL, NULL, page_up },
    { KEY_NPAGE, 1, NULL, NULL, NULL, page_down },
};

/* A delivery has nothing uncounted: the same keys without F6. */
static const struct binding receipt_keys[] = {
    { KEY_F(1), 1, "F1", "Help", NULL, open_help },
    { KEY_F(5), 1, "F5", "Submit", "submit the delivery: its items are added to stock on the store server", submit },
    { KEY_F(7), 1, "F7", "Print", "print the list (it printed once when the delivery was finished)", print },
    { 27, 0, "Esc", "Back", "back to scanning (the delivery stays open)", back },
    { KEY_UP, 1, "Up/Down PgUp/PgDn", NULL, "scroll the list", up },
    { KEY_DOWN, 1, NULL, NULL, NULL, down },
    { KEY_PPAGE, 1, NULL, NULL, NULL, page_up },
    { KEY_NPAGE, 1, NULL, NULL, NULL, page_down },
};

static struct bindings report_bindings(const struct app *app)
{
    return app->count.info.receiving ? BINDINGS(receipt_keys) : BINDINGS(report_keys);
}

static int report_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int r = count_help_key(ui);
    if (r)
        return r;
    return bindings_dispatch(report_bindings(app), ui, app, k);
}

const struct screen screen_count_report = {
    .name = "count_report",
    .enter = report_enter,
    .draw = report_draw,
    .key = report_key,
    .bindings = report_bindings,
    .full_screen = 1,
};
