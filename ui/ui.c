/* ncurses set-up, the stdin callback and the one place that updates the terminal. */
#include "ui/ui.h"

#include <curses.h>
#include <poll.h>
#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <wchar.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "core/wedge.h"
#include "ui/screen.h"

#define MIN_COLS 80
#define MIN_LINES 24

static const struct screen *screen_for(enum app_mode mode)
{
    switch (mode) {
    case MODE_SALE: return &screen_sale;
    case MODE_QTY:
    case MODE_WEIGHT: return &screen_prompt;
    case MODE_SEARCH: return &screen_search;
    case MODE_PAY: return &screen_payment;
    case MODE_RECEIPT: return &screen_receipt;
    case MODE_CONFIRM_CANCEL:
    case MODE_CONFIRM_QUIT: return &screen_confirm;
    case MODE_HELP: return &screen_help;
    case MODE_RECOVER: return &screen_recover;
    }
    return &screen_sale;
}

static void draw_too_small(void)
{
    erase();
    mvprintw(0, 0, "Till needs a terminal of at least %dx%d.", MIN_COLS, MIN_LINES);
    mvprintw(1, 0, "This one is %dx%d: please enlarge it.", COLS, LINES);
    mvprintw(2, 0, "(The open sale is kept.)");
}

static void draw(struct app *app)
{
    if (COLS < MIN_COLS || LINES < MIN_LINES) {
        draw_too_small();
    } else {
        erase();
        curs_set(0);
        screen_sale.draw(app);
        if (app->mode != MODE_SALE)
            screen_for(app->mode)->draw(app);
        curs_set(app->mode == MODE_SALE || app->mode == MODE_PAY || app->mode == MODE_QTY ||
                 app->mode == MODE_WEIGHT || app->mode == MODE_SEARCH);
        if (app->mode == MODE_PAY && app->pay_state != PAY_IDLE)
            curs_set(0);
    }
    wnoutrefresh(stdscr);
    doupdate();
    app->dirty = 0;
}

void ui_refresh(struct app *app)
{
    if (app->dirty)
        draw(app);
}

static void on_key(struct app *app, struct ui_key k)
{
    if (k.is_key && k.code == KEY_RESIZE) {
        app->dirty = 1;
        return;
    }
    /* Below the minimum size only quitting works; the sale stays as it is. */
    if (COLS < MIN_COLS || LINES < MIN_LINES) {
        if (keys_action_for(k) == ACT_QUIT)
            app_request_quit(app);
        return;
    }
    /* Ctrl-C works from every screen; it asks first when a sale is open. */
    if (!k.is_key && k.code == 3 && app->mode != MODE_CONFIRM_QUIT) {
        app_request_quit(app);
        app->dirty = 1;
        return;
    }
    if (screen_for(app->mode)->key(app, k) == KEY_HANDLED)
        app->dirty = 1;
}

/* Keyboard-wedge scans: printable keys are held while they may still be a scanner's
 * burst; a burst ended by Enter/Tab goes to app_scan on whatever screen is open, so a scan
 * is never typed into an unrelated field.  Anything slower is released as typing. */
static struct {
    struct wedge_config cfg;
    struct wedge_burst burst;
    uint64_t timer;
} wedge;

static void release_burst(struct app *app)
{
    const char *s = wedge.burst.text;
    size_t left = wedge.burst.len;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    while (left > 0) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, s, left, &st);
        if (n == 0 || n > left)
            break;
        on_key(app, (struct ui_key){ (wint_t)wc, 0 });
        s += n;
        left -= n;
    }
    wedge_burst_clear(&wedge.burst);
}

