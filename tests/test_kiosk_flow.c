/* The kiosk's customer flow (core/kiosk_flow.c): idle warning and cancel, never during a
 * payment or with money taken, auto-advancing screens, holds for the attendant, PIN
 * lockout, and where the attendant returns the customer to. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/kiosk_flow.h"

static const struct kiosk_timing timing = {
    .idle_warn_ms = 60000, .idle_cancel_ms = 30000, .receipt_ms = 10000, .thanks_ms = 4000,
    .staff_idle_ms = 60000, .pin_lock_ms = 60000, .pin_attempts = 3,
};

static void test_idle_warns_then_cancels_an_unpaid_sale(void **state)
{
    struct kiosk_flow f;
    int secs = -1;
    kiosk_flow_init(&f, &timing, 0);
    kiosk_flow_go(&f, KIOSK_SCAN, 1000);
    assert_int_equal(kiosk_flow_due(&f, 60999, 0, 0, &secs), KIOSK_DUE_NOTHING);
    assert_int_equal(secs, 0);
    assert_int_equal(kiosk_flow_due(&f, 61000, 0, 0, &secs), KIOSK_DUE_WARN);
    assert_int_equal(secs, 30);
    assert_int_equal(kiosk_flow_due(&f, 89500, 0, 0, &secs), KIOSK_DUE_WARN);
    assert_int_equal(secs, 2);   /* rounded up: never shows 0 while still waiting */
    assert_int_equal(kiosk_flow_due(&f, 91000, 0, 0, &secs), KIOSK_DUE_CANCEL_SALE);
}

static void test_a_key_restarts_the_idle_timer(void **state)
{
    struct kiosk_flow f;
    kiosk_flow_init(&f, &timing, 0);
    kiosk_flow_go(&f, KIOSK_REVIEW, 0);
    assert_int_equal(kiosk_flow_due(&f, 70000, 0, 0, NULL), KIOSK_DUE_WARN);
    kiosk_flow_touch(&f, 70000);
    assert_int_equal(kiosk_flow_due(&f, 100000, 0, 0, NULL), KIOSK_DUE_NOTHING);
    assert_int_equal(kiosk_flow_due(&f, 160000, 0, 0, NULL), KIOSK_DUE_CANCEL_SALE);
}

static void test_idle_never_cancels_a_payment_in_progress(void **state)
{
    struct kiosk_flow f;
    kiosk_flow_init(&f, &timing, 0);
    kiosk_flow_go(&f, KIOSK_PAY, 0);
    /* the terminal is working (or its outcome is unknown): no warning, however long */
    assert_int_equal(kiosk_flow_due(&f, 10 * 3600 * 1000LL, 1, 0, NULL), KIOSK_DUE_NOTHING);
    assert_int_equal(kiosk_flow_due(&f, 10 * 3600 * 1000LL, 1, 1, NULL), KIOSK_DUE_NOTHING);
}

static void test_money_taken_calls_help_instead_of_cancelling(void **state)
{
    struct kiosk_flow f;
    kiosk_flow_init(&f, &timing, 0);
    kiosk_flow_go(&f, KIOSK_PAY, 0);
    assert_int_equal(kiosk_flow_due(&f, 61000, 0, 1, NULL), KIOSK_DUE_WARN);
    assert_int_equal(kiosk_flow_due(&f, 95000, 0, 1, NULL), KIOSK_DUE_CALL_HELP);
    f.help_called = 1;
    assert_int_equal(kiosk_flow_due(&f, 95000, 0, 1, NULL), KIOSK_DUE_NOTHING);
}

static void test_no_idle_cancel_on_welcome_blocked_or_closed(void **state)
{
    struct kiosk_flow f;
    kiosk_flow_init(&f, &timing, 0);
    assert_int_equal(kiosk_flow_due(&f, 999999, 0, 0, NULL), KIOSK_DUE_NOTHING);
    kiosk_flow_go(&f, KIOSK_SCAN, 0);
    kiosk_flow_hold(&f, KIOSK_HOLD_AGE, 0, 0);
    assert_int_equal(f.step, KIOSK_BLOCKED);
    assert_int_equal(kiosk_flow_due(&f, 999999, 0, 0, NULL), KIOSK_DUE_NOTHING);
    kiosk_flow_go(&f, KIOSK_CLOSED, 0);
    assert_int_equal(kiosk_flow_due(&f, 999999, 0, 0, NULL), KIOSK_DUE_NOTHING);
}

