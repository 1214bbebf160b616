/* The stock_counts module on a real SQLite file (src/stock_counts.c): one open count per
 * zone, entries saved one by one and replayed in order after a restart, undo, the count
 * that was on screen, submitted once; and the count adjustments it queues in the outbox
 * (offline/adjustment.c): their wire format and key, queued once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offline/adjustment.h"
#include "offline/outbox.h"
#include "src/stock.h"
#include "src/stock_counts.h"
#include "src/store.h"

struct fx {
    char dir[64], path[128];
    struct store *st;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/till-counts-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char err[256];
    snprintf(f->path, sizeof f->path, "%s/till.db", f->dir);
    assert_int_equal(store_open(f->path, &f->st, err, sizeof err), 0);
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

static void reopen(struct fx *f)
{
    char err[256];
    store_close(f->st);
    assert_int_equal(store_open(f->path, &f->st, err, sizeof err), 0);
}

static struct stock_count_info count_of(const char *id, const char *zone, int64_t at)
{
    struct stock_count_info c;
    memset(&c, 0, sizeof c);
    snprintf(c.id, sizeof c.id, "%s", id);
    snprintf(c.zone, sizeof c.zone, "%s", zone);
    c.blind = 1;
    snprintf(c.counted_by, sizeof c.counted_by, "anna");
    c.started_at = at;
    return c;
}

static struct count_entry scan(const char *sku, int64_t qty, int64_t at)
{
    struct count_entry e;
    memset(&e, 0, sizeof e);
    e.op = COUNT_ADD;
    snprintf(e.sku, sizeof e.sku, "%s", sku);
    snprintf(e.barcode, sizeof e.barcode, "code-%s", sku);
    snprintf(e.name, sizeof e.name, "name of %s", sku);
    e.unit = UNIT_EACH;
    e.price = 100;
    e.qty = qty;
    e.at = at;
    return e;
}

static int fold(void *ctx, const struct count_entry *e)
{
    return count_tally_apply(ctx, e) ? 1 : 0;
}

static void test_one_open_count_per_zone(void **state)
{
    struct fx *f = *state;
    char existing[STOCK_COUNT_ID_LEN] = "";
    struct stock_count_info a = count_of("ca", "floor", 100), b = count_of("cb", "floor", 101),
                            c = count_of("cc", "backroom", 102);
    assert_int_equal(stock_count_create(f->st, &a, existing), STORE_OK);
    assert_int_equal(stock_count_create(f->st, &b, existing), STORE_EBUSY);
    assert_string_equal(existing, "ca");
    assert_int_equal(stock_count_create(f->st, &c, existing), STORE_OK);
    struct stock_count_info list[4];
    assert_int_equal(stock_count_list_open(f->st, list, 4), 2);
    assert_string_equal(list[0].id, "cc");   /* newest first */
    assert_string_equal(list[1].id, "ca");
    /* once submitted, the zone may be counted again */
    assert_int_equal(store_begin(f->st, STORE_TX_PLAIN), STORE_OK);
    assert_int_equal(stock_count_mark_submitted(f->st, "ca", 200), STORE_OK);
    assert_int_equal(store_commit(f->st), STORE_OK);
    assert_int_equal(stock_count_mark_submitted(f->st, "ca", 201), STORE_NOTFOUND);   /* once */
    assert_int_equal(stock_count_create(f->st, &b, existing), STORE_OK);
    struct stock_count_info got;
    assert_int_equal(stock_count_get(f->st, "ca", &got), STORE_OK);
    assert_true(got.submitted);
    assert_int_equal(got.finished_at, 200);
    assert_int_equal(stock_count_get(f->st, "nope", &got), STORE_NOTFOUND);
}

