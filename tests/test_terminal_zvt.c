/* The real ZVT driver, in a real event loop, against the ZVT terminal simulator
 * (tests/zvt_sim.c, a separate process on 127.0.0.1): purchase, decline, abort, reversal,
 * refund, end-of-day, every way a transaction can go wrong, and the status enquiry (Repeat
 * Receipt) that settles an unknown outcome, also after a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <sys/wait.h>

#include "tests/zvt_sim.c"

#include "drivers/payment_terminal.h"
#include "src/config.h"
#include "src/loop.h"

struct res {
    int done;
    struct pt_outcome o;
    char statuses[512];
};

static void on_status(void *ctx, const char *t)
{
    struct res *r = ctx;
    size_t n = strlen(r->statuses);
    snprintf(r->statuses + n, sizeof r->statuses - n, "%s|", t);
}

static void on_done(void *ctx, const struct pt_outcome *o)
{
    struct res *r = ctx;
    r->done = 1;
    r->o = *o;
}

struct fx {
    pid_t sim;
    int port;
    char journal[64];
    char state[64];
    struct loop *loop;
    struct config *cfg;
    struct payment_terminal *t;
    struct res r;
};

static struct fx *start(const char *behaviours, int timeout_ms)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->journal, sizeof f->journal, "/tmp/zvt-journal-%d-%ld", getpid(), random());
    unlink(f->journal);
    snprintf(f->state, sizeof f->state, "/tmp/zvt-state-%d-%ld", getpid(), random());
    unlink(f->state);
    int lfd = zsim_listen(&f->port);
    assert_true(lfd >= 0);
    f->sim = fork();
    if (f->sim == 0) {
        struct zsim s = { .behaviours = behaviours, .journal = f->journal };
        zsim_serve(lfd, &s, 0);
        _exit(0);
    }
    close(lfd);
    f->loop = loop_new();
    f->cfg = config_new();
    char v[32];
    snprintf(v, sizeof v, "%d", f->port);
    config_set(f->cfg, "payment.zvt.port", v);
    snprintf(v, sizeof v, "%d", timeout_ms);
    config_set(f->cfg, "payment.zvt.timeout_ms", v);
    config_set(f->cfg, "payment.zvt.connect_timeout_ms", "1000");
    config_set(f->cfg, "payment.zvt.state_file", f->state);
    struct pt_events ev = { on_status, on_done, &f->r };
    char err[256];
    assert_int_equal(payment_terminal_open("zvt", f->loop, f->cfg, "payment.zvt", &ev, &f->t, err, sizeof err), 0);
    return f;
}

/* Till crashed and started again: a new driver instance, the same terminal and state file. */
static void restart_driver(struct fx *f)
{
    payment_terminal_close(f->t);
    struct pt_events ev = { on_status, on_done, &f->r };
    char err[256];
    assert_int_equal(payment_terminal_open("zvt", f->loop, f->cfg, "payment.zvt", &ev, &f->t, err, sizeof err), 0);
}

static void stop(struct fx *f)
{
    payment_terminal_close(f->t);
    loop_free(f->loop);
    config_free(f->cfg);
    if (f->sim > 0) {
        kill(f->sim, SIGKILL);
        waitpid(f->sim, NULL, 0);
    }
    unlink(f->journal);
    unlink(f->state);
    free(f);
}

static void wait_done(struct fx *f, int ms)
{
    int64_t end = loop_now_ms(f->loop) + ms;
    while (!f->r.done && loop_now_ms(f->loop) < end)
        loop_run_once(f->loop, 50);
    assert_true(f->r.done);
}

static int journal_has(struct fx *f, const char *line)
{
    FILE *j = fopen(f->journal, "r");
    char buf[128];
    int found = 0;
    while (j && fgets(buf, sizeof buf, j))
        found |= strncmp(buf, line, strlen(line)) == 0;
    if (j)
        fclose(j);
    return found;
}

static void test_purchase_approved(void **state)
{
    struct fx *f = start("approve", 5000);
    assert_int_equal(payment_terminal_purchase(f->t, 1234, "sale-1"), 0);
    wait_done(f, 5000);
    assert_int_equal(f->r.o.result, PT_APPROVED);
    assert_int_equal(f->r.o.amount, 1234);
    assert_string_equal(f->r.o.masked_pan, "************4242");
    assert_string_equal(f->r.o.card_scheme, "VISA");
    assert_string_equal(f->r.o.terminal_id, "52500001");
    assert_string_equal(f->r.o.receipt_no, "0001");
    assert_string_equal(f->r.o.reference, "sale-1");
    assert_non_null(strstr(f->r.o.receipt, "KARTENZAHLUNG"));
    assert_non_null(strstr(f->r.o.receipt, "BETRAG EUR 12.34"));
    assert_non_null(strstr(f->r.statuses, "Insert card"));
    assert_non_null(strstr(f->r.statuses, "PIN-pad"));
    assert_true(journal_has(f, "APPROVED 1234 0001"));
    stop(f);
}

