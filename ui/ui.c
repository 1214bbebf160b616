/* ncurses set-up, the stdin callback and the one place that updates the terminal. */
#include "ui/ui.h"

#include <curses.h>
#include <poll.h>
#include <limits.h>
#include <stdlib.h>
#include <wchar.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "core/barcode.h"
#include "core/wedge.h"
#include "src/config.h"
#include "src/i18n.h"
#include "ui/screen.h"

#define MIN_COLS 80
#define MIN_LINES 24

/* The one table from app modes to screens. */
static const struct screen *const mode_screens[] = {
    [MODE_SALE] = &screen_sale,
    [MODE_QTY] = &screen_prompt,
    [MODE_WEIGHT] = &screen_prompt,
    [MODE_SEARCH] = &screen_search,
    [MODE_PAY] = &screen_payment,
    [MODE_RECEIPT] = &screen_receipt,
    [MODE_CONFIRM_CANCEL] = &screen_confirm,
    [MODE_CONFIRM_QUIT] = &screen_confirm,
    [MODE_HELP] = &screen_help,
    [MODE_RECOVER] = &screen_recover,
    [MODE_PRINT] = &screen_print,
    [MODE_COUNT_START] = &screen_count_start,
    [MODE_COUNT] = &screen_count,
    [MODE_COUNT_REPORT] = &screen_count_report,
    [MODE_UNSAVED] = &screen_unsaved,
    [MODE_CONFIRM_LARGE] = &screen_confirm,
    [MODE_RETURN_FIND] = &screen_return,
    [MODE_RETURN] = &screen_return,
    [MODE_DISCOUNT] = &screen_discount,
    [MODE_OVERRIDE] = &screen_override,
    [MODE_PARK] = &screen_park,
    [MODE_RESUME] = &screen_park,
    [MODE_KIOSK] = &screen_kiosk,
    [MODE_SIGNON] = &screen_signon,
    [MODE_APPROVAL] = &screen_approval,
    [MODE_MANAGER] = &screen_manager,
    [MODE_OPEN_SHIFT] = &screen_cash,
    [MODE_CASH] = &screen_cash,
    [MODE_Z_COUNT] = &screen_cash,
    [MODE_REPORT] = &screen_report,
    [MODE_STOCK] = &screen_stock,
    [MODE_CUSTOMER] = &screen_customer,
    [MODE_AGE_CHECK] = &screen_age,
    [MODE_PRICE] = &screen_prompt,
};

const struct screen *screen_for_mode(enum app_mode mode)
{
    if ((size_t)mode < sizeof mode_screens / sizeof mode_screens[0] && mode_screens[mode])
        return mode_screens[mode];
    return &screen_sale;
}

/* The app changed mode (a key, a terminal's answer, a scan): the screen it left lets go,
 * the one it entered starts with an empty field. */
static void sync_screen(struct ui *ui)
{
    struct app *app = ui->app;
    if (ui->screen && app->mode == ui->mode)
        return;
    if (ui->screen && ui->screen->leave)
        ui->screen->leave(ui, app);
    ui->mode = app->mode;
    ui->screen = screen_for_mode(app->mode);
    ui->input[0] = 0;
    if (ui->screen->enter)
        ui->screen->enter(ui, app);
    ui->dirty = 1;
}

static void stop(struct ui *ui)
{
    ui->quit = 1;
    loop_stop(ui->app->loop);
}

static int too_small(void)
{
    return COLS < MIN_COLS || LINES < MIN_LINES;
}

static void draw_too_small(void)
{
    erase();
    mvprintw(0, 0, "Till needs a terminal of at least %dx%d.", MIN_COLS, MIN_LINES);
    mvprintw(1, 0, "This one is %dx%d: please enlarge it.", COLS, LINES);
    mvprintw(2, 0, "(The open sale is kept.)");
}

