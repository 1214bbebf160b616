/* The outbox module on a real SQLite file: enqueue, batches oldest first per kind, mark
 * sent, park with a reason, a manager's retry, counts, states and the manager's list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offline/outbox.h"
#include "src/store.h"

struct fx {
    char dir[64];
    struct store *st;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/till-outbox-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/till.db", f->dir);
    assert_int_equal(store_open(path, &f->st, err, sizeof err), 0);
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

struct seen {
    int n;
    int64_t ids[16];
    char keys[16][OUTBOX_KEY_MAX];
    char payloads[16][64];
    int stop_after;   /* 0: take all */
};

static int collect(void *ctx, int64_t id, const char *key, const char *payload, size_t len)
{
    struct seen *s = ctx;
    if (s->stop_after && s->n == s->stop_after)
        return 1;
    assert_int_equal(strlen(payload), len);
    s->ids[s->n] = id;
    snprintf(s->keys[s->n], sizeof s->keys[0], "%s", key);
    snprintf(s->payloads[s->n], sizeof s->payloads[0], "%s", payload);
    s->n++;
    return 0;
}

static int64_t count(struct fx *f, enum outbox_state state)
{
    int64_t n = -1;
    assert_int_equal(outbox_count(f->st, state, &n), 0);
    return n;
}

static void enqueue_some(struct fx *f)
{
    assert_int_equal(outbox_enqueue(f->st, OUTBOX_ORDER, "T1:a", "{\"n\":1}", 100), 0);
    assert_int_equal(outbox_enqueue(f->st, OUTBOX_STOCK_ADJUSTMENT, "T1:adj", "{\"adj\":1}", 101), 0);
    assert_int_equal(outbox_enqueue(f->st, OUTBOX_ORDER, "T1:b", "{\"n\":2}", 102), 0);
    assert_int_equal(outbox_enqueue(f->st, OUTBOX_ORDER, "T1:c", "{\"n\":3}", 103), 0);
}

static void test_batches_oldest_first_per_kind(void **state)
{
    struct fx *f = *state;
    enqueue_some(f);
    /* an event is queued once: the same key again is refused */
    assert_int_not_equal(outbox_enqueue(f->st, OUTBOX_ORDER, "T1:a", "{}", 104), 0);
    assert_int_equal(count(f, OUTBOX_PENDING), 4);
    struct seen s = { 0 };
    assert_int_equal(outbox_next_batch(f->st, OUTBOX_ORDER, 2, collect, &s), 2);
    assert_string_equal(s.keys[0], "T1:a");
    assert_string_equal(s.keys[1], "T1:b");
    assert_string_equal(s.payloads[0], "{\"n\":1}");
    assert_true(s.ids[0] < s.ids[1]);
    memset(&s, 0, sizeof s);
    assert_int_equal(outbox_next_batch(f->st, OUTBOX_ORDER, 10, collect, &s), 3);
    assert_string_equal(s.keys[2], "T1:c");
    memset(&s, 0, sizeof s);
    assert_int_equal(outbox_next_batch(f->st, OUTBOX_STOCK_ADJUSTMENT, 10, collect, &s), 1);
    assert_string_equal(s.keys[0], "T1:adj");
    /* the callback can end a batch early (a full request body) */
    memset(&s, 0, sizeof s);
    s.stop_after = 1;
    assert_int_equal(outbox_next_batch(f->st, OUTBOX_ORDER, 10, collect, &s), 1);
}