static void test_partial_approval(void **state)
{
    struct fx *f = start("partial:500", 5000);
    payment_terminal_purchase(f->t, 2000, "sale-2");
    wait_done(f, 5000);
    assert_int_equal(f->r.o.result, PT_APPROVED);
    assert_int_equal(f->r.o.amount, 500);
    stop(f);
}

static void test_purchase_declined(void **state)
{
    struct fx *f = start("decline", 5000);
    payment_terminal_purchase(f->t, 999, "sale-3");
    wait_done(f, 5000);
    assert_int_equal(f->r.o.result, PT_DECLINED);
    assert_false(journal_has(f, "APPROVED"));
    stop(f);
}

static void abort_soon(struct loop *loop, void *ctx)
{
    struct fx *f = ctx;
    assert_int_equal(payment_terminal_abort(f->t), 0);
}

static void test_abort_by_ecr(void **state)
{
    struct fx *f = start("slow", 5000);
    payment_terminal_purchase(f->t, 500, "sale-4");
    loop_add_timer(f->loop, 300, abort_soon, f);
    wait_done(f, 5000);
    assert_int_equal(f->r.o.result, PT_ABORTED);
    assert_false(journal_has(f, "APPROVED"));
    stop(f);
}

static void test_reversal_refund_end_of_day(void **state)
{
    struct fx *f = start("approve", 5000);
    payment_terminal_purchase(f->t, 700, "sale-5");
    wait_done(f, 5000);
    struct pt_outcome orig = f->r.o;
    memset(&f->r, 0, sizeof f->r);
    assert_int_equal(payment_terminal_reversal(f->t, &orig), 0);
    wait_done(f, 5000);
    assert_int_equal(f->r.o.result, PT_APPROVED);
    assert_int_equal(f->r.o.op, PT_REVERSAL);
    assert_true(journal_has(f, "REVERSED 0001"));
    memset(&f->r, 0, sizeof f->r);
    payment_terminal_refund(f->t, 250, "refund-1");
    wait_done(f, 5000);
    assert_int_equal(f->r.o.result, PT_APPROVED);
    assert_true(journal_has(f, "REFUNDED 250"));
    memset(&f->r, 0, sizeof f->r);
    payment_terminal_end_of_day(f->t);
    wait_done(f, 5000);
    assert_int_equal(f->r.o.result, PT_APPROVED);
    assert_non_null(strstr(f->r.o.receipt, "KASSENSCHNITT"));
    assert_true(journal_has(f, "END_OF_DAY"));
    stop(f);
}

struct eod_res {
    int done;
    struct pt_eod_totals t;
};

static void on_eod(void *ctx, const struct pt_eod_totals *t)
{
    struct eod_res *r = ctx;
    r->done++;
    r->t = *t;
}

static void wait_eod(struct fx *f, struct eod_res *r, int ms)
{
    int64_t end = loop_now_ms(f->loop) + ms;
    while (!r->done && loop_now_ms(f->loop) < end)
        loop_run_once(f->loop, 50);
    assert_true(r->done);
}

/* Version 2's end-of-day: the terminal's totals of its batch come back, per card type, and
 * the done event (the card controller's) is not called; the next batch starts empty. */
static void test_end_of_day_totals(void **state)
{
    struct fx *f = start("approve", 5000);
    payment_terminal_purchase(f->t, 700, "sale-10");
    wait_done(f, 5000);
    memset(&f->r, 0, sizeof f->r);
    payment_terminal_purchase(f->t, 1250, "sale-11");
    wait_done(f, 5000);
    memset(&f->r, 0, sizeof f->r);
    struct eod_res r = { 0 };
    assert_int_equal(payment_terminal_end_of_day_totals(f->t, on_eod, &r), 0);
    wait_eod(f, &r, 5000);
    assert_int_equal(r.done, 1);
    assert_false(f->r.done);
    assert_int_equal(r.t.result, PT_APPROVED);
    assert_true(r.t.has_total);
    assert_int_equal(r.t.total, 1950);
    assert_int_equal(r.t.count, 2);
    assert_int_equal(r.t.nlines, 1);
    assert_string_equal(r.t.lines[0].card, "Visa");
    assert_int_equal(r.t.lines[0].amount, 1950);
    memset(&r, 0, sizeof r);
    assert_int_equal(payment_terminal_end_of_day_totals(f->t, on_eod, &r), 0);
    wait_eod(f, &r, 5000);
    assert_int_equal(r.t.result, PT_APPROVED);
    assert_int_equal(r.t.total, 0);
    assert_int_equal(r.t.count, 0);
    assert_int_equal(r.t.nlines, 0);
    stop(f);
}

