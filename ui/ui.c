/* ncurses set-up, the stdin callback and the one place that updates the terminal. */
#include "ui/ui.h"

#include <curses.h>
#include <poll.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "src/app.h"
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

static void on_stdin(struct loop *loop, int fd, short revents, void *ctx)
{
    struct app *app = ctx;
    wint_t ch;
    int rc;
    if (revents & (POLLHUP | POLLERR)) {
        /* the terminal went away: completed sales are already saved */
        app->quit = 1;
        loop_stop(loop);
        return;
    }
    while ((rc = get_wch(&ch)) != ERR) {
        on_key(app, (struct ui_key){ ch, rc == KEY_CODE_YES });
        if (app->quit)
            break;
    }
    ui_refresh(app);
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
    loop_watch_fd(app->loop, STDIN_FILENO, POLLIN, on_stdin, app);
    loop_watch_signal(app->loop, SIGWINCH, on_winch, app);
    loop_watch_signal(app->loop, SIGTERM, on_terminate, app);
    loop_watch_signal(app->loop, SIGHUP, on_terminate, app);
    loop_add_timer(app->loop, 1000, on_clock, app);
    app->dirty = 1;
    ui_refresh(app);
    return 0;
}

void ui_stop(struct app *app)
{
    loop_unwatch_fd(app->loop, STDIN_FILENO);
    endwin();
}
