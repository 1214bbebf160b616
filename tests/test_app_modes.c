/* Modes as descriptors (app/modes.c), headless on the real app and a real database: every
 * mode has one; a dialog opened over any mode returns to it (the stack), nested ones in
 * order; a scan in each mode goes where its descriptor says -- it sells, gives way to the
 * sale, goes to the mode's own input, or is refused with the cart untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "app/app_print.h"
#include "app/authorize.h"
#include "app/count_session.h"
#include "app/modes.h"
#include "app/returns.h"
#include "app/stock_lookup.h"
#include "src/config.h"
#include "src/loop.h"

#define MILK "4010433218190"
#define LAST_MODE MODE_PRICE

struct fx {
    char dir[64];
    struct config *cfg;
    struct loop *loop;
    struct app app;
};

static struct fx *open_app(int staff)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/till-modes-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char err[512], path[160];
    f->cfg = config_new();
    assert_int_equal(config_parse(f->cfg, config_demo_defaults, "demo", err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/till.db", f->dir);
    assert_int_equal(config_set(f->cfg, "paths.database", path), 0);
    snprintf(path, sizeof path, "%s/spool", f->dir);
    assert_int_equal(config_set(f->cfg, "paths.spool", path), 0);
    snprintf(path, sizeof path, "%s/sim.dev", f->dir);
    assert_int_equal(config_set(f->cfg, "payment.sim.device_file", path), 0);
    if (staff)
        assert_int_equal(config_set(f->cfg, "staff.demo", "yes"), 0);
    f->loop = loop_new();
    if (app_init(&f->app, f->cfg, f->loop, err, sizeof err))
        fail_msg("app_init: %s", err);
    return f;
}

static void close_app(struct fx *f)
{
    app_free(&f->app);
    loop_free(f->loop);
    config_free(f->cfg);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
}

static void test_every_mode_has_a_descriptor(void **state)
{
    for (int m = 0; m <= LAST_MODE; m++) {
        const struct app_mode_ops *ops = app_mode_ops(m);
        assert_non_null(ops);
        if (strcmp(ops->name, "unknown") == 0)
            fail_msg("mode %d has no descriptor", m);
        for (int n = 0; n < m; n++)
            if (strcmp(app_mode_ops(n)->name, ops->name) == 0)
                fail_msg("modes %d and %d are both '%s'", n, m, ops->name);
    }
    assert_string_equal(app_mode_ops(LAST_MODE + 1)->name, "unknown");
    assert_string_equal(app_mode_ops(-1)->name, "unknown");
}

/* A dialog over every mode returns to it; two nested ones unwind in order. */
static void test_leaving_a_mode_restores_the_one_below(void **state)
{
    struct fx *f = open_app(0);
    struct app *app = &f->app;
    for (int m = 0; m <= LAST_MODE; m++) {
        app->mode = (enum app_mode)m;
        app_mode_push(app, MODE_CONFIRM_CANCEL);
        assert_int_equal(app->mode, MODE_CONFIRM_CANCEL);
        app_mode_push(app, MODE_APPROVAL);
        assert_int_equal(app->mode, MODE_APPROVAL);
        app_mode_pop(app);
        assert_int_equal(app->mode, MODE_CONFIRM_CANCEL);
        app_mode_pop(app);
        assert_int_equal(app->mode, m);
    }
    /* nothing below: the home mode */
    app_mode_reset(app);
    app->mode = MODE_HELP;
    app_mode_pop(app);
    assert_int_equal(app->mode, MODE_SALE);
    /* deeper than the stack: the oldest is forgotten, the newest come back */
    app->mode = MODE_SALE;
    for (int i = 0; i < APP_MODE_STACK + 3; i++)
        app_mode_push(app, i % 2 ? MODE_HELP : MODE_PAY);
    for (int i = APP_MODE_STACK + 2; i > 2; i--) {
        app_mode_pop(app);
        assert_int_equal(app->mode, (i - 1) % 2 ? MODE_HELP : MODE_PAY);
    }
    close_app(f);
}

/* The real dialogs use the stack: the cancel question over the payment dialog returns to
 * it on "no"; an approval abandoned returns to the question's mode. */
