/* Parking: a label for the sale set aside (MODE_PARK), and the list of parked sales to
 * resume (MODE_RESUME). */
#include <curses.h>
#include <stdio.h>
#include <time.h>

#include "app/app.h"
#include "ui/screen.h"

static struct bindings park_bindings(const struct app *app);

static int draw_label(const struct ui *ui, const struct app *app)
{
    int y, x, w = 60;
    draw_dialog(7, w, "Park sale", &y, &x);
    char hint[128];
    bindings_hint_line(park_bindings(app), hint, sizeof hint);
    draw_text(y + 4, x + 3, w - 6, hint);
    draw_field(y + 2, x + 3, w - 6, "Label:", ui->input);
    return 1;
}

static int draw_list(const struct ui *ui, const struct app *app)
{
    const struct app_park *p = &app->park;
    int w = 66, h = p->n + 6, y, x;
    draw_dialog(h, w, "Parked sales", &y, &x);
    for (int i = 0; i < p->n; i++) {
        const struct parked_info *s = &p->list[i];
        char when[16], total[48], line[160];
        time_t t = (time_t)s->parked_at;
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(when, sizeof when, "%H:%M", &tm);
        money_format(s->total, &app->s.fmt, 1, total, sizeof total);
        snprintf(line, sizeof line, "%3lld  %-20.20s %s  %lld items%s", (long long)s->id, s->label, when,
                 (long long)s->items, app_park_is_old(app, s) ? "  OLD" : "");
        if (i == p->sel)
            attron(COLOR_PAIR(COLOR_SELECTED));
        mvhline(y + 2 + i, x + 2, ' ', w - 4);
        draw_text(y + 2 + i, x + 3, w - 20, line);
        draw_text_right(y + 2 + i, x + w - 3, total);
        if (i == p->sel)
            attroff(COLOR_PAIR(COLOR_SELECTED));
    }
    char hint[128];
    bindings_hint_line(park_bindings(app), hint, sizeof hint);
    draw_text(y + h - 2, x + 3, w - 6, hint);
    return 0;
}

static int park_draw(const struct ui *ui, const struct app *app)
{
    return app->mode == MODE_PARK ? draw_label(ui, app) : draw_list(ui, app);
}

static int park(struct ui *ui, struct app *app)
{
    char text[UI_INPUT_MAX];
    snprintf(text, sizeof text, "%s", ui->input);
    ui->input[0] = 0;
    app_park(app, text);
    return UI_REDRAW;
}

static int resume(struct ui *ui, struct app *app) { app_resume_selected(app); return UI_REDRAW; }
static int up(struct ui *ui, struct app *app) { app_park_select(app, -1); return UI_REDRAW; }
static int down(struct ui *ui, struct app *app) { app_park_select(app, +1); return UI_REDRAW; }
static int back(struct ui *ui, struct app *app) { app_dialog_cancel(app); return UI_REDRAW; }

static const struct binding label_keys[] = {
    { '\r', 0, "Enter", "Park", NULL, park },
    { 27, 0, "Esc", "Back", NULL, back },
};

static const struct binding list_keys[] = {
    { '\r', 0, "Enter", "Resume", NULL, resume },
    { KEY_UP, 1, "Up/Down", "Select", NULL, up },
    { KEY_DOWN, 1, NULL, NULL, NULL, down },
    { 27, 0, "Esc", "Back", NULL, back },
};

static struct bindings park_bindings(const struct app *app)
{
    return app && app->mode == MODE_RESUME ? BINDINGS(list_keys) : BINDINGS(label_keys);
}

static int park_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int r = bindings_dispatch(park_bindings(app), ui, app, k);
    if (r || k.is_key || app->mode == MODE_RESUME)
        return r;
    return field_edit(ui->input, sizeof ui->input, k);
}

const struct screen screen_park = {
    .name = "park",
    .draw = park_draw,
    .key = park_key,
    .bindings = park_bindings,
};