/* The bottom line: the keys that work on the active screen, from its bindings. */
static void draw_footer(const struct ui *ui)
{
    char buf[256];
    bindings_footer(ui->screen->bindings(ui->app), buf, sizeof buf);
    if (!buf[0])
        snprintf(buf, sizeof buf, "Please wait...");   /* no key works until it is done */
    attron(COLOR_PAIR(COLOR_HEADER));
    mvhline(LINES - 1, 0, ' ', COLS);
    draw_text_fit(LINES - 1, 1, COLS - 2, buf, "  ");   /* whole keys: never "F10 Q" */
    attroff(COLOR_PAIR(COLOR_HEADER));
}

/* The one place that updates the terminal. */
static void draw(struct ui *ui)
{
    const struct app *app = ui->app;
    if (too_small()) {
        draw_too_small();
    } else {
        erase();
        curs_set(0);
        draw_footer(ui);
        /* the sale stays visible under every dialog */
        int cursor = ui->screen->full_screen ? 0 : screen_sale.draw(ui, app);
        if (ui->screen != &screen_sale)
            cursor = ui->screen->draw(ui, app);
        curs_set(cursor);
    }
    wnoutrefresh(stdscr);
    doupdate();
    ui->dirty = 0;
}

/* A cashier not looking at the screen hears (or sees from the corner of an eye) that
 * something was refused: once per new error message. */
static void alert_on_error(struct ui *ui)
{
    const struct app *app = ui->app;
    if (app->errors == ui->errors_alerted)
        return;
    ui->errors_alerted = app->errors;
    if (app->s.alert == ALERT_BELL)
        beep();
    else if (app->s.alert == ALERT_FLASH)
        flash();
}

static void refresh_if_changed(struct ui *ui)
{
    if (ui->app->quit && !ui->quit)
        stop(ui);
    sync_screen(ui);
    alert_on_error(ui);
    if (app_take_dirty(ui->app) | ui->dirty)
        draw(ui);
}

static int is_ctrl_c(struct ui_key k)
{
    return !k.is_key && k.code == 3;
}

static void request_quit(struct ui *ui)
{
    if (app_request_quit(ui->app))
        stop(ui);
    ui->dirty = 1;
}

static void on_key(struct ui *ui, struct ui_key k)
{
    struct app *app = ui->app;
    app_note_activity(app);
    if (k.is_key && k.code == KEY_RESIZE) {
        if (ui->screen->resize)
            ui->screen->resize(ui, app);
        ui->dirty = 1;
        return;
    }
    /* Below the minimum size only quitting works; the sale stays as it is. */
    if (too_small()) {
        if (is_ctrl_c(k) || (k.is_key && k.code == KEY_F(10)))
            request_quit(ui);
        return;
    }
    /* Ctrl-C works from every screen; it asks first when a sale is open. */
    if (is_ctrl_c(k) && app->mode != MODE_CONFIRM_QUIT) {
        request_quit(ui);
        sync_screen(ui);
        return;
    }
    int r = ui->screen->key(ui, app, k);
    if (r & UI_QUIT)
        stop(ui);
    if (r & (UI_HANDLED | UI_REDRAW))
        ui->dirty = 1;
    sync_screen(ui);
}

/* Keyboard-wedge scans: printable keys are held while they may still be a scanner's
 * burst; a burst ended by Enter/Tab goes to app_scan on whatever screen is open, so a scan
 * is never typed into an unrelated field.  Anything slower is released as typing. */
static void release_burst(struct ui *ui)
{
    const char *s = ui->wedge.burst.text;
    size_t left = ui->wedge.burst.len;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    while (left > 0) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, s, left, &st);
        if (n == 0 || n > left)
            break;
        on_key(ui, (struct ui_key){ (wint_t)wc, 0 });
        s += n;
        left -= n;
    }
    wedge_burst_clear(&ui->wedge.burst);
}

/* A product code as a scanner reads it: 8, 12, 13 or 14 digits ending in their GS1 check
 * digit (EAN-8, UPC-A, EAN-13, GTIN-14). */
static int looks_like_gtin(const char *code)
{
    size_t n = strlen(code);
    if (n != 8 && n != 12 && n != 13 && n != 14)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (code[i] < '0' || code[i] > '9')
            return 0;
    return barcode_gs1_check_digit(code, n) == code[n - 1] - '0';
}

