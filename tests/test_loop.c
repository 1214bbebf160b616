/* The event loop: fds, timers (ordering, cancel, added from callbacks), signals, prepare. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "src/loop.h"
#include "core/wedge.h"

static char order[16];
static int norder;

static void mark(struct loop *loop, void *ctx)
{
    order[norder++] = *(const char *)ctx;
    if (norder == 3)
        loop_stop(loop);
}

static void test_timers_fire_in_order_and_cancel(void **state)
{
    struct loop *l = loop_new();
    norder = 0;
    loop_add_timer(l, 30, mark, "c");
    loop_add_timer(l, 10, mark, "a");
    uint64_t x = loop_add_timer(l, 15, mark, "x");
    loop_add_timer(l, 20, mark, "b");
    loop_cancel_timer(l, x);
    loop_run(l);
    assert_memory_equal(order, "abc", 3);
    loop_free(l);
}

struct pipe_ctx {
    int reads;
    char got[8];
};

static void on_read(struct loop *loop, int fd, short rev, void *ctx)
{
    struct pipe_ctx *p = ctx;
    ssize_t n = read(fd, p->got, sizeof p->got);
    assert_true(n > 0);
    p->reads++;
    loop_unwatch_fd(loop, fd); /* unwatching inside a callback is safe */
    loop_stop(loop);
}

static void test_fd_callback_and_unwatch(void **state)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    struct loop *l = loop_new();
    struct pipe_ctx p = { 0 };
    loop_watch_fd(l, fds[0], POLLIN, on_read, &p);
    assert_int_equal(write(fds[1], "hi", 2), 2);
    loop_run(l);
    assert_int_equal(p.reads, 1);
    assert_memory_equal(p.got, "hi", 2);
    /* unwatched: more data does not call back */
    assert_int_equal(write(fds[1], "x", 1), 1);
    assert_int_equal(loop_run_once(l, 20), 0);
    assert_int_equal(p.reads, 1);
    loop_free(l);
    close(fds[0]);
    close(fds[1]);
}

static int got_signal;
static void on_signal(struct loop *loop, int signo, void *ctx)
{
    got_signal = signo;
    loop_stop(loop);
}

static void test_signal_through_loop(void **state)
{
    struct loop *l = loop_new();
    assert_int_equal(loop_watch_signal(l, SIGUSR1, on_signal, NULL), 0);
    kill(getpid(), SIGUSR1);
    loop_run(l);
    assert_int_equal(got_signal, SIGUSR1);
    loop_free(l);
}

static void shorten(struct loop *loop, int *wait_ms, void *ctx)
{
    (*(int *)ctx)++;
    if (*wait_ms < 0 || *wait_ms > 5)
        *wait_ms = 5;
}

static void test_prepare_shortens_wait(void **state)
{
    struct loop *l = loop_new();
    int calls = 0;
    loop_add_prepare(l, shorten, &calls);
    int64_t t0 = loop_now_ms(l);
    assert_int_equal(loop_run_once(l, 1000), 0);
    assert_true(loop_now_ms(l) - t0 < 500);
    assert_int_equal(calls, 1);
    loop_remove_prepare(l, shorten, &calls);
    loop_free(l);
}

/* A timer that reschedules itself at 0 ms (a sync slice) must not starve a ready fd:
 * the key is read after one slice, not after all of them. */
struct busy_ctx {
    int slices, slices_at_key;
};

static void busy_slice(struct loop *loop, void *ctx)
{
    struct busy_ctx *b = ctx;
    if (++b->slices < 1000)
        loop_add_timer(loop, 0, busy_slice, b);
}

static void on_key(struct loop *loop, int fd, short rev, void *ctx)
{
    struct busy_ctx *b = ctx;
    char c;
    assert_int_equal(read(fd, &c, 1), 1);
    b->slices_at_key = b->slices;
    loop_unwatch_fd(loop, fd);
}

static void test_rescheduled_timer_lets_fd_in(void **state)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    struct loop *l = loop_new();
    struct busy_ctx b = { 0, -1 };
    loop_add_timer(l, 0, busy_slice, &b);
    loop_watch_fd(l, fds[0], POLLIN, on_key, &b);
    assert_int_equal(write(fds[1], "k", 1), 1);
    for (int i = 0; i < 3; i++)
        assert_int_equal(loop_run_once(l, 100), 0);
    assert_true(b.slices_at_key >= 0 && b.slices_at_key <= 2);
    assert_true(b.slices <= 3);
    assert_true(loop_longest_busy_us(l) >= 0);
    loop_free(l);
    close(fds[0]);
    close(fds[1]);
}

static void test_wedge_classifier(void **state)
{
    struct wedge_config cfg = { 50, 4 };
    struct wedge_burst b;
    wedge_burst_clear(&b);
    const char *code = "4010433218190";
    for (int i = 0; code[i]; i++)
        assert_int_equal(wedge_burst_add(&b, &cfg, &code[i], 1, 1000 + i), 0);
    assert_true(wedge_burst_is_scan(&b, &cfg, 1020));
    assert_string_equal(b.text, code);
    assert_false(wedge_burst_is_scan(&b, &cfg, 1100)); /* Enter came too late */
    /* typing: 120 ms between keys */
    wedge_burst_clear(&b);
    for (int i = 0; i < 5; i++)
        wedge_burst_add(&b, &cfg, "1", 1, 1000 + i * 120);
    assert_false(wedge_burst_is_scan(&b, &cfg, 1000 + 4 * 120 + 5));
    /* too short */
    wedge_burst_clear(&b);
    wedge_burst_add(&b, &cfg, "1", 1, 0);
    wedge_burst_add(&b, &cfg, "2", 1, 1);
    assert_false(wedge_burst_is_scan(&b, &cfg, 2));
    /* overlong input is refused, not overflowed */
    wedge_burst_clear(&b);
    int rc = 0;
    for (int i = 0; i < 200 && rc == 0; i++)
        rc = wedge_burst_add(&b, &cfg, "9", 1, i);
    assert_int_equal(rc, -1);
    assert_true(b.len < sizeof b.text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timers_fire_in_order_and_cancel),
        cmocka_unit_test(test_fd_callback_and_unwatch),
        cmocka_unit_test(test_signal_through_loop),
        cmocka_unit_test(test_prepare_shortens_wait),
        cmocka_unit_test(test_rescheduled_timer_lets_fd_in),
        cmocka_unit_test(test_wedge_classifier),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