static void test_mark_sent_and_park(void **state)
{
    struct fx *f = *state;
    enqueue_some(f);
    struct seen s = { 0 };
    assert_int_equal(outbox_next_batch(f->st, OUTBOX_ORDER, 10, collect, &s), 3);
    assert_int_equal(store_begin(f->st, STORE_TX_PLAIN), 0);
    assert_int_equal(outbox_mark_sent(f->st, s.ids[0], 500, "42"), 0);
    assert_int_equal(outbox_park(f->st, s.ids[1], "total does not add up", "rejected"), 0);
    assert_int_equal(store_commit(f->st), 0);

    struct outbox_entry e;
    assert_int_equal(outbox_get(f->st, "T1:a", &e), 0);
    assert_int_equal(e.state, OUTBOX_SENT);
    assert_int_equal(e.kind, OUTBOX_ORDER);
    assert_int_equal(e.sent_at, 500);
    assert_int_equal(e.created_at, 100);
    assert_int_equal(e.attempts, 1);
    assert_string_equal(e.server_ref, "42");
    assert_int_equal(outbox_get(f->st, "T1:b", &e), 0);
    assert_int_equal(e.state, OUTBOX_PARKED);
    assert_string_equal(e.last_error, "total does not add up");
    assert_int_equal(outbox_get(f->st, "T1:adj", &e), 0);
    assert_int_equal(e.kind, OUTBOX_STOCK_ADJUSTMENT);
    assert_int_equal(outbox_get(f->st, "no-such", &e), STORE_NOTFOUND);

    assert_int_equal(count(f, OUTBOX_PENDING), 2);
    assert_int_equal(count(f, OUTBOX_SENT), 1);
    assert_int_equal(count(f, OUTBOX_PARKED), 1);
    /* neither sent nor parked rows are sent again */
    memset(&s, 0, sizeof s);
    assert_int_equal(outbox_next_batch(f->st, OUTBOX_ORDER, 10, collect, &s), 1);
    assert_string_equal(s.keys[0], "T1:c");
    /* only a pending row changes state: a late answer does not revive a parked one */
    assert_int_equal(outbox_get(f->st, "T1:b", &e), 0);
    assert_int_equal(outbox_mark_sent(f->st, e.id, 600, "43"), 0);
    assert_int_equal(outbox_get(f->st, "T1:b", &e), 0);
    assert_int_equal(e.state, OUTBOX_PARKED);
}

static void test_retry_parked(void **state)
{
    struct fx *f = *state;
    enqueue_some(f);
    struct outbox_entry e;
    assert_int_equal(outbox_get(f->st, "T1:b", &e), 0);
    assert_int_equal(outbox_park(f->st, e.id, "bad", "refused"), 0);
    assert_int_equal(outbox_retry_parked(f->st, "no-such-key"), 1);
    assert_int_equal(outbox_retry_parked(f->st, "T1:c"), 1); /* pending, not parked */
    assert_int_equal(outbox_retry_parked(f->st, "T1:b"), 0);
    assert_int_equal(outbox_get(f->st, "T1:b", &e), 0);
    assert_int_equal(e.state, OUTBOX_PENDING);
    assert_int_equal(e.attempts, 0);
    assert_int_equal(count(f, OUTBOX_PARKED), 0);
    assert_int_equal(count(f, OUTBOX_PENDING), 4);
}

static void test_names_and_list(void **state)
{
    struct fx *f = *state;
    assert_string_equal(outbox_state_name(OUTBOX_PENDING), "pending");
    assert_string_equal(outbox_state_name(OUTBOX_SENT), "sent");
    assert_string_equal(outbox_state_name(OUTBOX_PARKED), "parked");
    assert_string_equal(outbox_kind_name(OUTBOX_ORDER), "order");
    assert_string_equal(outbox_kind_name(OUTBOX_STOCK_ADJUSTMENT), "stock_adjustment");
    enqueue_some(f);
    struct outbox_entry e;
    assert_int_equal(outbox_get(f->st, "T1:a", &e), 0);
    assert_int_equal(outbox_mark_sent(f->st, e.id, 500, "42"), 0);
    assert_int_equal(outbox_get(f->st, "T1:b", &e), 0);
    assert_int_equal(outbox_park(f->st, e.id, "unknown SKU", "rejected"), 0);
    char buf[2048] = "";
    FILE *out = fmemopen(buf, sizeof buf - 1, "w");
    assert_non_null(out);
    assert_int_equal(outbox_print(f->st, out), 0);
    fclose(out);
    assert_null(strstr(buf, "T1:a ")); /* sent: not listed */
    assert_non_null(strstr(buf, "parked"));
    assert_non_null(strstr(buf, "T1:b"));
    assert_non_null(strstr(buf, "unknown SKU"));
    assert_non_null(strstr(buf, "T1:c"));
    assert_non_null(strstr(buf, "3 not yet accepted"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_batches_oldest_first_per_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mark_sent_and_park, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_parked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names_and_list, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
