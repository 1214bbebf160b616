/* An X or Z report on screen, as written to the spool. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "ui/screen.h"

static struct bindings report_bindings(const struct app *app);

static int report_lines(const struct app *app)
{
    int n = 0;
    for (const char *s = app->shift.report_text ? app->shift.report_text : ""; *s; s++)
        n += *s == '\n';
    return n + 1;
}

static int report_draw(const struct ui *ui, const struct app *app)
{
    int w = app->s.receipt_width + 6;
    if (w < 56)
        w = 56;
    if (w > COLS - 2)
        w = COLS - 2;
    int h = LINES - 2, y, x;
    draw_dialog(h, w, app->shift.report_is_z ? "Z report" : "X report", &y, &x);
    int row = 0, rows = h - 4, skip = ui->receipt_scroll;
    const char *s = app->shift.report_text ? app->shift.report_text : "";
    while (*s && row < rows) {
        const char *e = strchr(s, '\n');
        int n = e ? (int)(e - s) : (int)strlen(s);
        if (skip > 0) {
            skip--;
        } else {
            char buf[256];
            snprintf(buf, sizeof buf, "%.*s", n < 255 ? n : 255, s);
            draw_text(y + 1 + row, x + 3, w - 6, buf);
            row++;
        }
        s += n + (e != NULL);
    }
    char hint[128];
    bindings_hint_line(report_bindings(app), hint, sizeof hint);
    draw_text(y + h - 2, x + 3, w - 6, hint);
    return 0;
}

static void report_enter(struct ui *ui, struct app *app)
{
    ui->receipt_scroll = 0;
}

static int close_report(struct ui *ui, struct app *app)
{
    app_close_report(app);
    return UI_REDRAW;
}

static int scroll_up(struct ui *ui, struct app *app)
{
    if (ui->receipt_scroll > 0)
        ui->receipt_scroll--;
    return UI_REDRAW;
}

static int scroll_down(struct ui *ui, struct app *app)
{
    if (ui->receipt_scroll < report_lines(app) - 1)
        ui->receipt_scroll++;
    return UI_REDRAW;
}

static const struct binding report_keys[] = {
    { '\r', 0, "Enter", "Close", NULL, close_report },
    { 27, 0, NULL, NULL, NULL, close_report },
    { KEY_UP, 1, "Up/Down", "Scroll", NULL, scroll_up },
    { KEY_DOWN, 1, NULL, NULL, NULL, scroll_down },
};

static struct bindings report_bindings(const struct app *app)
{
    return BINDINGS(report_keys);
}

static int report_key(struct ui *ui, struct app *app, struct ui_key k)
{
    return bindings_dispatch(report_bindings(app), ui, app, k);
}

const struct screen screen_report = {
    .name = "report",
    .enter = report_enter,
    .draw = report_draw,
    .key = report_key,
    .bindings = report_bindings,
};
