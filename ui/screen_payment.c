/* Payment dialog: total, payments so far, what is due; cash, card or voucher; the card
 * terminal's own status while it works, and the choices when its outcome is unknown. */
#include <curses.h>
#include <stdio.h>

#include "app/app.h"
#include "ui/screen.h"

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

static void payment_draw(const struct app *app)
{
    int w = 60, np = app->tender.n;
    int h = 15 + np;
    int y, x;
    draw_dialog(h, w, "Payment", &y, &x);
    int cx = x + 3, cw = w - 6, r = y + 2;
    row(app, r++, cx, cw, "Total", app->cart.totals.total, 0);
    for (int i = 0; i < np; i++) {
        const struct payment *p = &app->tender.payments[i];
        char label[80];
        snprintf(label, sizeof label, "  %s%s%s", p->tender == TENDER_CASH ? "Cash" :
                 p->tender == TENDER_CARD ? "Card" : "Voucher", p->masked_pan[0] ? " " : "", p->masked_pan);
        row(app, r++, cx, cw, label, -p->amount, 0);
    }
    row(app, r++, cx, cw, "Due", app_amount_due(app), 1);
    r++;
    if (app->pay_status[0] && app->pay_state != PAY_IDLE) {
        attron(A_BOLD | COLOR_PAIR(COLOR_TOTAL));
        draw_text(r, cx, cw, app->pay_status);
        attroff(A_BOLD | COLOR_PAIR(COLOR_TOTAL));
    }
    r += 2;
    switch (app->pay_state) {
    case PAY_IDLE:
        draw_field(r - 1, cx, cw, "Amount:", app->input);
        draw_text(r + 1, cx, cw, "Enter: cash (empty field = exact amount)");
        draw_text(r + 2, cx, cw, "F6: card (empty = all that is due)  F7: voucher");
        draw_text(r + 3, cx, cw, "Esc: back to the sale   F8: cancel the sale");
        draw_field(r - 1, cx, cw, "Amount:", app->input);
        break;
    case PAY_WAITING:
        draw_text(r + 1, cx, cw, "The customer is using the card terminal.");
        draw_text(r + 2, cx, cw, "Esc: ask the terminal to abort");
        break;
    case PAY_UNKNOWN:
        attron(COLOR_PAIR(COLOR_ERROR) | A_BOLD);
        draw_text(r, cx, cw, "Outcome unknown: the card may have been charged.");
        attroff(COLOR_PAIR(COLOR_ERROR) | A_BOLD);
        draw_text(r + 1, cx, cw, "F6: ask the terminal again");
        draw_text(r + 2, cx, cw, "A: terminal receipt shows APPROVED");
        draw_text(r + 3, cx, cw, "N: terminal receipt shows NOT approved");
        break;
    case PAY_FAILOVER:
        draw_text(r + 1, cx, cw, "Terminal not reached: nothing was charged.");
        draw_text(r + 2, cx, cw, "Enter: try the next terminal   Esc: other tender");
        break;
    case PAY_REVERSING:
        draw_text(r + 1, cx, cw, "Reversing card payments before cancelling...");
        break;
    }
}

static int payment_key(struct app *app, struct ui_key k)
{
    switch (app->pay_state) {
    case PAY_WAITING:
        if (key_is_escape(k))
            app_abort_card(app);
        return KEY_HANDLED;
    case PAY_REVERSING:
        return KEY_HANDLED;
    case PAY_UNKNOWN:
        if (k.is_key && k.code == KEY_F(6))
            app_card_enquire(app);
        else if (!k.is_key && (k.code == 'a' || k.code == 'A'))
            app_card_resolve(app, 1);
        else if (!k.is_key && (k.code == 'n' || k.code == 'N'))
            app_card_resolve(app, 0);
        return KEY_HANDLED;
    case PAY_FAILOVER:
        if (key_is_enter(k))
            app_card_failover(app);
        else if (key_is_escape(k))
            app->pay_state = PAY_IDLE;
        return KEY_HANDLED;
    case PAY_IDLE:
        break;
    }
    if (key_is_escape(k)) {
        app_close_dialog(app);
        return KEY_HANDLED;
    }
    if (key_is_enter(k) || (k.is_key && k.code == KEY_F(5))) {
        app_pay_cash(app);
        return KEY_HANDLED;
    }
    if (k.is_key && k.code == KEY_F(6)) {
        app_pay_card(app);
        return KEY_HANDLED;
    }
    if (k.is_key && k.code == KEY_F(7)) {
        app_pay_voucher(app);
        return KEY_HANDLED;
    }
    if (k.is_key && k.code == KEY_F(8)) {
        app_open_mode(app, MODE_CONFIRM_CANCEL);
        return KEY_HANDLED;
    }
    if (k.is_key)
        return KEY_IGNORED;
    return field_edit(app->input, sizeof app->input, k);
}

const struct screen screen_payment = { "payment", payment_draw, payment_key };
