#include "src/print_queue.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_INS_RECEIPT[] =
    "INSERT INTO receipts (sale_uuid, receipt_no, terminal_id, created_at, text, escpos, copy_escpos)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_INS_JOB[] =
    "INSERT INTO print_jobs (receipt_id, kind, bytes, created_at) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_INS_DOCUMENT[] =
    "INSERT INTO print_jobs (kind, title, bytes, created_at) VALUES ('document', ?1, ?2, ?3)";
static const char SQL_INS_COPY[] =
    "INSERT INTO print_jobs (receipt_id, kind, bytes, created_at)"
    " SELECT id, 'copy', copy_escpos, ?2 FROM receipts WHERE id = ?1";
static const char SQL_FIND_BY_NO[] =
    "SELECT id, receipt_no FROM receipts WHERE receipt_no = ?1 ORDER BY id DESC LIMIT 1";
static const char SQL_FIND_LAST[] =
    "SELECT id, receipt_no FROM receipts ORDER BY id DESC LIMIT 1";
static const char SQL_NEXT[] =
    "SELECT j.id, COALESCE(r.receipt_no, 0), j.kind, j.bytes, j.attempts, COALESCE(j.last_error, ''),"
    " COALESCE(j.title, '')"
    " FROM print_jobs j LEFT JOIN receipts r ON r.id = j.receipt_id"
    " WHERE j.state = 'queued' ORDER BY j.id LIMIT 1";
static const char SQL_SET_STATE[] =
    "UPDATE print_jobs SET state = ?2, done_at = ?3 WHERE id = ?1 AND state = 'queued'";
static const char SQL_FAILED[] =
    "UPDATE print_jobs SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1";
static const char SQL_COUNT[] = "SELECT count(*) FROM print_jobs WHERE state = 'queued'";
static const char SQL_TEXT[] =
    "SELECT text FROM receipts WHERE receipt_no = ?1 ORDER BY id DESC LIMIT 1";

static int insert_job(struct store *st, int64_t receipt_id, const char *kind,
                      const void *bytes, size_t len, int64_t now, int64_t *job_id)
{
    sqlite3_stmt *s = store_stmt(st, SQL_INS_JOB);
    if (!s)
        return STORE_ERROR;
    if (receipt_id)
        sqlite3_bind_int64(s, 1, receipt_id);
    sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_blob64(s, 3, bytes, len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, now);
    int rc = store_step(st, s);
    if (rc == STORE_OK && job_id)
        *job_id = store_last_insert_id(st);
    return rc;
}

int print_queue_add_receipt(struct store *st, const struct receipt_record *r, int64_t *job_id)
{
    int rc = store_begin(st, STORE_TX_PLAIN);
    if (rc)
        return rc;
    sqlite3_stmt *s = store_stmt(st, SQL_INS_RECEIPT);
    rc = STORE_ERROR;
    if (s) {
        sqlite3_bind_text(s, 1, r->sale_uuid, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, r->receipt_no);
        sqlite3_bind_text(s, 3, r->terminal_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, r->created_at);
        sqlite3_bind_text(s, 5, r->text, -1, SQLITE_STATIC);
        sqlite3_bind_blob64(s, 6, r->escpos, r->escpos_len, SQLITE_STATIC);
        sqlite3_bind_blob64(s, 7, r->copy, r->copy_len, SQLITE_STATIC);
        rc = store_step(st, s);
    }
    if (rc == STORE_OK)
        rc = insert_job(st, store_last_insert_id(st), "receipt", r->escpos, r->escpos_len,
                        r->created_at, job_id);
    if (rc == STORE_OK)
        return store_commit(st);
    store_rollback(st);
    return rc;
}

/* The receipt's id and number: by number, or the last one for 0. */
static int find_receipt(struct store *st, int64_t receipt_no, int64_t *id, int64_t *no)
{
    sqlite3_stmt *s = store_stmt(st, receipt_no ? SQL_FIND_BY_NO : SQL_FIND_LAST);
    if (!s)
        return STORE_ERROR;
    if (receipt_no)
        sqlite3_bind_int64(s, 1, receipt_no);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_NOTFOUND : rc;
    *id = sqlite3_column_int64(s, 0);
    *no = sqlite3_column_int64(s, 1);
    sqlite3_reset(s);
    return STORE_OK;
}

