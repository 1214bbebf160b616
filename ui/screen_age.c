/* An age-restricted item: the cashier confirms the customer's age ("looks over N" or a date
 * of birth) or refuses, and the line goes. */
#include <curses.h>
#include <stdio.h>

#include "app/app.h"
#include "ui/screen.h"

static struct bindings age_bindings(const struct app *app);

static int age_draw(const struct ui *ui, const struct app *app)
{
    int y, x, w = 64;
    draw_dialog(9, w, "Age check", &y, &x);
    char what[160];
    const struct cart *c = &app->sale->cart;
    int line = app->age.line >= 0 && app->age.line < c->nlines ? app->age.line : c->nlines - 1;
    snprintf(what, sizeof what, "%s: customers of %d or older only", line >= 0 ? c->lines[line].product.name : "",
             app->age.min_age);
    draw_text(y + 2, x + 3, w - 6, what);
    char hint[160];
    bindings_hint_line(age_bindings(app), hint, sizeof hint);
    draw_text(y + 6, x + 3, w - 6, hint);
    draw_field(y + 4, x + 3, w - 6, "Date of birth:", ui->input);
    return 1;
}

static int looks_over(struct ui *ui, struct app *app)
{
    ui->input[0] = 0;
    app_age_looks_over(app);
    return UI_REDRAW;
}

static int birth_date(struct ui *ui, struct app *app)
{
    char text[UI_INPUT_MAX];
    snprintf(text, sizeof text, "%s", ui->input);
    ui->input[0] = 0;
    app_age_birth_date(app, text);
    return UI_REDRAW;
}

static int refuse(struct ui *ui, struct app *app)
{
    ui->input[0] = 0;
    app_age_refuse(app);
    return UI_REDRAW;
}

static const struct binding age_keys[] = {
    { 'y', 0, "Y", "Looks over the age", "the customer clearly looks over the age", looks_over },
    { 'Y', 0, NULL, NULL, NULL, looks_over },
    { '\r', 0, "Enter", "Date of birth", "the date of birth typed (24.12.1990) decides", birth_date },
    { 'n', 0, "N", "Refuse", "not sold: the item is taken out", refuse },
    { 'N', 0, NULL, NULL, NULL, refuse },
    { 27, 0, NULL, NULL, NULL, refuse },
};

static struct bindings age_bindings(const struct app *app)
{
    return BINDINGS(age_keys);
}

static int age_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int r = bindings_dispatch(age_bindings(app), ui, app, k);
    if (r || k.is_key)
        return r;
    return field_edit(ui->input, sizeof ui->input, k);
}

const struct screen screen_age = {
    .name = "age",
    .draw = age_draw,
    .key = age_key,
    .bindings = age_bindings,
};
