/* Shifts and the cash that moves outside sales: the shifts and cash_movements tables.
 * A shift opens with a counted float, gathers sales (sales.shift_id), paid in / paid out,
 * drops to the safe and no-sales, and is closed by a Z report, whose number comes from a
 * counter that only goes up (meta z_counter), taken in the closing transaction: a crash
 * before the commit leaves the shift open and the number unused, so no Z number is ever
 * given twice or skipped by a crash. */
#ifndef TILL_SHIFTS_H
#define TILL_SHIFTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/shift_report.h"

struct store;

struct shift {
    int64_t id;                /* also the shift number on reports */
    char uuid[40];
    char terminal_id[32];
    int open;
    int64_t opened_at;
    char opened_by[32];        /* staff id */
    int64_t opening_float;
    int64_t cancels, cancels_value;
    int64_t z_number;          /* closed shifts */
    int64_t closed_at;
    char closed_by[32];
    int64_t counted_cash;
    /* A Z begun and not finished (a power cut mid-Z): who, approved by whom, the cash
     * counted, and the terminal's end-of-day once it answered. */
    int64_t z_started_at;      /* 0: no Z under way */
    char z_by[32], z_approved_by[32];
    int64_t z_counted;
    struct shift_eod_result eod;
};

struct cash_movement {
    char uuid[40];
    int64_t shift_id;
    enum cash_kind kind;
    int64_t amount;            /* >= 0; 0 for a no-sale */
    char reason[80];
    char staff_id[32];
    char approved_by[32];      /* "" unless an override approved it */
    int64_t at;
};

/* The terminal's open shift: STORE_OK, STORE_NOTFOUND (none open) or < 0. */
int shifts_current(struct store *st, const char *terminal_id, struct shift *out);
/* A closed shift by its Z number (for a reprint): STORE_OK, STORE_NOTFOUND or < 0. */
int shifts_by_z(struct store *st, int64_t z_number, struct shift *out, char **report);
/* Opens a shift (inside the caller's transaction); out gets it with its id.  Fails when
 * one is open on the terminal (a unique index says so). */
int shifts_open(struct store *st, const char *terminal_id, const char *uuid, int64_t at,
                const char *staff_id, int64_t opening_float, struct shift *out);
/* A sale of value was cancelled in the shift. */
int shifts_count_cancel(struct store *st, int64_t shift_id, int64_t value);
int shifts_add_movement(struct store *st, const struct cash_movement *m);
/* The non-sale side of a shift's figures: float, cancels, paid in/out, drops, no-sales. */
int shifts_figures(struct store *st, const struct shift *sh, struct shift_figures *f);
/* The Z begins (its own transaction): who closes, with whose approval, the cash counted. */
int shifts_z_begin(struct store *st, int64_t shift_id, int64_t at, const char *staff_id,
                   const char *approved_by, int64_t counted_cash);
/* The terminal's end-of-day for the Z under way, kept the moment it is known. */
int shifts_z_eod(struct store *st, int64_t shift_id, const struct shift_eod_result *eod);
/* Inside the closing transaction: the next Z number (counter + 1, stored). */
/* The highest Z number stored (0: no Z yet). */
int shifts_last_z(struct store *st, int64_t *out);
int shifts_take_z_number(struct store *st, int64_t *out);
/* Closes the shift with its Z number, the cash counted and the report as printed. */
int shifts_close(struct store *st, int64_t shift_id, int64_t z_number, int64_t at, const char *staff_id,
                 int64_t counted_cash, const char *report);

#endif
