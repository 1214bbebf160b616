/* Staff: the permission table and its config form, override rules, the lockout rule with
 * time passed in, argon2id PINs, and the staff table as sync and --add-staff write it. */
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

#include "core/staff_policy.h"
#include "src/pin.h"
#include "src/staff.h"
#include "src/store.h"

/* Cheap parameters for the tests' own hashes: the rules, not the cost, are under test. */
static const struct pin_params fast = { 1, 8u << 10 };

static void test_default_permissions(void **state)
{
    struct perm_table t;
    perm_table_defaults(&t);
    /* a cashier sells and reads an X report, nothing more */
    for (int p = 0; p < PERM_COUNT; p++)
        assert_int_equal(perm_allows(&t, (enum perm)p, ROLE_CASHIER), p == PERM_X_REPORT);
    assert_true(perm_allows(&t, PERM_VOID_AFTER_SUBTOTAL, ROLE_SUPERVISOR));
    assert_true(perm_allows(&t, PERM_PAID_IN_OUT, ROLE_SUPERVISOR));
    assert_false(perm_allows(&t, PERM_Z_REPORT, ROLE_SUPERVISOR));
    assert_false(perm_allows(&t, PERM_DISCOUNT_OVER_LIMIT, ROLE_SUPERVISOR));
    /* a manager may do everything */
    for (int p = 0; p < PERM_COUNT; p++)
        assert_true(perm_allows(&t, (enum perm)p, ROLE_MANAGER));
    assert_false(perm_allows(&t, PERM_COUNT, ROLE_MANAGER));
    assert_false(perm_allows(&t, PERM_REFUND, ROLE_COUNT));
}

static void test_permission_names_round_trip(void **state)
{
    for (int p = 0; p < PERM_COUNT; p++) {
        enum perm back;
        assert_non_null(perm_name((enum perm)p));
        assert_non_null(perm_label((enum perm)p));
        assert_int_equal(perm_parse(perm_name((enum perm)p), &back), 0);
        assert_int_equal(back, p);
    }
    enum perm x;
    assert_int_equal(perm_parse("void", &x), -1);
    enum staff_role r;
    assert_int_equal(staff_role_parse("supervisor", &r), 0);
    assert_int_equal(r, ROLE_SUPERVISOR);
    assert_int_equal(staff_role_parse("boss", &r), -1);
}

static void test_role_lists(void **state)
{
    unsigned m = 99;
    char err[160];
    assert_int_equal(perm_parse_roles("supervisor, manager", &m, err, sizeof err), 0);
    assert_int_equal(m, ROLE_BIT(ROLE_SUPERVISOR) | ROLE_BIT(ROLE_MANAGER));
    assert_int_equal(perm_parse_roles("cashier manager", &m, err, sizeof err), 0);
    assert_int_equal(m, ROLE_BIT(ROLE_CASHIER) | ROLE_BIT(ROLE_MANAGER));
    assert_int_equal(perm_parse_roles("nobody", &m, err, sizeof err), 0);
    assert_int_equal(m, 0);
    assert_int_equal(perm_parse_roles("", &m, err, sizeof err), -1);
    assert_int_equal(perm_parse_roles("nobody, manager", &m, err, sizeof err), -1);
    assert_int_equal(perm_parse_roles("managers", &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "'managers' is not a role"));
}

static void test_override_rules(void **state)
{
    struct perm_table t;
    perm_table_defaults(&t);
    /* a supervisor approves a cashier's void; a cashier cannot */
    assert_true(perm_can_approve(&t, PERM_VOID_AFTER_SUBTOTAL, ROLE_SUPERVISOR, 1, "2", "1"));
    assert_false(perm_can_approve(&t, PERM_VOID_AFTER_SUBTOTAL, ROLE_CASHIER, 1, "3", "1"));
    /* only a manager closes the shift */
    assert_false(perm_can_approve(&t, PERM_Z_REPORT, ROLE_SUPERVISOR, 1, "2", "1"));
    assert_true(perm_can_approve(&t, PERM_Z_REPORT, ROLE_MANAGER, 1, "9", "1"));
    /* never oneself, never someone inactive */
    assert_false(perm_can_approve(&t, PERM_Z_REPORT, ROLE_MANAGER, 1, "9", "9"));
    assert_false(perm_can_approve(&t, PERM_Z_REPORT, ROLE_MANAGER, 0, "9", "1"));
    assert_false(perm_can_approve(&t, PERM_Z_REPORT, ROLE_MANAGER, 1, "", "1"));
    /* a configured table wins: nobody may cancel */
    t.roles[PERM_CANCEL_SALE] = 0;
    assert_false(perm_can_approve(&t, PERM_CANCEL_SALE, ROLE_MANAGER, 1, "9", "1"));
}