static void test_entries_survive_a_restart_exactly(void **state)
{
    struct fx *f = *state;
    char existing[STOCK_COUNT_ID_LEN];
    struct stock_count_info c = count_of("c1", "floor", 100);
    assert_int_equal(stock_count_create(f->st, &c, existing), STORE_OK);
    assert_int_equal(stock_count_set_active(f->st, "c1", 1), STORE_OK);
    struct count_entry e1 = scan("A", 1000, 101), e2 = scan("B", 12000, 102), e3 = scan("A", 1000, 103),
                       e4 = scan("", 1000, 104);
    snprintf(e4.barcode, sizeof e4.barcode, "9999999999994");
    assert_int_equal(stock_count_add_entry(f->st, "c1", &e1), STORE_OK);
    assert_int_equal(stock_count_add_entry(f->st, "c1", &e2), STORE_OK);
    assert_int_equal(stock_count_add_entry(f->st, "c1", &e3), STORE_OK);
    assert_int_equal(stock_count_add_entry(f->st, "c1", &e4), STORE_OK);
    assert_int_equal(e1.seq, 1);
    assert_int_equal(e4.seq, 4);
    struct count_entry set = scan("B", 7000, 105);
    set.op = COUNT_SET;
    assert_int_equal(stock_count_add_entry(f->st, "c1", &set), STORE_OK);

    reopen(f);   /* as after kill -9: every entry was committed on its own */
    struct stock_count_info active;
    assert_int_equal(stock_count_find_active(f->st, &active), STORE_OK);
    assert_string_equal(active.id, "c1");
    assert_int_equal(active.entries, 5);
    struct count_tally t;
    count_tally_init(&t);
    assert_int_equal(stock_count_each_entry(f->st, "c1", fold, &t), STORE_OK);
    assert_int_equal(t.n, 3);
    assert_string_equal(t.items[0].sku, "A");
    assert_int_equal(t.items[0].counted, 2000);
    assert_int_equal(t.items[0].counted_at, 103);
    assert_string_equal(t.items[0].name, "name of A");
    assert_int_equal(t.items[1].counted, 7000);
    assert_string_equal(t.items[2].barcode, "9999999999994");
    assert_int_equal(t.last_item, 1);
    count_tally_free(&t);

    /* undo takes back the last entry, then the one before; the rows stay, marked */
    struct count_entry undone;
    assert_int_equal(stock_count_undo_last(f->st, "c1", &undone), STORE_OK);
    assert_int_equal(undone.op, COUNT_SET);
    assert_int_equal(undone.qty, 7000);
    assert_int_equal(stock_count_undo_last(f->st, "c1", &undone), STORE_OK);
    assert_string_equal(undone.barcode, "9999999999994");
    count_tally_init(&t);
    assert_int_equal(stock_count_each_entry(f->st, "c1", fold, &t), STORE_OK);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.items[1].counted, 12000);
    count_tally_free(&t);
    /* a new entry after an undo follows the last seq, never reuses one */
    struct count_entry e5 = scan("C", 1000, 106);
    assert_int_equal(stock_count_add_entry(f->st, "c1", &e5), STORE_OK);
    assert_int_equal(e5.seq, 6);

    /* paused: not on screen at the next start */
    assert_int_equal(stock_count_set_active(f->st, "c1", 0), STORE_OK);
    assert_int_equal(stock_count_find_active(f->st, &active), STORE_NOTFOUND);
    assert_int_equal(stock_count_set_uncounted_as_zero(f->st, "c1", 1), STORE_OK);
    assert_int_equal(stock_count_get(f->st, "c1", &active), STORE_OK);
    assert_true(active.uncounted_as_zero);
    assert_int_equal(active.entries, 4);

    assert_int_equal(stock_count_undo_last(f->st, "none", &undone), STORE_NOTFOUND);
}

static int positive(void *ctx, const char *sku, int64_t on_hand)
{
    char *seen = ctx;
    size_t n = strlen(seen);
    snprintf(seen + n, 64 - n, "%s=%lld;", sku, (long long)on_hand);
    return 0;
}

static void test_expected_levels_of_a_zone(void **state)
{
    struct fx *f = *state;
    assert_int_equal(stock_level_set(f->st, "B", "floor", 3000, 1), STORE_OK);
    assert_int_equal(stock_level_set(f->st, "A", "floor", 1000, 2), STORE_OK);
    assert_int_equal(stock_level_set(f->st, "C", "floor", 0, 3), STORE_OK);
    assert_int_equal(stock_level_set(f->st, "D", "floor", -2000, 4), STORE_OK);
    assert_int_equal(stock_level_set(f->st, "A", "backroom", 9000, 5), STORE_OK);
    char seen[64] = "";
    assert_int_equal(stock_levels_each_positive(f->st, "floor", positive, seen), STORE_OK);
    assert_string_equal(seen, "A=1000;B=3000;");
}

static int grab(void *ctx, int64_t id, const char *key, const char *payload, size_t len)
{
    char *out = ctx;
    size_t n = strlen(out);
    snprintf(out + n, 1024 - n, "%s|%s\n", key, payload);
    return 0;
}

