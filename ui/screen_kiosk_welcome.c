/* Kiosk: the welcome screen.  Scanning the first item starts the sale; nothing else is
 * needed to begin. */
#include <curses.h>

#include "app/kiosk.h"
#include "src/i18n.h"
#include "ui/kiosk_draw.h"
#include "ui/screen.h"

static int welcome_draw(const struct ui *ui, const struct app *app)
{
    int mid = (LINES - 4) / 2;
    /* TRANSLATORS: the welcome screen's title, letters spaced out */
    kiosk_draw_center(mid - 5, A_BOLD, _("W E L C O M E"));
    kiosk_draw_center(mid - 3, A_BOLD, _("Scan your first item to start."));
    kiosk_draw_center(mid - 1, 0, _("Hold each barcode under the scanner until it beeps."));
    kiosk_draw_center(mid, 0, _("Pay by card when you are done."));
    kiosk_draw_notice(app, mid + 2);
    return 0;
}

static int next_language(struct ui *ui, struct app *app)
{
    kiosk_next_language(app);
    return UI_REDRAW;
}

static struct binding welcome_keys[3];

/* The language key is labelled with the language it switches to, in that language's own
 * words ("Deutsch"): the one a customer who cannot read the current one looks for. */
static struct bindings welcome_bindings(const struct app *app)
{
    size_t n = 0;
    const char *other = kiosk_next_language_name(app);
    if (other)
        welcome_keys[n++] = kiosk_binding(app, KIOSK_KEY_LANGUAGE, other, "change the language", next_language);
    welcome_keys[n++] = kiosk_binding(app, KIOSK_KEY_HELP, CAP_("Call for help"), "call the attendant", kiosk_run_help);
    welcome_keys[n++] = kiosk_binding(app, KIOSK_KEY_STAFF, NULL, "attendant: PIN", kiosk_run_staff);
    return (struct bindings){ welcome_keys, n };
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
