/* Small prompts: a new quantity for the selected line, or a weight for a kg item. */
#include <curses.h>
#include <stdio.h>

#include "app/app.h"
#include "ui/screen.h"

static void prompt_draw(const struct app *app)
{
    int y, x, w = 56;
    int qty = app->mode == MODE_QTY;
    draw_dialog(8, w, qty ? "Quantity" : "Weight", &y, &x);
    const char *name = qty ? app->cart.lines[app->selected].product.name : app->weighed.name;
    draw_text(y + 2, x + 3, w - 6, name);
    mvaddstr(y + 5, x + 3, "Enter: confirm   Esc: cancel");
    draw_field(y + 3, x + 3, w - 6, qty ? "New quantity:" : "Weight in kg:", app->input);
}

static int prompt_key(struct app *app, struct ui_key k)
{
    if (key_is_escape(k)) {
        app_close_dialog(app);
        return KEY_HANDLED;
    }
    if (key_is_enter(k)) {
        if (app->mode == MODE_QTY)
            app_submit_qty(app);
        else
            app_submit_weight(app);
        return KEY_HANDLED;
    }
    if (k.is_key)
        return KEY_IGNORED;
    return field_edit(app->input, sizeof app->input, k);
}

const struct screen screen_prompt = { "prompt", prompt_draw, prompt_key };
