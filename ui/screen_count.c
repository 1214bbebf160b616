/* The counting screen: the item just counted in large type (readable at arm's length from
 * a shelf), the running list with counts (and expected and variance when the count is not
 * blind), the input line, the footer.  Goods in (a delivery) uses it the same way. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "ui/screen.h"

void count_qty_text(const struct app *app, enum unit unit, int64_t qty, char *buf, size_t len)
{
    if (money_format_qty(qty, unit == UNIT_KG, &app->s.fmt, buf, len) < 0)
        snprintf(buf, len, "?");
}

void count_draw_header(const struct app *app, const char *title)
{
    char left[200], right[96], clock[16];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(clock, sizeof clock, "%H:%M", &tm);
    const struct app_sync *st = &app->sync;
    snprintf(left, sizeof left, " %s | %s | Till %s", title, app->s.store_name, app->s.terminal_id);
    snprintf(right, sizeof right, "%s | %s ", !st->configured ? "standalone" : st->online ? "online" : "OFFLINE",
             clock);
    attron(COLOR_PAIR(COLOR_HEADER) | A_BOLD);
    mvhline(0, 0, ' ', COLS);
    draw_text(0, 0, COLS - text_columns(right) - 1, left);
    draw_text_right(0, COLS, right);
    attroff(COLOR_PAIR(COLOR_HEADER) | A_BOLD);
}

void count_draw_help(struct bindings b, const char *title)
{
    int n = bindings_help_count(b), y, x, w = COLS - 4 < 78 ? COLS - 4 : 78;
    draw_dialog(n + 4, w, title, &y, &x);
    draw_bindings_help(b, y + 1, x + 2, w - 4, 9);
    attron(A_BOLD);
    draw_text(y + n + 2, x + 2, w - 4, "Any key closes this help.");
    attroff(A_BOLD);
}

int count_help_key(struct ui *ui)
{
    if (!ui->show_help)
        return UI_IGNORED;
    ui->show_help = 0;
    return UI_HANDLED | UI_REDRAW;
}

/* A 3x5 font for figures; each dot is two full blocks wide (the terminal is UTF-8: ui.c
 * sets the locale), so the count reads from a shelf's distance. */
static const char *glyph(char c)
{
    switch (c) {
    case '0': return "###" "# #" "# #" "# #" "###";
    case '1': return " # " "## " " # " " # " "###";
    case '2': return "###" "  #" "###" "#  " "###";
    case '3': return "###" "  #" "###" "  #" "###";
    case '4': return "# #" "# #" "###" "  #" "  #";
    case '5': return "###" "#  " "###" "  #" "###";
    case '6': return "###" "#  " "###" "# #" "###";
    case '7': return "###" "  #" "  #" "  #" "  #";
    case '8': return "###" "# #" "###" "# #" "###";
    case '9': return "###" "# #" "###" "  #" "###";
    case ',': return "   " "   " "   " " # " "#  ";
    case '.': return "   " "   " "   " "   " " # ";
    case '-': return "   " "   " "###" "   " "   ";
    default: return NULL;
    }
}

static int big_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        if (glyph(*s))
            w += 7;
    return w;
}

static void draw_big(int y, int x, const char *s)
{
    attron(A_BOLD | COLOR_PAIR(COLOR_TOTAL));
    for (; *s; s++) {
        const char *g = glyph(*s);
        if (!g)
            continue;
        for (int r = 0; r < 5; r++)
            for (int c = 0; c < 3; c++)
                if (g[r * 3 + c] == '#')
                    mvaddstr(y + r, x + c * 2, "\xe2\x96\x88\xe2\x96\x88");
        x += 7;
    }
    attroff(A_BOLD | COLOR_PAIR(COLOR_TOTAL));
}