static void on_burst_timeout(struct loop *loop, void *ctx)
{
    wedge.timer = 0;
    release_burst(ctx);
    ui_refresh(ctx);
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
    struct app *app = ctx;
    wint_t ch;
    int rc, printables = 0;
    if (revents & (POLLHUP | POLLERR)) {
        /* the terminal went away: completed sales are already saved */
        app->quit = 1;
        loop_stop(loop);
        return;
    }
    if (wedge.timer) {
        loop_cancel_timer(loop, wedge.timer);
        wedge.timer = 0;
    }
    int64_t now = loop_now_ms(loop);
    while (!app->quit && (rc = get_wch(&ch)) != ERR) {
        struct ui_key k = { ch, rc == KEY_CODE_YES };
        if (is_printable(k)) {
            char mb[MB_LEN_MAX];
            int n = wctomb(mb, (wchar_t)k.code);
            if (wedge.burst.chars && !wedge_burst_alive(&wedge.burst, &wedge.cfg, now))
                release_burst(app);
            if (n <= 0 || wedge_burst_add(&wedge.burst, &wedge.cfg, mb, (size_t)n, now)) {
                release_burst(app);
                on_key(app, k);
            }
            printables++;
        } else if (is_scan_end(k) && wedge_burst_is_scan(&wedge.burst, &wedge.cfg, now)) {
            app_scan_burst(app, wedge.burst.text);
            wedge_burst_clear(&wedge.burst);
            app->dirty = 1;
        } else {
            release_burst(app);
            on_key(app, k);
        }
    }
    /* A single key on its own is a person typing: show it now.  More may be a scan
     * still arriving: wait one gap for the rest. */
    if (wedge.burst.chars == 1 && printables == 1)
        release_burst(app);
    else if (wedge.burst.chars)
        wedge.timer = loop_add_timer(loop, wedge.cfg.max_gap_ms, on_burst_timeout, app);
    ui_refresh(app);
}

/* Terminal, sync and USB events change state from their own callbacks: whatever they
 * changed is on screen before the loop sleeps again. */
static void on_prepare(struct loop *loop, int *wait_ms, void *ctx)
{
    (void)loop;
    (void)wait_ms;
    ui_refresh(ctx);
}

static void on_winch(struct loop *loop, int signo, void *ctx)
{
    struct app *app = ctx;
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
        resizeterm(ws.ws_row, ws.ws_col);
    app->dirty = 1;
    ui_refresh(app);
}

static void on_terminate(struct loop *loop, int signo, void *ctx)
{
    struct app *app = ctx;
    app->quit = 1;
    loop_stop(loop);
}

/* Redraws when the minute on the clock changes. */
static void on_clock(struct loop *loop, void *ctx)
{
    struct app *app = ctx;
    static time_t last_minute;
    time_t now = time(NULL);
    if (now / 60 != last_minute) {
        last_minute = now / 60;
        app->dirty = 1;
    }
    ui_refresh(app);
    loop_add_timer(loop, 1000 - (loop_now_ms(loop) % 1000), on_clock, app);
}

static void use_utf8_locale(void)
{
    const char *l = setlocale(LC_ALL, "");
    if (!l || (!strstr(l, "UTF-8") && !strstr(l, "utf8")))
        setlocale(LC_ALL, "C.UTF-8");
}

int ui_start(struct app *app, char *err, size_t errlen)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        snprintf(err, errlen, "Till needs a terminal (stdin and stdout must be a tty)");
        return -1;
    }
    use_utf8_locale();
    set_escdelay(25);
    if (!initscr()) {
        snprintf(err, errlen, "cannot initialise the terminal (is TERM set?)");
        return -1;
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
    wedge.cfg = (struct wedge_config){ app->s.wedge_max_gap_ms, app->s.wedge_min_length };
    wedge_burst_clear(&wedge.burst);
    loop_watch_fd(app->loop, STDIN_FILENO, POLLIN, on_stdin, app);
    loop_watch_signal(app->loop, SIGWINCH, on_winch, app);
    loop_watch_signal(app->loop, SIGTERM, on_terminate, app);
    loop_watch_signal(app->loop, SIGHUP, on_terminate, app);
    loop_add_timer(app->loop, 1000, on_clock, app);
    loop_add_prepare(app->loop, on_prepare, app);
    app->dirty = 1;
    ui_refresh(app);
    return 0;
}

void ui_stop(struct app *app)
{
    loop_unwatch_fd(app->loop, STDIN_FILENO);
    loop_remove_prepare(app->loop, on_prepare, app);
    endwin();
}
