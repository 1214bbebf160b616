/* Count mode: a store manager counts the stock of a zone (a stock location) on the till,
 * or scans a delivery in (goods in: the same screen, each item's quantity is added to
 * stock on the server as `received`).
 * Every entry is saved as it is made (src/stock_counts.c), the running figures are the
 * pure tally of core/stock_count.c, the finish writes the variance report to the spool,
 * and the submit queues one count adjustment per item in the outbox, in one transaction.
 *
 * Modes: MODE_COUNT_START (resume an open count or start one), MODE_COUNT (counting),
 * MODE_COUNT_REPORT (the variance report, then submit). */
#ifndef TILL_APP_COUNT_SESSION_H
#define TILL_APP_COUNT_SESSION_H

#include <stdint.h>

#include "core/stock_count.h"
#include "src/stock_counts.h"

#define COUNT_MAX_ZONES 16
#define COUNT_MAX_OPEN 9

struct app;

struct count_session {
    int loaded;                          /* a count is open on screen */
    struct stock_count_info info;
    struct count_tally tally;
    int selected;                        /* item on screen, -1 none */
    int64_t pending_qty;                 /* "12*": for the next scan */
    int reported;                        /* the report holds the uncounted items */
    int printed;                         /* the report went to the print queue */
    int confirm_abandon;                 /* F8 asked: give the count up? */

    /* the start screen */
    char location[STOCK_COUNT_ZONE_LEN]; /* the till's own stock location: "full store" */
    char zones[COUNT_MAX_ZONES][STOCK_COUNT_ZONE_LEN];
    int nzones;
    int new_blind;                       /* a new count hides expected quantities */
    struct stock_count_info open[COUNT_MAX_OPEN];
    int nopen;

    char report_path[600];               /* the CSV in the spool */
};

/* Reads count.zones and sync.location (app_init). */
int count_session_init(struct app *app, char *err, size_t errlen);
void count_session_free(struct count_session *c);

/* F9 on the sale screen, or `till --count`: the start screen, which lists the open counts. */
int app_count_enter(struct app *app);
/* A count that was on screen when Till stopped is opened again, as it was (app_init). */
int app_count_resume_active(struct app *app);
/* Start screen: start a count of zone ("" for the full store), or goods in (a delivery)
 * into it; resume open count index. */
int app_count_start(struct app *app, const char *zone);
int app_count_start_receiving(struct app *app, const char *zone);
int app_count_resume(struct app *app, int index);
void app_count_toggle_blind(struct app *app);
/* Back to selling; an open count stays saved, paused. */
void app_count_leave(struct app *app);

/* Counting: a scan adds one (or the label's weight); "12*" sets a quantity for the next
 * scan, "12*CODE" adds 12 of CODE; an unknown code is recorded for review. */
int app_count_scan(struct app *app, const char *code);
int app_count_submit_input(struct app *app, const char *text);
void app_count_clear_pending(struct app *app);
/* F2: sets the selected item's count to what is typed. */
int app_count_set_selected(struct app *app, const char *text);
/* F3: takes back the last entry. */
int app_count_undo(struct app *app);
void app_count_select(struct app *app, int delta);

/* Finish: the variance report on screen, as CSV (and text) in the spool. */
int app_count_finish(struct app *app);
/* Report: items expected but not counted count as zero, or are left out. */
int app_count_toggle_uncounted(struct app *app);
/* Report: the report on the printer (again). */
int app_count_print(struct app *app);
/* F8 while counting: ask (ask = 1) or stop asking whether to give the count up. */
void app_count_ask_abandon(struct app *app, int ask);
/* The answer yes: the count is abandoned (kept, marked, in the audit log; nothing sent). */
int app_count_abandon(struct app *app);
/* Report: back to counting. */
void app_count_back(struct app *app);
/* Report: queue the count for the store server (one adjustment per item) and close it. */
int app_count_submit(struct app *app);

#endif
