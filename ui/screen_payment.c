/* Payment dialog: total, payments so far, what is due; cash, card or voucher; the card
 * terminal's own status while it works, and the choices when its outcome is unknown.
 * Which keys work depends on where the card payment stands: one table per state. */
#include <curses.h>
#include <stdio.h>

#include "app/app.h"
#include "ui/screen.h"

static struct bindings payment_bindings(const struct app *app);

static void row(const struct app *app, int y, int x, int w, const char *label, int64_t v, int bold)
{
    char a[48];
    money_format(v, &app->s.fmt, 1, a, sizeof a);
    if (bold)
        attron(A_BOLD);
    draw_text(y, x, w / 2, label);
    draw_text_right(y, x + w, a);
    if (bold)
        attroff(A_BOLD);
}

/* The line above the key hints: what is going on. */
static const char *state_text(enum card_state s)
{
    switch (s) {
    case CARD_IDLE: return NULL;
    case CARD_WAITING: return "The customer is using the card terminal.";
    case CARD_UNKNOWN: return "Outcome unknown: the card may have been charged.";
    case CARD_FAILOVER: return "Terminal not reached: nothing was charged.";
    case CARD_REVERSING: return "Reversing card payments before cancelling...";
    }
    return NULL;
}

static const char *tender_label(enum tender_kind k)
{
    return k == TENDER_CASH ? "Cash" : k == TENDER_CARD ? "Card" : "Voucher";
}

/* The dialog stays above the sale's totals and message line whatever the number of
 * tenders: when they do not all fit, the earliest are summed on one row. */
static int payment_draw(const struct ui *ui, const struct app *app)
{
    const struct tender_state *t = &app->sale->tender;
    const struct card_payment *cp = app->card;
    struct bindings keys = payment_bindings(app);
    int nh = bindings_help_count(keys), np = t->n;
    /* border 2, Total, Due, blank, status, field, state text: 8 rows and the help */
    int fixed = 8 + nh, room = dialog_rows_above_totals() - fixed;
    int shown = np <= room ? np : room - 1;   /* one row for the summary */
    if (shown < 0)
        shown = 0;
    int rows = (np > shown ? 1 : 0) + shown;
    int spare = dialog_rows_above_totals() - fixed - rows > 0;  /* a blank row under the title */
    int w = 60, h = fixed + rows + spare;
    int y, x;
    int refund = app->sale->cart.totals.total < 0;
    draw_dialog_above_totals(h, w, refund ? "Refund" : "Payment", &y, &x);
    int cx = x + 3, cw = w - 6, r = y + 1 + spare;
    row(app, r++, cx, cw, "Total", app->sale->cart.totals.total, 0);
    if (np > shown) {
        int64_t sum = 0;
        for (int i = 0; i < np - shown; i++)
            sum += t->payments[i].amount;   /* bounded by the total */
        char label[80];
        snprintf(label, sizeof label, "  %d earlier payments", np - shown);
        row(app, r++, cx, cw, label, -sum, 0);
    }
    for (int i = np - shown; i < np; i++) {
        const struct payment *p = &t->payments[i];
        char label[80];
        snprintf(label, sizeof label, "  %s%s%s", tender_label(p->tender), p->masked_pan[0] ? " " : "",
                 p->masked_pan);
        row(app, r++, cx, cw, label, -p->amount, 0);
    }
    if (refund)
        row(app, r++, cx, cw, "Refund due", app_refund_due(app), 1);
    else
        row(app, r++, cx, cw, "Due", app_amount_due(app), 1);
    r++;
    if (cp->status[0] && cp->state != CARD_IDLE) {
        attron(A_BOLD | COLOR_PAIR(COLOR_TOTAL));
        draw_text(r, cx, cw, cp->status);
        attroff(A_BOLD | COLOR_PAIR(COLOR_TOTAL));
    }
    r += 2;
    const char *what = state_text(cp->state);
    int warn = cp->state == CARD_UNKNOWN;
    if (what) {
        if (warn)
            attron(COLOR_PAIR(COLOR_ERROR) | A_BOLD);
        draw_text(r, cx, cw, what);
        if (warn)
            attroff(COLOR_PAIR(COLOR_ERROR) | A_BOLD);
    }
    draw_bindings_help(keys, r + 1, cx, cw, 0);
    if (cp->state != CARD_IDLE)
        return 0;
    draw_field(r - 1, cx, cw, "Amount:", ui->input);
    return 1;
}

/* Each tender takes the amount typed, which is then cleared for the next one. */
static int take_input(struct ui *ui, char *text, size_t len)
{
    snprintf(text, len, "%s", ui->input);
    ui->input[0] = 0;
    return UI_REDRAW;
}

static int pay_cash(struct ui *ui, struct app *app)
{
    char text[UI_INPUT_MAX];
    take_input(ui, text, sizeof text);
    app_pay_cash(app, text);
    return UI_REDRAW;
}

