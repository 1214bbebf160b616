/* Amounts for the shift: the opening float, paid in / paid out / drop (amount, then the
 * reason) and the cash counted for the Z. */
#include <curses.h>
#include <stdio.h>

#include "app/app.h"
#include "ui/screen.h"

static struct bindings cash_bindings(const struct app *app);

static int cash_draw(const struct ui *ui, const struct app *app)
{
    int y, x, w = 60;
    const char *title = "Open shift", *label = "Float counted:", *text = "Count the float in the drawer.";
    char buf[96];
    if (app->mode == MODE_CASH) {
        title = cash_kind_label(app->shift.kind);
        label = app->shift.have_amount ? "Reason:" : "Amount:";
        if (app->shift.have_amount) {
            char a[48];
            money_format(app->shift.amount, &app->s.fmt, 1, a, sizeof a);
            snprintf(buf, sizeof buf, "%s of %s", title, a);
            text = buf;
        } else {
            text = app->shift.kind == CASH_PAID_IN ? "Cash put into the drawer." :
                   app->shift.kind == CASH_PAID_OUT ? "Cash taken out of the drawer." :
                                                      "Cash taken to the safe.";
        }
    } else if (app->mode == MODE_Z_COUNT) {
        title = "Z report: close the shift";
        label = "Cash counted:";
        text = "Count all the cash in the drawer (the float included).";
    }
    draw_dialog(8, w, title, &y, &x);
    draw_text(y + 2, x + 3, w - 6, text);
    char hint[128];
    bindings_hint_line(cash_bindings(app), hint, sizeof hint);
    draw_text(y + 5, x + 3, w - 6, hint);
    draw_field(y + 3, x + 3, w - 6, label, ui->input);
    return 1;
}

static int confirm(struct ui *ui, struct app *app)
{
    char text[UI_INPUT_MAX];
    snprintf(text, sizeof text, "%s", ui->input);
    ui->input[0] = 0;
    if (app->mode == MODE_OPEN_SHIFT)
        app_open_shift(app, text);
    else if (app->mode == MODE_CASH)
        app_cash_submit(app, text);
    else
        app_z_submit(app, text);
    return UI_REDRAW;
}

static int cancel(struct ui *ui, struct app *app)
{
    app_close_dialog(app);
    return UI_REDRAW;
}

static const struct binding cash_keys[] = {
    { '\r', 0, "Enter", "Confirm", NULL, confirm },
    { 27, 0, "Esc", "Cancel", NULL, cancel },
};

static struct bindings cash_bindings(const struct app *app)
{
    return BINDINGS(cash_keys);
}

static int cash_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int r = bindings_dispatch(cash_bindings(app), ui, app, k);
    if (r || k.is_key)
        return r;
    return field_edit(ui->input, sizeof ui->input, k);
}

const struct screen screen_cash = {
    .name = "cash",
    .draw = cash_draw,
    .key = cash_key,
    .bindings = cash_bindings,
};
