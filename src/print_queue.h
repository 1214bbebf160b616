/* The print queue and the receipts it prints from: the one module that owns the receipts
 * and print_jobs tables.  A receipt is stored with its sale (text, ESC/POS, and the same
 * marked COPY); each print is a job that stays queued until the printer confirms it or
 * the cashier skips it.  Oldest first.  Each call is its own transaction. */
#ifndef TILL_PRINT_QUEUE_H
#define TILL_PRINT_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "src/store.h"

struct print_job {
    int64_t id;
    int64_t receipt_no;     /* 0 if the job has no receipt */
    char kind[12];          /* receipt, copy, gift, document */
    char title[64];         /* a document's title, "" for receipts */
    unsigned char *bytes;   /* malloc'd: print_job_free */
    size_t len;
    int attempts;
    char last_error[128];
};

struct receipt_record {
    const char *sale_uuid;
    int64_t receipt_no;
    const char *terminal_id;
    int64_t created_at;
    const char *text;
    const unsigned char *escpos;
    size_t escpos_len;
    const unsigned char *copy;
    size_t copy_len;
};

/* Stores the receipt and queues it for printing, together.  *job_id may be NULL. */
int print_queue_add_receipt(struct store *st, const struct receipt_record *r, int64_t *job_id);
/* Queues a COPY of receipt receipt_no (0: the last receipt); STORE_NOTFOUND if there is
 * none.  *found_no says which receipt it was. */
int print_queue_add_copy(struct store *st, int64_t receipt_no, int64_t now, int64_t *found_no,
                         int64_t *job_id);
/* Queues other bytes for receipt_no (a gift receipt). */
int print_queue_add_bytes(struct store *st, int64_t receipt_no, const char *kind,
                          const unsigned char *bytes, size_t len, int64_t now, int64_t *job_id);
/* Queues a document that is no receipt (a count's variance report): its printer bytes and
 * a title for the messages about it. */
int print_queue_add_document(struct store *st, const char *title, const unsigned char *bytes, size_t len,
                             int64_t now, int64_t *job_id);
/* The oldest queued job; STORE_NOTFOUND when the queue is empty. */
int print_queue_next(struct store *st, struct print_job *out);
void print_job_free(struct print_job *job);
int print_queue_printed(struct store *st, int64_t job_id, int64_t now);
/* A failed attempt: counted, with why; the job stays queued. */
int print_queue_failed(struct store *st, int64_t job_id, const char *why);
int print_queue_skip(struct store *st, int64_t job_id, int64_t now);
int print_queue_count(struct store *st, int64_t *queued);
/* The text of receipt receipt_no (malloc'd), STORE_NOTFOUND if none. */
int print_queue_receipt_text(struct store *st, int64_t receipt_no, char **text);

#endif
