/* Help: every key, in the words a new cashier needs. */
#include <curses.h>

#include "app/app.h"
#include "ui/screen.h"

static const char *const help_lines[] = {
    "Scan an item, or type its barcode and press Enter.",
    "3*  then a scan: sell 3 of the item (or type 3*BARCODE).",
    "Up/Down   select a line in the cart",
    "F2        change the quantity of the selected line",
    "F3        void the selected line (it stays visible)",
    "F4        search a product by name",
    "F5        pay: type the cash handed over, Enter",
    "          (Enter on an empty field = exact amount)",
    "          F6 card, F7 voucher; mix them until nothing is due",
    "F8        cancel the whole sale",
    "F10       quit (a completed sale is always saved)",
    "Esc       close a dialog / clear the input line",
    "Items sold by weight ask for the weight in kg.",
};

static void help_draw(const struct app *app)
{
    int n = (int)(sizeof help_lines / sizeof help_lines[0]);
    int y, x, w = 62;
    draw_dialog(n + 5, w, "Help", &y, &x);
    for (int i = 0; i < n; i++)
        draw_text(y + 2 + i, x + 3, w - 6, help_lines[i]);
    attron(A_BOLD);
    mvaddstr(y + n + 3, x + 3, "Esc or Enter: close");
    attroff(A_BOLD);
}

static int help_key(struct app *app, struct ui_key k)
{
    if (key_is_escape(k) || key_is_enter(k) || (k.is_key && k.code == KEY_F(1))) {
        app_close_dialog(app);
        return KEY_HANDLED;
    }
    return KEY_IGNORED;
}

const struct screen screen_help = { "help", help_draw, help_key };