/* A dialog that expects typed input (its mode takes no scans: a quantity, a weight, a
 * price, an amount, a PIN) takes a fast burst as typing: a weight typed quickly lands in
 * the weight field.  Only a product code there is still a scan, refused with a message, so
 * a barcode never becomes an amount.  The sale screen, the kiosk and the dialogs that take
 * scans (search, count, returns, stock lookup, sign-on) treat every burst as a scan. */
static int burst_is_typing(const struct ui *ui, const char *code)
{
    const struct app *app = ui->app;
    if (app->kiosk || app_mode_ops(app->mode)->scan)
        return 0;
    return !looks_like_gtin(code);
}

/* On the sale and count screens a scan completes what is typed (so "3*" by hand, then a
 * scan, sells or counts three); anywhere else it is a scan on its own. */
static void scan_burst(struct ui *ui, const char *code)
{
    struct app *app = ui->app;
    size_t typed = strlen(ui->input);
    if ((ui->screen == &screen_sale || ui->screen == &screen_count) &&
        typed + strlen(code) < sizeof ui->input) {
        char text[2 * UI_INPUT_MAX];
        snprintf(text, sizeof text, "%s%s", ui->input, code);
        ui->input[0] = 0;
        app_submit_input(app, text);
    } else {
        app_scan(app, code);
    }
    ui->dirty = 1;
    sync_screen(ui);
}

static void on_burst_timeout(struct loop *loop, void *ctx)
{
    struct ui *ui = ctx;
    ui->wedge.timer = 0;
    release_burst(ui);
    refresh_if_changed(ui);
}

static int is_printable(struct ui_key k)
{
    return !k.is_key && k.code >= 32 && k.code != 127;
}

static int is_scan_end(struct ui_key k)
{
    return key_is_enter(k) || (!k.is_key && k.code == '\t');
}

static void on_stdin(struct loop *loop, int fd, short revents, void *ctx)
{
    struct ui *ui = ctx;
    wint_t ch;
    int rc, printables = 0;
    if (revents & (POLLHUP | POLLERR)) {
        /* the terminal went away: completed sales are already saved */
        stop(ui);
        return;
    }
    if (ui->wedge.timer) {
        loop_cancel_timer(loop, ui->wedge.timer);
        ui->wedge.timer = 0;
    }
    int64_t now = loop_now_ms(loop);
    const struct wedge_config *cfg = &ui->wedge.cfg;
    struct wedge_burst *burst = &ui->wedge.burst;
    while (!ui->quit && (rc = get_wch(&ch)) != ERR) {
        struct ui_key k = { ch, rc == KEY_CODE_YES };
        if (is_printable(k)) {
            char mb[MB_LEN_MAX];
            int n = wctomb(mb, (wchar_t)k.code);
            if (burst->chars && !wedge_burst_alive(burst, cfg, now))
                release_burst(ui);
            if (n <= 0 || wedge_burst_add(burst, cfg, mb, (size_t)n, now)) {
                release_burst(ui);
                on_key(ui, k);
            }
            printables++;
        } else if (is_scan_end(k) && wedge_burst_is_scan(burst, cfg, now) &&
                   !burst_is_typing(ui, burst->text)) {
            char code[sizeof burst->text];
            snprintf(code, sizeof code, "%s", burst->text);
            wedge_burst_clear(burst);
            scan_burst(ui, code);
        } else {
            release_burst(ui);
            on_key(ui, k);
        }
    }
    /* A single key on its own is a person typing: show it now.  More may be a scan
     * still arriving: wait one gap for the rest. */
    if (burst->chars == 1 && printables == 1)
        release_burst(ui);
    else if (burst->chars)
        ui->wedge.timer = loop_add_timer(loop, cfg->max_gap_ms, on_burst_timeout, ui);
    refresh_if_changed(ui);
}

/* Terminal, sync and USB events change state from their own callbacks: whatever they
 * changed is on screen before the loop sleeps again. */
static void on_prepare(struct loop *loop, int *wait_ms, void *ctx)
{
    refresh_if_changed(ctx);
}

