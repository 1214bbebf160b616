/* Returns: which receipt (MODE_RETURN_FIND), then its lines (MODE_RETURN): what was sold,
 * what came back already and what can still come back; a quantity and Enter returns the
 * selected line into the open sale. */
#include <curses.h>
#include <stdio.h>

#include "app/app.h"
#include "ui/screen.h"

static struct bindings return_bindings(const struct app *app);

static void draw_find(const struct ui *ui, const struct app *app)
{
    int y, x, w = 64;
    int no_receipt = app->ret->no_receipt;
    draw_dialog(8, w, no_receipt ? "Return without receipt" : "Return", &y, &x);
    draw_text(y + 2, x + 3, w - 6, app->ret->asking ? "Asking the store server..." :
              no_receipt ? "Scan the item coming back (BARCODE@PRICE: another price)."
                         : "Scan the receipt's code or type the receipt number.");
    char hint[160];
    bindings_hint_line(return_bindings(app), hint, sizeof hint);
    draw_text(y + 5, x + 3, w - 6, hint);
    draw_field(y + 3, x + 3, w - 6, no_receipt ? "Item:" : "Receipt:", ui->input);
}

static void draw_lines(const struct ui *ui, const struct app *app)
{
    const struct app_returns *r = app->ret;
    const struct original_sale *o = &r->orig;
    int w = COLS - 6 < 76 ? COLS - 6 : 76;
    int rows = LINES - 14 < o->nlines ? LINES - 14 : o->nlines;
    if (rows < 1)
        rows = 1;
    int h = rows + 9, y, x;
    char title[80];
    snprintf(title, sizeof title, "Return: receipt %lld, till %s", (long long)o->receipt_no, o->terminal_id);
    draw_dialog(h, w, title, &y, &x);
    attron(A_BOLD);
    mvaddstr(y + 1, x + 3, "Item");
    draw_text_right(y + 1, x + w - 30, "Sold");
    draw_text_right(y + 1, x + w - 18, "Back");
    draw_text_right(y + 1, x + w - 3, "Paid");
    attroff(A_BOLD);
    int first = r->sel >= rows ? r->sel - rows + 1 : 0;
    for (int i = first; i < o->nlines && i - first < rows; i++) {
        const struct original_line *l = &o->lines[i];
        int64_t back = l->returned;
        const struct cart *c = &app->sale->cart;
        for (int k = 0; k < c->nlines; k++)
            if (!c->lines[k].voided && c->lines[k].qty < 0 && c->lines[k].return_line == l->line_no)
                back -= c->lines[k].qty;
        char sold[32], ret[32], paid[48];
        money_format_qty(l->qty, l->product.unit == UNIT_KG, &app->s.fmt, sold, sizeof sold);
        money_format_qty(back, l->product.unit == UNIT_KG, &app->s.fmt, ret, sizeof ret);
        money_format(l->paid, &app->s.fmt, 0, paid, sizeof paid);
        int row = y + 2 + i - first;
        if (i == r->sel)
            attron(COLOR_PAIR(COLOR_SELECTED));
        mvhline(row, x + 2, ' ', w - 4);
        if (l->voided) { /* voided on that sale: never sold nor paid, nothing comes back */
            char name[160];
            snprintf(name, sizeof name, "%s (voided, not sold)", l->product.name);
            attron(A_DIM);
            draw_text(row, x + 3, w - 6, name);
            attroff(A_DIM);
        } else {
            draw_text(row, x + 3, w - 36, l->product.name);
            draw_text_right(row, x + w - 30, sold);
            draw_text_right(row, x + w - 18, ret);
            draw_text_right(row, x + w - 3, paid);
        }
        if (i == r->sel)
            attroff(COLOR_PAIR(COLOR_SELECTED));
    }
    char state[96];
    snprintf(state, sizeof state, "Reason: %s   Restock: %s", r->reasons[r->reason], r->restock ? "yes" : "NO");
    draw_text(y + h - 5, x + 3, w - 6, state);
    char hint[200];
    bindings_hint_line(return_bindings(app), hint, sizeof hint);
    draw_text(y + h - 2, x + 3, w - 6, hint);
    draw_field(y + h - 4, x + 3, w - 6, "Quantity (empty: all left):", ui->input);
}

static int return_draw(const struct ui *ui, const struct app *app)
{
    if (app->mode == MODE_RETURN_FIND)
        draw_find(ui, app);
    else
        draw_lines(ui, app);
    return 1;
}

static int submit(struct ui *ui, struct app *app)
{
    char text[UI_INPUT_MAX];
    snprintf(text, sizeof text, "%s", ui->input);
    ui->input[0] = 0;
    if (app->mode == MODE_RETURN_FIND)
        app_return_lookup(app, text);
    else
        app_return_add(app, text);
    return UI_REDRAW;
}

static int done(struct ui *ui, struct app *app) { app_close_dialog(app); return UI_REDRAW; }
static int up(struct ui *ui, struct app *app) { app_return_select(app, -1); return UI_REDRAW; }
static int down(struct ui *ui, struct app *app) { app_return_select(app, +1); return UI_REDRAW; }
static int reason(struct ui *ui, struct app *app) { app_return_next_reason(app); return UI_REDRAW; }
static int restock(struct ui *ui, struct app *app) { app_return_toggle_restock(app); return UI_REDRAW; }

static int no_receipt(struct ui *ui, struct app *app)
{
    app_override_request(app, OVERRIDE_NO_RECEIPT, "A return without a receipt");
    return UI_REDRAW;
}

static const struct binding find_keys[] = {
    { '\r', 0, "Enter", "Find", "find the receipt (or the item without one)", submit },
    { KEY_F(9), 1, "F9", "No receipt", "take items back without a receipt (supervisor)", no_receipt },
    { KEY_F(2), 1, "F2", "Reason", "the next reason code", reason },
    { 27, 0, "Esc", "Back", "back to the sale", done },
};

static const struct binding line_keys[] = {
    { '\r', 0, "Enter", "Return", "return the quantity typed (empty: all that is left)", submit },
    { KEY_UP, 1, "Up/Down", NULL, "select a line of the receipt", up },
    { KEY_DOWN, 1, NULL, NULL, NULL, down },
    { KEY_F(2), 1, "F2", "Reason", "the next reason code", reason },
    { KEY_F(3), 1, "F3", "Restock", "returned items go back on the shelf, or not", restock },
    { 27, 0, "Esc", "Done", "back to the sale (F5 pays out)", done },
};

static struct bindings return_bindings(const struct app *app)
{
    return app && app->mode == MODE_RETURN ? BINDINGS(line_keys) : BINDINGS(find_keys);
}

static int return_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int r = bindings_dispatch(return_bindings(app), ui, app, k);
    if (r || k.is_key)
        return r;
    return field_edit(ui->input, sizeof ui->input, k);
}

const struct screen screen_return = {
    .name = "return",
    .draw = return_draw,
    .key = return_key,
    .bindings = return_bindings,
};
