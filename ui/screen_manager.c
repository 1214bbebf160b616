/* The manager menu (F9): cash in and out, no sale, reports, shifts, signing off.  Each
 * item asks its permission (app/authorize.h); the menu only shows the choices. */
#include <curses.h>
#include <stdio.h>

#include "app/app.h"
#include "app/app_print.h"
#include "app/authorize.h"
#include "app/count_session.h"
#include "ui/screen.h"

static struct bindings manager_bindings(const struct app *app);

static int manager_draw(const struct ui *ui, const struct app *app)
{
    struct bindings b = manager_bindings(app);
    int y, x, w = 66, h = bindings_help_count(b) + 6;
    draw_dialog(h, w, "Manager", &y, &x);
    char line[160];
    if (app->shift.open)
        snprintf(line, sizeof line, "%s (%s)  Shift %lld open", app->staff.who.name,
                 staff_role_name(app->staff.who.role), (long long)app->shift.current.id);
    else
        snprintf(line, sizeof line, "%s (%s)  No shift open", app->staff.who.name,
                 staff_role_name(app->staff.who.role));
    draw_text(y + 1, x + 3, w - 6, line);
    /* rows the sync refused wait for a manager: here is where one looks */
    if (app->sync.refused[0])
        draw_text(y + 2, x + 3, w - 6, app->sync.refused);
    draw_bindings_help(b, y + 3, x + 3, w - 6, 6);
    return 0;
}

/* Items that leave the menu first: they act on the sale screen (no sale between sales,
 * the stock count instead of the sale). */
static int no_sale(struct ui *ui, struct app *app)
{
    app_close_dialog(app);
    app_command(app, "no-sale", NULL, DOOR_MENU);
    return UI_REDRAW;
}

static int stock_count(struct ui *ui, struct app *app)
{
    app_close_dialog(app);
    app_command(app, "stock-count", NULL, DOOR_MENU);
    return UI_REDRAW;
}

static int close_menu(struct ui *ui, struct app *app) { app_close_dialog(app); return UI_REDRAW; }

/* Each item names its command (app/commands.c): the permission is asked there. */
static const struct binding open_keys[] = {
    { 'i', 0, "I", "Paid in", "paid in: cash put into the drawer", NULL, "paid-in" },
    { 'o', 0, "O", "Paid out", "paid out: cash taken out (with a reason)", NULL, "paid-out" },
    { 'd', 0, "D", "Drop", "cash drop: cash taken to the safe", NULL, "drop" },
    { 'n', 0, "N", "No sale", "no sale: open the drawer", no_sale },
    { 'x', 0, "X", "X report", "X report: the shift so far (read only)", NULL, "x-report" },
    { 'z', 0, "Z", "Z report", "Z report: count the cash and close the shift", NULL, "z-report" },
    { 'c', 0, "C", "Stock count", "stock count: count a zone, variance report, submit", stock_count },
    { 'r', 0, "R", "Dismiss refused", "dismiss the newest refused sync row (dealt with; audited)", NULL,
      "sync-reject-dismiss" },
    { 'l', 0, "L", "Sign off", "sign off / switch cashier (the open sale is kept)", NULL, "sign-off" },
    { 27, 0, "Esc", "Close", NULL, close_menu },
};

static const struct binding closed_keys[] = {
    { 's', 0, "S", "Open shift", "open a shift: count the float", NULL, "open-shift" },
    { 'c', 0, "C", "Stock count", "stock count: count a zone, variance report, submit", stock_count },
    { 'r', 0, "R", "Dismiss refused", "dismiss the newest refused sync row (dealt with; audited)", NULL,
      "sync-reject-dismiss" },
    { 'l', 0, "L", "Sign off", "sign off / switch cashier", NULL, "sign-off" },
    { 27, 0, "Esc", "Close", NULL, close_menu },
};

static struct bindings manager_bindings(const struct app *app)
{
    return app->shift.open ? BINDINGS(open_keys) : BINDINGS(closed_keys);
}

static int manager_key(struct ui *ui, struct app *app, struct ui_key k)
{
    /* letters work in either case */
    if (!k.is_key && k.code >= 'A' && k.code <= 'Z')
        k.code += 'a' - 'A';
    return bindings_dispatch(manager_bindings(app), ui, app, k);
}

const struct screen screen_manager = {
    .name = "manager",
    .draw = manager_draw,
    .key = manager_key,
    .bindings = manager_bindings,
};