/* The item the last entry touched (or the one selected), large. */
static void draw_focus(const struct app *app, int y)
{
    const struct count_session *c = &app->count;
    if (c->selected < 0 || c->selected >= c->tally.n) {
        attron(A_DIM);
        if (c->info.receiving)
            mvprintw(y + 1, 2, "Scan the first item delivered into %s.", c->info.zone);
        else
            mvprintw(y + 1, 2, "Scan the first item of zone %s.", c->info.zone);
        mvprintw(y + 2, 2, "Each scan counts one; 12* then a scan counts twelve.");
        char kg[32];
        money_format_qty(750, 1, &app->s.fmt, kg, sizeof kg);
        mvprintw(y + 3, 2, "A weighed item: its scale label, or %s* then a scan.", kg);
        attroff(A_DIM);
        return;
    }
    const struct count_item *it = &c->tally.items[c->selected];
    char q[32];
    count_qty_text(app, it->unit, it->counted, q, sizeof q);
    int bw = big_width(q);
    int bx = COLS - bw - 1;
    int name_w = bx - 4;
    attron(A_BOLD);
    draw_text(y + 1, 2, name_w, it->name);
    attroff(A_BOLD);
    char line[160];
    snprintf(line, sizeof line, "%s%s", it->sku[0] ? it->sku : "unknown barcode ", it->sku[0] ? "" : it->barcode);
    draw_text(y + 2, 2, name_w, line);
    if (it->unit == UNIT_KG)
        draw_text(y + 3, 2, name_w, "counted in kg");
    if (!c->info.blind && it->sku[0]) {
        struct count_variance v;
        char e[32], d[32];
        if (count_item_variance(it, 0, &v) == 0) {
            count_qty_text(app, it->unit, v.expected, e, sizeof e);
            count_qty_text(app, it->unit, v.difference, d, sizeof d);
            snprintf(line, sizeof line, "expected %s  variance %s%s", it->has_expected ? e : "-",
                     v.difference > 0 ? "+" : "", d);
            draw_text(y + 4, 2, name_w, line);
        }
    }
    if (bx > 2)
        draw_big(y, bx, q);
}

static void draw_item(const struct app *app, int y, int i)
{
    const struct count_session *c = &app->count;
    const struct count_item *it = &c->tally.items[i];
    char q[32], e[32], d[32], name[160];
    count_qty_text(app, it->unit, it->counted, q, sizeof q);
    snprintf(name, sizeof name, "%s%s", it->sku[0] ? "" : "UNKNOWN ", it->sku[0] ? it->name : it->barcode);
    int sel = i == c->selected;
    if (sel)
        attron(COLOR_PAIR(COLOR_SELECTED));
    else if (!it->sku[0])
        attron(COLOR_PAIR(COLOR_ERROR));
    mvhline(y, 0, ' ', COLS);
    mvprintw(y, 0, "%4d ", i + 1);
    int open = !c->info.blind;
    draw_text(y, 5, COLS - 5 - (open ? 40 : 16), name);
    if (it->unit == UNIT_KG)
        strncat(q, " kg", sizeof q - strlen(q) - 1);
    attron(A_BOLD);
    draw_text_right(y, open ? COLS - 26 : COLS - 2, q);
    attroff(A_BOLD);
    if (open && it->sku[0]) {
        struct count_variance v;
        if (count_item_variance(it, 0, &v) == 0) {
            count_qty_text(app, it->unit, v.expected, e, sizeof e);
            count_qty_text(app, it->unit, v.difference, d, sizeof d);
            draw_text_right(y, COLS - 14, it->has_expected ? e : "-");
            char dd[40];
            snprintf(dd, sizeof dd, "%s%s", v.difference > 0 ? "+" : "", d);
            draw_text_right(y, COLS - 2, dd);
        }
    }
    attroff(COLOR_PAIR(COLOR_SELECTED) | COLOR_PAIR(COLOR_ERROR));
}

static struct bindings count_bindings(const struct app *app);

