/* The checkout scale at the sale, headless on the real app and a real database with the
 * simulated scale (scale.driver = sim, on a pseudo-terminal): a by-weight item waits
 * through motion and takes the stable weight; below minimum, under zero, overload, no
 * answer and unplugged are refused with the reason and the sale goes on; a typed weight is
 * refused while a scale is configured; keys are answered while the scale is silent.  Every
 * wait is for the app's state, with a generous deadline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "app/sale_session.h"
#include "src/config.h"
#include "src/loop.h"

#define MILK "4010433218190"
#define APPLES "2110010000001" /* Apples Braeburn, 2.99/kg */

struct fx {
    char dir[64];
    struct config *cfg;
    struct loop *loop;
    struct app app;
};

static struct fx *open_app(const char *script)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/till-scale-XXXXXX");
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
    assert_int_equal(config_set(f->cfg, "scale.driver", "sim"), 0);
    assert_int_equal(config_set(f->cfg, "scale.sim_script", script), 0);
    assert_int_equal(config_set(f->cfg, "scale.poll_ms", "20"), 0);
    assert_int_equal(config_set(f->cfg, "scale.timeout_ms", "300"), 0);
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

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the loop until the weighing is over (20 s at most); counts the "Weighing…" seen. */
static int wait_weighed(struct fx *f)
{
    int weighing = 0;
    int64_t end = wall_ms() + 20000;
    while (f->app.mode == MODE_WEIGHT && wall_ms() < end) {
        loop_run_once(f->loop, 100);
        weighing += strstr(f->app.message, "Weighing") != NULL;
    }
    assert_int_not_equal(f->app.mode, MODE_WEIGHT);
    return weighing;
}

static void test_motion_then_stable_weight(void **state)
{
    struct fx *f = open_app("motion/300,stable=1234");
    assert_int_equal(app_scan(&f->app, APPLES), 0);
    assert_int_equal(f->app.mode, MODE_WEIGHT);
    assert_non_null(strstr(f->app.message, "Weighing"));
    /* typing a weight is refused while the scale is configured */
    assert_int_equal(app_submit_weight(&f->app, "0.5"), -1);
    assert_non_null(strstr(f->app.message, "comes from the scale"));
    assert_int_equal(f->app.mode, MODE_WEIGHT);
    assert_true(wait_weighed(f) >= 1);
    assert_int_equal(f->app.sale->cart.nlines, 1);
    assert_int_equal(f->app.sale->cart.lines[0].qty, 1234);
    assert_int_equal(f->app.sale->cart.lines[0].line_total, 369);
    close_app(f);
}

static void test_refusals_keep_the_sale_going(void **state)
{
    static const struct { const char *script, *why; } cases[] = {
        {"below_min", "minimum"},          {"under_zero", "under zero"}, {"overload", "overloaded"},
        {"silent", "does not answer"},     {"unplug", "unplugged"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fx *f = open_app(cases[i].script);
        assert_int_equal(app_scan(&f->app, APPLES), 0);
        wait_weighed(f);
        if (!strstr(f->app.message, cases[i].why))
            fail_msg("%s: message '%s'", cases[i].script, f->app.message);
        assert_non_null(strstr(f->app.message, "not weighed"));
        assert_int_equal(f->app.sale->cart.nlines, 0);
        assert_int_equal(f->app.mode, MODE_SALE);
        /* the sale goes on */
        assert_int_equal(app_scan(&f->app, MILK), 0);
        assert_int_equal(f->app.sale->cart.nlines, 1);
        close_app(f);
    }
}

static void test_keys_never_wait_on_a_silent_scale(void **state)
{
    struct fx *f = open_app("silent");
    assert_int_equal(app_scan(&f->app, APPLES), 0);
    assert_int_equal(f->app.mode, MODE_WEIGHT);
    /* while the scale says nothing, the loop keeps turning and keys are answered at once */
    int64_t t0 = wall_ms();
    for (int i = 0; i < 5 && f->app.mode == MODE_WEIGHT; i++) {
        loop_run_once(f->loop, 20);
        assert_int_equal(app_submit_weight(&f->app, "1"), -1);
    }
    assert_true(wall_ms() - t0 < 5000);
    assert_true(loop_longest_busy_us(f->loop) < 1000000);
    wait_weighed(f);
    close_app(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_motion_then_stable_weight),
        cmocka_unit_test(test_refusals_keep_the_sale_going),
        cmocka_unit_test(test_keys_never_wait_on_a_silent_scale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
