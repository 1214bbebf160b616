/* A supervisor's PIN for what needs one; the digits are never shown. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "ui/screen.h"

static struct bindings override_bindings(const struct app *app);

static int override_draw(const struct ui *ui, const struct app *app)
{
    int y, x, w = 60;
    draw_dialog(8, w, "Supervisor", &y, &x);
    draw_text(y + 2, x + 3, w - 6, app->override.what);
    char stars[UI_INPUT_MAX];
    size_t n = strlen(ui->input);
    memset(stars, '*', n);
    stars[n] = 0;
    char hint[128];
    bindings_hint_line(override_bindings(app), hint, sizeof hint);
    draw_text(y + 5, x + 3, w - 6, hint);
    draw_field(y + 3, x + 3, w - 6, "Supervisor PIN:", stars);
    return 1;
}

static int submit(struct ui *ui, struct app *app)
{
    char pin[UI_INPUT_MAX];
    snprintf(pin, sizeof pin, "%s", ui->input);
    memset(ui->input, 0, sizeof ui->input);
    app_override_submit(app, pin);
    memset(pin, 0, sizeof pin);
    return UI_REDRAW;
}

static int cancel(struct ui *ui, struct app *app)
{
    memset(ui->input, 0, sizeof ui->input);
    app_override_cancel(app);
    return UI_REDRAW;
}

static const struct binding override_keys[] = {
    { '\r', 0, "Enter", "Allow", NULL, submit },
    { 27, 0, "Esc", "Cancel", NULL, cancel },
};

static struct bindings override_bindings(const struct app *app)
{
    return BINDINGS(override_keys);
}

static int override_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int r = bindings_dispatch(override_bindings(app), ui, app, k);
    if (r || k.is_key)
        return r;
    return field_edit(ui->input, sizeof ui->input, k);
}

const struct screen screen_override = {
    .name = "override",
    .draw = override_draw,
    .key = override_key,
    .bindings = override_bindings,
};
