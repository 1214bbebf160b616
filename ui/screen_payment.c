/* Payment dialog: total, paid, due, and the cash tendered. */
#include <curses.h>
#include <stdio.h>

#include "src/app.h"
#include "ui/screen.h"

static void payment_draw(const struct app *app)
{
    int y, x, w = 50;
    draw_dialog(12, w, "Payment", &y, &x);
    char a[48];
    money_format(app->cart.totals.total, &app->s.fmt, 1, a, sizeof a);
    mvaddstr(y + 2, x + 3, "Total");
    draw_text_right(y + 2, x + w - 3, a);
    money_format(app->cart.totals.total - app_amount_due(app), &app->s.fmt, 1, a, sizeof a);
    mvaddstr(y + 3, x + 3, "Paid");
    draw_text_right(y + 3, x + w - 3, a);
    money_format(app_amount_due(app), &app->s.fmt, 1, a, sizeof a);
    attron(A_BOLD);
    mvaddstr(y + 4, x + 3, "Due");
    draw_text_right(y + 4, x + w - 3, a);
    attroff(A_BOLD);
    mvaddstr(y + 8, x + 3, "Enter: pay cash (empty = exact amount)");
    mvaddstr(y + 9, x + 3, "Esc: back to the sale");
    draw_field(y + 6, x + 3, w - 6, "Cash tendered:", app->input);
}

static int payment_key(struct app *app, struct ui_key k)
{
    if (key_is_escape(k)) {
        app_close_dialog(app);
        return KEY_HANDLED;
    }
    if (key_is_enter(k) || (k.is_key && k.code == KEY_F(5))) {
        app_pay_cash(app);
        return KEY_HANDLED;
    }
    if (k.is_key)
        return KEY_IGNORED;
    return field_edit(app->input, sizeof app->input, k);
}

const struct screen screen_payment = { "payment", payment_draw, payment_key };