static void test_lockout_grows(void **state)
{
    for (int i = 0; i < STAFF_LOCK_AFTER; i++)
        assert_int_equal(staff_lockout_seconds(i), 0);
    assert_int_equal(staff_lockout_seconds(5), 30);
    assert_int_equal(staff_lockout_seconds(6), 60);
    assert_int_equal(staff_lockout_seconds(7), 120);
    assert_int_equal(staff_lockout_seconds(12), 3600);   /* 30 * 2^7 = 3840, capped */
    assert_int_equal(staff_lockout_seconds(1000), 3600);
    assert_int_equal(staff_lock_remaining(1030, 1000), 30);
    assert_int_equal(staff_lock_remaining(1030, 1030), 0);
    assert_int_equal(staff_lock_remaining(0, 1000), 0);
}

static void test_pin_hash_and_verify(void **state)
{
    char h[PIN_HASH_MAX], err[80];
    assert_int_equal(pin_hash("4711", &fast, h), 0);
    assert_non_null(strstr(h, "$argon2id$v=19$m=8,t=1,p=1$"));
    assert_null(strstr(h, "4711"));
    assert_true(pin_hash_is_valid(h));
    assert_int_equal(pin_verify(h, "4711"), 0);
    assert_int_equal(pin_verify(h, "4712"), 1);
    assert_int_equal(pin_verify("plain", "4711"), -1);
    /* hashes asking for more than a till can give are refused */
    assert_false(pin_hash_is_valid("$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"));
    assert_false(pin_hash_is_valid("$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"));
    /* the parameters travel with the hash: raised ones call for a re-hash */
    struct pin_params raised = { 2, 16u << 10 };
    assert_false(pin_needs_rehash(h, &fast));
    assert_true(pin_needs_rehash(h, &raised));
    assert_int_equal(pin_check_format("123", err, sizeof err), -1);
    assert_int_equal(pin_check_format("12a4", err, sizeof err), -1);
    assert_int_equal(pin_check_format("1234567890123", err, sizeof err), -1);
    assert_int_equal(pin_check_format("0000", err, sizeof err), 0);
}

/* The default parameters verify within the 100 ms a cashier will wait (measured under
 * ASan: generous, the bench has the real figure). CPU time of this thread, not wall time:
 * a busy machine delays the thread without making the hash any harder. */
static void test_default_parameters_are_fast_enough(void **state)
{
    struct pin_params p = { PIN_DEFAULT_OPSLIMIT, PIN_DEFAULT_MEMLIMIT };
    char h[PIN_HASH_MAX];
    assert_int_equal(pin_hash("2468", &p, h), 0);
    double best = 1e9;
    for (int i = 0; i < 3; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
        assert_int_equal(pin_verify(h, "2468"), 0);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
        double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
        if (ms < best)
            best = ms;
    }
    print_message("argon2id verify at t=%llu m=%zu KiB: %.1f ms (best of 3)\n", p.opslimit, p.memlimit >> 10, best);
    assert_true(best < 250.0);
}

