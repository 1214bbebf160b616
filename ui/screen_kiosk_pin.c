/* Kiosk: the attendant's PIN (with staff: staff id * PIN).  Digits only, shown as stars; too many wrong PINs lock the
 * entry for a while (core/kiosk_flow.c).  Esc, or leaving it alone, returns to the
 * customer's screen. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "app/kiosk.h"
#include "src/i18n.h"
#include "ui/kiosk_draw.h"
#include "ui/screen.h"

static int pin_draw(const struct ui *ui, const struct app *app)
{
    const struct kiosk *k = app->kiosk;
    int y, x;
    draw_dialog(12, 56, _("Staff only"), &y, &x);
    /* with staff, the attendant's own id and PIN (app/kiosk.c attendant_authorized) */
    kiosk_draw_center(y + 2, A_BOLD, app->staff.enabled ? _("Attendant: staff id, *, PIN, then Enter.")
                                                        : _("Attendant: type the PIN, then Enter."));
    char stars[40] = "";
    /* a PIN typed on another visit of this screen is never shown */
    size_t n = ui->sub_screen == KIOSK_PIN ? strlen(ui->input) : 0;
    for (size_t i = 0; i < n && i + 2 < sizeof stars; i += 2)
        memcpy(stars + i, "* ", 3);
    draw_field(y + 4, x + 12, 30, "PIN:", stars);
    int wait = kiosk_flow_pin_wait_s(&k->flow, loop_now_ms(app->loop));
    char line[120];
    if (wait > 0) {
        snprintf(line, sizeof line, _("Too many wrong PINs: locked for %d s."), wait);
        kiosk_draw_center(y + 6, COLOR_PAIR(KIOSK_PAIR_ALERT) | A_BOLD, line);
    } else if (k->pin_message == 1) {
        kiosk_draw_center(y + 6, COLOR_PAIR(KIOSK_PAIR_ALERT) | A_BOLD, _("Wrong PIN. Try again."));
    }
    kiosk_draw_center(y + 8, 0, _("Customers: press Esc or wait to go back."));
    move(y + 4, x + 17 + (int)n);
    return wait > 0 ? 0 : 1;
}

static int submit(struct ui *ui, struct app *app)
{
    char pin[UI_INPUT_MAX];
    snprintf(pin, sizeof pin, "%s", ui->input);
    ui->input[0] = 0;
    kiosk_staff_pin(app, pin);
    memset(pin, 0, sizeof pin);
    return UI_REDRAW;
}

static int leave(struct ui *ui, struct app *app)
{
    ui->input[0] = 0;
    kiosk_staff_leave(app);
    return UI_REDRAW;
}

static struct binding pin_keys[2];

static struct bindings pin_bindings(const struct app *app)
{
    pin_keys[0] = (struct binding){ '\r', 0, "Enter", CAP_("Log in"), "check the PIN", submit };
    pin_keys[1] = (struct binding){ 27, 0, "Esc", CAP_("Back"), "back to the customer's screen", leave };
    return BINDINGS(pin_keys);
}

static int pin_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int r = bindings_dispatch(pin_bindings(app), ui, app, k);
    if (r)
        return r;
    size_t n = strlen(ui->input);
    if (!k.is_key && ((k.code >= '0' && k.code <= '9') || (k.code == '*' && app->staff.enabled))) {
        if (n + 1 < sizeof ui->input && n < 20) {
            ui->input[n] = (char)k.code;
            ui->input[n + 1] = 0;
        }
        return UI_REDRAW;
    }
    if ((k.is_key && k.code == KEY_BACKSPACE) || (!k.is_key && (k.code == 127 || k.code == 8))) {
        if (n > 0)
            ui->input[n - 1] = 0;
        return UI_REDRAW;
    }
    return UI_IGNORED;
}

const struct screen screen_kiosk_pin = {
    .name = "kiosk pin",
    .draw = pin_draw,
    .key = pin_key,
    .bindings = pin_bindings,
    .full_screen = 1,
};