static void test_count_adjustments_queued_once(void **state)
{
    struct fx *f = *state;
    struct stock_adjustment a = { "T1", "c0123456789abcdef", "SKU10001", "floor", "count", 12000,
                                  1700000000, "count c0123456789abcdef zone floor by anna" };
    char key[OUTBOX_KEY_MAX], *json = NULL;
    adjustment_idempotency_key(&a, key, sizeof key);
    assert_string_equal(key, "T1:c0123456789abcdef:SKU10001");
    assert_int_equal(adjustment_to_json(&a, &json), 0);
    assert_string_equal(json, "{\"idempotency_key\":\"T1:c0123456789abcdef:SKU10001\",\"sku\":\"SKU10001\","
                              "\"location\":\"floor\",\"kind\":\"count\",\"quantity\":12000,"
                              "\"occurred_at\":1700000000,\"reason\":\"count c0123456789abcdef zone floor by anna\"}");
    free(json);
    assert_int_equal(store_begin(f->st, STORE_TX_PLAIN), STORE_OK);
    assert_int_equal(adjustment_enqueue(f->st, &a, 1700000100), STORE_OK);
    a.sku = "SKU10002";
    a.quantity = 0;
    assert_int_equal(adjustment_enqueue(f->st, &a, 1700000100), STORE_OK);
    assert_int_equal(store_commit(f->st), STORE_OK);
    /* the same count's item again is refused: a count is queued once */
    assert_true(adjustment_enqueue(f->st, &a, 1700000200) != STORE_OK);
    char rows[1024] = "";
    assert_int_equal(outbox_next_batch(f->st, OUTBOX_STOCK_ADJUSTMENT, 10, grab, rows), 2);
    assert_non_null(strstr(rows, "T1:c0123456789abcdef:SKU10001|{"));
    assert_non_null(strstr(rows, "T1:c0123456789abcdef:SKU10002|{\"idempotency_key\":\"T1:c0123456789abcdef:SKU10002\","
                                 "\"sku\":\"SKU10002\",\"location\":\"floor\",\"kind\":\"count\",\"quantity\":0,"));
    assert_int_equal(outbox_next_batch(f->st, OUTBOX_ORDER, 10, grab, rows), 0);
}

/* Goods in beside a count of the same zone; a count given up is kept, marked, and frees its
 * zone; it cannot be given up twice or after it was submitted. */
static void test_goods_in_and_abandon(void **state)
{
    struct fx *f = *state;
    char existing[STOCK_COUNT_ID_LEN] = "";
    struct stock_count_info count = count_of("ca", "floor", 100), goods = count_of("ga", "floor", 101),
                            goods2 = count_of("gb", "floor", 102);
    goods.receiving = goods2.receiving = 1;
    assert_int_equal(stock_count_create(f->st, &count, existing), STORE_OK);
    assert_int_equal(stock_count_create(f->st, &goods, existing), STORE_OK);
    assert_int_equal(stock_count_create(f->st, &goods2, existing), STORE_EBUSY);
    assert_string_equal(existing, "ga");
    struct count_entry e = scan("SKU1", 1000, 110);
    assert_int_equal(stock_count_add_entry(f->st, "ca", &e), STORE_OK);
    reopen(f);
    struct stock_count_info got;
    assert_int_equal(stock_count_get(f->st, "ga", &got), STORE_OK);
    assert_true(got.receiving);
    assert_int_equal(stock_count_get(f->st, "ca", &got), STORE_OK);
    assert_false(got.receiving);

    assert_int_equal(stock_count_abandon(f->st, "ca", 120, "anna"), STORE_OK);
    assert_int_equal(stock_count_abandon(f->st, "ca", 121, "anna"), STORE_NOTFOUND);   /* once */
    assert_int_equal(stock_count_get(f->st, "ca", &got), STORE_OK);
    assert_true(got.abandoned);
    assert_false(got.submitted);
    assert_int_equal(got.finished_at, 120);
    assert_int_equal(got.entries, 1);   /* its entries stay for the record */
    struct stock_count_info list[4];
    assert_int_equal(stock_count_list_open(f->st, list, 4), 1);
    assert_string_equal(list[0].id, "ga");
    struct stock_count_info again = count_of("cb", "floor", 130);
    assert_int_equal(stock_count_create(f->st, &again, existing), STORE_OK);   /* the zone is free */
    assert_int_equal(store_begin(f->st, STORE_TX_PLAIN), STORE_OK);
    assert_int_equal(stock_count_mark_submitted(f->st, "cb", 140), STORE_OK);
    assert_int_equal(store_commit(f->st), STORE_OK);
    assert_int_equal(stock_count_abandon(f->st, "cb", 150, "anna"), STORE_NOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_open_count_per_zone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entries_survive_a_restart_exactly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expected_levels_of_a_zone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_count_adjustments_queued_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_goods_in_and_abandon, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
