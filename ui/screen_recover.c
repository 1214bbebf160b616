/* At start-up: card payments a crash interrupted are resolved before the next sale. */
#include <curses.h>
#include <stdio.h>

#include "app/app.h"
#include "ui/screen.h"

static struct bindings recover_bindings(const struct app *app);

static int recover_draw(const struct ui *ui, const struct app *app)
{
    int w = 66, h = 14, y, x;
    draw_dialog(h, w, "Interrupted card payments", &y, &x);
    int cx = x + 3, cw = w - 6;
    char line[160], a[48];
    draw_text(y + 2, cx, cw, "Till stopped while a card payment was running. Each one is");
    draw_text(y + 3, cx, cw, "checked with the terminal, so no customer is charged twice.");
    const struct card_payment *cp = app->card;
    const struct payment_intent *in = card_payment_recovering(cp);
    if (in) {
        money_format(in->amount, &app->s.fmt, 1, a, sizeof a);
        snprintf(line, sizeof line, "%d of %d: %s on terminal %s (%s)", cp->recover_idx + 1,
                 cp->nrecover, a, in->terminal, in->state);
        attron(A_BOLD);
        draw_text(y + 5, cx, cw, line);
        attroff(A_BOLD);
    }
    draw_text(y + 7, cx, cw, cp->status);
    if (cp->state == CARD_UNKNOWN) {
        attron(COLOR_PAIR(COLOR_ERROR) | A_BOLD);
        draw_text(y + 9, cx, cw, "The terminal cannot tell. Check its last receipt:");
        attroff(COLOR_PAIR(COLOR_ERROR) | A_BOLD);
        draw_bindings_help(recover_bindings(app), y + 10, cx, cw, 0);
    }
    return 0;
}

static int approved(struct ui *ui, struct app *app)
{
    app_recover_resolve(app, 1);
    return UI_REDRAW;
}

static int not_approved(struct ui *ui, struct app *app)
{
    app_recover_resolve(app, 0);
    return UI_REDRAW;
}

static const struct binding unknown_keys[] = {
    { 'a', 0, "A", "Receipt says approved", "it shows APPROVED (Till reverses it)", approved },
    { 'A', 0, NULL, NULL, NULL, approved },
    { 'n', 0, "N", "Receipt says not approved", "it shows NOT approved (nothing to do)", not_approved },
    { 'N', 0, NULL, NULL, NULL, not_approved },
};

/* Only a payment the terminal cannot tell about waits for the cashier. */
static struct bindings recover_bindings(const struct app *app)
{
    return app->card->state == CARD_UNKNOWN ? BINDINGS(unknown_keys) : NO_BINDINGS;
}

static int recover_key(struct ui *ui, struct app *app, struct ui_key k)
{
    return bindings_dispatch(recover_bindings(app), ui, app, k);
}

const struct screen screen_recover = {
    .name = "recover",
    .draw = recover_draw,
    .key = recover_key,
    .bindings = recover_bindings,
};
