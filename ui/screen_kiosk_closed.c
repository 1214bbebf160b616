/* Kiosk: the lane is closed.  Only the attendant (PIN) opens it again. */
#include <curses.h>

#include "app/kiosk.h"
#include "src/i18n.h"
#include "ui/kiosk_draw.h"
#include "ui/screen.h"

static int closed_draw(const struct ui *ui, const struct app *app)
{
    int mid = (LINES - 4) / 2;
    attron(COLOR_PAIR(KIOSK_PAIR_ALERT) | A_BOLD);
    for (int r = mid - 3; r <= mid + 1; r++)
        mvhline(r, 4, ' ', COLS - 8);
    attroff(COLOR_PAIR(KIOSK_PAIR_ALERT) | A_BOLD);
    kiosk_draw_center(mid - 2, COLOR_PAIR(KIOSK_PAIR_ALERT) | A_BOLD, _("THIS LANE IS CLOSED"));
    kiosk_draw_center(mid, COLOR_PAIR(KIOSK_PAIR_ALERT) | A_BOLD, _("Please use another checkout. Thank you."));
    return 0;
}

static struct binding closed_keys[1];

static struct bindings closed_bindings(const struct app *app)
{
    closed_keys[0] = kiosk_binding(app, KIOSK_KEY_STAFF, NULL, "attendant: PIN", kiosk_run_staff);
    return BINDINGS(closed_keys);
}

static int closed_key(struct ui *ui, struct app *app, struct ui_key k)
{
    return bindings_dispatch(closed_bindings(app), ui, app, k);
}

const struct screen screen_kiosk_closed = {
    .name = "kiosk closed",
    .draw = closed_draw,
    .key = closed_key,
    .bindings = closed_bindings,
    .full_screen = 1,
};
