/* Kiosk: an item waits for the attendant (an age check, more than the quantity limit).
 * The flow stops here until the attendant approves or removes it. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "app/kiosk.h"
#include "src/i18n.h"
#include "ui/kiosk_draw.h"
#include "ui/screen.h"

static int blocked_draw(const struct ui *ui, const struct app *app)
{
    const struct kiosk *k = app->kiosk;
    int mid = (LINES - 4) / 2;
    char line[200];
    attron(COLOR_PAIR(KIOSK_PAIR_HELP) | A_BOLD);
    for (int r = mid - 5; r <= mid - 3; r++)
        mvhline(r, 4, ' ', COLS - 8);
    attroff(COLOR_PAIR(KIOSK_PAIR_HELP) | A_BOLD);
    kiosk_draw_center(mid - 4, COLOR_PAIR(KIOSK_PAIR_HELP) | A_BOLD, _("PLEASE WAIT FOR STAFF"));
    if (k->flow.hold == KIOSK_HOLD_AGE)
        snprintf(line, sizeof line, _("%s needs an age check."), k->hold_item);
    else
        snprintf(line, sizeof line, _("More than %lld of %s need a check."), (long long)k->max_pieces, k->hold_item);
    kiosk_draw_center(mid - 1, A_BOLD, line);
    kiosk_draw_center(mid + 1, 0, _("Staff has been called and will be with you shortly."));
    kiosk_draw_center(mid + 2, 0, _("Please have your ID ready if you are asked for it."));
    if (strcmp(k->notice, line) != 0)
        kiosk_draw_notice(app, mid + 4);
    return 0;
}

static struct binding blocked_keys[1];

static struct bindings blocked_bindings(const struct app *app)
{
    blocked_keys[0] = kiosk_binding(app, KIOSK_KEY_STAFF, CAP_("Staff"), "attendant: PIN", kiosk_run_staff);
    return BINDINGS(blocked_keys);
}

static int blocked_key(struct ui *ui, struct app *app, struct ui_key k)
{
    return bindings_dispatch(blocked_bindings(app), ui, app, k);
}

const struct screen screen_kiosk_blocked = {
    .name = "kiosk blocked",
    .draw = blocked_draw,
    .key = blocked_key,
    .bindings = blocked_bindings,
    .full_screen = 1,
};