int print_queue_add_copy(struct store *st, int64_t receipt_no, int64_t now, int64_t *found_no,
                         int64_t *job_id)
{
    int64_t id, no;
    int rc = find_receipt(st, receipt_no, &id, &no);
    if (rc)
        return rc;
    sqlite3_stmt *s = store_stmt(st, SQL_INS_COPY);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, now);
    rc = store_step(st, s);
    if (rc == STORE_OK) {
        if (found_no)
            *found_no = no;
        if (job_id)
            *job_id = store_last_insert_id(st);
    }
    return rc;
}

int print_queue_add_bytes(struct store *st, int64_t receipt_no, const char *kind,
                          const unsigned char *bytes, size_t len, int64_t now, int64_t *job_id)
{
    int64_t id = 0, no;
    if (receipt_no) {
        int rc = find_receipt(st, receipt_no, &id, &no);
        if (rc)
            return rc;
    }
    return insert_job(st, id, kind, bytes, len, now, job_id);
}

int print_queue_add_document(struct store *st, const char *title, const unsigned char *bytes, size_t len,
                             int64_t now, int64_t *job_id)
{
    sqlite3_stmt *s = store_stmt(st, SQL_INS_DOCUMENT);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, title, -1, SQLITE_STATIC);
    sqlite3_bind_blob64(s, 2, bytes, len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now);
    int rc = store_step(st, s);
    if (rc == STORE_OK && job_id)
        *job_id = store_last_insert_id(st);
    return rc;
}

int print_queue_next(struct store *st, struct print_job *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = store_stmt(st, SQL_NEXT);
    if (!s)
        return STORE_ERROR;
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_NOTFOUND : rc;
    out->id = sqlite3_column_int64(s, 0);
    out->receipt_no = sqlite3_column_int64(s, 1);
    snprintf(out->kind, sizeof out->kind, "%s", (const char *)sqlite3_column_text(s, 2));
    int n = sqlite3_column_bytes(s, 3);
    out->bytes = malloc(n > 0 ? (size_t)n : 1);
    if (out->bytes && n > 0)
        memcpy(out->bytes, sqlite3_column_blob(s, 3), (size_t)n);
    out->len = n > 0 ? (size_t)n : 0;
    out->attempts = sqlite3_column_int(s, 4);
    snprintf(out->last_error, sizeof out->last_error, "%s", (const char *)sqlite3_column_text(s, 5));
    snprintf(out->title, sizeof out->title, "%s", (const char *)sqlite3_column_text(s, 6));
    sqlite3_reset(s);
    return out->bytes ? STORE_OK : STORE_ERROR;
}

void print_job_free(struct print_job *job)
{
    free(job->bytes);
    job->bytes = NULL;
}

static int set_state(struct store *st, int64_t job_id, const char *state, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, SQL_SET_STATE);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, job_id);
    sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now);
    int rc = store_step(st, s);
    if (rc == STORE_OK && store_changes(st) == 0)
        return STORE_NOTFOUND;
    return rc;
}

int print_queue_printed(struct store *st, int64_t job_id, int64_t now)
{
    return set_state(st, job_id, "printed", now);
}

int print_queue_skip(struct store *st, int64_t job_id, int64_t now)
{
    return set_state(st, job_id, "skipped", now);
}

int print_queue_failed(struct store *st, int64_t job_id, const char *why)
{
    sqlite3_stmt *s = store_stmt(st, SQL_FAILED);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, job_id);
    sqlite3_bind_text(s, 2, why, -1, SQLITE_STATIC);
    return store_step(st, s);
}

int print_queue_count(struct store *st, int64_t *queued)
{
    sqlite3_stmt *s = store_stmt(st, SQL_COUNT);
    if (!s)
        return STORE_ERROR;
    return store_row_int64(st, s, queued);
}

int print_queue_receipt_text(struct store *st, int64_t receipt_no, char **text)
{
    sqlite3_stmt *s = store_stmt(st, SQL_TEXT);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, receipt_no);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_NOTFOUND : rc;
    *text = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return *text ? STORE_OK : STORE_ERROR;
}
