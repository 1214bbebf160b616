/* Kiosk: the review before paying: every item and the total, then pay by card or go back
 * to scanning. */
#include <curses.h>
#include <stdio.h>

#include "app/kiosk.h"
#include "src/i18n.h"
#include "ui/kiosk_draw.h"
#include "ui/screen.h"

static int review_draw(const struct ui *ui, const struct app *app)
{
    const struct kiosk *k = app->kiosk;
    int list_w = COLS * 11 / 20, top = 3, rows = LINES - 4 - top - 4;
    attron(A_BOLD | A_UNDERLINE);
    draw_text(top, 1, list_w - 2, _("Please check your items"));
    attroff(A_BOLD | A_UNDERLINE);
    kiosk_draw_cart(app, top + 1, 0, list_w, rows, 0);
    int cx = list_w + (COLS - list_w) / 2;
    kiosk_draw_big_money(app, top + 2, cx, _("TO PAY"), app_amount_due(app));
    kiosk_draw_notice(app, LINES - 7);
    char next[160];
    snprintf(next, sizeof next, _("All correct? Press %s to pay by card, or %s to scan more."),
             k->keys[KIOSK_KEY_OK].name, k->keys[KIOSK_KEY_BACK].name);
    kiosk_draw_center(LINES - 6, A_BOLD, next);
    return 0;
}

static int pay(struct ui *ui, struct app *app)
{
    kiosk_pay(app);
    return UI_REDRAW;
}

static int scan_more(struct ui *ui, struct app *app)
{
    kiosk_back_to_scan(app);
    return UI_REDRAW;
}

static struct binding review_keys[4];

static struct bindings review_bindings(const struct app *app)
{
    review_keys[0] = kiosk_binding(app, KIOSK_KEY_OK, CAP_("Pay by card"), "pay by card", pay);
    review_keys[1] = kiosk_binding(app, KIOSK_KEY_BACK, CAP_("Scan more"), "back to scanning", scan_more);
    review_keys[2] = kiosk_binding(app, KIOSK_KEY_HELP, CAP_("Call for help"), "call the attendant", kiosk_run_help);
    review_keys[3] = kiosk_binding(app, KIOSK_KEY_STAFF, NULL, "attendant: PIN", kiosk_run_staff);
    return BINDINGS(review_keys);
}

static int review_key(struct ui *ui, struct app *app, struct ui_key k)
{
    return bindings_dispatch(review_bindings(app), ui, app, k);
}

const struct screen screen_kiosk_review = {
    .name = "kiosk review",
    .draw = review_draw,
    .key = review_key,
    .bindings = review_bindings,
    .full_screen = 1,
};
