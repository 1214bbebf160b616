/* Count mode's first screen: start a count of a zone (blind or open) or goods in (a
 * delivery scanned into a zone), or resume one of the open ones of this till. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "ui/screen.h"

static int start_draw(const struct ui *ui, const struct app *app)
{
    const struct count_session *c = &app->count;
    count_draw_header(app, "STOCK COUNT");
    int y = 2;
    attron(A_BOLD);
    mvprintw(y++, 2, "Start a count");
    attroff(A_BOLD);
    draw_text(y++, 2, COLS - 4, "Type a zone's number or name and press Enter (nothing: the full store);");
    draw_text(y++, 2, COLS - 4, "F7 instead scans a delivery in (goods in: its items are added to stock).");
    for (int i = 0; i < c->nzones && y < LINES - 10; i++) {
        char line[120];
        snprintf(line, sizeof line, "%3d  %s%s", i + 1, c->zones[i], i == 0 ? "  (full store)" : "");
        draw_text(y++, 2, COLS - 4, line);
    }
    y++;
    attron(A_BOLD);
    draw_text(y++, 2, COLS - 4, c->new_blind ? "New counts are BLIND: expected quantities hidden while counting"
                                             : "New counts are OPEN: expected quantities shown while counting");
    attroff(A_BOLD);
    y++;
    if (c->nopen) {
        attron(A_BOLD);
        draw_text(y++, 2, COLS - 4, "Open counts and deliveries on this till (Up/Down, F5 resumes):");
        attroff(A_BOLD);
        for (int i = 0; i < c->nopen && y < LINES - 5; i++) {
            const struct stock_count_info *o = &c->open[i];
            char when[32], line[200];
            time_t t = (time_t)o->started_at;
            struct tm tm;
            localtime_r(&t, &tm);
            strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
            snprintf(line, sizeof line, "%s  %-8s %-12s started %s  %lld entries%s", o->id,
                     o->receiving ? "goods in" : "count", o->zone, when, (long long)o->entries,
                     !o->receiving && o->blind ? "  blind" : "");
            if (i == ui->result_sel)
                attron(COLOR_PAIR(COLOR_SELECTED));
            mvhline(y, 2, ' ', COLS - 4);
            draw_text(y++, 4, COLS - 6, line);
            attroff(COLOR_PAIR(COLOR_SELECTED));
        }
    } else {
        attron(A_DIM);
        draw_text(y++, 2, COLS - 4, "No open count on this till.");
        attroff(A_DIM);
    }
    if (app->message[0]) {
        attron(app->message_is_error ? COLOR_PAIR(COLOR_ERROR) | A_BOLD : COLOR_PAIR(COLOR_OK));
        draw_text(LINES - 4, 1, COLS - 2, app->message);
        attroff(COLOR_PAIR(COLOR_ERROR) | COLOR_PAIR(COLOR_OK) | A_BOLD);
    }
    if (ui->show_help) {
        count_draw_help(screen_count_start.bindings(app), "Stock count: keys");
        return 0;
    }
    draw_field(LINES - 3, 1, COLS - 2, "Zone:", ui->input);
    return 1;
}

static void start_enter(struct ui *ui, struct app *app)
{
    ui->show_help = 0;
    ui->result_sel = 0;
}

static int open_help(struct ui *ui, struct app *app) { ui->show_help = 1; return UI_REDRAW; }

static int start(struct ui *ui, struct app *app)
{
    char text[UI_INPUT_MAX];
    snprintf(text, sizeof text, "%s", ui->input);
    if (app_count_start(app, text) == 0)
        ui->input[0] = 0;
    return UI_REDRAW;
}

static int receive(struct ui *ui, struct app *app)
{
    char text[UI_INPUT_MAX];
    snprintf(text, sizeof text, "%s", ui->input);
    if (app_count_start_receiving(app, text) == 0)
        ui->input[0] = 0;
    return UI_REDRAW;
}

static int resume(struct ui *ui, struct app *app)
{
    app_count_resume(app, ui->result_sel);
    return UI_REDRAW;
}

static int toggle_blind(struct ui *ui, struct app *app) { app_count_toggle_blind(app); return UI_REDRAW; }
static int back(struct ui *ui, struct app *app) { app_count_leave(app); return UI_REDRAW; }

static int move_sel(struct ui *ui, const struct app *app, int d)
{
    int s = ui->result_sel + d;
    if (s >= 0 && s < app->count.nopen)
        ui->result_sel = s;
    return UI_REDRAW;
}

static int up(struct ui *ui, struct app *app) { return move_sel(ui, app, -1); }
static int down(struct ui *ui, struct app *app) { return move_sel(ui, app, +1); }

static const struct binding start_keys[] = {
    { KEY_F(1), 1, "F1", "Help", NULL, open_help },
    { '\r', 0, "Enter", "Start", "start a count of the zone typed (nothing: the full store)", start },
    { KEY_F(5), 1, "F5", "Resume", "resume the open count selected (Up/Down)", resume },
    { KEY_F(6), 1, "F6", "Blind/Open", "new counts blind (expected hidden) or open", toggle_blind },
    { KEY_F(7), 1, "F7", "Goods in", "scan a delivery into the zone typed (nothing: the store): adds to stock", receive },
    { KEY_UP, 1, "Up/Down", NULL, "select an open count", up },
    { KEY_DOWN, 1, NULL, NULL, NULL, down },
    { 27, 0, "Esc", "Back", "back to selling", back },
    { KEY_F(10), 1, NULL, NULL, NULL, back },
};

static struct bindings start_bindings(const struct app *app)
{
    return BINDINGS(start_keys);
}

static int start_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int r = count_help_key(ui);
    if (r)
        return r;
    r = bindings_dispatch(start_bindings(app), ui, app, k);
    if (r)
        return r;
    return field_edit(ui->input, sizeof ui->input, k);
}

const struct screen screen_count_start = {
    .name = "count_start",
    .enter = start_enter,
    .draw = start_draw,
    .key = start_key,
    .bindings = start_bindings,
    .full_screen = 1,
};
