/* The card-payment controller on its own: the real simulated terminal driver, the real
 * event loop and a real SQLite journal in a temp directory, no screen.  Each test plays
 * the owner (a tender that approved payments join and reversed ones leave). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/card_payment.h"
#include "core/tender.h"
#include "src/config.h"
#include "src/loop.h"
#include "src/payment_journal.h"
#include "src/store.h"

struct fx {
    char dir[64];
    char db[128];
    struct store *st;
    struct config *cfg;
    struct loop *loop;
    struct card_payment cp;
    /* what the controller told its owner */
    struct tender_state tender;
    int approved, refunded, reversed, cancelled, recovered, changed;
    int64_t last_asked;
    char message[256];
    int message_is_error;
};

static int on_approved(void *ctx, const struct payment *p, int64_t asked)
{
    struct fx *f = ctx;
    f->approved++;
    f->last_asked = asked;
    return tender_add_card(&f->tender, p);
}

static int on_refunded(void *ctx, const struct payment *p)
{
    struct fx *f = ctx;
    f->refunded++;
    return tender_add_refund(&f->tender, p, p->amount, NULL);
}

static void on_reversed(void *ctx, const char *reference)
{
    struct fx *f = ctx;
    f->reversed++;
    for (int i = f->tender.n - 1; i >= 0; i--)
        if (strcmp(f->tender.payments[i].reference, reference) == 0)
            tender_remove(&f->tender, i);
}

static void on_cancel_now(void *ctx) { ((struct fx *)ctx)->cancelled++; }
static void on_recovered(void *ctx) { ((struct fx *)ctx)->recovered++; }
static void on_changed(void *ctx) { ((struct fx *)ctx)->changed++; }

static void on_message(void *ctx, int is_error, const char *text)
{
    struct fx *f = ctx;
    snprintf(f->message, sizeof f->message, "%s", text);
    f->message_is_error = is_error;
}

static void set(struct fx *f, const char *key, const char *value)
{
    assert_int_equal(config_set(f->cfg, key, value), 0);
}

/* Two sim terminals, front and back, each with its own device journal; quick answers. */
static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/till-card-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/till.db", f->dir);
    char err[256];
    assert_int_equal(store_open(f->db, &f->st, err, sizeof err), 0);
    f->cfg = config_new();
    f->loop = loop_new();
    char dev[160];
    set(f, "payment.terminals", "front:sim, back:sim");
    set(f, "payment.front.latency_ms", "20");
    set(f, "payment.back.latency_ms", "20");
    set(f, "payment.front.timeout_ms", "100");
    snprintf(dev, sizeof dev, "%s/front.dev", f->dir);
    set(f, "payment.front.device_file", dev);
    snprintf(dev, sizeof dev, "%s/back.dev", f->dir);
    set(f, "payment.back.device_file", dev);
    tender_init(&f->tender, 1000, 1);
    *state = f;
    return 0;
}

static void open_controller(struct fx *f)
{
    struct card_payment_config c = { .loop = f->loop, .store = f->st, .cfg = f->cfg,
                                     .till_id = "T1", .cashier = "test" };
    money_format_init(&c.fmt, "EUR", "eu");
    struct card_payment_events ev = {
        .approved = on_approved, .refunded = on_refunded, .reversed = on_reversed,
        .cancel_now = on_cancel_now, .recovered = on_recovered, .message = on_message,
        .changed = on_changed, .ctx = f,
    };
    char err[256];
    assert_int_equal(card_payment_open(&f->cp, &c, &ev, err, sizeof err), 0);
    assert_int_equal(f->cp.nterminals, 2);
    card_payment_new_sale(&f->cp, "sale-0001");
}