/* F8's question: nothing is given up by a slip of the finger. */
static void draw_abandon(const struct app *app)
{
    const struct count_session *c = &app->count;
    int y, x, w = COLS - 4 < 70 ? COLS - 4 : 70;
    char line[200], hint[128];
    draw_dialog(8, w, c->info.receiving ? "Abandon goods in" : "Abandon count", &y, &x);
    snprintf(line, sizeof line, "Abandon %s %s of %s (%lld entries)?", c->info.receiving ? "goods in" : "count",
             c->info.id, c->info.zone, (long long)c->tally.entries);
    draw_text(y + 2, x + 3, w - 6, line);
    draw_text(y + 3, x + 3, w - 6, "Nothing is sent to the store server; the entries are kept for the record.");
    bindings_hint_line(count_bindings(app), hint, sizeof hint);
    attron(A_BOLD);
    draw_text(y + 5, x + 3, w - 6, hint);
    attroff(A_BOLD);
}

static int count_draw(const struct ui *ui, const struct app *app)
{
    const struct count_session *c = &app->count;
    char title[120];
    if (c->info.receiving)
        snprintf(title, sizeof title, "GOODS IN %s | Into %s", c->info.id, c->info.zone);
    else
        snprintf(title, sizeof title, "STOCK COUNT %s | Zone %s%s", c->info.id, c->info.zone,
                 c->info.blind ? " | BLIND" : "");
    count_draw_header(app, title);
    draw_focus(app, 1);
    mvhline(6, 0, ACS_HLINE, COLS);
    attron(A_BOLD);
    mvprintw(7, 0, "   # Item");
    if (c->info.blind) {
        draw_text_right(7, COLS - 2, c->info.receiving ? "Received" : "Counted");
    } else {
        draw_text_right(7, COLS - 26, "Counted");
        draw_text_right(7, COLS - 14, "Expected");
        draw_text_right(7, COLS - 2, "Variance");
    }
    attroff(A_BOLD);
    int top = 8, rows = LINES - 4 - top;
    int counted = 0, unknown = 0;
    while (counted < c->tally.n && c->tally.items[counted].counted_ever)
        counted++;
    for (int i = 0; i < counted; i++)
        unknown += !c->tally.items[i].sku[0];
    int focus = c->selected >= 0 ? c->selected : counted - 1, first = 0;
    if (focus >= rows)
        first = focus - rows + 1;
    for (int i = first; i < counted && i - first < rows; i++)
        draw_item(app, top + i - first, i);
    if (first > 0)
        mvprintw(top, COLS - 12, "^ %d more", first);
    if (app->message[0]) {
        attron(app->message_is_error ? COLOR_PAIR(COLOR_ERROR) | A_BOLD : COLOR_PAIR(COLOR_OK));
        draw_text(LINES - 4, 1, COLS - 2, app->message);
        attroff(COLOR_PAIR(COLOR_ERROR) | COLOR_PAIR(COLOR_OK) | A_BOLD);
    }
    char status[200];
    snprintf(status, sizeof status, "Items %d  Unknown codes %d  Entries %lld (each saved as made)  Queued: %lld",
             counted - unknown, unknown, (long long)c->tally.entries, (long long)app->sync.queued);
    attron(A_DIM);
    draw_text(LINES - 2, 1, COLS - 2, status);
    attroff(A_DIM);
    char label[64];
    if (c->pending_qty) {
        char q[32];
        count_qty_text(app, UNIT_KG, c->pending_qty, q, sizeof q);
        snprintf(label, sizeof label, "Scan (x%s):", q);
    } else {
        snprintf(label, sizeof label, "Scan or type a barcode:");
    }
    if (ui->show_help) {
        count_draw_help(screen_count.bindings(app), "Counting: keys");
        return 0;
    }
    if (c->confirm_abandon) {
        draw_abandon(app);
        return 0;
    }
    draw_field(LINES - 3, 1, COLS - 2, label, ui->input);
    return 1;
}