struct fx {
    char dir[64], path[128];
    struct store *st;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/till-staff-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/till.db", f->dir);
    char err[256];
    assert_int_equal(store_open(f->path, &f->st, err, sizeof err), 0);
    assert_int_equal(staff_set_pin_params(f->st, &fast), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void test_add_local_and_count(void **state)
{
    struct fx *f = *state;
    char err[160], id[32];
    int64_t n = -1;
    assert_int_equal(staff_count_active(f->st, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(staff_next_id(f->st, id, sizeof id), 0);
    assert_string_equal(id, "1");
    assert_int_equal(staff_add_local(f->st, "1", "Max", ROLE_MANAGER, "9999", err, sizeof err), 0);
    assert_int_equal(staff_next_id(f->st, id, sizeof id), 0);
    assert_string_equal(id, "2");
    assert_int_not_equal(staff_add_local(f->st, "1", "Other", ROLE_CASHIER, "1111", err, sizeof err), 0);
    assert_non_null(strstr(err, "taken"));
    assert_int_not_equal(staff_add_local(f->st, "2", "Short", ROLE_CASHIER, "11", err, sizeof err), 0);
    assert_int_equal(staff_count_active(f->st, &n), 0);
    assert_int_equal(n, 1);
    struct staff_member m;
    assert_int_equal(staff_get(f->st, "1", &m), STORE_OK);
    assert_string_equal(m.name, "Max");
    assert_int_equal(m.role, ROLE_MANAGER);
    assert_true(m.local && m.active);
    assert_int_equal(staff_get(f->st, "7", &m), STORE_NOTFOUND);
}

/* Five wrong PINs lock for 30 s; the sixth (after it) for 60; the right PIN clears it. */
static void test_lockout_in_the_table(void **state)
{
    struct fx *f = *state;
    char err[160];
    struct staff_member m;
    int64_t locked = -1, t = 1000000;
    assert_int_equal(staff_add_local(f->st, "1", "Alex", ROLE_CASHIER, "1111", err, sizeof err), 0);
    for (int i = 1; i <= 4; i++) {
        assert_int_equal(staff_check_pin(f->st, "1", "0000", t, &m, &locked), STAFF_PIN_WRONG);
        assert_int_equal(locked, 0);
    }
    assert_int_equal(staff_check_pin(f->st, "1", "0000", t, &m, &locked), STAFF_PIN_WRONG);
    assert_int_equal(locked, 30);
    /* locked: even the right PIN is not checked */
    assert_int_equal(staff_check_pin(f->st, "1", "1111", t + 29, &m, &locked), STAFF_PIN_LOCKED);
    assert_int_equal(locked, 1);
    /* after the lock: one more wrong PIN doubles it */
    assert_int_equal(staff_check_pin(f->st, "1", "0000", t + 30, &m, &locked), STAFF_PIN_WRONG);
    assert_int_equal(locked, 60);
    assert_int_equal(staff_check_pin(f->st, "1", "1111", t + 89, &m, &locked), STAFF_PIN_LOCKED);
    assert_int_equal(staff_check_pin(f->st, "1", "1111", t + 90, &m, &locked), STAFF_PIN_OK);
    assert_string_equal(m.name, "Alex");
    assert_int_equal(staff_get(f->st, "1", &m), STORE_OK);
    assert_int_equal(m.failed_pins, 0);
    assert_int_equal(m.locked_until, 0);
    /* a fresh count: four wrong ones do not lock */
    for (int i = 0; i < 4; i++)
        assert_int_equal(staff_check_pin(f->st, "1", "0000", t + 100, &m, &locked), STAFF_PIN_WRONG);
    assert_int_equal(locked, 0);
    assert_int_equal(staff_check_pin(f->st, "9", "1111", t, &m, &locked), STAFF_PIN_UNKNOWN);
}

/* The sync's records: upsert keeps the till's count (same PIN), a new PIN clears it,
 * inactive may not sign on, a tombstone removes. */
static void test_apply_from_server(void **state)
{
    struct fx *f = *state;
    char h1[PIN_HASH_MAX], h2[PIN_HASH_MAX];
    struct staff_member m;
    int64_t locked, n;
    assert_int_equal(pin_hash("1234", &fast, h1), 0);
    assert_int_equal(pin_hash("5678", &fast, h2), 0);
    struct staff_change c = { .id = "5", .name = "Kim", .role = ROLE_SUPERVISOR, .pin_hash = h1, .active = 1 };
    assert_int_equal(staff_apply(f->st, &c), 0);
    assert_int_equal(staff_check_pin(f->st, "5", "0000", 10, &m, &locked), STAFF_PIN_WRONG);
    c.name = "Kim Lee";
    assert_int_equal(staff_apply(f->st, &c), 0);
    assert_int_equal(staff_get(f->st, "5", &m), 0);
    assert_string_equal(m.name, "Kim Lee");
    assert_false(m.local);
    assert_int_equal(m.failed_pins, 1);
    c.pin_hash = h2;
    assert_int_equal(staff_apply(f->st, &c), 0);
    assert_int_equal(staff_get(f->st, "5", &m), 0);
    assert_int_equal(m.failed_pins, 0);
    assert_int_equal(staff_check_pin(f->st, "5", "5678", 10, &m, &locked), STAFF_PIN_OK);
    c.active = 0;
    assert_int_equal(staff_apply(f->st, &c), 0);
    assert_int_equal(staff_check_pin(f->st, "5", "5678", 10, &m, &locked), STAFF_PIN_INACTIVE);
    assert_int_equal(staff_count_active(f->st, &n), 0);
    assert_int_equal(n, 0);
    struct staff_change del = { .id = "5", .deleted = 1 };
    assert_int_equal(staff_apply(f->st, &del), 0);
    assert_int_equal(staff_get(f->st, "5", &m), STORE_NOTFOUND);
}

/* A right PIN on a local hash made with older parameters is hashed again at today's. */
static void test_rehash_after_raise(void **state)
{
    struct fx *f = *state;
    char err[160];
    struct staff_member m;
    int64_t locked;
    assert_int_equal(staff_add_local(f->st, "1", "Max", ROLE_MANAGER, "9999", err, sizeof err), 0);
    struct pin_params raised = { 2, 16u << 10 };
    assert_int_equal(staff_set_pin_params(f->st, &raised), 0);
    struct pin_params now;
    staff_pin_params(f->st, &now);
    assert_int_equal(now.opslimit, 2);
    assert_int_equal(staff_check_pin(f->st, "1", "9999", 5, &m, &locked), STAFF_PIN_OK);
    /* the stored hash now carries the raised parameters and still verifies */
    assert_int_equal(staff_check_pin(f->st, "1", "9999", 6, &m, &locked), STAFF_PIN_OK);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "sqlite3 %s \"select pin_hash from staff\" | grep -q 'm=16,t=2'", f->path);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_permissions),
        cmocka_unit_test(test_permission_names_round_trip),
        cmocka_unit_test(test_role_lists),
        cmocka_unit_test(test_override_rules),
        cmocka_unit_test(test_lockout_grows),
        cmocka_unit_test(test_pin_hash_and_verify),
        cmocka_unit_test(test_default_parameters_are_fast_enough),
        cmocka_unit_test_setup_teardown(test_add_local_and_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lockout_in_the_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apply_from_server, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rehash_after_raise, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
