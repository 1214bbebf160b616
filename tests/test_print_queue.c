/* The print queue: a receipt is queued with its sale's receipt, stays queued through
 * failed attempts and a restart, leaves the queue only when printed or skipped; reprints
 * queue the COPY bytes, of the last receipt or by number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/print_queue.h"
#include "src/store.h"

static char path[] = "/tmp/till-pq-XXXXXX";

static struct store *open_store(void)
{
    struct store *st;
    char err[256];
    if (store_open(path, &st, err, sizeof err))
        fail_msg("store_open: %s", err);
    return st;
}

static void add(struct store *st, const char *uuid, int64_t no, const char *bytes, const char *copy)
{
    struct receipt_record r = { uuid, no, "T1", 1000 + no, "text", (const unsigned char *)bytes,
                                strlen(bytes), (const unsigned char *)copy, strlen(copy) };
    int64_t job;
    assert_int_equal(print_queue_add_receipt(st, &r, &job), STORE_OK);
    assert_true(job > 0);
}

static void test_queue_survives_restart_until_printed(void **state)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    struct store *st = open_store();
    struct print_job j;
    assert_int_equal(print_queue_next(st, &j), STORE_NOTFOUND);
    add(st, "u1", 1, "R1", "C1");
    add(st, "u2", 2, "R2", "C2");
    int64_t n;
    assert_int_equal(print_queue_count(st, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(print_queue_next(st, &j), STORE_OK);
    assert_int_equal(j.receipt_no, 1);
    assert_string_equal(j.kind, "receipt");
    assert_memory_equal(j.bytes, "R1", 2);
    assert_int_equal(print_queue_failed(st, j.id, "paper out"), STORE_OK);
    int64_t first = j.id;
    print_job_free(&j);
    store_close(st);

    st = open_store();   /* a restart: the failed job is still first */
    assert_int_equal(print_queue_next(st, &j), STORE_OK);
    assert_int_equal(j.id, first);
    assert_int_equal(j.attempts, 1);
    assert_string_equal(j.last_error, "paper out");
    assert_int_equal(print_queue_printed(st, j.id, 2000), STORE_OK);
    assert_int_equal(print_queue_printed(st, j.id, 2000), STORE_NOTFOUND);  /* once */
    print_job_free(&j);
    assert_int_equal(print_queue_next(st, &j), STORE_OK);
    assert_int_equal(j.receipt_no, 2);
    assert_int_equal(print_queue_skip(st, j.id, 2000), STORE_OK);
    print_job_free(&j);
    assert_int_equal(print_queue_next(st, &j), STORE_NOTFOUND);

    /* reprints: the last receipt, then number 1, as COPY bytes */
    int64_t no, job;
    assert_int_equal(print_queue_add_copy(st, 0, 3000, &no, &job), STORE_OK);
    assert_int_equal(no, 2);
    assert_int_equal(print_queue_add_copy(st, 1, 3000, &no, &job), STORE_OK);
    assert_int_equal(no, 1);
    assert_int_equal(print_queue_add_copy(st, 99, 3000, &no, &job), STORE_NOTFOUND);
    assert_int_equal(print_queue_next(st, &j), STORE_OK);
    assert_string_equal(j.kind, "copy");
    assert_memory_equal(j.bytes, "C2", 2);
    assert_int_equal(print_queue_printed(st, j.id, 3001), STORE_OK);
    print_job_free(&j);
    assert_int_equal(print_queue_next(st, &j), STORE_OK);
    assert_memory_equal(j.bytes, "C1", 2);
    print_job_free(&j);
    assert_int_equal(print_queue_add_bytes(st, 1, "gift", (const unsigned char *)"G", 1, 3002, &job), STORE_OK);
    char *text;
    assert_int_equal(print_queue_receipt_text(st, 2, &text), STORE_OK);
    assert_string_equal(text, "text");
    free(text);
    /* one receipt per sale */
    struct receipt_record dup = { "u1", 3, "T1", 1, "t", (const unsigned char *)"x", 1,
                                  (const unsigned char *)"y", 1 };
    assert_int_not_equal(print_queue_add_receipt(st, &dup, NULL), STORE_OK);
    assert_int_equal(print_queue_count(st, &n), 0);
    assert_int_equal(n, 2);   /* the copy of 1 and the gift */
    store_close(st);
    unlink(path);
    char wal[300];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
}

/* A document (a count's variance report) queues after the receipts before it, keeps its
 * title through a restart, and leaves the queue only printed. */
static void test_document_jobs(void **state)
{
    snprintf(path, sizeof path, "/tmp/till-pq-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    struct store *st = open_store();
    add(st, "u1", 1, "R1", "C1");
    int64_t job;
    const unsigned char doc[] = "\x1b@STOCK COUNT c1\n";
    assert_int_equal(print_queue_add_document(st, "Count report c1", doc, sizeof doc - 1, 5000, &job), STORE_OK);
    store_close(st);
    st = open_store();
    struct print_job j;
    assert_int_equal(print_queue_next(st, &j), STORE_OK);
    assert_string_equal(j.kind, "receipt");
    assert_string_equal(j.title, "");
    assert_int_equal(print_queue_printed(st, j.id, 5001), STORE_OK);
    print_job_free(&j);
    assert_int_equal(print_queue_next(st, &j), STORE_OK);
    assert_int_equal(j.id, job);
    assert_string_equal(j.kind, "document");
    assert_string_equal(j.title, "Count report c1");
    assert_int_equal(j.receipt_no, 0);
    assert_int_equal(j.len, sizeof doc - 1);
    assert_memory_equal(j.bytes, doc, sizeof doc - 1);
    assert_int_equal(print_queue_failed(st, j.id, "paper out"), STORE_OK);
    assert_int_equal(print_queue_printed(st, j.id, 5002), STORE_OK);
    print_job_free(&j);
    assert_int_equal(print_queue_next(st, &j), STORE_NOTFOUND);
    store_close(st);
    unlink(path);
    char wal[300];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_survives_restart_until_printed),
        cmocka_unit_test(test_document_jobs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
