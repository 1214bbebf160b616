/* Kiosk: the welcome screen.  Scanning the first item starts the sale; nothing else is
 * needed to begin. */
#include <curses.h>

#include "app/kiosk.h"
#include "ui/kiosk_draw.h"
#include "ui/screen.h"

static int welcome_draw(const struct ui *ui, const struct app *app)
{
    int mid = (LINES - 4) / 2;
    kiosk_draw_center(mid - 5, A_BOLD, "W E L C O M E");
    kiosk_draw_center(mid - 3, A_BOLD, "Scan your first item to start.");
    kiosk_draw_center(mid - 1, 0, "Hold each barcode under the scanner until it beeps.");
    kiosk_draw_center(mid, 0, "Pay by card when you are done.");
    kiosk_draw_notice(app, mid + 2);
    return 0;
}

static struct binding welcome_keys[2];

static struct bindings welcome_bindings(const struct app *app)
{
    welcome_keys[0] = kiosk_binding(app, KIOSK_KEY_HELP, "Call for help", "call the attendant", kiosk_run_help);
    welcome_keys[1] = kiosk_binding(app, KIOSK_KEY_STAFF, NULL, "attendant: PIN", kiosk_run_staff);
    return BINDINGS(welcome_keys);
}

static int welcome_key(struct ui *ui, struct app *app, struct ui_key k)
{
    return bindings_dispatch(welcome_bindings(app), ui, app, k);
}

const struct screen screen_kiosk_welcome = {
    .name = "kiosk welcome",
    .draw = welcome_draw,
    .key = welcome_key,
    .bindings = welcome_bindings,
    .full_screen = 1,
};
