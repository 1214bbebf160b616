/* Age checks: an age-restricted item asks the cashier to confirm the customer's age, by
 * "looks over N" or a date of birth; a refusal takes the line (and its deposit) out.  The
 * check is recorded on the sale line and in the audit log.  N comes from the catalog (the
 * product's minimum age; 1 means [age] default_min_age).  A kiosk's attendant approval
 * calls the same app_age_* functions as the cashier's dialog. */
#ifndef TILL_APP_AGE_CHECK_H
#define TILL_APP_AGE_CHECK_H

#include <stddef.h>

struct app;
struct product;

struct app_age {
    int default_min_age;         /* age.default_min_age */
    int line;                    /* MODE_AGE_CHECK: the line waiting, -1 none */
    int min_age;                 /* what it needs */
    int proven;                  /* the age this sale's customer has shown (0: none yet) */
    char proven_how[40];
    int back;                    /* the mode to return to (enum app_mode) */
};

int app_age_configure(struct app *app, char *err, size_t errlen);
/* A new sale: nobody's age is known. */
void app_age_reset(struct app *app);
/* The minimum age p needs, 0 for none. */
int app_age_required(const struct app *app, const struct product *p);
/* After line was added: 0 when no check is needed (or this sale already proved the age:
 * the line records that), 1 when it now waits for the cashier (MODE_AGE_CHECK).  In kiosk
 * mode the kiosk holds the item for its attendant instead, and records the approval with
 * app_age_record. */
int app_age_ask(struct app *app, int line);
/* A check passed outside the dialog (a kiosk attendant's approval): on the line, in the
 * audit log, and proven for the rest of the sale at line's minimum age. */
void app_age_record(struct app *app, int line, const char *how);
/* The answers, for the waiting line: "looks over N", a date of birth (DD.MM.YYYY,
 * YYYY-MM-DD or DDMMYYYY; under age refuses), or a refusal. */
int app_age_looks_over(struct app *app);
int app_age_birth_date(struct app *app, const char *text);
int app_age_refuse(struct app *app);

#endif
