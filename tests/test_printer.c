/* The print job engine over real sockets, files and FIFOs, in Till's loop, against the
 * test printer (tests/printer_sim.c) on loopback: a job prints once and is confirmed by
 * status; paper out is reported before a byte is sent; a refused connection, a stalled
 * printer and a connection closed mid-print fail the job without blocking the loop, and
 * the retry prints it exactly once; the drawer kick goes ahead of receipts, with or
 * without paper. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/escpos.h"
#include "drivers/printer.h"
#include "src/config.h"
#include "src/loop.h"
#include "tests/printer_sim.c"

struct seen {
    int done, ok, idle;
    char why[128];
    char status[128];
    int nstatus;
};

static void on_done(void *ctx, int ok, const char *why)
{
    struct seen *s = ctx;
    s->done++;
    s->ok = ok;
    snprintf(s->why, sizeof s->why, "%s", why);
}

static void on_status(void *ctx, const struct printer_status *st, const char *text)
{
    struct seen *s = ctx;
    snprintf(s->status, sizeof s->status, "%s", text);
    s->nstatus++;
}

static void on_idle(void *ctx)
{
    ((struct seen *)ctx)->idle++;
}

struct fixture {
    struct loop *loop;
    struct config *cfg;
    struct printer_sim sim;
    struct printer *printer;
    struct seen seen;
    struct escpos_buf job;
};

#define RUN_UNTIL(f, cond, ms)                                                \
    do {                                                                      \
        int64_t end_ = loop_now_ms((f)->loop) + (ms);                         \
        while (!(cond) && loop_now_ms((f)->loop) < end_)                      \
            loop_run_once((f)->loop, 10);                                     \
        assert_true(cond);                                                    \
    } while (0)

static int open_printer(struct fixture *f, const char *driver)
{
    char err[256];
    struct printer_events ev = { on_done, on_status, on_idle, &f->seen };
    if (printer_open(driver, f->loop, f->cfg, &ev, &f->printer, err, sizeof err)) {
        fprintf(stderr, "printer_open: %s\n", err);
        return -1;
    }
    return 0;
}

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof f);
    f.loop = loop_new();
    f.cfg = config_new();
    if (printer_sim_start(&f.sim, f.loop, 0))
        return -1;
    char port[16];
    snprintf(port, sizeof port, "%d", f.sim.port);
    if (config_set(f.cfg, "printer.tcp.host", "127.0.0.1") || config_set(f.cfg, "printer.tcp.port", port) ||
        config_set(f.cfg, "printer.timeout_ms", "800"))
        return -1;
    /* a small receipt: text, feed, cut */
    escpos_buf_init(&f.job, ESCPOS_PC858);
    escpos_initialize(&f.job);
    escpos_select_codepage(&f.job, 19);
    for (int i = 0; i < 30; i++) {
        escpos_text(&f.job, "Käse 1,99 € ............................");
        escpos_newline(&f.job);
    }
    escpos_feed(&f.job, 4);
    escpos_cut(&f.job, ESCPOS_CUT_PARTIAL);
    *state = &f;
    return open_printer(&f, "tcp");
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    printer_close(f->printer);
    printer_sim_stop(&f->sim);
    escpos_buf_free(&f->job);
    config_free(f->cfg);
    loop_free(f->loop);
    return 0;
}

static void print(struct fixture *f)
{
    int before = f->seen.done;
    assert_int_equal(printer_print(f->printer, f->job.p, f->job.len, 0), 0);
    assert_true(printer_busy(f->printer));
    RUN_UNTIL(f, f->seen.done > before, 10000);
}

static void test_prints_once_and_confirms(void **state)
{
    struct fixture *f = *state;
    print(f);
    assert_true(f->seen.ok);
    assert_int_equal(f->sim.printed, 1);
    assert_int_equal(f->sim.status_answers, 8);   /* before and after */
    assert_int_equal(f->sim.paper_len, f->job.len);
    assert_memory_equal(f->sim.paper, f->job.p, f->job.len);
    assert_string_equal(f->seen.status, "printer: ok");
    RUN_UNTIL(f, f->seen.idle > 0, 1000);
    assert_false(printer_busy(f->printer));
}

/* Paper out is found before a byte of the receipt goes out; once paper is back, the
 * same job prints. */
static void test_paper_out_then_replaced(void **state)
{
    struct fixture *f = *state;
    f->sim.paper_out = 1;
    print(f);
    assert_false(f->seen.ok);
    assert_string_equal(f->seen.why, "paper out");
    assert_string_equal(f->seen.status, "printer: paper out");
    assert_int_equal(f->sim.paper_len, 0);
    assert_int_equal(f->sim.printed, 0);
    f->sim.paper_out = 0;
    print(f);
    assert_true(f->seen.ok);
    assert_int_equal(f->sim.printed, 1);
}

static void test_refused_then_back(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(printer_sim_refuse(&f->sim, 1), 0);
    print(f);
    assert_false(f->seen.ok);
    assert_non_null(strstr(f->seen.why, "connection refused"));
    assert_int_equal(printer_sim_refuse(&f->sim, 0), 0);
    print(f);
    assert_true(f->seen.ok);
    assert_int_equal(f->sim.printed, 1);
    assert_int_equal(f->sim.partial, 0);
}

static int64_t max_gap_ms;
static int64_t last_tick_ms;
static uint64_t tick_timer;

static void on_tick(struct loop *loop, void *ctx)
{
    int64_t now = loop_now_ms(loop);
    if (last_tick_ms && now - last_tick_ms > max_gap_ms)
        max_gap_ms = now - last_tick_ms;
    last_tick_ms = now;
    tick_timer = loop_add_timer(loop, 10, on_tick, ctx);
}