/* A terminal that is gone: the end-of-day ends in an error through its callback (the Z
 * goes on), and a driver of version 1 has none at all. */
static void test_end_of_day_totals_unreachable_and_old_driver(void **state)
{
    struct fx *f = start("approve", 5000);
    kill(f->sim, SIGKILL);
    waitpid(f->sim, NULL, 0);
    f->sim = -1;
    struct eod_res r = { 0 };
    assert_int_equal(payment_terminal_end_of_day_totals(f->t, on_eod, &r), 0);
    wait_eod(f, &r, 3000);
    assert_int_equal(r.t.result, PT_ERROR);
    assert_false(r.t.has_total);
    assert_non_null(strstr(r.t.message, "not reachable"));
    /* the same terminal as a version 1 driver: the op is not called */
    struct terminal_ops v1 = terminal_zvt_ops;
    v1.drv.version = 1;
    const struct terminal_ops *real = f->t->ops;
    f->t->ops = &v1;
    memset(&r, 0, sizeof r);
    assert_int_equal(payment_terminal_end_of_day_totals(f->t, on_eod, &r), PT_EOD_UNSUPPORTED);
    v1.drv.version = 2;
    v1.end_of_day_totals = NULL;
    assert_int_equal(payment_terminal_end_of_day_totals(f->t, on_eod, &r), PT_EOD_UNSUPPORTED);
    f->t->ops = real;
    assert_false(r.done);
    stop(f);
}

/* Nothing listens: the request provably never reached a terminal. */
static void test_unreachable_is_never_reached(void **state)
{
    struct fx *f = start("approve", 5000);
    kill(f->sim, SIGKILL);
    waitpid(f->sim, NULL, 0);
    f->sim = -1;
    payment_terminal_purchase(f->t, 100, "sale-6");
    wait_done(f, 3000);
    assert_int_equal(f->r.o.result, PT_ERROR);
    assert_true(f->r.o.never_reached);
    stop(f);
}

/* The terminal took the request, then the line broke: unknown, and not "never reached". */
static void test_drop_after_request_is_unknown(void **state)
{
    struct fx *f = start("drop", 5000);
    payment_terminal_purchase(f->t, 100, "sale-7");
    wait_done(f, 3000);
    assert_int_equal(f->r.o.result, PT_UNKNOWN);
    assert_false(f->r.o.never_reached);
    stop(f);
}

static void test_drop_after_approve_is_unknown(void **state)
{
    struct fx *f = start("drop_after_approve", 5000);
    payment_terminal_purchase(f->t, 100, "sale-8");
    wait_done(f, 3000);
    assert_int_equal(f->r.o.result, PT_UNKNOWN);
    assert_true(journal_has(f, "APPROVED 100"));   /* the terminal's truth: charged */
    stop(f);
}

static void test_silent_terminal_times_out_unknown(void **state)
{
    struct fx *f = start("silent", 400);
    payment_terminal_purchase(f->t, 100, "sale-9");
    wait_done(f, 3000);
    assert_int_equal(f->r.o.result, PT_UNKNOWN);
    stop(f);
}

static void test_refused_and_malformed(void **state)
{
    struct fx *f = start("refuse,malformed", 5000);
    payment_terminal_purchase(f->t, 100, "sale-10");
    wait_done(f, 3000);
    assert_int_equal(f->r.o.result, PT_ERROR);           /* 84 83: refused, nothing charged */
    memset(&f->r, 0, sizeof f->r);
    payment_terminal_purchase(f->t, 100, "sale-11");
    wait_done(f, 3000);
    assert_int_equal(f->r.o.result, PT_UNKNOWN);         /* broken status: cannot know */
    stop(f);
}

/* The terminal took the request and dropped the line without charging: asked with Repeat
 * Receipt, its last receipt is the one from before the payment, so nothing was charged. */
static void test_enquiry_finds_nothing_charged(void **state)
{
    struct fx *f = start("approve,drop", 5000);
    f->t->ops->purchase(f->t->priv, 300, "sale-20");
    wait_done(f, 5000);
    assert_int_equal(f->r.o.result, PT_APPROVED);
    memset(&f->r, 0, sizeof f->r);
    f->t->ops->purchase(f->t->priv, 450, "sale-21");
    wait_done(f, 5000);
    assert_int_equal(f->r.o.result, PT_UNKNOWN);
    memset(&f->r, 0, sizeof f->r);
    assert_int_equal(f->t->ops->status_enquiry(f->t->priv, "sale-21", 450), 0);
    wait_done(f, 5000);
    assert_int_equal(f->r.o.result, PT_NOT_FOUND);
    stop(f);
}

