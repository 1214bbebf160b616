/* The figures of a shift and its X and Z reports: what was sold, by tender and by tax
 * class, voids, cancels, refunds, cash movements, the float, and the cash the drawer
 * should hold against what was counted.  Pure arithmetic and layout: the figures are
 * gathered from storage by the app (src/sales.c, src/shifts.c); every sum is checked. */
#ifndef TILL_SHIFT_REPORT_H
#define TILL_SHIFT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/money.h"
#include "core/payment_outcome.h"
#include "core/tax.h"

/* Cash in or out of the drawer that is not a sale. */
enum cash_kind { CASH_PAID_IN, CASH_PAID_OUT, CASH_DROP, CASH_NO_SALE, CASH_KIND_COUNT };
/* "paid_in", "paid_out", "drop", "no_sale" (stored and synced); NULL out of range. */
const char *cash_kind_name(enum cash_kind k);
/* "Paid in", "Paid out", "Cash drop", "No sale". */
const char *cash_kind_label(enum cash_kind k);
int cash_kind_parse(const char *s, enum cash_kind *out);

struct shift_tax {
    char code[16];
    int64_t rate_ppm;
    int64_t net, tax, gross;
};

/* Gathered for one shift. */
struct shift_figures {
    int64_t sales_count, sales_total;
    int64_t cash, card, voucher;          /* taken on sales (cash: net of change); refunds apart */
    struct shift_tax taxes[TAX_MAX_CLASSES];
    int ntaxes;
    int64_t discounts;
    int64_t voids_count, voids_value;     /* voided lines of completed sales */
    int64_t cancels_count, cancels_value; /* cancelled sales, at their total */
    int64_t refunds_count, refunds_value; /* cash refunds (value positive) */
    int64_t other_refunds_count, other_refunds_value; /* to a card or voucher: not from the drawer */
    int64_t card_refunds_value;           /* of which to a card (the terminal's batch has them) */
    int64_t no_sales;                     /* drawer opened without a sale */
    int64_t paid_in, paid_out, drops;
    int64_t opening_float;
    int64_t parked_old;                   /* parked sales older than suspend.max_age_hours: flagged */
};

/* The payment terminal's end-of-day at a Z, as far as it got. */
enum shift_eod {
    SHIFT_EOD_NONE,          /* not asked: an X report, or no payment terminal */
    SHIFT_EOD_OK,            /* the terminal closed its batch and gave its totals */
    SHIFT_EOD_UNSUPPORTED,   /* the terminal has no end-of-day */
    SHIFT_EOD_NO_ANSWER,     /* it did not answer in time: the Z went on without it */
    SHIFT_EOD_FAILED,        /* it answered with a refusal or an error */
    SHIFT_EOD_INTERRUPTED,   /* the till stopped mid-Z; whether the terminal closed is unknown */
    SHIFT_EOD_COUNT
};
/* "none", "ok", "unsupported", "no_answer", "failed", "interrupted" (stored and synced). */
const char *shift_eod_name(enum shift_eod e);
int shift_eod_parse(const char *s, enum shift_eod *out);

struct shift_eod_result {
    enum shift_eod state;
    struct pt_eod_totals terminal;  /* SHIFT_EOD_OK; message for FAILED too */
};

struct shift_report {
    struct shift_figures f;
    struct shift_eod_result eod;
    int64_t eod_difference;  /* SHIFT_EOD_OK: terminal total - till's card total */
    int64_t expected_cash;   /* float + cash sales + paid in - paid out - drops - refunds */
    int counted;             /* a Z with the drawer counted */
    int64_t counted_cash;
    int64_t over_short;      /* counted - expected: negative is short */
};

/* What the report's head says. */
struct shift_report_head {
    int is_z;
    int64_t z_number;        /* Z only */
    const char *store, *terminal;
    int64_t shift_no;
    const char *opened_at, *opened_by;   /* formatted by the caller */
    const char *closed_at, *closed_by;   /* the X's "printed at" and the Z's close */
};

/* Derives expected cash and (counted) over/short.  0, or MONEY_EOVERFLOW. */
int shift_report_compute(const struct shift_figures *f, int counted, int64_t counted_cash,
                         struct shift_report *out);
/* Adds the terminal's end-of-day to a computed report and reconciles it against the
 * till's card total (cards taken on sales, less card refunds).  0, or MONEY_EOVERFLOW. */
int shift_report_reconcile(struct shift_report *r, const struct shift_eod_result *eod);
/* The report as text lines of width columns (malloc'd; the caller frees).  0 or -1. */
int shift_report_render(const struct shift_report *r, const struct shift_report_head *h,
                        const struct money_format *fmt, int width, char **out);

#endif
