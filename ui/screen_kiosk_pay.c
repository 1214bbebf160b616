/* Kiosk: paying by card.  While the terminal works its own prompt is shown large; a
 * decline or a terminal that did not answer is said in plain words with what to do next.
 * Which keys work depends on where the payment stands: one table per state. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "app/kiosk.h"
#include "src/i18n.h"
#include "ui/kiosk_draw.h"
#include "ui/screen.h"

/* The terminal's prompt without its name ("front: Enter PIN" -> "Enter PIN"). */
static const char *prompt(const struct app *app)
{
    const char *s = app->card->status, *colon = strstr(s, ": ");
    return colon ? colon + 2 : s;
}

static void banner(int y, int pair, const char *text)
{
    attron(COLOR_PAIR(pair) | A_BOLD);
    for (int r = y - 1; r <= y + 1; r++)
        mvhline(r, 4, ' ', COLS - 8);
    attroff(COLOR_PAIR(pair) | A_BOLD);
    kiosk_draw_center(y, COLOR_PAIR(pair) | A_BOLD, text);
}

static int pay_draw(const struct ui *ui, const struct app *app)
{
    const struct kiosk *k = app->kiosk;
    int top = 3;
    kiosk_draw_big_money(app, top, COLS / 2, _("TO PAY"), app_amount_due(app));
    int y = top + 8;
    char line[200], a[48];
    switch (k->pay) {
    case KIOSK_PAY_NONE:
    case KIOSK_PAY_WAITING:
        banner(y, KIOSK_PAIR_HELP, app->card->status[0] ? kiosk_words(prompt(app)) : _("Please wait..."));
        kiosk_draw_center(y + 3, A_BOLD, _("Follow the instructions on the card terminal."));
        break;
    case KIOSK_PAY_DECLINED:
        banner(y, KIOSK_PAIR_ALERT, _("Your card was not accepted. Nothing was charged."));
        if (k->pay_reason[0]) {
            snprintf(line, sizeof line, _("(The terminal says: %s)"), kiosk_words(k->pay_reason));
            kiosk_draw_center(y + 2, 0, line);
        }
        snprintf(line, sizeof line, _("Press %s to try again (the same or another card), or %s for help."),
                 k->keys[KIOSK_KEY_OK].name, k->keys[KIOSK_KEY_HELP].name);
        kiosk_draw_center(y + 4, A_BOLD, line);
        break;
    case KIOSK_PAY_PARTIAL:
        money_format(tender_paid(&app->sale->tender), &app->s.fmt, 1, a, sizeof a);
        snprintf(line, sizeof line, _("Your card paid %s. The rest is still to pay."), a);
        banner(y, KIOSK_PAIR_HELP, line);
        snprintf(line, sizeof line, _("Press %s to pay the rest by card, or %s for help."),
                 k->keys[KIOSK_KEY_OK].name, k->keys[KIOSK_KEY_HELP].name);
        kiosk_draw_center(y + 3, A_BOLD, line);
        break;
    case KIOSK_PAY_UNKNOWN:
        banner(y, KIOSK_PAIR_ALERT, _("The card terminal did not confirm your payment."));
        kiosk_draw_center(y + 2, A_BOLD, _("Please wait and do not pay again: staff is on the way to check it."));
        break;
    case KIOSK_PAY_NOT_SAVED:
        banner(y, KIOSK_PAIR_ALERT, _("Your payment was taken, but this lane has a problem."));
        kiosk_draw_center(y + 2, A_BOLD, _("Please wait: staff is on the way. Do not pay again."));
        break;
    }
    return 0;
}

static int try_again(struct ui *ui, struct app *app)
{
    kiosk_pay(app);
    return UI_REDRAW;
}

static int back(struct ui *ui, struct app *app)
{
    kiosk_back_to_scan(app);
    return UI_REDRAW;
}

static struct binding pay_keys[4];

static struct bindings pay_bindings(const struct app *app)
{
    size_t n = 0;
    switch (app->kiosk->pay) {
    case KIOSK_PAY_DECLINED:
        pay_keys[n++] = kiosk_binding(app, KIOSK_KEY_OK, CAP_("Try again"), "pay by card again", try_again);
        pay_keys[n++] = kiosk_binding(app, KIOSK_KEY_BACK, CAP_("Back to items"), "back to scanning", back);
        break;
    case KIOSK_PAY_PARTIAL:
        pay_keys[n++] = kiosk_binding(app, KIOSK_KEY_OK, CAP_("Pay the rest"), "pay the rest by card", try_again);
        break;
    default:
        break;   /* the terminal is working, or staff must settle it */
    }
    if (app->kiosk->pay != KIOSK_PAY_WAITING)
        pay_keys[n++] = kiosk_binding(app, KIOSK_KEY_HELP, CAP_("Call for help"), "call the attendant", kiosk_run_help);
    pay_keys[n++] = kiosk_binding(app, KIOSK_KEY_STAFF, NULL, "attendant: PIN", kiosk_run_staff);
    return (struct bindings){ pay_keys, n };
}

static int pay_key(struct ui *ui, struct app *app, struct ui_key k)
{
    return bindings_dispatch(pay_bindings(app), ui, app, k);
}

const struct screen screen_kiosk_pay = {
    .name = "kiosk pay",
    .draw = pay_draw,
    .key = pay_key,
    .bindings = pay_bindings,
    .full_screen = 1,
};