/* A printer that stops reading and answering: the job times out into the caller's hands,
 * the loop keeps turning every 10 ms meanwhile, and nothing of the first attempt prints
 * once the printer wakes up (the receipt waited for the status answer). */
static void test_stall_times_out_without_blocking(void **state)
{
    struct fixture *f = *state;
    printer_sim_stall(&f->sim, 1);
    max_gap_ms = last_tick_ms = 0;
    on_tick(f->loop, NULL);
    int64_t t0 = loop_now_ms(f->loop);
    print(f);
    int64_t took = loop_now_ms(f->loop) - t0;
    loop_cancel_timer(f->loop, tick_timer);
    assert_false(f->seen.ok);
    assert_non_null(strstr(f->seen.why, "not answering"));
    assert_true(took >= 700 && took < 5000);
    assert_true(max_gap_ms < 500);
    printer_sim_stall(&f->sim, 0);
    print(f);
    assert_true(f->seen.ok);
    /* let the stalled connection's leftovers reach the printer, if any would */
    for (int i = 0; i < 20; i++)
        loop_run_once(f->loop, 10);
    assert_int_equal(f->sim.printed, 1);
    assert_int_equal(f->sim.partial, 0);
}

/* The printer hangs up in the middle of a receipt: the job fails (half a receipt is not
 * a receipt), the retry prints the whole of it once. */
static void test_closed_mid_print(void **state)
{
    struct fixture *f = *state;
    f->sim.close_after = 200;
    print(f);
    assert_false(f->seen.ok);
    assert_non_null(strstr(f->seen.why, "connection lost"));
    assert_int_equal(f->sim.printed, 0);
    assert_int_equal(f->sim.partial, 1);
    print(f);
    assert_true(f->seen.ok);
    assert_int_equal(f->sim.printed, 1);
}

/* A kick asked for while a receipt prints goes out right after it, before the next
 * receipt; with paper out the kick still goes out. */
static void test_kick_goes_first_whatever_the_paper(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(printer_print(f->printer, f->job.p, f->job.len, 0), 0);
    assert_int_equal(printer_kick(f->printer, 2, 100, 200), 0);
    assert_int_equal(printer_print(f->printer, f->job.p, f->job.len, 0), -1);  /* busy */
    RUN_UNTIL(f, f->seen.done == 1 && f->sim.kicks == 1 && !printer_busy(f->printer), 10000);
    assert_int_equal(f->sim.printed, 1);
    f->sim.paper_out = 1;
    assert_int_equal(printer_kick(f->printer, 5, 50, 100), 0);
    RUN_UNTIL(f, f->sim.kicks == 2 && !printer_busy(f->printer), 10000);
    assert_int_equal(f->seen.done, 1);   /* a kick is not a receipt */
    /* the drawer's switch, from DLE EOT 1 */
    f->sim.drawer_open = 1;
    assert_int_equal(printer_query_status(f->printer), 0);
    RUN_UNTIL(f, !printer_busy(f->printer), 10000);
    assert_true(printer_last_status(f->printer)->drawer_pin3_high);
    assert_true(printer_last_status(f->printer)->paper_out);
}

/* The file printer appends each job; a character device (a FIFO here) gets the bytes
 * as written, without status. */
static void test_file_and_device(void **state)
{
    struct fixture *f = *state;
    printer_close(f->printer);
    char dir[] = "/tmp/till-printer-XXXXXX", path[300], fifo[300];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/out.escpos", dir);
    config_set(f->cfg, "printer.file.path", path);
    assert_int_equal(open_printer(f, "file"), 0);
    print(f);
    assert_true(f->seen.ok);
    print(f);
    assert_true(f->seen.ok);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal((size_t)st.st_size, 2 * f->job.len);
    printer_close(f->printer);

    snprintf(fifo, sizeof fifo, "%s/lp0", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    int rd = open(fifo, O_RDONLY | O_NONBLOCK);
    assert_true(rd >= 0);
    config_set(f->cfg, "printer.device.path", fifo);
    assert_int_equal(open_printer(f, "device"), 0);
    assert_false(printer_reads_status(f->printer));
    print(f);
    assert_true(f->seen.ok);
    unsigned char buf[8192];
    ssize_t n = read(rd, buf, sizeof buf);
    assert_int_equal(n, (ssize_t)f->job.len);
    assert_memory_equal(buf, f->job.p, f->job.len);
    close(rd);
    printer_close(f->printer);
    config_set(f->cfg, "printer.device.path", "/nonexistent/lp9");
    assert_int_equal(open_printer(f, "device"), 0);
    print(f);
    assert_false(f->seen.ok);
    assert_non_null(strstr(f->seen.why, "not there"));
    unlink(fifo);
    unlink(path);
    rmdir(dir);
}

static void test_config_errors(void **state)
{
    struct fixture *f = *state;
    char err[256];
    struct printer *p;
    struct printer_events ev = { on_done, on_status, on_idle, &f->seen };
    assert_int_equal(printer_open("laser", f->loop, f->cfg, &ev, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown printer kind 'laser'"));
    assert_non_null(strstr(err, "tcp"));
    struct config *c = config_new();
    assert_int_equal(printer_open("tcp", f->loop, c, &ev, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "printer.tcp.host"));
    config_set(c, "printer.usb.vid_pid", "zz");
    assert_int_equal(printer_open("usb", f->loop, c, &ev, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "vid_pid"));
    config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_prints_once_and_confirms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paper_out_then_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_then_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stall_times_out_without_blocking, setup, teardown),
        cmocka_unit_test_setup_teardown(test_closed_mid_print, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kick_goes_first_whatever_the_paper, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_and_device, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
