/* The serial scale drivers (dialog06, ncr, opened through the registry) against the
 * simulated scale device on a pseudo-terminal: a stable weight, motion then a stable
 * weight, below minimum, under zero, overload, no answer, garbage, the checksum dialogue,
 * unplugged; and the sim driver.  Every wait is for a reading, with a generous deadline. */
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

#include "drivers/registry.h"
#include "drivers/scale.h"
#include "drivers/scale_simdev.h"
#include "src/config.h"
#include "src/loop.h"

struct got {
    int finals, motions, empties;
    struct scale_reading last;
};

static void on_reading(void *ctx, const struct scale_reading *r)
{
    struct got *g = ctx;
    if (r->final) {
        g->finals++;
        g->last = *r;
    } else if (r->state == SCALE_EMPTY) {
        g->empties++;
    } else {
        g->motions++;
    }
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the loop until the weighing ends (20 s at most: a deadline, not a pause). */
static void wait_final(struct loop *loop, struct got *g)
{
    int64_t end = wall_ms() + 20000;
    while (!g->finals && wall_ms() < end)
        loop_run_once(loop, 100);
    assert_int_equal(g->finals, 1);
}

struct rig {
    struct loop *loop;
    struct config *cfg;
    struct scale_simdev *dev;
    struct scale *scale;
};

static void rig_open(struct rig *r, const char *kind, enum scale_proto proto, const char *script,
                     const char *extra_key, const char *extra_value)
{
    char err[256], slave[128];
    r->loop = loop_new();
    r->cfg = config_new();
    assert_non_null(r->loop);
    r->dev = scale_simdev_open(r->loop, proto, script, slave, sizeof slave, err, sizeof err);
    assert_non_null(r->dev);
    assert_int_equal(config_set(r->cfg, "scale.device", slave), 0);
    assert_int_equal(config_set(r->cfg, "scale.timeout_ms", "300"), 0);
    assert_int_equal(config_set(r->cfg, "scale.poll_ms", "20"), 0);
    if (extra_key)
        assert_int_equal(config_set(r->cfg, extra_key, extra_value), 0);
    int rc = scale_open(kind, r->loop, r->cfg, "scale", &r->scale, err, sizeof err);
    if (rc)
        fail_msg("%s", err);
}

static void rig_close(struct rig *r)
{
    scale_close(r->scale);
    scale_simdev_close(r->dev);
    config_free(r->cfg);
    loop_free(r->loop);
}

static struct got weigh(struct rig *r, int64_t price, int64_t tare)
{
    struct got g;
    memset(&g, 0, sizeof g);
    assert_int_equal(scale_weigh(r->scale, price, tare, NULL, on_reading, &g), 0);
    wait_final(r->loop, &g);
    return g;
}

static void set_script(struct rig *r, const char *script)
{
    char err[128];
    assert_int_equal(scale_simdev_script(r->dev, script, err, sizeof err), 0);
}

static void test_dialog06_stable_weight(void **state)
{
    struct rig r;
    rig_open(&r, "dialog06", SCALE_PROTO_DIALOG06, "stable=1234", NULL, NULL);
    struct got g = weigh(&r, 299, 15);
    assert_int_equal(g.last.state, SCALE_STABLE);
    assert_int_equal(g.last.weight_g, 1234);
    assert_int_equal(g.last.amount, 369);  /* the scale's own amount: 1.234 kg x 2.99 */
    struct scale_simdev_stats st;
    scale_simdev_stats(r.dev, &st);
    assert_int_equal(st.prices, 1);
    assert_int_equal(st.last_price, 299);
    assert_int_equal(st.last_tare, 15);
    assert_int_equal(st.garbage_in, 0);
    /* busy while weighing */
    struct got g2 = {0};
    assert_int_equal(scale_weigh(r.scale, 299, 0, NULL, on_reading, &g2), 0);
    assert_int_equal(scale_weigh(r.scale, 299, 0, NULL, on_reading, &g2), -1);
    wait_final(r.loop, &g2);
    char text[256];
    scale_status(r.scale, text, sizeof text);
    assert_non_null(strstr(text, "dialog06 on /dev/pts/"));
    rig_close(&r);
}

static void test_dialog06_motion_then_stable(void **state)
{
    struct rig r;
    rig_open(&r, "dialog06", SCALE_PROTO_DIALOG06, "motion/300,stable=500", NULL, NULL);
    struct got g = weigh(&r, 1000, 0);
    assert_true(g.motions >= 1);
    assert_int_equal(g.last.state, SCALE_STABLE);
    assert_int_equal(g.last.weight_g, 500);
    assert_int_equal(g.last.amount, 500);
    rig_close(&r);
}

static void test_dialog06_refusals(void **state)
{
    static const struct { const char *script; enum scale_state st; const char *text; } cases[] = {
        {"below_min", SCALE_BELOW_MIN, "minimum"},
        {"under_zero", SCALE_UNDER_ZERO, "under zero"},
        {"overload", SCALE_OVERLOAD, "overloaded"},
        {"silent", SCALE_NO_ANSWER, "does not answer"},
        {"garbage", SCALE_NO_ANSWER, "does not answer"},
    };
    struct rig r;
    rig_open(&r, "dialog06", SCALE_PROTO_DIALOG06, "stable=1", NULL, NULL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        set_script(&r, cases[i].script);
        struct got g = weigh(&r, 299, 0);
        assert_int_equal(g.last.state, cases[i].st);
        assert_non_null(strstr(g.last.text, cases[i].text));
    }
    /* and it weighs again once the scale answers */
    set_script(&r, "stable=250");
    struct got g = weigh(&r, 299, 0);
    assert_int_equal(g.last.state, SCALE_STABLE);
    assert_int_equal(g.last.weight_g, 250);
    rig_close(&r);
}

static void test_dialog06_checksum_dialogue(void **state)
{
    /* the till's table is the simulated scale's: it answers, and the weighing goes on */
    char path[] = "/tmp/till-scale-table-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    uint8_t table[256][D06_CHECKSUM_LEN];
    scale_simdev_default_table(table);
    for (int i = 0; i < 256; i++)
        fprintf(f, "%.16s\n", (const char *)table[i]);
    fclose(f);
    struct rig r;
    rig_open(&r, "dialog06", SCALE_PROTO_DIALOG06, "checksum,stable=800", "scale.checksum_table", path);
    struct got g = weigh(&r, 199, 0);
    assert_int_equal(g.last.state, SCALE_STABLE);
    assert_int_equal(g.last.weight_g, 800);
    struct scale_simdev_stats st;
    scale_simdev_stats(r.dev, &st);
    assert_int_equal(st.checksums_ok, 1);
    assert_int_equal(st.prices, 2);  /* the price again after the checksum */
    rig_close(&r);
    /* a wrong table: the scale says no, the weighing ends */
    table[0x2A][0] ^= 1;
    f = fopen(path, "w");
    for (int i = 0; i < 256; i++)
        fprintf(f, "%.16s\n", (const char *)table[i]);
    fclose(f);
    rig_open(&r, "dialog06", SCALE_PROTO_DIALOG06, "checksum,stable=800", "scale.checksum_table", path);
    g = weigh(&r, 199, 0);
    assert_int_equal(g.last.state, SCALE_FAILED);
    rig_close(&r);
    /* no table: a clear message */
    rig_open(&r, "dialog06", SCALE_PROTO_DIALOG06, "checksum,stable=800", NULL, NULL);
    g = weigh(&r, 199, 0);
    assert_int_equal(g.last.state, SCALE_FAILED);
    assert_non_null(strstr(g.last.text, "checksum_table"));
    rig_close(&r);
    unlink(path);
}

static void test_unplugged(void **state)
{
    struct rig r;
    rig_open(&r, "dialog06", SCALE_PROTO_DIALOG06, "unplug", NULL, NULL);
    struct got g = weigh(&r, 299, 0);
    assert_int_equal(g.last.state, SCALE_UNPLUGGED);
    assert_non_null(strstr(g.last.text, "unplugged"));
    /* still gone at the next weighing: said at once */
    g = weigh(&r, 299, 0);
    assert_int_equal(g.last.state, SCALE_UNPLUGGED);
    rig_close(&r);
}

static void test_ncr(void **state)
{
    struct rig r;
    rig_open(&r, "ncr", SCALE_PROTO_NCR, "empty/100,motion/200,stable=1234", "scale.min_g", "40");
    struct got g = weigh(&r, 299, 0);
    assert_true(g.motions >= 1);
    assert_true(g.empties >= 1);
    assert_int_equal(g.last.state, SCALE_STABLE);
    assert_int_equal(g.last.weight_g, 1234);
    static const struct { const char *script; enum scale_state st; } cases[] = {
        {"below_min", SCALE_BELOW_MIN}, {"under_zero", SCALE_UNDER_ZERO}, {"overload", SCALE_OVERLOAD},
        {"silent", SCALE_NO_ANSWER},    {"garbage", SCALE_NO_ANSWER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        set_script(&r, cases[i].script);
        g = weigh(&r, 299, 0);
        assert_int_equal(g.last.state, cases[i].st);
    }
    set_script(&r, "unplug");
    g = weigh(&r, 299, 0);
    assert_int_equal(g.last.state, SCALE_UNPLUGGED);
    rig_close(&r);
}

static void test_sim_driver(void **state)
{
    struct loop *loop = loop_new();
    struct config *cfg = config_new();
    assert_int_equal(config_set(cfg, "scale.sim_script", "motion/100,stable=321"), 0);
    assert_int_equal(config_set(cfg, "scale.poll_ms", "20"), 0);
    char err[256];
    struct scale *s;
    assert_int_equal(scale_open("sim", loop, cfg, "scale", &s, err, sizeof err), 0);
    struct got g = {0};
    assert_int_equal(scale_weigh(s, 500, 0, "Apples", on_reading, &g), 0);
    wait_final(loop, &g);
    assert_int_equal(g.last.state, SCALE_STABLE);
    assert_int_equal(g.last.weight_g, 321);
    assert_int_equal(g.last.amount, 161);
    scale_close(s);
    /* bad config is refused at open, with the key */
    assert_int_equal(config_set(cfg, "scale.format", "9X9"), 0);
    assert_int_equal(scale_open("sim", loop, cfg, "scale", &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "scale.format"));
    assert_int_equal(scale_open("nosuch", loop, cfg, "scale", &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "dialog06, ncr, sim"));
    config_free(cfg);
    loop_free(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dialog06_stable_weight),
        cmocka_unit_test(test_dialog06_motion_then_stable),
        cmocka_unit_test(test_dialog06_refusals),
        cmocka_unit_test(test_dialog06_checksum_dialogue),
        cmocka_unit_test(test_unplugged),
        cmocka_unit_test(test_ncr),
        cmocka_unit_test(test_sim_driver),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
