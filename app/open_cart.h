/* The open sale survives a crash (src/open_cart.c keeps it): saved whenever the app's state
 * changed (app_take_dirty, before the screen shows the change), restored at start-up with
 * its cash and approved card payments, which start-up recovery then leaves alone. */
#ifndef TILL_APP_OPEN_CART_H
#define TILL_APP_OPEN_CART_H

#include "src/open_cart.h"

struct app;

struct app_open_cart {
    struct open_cart_state state;
    int failed;                  /* the last save failed (logged once until one succeeds) */
};

void app_open_cart_save(struct app *app);
/* At start-up, after the sale session began: 1 when a sale came back, 0 none. */
int app_open_cart_restore(struct app *app);
/* Card recovery: 1 when the open sale holds the approved payment reference. */
int app_open_cart_owns(void *app, const char *reference);

#endif
