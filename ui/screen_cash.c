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
        text = app->shift.eod_waiting ? "The payment terminal closes its day; the Z follows." :
                                        "Count all the cash in the drawer (the float included).";
    }
    char denom_label[64], denom_text[128];
    if (ui->denom.active) {
        const struct denom_count *c = &ui->denom.count;
        char v[32], sum[48];
        money_format(c->set.value[c->at], &app->s.fmt, 1, v, sizeof v);
        money_format(denom_count_so_far(c), &app->s.fmt, 1, sum, sizeof sum);
        snprintf(denom_label, sizeof denom_label, "Pieces of %s:", v);
        snprintf(denom_text, sizeof denom_text, "%s %d of %d, counted so far %s.",
                 c->at < c->set.coins_from ? "Note" : "Coin", c->at + 1, c->set.n, sum);
        label = denom_label;
        text = denom_text;
    }
    draw_dialog(8, w, title, &y, &x);
    draw_text(y + 2, x + 3, w - 6, text);
    char hint[128];
    bindings_hint_line(cash_bindings(app), hint, sizeof hint);
    draw_text(y + 5, x + 3, w - 6, hint);
    draw_field(y + 3, x + 3, w - 6, label, ui->input);
    return 1;
}

/* Enter while counting by note and coin: this denomination's pieces, then the next; after
 * the smallest coin the total goes in as if typed. */
static int denom_next(struct ui *ui, struct app *app, char *text, size_t len)
{
    int64_t total;
    char err[160];
    int rc = denom_count_enter(&ui->denom.count, ui->input, &total, err, sizeof err);
    ui->input[0] = 0;
    if (rc < 0)
        app_set_message(app, 1, "%s", err);
    if (rc <= 0)
        return 0;
    ui->denom.active = 0;
    money_format(total, &app->s.fmt, 0, text, len);
    return 1;
}

static int confirm(struct ui *ui, struct app *app)
{
    char text[UI_INPUT_MAX];
    if (ui->denom.active) {
        if (!denom_next(ui, app, text, sizeof text))
            return UI_REDRAW;
    } else {
        snprintf(text, sizeof text, "%s", ui->input);
    }
    ui->input[0] = 0;
    if (app->mode == MODE_OPEN_SHIFT)
        app_open_shift(app, text);
    else if (app->mode == MODE_CASH)
        app_cash_submit(app, text);
    else
        app_z_submit(app, text);
    return UI_REDRAW;
}

/* F2: count the float or the drawer note by note and coin by coin instead of a total. */
static int by_denomination(struct ui *ui, struct app *app)
{
    struct denom_set set;
    if (denom_for_currency(app->s.fmt.cur.code, &set))
        return UI_REDRAW;
    denom_count_start(&ui->denom.count, &set);
    ui->denom.active = 1;
    ui->input[0] = 0;
    return UI_REDRAW;
}

static int cancel(struct ui *ui, struct app *app)
{
    if (ui->denom.active) { /* back to typing the total */
        ui->denom.active = 0;
        ui->input[0] = 0;
        return UI_REDRAW;
    }
    app_close_dialog(app);
    return UI_REDRAW;
}

static const struct binding cash_keys[] = {
    { '\r', 0, "Enter", "Confirm", NULL, confirm },
    { 27, 0, "Esc", "Cancel", NULL, cancel },
};

/* The float and the Z's count may go note by note (the EUR set; other currencies type
 * the total). */
static const struct binding count_keys[] = {
    { '\r', 0, "Enter", "Confirm", NULL, confirm },
    { KEY_F(2), 1, "F2", "By note/coin", "count note by note and coin by coin", by_denomination },
    { 27, 0, "Esc", "Cancel", NULL, cancel },
};

static struct bindings cash_bindings(const struct app *app)
{
    struct denom_set set;
    if (app->mode != MODE_CASH && denom_for_currency(app->s.fmt.cur.code, &set) == 0)
        return BINDINGS(count_keys);
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
