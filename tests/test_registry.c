/* The one driver registry: every kind is found by its config name, unknown names and kinds
 * are refused with the known names, and each driver's header carries its kind, version and
 * private size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/drawer.h"
#include "drivers/payment_terminal.h"
#include "drivers/registry.h"
#include "drivers/scanner.h"
#include "src/config.h"
#include "src/loop.h"

static void test_every_kind_is_found_by_name(void **state)
{
    char err[256];
    const struct driver_header *h = driver_find(DRIVER_TERMINAL, "sim", err, sizeof err);
    assert_non_null(h);
    assert_ptr_equal(h, &terminal_sim_ops.drv);
    assert_int_equal(h->kind, DRIVER_TERMINAL);
    assert_true(h->priv_size > 0);
    assert_non_null(driver_find(DRIVER_TERMINAL, "zvt", err, sizeof err));
    assert_ptr_equal(driver_find(DRIVER_SCANNER, "usb", err, sizeof err), &scanner_usb_ops.drv);
    assert_ptr_equal(driver_find(DRIVER_DRAWER, "sim", err, sizeof err), &drawer_sim_ops.drv);
}

static void test_unknown_names_list_the_known_ones(void **state)
{
    char err[256];
    assert_null(driver_find(DRIVER_TERMINAL, "ingenico", err, sizeof err));
    assert_non_null(strstr(err, "unknown payment terminal kind 'ingenico'"));
    assert_non_null(strstr(err, "sim, zvt"));
    /* a name of another kind is not found under this one */
    assert_null(driver_find(DRIVER_SCANNER, "zvt", err, sizeof err));
    assert_non_null(strstr(err, "known: usb"));
    assert_null(driver_find(DRIVER_DRAWER, "usb", err, sizeof err));
    assert_non_null(strstr(err, "known: sim"));
}

static void on_status(void *ctx, const char *text)
{
    (void)ctx;
    (void)text;
}

static void on_done(void *ctx, const struct pt_outcome *o)
{
    *(int *)ctx = o->result == PT_APPROVED ? 1 : 2;
}

/* A simulated terminal named other than "sim" gets its own device memory by default
 * (it used to get none unless its section was literally [payment.sim]). */
static void test_sim_terminal_default_device_file_per_name(void **state)
{
    char dir[] = "/tmp/till-registry-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char db[300], expect[340], err[256];
    snprintf(db, sizeof db, "%s/till.db", dir);
    struct config *cfg = config_new();
    struct loop *loop = loop_new();
    assert_non_null(cfg);
    assert_non_null(loop);
    assert_int_equal(config_set(cfg, "paths.database", db), 0);
    assert_int_equal(config_set(cfg, "payment.spare.latency_ms", "0"), 0);
    int done = 0;
    struct pt_events ev = { on_status, on_done, &done };
    struct payment_terminal *t = NULL;
    assert_int_equal(payment_terminal_open("sim", loop, cfg, "payment.spare", &ev, &t, err, sizeof err), 0);
    assert_int_equal(payment_terminal_purchase(t, 100, "ref-1"), 0);
    for (int i = 0; i < 1000 && !done; i++)
        loop_run_once(loop, 100);
    assert_int_equal(done, 1);
    payment_terminal_close(t);
    snprintf(expect, sizeof expect, "%s.spare.sim-terminal", db);
    assert_int_equal(access(expect, F_OK), 0);
    unlink(expect);
    rmdir(dir);
    loop_free(loop);
    config_free(cfg);
}

/* driver_open, the part of opening that every kind shares: the driver found, the kind's
 * handle and the driver's state allocated zeroed; an unknown name allocates nothing. */
static void test_driver_open_allocates_handle_and_state(void **state)
{
    char err[256] = "";
    const struct driver_header *h = NULL;
    void *handle = NULL, *priv = NULL;
    assert_int_equal(driver_open(DRIVER_DRAWER, "sim", 48, &h, &handle, &priv, err, sizeof err), 0);
    assert_ptr_equal(h, &drawer_sim_ops.drv);
    assert_non_null(handle);
    assert_non_null(priv);
    static const char zero[48];
    assert_memory_equal(handle, zero, sizeof zero);
    driver_free(handle, priv);
    handle = priv = NULL;
    assert_int_equal(driver_open(DRIVER_DRAWER, "usb", 48, &h, &handle, &priv, err, sizeof err), -1);
    assert_null(handle);
    assert_null(priv);
    assert_non_null(strstr(err, "unknown drawer kind 'usb'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind_is_found_by_name),
        cmocka_unit_test(test_driver_open_allocates_handle_and_state),
        cmocka_unit_test(test_unknown_names_list_the_known_ones),
        cmocka_unit_test(test_sim_terminal_default_device_file_per_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
