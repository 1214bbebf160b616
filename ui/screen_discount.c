/* The cashier's discount: a percentage or an amount off the selected line or the sale. */
#include <curses.h>
#include <stdio.h>

#include "app/app.h"
#include "ui/screen.h"

static struct bindings discount_bindings(const struct app *app);

static int discount_draw(const struct ui *ui, const struct app *app)
{
    int y, x, w = 64;
    draw_dialog(9, w, "Discount", &y, &x);
    const struct sale_session *s = app->sale;
    char line[160];
    if (s->selected >= 0 && s->selected < s->cart.nlines)
        snprintf(line, sizeof line, "Line: %s", s->cart.lines[s->selected].product.name);
    else
        snprintf(line, sizeof line, "No line selected");
    draw_text(y + 2, x + 3, w - 6, line);
    snprintf(line, sizeof line, "Reason: %s", app->discount.reasons[app->discount.reason]);
    draw_text(y + 4, x + 3, w - 6, line);
    char hint[160];
    bindings_hint_line(discount_bindings(app), hint, sizeof hint);
    draw_text(y + 6, x + 3, w - 6, hint);
    draw_field(y + 3, x + 3, w - 6, "10% or 2,50:", ui->input);
    return 1;
}

static int apply(struct ui *ui, struct app *app, int whole_sale)
{
    char text[UI_INPUT_MAX];
    snprintf(text, sizeof text, "%s", ui->input);
    ui->input[0] = 0;
    app_discount_apply(app, text, whole_sale);
    return UI_REDRAW;
}

static int on_line(struct ui *ui, struct app *app) { return apply(ui, app, 0); }
static int on_sale(struct ui *ui, struct app *app) { return apply(ui, app, 1); }
static int reason(struct ui *ui, struct app *app) { app_discount_next_reason(app); return UI_REDRAW; }
static int back(struct ui *ui, struct app *app) { app_close_dialog(app); return UI_REDRAW; }

static const struct binding discount_keys[] = {
    { '\r', 0, "Enter", "Line", "the discount on the selected line", on_line },
    { KEY_F(6), 1, "F6", "Whole sale", "the discount on the whole sale", on_sale },
    { KEY_F(2), 1, "F2", "Reason", "the next reason code", reason },
    { 27, 0, "Esc", "Back", "back to the sale", back },
};

static struct bindings discount_bindings(const struct app *app)
{
    return BINDINGS(discount_keys);
}

static int discount_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int r = bindings_dispatch(discount_bindings(app), ui, app, k);
    if (r || k.is_key)
        return r;
    return field_edit(ui->input, sizeof ui->input, k);
}

const struct screen screen_discount = {
    .name = "discount",
    .draw = discount_draw,
    .key = discount_key,
    .bindings = discount_bindings,
};
