/* Help: every key of the sale screen and of the payment dialog, generated from their
 * bindings, with the few words a new cashier needs around them. */
#include <curses.h>
#include <stdio.h>

#include "app/app.h"
#include "ui/screen.h"

static struct bindings help_bindings(const struct app *app);

static const char *const help_before[] = {
    "Scan an item, or type its barcode and press Enter.",
    "3*  then a scan: sell 3 of the item (or type 3*BARCODE).",
};
static const char *const help_after[] = {
    "Items sold by weight ask for the weight in kg.",
};
#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define KEY_COLUMN 9

static int help_draw(const struct ui *ui, const struct app *app)
{
    struct bindings sale = screen_sale.bindings(app);
    char pay[160], line[200], hint[128];
    /* the payment dialog's keys when no card payment runs */
    bindings_footer(screen_payment.bindings(NULL), pay, sizeof pay);
    int n = NELEM(help_before) + bindings_help_count(sale) + 1 + NELEM(help_after);
    int y, x, w = 76;
    draw_dialog(n + 5, w, "Help", &y, &x);
    int r = y + 2, cx = x + 3, cw = w - 6;
    for (int i = 0; i < NELEM(help_before); i++)
        draw_text(r++, cx, cw, help_before[i]);
    r += draw_bindings_help(sale, r, cx, cw, KEY_COLUMN);
    snprintf(line, sizeof line, "%-*s %s", KEY_COLUMN, "Paying:", pay);
    draw_text(r++, cx, cw, line);
    for (int i = 0; i < NELEM(help_after); i++)
        draw_text(r++, cx, cw, help_after[i]);
    bindings_hint_line(help_bindings(app), hint, sizeof hint);
    attron(A_BOLD);
    draw_text(y + n + 3, cx, cw, hint);
    attroff(A_BOLD);
    return 0;
}

static int close_help(struct ui *ui, struct app *app)
{
    app_close_dialog(app);
    return UI_REDRAW;
}

static const struct binding help_keys[] = {
    { 27, 0, "Esc", "Close", NULL, close_help },
    { '\r', 0, NULL, NULL, NULL, close_help },
    { KEY_F(1), 1, NULL, NULL, NULL, close_help },
};

static struct bindings help_bindings(const struct app *app)
{
    return BINDINGS(help_keys);
}

static int help_key(struct ui *ui, struct app *app, struct ui_key k)
{
    return bindings_dispatch(help_bindings(app), ui, app, k);
}

const struct screen screen_help = {
    .name = "help",
    .draw = help_draw,
    .key = help_key,
    .bindings = help_bindings,
};
