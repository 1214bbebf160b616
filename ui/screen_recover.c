/* At start-up: card payments a crash interrupted are resolved before the next sale. */
#include <curses.h>
#include <stdio.h>

#include "app/app.h"
#include "ui/screen.h"

static void recover_draw(const struct app *app)
{
    int w = 66, h = 14, y, x;
    draw_dialog(h, w, "Interrupted card payments", &y, &x);
    int cx = x + 3, cw = w - 6;
    char line[160], a[48];
    draw_text(y + 2, cx, cw, "Till stopped while a card payment was running. Each one is");
    draw_text(y + 3, cx, cw, "checked with the terminal, so no customer is charged twice.");
    if (app->recover_idx < app->nrecover) {
        const struct payment_intent *in = &app->recover[app->recover_idx];
        money_format(in->amount, &app->s.fmt, 1, a, sizeof a);
        snprintf(line, sizeof line, "%d of %d: %s on terminal %s (%s)", app->recover_idx + 1,
                 app->nrecover, a, in->terminal, in->state);
        attron(A_BOLD);
        draw_text(y + 5, cx, cw, line);
        attroff(A_BOLD);
    }
    draw_text(y + 7, cx, cw, app->pay_status);
    if (app->pay_state == PAY_UNKNOWN) {
        attron(COLOR_PAIR(COLOR_ERROR) | A_BOLD);
        draw_text(y + 9, cx, cw, "The terminal cannot tell. Check its last receipt:");
        attroff(COLOR_PAIR(COLOR_ERROR) | A_BOLD);
        draw_text(y + 10, cx, cw, "A: it shows APPROVED (Till reverses it)");
        draw_text(y + 11, cx, cw, "N: it shows NOT approved (nothing to do)");
    }
}

static int recover_key(struct app *app, struct ui_key k)
{
    if (app->pay_state != PAY_UNKNOWN)
        return KEY_IGNORED;
    if (!k.is_key && (k.code == 'a' || k.code == 'A'))
        app_recover_resolve(app, 1);
    else if (!k.is_key && (k.code == 'n' || k.code == 'N'))
        app_recover_resolve(app, 0);
    else
        return KEY_IGNORED;
    return KEY_HANDLED;
}

const struct screen screen_recover = { "recover", recover_draw, recover_key };
