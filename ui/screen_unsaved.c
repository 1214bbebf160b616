/* A paid sale that could not be saved yet: why, that Till keeps trying, the key to try now,
 * and cancelling only by handing back what the customer paid. */
#include <curses.h>
#include <stdio.h>

#include "app/app.h"
#include "ui/screen.h"

static struct bindings unsaved_bindings(const struct app *app);

static int unsaved_draw(const struct ui *ui, const struct app *app)
{
    const struct app_unsaved *u = &app->unsaved;
    struct bindings keys = unsaved_bindings(app);
    int w = 70, h = 13 + bindings_help_count(keys), y, x;
    draw_dialog(h, w, "Sale NOT saved yet", &y, &x);
    int cx = x + 3, cw = w - 6, r = y + 2;
    char line[400], a[48];
    money_format(app->sale->cart.totals.total, &app->s.fmt, 1, a, sizeof a);
    snprintf(line, sizeof line, "The sale of %s is paid, but Till could not save it:", a);
    draw_text(r++, cx, cw, line);
    attron(COLOR_PAIR(COLOR_ERROR) | A_BOLD);
    draw_text(r++, cx, cw, u->error);
    attroff(COLOR_PAIR(COLOR_ERROR) | A_BOLD);
    r++;
    snprintf(line, sizeof line, "Till keeps trying by itself (attempt %d). Nothing is lost while", u->attempts);
    draw_text(r++, cx, cw, line);
    draw_text(r++, cx, cw, "this stays on screen: free disk space or end what holds the database.");
    r++;
    char back[300];
    app_unsaved_handback_text(app, back, sizeof back);
    if (u->confirm_cancel) {
        attron(A_BOLD);
        draw_text(r++, cx, cw, "Cancel the sale? First hand back to the customer:");
        attroff(A_BOLD);
    } else {
        draw_text(r++, cx, cw, "Paid:");
    }
    draw_text(r++, cx + 2, cw - 2, back);
    r++;
    draw_bindings_help(keys, r, cx, cw, 0);
    return 0;
}

static int try_now(struct ui *ui, struct app *app) { app_unsaved_retry(app); return UI_REDRAW; }
static int ask_cancel(struct ui *ui, struct app *app) { app_unsaved_ask_cancel(app, 1); return UI_REDRAW; }
static int keep(struct ui *ui, struct app *app) { app_unsaved_ask_cancel(app, 0); return UI_REDRAW; }
static int cancel(struct ui *ui, struct app *app) { app_unsaved_cancel(app); return UI_REDRAW; }

static const struct binding waiting_keys[] = {
    { '\r', 0, "Enter", "Try again now", "try to save the sale now", try_now },
    { KEY_F(5), 1, NULL, NULL, NULL, try_now },
    { KEY_F(8), 1, "F8", "Cancel (hand back)", "cancel the sale: hand back what was paid", ask_cancel },
};

static const struct binding confirm_keys[] = {
    { 'y', 0, "y", "Handed back: cancel", "all of it is handed back: cancel the sale", cancel },
    { 'Y', 0, NULL, NULL, NULL, cancel },
    { 'n', 0, "n/Esc", "Keep trying", "keep the sale and keep trying to save it", keep },
    { 'N', 0, NULL, NULL, NULL, keep },
    { 27, 0, NULL, NULL, NULL, keep },
};

static struct bindings unsaved_bindings(const struct app *app)
{
    return app && app->unsaved.confirm_cancel ? BINDINGS(confirm_keys) : BINDINGS(waiting_keys);
}

static int unsaved_key(struct ui *ui, struct app *app, struct ui_key k)
{
    /* every other key is swallowed: nothing may change a paid sale */
    return bindings_dispatch(unsaved_bindings(app), ui, app, k) | UI_HANDLED;
}

const struct screen screen_unsaved = {
    .name = "unsaved",
    .draw = unsaved_draw,
    .key = unsaved_key,
    .bindings = unsaved_bindings,
};