static void count_enter(struct ui *ui, struct app *app)
{
    ui->show_help = 0;
}

static int open_help(struct ui *ui, struct app *app) { ui->show_help = 1; return UI_REDRAW; }

static int set_qty(struct ui *ui, struct app *app)
{
    char text[UI_INPUT_MAX];
    snprintf(text, sizeof text, "%s", ui->input);
    if (app_count_set_selected(app, text) == 0)
        ui->input[0] = 0;
    return UI_REDRAW;
}

static int undo(struct ui *ui, struct app *app) { app_count_undo(app); return UI_REDRAW; }
static int ask_abandon(struct ui *ui, struct app *app) { app_count_ask_abandon(app, 1); return UI_REDRAW; }
static int abandon(struct ui *ui, struct app *app) { app_count_abandon(app); return UI_REDRAW; }
static int keep(struct ui *ui, struct app *app) { app_count_ask_abandon(app, 0); return UI_REDRAW; }
static int finish(struct ui *ui, struct app *app) { app_count_finish(app); return UI_REDRAW; }
static int pause_count(struct ui *ui, struct app *app) { app_count_leave(app); return UI_REDRAW; }
static int up(struct ui *ui, struct app *app) { app_count_select(app, -1); return UI_REDRAW; }
static int down(struct ui *ui, struct app *app) { app_count_select(app, +1); return UI_REDRAW; }

static int submit(struct ui *ui, struct app *app)
{
    char text[UI_INPUT_MAX];
    snprintf(text, sizeof text, "%s", ui->input);
    ui->input[0] = 0;
    app_count_submit_input(app, text);
    return UI_REDRAW;
}

static int clear_input(struct ui *ui, struct app *app)
{
    ui->input[0] = 0;
    app_count_clear_pending(app);
    return UI_REDRAW;
}

static const struct binding count_keys[] = {
    { KEY_F(1), 1, "F1", "Help", NULL, open_help },
    { KEY_F(2), 1, "F2", "Set qty", "set the selected item's count to the number typed", set_qty },
    { KEY_F(3), 1, "F3", "Undo", "take back the last entry (scan, keyed quantity or set)", undo },
    { KEY_F(8), 1, "F8", "Abandon", "give the count up (asks first; nothing is sent, the entries are kept)", ask_abandon },
    { KEY_F(9), 1, "F9", "Finish", "finish: the variance report, then submit", finish },
    { KEY_F(10), 1, "F10", "Pause", "pause: back to selling; the count stays saved (F9 there resumes it)", pause_count },
    { '\r', 0, "Enter", NULL, "count what is typed (a barcode, or 12*BARCODE)", submit },
    { KEY_UP, 1, "Up/Down", NULL, "select an item (F2 sets its count)", up },
    { KEY_DOWN, 1, NULL, NULL, NULL, down },
    { 27, 0, "Esc", NULL, "clear the input line", clear_input },
};

static const struct binding abandon_keys[] = {
    { 'y', 0, "y", "Yes, abandon it", NULL, abandon },
    { 'Y', 0, NULL, NULL, NULL, abandon },
    { 'n', 0, "n/Esc", "No, keep counting", NULL, keep },
    { 'N', 0, NULL, NULL, NULL, keep },
    { 27, 0, NULL, NULL, NULL, keep },
};

static struct bindings count_bindings(const struct app *app)
{
    return app->count.confirm_abandon ? BINDINGS(abandon_keys) : BINDINGS(count_keys);
}

static int count_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int r = count_help_key(ui);
    if (r)
        return r;
    r = bindings_dispatch(count_bindings(app), ui, app, k);
    if (r || app->count.confirm_abandon)
        return r;   /* the question takes only its answers */
    return field_edit(ui->input, sizeof ui->input, k);
}

const struct screen screen_count = {
    .name = "count",
    .enter = count_enter,
    .draw = count_draw,
    .key = count_key,
    .bindings = count_bindings,
    .full_screen = 1,
};
