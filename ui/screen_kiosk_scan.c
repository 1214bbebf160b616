/* Kiosk: scanning.  The items so far on the left, the total in block digits on the right,
 * and what to do next: scan more, or say you are done. */
#include <curses.h>

#include "app/kiosk.h"
#include "src/i18n.h"
#include "ui/kiosk_draw.h"
#include "ui/screen.h"

static int scan_draw(const struct ui *ui, const struct app *app)
{
    int list_w = COLS * 11 / 20, top = 3, rows = LINES - 4 - top - 4;
    attron(A_BOLD | A_UNDERLINE);
    draw_text(top, 1, list_w - 2, _("Your items"));
    attroff(A_BOLD | A_UNDERLINE);
    kiosk_draw_cart(app, top + 1, 0, list_w, rows, 0);
    int cx = list_w + (COLS - list_w) / 2;
    kiosk_draw_big_money(app, top + 2, cx, _("TOTAL"), app->sale->cart.totals.total);
    char items[48];
    long long count = (long long)cart_item_count(&app->sale->cart);
    snprintf(items, sizeof items, P_("%lld item", "%lld items", (unsigned long)count), count);
    draw_text(top + 10, cx - text_columns(items) / 2, COLS, items);
    kiosk_draw_notice(app, LINES - 7);
    char next[160];
    snprintf(next, sizeof next, _("Scan your next item, or press %s when you are done."),
             app->kiosk->keys[KIOSK_KEY_OK].name);
    kiosk_draw_center(LINES - 6, A_BOLD, next);
    return 0;
}

static int done_scanning(struct ui *ui, struct app *app)
{
    kiosk_review(app);
    return UI_REDRAW;
}

static struct binding scan_keys[3];

static struct bindings scan_bindings(const struct app *app)
{
    scan_keys[0] = kiosk_binding(app, KIOSK_KEY_OK, CAP_("Done: pay"), "done scanning: check and pay", done_scanning);
    scan_keys[1] = kiosk_binding(app, KIOSK_KEY_HELP, CAP_("Call for help"), "call the attendant", kiosk_run_help);
    scan_keys[2] = kiosk_binding(app, KIOSK_KEY_STAFF, NULL, "attendant: PIN", kiosk_run_staff);
    return BINDINGS(scan_keys);
}

static int scan_key(struct ui *ui, struct app *app, struct ui_key k)
{
    return bindings_dispatch(scan_bindings(app), ui, app, k);
}

const struct screen screen_kiosk_scan = {
    .name = "kiosk scan",
    .draw = scan_draw,
    .key = scan_key,
    .bindings = scan_bindings,
    .full_screen = 1,
};
