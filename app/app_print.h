/* Receipts on the printer (app/app_print.c): each completed sale's receipt is laid out
 * once (text for the screen and spool, ESC/POS for the printer, the same marked COPY),
 * stored and queued in one transaction, and printed from the queue, oldest first, one
 * job at a time, without ever blocking the loop.  A job the printer does not confirm
 * stays queued with its reason on screen; Till asks the printer again every
 * printer.retry_ms and prints once it can, or the cashier retries or skips it. */
#ifndef TILL_APP_PRINT_H
#define TILL_APP_PRINT_H

#include <stddef.h>
#include <stdint.h>

#include "core/sale.h"

struct app;

/* Opens printer.driver (file, tcp, usb, device; none for no printer) and hands it to a
 * drawer on the printer.  Only a configuration error fails. */
int app_open_printer(struct app *app, char *err, size_t errlen);
void app_close_printer(struct app *app);
/* Lays out the completed sale's receipt, stores and queues it; *text gets the text
 * receipt (malloc'd).  A queue failure is a message, not an error: the sale is done. */
int app_print_sale(struct app *app, const struct sale *sale, const char *when_text, char **text);
/* Queues a plain text document (laid out to receipt.width, e.g. a count's variance
 * report) for the printer, titled for the messages about it.  0 queued, 1 no printer is
 * configured (printer.driver = none: nothing to do), -1 with a message. */
int app_print_text(struct app *app, const char *title, const char *text);
/* Cashier actions (the print dialog and the receipt screen). */
int app_print_retry(struct app *app);
int app_print_skip(struct app *app);
/* The printer dialog's Enter: reprint the number typed, or the last receipt (empty). */
int app_print_submit(struct app *app, const char *text);
/* A COPY of receipt_no (0: the last one). */
int app_print_reprint(struct app *app, int64_t receipt_no);
/* A COPY of the receipt whose barcode was scanned ("RT1-42"). */
int app_print_reprint_code(struct app *app, const char *code);
/* A gift receipt of the sale just completed (MODE_RECEIPT). */
int app_print_gift(struct app *app);
/* "No sale": opens the drawer when drawer.no_sale = yes, and says so in the audit log. */
int app_no_sale(struct app *app);

#endif
