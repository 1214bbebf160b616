/* Yes/no confirmations: cancel the open sale, quit with items in the cart. */
#include <curses.h>

#include "app/app.h"
#include "ui/screen.h"

static void confirm_draw(const struct app *app)
{
    int y, x, w = 52;
    int cancel = app->mode == MODE_CONFIRM_CANCEL;
    draw_dialog(7, w, cancel ? "Cancel sale" : "Quit", &y, &x);
    mvaddstr(y + 2, x + 3, cancel ? "Cancel the whole sale? Nothing will be charged."
                                  : "Items are in the cart. Quit and cancel the sale?");
    attron(A_BOLD);
    mvaddstr(y + 4, x + 3, "y: yes      n or Esc: no, go back");
    attroff(A_BOLD);
}

static int confirm_key(struct app *app, struct ui_key k)
{
    if (!k.is_key && (k.code == 'y' || k.code == 'Y')) {
        if (app->mode == MODE_CONFIRM_CANCEL) {
            app_cancel_sale(app);
        } else {
            app_cancel_sale(app);
            app_request_quit(app);
        }
        return KEY_HANDLED;
    }
    if (key_is_escape(k) || (!k.is_key && (k.code == 'n' || k.code == 'N'))) {
        app_close_dialog(app);
        return KEY_HANDLED;
    }
    return KEY_IGNORED;
}

const struct screen screen_confirm = { "confirm", confirm_draw, confirm_key };
