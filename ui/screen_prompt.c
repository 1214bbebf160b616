/* Small prompts: a new quantity or (a supervisor's override) unit price for the selected
 * line, or a weight for a kg item. */
#include <curses.h>
#include <stdio.h>

#include "app/app.h"
#include "app/app_scale.h"
#include "ui/screen.h"

static struct bindings prompt_bindings(const struct app *app);

static int prompt_draw(const struct ui *ui, const struct app *app)
{
    int y, x, w = 56;
    int qty = app->mode == MODE_QTY, price = app->mode == MODE_PRICE;
    draw_dialog(8, w, qty ? "Quantity" : price ? "Price override" : "Weight", &y, &x);
    const char *name = qty || price ? app->sale->cart.lines[app->sale->selected].product.name
                                    : app->sale->weighed.name;
    draw_text(y + 2, x + 3, w - 6, name);
    char hint[128];
    bindings_hint_line(prompt_bindings(app), hint, sizeof hint);
    draw_text(y + 5, x + 3, w - 6, hint);
    /* with a scale the weight is the scale's: the field only takes Enter (weigh again) */
    const char *weight = app_scale_configured(app) ? "On the scale (Enter: again):" : "Weight in kg:";
    draw_field(y + 3, x + 3, w - 6, qty ? "New quantity:" : price ? "New unit price:" : weight, ui->input);
    return 1;
}

static int confirm(struct ui *ui, struct app *app)
{
    char text[UI_INPUT_MAX];
    snprintf(text, sizeof text, "%s", ui->input);
    ui->input[0] = 0;   /* a refused value is cleared for the next try */
    if (app->mode == MODE_QTY)
        app_submit_qty(app, text);
    else if (app->mode == MODE_PRICE)
        app_price_submit(app, text);
    else
        app_submit_weight(app, text);
    return UI_REDRAW;
}

static int cancel(struct ui *ui, struct app *app)
{
    app_dialog_cancel(app);
    return UI_REDRAW;
}

static const struct binding prompt_keys[] = {
    { '\r', 0, "Enter", "Confirm", NULL, confirm },
    { 27, 0, "Esc", "Cancel", NULL, cancel },
};

static struct bindings prompt_bindings(const struct app *app)
{
    return BINDINGS(prompt_keys);
}

static int prompt_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int r = bindings_dispatch(prompt_bindings(app), ui, app, k);
    if (r || k.is_key)
        return r;
    return field_edit(ui->input, sizeof ui->input, k);
}

const struct screen screen_prompt = {
    .name = "prompt",
    .draw = prompt_draw,
    .key = prompt_key,
    .bindings = prompt_bindings,
};
