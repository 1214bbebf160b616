/* German fiscal compliance (KassenSichV, § 146a AO): every sale, cancel, return, paid
 * in/out, cash drop, no-sale and Z goes through the TSE (drivers/tse.h), and is recorded
 * in fiscal_tx (src/fiscal_records.h) before the TSE is asked.  A sale's transaction starts
 * with its first item and finishes at its payment; a crash in between is finished (the
 * restored sale goes on) or aborted at the next start, once.
 *
 * A TSE that fails never stops a sale: the sale completes, its receipt says "TSE
 * ausgefallen", the outage is recorded from the first failure to the next success, and
 * each later transaction tries the TSE again.  Off unless [fiscal] country = DE: without
 * it every call here does nothing.
 *
 * Like app/card_payment.c it knows nothing of the screen: its owner calls it at the named
 * moments and hears of status changes through the events. */
#ifndef TILL_APP_FISCAL_H
#define TILL_APP_FISCAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/fiscal.h"
#include "core/sale.h"
#include "drivers/tse.h"
#include "src/fiscal_records.h"

struct config;
struct loop;
struct store;
struct tse_http_adapter;

struct fiscal_events {
    void (*changed)(void *ctx);   /* the TSE's state changed: redraw the status bar */
    void *ctx;
};

struct fiscal_setup {
    struct loop *loop;
    struct store *store;
    const struct config *cfg;     /* [fiscal] */
    const char *terminal_id;      /* the till serial's default */
};

/* What a receipt prints of its TSE transaction. */
#define FISCAL_RECEIPT_TEXT 1024
struct fiscal_receipt {
    int state;                    /* FISCAL_SIGNED, FISCAL_FAILED, FISCAL_PENDING, 0: nothing (off) */
    char text[FISCAL_RECEIPT_TEXT]; /* '\n'-separated lines */
    char qr[FISCAL_QR_MAX];       /* the V0 QR code's text ("" when not signed) */
};
enum { FISCAL_SIGNED = 1, FISCAL_FAILED = 2, FISCAL_PENDING = 3 };

struct fiscal {
    int enabled;
    struct loop *loop;
    struct store *store;
    struct tse *tse;
    struct tse_http_adapter *http;  /* a cloud TSE's HTTP (app/tse_http.h), else NULL */
    char client_id[64];           /* the till's serial number (fiscal.till_serial) */
    int tse_ok;                   /* the TSE's last answer was good */
    char status[96];              /* "TSE ok", "TSE ausgefallen: unreachable" */
    struct fiscal_events ev;
    /* the open sale's start, asked from the loop after the first item is drawn */
    uint64_t begin_timer;
    char begin_uuid[40];
    char starting[48];            /* a start a TSE in the cloud has not answered yet */
    char finishing[48];           /* a sale's finish it has not answered yet */
    /* the sale just finished, written with the sale's own commit (fiscal_sale_committed) */
    struct fiscal_record finished;
    int have_finished;
};

/* Opens the TSE named by fiscal.tse (default sim) when fiscal.country = DE; otherwise
 * leaves f disabled and returns 0.  -1 with a message on a bad configuration. */
int fiscal_open(struct fiscal *f, const struct fiscal_setup *s, const struct fiscal_events *ev,
                char *err, size_t errlen);
void fiscal_close(struct fiscal *f);

/* The sale's first item: its transaction starts, from the loop right after (the scan is
 * drawn first); a repeat for the same uuid does nothing. */
void fiscal_sale_begin(struct fiscal *f, const char *sale_uuid);
/* The sale is paid: its transaction finishes with the sale's amounts per VAT rate and
 * tender (a negative total is a return); out gets what the receipt prints.  Repeating it
 * for a finished sale gives the same fields again. */
void fiscal_sale_finish(struct fiscal *f, const struct sale *sale, struct fiscal_receipt *out);
/* Inside the sale's commit (sales_commit's in_tx): its fiscal record as the finish left it,
 * with its receipt number, lands with the sale.  STORE_OK or the error that rolls it back. */
int fiscal_sale_committed(struct fiscal *f, const struct sale *sale);
/* The sale is cancelled: its transaction finishes as AVBelegabbruch. */
void fiscal_sale_abort(struct fiscal *f, const char *sale_uuid);
/* A transaction of its own, started and finished at once: kind is paid_in, paid_out, drop
 * (cash amount > 0), no_sale, or z (amount: the Z's number), in shift shift_id (0: none).
 * out may be NULL. */
void fiscal_event(struct fiscal *f, const char *kind, int64_t amount, int64_t shift_id,
                  struct fiscal_receipt *out);
/* Start-up: the transactions a crash left open are aborted, except the restored open
 * sale's (keep_uuid, may be NULL or ""), which goes on.  Returns how many were aborted. */
int fiscal_recover(struct fiscal *f, const char *keep_uuid);

/* The receipt lines of a finished or failed record (also for a reprint). */
void fiscal_receipt_of(const struct fiscal_record *r, struct fiscal_receipt *out);

#endif
