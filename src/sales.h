/* Completed sales: the sales, sale_lines, sale_taxes and payments tables.  A sale is
 * numbered and written in one transaction together with what must land with it (its
 * outbox row, handed in by the caller) and the completion of its card payments. */
#ifndef TILL_SALES_H
#define TILL_SALES_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct sale;

/* Runs inside the sale's transaction after its rows are written (sale->receipt_no is
 * set); returns STORE_OK or an error code, which rolls the whole sale back.  The app
 * queues the order for the store server here (offline/order.h: order_enqueue). */
typedef int (*sales_in_tx_fn)(struct store *st, const struct sale *sale, void *ctx);

/* Commits a completed sale: numbers it (sale->receipt_no), then writes sale, lines,
 * taxes, payments, calls in_tx (may be NULL) and completes the sale's approved card
 * intents (src/payment_journal.h), in one transaction: all or nothing.  On failure
 * receipt_no is 0, err says what happened and nothing was written: STORE_EFULL (disk
 * full), STORE_EBUSY or STORE_ERROR. */
int sales_commit(struct store *st, struct sale *sale, sales_in_tx_fn in_tx, void *ctx,
                 char *err, size_t errlen);
int sales_count(struct store *st, int64_t *out);

#endif
