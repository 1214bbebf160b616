/* Kiosk mode's one app mode (MODE_KIOSK) as a screen that hands over to the screen of the
 * customer's step: each step is its own descriptor (ui/screen_kiosk_*.c) with its own
 * keys.  Here: the frame, the idle countdown over it, and that every key counts as
 * someone being there.  Kiosk screens fill the whole terminal: no cashier's sale screen
 * under them, and big key caps instead of the cashier's footer (drawn over it). */
#include <curses.h>
#include <stdio.h>

#include "app/kiosk.h"
#include "src/i18n.h"
#include "ui/kiosk_draw.h"
#include "ui/screen.h"

static const struct screen *const step_screens[KIOSK_NSTEPS] = {
    [KIOSK_WELCOME] = &screen_kiosk_welcome,
    [KIOSK_SCAN] = &screen_kiosk_scan,
    [KIOSK_REVIEW] = &screen_kiosk_review,
    [KIOSK_PAY] = &screen_kiosk_pay,
    [KIOSK_RECEIPT] = &screen_kiosk_receipt,
    [KIOSK_THANKS] = &screen_kiosk_thanks,
    [KIOSK_BLOCKED] = &screen_kiosk_blocked,
    [KIOSK_PIN] = &screen_kiosk_pin,
    [KIOSK_ATTENDANT] = &screen_kiosk_attendant,
    [KIOSK_CLOSED] = &screen_kiosk_closed,
};

static const struct screen *step_screen(const struct app *app)
{
    enum kiosk_step s = kiosk_step(app);
    return (unsigned)s < KIOSK_NSTEPS && step_screens[s] ? step_screens[s] : &screen_kiosk_welcome;
}

static void kiosk_enter(struct ui *ui, struct app *app)
{
    kiosk_draw_init_colors();
    ui->sub_screen = -1;
}

/* The countdown: the customer seems gone. */
static void draw_idle(const struct app *app)
{
    const struct kiosk *k = app->kiosk;
    int y, x;
    draw_dialog(12, 60, _("Are you still there?"), &y, &x);
    kiosk_draw_center(y + 2, A_BOLD, _("Are you still there?  Press any key to continue."));
    const char *then = app->sale->tender.n > 0 ? _("Staff will be called in") : _("Your shopping will be cancelled in");
    kiosk_draw_center(y + 4, 0, then);
    char secs[16];
    snprintf(secs, sizeof secs, "%d", k->idle_seconds);
    attron(COLOR_PAIR(KIOSK_PAIR_ALERT) | A_BOLD);
    kiosk_draw_big(y + 5, COLS / 2, secs);
    attroff(COLOR_PAIR(KIOSK_PAIR_ALERT) | A_BOLD);
    char line[64];
    snprintf(line, sizeof line, P_("%d second", "%d seconds", k->idle_seconds), k->idle_seconds);
    kiosk_draw_center(y + 10, A_BOLD, line);
}

static int kiosk_draw(const struct ui *ui, const struct app *app)
{
    erase();   /* the footer too: the key caps below say it for a customer */
    kiosk_draw_frame(app);
    const struct screen *s = step_screen(app);
    int cursor = s->draw(ui, app);
    kiosk_draw_keys(app, s->bindings(app));
    if (app->kiosk->idle_seconds > 0) {
        draw_idle(app);
        cursor = 0;
    }
    return cursor;
}

/* The field of the step screen starts empty whenever the step changes (a PIN never
 * lingers for the next one to see). */
static void follow_step(struct ui *ui, const struct app *app)
{
    if (ui->sub_screen != (int)kiosk_step(app)) {
        ui->sub_screen = (int)kiosk_step(app);
        ui->input[0] = 0;
    }
}

static int kiosk_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int warned = app->kiosk->idle_seconds > 0;
    kiosk_touch(app);
    follow_step(ui, app);
    /* the key that answers "are you still there?" does nothing else */
    if (warned)
        return UI_HANDLED | UI_REDRAW;
    int r = step_screen(app)->key(ui, app, k);
    follow_step(ui, app);
    /* nothing a customer types leaves the kiosk: unbound keys are swallowed */
    return (r & ~UI_QUIT) | UI_HANDLED;
}

static struct bindings kiosk_bindings(const struct app *app)
{
    return step_screen(app)->bindings(app);
}

const struct screen screen_kiosk = {
    .name = "kiosk",
    .enter = kiosk_enter,
    .draw = kiosk_draw,
    .key = kiosk_key,
    .bindings = kiosk_bindings,
    .full_screen = 1,
};
