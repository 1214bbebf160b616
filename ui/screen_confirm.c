/* Yes/no confirmations: cancel the open sale (saying what happens to what was paid), quit
 * with items in the cart, and a line or cash far above the usual (MODE_CONFIRM_LARGE). */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "ui/screen.h"

static struct bindings confirm_bindings(const struct app *app);

/* Writes text over up to two rows of width columns, broken at a space. */
static void draw_wrapped(int y, int x, int width, const char *text)
{
    if (text_columns(text) <= width) {
        draw_text(y, x, width, text);
        return;
    }
    char first[256];
    snprintf(first, sizeof first, "%s", text);
    /* the last space that leaves the first row within width columns */
    size_t cut = 0;
    int cols = 0;
    for (size_t i = 0; first[i] && cols <= width; i++) {
        if (first[i] == ' ')
            cut = i;
        cols += ((unsigned char)first[i] & 0xC0) != 0x80;
    }
    if (cut == 0) {
        draw_text(y, x, width, text);
        return;
    }
    first[cut] = 0;
    draw_text(y, x, width, first);
    draw_text(y + 1, x, width, text + cut + 1);
}

static int confirm_draw(const struct ui *ui, const struct app *app)
{
    int y, x, w = 72;
    char line1[256], line2[256];
    const char *title;
    switch (app->mode) {
    case MODE_CONFIRM_CANCEL:
        title = "Cancel sale";
        snprintf(line1, sizeof line1, "Cancel the whole sale?");
        app_cancel_consequences(app, line2, sizeof line2);
        break;
    case MODE_CONFIRM_LARGE:
        title = "Please check";
        snprintf(line1, sizeof line1, "%s", app->confirm.question);
        snprintf(line2, sizeof line2, "%s", app->confirm.reason);
        break;
    default:
        title = "Quit";
        snprintf(line1, sizeof line1, "Items are in the cart. Quit and cancel the sale?");
        if (app->sale->tender.n)
            app_cancel_consequences(app, line2, sizeof line2);
        else
            line2[0] = 0;
        break;
    }
    draw_dialog(9, w, title, &y, &x);
    attron(A_BOLD);
    draw_wrapped(y + 2, x + 3, w - 6, line1);
    attroff(A_BOLD);
    draw_wrapped(y + 4, x + 3, w - 6, line2);
    char hint[128];
    bindings_hint_line(confirm_bindings(app), hint, sizeof hint);
    attron(A_BOLD);
    draw_text(y + 7, x + 3, w - 6, hint);
    attroff(A_BOLD);
    return 0;
}

/* Cancel and quit are the question of a command waiting at its door (app/commands.h):
 * yes goes on to its permission or its handler. */
static int yes(struct ui *ui, struct app *app)
{
    if (app->mode == MODE_CONFIRM_LARGE) {
        app_confirm_yes(app);
        return UI_REDRAW;
    }
    app_command_yes(app);
    return app->quit ? UI_QUIT : UI_REDRAW;
}

static int no(struct ui *ui, struct app *app)
{
    if (app->mode == MODE_CONFIRM_LARGE)
        app_confirm_no(app);
    else
        app_command_no(app);
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

/* Enter is no answer here: a second Enter out of habit must not confirm a slip. */
static const struct binding large_keys[] = {
    { 'y', 0, "y", "Yes, it is right", NULL, yes },
    { 'Y', 0, NULL, NULL, NULL, yes },
    { 'n', 0, "n/Esc", "No, correct it", NULL, no },
    { 'N', 0, NULL, NULL, NULL, no },
    { 27, 0, NULL, NULL, NULL, no },
};

static struct bindings confirm_bindings(const struct app *app)
{
    switch (app->mode) {
    case MODE_CONFIRM_CANCEL: return BINDINGS(cancel_keys);
    case MODE_CONFIRM_LARGE: return BINDINGS(large_keys);
    default: return BINDINGS(quit_keys);
    }
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