static void on_winch(struct loop *loop, int signo, void *ctx)
{
    struct ui *ui = ctx;
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
        resizeterm(ws.ws_row, ws.ws_col);
    if (ui->screen->resize)
        ui->screen->resize(ui, ui->app);
    ui->dirty = 1;
    refresh_if_changed(ui);
}

static void on_terminate(struct loop *loop, int signo, void *ctx)
{
    stop(ctx);
}

/* Redraws when the minute on the clock changes. */
static void on_clock(struct loop *loop, void *ctx)
{
    struct ui *ui = ctx;
    long minute = (long)(time(NULL) / 60);
    if (minute != ui->last_minute) {
        ui->last_minute = minute;
        ui->dirty = 1;
    }
    refresh_if_changed(ui);
    loop_add_timer(loop, 1000 - (loop_now_ms(loop) % 1000), on_clock, ui);
}

int ui_check_config(const struct config *cfg, char *err, size_t errlen)
{
    return ui_rebind_sale_keys(config_get(cfg, "keys.sale", ""), err, errlen);
}

struct ui *ui_start(struct app *app, char *err, size_t errlen)
{
    if (ui_rebind_sale_keys(config_get(app->cfg, "keys.sale", ""), err, errlen))
        return NULL;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        snprintf(err, errlen, "Till needs a terminal (stdin and stdout must be a tty)");
        return NULL;
    }
    struct ui *ui = calloc(1, sizeof *ui);
    if (!ui) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ui->app = app;
    /* UTF-8 for the screen; LC_MESSAGES off "C" for the kiosk's languages */
    i18n_setlocale();
    /* No wait after an Esc: curses waits ESCDELAY inside get_wch, in the key callback, so
     * any delay would hold the loop and every lone Esc.  A terminal writes a function key's
     * whole sequence at once, and ssh or telnet carry one write in one packet: a slow link
     * delays the sequence, it does not split it, and a sequence that arrived together is
     * still parsed as its key with no delay.  An Esc typed before a key stays two keys. */
    set_escdelay(0);
    if (!initscr()) {
        snprintf(err, errlen, "cannot initialise the terminal (is TERM set?)");
        free(ui);
        return NULL;
    }
    raw();      /* Ctrl-C arrives as a key: it asks before dropping an open sale */
    noecho();
    nonl();     /* Enter arrives as CR, as scanners send it */
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    if (has_colors()) {
        start_color();
        use_default_colors();
        init_pair(COLOR_HEADER, COLOR_WHITE, COLOR_BLUE);
        init_pair(COLOR_ERROR, COLOR_RED, -1);
        init_pair(COLOR_OK, COLOR_GREEN, -1);
        init_pair(COLOR_SELECTED, COLOR_BLACK, COLOR_CYAN);
        init_pair(COLOR_DIALOG, -1, -1);
        init_pair(COLOR_TOTAL, COLOR_YELLOW, -1);
    }
    ui->wedge.cfg = (struct wedge_config){ app->s.wedge_max_gap_ms, app->s.wedge_min_length };
    wedge_burst_clear(&ui->wedge.burst);
    loop_watch_fd(app->loop, STDIN_FILENO, POLLIN, on_stdin, ui);
    loop_watch_signal(app->loop, SIGWINCH, on_winch, ui);
    loop_watch_signal(app->loop, SIGTERM, on_terminate, ui);
    loop_watch_signal(app->loop, SIGHUP, on_terminate, ui);
    loop_add_timer(app->loop, 1000, on_clock, ui);
    loop_add_prepare(app->loop, on_prepare, ui);
    sync_screen(ui);
    ui->dirty = 1;
    refresh_if_changed(ui);
    return ui;
}

void ui_stop(struct ui *ui)
{
    if (!ui)
        return;
    struct loop *loop = ui->app->loop;
    loop_unwatch_fd(loop, STDIN_FILENO);
    loop_remove_prepare(loop, on_prepare, ui);
    if (ui->wedge.timer)
        loop_cancel_timer(loop, ui->wedge.timer);
    endwin();
    free(ui);
}
