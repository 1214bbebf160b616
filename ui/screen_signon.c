/* Sign-on (and the locked screen): staff id, then PIN, shown as stars.  A staff badge
 * scanned here goes to the same field (app_scan). */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "ui/screen.h"

static struct bindings signon_bindings(const struct app *app);

static void stars(const char *s, char *out, size_t len)
{
    size_t n = strlen(s);
    if (n >= len)
        n = len - 1;
    memset(out, '*', n);
    out[n] = 0;
}

static int signon_draw(const struct ui *ui, const struct app *app)
{
    int y, x, w = 74;
    draw_dialog(9, w, "Sign on", &y, &x);
    char line[128];
    snprintf(line, sizeof line, "%s  Till %s", app->s.store_name, app->s.terminal_id);
    draw_text(y + 1, x + 3, w - 6, line);
    attron(A_DIM);
    draw_text(y + 5, x + 3, w - 6, app->staff.hint[0] ? app->staff.hint : "Ask a manager if you have no staff id.");
    attroff(A_DIM);
    char hint[128];
    bindings_hint_line(signon_bindings(app), hint, sizeof hint);
    draw_text(y + 7, x + 3, w - 6, hint);
    if (!app->staff.signon_id[0]) {
        draw_field(y + 3, x + 3, w - 6, "Staff id:", ui->input);
        return 1;
    }
    char label[STAFF_NAME_MAX + STAFF_ID_MAX + 16], masked[UI_INPUT_MAX];
    if (app->staff.signon_name[0])
        snprintf(label, sizeof label, "PIN for %s (%s):", app->staff.signon_name, app->staff.signon_id);
    else
        snprintf(label, sizeof label, "PIN for %s:", app->staff.signon_id);
    stars(ui->input, masked, sizeof masked);
    draw_field(y + 3, x + 3, w - 6, label, masked);
    return 1;
}

static int submit(struct ui *ui, struct app *app)
{
    char text[UI_INPUT_MAX];
    snprintf(text, sizeof text, "%s", ui->input);
    /* the PIN leaves the input line at once */
    memset(ui->input, 0, sizeof ui->input);
    app_signon_submit(app, text);
    memset(text, 0, sizeof text);
    return UI_REDRAW;
}

static int back(struct ui *ui, struct app *app)
{
    memset(ui->input, 0, sizeof ui->input);
    app_signon_back(app);
    return UI_REDRAW;
}

static int quit(struct ui *ui, struct app *app)
{
    return app_request_quit(app) ? UI_QUIT : UI_REDRAW;
}

static const struct binding signon_keys[] = {
    { '\r', 0, "Enter", "Next", NULL, submit },
    { 27, 0, "Esc", "Back", NULL, back },
    { KEY_F(10), 1, "F10", "Quit", NULL, quit },
};

static struct bindings signon_bindings(const struct app *app)
{
    return BINDINGS(signon_keys);
}

static int signon_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int r = bindings_dispatch(signon_bindings(app), ui, app, k);
    if (r || k.is_key)
        return r;
    return field_edit(ui->input, sizeof ui->input, k);
}

const struct screen screen_signon = {
    .name = "signon",
    .draw = signon_draw,
    .key = signon_key,
    .bindings = signon_bindings,
};
