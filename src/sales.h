/* Completed sales: the sales, sale_lines, sale_taxes and payments tables.  A sale is
 * numbered and written in one transaction together with what must land with it (its
 * outbox row, handed in by the caller) and the completion of its card payments. */
#ifndef TILL_SALES_H
#define TILL_SALES_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct sale;
struct cart;
struct original_sale;

/* Runs inside the sale's transaction after its rows are written (sale->receipt_no is
 * set); returns STORE_OK or an error code, which rolls the whole sale back.  The app
 * queues the order for the store server here (offline/order.h: order_enqueue). */
typedef int (*sales_in_tx_fn)(struct store *st, const struct sale *sale, void *ctx);

/* Commits a completed sale: numbers it (sale->receipt_no), then writes sale, lines,
 * taxes, payments, calls in_tx (may be NULL) and completes the sale's approved card
 * intents (src/payment_journal.h), in one transaction: all or nothing.  On failure
 * receipt_no is 0, err says what happened and nothing was written: STORE_EFULL (disk
 * full, file size limit), STORE_EBUSY, STORE_ECORRUPT or STORE_ERROR, so the caller can
 * try again.  Idempotent: a sale whose uuid is already stored is not written again, and
 * receipt_no is the stored one (a commit reported failed may still have landed). */
int sales_commit(struct store *st, struct sale *sale, sales_in_tx_fn in_tx, void *ctx,
                 char *err, size_t errlen);
int sales_count(struct store *st, int64_t *out);
/* The sale ref names, to return against: its receipt number on this till, its uuid or its
 * order key ("TERMINAL:UUID"), with what of each line was returned here already.
 * STORE_NOTFOUND when this till has no such sale. */
int sales_find_original(struct store *st, const char *ref, struct original_sale *o);
/* Raises o's returned quantities to what this till's returns against o->key add up to. */
int sales_returned(struct store *st, struct original_sale *o);

/* The sale's receipt file is in the spool (a sale is committed as not yet spooled). */
int sales_mark_spooled(struct store *st, const char *uuid);
/* The oldest committed sale after id after_id whose receipt is not spooled yet, loaded
 * whole into out and cart (lines, taxes, payments); out keeps store_name, fmt and tax from
 * how the caller set them, out->cart points to cart (cart_free it).  *id is its row id,
 * for the next call.  STORE_OK, STORE_NOTFOUND when there is none, or an error. */
int sales_next_unspooled(struct store *st, int64_t after_id, struct sale *out, struct cart *cart, int64_t *id);
/* As sales_next_unspooled, for every sale (till --salvage rebuilds the sync queue). */
int sales_next(struct store *st, int64_t after_id, struct sale *out, struct cart *cart, int64_t *id);
/* The same, newest first: the newest such sale before id before_id (INT64_MAX: any). */
int sales_prev_unspooled(struct store *st, int64_t before_id, struct sale *out, struct cart *cart, int64_t *id);
/* How many committed sales have no spooled receipt yet. */
int sales_count_unspooled(struct store *st, int64_t *out);

struct shift_figures;
/* The sales side of a shift's report (core/shift_report.h): count and total, each
 * tender, each tax class, voided lines.  Other fields of f are left as they are. */
int sales_shift_figures(struct store *st, int64_t shift_id, struct shift_figures *f);

#endif
