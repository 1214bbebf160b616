/* Kiosk: the attendant's menu, behind the PIN.  Approve the item on hold, void a line,
 * cancel the sale, print the last receipt again, close or open the lane, settle a card
 * payment the terminal could not confirm, and the only way out of kiosk mode. */
#include <curses.h>
#include <stdio.h>

#include "app/kiosk.h"
#include "ui/kiosk_draw.h"
#include "ui/screen.h"

static struct bindings attendant_bindings(const struct app *app);

static int attendant_draw(const struct ui *ui, const struct app *app)
{
    const struct kiosk *k = app->kiosk;
    int top = 3, list_w = COLS / 2;
    attron(A_BOLD | A_UNDERLINE);
    draw_text(top, 1, list_w - 2, "ATTENDANT: the sale (Up/Down selects)");
    attroff(A_BOLD | A_UNDERLINE);
    if (app->sale->cart.nlines == 0) {
        attron(A_DIM);
        draw_text(top + 2, 2, list_w - 3, "No open sale.");
        attroff(A_DIM);
    }
    kiosk_draw_cart(app, top + 1, 0, list_w, LINES - 4 - top - 4, 1);
    char line[200], a[48];
    money_format(app->sale->cart.totals.total, &app->s.fmt, 1, a, sizeof a);
    snprintf(line, sizeof line, "Total %s   paid %lld payment(s)", a, (long long)app->sale->tender.n);
    draw_text(LINES - 7, 1, list_w - 2, line);
    int x = list_w + 1, w = COLS - x - 1, y = top;
    attron(A_BOLD);
    if (k->flow.hold != KIOSK_HOLD_NONE) {
        snprintf(line, sizeof line, "Waiting: %s (%s)", k->hold_item,
                 k->flow.hold == KIOSK_HOLD_AGE ? "age check" : "quantity");
        draw_text(y++, x, w, line);
    }
    if (app->card->state == CARD_UNKNOWN) {
        draw_text(y++, x, w, "Card outcome unknown: read the terminal's receipt.");
    }
    snprintf(line, sizeof line, "Lane %s", k->flow.lane_closed ? "CLOSED" : "open");
    draw_text(y++, x, w, line);
    attroff(A_BOLD);
    y++;
    y += draw_bindings_help(attendant_bindings(app), y, x, w, 2);
    if (app->message[0]) {
        attron(app->message_is_error ? COLOR_PAIR(KIOSK_PAIR_ALERT) | A_BOLD : A_BOLD);
        draw_text(LINES - 6, 1, COLS - 2, app->message);
        attroff(COLOR_PAIR(KIOSK_PAIR_ALERT) | A_BOLD);
    }
    return 0;
}

static int approve(struct ui *ui, struct app *app) { kiosk_staff_approve(app); return UI_REDRAW; }
static int void_line(struct ui *ui, struct app *app) { kiosk_staff_void(app); return UI_REDRAW; }
static int up(struct ui *ui, struct app *app) { kiosk_staff_select(app, -1); return UI_REDRAW; }
static int down(struct ui *ui, struct app *app) { kiosk_staff_select(app, +1); return UI_REDRAW; }
static int cancel_sale(struct ui *ui, struct app *app) { kiosk_staff_cancel_sale(app); return UI_REDRAW; }
static int reprint(struct ui *ui, struct app *app) { kiosk_staff_reprint(app); return UI_REDRAW; }
static int lane(struct ui *ui, struct app *app) { kiosk_staff_toggle_lane(app); return UI_REDRAW; }
static int leave_kiosk(struct ui *ui, struct app *app) { kiosk_staff_exit(app); return UI_REDRAW; }
static int back(struct ui *ui, struct app *app) { kiosk_staff_leave(app); return UI_REDRAW; }
static int card_approved(struct ui *ui, struct app *app) { kiosk_staff_card_resolve(app, 1); return UI_REDRAW; }
static int card_declined(struct ui *ui, struct app *app) { kiosk_staff_card_resolve(app, 0); return UI_REDRAW; }
static int card_ask(struct ui *ui, struct app *app) { kiosk_staff_card_enquire(app); return UI_REDRAW; }

/* The menu's keys are fixed digits: the attendant's, not the customer's keypad map. */
static const struct binding menu_keys[] = {
    { '1', 0, "1", NULL, "approve the waiting item", approve },
    { '2', 0, "2", NULL, "void the selected line", void_line },
    { '3', 0, "3", NULL, "cancel the sale", cancel_sale },
    { '4', 0, "4", NULL, "print the last receipt again", reprint },
    { '5', 0, "5", NULL, "close / open the lane", lane },
    { '6', 0, "6", NULL, "exit kiosk mode", leave_kiosk },
    { KEY_UP, 1, NULL, NULL, NULL, up },
    { KEY_DOWN, 1, NULL, NULL, NULL, down },
    { '0', 0, "0", "Back to customer", "back to the customer", back },
    { 27, 0, NULL, NULL, NULL, back },
};

static const struct binding unknown_card_keys[] = {
    { 'a', 0, "A", NULL, "terminal receipt says APPROVED", card_approved },
    { 'n', 0, "N", NULL, "terminal receipt says NOT approved", card_declined },
    { 'e', 0, "E", NULL, "ask the terminal again", card_ask },
    { KEY_UP, 1, NULL, NULL, NULL, up },
    { KEY_DOWN, 1, NULL, NULL, NULL, down },
    { '0', 0, "0", "Back to customer", "back to the customer", back },
    { 27, 0, NULL, NULL, NULL, back },
};

static struct bindings attendant_bindings(const struct app *app)
{
    return app->card->state == CARD_UNKNOWN ? BINDINGS(unknown_card_keys) : BINDINGS(menu_keys);
}

static int attendant_key(struct ui *ui, struct app *app, struct ui_key k)
{
    return bindings_dispatch(attendant_bindings(app), ui, app, k);
}

const struct screen screen_kiosk_attendant = {
    .name = "kiosk attendant",
    .draw = attendant_draw,
    .key = attendant_key,
    .bindings = attendant_bindings,
    .full_screen = 1,
};