/* Charged, then the line broke, then Till crashed: after the restart the driver asks the
 * terminal and settles it as approved, with the terminal's details, without the cashier. */
static void test_enquiry_after_crash_finds_approval(void **state)
{
    struct fx *f = start("approve,drop_after_approve", 5000);
    f->t->ops->purchase(f->t->priv, 300, "sale-22");
    wait_done(f, 5000);
    memset(&f->r, 0, sizeof f->r);
    f->t->ops->purchase(f->t->priv, 1250, "sale-23");
    wait_done(f, 5000);
    assert_int_equal(f->r.o.result, PT_UNKNOWN);
    assert_true(journal_has(f, "APPROVED 1250 0002"));
    restart_driver(f);
    memset(&f->r, 0, sizeof f->r);
    assert_int_equal(f->t->ops->status_enquiry(f->t->priv, "sale-23", 1250), 0);
    wait_done(f, 5000);
    assert_int_equal(f->r.o.result, PT_APPROVED);
    assert_int_equal(f->r.o.amount, 1250);
    assert_string_equal(f->r.o.receipt_no, "0002");
    assert_string_equal(f->r.o.masked_pan, "************4242");
    assert_non_null(strstr(f->r.o.receipt, "KOPIE"));
    /* a different reference is not this transaction: the cashier decides */
    memset(&f->r, 0, sizeof f->r);
    f->t->ops->status_enquiry(f->t->priv, "sale-other", 1250);
    wait_done(f, 5000);
    assert_int_equal(f->r.o.result, PT_UNKNOWN);
    stop(f);
}

/* Without a receipt number from before the payment nothing is certain: unknown, and the
 * message tells the cashier what the terminal's last transaction was. */
static void test_enquiry_without_history_is_unknown(void **state)
{
    struct fx *f = start("drop_after_approve", 5000);
    f->t->ops->purchase(f->t->priv, 990, "sale-24");
    wait_done(f, 5000);
    assert_int_equal(f->r.o.result, PT_UNKNOWN);
    memset(&f->r, 0, sizeof f->r);
    f->t->ops->status_enquiry(f->t->priv, "sale-24", 990);
    wait_done(f, 5000);
    assert_int_equal(f->r.o.result, PT_UNKNOWN);
    assert_non_null(strstr(f->r.o.message, "receipt 0001"));
    stop(f);
}

/* A terminal with nothing to repeat aborts the Repeat Receipt: that is not "not charged". */
static void test_enquiry_refused_is_unknown(void **state)
{
    struct fx *f = start("drop", 5000);
    f->t->ops->purchase(f->t->priv, 100, "sale-25");
    wait_done(f, 5000);
    memset(&f->r, 0, sizeof f->r);
    f->t->ops->status_enquiry(f->t->priv, "sale-25", 100);
    wait_done(f, 5000);
    assert_int_equal(f->r.o.result, PT_UNKNOWN);
    stop(f);
}

static void test_busy_refuses_second_request(void **state)
{
    struct fx *f = start("approve", 5000);
    assert_int_equal(payment_terminal_purchase(f->t, 100, "a"), 0);
    assert_int_equal(payment_terminal_purchase(f->t, 100, "b"), -1);
    wait_done(f, 5000);
    assert_string_equal(f->r.o.reference, "a");
    stop(f);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_purchase_approved),
        cmocka_unit_test(test_partial_approval),
        cmocka_unit_test(test_purchase_declined),
        cmocka_unit_test(test_abort_by_ecr),
        cmocka_unit_test(test_reversal_refund_end_of_day),
        cmocka_unit_test(test_end_of_day_totals),
        cmocka_unit_test(test_end_of_day_totals_unreachable_and_old_driver),
        cmocka_unit_test(test_unreachable_is_never_reached),
        cmocka_unit_test(test_drop_after_request_is_unknown),
        cmocka_unit_test(test_drop_after_approve_is_unknown),
        cmocka_unit_test(test_silent_terminal_times_out_unknown),
        cmocka_unit_test(test_refused_and_malformed),
        cmocka_unit_test(test_busy_refuses_second_request),
        cmocka_unit_test(test_enquiry_finds_nothing_charged),
        cmocka_unit_test(test_enquiry_after_crash_finds_approval),
        cmocka_unit_test(test_enquiry_without_history_is_unknown),
        cmocka_unit_test(test_enquiry_refused_is_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
