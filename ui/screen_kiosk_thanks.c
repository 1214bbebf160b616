/* Kiosk: thank you and goodbye; the welcome screen returns by itself (kiosk.thanks_s). */
#include <curses.h>

#include "app/kiosk.h"
#include "src/i18n.h"
#include "ui/kiosk_draw.h"
#include "ui/screen.h"

static int thanks_draw(const struct ui *ui, const struct app *app)
{
    int mid = (LINES - 4) / 2;
    /* TRANSLATORS: the thank-you screen's title, letters spaced out */
    kiosk_draw_center(mid - 3, A_BOLD, _("T H A N K   Y O U"));
    kiosk_draw_center(mid - 1, A_BOLD, _("Thank you for shopping with us. Goodbye!"));
    kiosk_draw_center(mid + 1, 0, _("Next customer: just scan your first item."));
    return 0;
}

static int done(struct ui *ui, struct app *app)
{
    kiosk_done(app);
    return UI_REDRAW;
}

static struct binding thanks_keys[2];

static struct bindings thanks_bindings(const struct app *app)
{
    thanks_keys[0] = kiosk_binding(app, KIOSK_KEY_OK, NULL, "start", done);
    thanks_keys[1] = kiosk_binding(app, KIOSK_KEY_STAFF, NULL, "attendant: PIN", kiosk_run_staff);
    return BINDINGS(thanks_keys);
}

static int thanks_key(struct ui *ui, struct app *app, struct ui_key k)
{
    return bindings_dispatch(thanks_bindings(app), ui, app, k);
}

const struct screen screen_kiosk_thanks = {
    .name = "kiosk thanks",
    .draw = thanks_draw,
    .key = thanks_key,
    .bindings = thanks_bindings,
    .full_screen = 1,
};
