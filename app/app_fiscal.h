/* The app's doors to app/fiscal.c (Germany's TSE): one call per business moment, so the
 * screens and sessions name the moment and this file knows what the TSE needs of it. */
#ifndef TILL_APP_APP_FISCAL_H
#define TILL_APP_APP_FISCAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/sale.h"
#include "core/shift_report.h"

struct app;

/* Opens [fiscal] (nothing without it); -1 with a message. */
int app_fiscal_open(struct app *app, char *err, size_t errlen);
void app_fiscal_close(struct app *app);
/* After the open sale is restored: what a crash left open is finished or aborted once. */
void app_fiscal_recover(struct app *app);
/* An item joined the open sale (the first one starts its TSE transaction). */
void app_fiscal_item_added(struct app *app);
/* The sale is paid, before it is committed: the receipt's TSE fields into sale.  1 when a
 * TSE in the cloud has not answered yet: the sale waits (app/unsaved_sale.c tries it
 * again) and completes with the signature, or with "TSE ausgefallen" if the TSE fails. */
int app_fiscal_sale_paid(struct app *app, struct sale *sale);
/* Inside the sale's commit: the fiscal record learns its receipt number. */
int app_fiscal_sale_committed(struct app *app, const struct sale *sale);
void app_fiscal_sale_cancelled(struct app *app);
void app_fiscal_cash_moved(struct app *app, enum cash_kind kind, int64_t amount);
void app_fiscal_z(struct app *app, int64_t z_number);
/* "TSE ok" / "TSE ausgefallen: ..." for the status bar; NULL without [fiscal]. */
const char *app_fiscal_status(const struct app *app);

#endif
