/* The hash-chained audit log (issue 12): every row holds the hash of the one before, so a
 * changed, deleted or smuggled-in row is found and named by store_audit_verify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offline/audit_doc.h"
#include "offline/outbox.h"
#include "src/store.h"

struct fx {
    char dir[64];
    char path[128];
    struct store *st;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/till-audit-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/till.db", f->dir);
    char err[256];
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

/* Runs sql on a second connection, as someone with the sqlite3 shell would; returns the
 * SQLite result code. */
static int tamper(struct fx *f, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

static void write_five(struct fx *f)
{
    static const char *const events[] = { "signon", "line_void", "no_sale", "sale_cancelled", "signoff" };
    for (int i = 0; i < 5; i++)
        assert_int_equal(store_audit(f->st, 1000 + i, "T1", "7", events[i], i == 2 ? "" : "detail"), STORE_OK);
}

static int verify(struct fx *f, struct store_audit_check *c, char *why, size_t len)
{
    return store_audit_verify(f->st, c, why, len);
}

/* The encoding is the contract with the server: pinned here against a hash of the bytes
 * written out by hand. */
static void test_hash_encoding_is_pinned(void **state)
{
    (void)state;
    static const char bytes[] = "13:till-audit-v1" "4:1000" "2:T1" "1:7" "6:signon" "-" "-";
    unsigned char digest[crypto_hash_sha256_BYTES];
    char want[STORE_AUDIT_HASH_HEX], got[STORE_AUDIT_HASH_HEX];
    crypto_hash_sha256(digest, (const unsigned char *)bytes, sizeof bytes - 1);
    sodium_bin2hex(want, sizeof want, digest, sizeof digest);
    store_audit_hash(1000, "T1", "7", "signon", NULL, NULL, got);
    assert_string_equal(got, want);
    store_audit_hash(1000, "T1", "7", "signon", "", "", got);
    assert_string_equal(got, want); /* empty detail and no previous row encode as NULL */
    store_audit_hash(1000, "T1", "7", "signon", "x", NULL, got);
    assert_string_not_equal(got, want);
    /* lengths keep fields apart: moving a byte from one field to the next changes it */
    char a[STORE_AUDIT_HASH_HEX], b[STORE_AUDIT_HASH_HEX];
    store_audit_hash(1, "T1", "7x", "e", NULL, NULL, a);
    store_audit_hash(1, "T1", "7", "xe", NULL, NULL, b);
    assert_string_not_equal(a, b);
}

static void test_intact_chain_verifies(void **state)
{
    struct fx *f = *state;
    struct store_audit_check c;
    char why[300];
    assert_int_equal(verify(f, &c, why, sizeof why), 0); /* empty log */
    write_five(f);
    assert_int_equal(verify(f, &c, why, sizeof why), 0);
    assert_int_equal(c.chained, 5);
    assert_int_equal(c.unchained, 0);
    /* each row names the one before */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM audit_log a JOIN audit_log b ON b.id = a.id + 1"
                                            " AND b.prev_hash = a.hash", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 4);
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static void test_log_is_append_only(void **state)
{
    struct fx *f = *state;
    write_five(f);
    assert_int_not_equal(tamper(f, "UPDATE audit_log SET detail = 'nothing' WHERE id = 2"), SQLITE_OK);
    assert_int_not_equal(tamper(f, "DELETE FROM audit_log WHERE id = 2"), SQLITE_OK);
    struct store_audit_check c;
    char why[300];
    assert_int_equal(verify(f, &c, why, sizeof why), 0);
}

static void test_changed_row_is_named(void **state)
{
    struct fx *f = *state;
    write_five(f);
    assert_int_equal(tamper(f, "DROP TRIGGER audit_log_no_update;"
                               " UPDATE audit_log SET detail = 'nothing to see' WHERE id = 3"), SQLITE_OK);
    struct store_audit_check c;
    char why[300];
    assert_int_equal(verify(f, &c, why, sizeof why), 1);
    assert_int_equal(c.broken_id, 3);
    assert_non_null(strstr(why, "row 3 was changed"));
}

static void test_rewritten_row_breaks_the_next(void **state)
{
    struct fx *f = *state;
    write_five(f);
    /* someone who also recomputes row 2's own hash still breaks row 3's link */
    char h[STORE_AUDIT_HASH_HEX], sql[400];
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT prev_hash FROM audit_log WHERE id = 2", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    store_audit_hash(1001, "T1", "7", "line_void", "forged", (const char *)sqlite3_column_text(s, 0), h);
    sqlite3_finalize(s);
    sqlite3_close(db);
    snprintf(sql, sizeof sql, "DROP TRIGGER audit_log_no_update;"
                              " UPDATE audit_log SET detail = 'forged', hash = '%s' WHERE id = 2", h);
    assert_int_equal(tamper(f, sql), SQLITE_OK);
    struct store_audit_check c;
    char why[300];
    assert_int_equal(verify(f, &c, why, sizeof why), 1);
    assert_int_equal(c.broken_id, 3);
}

static void test_deleted_row_is_named(void **state)
{
    struct fx *f = *state;
    write_five(f);
    assert_int_equal(tamper(f, "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = 3"), SQLITE_OK);
    struct store_audit_check c;
    char why[300];
    assert_int_equal(verify(f, &c, why, sizeof why), 1);
    assert_int_equal(c.broken_id, 4);
    assert_non_null(strstr(why, "row 4 does not follow row 2"));
}

static void test_deleted_newest_rows_are_found(void **state)
{
    struct fx *f = *state;
    write_five(f);
    assert_int_equal(tamper(f, "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id >= 4"), SQLITE_OK);
    struct store_audit_check c;
    char why[300];
    assert_int_equal(verify(f, &c, why, sizeof why), 1);
    assert_int_equal(c.broken_id, 3);
    assert_non_null(strstr(why, "after row 3"));
    /* and all of them */
    assert_int_equal(tamper(f, "DELETE FROM audit_log"), SQLITE_OK);
    assert_int_equal(verify(f, &c, why, sizeof why), 1);
}

static void test_older_rows_before_the_chain(void **state)
{
    struct fx *f = *state;
    /* rows from before migration 018 carry no hash: they precede the chain */
    assert_int_equal(tamper(f, "INSERT INTO audit_log (at, terminal_id, cashier, event) VALUES (1, 'T1', '7', 'old')"),
                     SQLITE_OK);
    write_five(f);
    struct store_audit_check c;
    char why[300];
    assert_int_equal(verify(f, &c, why, sizeof why), 0);
    assert_int_equal(c.unchained, 1);
    assert_int_equal(c.chained, 5);
    /* but a row without a hash inside the chain is smuggled in */
    assert_int_equal(tamper(f, "INSERT INTO audit_log (at, terminal_id, cashier, event) VALUES (9, 'T1', '7', 'x')"),
                     SQLITE_OK);
    assert_int_equal(verify(f, &c, why, sizeof why), 1);
    assert_int_equal(c.broken_id, 7);
}

/* Inside a transaction that is rolled back, the row and the head go together. */
static void test_rolled_back_audit_leaves_the_chain_whole(void **state)
{
    struct fx *f = *state;
    write_five(f);
    assert_int_equal(store_begin(f->st, STORE_TX_PLAIN), STORE_OK);
    assert_int_equal(store_audit(f->st, 2000, "T1", "7", "no_sale", NULL), STORE_OK);
    store_rollback(f->st);
    assert_int_equal(store_audit(f->st, 2001, "T1", "7", "signoff", NULL), STORE_OK);
    struct store_audit_check c;
    char why[300];
    assert_int_equal(verify(f, &c, why, sizeof why), 0);
    assert_int_equal(c.chained, 6);
}

struct seen {
    int n;
    char keys[8][64];
    char payload[2048];
};

static int seen_row(void *ctx, int64_t id, const char *key, const char *payload, size_t len)
{
    struct seen *s = ctx;
    if (s->n < 8)
        snprintf(s->keys[s->n++], sizeof s->keys[0], "%s", key);
    snprintf(s->payload, sizeof s->payload, "%.*s", (int)len, payload);
    return 0;
}

/* Each chained row is queued for the server once, in order, with its hash; rows written
 * later follow at the next call. */
static void test_rows_queued_for_the_server_once(void **state)
{
    struct fx *f = *state;
    write_five(f);
    assert_int_equal(audit_doc_enqueue_new(f->st, 500), 5);
    assert_int_equal(audit_doc_enqueue_new(f->st, 500), 0);
    assert_int_equal(store_audit(f->st, 2000, "T1", "9", "z_report", "z 1"), STORE_OK);
    assert_int_equal(audit_doc_enqueue_new(f->st, 500), 1);
    struct seen s = { 0 };
    assert_int_equal(outbox_next_batch(f->st, OUTBOX_AUDIT, 8, seen_row, &s), 6);
    for (int i = 0; i < 6; i++) {
        char want[64];
        snprintf(want, sizeof want, "T1:audit:%d", i + 1);
        assert_string_equal(s.keys[i], want);
    }
    char hash[STORE_AUDIT_HASH_HEX];
    struct store_audit_check c;
    char why[256];
    assert_int_equal(store_audit_verify(f->st, &c, why, sizeof why), 0);
    assert_non_null(strstr(s.payload, "\"event\":\"z_report\""));
    assert_non_null(strstr(s.payload, "\"seq\":6"));
    /* the payload's hash is the row's, over its fields and the previous row's hash */
    const char *h = strstr(s.payload, "\"hash\":\"");
    const char *p = strstr(s.payload, "\"prev_hash\":\"");
    assert_non_null(h);
    assert_non_null(p);
    char prev[STORE_AUDIT_HASH_HEX];
    snprintf(prev, sizeof prev, "%.64s", p + 13);
    store_audit_hash(2000, "T1", "9", "z_report", "z 1", prev, hash);
    assert_int_equal(strncmp(h + 8, hash, 64), 0);
    /* audit rows are not "queued sales" */
    int64_t n = -1;
    assert_int_equal(outbox_count(f->st, OUTBOX_PENDING, &n), STORE_OK);
    assert_int_equal(n, 0);
}

/* The canonical encoding as assets/store-api.yaml (AuditRow) spells it, with its example:
 * the server re-implements it from that text, so the text and this code must agree. */
static void test_canonical_encoding_as_specified(void **state)
{
    char h[STORE_AUDIT_HASH_HEX];
    store_audit_hash(1000, "T1", "9", "signon", "manager", NULL, h);
    assert_string_equal(h, "5ee80360a575490f40f4db35fc52dfd62392de9824a1175f3b80cd6535901321");
    /* empty detail and prev_hash are written as null */
    char e[STORE_AUDIT_HASH_HEX];
    store_audit_hash(1000, "T1", "9", "signon", "manager", "", e);
    assert_string_equal(h, e);
}

int main(void)
{
    assert_true(sodium_init() >= 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_encoding_as_specified),
        cmocka_unit_test_setup_teardown(test_rows_queued_for_the_server_once, setup, teardown),
        cmocka_unit_test(test_hash_encoding_is_pinned),
        cmocka_unit_test_setup_teardown(test_intact_chain_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_is_append_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_row_is_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rewritten_row_breaks_the_next, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_row_is_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_newest_rows_are_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_older_rows_before_the_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rolled_back_audit_leaves_the_chain_whole, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
