#include "src/print_queue.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Statements are few and run once per receipt: prepared per call, as the payment
 * journal does. */
static sqlite3_stmt *prepare(struct store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
        sqlite3_finalize(s);
        return NULL;
    }
    return s;
}

static int step_done(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc == SQLITE_DONE)
        return STORE_OK;
    return rc == SQLITE_FULL ? STORE_EFULL : rc == SQLITE_BUSY ? STORE_EBUSY : STORE_ERROR;
}

static int exec(struct store *st, const char *sql)
{
    return sqlite3_exec(store_db(st), sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : STORE_ERROR;
}

static int insert_job(struct store *st, int64_t receipt_id, const char *kind,
                      const void *bytes, size_t len, int64_t now, int64_t *job_id)
{
    sqlite3_stmt *s = prepare(st, "INSERT INTO print_jobs (receipt_id, kind, bytes, created_at)"
                                  " VALUES (?1, ?2, ?3, ?4)");
    if (!s)
        return STORE_ERROR;
    if (receipt_id)
        sqlite3_bind_int64(s, 1, receipt_id);
    sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_blob64(s, 3, bytes, len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, now);
    int rc = step_done(s);
    if (rc == STORE_OK && job_id)
        *job_id = sqlite3_last_insert_rowid(store_db(st));
    return rc;
}

int print_queue_add_receipt(struct store *st, const struct receipt_record *r, int64_t *job_id)
{
    if (exec(st, "BEGIN IMMEDIATE"))
        return STORE_ERROR;
    sqlite3_stmt *s = prepare(st, "INSERT INTO receipts (sale_uuid, receipt_no, terminal_id, created_at,"
                                  " text, escpos, copy_escpos) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    int rc = STORE_ERROR;
    if (s) {
        sqlite3_bind_text(s, 1, r->sale_uuid, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, r->receipt_no);
        sqlite3_bind_text(s, 3, r->terminal_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, r->created_at);
        sqlite3_bind_text(s, 5, r->text, -1, SQLITE_STATIC);
        sqlite3_bind_blob64(s, 6, r->escpos, r->escpos_len, SQLITE_STATIC);
        sqlite3_bind_blob64(s, 7, r->copy, r->copy_len, SQLITE_STATIC);
        rc = step_done(s);
    }
    if (rc == STORE_OK)
        rc = insert_job(st, sqlite3_last_insert_rowid(store_db(st)), "receipt", r->escpos,
                        r->escpos_len, r->created_at, job_id);
    if (rc == STORE_OK && exec(st, "COMMIT") == 0)
        return STORE_OK;
    exec(st, "ROLLBACK");
    return rc == STORE_OK ? STORE_ERROR : rc;
}

/* The receipt's id and number: by number, or the last one for 0. */
static int find_receipt(struct store *st, int64_t receipt_no, int64_t *id, int64_t *no)
{
    sqlite3_stmt *s = prepare(st, receipt_no
        ? "SELECT id, receipt_no FROM receipts WHERE receipt_no = ?1 ORDER BY id DESC LIMIT 1"
        : "SELECT id, receipt_no FROM receipts ORDER BY id DESC LIMIT 1");
    if (!s)
        return STORE_ERROR;
    if (receipt_no)
        sqlite3_bind_int64(s, 1, receipt_no);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        *no = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
}

int print_queue_add_copy(struct store *st, int64_t receipt_no, int64_t now, int64_t *found_no,
                         int64_t *job_id)
{
    int64_t id, no;
    int rc = find_receipt(st, receipt_no, &id, &no);
    if (rc)
        return rc;
    sqlite3_stmt *s = prepare(st, "INSERT INTO print_jobs (receipt_id, kind, bytes, created_at)"
                                  " SELECT id, 'copy', copy_escpos, ?2 FROM receipts WHERE id = ?1");
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, now);
    rc = step_done(s);
    if (rc == STORE_OK) {
        if (found_no)
            *found_no = no;
        if (job_id)
            *job_id = sqlite3_last_insert_rowid(store_db(st));
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

int print_queue_next(struct store *st, struct print_job *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = prepare(st, "SELECT j.id, COALESCE(r.receipt_no, 0), j.kind, j.bytes, j.attempts,"
                                  " COALESCE(j.last_error, '') FROM print_jobs j"
                                  " LEFT JOIN receipts r ON r.id = j.receipt_id"
                                  " WHERE j.state = 'queued' ORDER BY j.id LIMIT 1");
    if (!s)
        return STORE_ERROR;
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(s);
        return rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
    }
    out->id = sqlite3_column_int64(s, 0);
    out->receipt_no = sqlite3_column_int64(s, 1);
    snprintf(out->kind, sizeof out->kind, "%s", (const char *)sqlite3_column_text(s, 2));
    int n = sqlite3_column_bytes(s, 3);
    out->bytes = malloc(n > 0 ? (size_t)n : 1);
    if (!out->bytes) {
        sqlite3_finalize(s);
        return STORE_ERROR;
    }
    if (n > 0)
        memcpy(out->bytes, sqlite3_column_blob(s, 3), (size_t)n);
    out->len = (size_t)n;
    out->attempts = sqlite3_column_int(s, 4);
    snprintf(out->last_error, sizeof out->last_error, "%s", (const char *)sqlite3_column_text(s, 5));
    sqlite3_finalize(s);
    return STORE_OK;
}

void print_job_free(struct print_job *job)
{
    free(job->bytes);
    job->bytes = NULL;
}

static int set_state(struct store *st, int64_t job_id, const char *state, int64_t now)
{
    sqlite3_stmt *s = prepare(st, "UPDATE print_jobs SET state = ?2, done_at = ?3"
                                  " WHERE id = ?1 AND state = 'queued'");
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, job_id);
    sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now);
    int rc = step_done(s);
    if (rc == STORE_OK && sqlite3_changes(store_db(st)) == 0)
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
    sqlite3_stmt *s = prepare(st, "UPDATE print_jobs SET attempts = attempts + 1, last_error = ?2"
                                  " WHERE id = ?1");
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, job_id);
    sqlite3_bind_text(s, 2, why, -1, SQLITE_STATIC);
    return step_done(s);
}

int print_queue_count(struct store *st, int64_t *queued)
{
    sqlite3_stmt *s = prepare(st, "SELECT count(*) FROM print_jobs WHERE state = 'queued'");
    if (!s)
        return STORE_ERROR;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *queued = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? STORE_OK : STORE_ERROR;
}

int print_queue_receipt_text(struct store *st, int64_t receipt_no, char **text)
{
    sqlite3_stmt *s = prepare(st, "SELECT text FROM receipts WHERE receipt_no = ?1 ORDER BY id DESC LIMIT 1");
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, receipt_no);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *text = strdup((const char *)sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
        return *text ? STORE_OK : STORE_ERROR;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
}