static int teardown(void **state)
{
    struct fx *f = *state;
    card_payment_close(&f->cp);
    store_close(f->st);
    loop_free(f->loop);
    config_free(f->cfg);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* Runs the loop until the controller is in state s and no request is out (generous
 * deadline: the machine may be busy). */
static void wait_state(struct fx *f, enum card_state s)
{
    int64_t deadline = loop_now_ms(f->loop) + 20000;
    while (f->cp.state != s && loop_now_ms(f->loop) < deadline)
        loop_run_once(f->loop, 50);
    assert_int_equal(f->cp.state, s);
}

static void wait_for(struct fx *f, const int *counter, int value)
{
    int64_t deadline = loop_now_ms(f->loop) + 20000;
    while (*counter < value && loop_now_ms(f->loop) < deadline)
        loop_run_once(f->loop, 50);
    assert_int_equal(*counter, value);
}

static void assert_journal(struct fx *f, const char *reference, const char *state)
{
    struct payment_intent in;
    assert_int_equal(journal_get(f->st, reference, &in), 0);
    assert_string_equal(in.state, state);
}

/* Lines in a sim terminal's device journal that start with what ("APPROVED"). */
static int device_count(struct fx *f, const char *terminal, const char *what)
{
    char path[160], line[256];
    snprintf(path, sizeof path, "%s/%s.dev", f->dir, terminal);
    FILE *fp = fopen(path, "r");
    int n = 0;
    while (fp && fgets(line, sizeof line, fp))
        n += strncmp(line, what, strlen(what)) == 0;
    if (fp)
        fclose(fp);
    return n;
}

static void test_approve(void **state)
{
    struct fx *f = *state;
    set(f, "payment.front.script", "approve");
    open_controller(f);
    assert_int_equal(card_payment_start(&f->cp, 700), 0);
    assert_int_equal(f->cp.state, CARD_WAITING);
    char ref[48];
    snprintf(ref, sizeof ref, "%s", f->cp.reference);
    assert_journal(f, ref, "sending");   /* durable before the terminal answers */
    assert_int_equal(card_payment_start(&f->cp, 100), -1);  /* one at a time */
    wait_for(f, &f->approved, 1);
    assert_int_equal(f->cp.state, CARD_IDLE);
    assert_int_equal(f->tender.n, 1);
    assert_int_equal(f->tender.payments[0].amount, 700);
    assert_string_equal(f->tender.payments[0].reference, ref);
    assert_int_equal(strlen(f->tender.payments[0].masked_pan), 16);
    assert_memory_equal(f->tender.payments[0].masked_pan, "************", 12);
    assert_journal(f, ref, "approved");
    assert_int_equal(device_count(f, "front", "APPROVED"), 1);
    assert_true(f->changed > 0);
}

/* A return's refund to the card: the terminal's refund op, journaled like a purchase
 * (durable before the terminal is asked), paid out of a negative tender, settled with its
 * sale. */
static void test_refund(void **state)
{
    struct fx *f = *state;
    open_controller(f);
    tender_init(&f->tender, -450, 1);
    assert_int_equal(card_payment_refund_start(&f->cp, 450), 0);
    char ref[48];
    snprintf(ref, sizeof ref, "%s", f->cp.reference);
    struct payment_intent in;
    assert_int_equal(journal_get(f->st, ref, &in), 0);
    assert_string_equal(in.op, "refund");
    assert_string_equal(in.state, "sending");
    wait_for(f, &f->refunded, 1);
    assert_int_equal(f->approved, 0);
    assert_int_equal(f->tender.n, 1);
    assert_int_equal(f->tender.payments[0].amount, -450);
    assert_true(tender_is_settled(&f->tender));
    assert_int_equal(device_count(f, "front", "REFUNDED"), 1);
    assert_journal(f, ref, "approved");
    assert_int_equal(journal_complete_sale(f->st, "sale-0001", 1), 0);
    assert_journal(f, ref, "completed");
}

static void test_decline(void **state)
{
    struct fx *f = *state;
    set(f, "payment.front.script", "decline");
    open_controller(f);
    assert_int_equal(card_payment_start(&f->cp, 700), 0);
    char ref[48];
    snprintf(ref, sizeof ref, "%s", f->cp.reference);
    loop_run_once(f->loop, 0);
    wait_state(f, CARD_IDLE);
    assert_int_equal(f->approved, 0);
    assert_true(f->message_is_error);
    assert_non_null(strstr(f->message, "not approved"));
    assert_journal(f, ref, "declined");
    /* a decline is not a failover: the second terminal is never asked */
    assert_int_equal(device_count(f, "back", ""), 0);
}

static void test_partial_approval(void **state)
{
    struct fx *f = *state;
    set(f, "payment.front.script", "partial:250");
    open_controller(f);
    assert_int_equal(card_payment_start(&f->cp, 700), 0);
    wait_for(f, &f->approved, 1);
    assert_int_equal(f->last_asked, 700);
    assert_int_equal(f->tender.payments[0].amount, 250);
    assert_int_equal(tender_balance(&f->tender), 750);
}

/* The connection broke after the terminal approved: unknown, never sent elsewhere; asking
 * again finds it approved, exactly once. */
static void test_unknown_then_enquire(void **state)
{
    struct fx *f = *state;
    set(f, "payment.front.script", "disconnect");
    open_controller(f);
    assert_int_equal(card_payment_start(&f->cp, 700), 0);
    char ref[48];
    snprintf(ref, sizeof ref, "%s", f->cp.reference);
    wait_state(f, CARD_UNKNOWN);
    assert_journal(f, ref, "unknown");
    assert_int_equal(card_payment_failover(&f->cp), -1);
    assert_int_equal(card_payment_start(&f->cp, 700), -1);
    assert_int_equal(device_count(f, "back", ""), 0);
    assert_int_equal(card_payment_enquire(&f->cp), 0);
    wait_for(f, &f->approved, 1);
    assert_int_equal(f->tender.payments[0].amount, 700);
    assert_string_equal(f->tender.payments[0].reference, ref);
    assert_journal(f, ref, "approved");
    assert_int_equal(device_count(f, "front", "APPROVED"), 1);
}

/* No answer in time: the cashier reads the terminal's receipt, once each way. */
static void test_unknown_cashier_resolves(void **state)
{
    struct fx *f = *state;
    set(f, "payment.front.script", "timeout");
    open_controller(f);
    assert_int_equal(card_payment_resolve(&f->cp, 0), -1);  /* nothing to resolve yet */
    assert_int_equal(card_payment_start(&f->cp, 700), 0);
    char first[48];
    snprintf(first, sizeof first, "%s", f->cp.reference);
    wait_state(f, CARD_UNKNOWN);
    assert_int_equal(card_payment_resolve(&f->cp, 0), 0);
    assert_int_equal(f->cp.state, CARD_IDLE);
    assert_int_equal(f->approved, 0);
    assert_journal(f, first, "not_charged");

    assert_int_equal(card_payment_start(&f->cp, 300), 0);
    char second[48];
    snprintf(second, sizeof second, "%s", f->cp.reference);
    assert_string_not_equal(first, second);
    wait_state(f, CARD_UNKNOWN);
    assert_int_equal(card_payment_resolve(&f->cp, 1), 0);
    assert_int_equal(f->approved, 1);
    assert_int_equal(f->tender.payments[0].amount, 300);
    assert_journal(f, second, "approved");
}

/* Only a request that provably never reached a terminal is offered to the next one. */
static void test_failover_only_when_not_reached(void **state)
{
    struct fx *f = *state;
    set(f, "payment.front.script", "unreachable,unreachable");
    set(f, "payment.back.script", "approve");
    open_controller(f);
    assert_int_equal(card_payment_start(&f->cp, 700), 0);
    char first[48];
    snprintf(first, sizeof first, "%s", f->cp.reference);
    wait_state(f, CARD_FAILOVER);
    assert_journal(f, first, "failed");
    assert_non_null(strstr(f->message, "use terminal back"));
    /* the cashier may pay another way instead */
    assert_int_equal(card_payment_failover_dismiss(&f->cp), 0);
    assert_int_equal(f->cp.state, CARD_IDLE);
    assert_int_equal(card_payment_failover(&f->cp), -1);

    assert_int_equal(card_payment_start(&f->cp, 700), 0);
    wait_state(f, CARD_FAILOVER);
    assert_int_equal(card_payment_failover(&f->cp), 0);
    char second[48];
    snprintf(second, sizeof second, "%s", f->cp.reference);
    wait_for(f, &f->approved, 1);
    assert_journal(f, second, "approved");
    struct payment_intent in;
    assert_int_equal(journal_get(f->st, second, &in), 0);
    assert_string_equal(in.terminal, "back");
    assert_int_equal(device_count(f, "front", "APPROVED"), 0);
    assert_int_equal(device_count(f, "back", "APPROVED"), 1);
}

/* Cancelling reverses every approved card payment, then (only then) cancels. */
static void test_reversal_on_cancel(void **state)
{
    struct fx *f = *state;
    set(f, "payment.front.script", "partial:300,partial:200");
    open_controller(f);
    assert_int_equal(card_payment_start(&f->cp, 700), 0);
    wait_for(f, &f->approved, 1);
    assert_int_equal(card_payment_start(&f->cp, 700), 0);
    wait_for(f, &f->approved, 2);
    char refs[2][48];
    snprintf(refs[0], sizeof refs[0], "%s", f->tender.payments[0].reference);
    snprintf(refs[1], sizeof refs[1], "%s", f->tender.payments[1].reference);
    int64_t cash_change;
    assert_int_equal(tender_add_cash(&f->tender, 100, &cash_change), 0);

    assert_int_equal(card_payment_reverse_all_then_cancel(&f->cp, &f->tender), 0);
    assert_int_equal(f->cp.state, CARD_REVERSING);
    assert_int_equal(f->cancelled, 0);
    wait_for(f, &f->cancelled, 1);
    assert_int_equal(f->reversed, 2);
    assert_int_equal(f->tender.n, 1);   /* the cash stays for the owner to hand back */
    assert_int_equal(f->tender.payments[0].tender, TENDER_CASH);
    assert_journal(f, refs[0], "reversed");
    assert_journal(f, refs[1], "reversed");
    assert_int_equal(device_count(f, "front", "REVERSED"), 2);

    /* nothing to reverse: cancel at once */
    assert_int_equal(card_payment_reverse_all_then_cancel(&f->cp, &f->tender), 0);
    assert_int_equal(f->cancelled, 2);
}

/* A crash left three intents: one approved for a sale never saved, one approved on the
 * terminal whose answer was lost (unknown), one recorded but never sent.  A fresh
 * controller on the same database resolves them all by itself: reversed, reversed (the
 * terminal remembers it), not charged. */
static void test_recovery_after_restart(void **state)
{
    struct fx *f = *state;
    set(f, "payment.front.script", "approve,disconnect");
    open_controller(f);
    char approved[48], lost[48];
    assert_int_equal(card_payment_start(&f->cp, 700), 0);
    snprintf(approved, sizeof approved, "%s", f->cp.reference);
    wait_for(f, &f->approved, 1);
    assert_int_equal(card_payment_start(&f->cp, 400), 0);
    snprintf(lost, sizeof lost, "%s", f->cp.reference);
    wait_state(f, CARD_UNKNOWN);
    /* the intent is written before the request goes out: a crash in between leaves it */
    assert_int_equal(journal_begin(f->st, "silent-1", "sale-0001", "purchase", "front", 200, 1), 0);

    /* the crash: the controller and the database handle go away without another word */
    card_payment_close(&f->cp);
    store_close(f->st);
    char err[256];
    assert_int_equal(store_open(f->db, &f->st, err, sizeof err), 0);

    memset(&f->tender, 0, sizeof f->tender);
    f->approved = 0;
    open_controller(f);
    assert_int_equal(card_payment_recover_start(&f->cp), 3);
    assert_non_null(card_payment_recovering(&f->cp));
    assert_int_equal(card_payment_start(&f->cp, 100), -1);   /* no sale before it is done */
    wait_for(f, &f->recovered, 1);
    assert_null(card_payment_recovering(&f->cp));
    assert_int_equal(f->cp.state, CARD_IDLE);
    assert_int_equal(f->approved, 0);          /* nothing joins a tender during recovery */
    assert_journal(f, approved, "reversed");
    assert_journal(f, lost, "reversed");
    assert_journal(f, "silent-1", "not_charged");
    assert_int_equal(device_count(f, "front", "REVERSED"), 2);
    struct payment_intent open[4];
    assert_int_equal(journal_open_intents(f->st, open, 4), 0);
}

/* An intent on a terminal no longer configured waits for the cashier's word. */
static void test_recovery_unknown_terminal(void **state)
{
    struct fx *f = *state;
    assert_int_equal(journal_begin(f->st, "old-1", "sale-old", "purchase", "gone", 500, 1), 0);
    open_controller(f);
    assert_int_equal(card_payment_recover_start(&f->cp), 1);
    assert_int_equal(f->cp.state, CARD_UNKNOWN);
    assert_non_null(strstr(f->message, "gone"));
    assert_int_equal(card_payment_resolve(&f->cp, 0), -1);   /* not a sale's payment */
    assert_int_equal(card_payment_recover_resolve(&f->cp, 0), 0);
    assert_int_equal(f->recovered, 1);
    assert_journal(f, "old-1", "not_charged");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_approve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refund, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_approval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_then_enquire, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_cashier_resolves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failover_only_when_not_reached, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reversal_on_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recovery_after_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recovery_unknown_terminal, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
