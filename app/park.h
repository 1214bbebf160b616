/* Parking (suspending) the open sale and resuming it later on this till (app/park.c);
 * parked sales are kept in the database (src/parked.c) and survive a restart. */
#ifndef TILL_APP_PARK_H
#define TILL_APP_PARK_H

#include <stdint.h>

#include "src/parked.h"

struct app;

#define PARK_LIST_MAX 20

struct app_park {
    struct parked_info list[PARK_LIST_MAX];
    int n;
    int sel;
    int64_t max_age_s;           /* older parked sales are flagged */
};

int app_park_configure(struct app *app, char *err, size_t errlen);
/* F9: with items in the cart asks for a label (MODE_PARK), with an empty cart lists the
 * parked sales (MODE_RESUME). */
void app_park_open(struct app *app);
int app_park(struct app *app, const char *label);
void app_park_select(struct app *app, int delta);
int app_resume_selected(struct app *app);
/* How many parked sales are older than suspend.max_age_hours: the X and Z reports flag
 * them (app/shift.c).  STORE_OK or < 0. */
int app_park_old_count(struct app *app, int64_t *n);
/* 1 when the parked sale was parked longer ago than suspend.max_age_hours. */
int app_park_is_old(const struct app *app, const struct parked_info *p);

#endif