static void test_receipt_and_thanks_move_on_by_themselves(void **state)
{
    struct kiosk_flow f;
    kiosk_flow_init(&f, &timing, 0);
    kiosk_flow_go(&f, KIOSK_RECEIPT, 5000);
    assert_int_equal(kiosk_flow_due(&f, 14999, 0, 0, NULL), KIOSK_DUE_NOTHING);
    assert_int_equal(kiosk_flow_due(&f, 15000, 0, 0, NULL), KIOSK_DUE_NEXT);
    kiosk_flow_go(&f, KIOSK_THANKS, 15000);
    assert_int_equal(kiosk_flow_due(&f, 18999, 0, 0, NULL), KIOSK_DUE_NOTHING);
    assert_int_equal(kiosk_flow_due(&f, 19000, 0, 0, NULL), KIOSK_DUE_NEXT);
}

static void test_hold_blocks_paying_until_released(void **state)
{
    struct kiosk_flow f;
    kiosk_flow_init(&f, &timing, 0);
    kiosk_flow_go(&f, KIOSK_SCAN, 0);
    assert_true(kiosk_flow_may_pay(&f));
    kiosk_flow_hold(&f, KIOSK_HOLD_QUANTITY, 3, 100);
    assert_false(kiosk_flow_may_pay(&f));
    assert_true(f.help_called);
    assert_int_equal(f.hold_line, 3);
    /* the attendant comes, approves, and the customer goes on scanning */
    kiosk_flow_staff_begin(&f, 200);
    assert_int_equal(f.step, KIOSK_PIN);
    assert_int_equal(kiosk_flow_customer_step(&f), KIOSK_BLOCKED);
    assert_int_equal(kiosk_flow_pin(&f, 1, 300, NULL), KIOSK_PIN_OK);
    assert_int_equal(f.step, KIOSK_ATTENDANT);
    assert_false(f.help_called);
    kiosk_flow_release(&f);
    assert_true(kiosk_flow_may_pay(&f));
    kiosk_flow_staff_end(&f, 1, 400);
    assert_int_equal(f.step, KIOSK_SCAN);
}

static void test_leaving_the_menu_unapproved_keeps_the_block(void **state)
{
    struct kiosk_flow f;
    kiosk_flow_init(&f, &timing, 0);
    kiosk_flow_go(&f, KIOSK_SCAN, 0);
    kiosk_flow_hold(&f, KIOSK_HOLD_AGE, 0, 0);
    kiosk_flow_staff_begin(&f, 0);
    kiosk_flow_pin(&f, 1, 0, NULL);
    kiosk_flow_staff_end(&f, 1, 0);
    assert_int_equal(f.step, KIOSK_BLOCKED);
    assert_false(kiosk_flow_may_pay(&f));
}

static void test_staff_end_after_cancel_goes_to_welcome_or_closed(void **state)
{
    struct kiosk_flow f;
    kiosk_flow_init(&f, &timing, 0);
    kiosk_flow_go(&f, KIOSK_PAY, 0);
    kiosk_flow_staff_begin(&f, 0);
    kiosk_flow_pin(&f, 1, 0, NULL);
    kiosk_flow_staff_end(&f, 0, 0);   /* the attendant cancelled the sale */
    assert_int_equal(f.step, KIOSK_WELCOME);
    kiosk_flow_staff_begin(&f, 0);
    kiosk_flow_pin(&f, 1, 0, NULL);
    f.lane_closed = 1;
    kiosk_flow_staff_end(&f, 0, 0);
    assert_int_equal(f.step, KIOSK_CLOSED);
    kiosk_flow_staff_begin(&f, 0);
    kiosk_flow_pin(&f, 1, 0, NULL);
    f.lane_closed = 0;
    kiosk_flow_staff_end(&f, 0, 0);
    assert_int_equal(f.step, KIOSK_WELCOME);
}

