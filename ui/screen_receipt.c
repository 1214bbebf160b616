/* After payment: the change to hand back, big, and the receipt as printed. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/app_print.h"
#include "ui/screen.h"

static struct bindings receipt_bindings(const struct app *app);

static int receipt_lines(const struct app *app)
{
    int n = 0;
    for (const char *s = app->last.receipt_text ? app->last.receipt_text : ""; *s; s++)
        n += *s == '\n';
    return n + 1;
}

static int receipt_draw(const struct ui *ui, const struct app *app)
{
    int w = app->s.receipt_width + 6;
    if (w < 56)
        w = 56;   /* room for the key hints under a narrow receipt */
    if (w > COLS - 2)
        w = COLS - 2;
    int h = LINES - 2, y, x;
    draw_dialog(h, w, "Sale complete", &y, &x);
    char a[48], b[48], line[160];
    /* a return or an exchange that gives money back says where it went: cash out of the
     * drawer, or back to the card */
    const struct app_last_sale *l = &app->last;
    money_format(l->total < 0 ? -l->total : l->change, &app->s.fmt, 1, a, sizeof a);
    if (l->total < 0 && l->card_out > 0 && l->cash_out > 0) {
        money_format(l->cash_out, &app->s.fmt, 1, a, sizeof a);
        money_format(l->card_out, &app->s.fmt, 1, b, sizeof b);
        snprintf(line, sizeof line, "CASH PAID OUT: %s  REFUNDED TO CARD: %s", a, b);
    } else if (l->total < 0 && l->card_out > 0) {
        snprintf(line, sizeof line, "REFUNDED TO CARD: %s", a);
    } else if (l->total < 0 && l->cash_out > 0) {
        money_format(l->cash_out, &app->s.fmt, 1, a, sizeof a);
        snprintf(line, sizeof line, "CASH PAID OUT: %s", a);
    } else {
        snprintf(line, sizeof line, l->total < 0 ? "REFUNDED: %s" : "CHANGE DUE: %s", a);
    }
    attron(A_BOLD | COLOR_PAIR(COLOR_TOTAL));
    draw_text(y + 1, x + 3, w - 6, line);
    attroff(A_BOLD | COLOR_PAIR(COLOR_TOTAL));
    /* what became of the receipt on the printer (paper out, printed, ...) */
    if (app->message[0]) {
        attron(app->message_is_error ? COLOR_PAIR(COLOR_ERROR) | A_BOLD : COLOR_PAIR(COLOR_OK));
        draw_text(y + 2, x + 3, w - 6, app->message);
        attroff(COLOR_PAIR(COLOR_ERROR) | COLOR_PAIR(COLOR_OK) | A_BOLD);
    }
    int row = 1, rows = h - 5;
    const char *s = app->last.receipt_text ? app->last.receipt_text : "";
    int skip = ui->receipt_scroll;
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
    char hint[128];
    bindings_hint_line(receipt_bindings(app), hint, sizeof hint);
    draw_text(y + h - 2, x + 3, w - 6, hint);
    return 0;
}

static void receipt_enter(struct ui *ui, struct app *app)
{
    ui->receipt_scroll = 0;
}

/* A smaller window shows fewer lines: keep the scroll within the receipt. */
static void receipt_resize(struct ui *ui, const struct app *app)
{
    int max = receipt_lines(app) - 1;
    if (ui->receipt_scroll > max)
        ui->receipt_scroll = max > 0 ? max : 0;
}

static int next_customer(struct ui *ui, struct app *app)
{
    app_next_sale(app);
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
    if (ui->receipt_scroll < receipt_lines(app) - 1)
        ui->receipt_scroll++;
    return UI_REDRAW;
}

static int gift(struct ui *ui, struct app *app)
{
    app_print_gift(app);
    return UI_REDRAW;
}

static int open_print(struct ui *ui, struct app *app)
{
    app_open_mode(app, MODE_PRINT);
    return UI_REDRAW;
}

static int quit(struct ui *ui, struct app *app)
{
    return app_request_quit(app) ? UI_QUIT : UI_REDRAW;
}

static const struct binding receipt_keys[] = {
    { '\r', 0, "Enter", "Next customer", NULL, next_customer },
    { 27, 0, NULL, NULL, NULL, next_customer },
    { KEY_UP, 1, "Up/Down", "Scroll", NULL, scroll_up },
    { KEY_DOWN, 1, NULL, NULL, NULL, scroll_down },
    { 'g', 0, "G", "Gift", NULL, gift },
    { 'G', 0, NULL, NULL, NULL, gift },
    { KEY_F(6), 1, "F6", "Printer", NULL, open_print },
    { KEY_F(10), 1, "F10", "Quit", NULL, quit },
};

static struct bindings receipt_bindings(const struct app *app)
{
    return BINDINGS(receipt_keys);
}

static int receipt_key(struct ui *ui, struct app *app, struct ui_key k)
{
    return bindings_dispatch(receipt_bindings(app), ui, app, k);
}

const struct screen screen_receipt = {
    .name = "receipt",
    .enter = receipt_enter,
    .draw = receipt_draw,
    .key = receipt_key,
    .resize = receipt_resize,
    .bindings = receipt_bindings,
};