static void test_dialogs_return_to_what_they_were_opened_over(void **state)
{
    struct fx *f = open_app(0);
    struct app *app = &f->app;
    assert_int_equal(app_scan(app, MILK), 0);
    app_open_mode(app, MODE_PAY);
    assert_int_equal(app->mode, MODE_PAY);
    app_open_mode(app, MODE_CONFIRM_CANCEL);
    assert_int_equal(app->mode, MODE_CONFIRM_CANCEL);
    app_command_no(app);
    assert_int_equal(app->mode, MODE_PAY);
    assert_int_equal(app->sale->cart.nlines, 1);
    close_app(f);

    f = open_app(1);
    app = &f->app;
    assert_int_equal(app_signon_submit(app, "1"), 0);
    assert_int_equal(app_signon_submit(app, "1111"), 0);
    assert_int_equal(app->mode, MODE_SALE);
    assert_int_equal(app_scan(app, MILK), 0);
    app_open_mode(app, MODE_PAY);
    app_open_mode(app, MODE_CONFIRM_CANCEL);         /* a cashier: approval first */
    assert_int_equal(app->mode, MODE_APPROVAL);
    app_approval_back(app);
    assert_int_equal(app->mode, MODE_PAY);
    close_app(f);
}

/* Where a scan goes in each mode. */
static void test_a_scan_goes_where_the_mode_says(void **state)
{
    for (int m = 0; m <= LAST_MODE; m++) {
        if (m == MODE_SIGNON || m == MODE_APPROVAL || m == MODE_KIOSK)
            continue;   /* with staff (below) or in kiosk mode (test_kiosk_flow, e2e_kiosk) */
        struct fx *f = open_app(0);
        struct app *app = &f->app;
        app->mode = (enum app_mode)m;
        int before = app->sale->cart.nlines;
        app->message[0] = 0;
        app_scan(app, MILK);
        const struct app_mode_ops *ops = app_mode_ops(m);
        switch (m) {
        case MODE_SALE:
        case MODE_SEARCH:
        case MODE_HELP:
        case MODE_RECEIPT:
            /* sells; a search or the help gives way, a receipt starts the next sale */
            assert_int_equal(app->mode, MODE_SALE);
            assert_int_equal(app->sale->cart.nlines, before + 1);
            break;
        case MODE_PRINT:
        case MODE_STOCK:
        case MODE_RETURN_FIND:
        case MODE_CASH:
        case MODE_COUNT:
            /* the mode's own: a receipt to reprint, a stock lookup, a receipt to return
             * against, a reason code, a count -- never the cart */
            assert_non_null(ops->scan);
            assert_int_equal(app->sale->cart.nlines, before);
            break;
        default:
            assert_null(ops->scan);
            assert_int_equal(app->mode, m);
            assert_int_equal(app->sale->cart.nlines, before);
            if (!strstr(app->message, "ignored: finish or close the open dialog first"))
                fail_msg("mode %s: %s", ops->name, app->message);
            break;
        }
        close_app(f);
    }
}

/* With staff: on the sign-on screen a scan is a staff badge (the id), in the approval
 * dialog the approver's id; neither is sold nor shown. */
static void test_badges_go_to_the_staff_dialogs(void **state)
{
    struct fx *f = open_app(1);
    struct app *app = &f->app;
    assert_int_equal(app->mode, MODE_SIGNON);
    assert_int_equal(app_scan(app, "1"), 0);
    assert_string_equal(app->staff.signon_id, "1");
    assert_int_equal(app_submit_input(app, "1111"), 0);
    assert_int_equal(app->mode, MODE_SALE);
    assert_int_equal(app_scan(app, MILK), 0);
    app_open_mode(app, MODE_CONFIRM_CANCEL);
    assert_int_equal(app->mode, MODE_APPROVAL);
    assert_int_equal(app_scan(app, "2"), 0);
    assert_string_equal(app->approval.approver_id, "2");
    assert_int_equal(app->sale->cart.nlines, 1);
    close_app(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_mode_has_a_descriptor),
        cmocka_unit_test(test_leaving_a_mode_restores_the_one_below),
        cmocka_unit_test(test_dialogs_return_to_what_they_were_opened_over),
        cmocka_unit_test(test_a_scan_goes_where_the_mode_says),
        cmocka_unit_test(test_badges_go_to_the_staff_dialogs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