static void test_wrong_pins_lock_for_a_while(void **state)
{
    struct kiosk_flow f;
    int wait = -1;
    kiosk_flow_init(&f, &timing, 0);
    kiosk_flow_staff_begin(&f, 0);
    assert_int_equal(kiosk_flow_pin(&f, 0, 1000, &wait), KIOSK_PIN_WRONG);
    assert_int_equal(kiosk_flow_pin(&f, 0, 2000, &wait), KIOSK_PIN_WRONG);
    assert_int_equal(kiosk_flow_pin(&f, 0, 3000, &wait), KIOSK_PIN_LOCKED);
    assert_int_equal(wait, 60);
    /* even the right PIN is not looked at while locked */
    assert_int_equal(kiosk_flow_pin(&f, 1, 62999, &wait), KIOSK_PIN_LOCKED);
    assert_int_equal(wait, 1);
    assert_int_equal(f.step, KIOSK_PIN);
    assert_int_equal(kiosk_flow_pin(&f, 1, 63000, &wait), KIOSK_PIN_OK);
    assert_int_equal(f.step, KIOSK_ATTENDANT);
}

static void test_a_right_pin_resets_the_count(void **state)
{
    struct kiosk_flow f;
    kiosk_flow_init(&f, &timing, 0);
    kiosk_flow_staff_begin(&f, 0);
    kiosk_flow_pin(&f, 0, 0, NULL);
    kiosk_flow_pin(&f, 0, 0, NULL);
    assert_int_equal(kiosk_flow_pin(&f, 1, 0, NULL), KIOSK_PIN_OK);
    kiosk_flow_staff_end(&f, 0, 0);
    kiosk_flow_staff_begin(&f, 0);
    assert_int_equal(kiosk_flow_pin(&f, 0, 0, NULL), KIOSK_PIN_WRONG);
    assert_int_equal(kiosk_flow_pin(&f, 0, 0, NULL), KIOSK_PIN_WRONG);
}

static void test_staff_screens_close_when_left_alone(void **state)
{
    struct kiosk_flow f;
    kiosk_flow_init(&f, &timing, 0);
    kiosk_flow_go(&f, KIOSK_SCAN, 0);
    kiosk_flow_staff_begin(&f, 1000);
    assert_int_equal(kiosk_flow_due(&f, 60999, 0, 0, NULL), KIOSK_DUE_NOTHING);
    assert_int_equal(kiosk_flow_due(&f, 61000, 0, 0, NULL), KIOSK_DUE_LEAVE_STAFF);
    /* the customer's idle countdown does not run under the attendant's screens */
    kiosk_flow_pin(&f, 1, 61000, NULL);
    assert_int_equal(kiosk_flow_due(&f, 100000, 0, 0, NULL), KIOSK_DUE_NOTHING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idle_warns_then_cancels_an_unpaid_sale),
        cmocka_unit_test(test_a_key_restarts_the_idle_timer),
        cmocka_unit_test(test_idle_never_cancels_a_payment_in_progress),
        cmocka_unit_test(test_money_taken_calls_help_instead_of_cancelling),
        cmocka_unit_test(test_no_idle_cancel_on_welcome_blocked_or_closed),
        cmocka_unit_test(test_receipt_and_thanks_move_on_by_themselves),
        cmocka_unit_test(test_hold_blocks_paying_until_released),
        cmocka_unit_test(test_leaving_the_menu_unapproved_keeps_the_block),
        cmocka_unit_test(test_staff_end_after_cancel_goes_to_welcome_or_closed),
        cmocka_unit_test(test_wrong_pins_lock_for_a_while),
        cmocka_unit_test(test_a_right_pin_resets_the_count),
        cmocka_unit_test(test_staff_screens_close_when_left_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
