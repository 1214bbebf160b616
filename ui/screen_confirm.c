/* Yes/no confirmations: cancel the open sale, quit with items in the cart. */
#include <curses.h>

#include "app/app.h"
#include "ui/screen.h"

static struct bindings confirm_bindings(const struct app *app);

static int confirm_draw(const struct ui *ui, const struct app *app)
{
    int y, x, w = 60;
    int cancel = app->mode == MODE_CONFIRM_CANCEL;
    draw_dialog(7, w, cancel ? "Cancel sale" : "Quit", &y, &x);
    mvaddstr(y + 2, x + 3, cancel ? "Cancel the whole sale? Nothing will be charged."
                                  : "Items are in the cart. Quit and cancel the sale?");
    char hint[128];
    bindings_hint_line(confirm_bindings(app), hint, sizeof hint);
    attron(A_BOLD);
    draw_text(y + 4, x + 3, w - 6, hint);
    attroff(A_BOLD);
    return 0;
}

static int yes(struct ui *ui, struct app *app)
{
    if (app->mode == MODE_CONFIRM_CANCEL) {
        app_cancel_sale(app);
        return UI_REDRAW;
    }
    return app_quit_cancelling_sale(app) ? UI_QUIT : UI_REDRAW;
}

static int no(struct ui *ui, struct app *app)
{
    app_close_dialog(app);
    return UI_REDRAW;
}

static const struct binding cancel_keys[] = {
    { 'y', 0, "y", "Yes, cancel the sale", NULL, yes },
    { 'Y', 0, NULL, NULL, NULL, yes },
    { 'n', 0, "n/Esc", "No, go back", NULL, no },
    { 'N', 0, NULL, NULL, NULL, no },
    { 27, 0, NULL, NULL, NULL, no },
};

static const struct binding quit_keys[] = {
    { 'y', 0, "y", "Yes, cancel the sale and quit", NULL, yes },
    { 'Y', 0, NULL, NULL, NULL, yes },
    { 'n', 0, "n/Esc", "No, go back", NULL, no },
    { 'N', 0, NULL, NULL, NULL, no },
    { 27, 0, NULL, NULL, NULL, no },
};

static struct bindings confirm_bindings(const struct app *app)
{
    return app->mode == MODE_CONFIRM_CANCEL ? BINDINGS(cancel_keys) : BINDINGS(quit_keys);
}

static int confirm_key(struct ui *ui, struct app *app, struct ui_key k)
{
    return bindings_dispatch(confirm_bindings(app), ui, app, k);
}

const struct screen screen_confirm = {
    .name = "confirm",
    .draw = confirm_draw,
    .key = confirm_key,
    .bindings = confirm_bindings,
};
