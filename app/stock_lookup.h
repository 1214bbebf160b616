/* Stock in the cashier's hands (issue 14): a stock lookup by scan or from the product
 * search.  The figure the last sync brought is shown at once; when the till is online the
 * store server is asked live (offline/stock_query.c, on the loop: keys never wait), and the
 * screen says which figure it shows: LIVE, or as synced (OFFLINE, with why).
 *
 * Mode: MODE_STOCK (ui/screen_stock.c). */
#ifndef TILL_APP_STOCK_LOOKUP_H
#define TILL_APP_STOCK_LOOKUP_H

#include <stdint.h>

#include "core/product.h"

struct app;
struct stock_query;
struct sync_config;

enum stock_lookup_state {
    STOCK_LOOKUP_EMPTY,      /* nothing asked yet */
    STOCK_LOOKUP_SYNCED,     /* no store server, or not online: the synced figure */
    STOCK_LOOKUP_ASKING,     /* the synced figure while the server is asked */
    STOCK_LOOKUP_LIVE,       /* the server's answer */
    STOCK_LOOKUP_FAILED,     /* the server did not answer: the synced figure, and why */
};

struct stock_lookup {
    struct stock_query *query;  /* NULL without a store server */
    enum stock_lookup_state state;
    struct product product;
    int synced_known;           /* the last sync brought a level */
    int64_t synced_on_hand;     /* thousandths */
    int64_t synced_at;          /* Unix seconds of the last sync, 0 never */
    int live_known;
    int64_t live_on_hand;
    int64_t live_at;            /* when the server answered */
    char why[200];              /* why the synced figure is shown */
};

/* The live lookup on the store server of sync (app_open_sync); without it lookups show the
 * synced figure only. */
int app_stock_lookup_open(struct app *app, const struct sync_config *sc);
void app_stock_lookup_close(struct app *app);
/* The lookup screen (from the sale screen, the product search or count mode's start). */
void app_stock_enter(struct app *app);
void app_stock_leave(struct app *app);
/* A scanned or typed code: its item's stock. */
int app_stock_lookup_code(struct app *app, const char *code);
/* Product search result index: its stock (the search dialog's F2). */
int app_stock_lookup_search(struct app *app, int index);
/* The item shown, asked again. */
int app_stock_refresh(struct app *app);

#endif
