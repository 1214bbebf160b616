/* German fiscal records: the fiscal_tx and fiscal_outages tables (assets/migrations/
 * 020_fiscal.sql).  One row per TSE transaction, written before the TSE is asked (so a
 * crash between start and finish is found at the next start) and updated with each of the
 * TSE's answers, each in its own statement; the DSFinV-K export reads them back. */
#ifndef TILL_FISCAL_RECORDS_H
#define TILL_FISCAL_RECORDS_H

#include <stdint.h>

#include "core/fiscal.h"
#include "src/store.h"

struct fiscal_record {
    int64_t id;
    char tx_id[48];
    char sale_uuid[40];
    char kind[16];                 /* sale, return, cancel, paid_in, paid_out, drop, no_sale, z */
    char state[12];                /* new, started, finished, aborted, failed */
    char client_id[64];
    char process_type[32];
    char process_data[256];
    uint64_t tx_number, start_counter, sig_counter;
    int64_t start_ms, log_ms;
    char signature[160], sig_alg[32], time_format[24], tse_serial[80], public_key[160];
    char error[160];
    int64_t receipt_no, shift_id;  /* receipt_no: a Z's number for kind z */
    int64_t vat[FISCAL_VAT_SLOTS], net[FISCAL_VAT_SLOTS];
    int64_t cash, noncash, voucher;  /* noncash: card and voucher; voucher: of it, vouchers */
    int64_t created_at;            /* Unix seconds */
};

/* A new row in state 'new' (nothing asked of the TSE yet).  STORE_OK, or STORE_OK with
 * nothing written when tx_id has a row already (a repeat). */
int fiscal_rec_new(struct store *st, const char *tx_id, const char *sale_uuid, const char *kind,
                   const char *client_id, int64_t now);
/* The TSE started it. */
int fiscal_rec_started(struct store *st, const char *tx_id, uint64_t tx_number, uint64_t start_counter,
                       int64_t start_ms, int64_t now);
/* The TSE finished it (state 'finished' or 'aborted'): every field of r after state. */
int fiscal_rec_finished(struct store *st, const struct fiscal_record *r, int64_t now);
/* The TSE could not be reached: state 'failed' with why, and the amounts the receipt had. */
int fiscal_rec_failed(struct store *st, const struct fiscal_record *r, int64_t now);
/* The sale's receipt number, inside the sale's commit (no row: nothing to do). */
int fiscal_rec_set_receipt(struct store *st, const char *tx_id, int64_t receipt_no);
/* The row of tx_id: STORE_OK, STORE_NOTFOUND or an error. */
int fiscal_rec_get(struct store *st, const char *tx_id, struct fiscal_record *out);
/* Rows a crash left in 'new' or 'started', oldest first: how many (<= max), or -1. */
int fiscal_rec_open(struct store *st, struct fiscal_record *out, int max);
/* Every row created in [from, to) (Unix seconds), oldest first, through cb; a non-zero
 * return from cb stops.  STORE_OK or an error. */
int fiscal_rec_each(struct store *st, int64_t from, int64_t to,
                    int (*cb)(void *ctx, const struct fiscal_record *r), void *ctx);

/* Every row of a shift (a Kassenabschluss: the shift its Z closed), oldest first. */
int fiscal_rec_each_of_shift(struct store *st, int64_t shift_id,
                             int (*cb)(void *ctx, const struct fiscal_record *r), void *ctx);

/* TSE outages: one opens at the first failure (a no-op while one is open), the first
 * success closes it. */
int fiscal_outage_begin(struct store *st, int64_t now, const char *reason);
int fiscal_outage_end(struct store *st, int64_t now);
/* 1 while an outage is open, 0 when none, -1 error. */
int fiscal_outage_open(struct store *st);
/* Outages that began in [from, to): how many. */
int fiscal_outage_count(struct store *st, int64_t from, int64_t to, int64_t *n);

#endif
