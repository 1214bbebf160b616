/* The printer dialog (F6): what the printer says, how many receipts wait, and the
 * cashier's choices: print again now, skip the waiting receipt, reprint one (the last,
 * the number typed, or a receipt's barcode scanned: the scan reaches app_scan). */
#include <curses.h>
#include <stdio.h>

#include "app/app.h"
#include "app/app_print.h"
#include "ui/screen.h"

static struct bindings print_bindings(const struct app *app);

static int print_draw(const struct ui *ui, const struct app *app)
{
    int y, x, w = 70;
    draw_dialog(12, w, "Printer", &y, &x);
    const struct app_printing *pr = &app->printing;
    char line[160];
    draw_text(y + 2, x + 3, w - 6, pr->status[0] ? pr->status : "no printer");
    snprintf(line, sizeof line, "Waiting to be printed: %lld%s", (long long)pr->queued,
             pr->problem ? "  (the first one failed: see below)" : "");
    draw_text(y + 3, x + 3, w - 6, line);
    if (app->message[0]) {
        attron(app->message_is_error ? COLOR_PAIR(COLOR_ERROR) | A_BOLD : COLOR_PAIR(COLOR_OK));
        draw_text(y + 4, x + 3, w - 6, app->message);
        attroff(COLOR_PAIR(COLOR_ERROR) | COLOR_PAIR(COLOR_OK) | A_BOLD);
    }
    draw_bindings_help(print_bindings(app), y + 6, x + 3, w - 6, 6);
    draw_field(y + 10, x + 3, w - 6, "Receipt no.:", ui->input);
    return 1;
}

static int reprint(struct ui *ui, struct app *app)
{
    char text[UI_INPUT_MAX];
    snprintf(text, sizeof text, "%s", ui->input);
    ui->input[0] = 0;
    app_print_submit(app, text);
    return UI_REDRAW;
}

static int retry(struct ui *ui, struct app *app) { app_print_retry(app); return UI_REDRAW; }
static int skip(struct ui *ui, struct app *app) { app_print_skip(app); return UI_REDRAW; }

static int close_dialog(struct ui *ui, struct app *app)
{
    app_close_dialog(app);
    return UI_REDRAW;
}

static const struct binding print_keys[] = {
    { '\r', 0, "Enter", "Reprint", "reprint the last receipt, or the number typed (or scan one)", reprint },
    { 'r', 0, "R", "Retry", "print the waiting receipt again now", retry },
    { 'R', 0, NULL, NULL, NULL, retry },
    { 's', 0, "S", "Skip", "skip the waiting receipt (it is not printed)", skip },
    { 'S', 0, NULL, NULL, NULL, skip },
    { 27, 0, "Esc", "Close", "close", close_dialog },
};

static struct bindings print_bindings(const struct app *app)
{
    return BINDINGS(print_keys);
}

/* Digits go to the receipt number; everything else is a binding or nothing. */
static int print_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int r = bindings_dispatch(print_bindings(app), ui, app, k);
    if (r)
        return r;
    if (k.is_key ? k.code != KEY_BACKSPACE : k.code >= 32 && k.code != 127 && (k.code < '0' || k.code > '9'))
        return UI_IGNORED;
    return field_edit(ui->input, sizeof ui->input, k);
}

const struct screen screen_print = {
    .name = "print",
    .draw = print_draw,
    .key = print_key,
    .bindings = print_bindings,
};