static int pay_card(struct ui *ui, struct app *app)
{
    char text[UI_INPUT_MAX];
    take_input(ui, text, sizeof text);
    app_pay_card(app, text);
    return UI_REDRAW;
}

static int pay_voucher(struct ui *ui, struct app *app)
{
    char text[UI_INPUT_MAX];
    take_input(ui, text, sizeof text);
    app_pay_voucher(app, text);
    return UI_REDRAW;
}

static int cancel_sale(struct ui *ui, struct app *app) { app_open_mode(app, MODE_CONFIRM_CANCEL); return UI_REDRAW; }
static int back(struct ui *ui, struct app *app) { app_close_dialog(app); return UI_REDRAW; }
static int abort_card(struct ui *ui, struct app *app) { app_abort_card(app); return UI_REDRAW; }
static int enquire(struct ui *ui, struct app *app) { app_card_enquire(app); return UI_REDRAW; }
static int receipt_approved(struct ui *ui, struct app *app) { app_card_resolve(app, 1); return UI_REDRAW; }
static int receipt_not_approved(struct ui *ui, struct app *app) { app_card_resolve(app, 0); return UI_REDRAW; }
static int failover(struct ui *ui, struct app *app) { app_card_failover(app); return UI_REDRAW; }
static int other_tender(struct ui *ui, struct app *app) { app_card_failover_dismiss(app); return UI_REDRAW; }

static const struct binding idle_keys[] = {
    { '\r', 0, "Enter", "Cash", "cash (empty field = exact amount)", pay_cash },
    { KEY_F(5), 1, NULL, NULL, NULL, pay_cash },
    { KEY_F(6), 1, "F6", "Card", "card (empty = all that is due)", pay_card },
    { KEY_F(7), 1, "F7", "Voucher", "voucher (type its value first)", pay_voucher },
    { KEY_F(8), 1, "F8", "Cancel sale", "cancel the sale", cancel_sale },
    { 27, 0, "Esc", "Back", "back to the sale", back },
};

/* A sale that gives money back: the same keys pay it out. */
static const struct binding refund_keys[] = {
    { '\r', 0, "Enter", "Cash back", "pay out in cash (empty field = all that is due)", pay_cash },
    { KEY_F(5), 1, NULL, NULL, NULL, pay_cash },
    { KEY_F(6), 1, "F6", "To card", "refund to the card it was paid with (terminal)", pay_card },
    { KEY_F(7), 1, "F7", "Voucher", "issue a voucher", pay_voucher },
    { KEY_F(8), 1, "F8", "Cancel sale", "cancel the sale", cancel_sale },
    { 27, 0, "Esc", "Back", "back to the sale", back },
};

static const struct binding waiting_keys[] = {
    { 27, 0, "Esc", "Abort", "ask the terminal to abort", abort_card },
};

static const struct binding unknown_keys[] = {
    { KEY_F(6), 1, "F6", "Ask again", "ask the terminal again", enquire },
    { 'a', 0, "A", "Receipt says approved", "terminal receipt shows APPROVED", receipt_approved },
    { 'A', 0, NULL, NULL, NULL, receipt_approved },
    { 'n', 0, "N", "Receipt says not approved", "terminal receipt shows NOT approved", receipt_not_approved },
    { 'N', 0, NULL, NULL, NULL, receipt_not_approved },
};

static const struct binding failover_keys[] = {
    { '\r', 0, "Enter", "Next terminal", "try the next terminal", failover },
    { 27, 0, "Esc", "Other tender", "pay another way", other_tender },
};

/* app NULL: the keys when no card payment runs (for the help). */
static struct bindings payment_bindings(const struct app *app)
{
    switch (app ? app->card->state : CARD_IDLE) {
    case CARD_IDLE:
        return app && app->sale->cart.totals.total < 0 ? BINDINGS(refund_keys) : BINDINGS(idle_keys);
    case CARD_WAITING: return BINDINGS(waiting_keys);
    case CARD_UNKNOWN: return BINDINGS(unknown_keys);
    case CARD_FAILOVER: return BINDINGS(failover_keys);
    case CARD_REVERSING: return NO_BINDINGS;
    }
    return NO_BINDINGS;
}

static int payment_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int r = bindings_dispatch(payment_bindings(app), ui, app, k);
    if (r)
        return r;
    /* while a terminal works, every other key is swallowed: nothing may change the sale */
    if (app->card->state != CARD_IDLE)
        return UI_HANDLED;
    if (k.is_key)
        return UI_IGNORED;
    return field_edit(ui->input, sizeof ui->input, k);
}

const struct screen screen_payment = {
    .name = "payment",
    .draw = payment_draw,
    .key = payment_key,
    .bindings = payment_bindings,
};
