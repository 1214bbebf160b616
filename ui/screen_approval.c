/* The override dialog (app/authorize.h): someone allowed approves with staff id and PIN. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/authorize.h"
#include "ui/screen.h"

static struct bindings approval_bindings(const struct app *app);

static int approval_draw(const struct ui *ui, const struct app *app)
{
    int y, x, w = 66;
    draw_dialog(9, w, "Approval needed", &y, &x);
    char line[256];
    snprintf(line, sizeof line, "%s may not: %s", app->staff.who.name, app->approval.what);
    draw_text(y + 1, x + 3, w - 6, line);
    char hint[128];
    bindings_hint_line(approval_bindings(app), hint, sizeof hint);
    draw_text(y + 6, x + 3, w - 6, hint);
    if (!app->approval.approver_id[0]) {
        draw_field(y + 3, x + 3, w - 6, "Approver's staff id:", ui->input);
        return 1;
    }
    char label[STAFF_NAME_MAX + STAFF_ID_MAX + 16], masked[UI_INPUT_MAX];
    size_t n = strlen(ui->input);
    memset(masked, '*', n);
    masked[n] = 0;
    if (app->approval.approver_name[0])
        snprintf(label, sizeof label, "PIN for %s (%s):", app->approval.approver_name,
                 app->approval.approver_id);
    else
        snprintf(label, sizeof label, "PIN for %s:", app->approval.approver_id);
    draw_field(y + 3, x + 3, w - 6, label, masked);
    return 1;
}

static int submit(struct ui *ui, struct app *app)
{
    char text[UI_INPUT_MAX];
    snprintf(text, sizeof text, "%s", ui->input);
    memset(ui->input, 0, sizeof ui->input);
    app_approval_submit(app, text);
    memset(text, 0, sizeof text);
    return UI_REDRAW;
}

static int back(struct ui *ui, struct app *app)
{
    memset(ui->input, 0, sizeof ui->input);
    app_approval_back(app);
    return UI_REDRAW;
}

static const struct binding approval_keys[] = {
    { '\r', 0, "Enter", "Next", NULL, submit },
    { 27, 0, "Esc", "Back", NULL, back },
};

static struct bindings approval_bindings(const struct app *app)
{
    return BINDINGS(approval_keys);
}

static int approval_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int r = bindings_dispatch(approval_bindings(app), ui, app, k);
    if (r || k.is_key)
        return r;
    return field_edit(ui->input, sizeof ui->input, k);
}

const struct screen screen_approval = {
    .name = "approval",
    .draw = approval_draw,
    .key = approval_key,
    .bindings = approval_bindings,
};
