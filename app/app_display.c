#include "app/app_display.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "core/pole_display.h"
#include "drivers/display.h"

struct app_display {
    struct app *app;
    struct display *display;
    char welcome[64];
    enum escpos_codepage cp;
    int esc_t;
    struct pole_lines shown;
    int shown_once;
};

void app_display_lines(const struct app *app, const char *welcome, struct pole_lines *out)
{
    char a[48], b[48];
    if (app->mode == MODE_RECEIPT) {
        money_format(app->last.total, &app->s.fmt, 1, a, sizeof a);
        money_format(app->last.change, &app->s.fmt, 1, b, sizeof b);
        pole_line_pair(out, 0, "TOTAL", a);
        pole_line_pair(out, 1, "CHANGE", b);
        return;
    }
    if (cart_is_empty(&app->sale->cart)) {
        pole_line_center(out, 0, welcome);
        pole_line_center(out, 1, "");
        return;
    }
    const struct cart_line *last = NULL;
    for (int i = app->sale->cart.nlines - 1; i >= 0 && !last; i--)
        if (!app->sale->cart.lines[i].voided)
            last = &app->sale->cart.lines[i];
    if (last) {
        money_format(last->line_total, &app->s.fmt, 1, a, sizeof a);
        pole_line_pair(out, 0, last->product.name, a);
    } else {
        pole_line_pair(out, 0, "", "");
    }
    money_format(app->sale->cart.totals.total, &app->s.fmt, 1, b, sizeof b);
    pole_line_pair(out, 1, "TOTAL", b);
}

/* Before each poll: a new frame when what the display should say has changed. */
static void on_prepare(struct loop *loop, int *wait_ms, void *ctx)
{
    struct app_display *ad = ctx;
    struct pole_lines l;
    pole_lines_init(&l, ad->cp);
    app_display_lines(ad->app, ad->welcome, &l);
    if (ad->shown_once && memcmp(&l, &ad->shown, sizeof l) == 0)
        return;
    ad->shown = l;
    ad->shown_once = 1;
    struct escpos_buf b;
    escpos_buf_init(&b, ad->cp);
    pole_frame(&l, ad->esc_t, &b);
    if (!b.failed)
        display_show(ad->display, b.p, b.len);
    escpos_buf_free(&b);
}

int app_open_display(struct app *app, char *err, size_t errlen)
{
    const char *driver = config_get(app->cfg, "display.driver", "none");
    if (strcmp(driver, "none") == 0)
        return 0;
    struct app_display *ad = calloc(1, sizeof *ad);
    if (!ad) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ad->app = app;
    const char *cp = config_get(app->cfg, "display.codepage", "pc858");
    if (escpos_codepage_from_name(cp, &ad->cp, &ad->esc_t)) {
        snprintf(err, errlen, "display.codepage must be pc858, pc850, pc437 or wpc1252 (got '%s')", cp);
        free(ad);
        return -1;
    }
    snprintf(ad->welcome, sizeof ad->welcome, "%s", config_get(app->cfg, "display.welcome", app->s.store_name));
    if (display_open(driver, app->loop, app->cfg, &ad->display, err, errlen) ||
        loop_add_prepare(app->loop, on_prepare, ad)) {
        display_close(ad->display);
        free(ad);
        return -1;
    }
    app->printing.display = ad;
    return 0;
}

void app_close_display(struct app *app)
{
    struct app_display *ad = app->printing.display;
    if (!ad)
        return;
    loop_remove_prepare(app->loop, on_prepare, ad);
    display_close(ad->display);
    free(ad);
    app->printing.display = NULL;
}
