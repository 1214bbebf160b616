/* The stock lookup (see app/stock_lookup.h). */
#include "app/stock_lookup.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "offline/stock_query.h"
#include "offline/sync.h"
#include "src/lookup.h"
#include "src/stock.h"

int app_stock_lookup_open(struct app *app, const struct sync_config *sc)
{
    app->lookup.query = stock_query_new(app->loop, sc);
    if (!app->lookup.query)
        app_log(app, "stock lookup: libcurl did not start: lookups show the synced figure only");
    return app->lookup.query ? 0 : -1;
}

void app_stock_lookup_close(struct app *app)
{
    stock_query_free(app->lookup.query);
    app->lookup.query = NULL;
}

void app_stock_enter(struct app *app)
{
    if (app->mode != MODE_SALE && app->mode != MODE_SEARCH && app->mode != MODE_COUNT_START) {
        app_set_message(app, 1, "Finish the open dialog first (Esc)");
        return;
    }
    app->lookup.state = STOCK_LOOKUP_EMPTY;
    app->mode = MODE_STOCK;
    app_set_message(app, 0, "Stock lookup: scan an item or type its barcode (F4 searches by name)");
}

void app_stock_leave(struct app *app)
{
    if (app->lookup.query)
        stock_query_cancel(app->lookup.query);
    app->lookup.state = STOCK_LOOKUP_EMPTY;
    app->mode = MODE_SALE;
    app_set_message(app, 0, "Ready. Scan or type a barcode, then Enter.");
}

static void on_live(void *ctx, int ok, const struct stock_level_answer *a, const char *why)
{
    struct app *app = ctx;
    struct stock_lookup *l = &app->lookup;
    if (l->state != STOCK_LOOKUP_ASKING)
        return;
    if (ok && strcmp(a->sku, l->product.sku) == 0) {
        l->state = STOCK_LOOKUP_LIVE;
        l->live_known = a->known;
        l->live_on_hand = a->on_hand;
        l->live_at = loop_wall_time();
        app_set_message(app, 0, "%s: stock live from the store server", l->product.name);
    } else {
        l->state = STOCK_LOOKUP_FAILED;
        snprintf(l->why, sizeof l->why, "the store server did not answer (%.150s)", why ? why : "another item");
        app_set_message(app, 0, "%s: stock as last synced (no live answer)", l->product.name);
    }
}

/* The synced figure now; the live one when the server answers. */
static int show(struct app *app, const struct product *p)
{
    struct stock_lookup *l = &app->lookup;
    if (l->query)
        stock_query_cancel(l->query);
    l->product = *p;
    l->synced_at = app->sync.last_sync_at;
    l->synced_known = stock_level_get(app->store, p->sku, app->count.location, &l->synced_on_hand) == STORE_OK;
    l->live_known = 0;
    l->why[0] = 0;
    app->dirty = 1;
    if (!app->sync.configured) {
        l->state = STOCK_LOOKUP_SYNCED;
        snprintf(l->why, sizeof l->why, "no store server is configured (standalone)");
    } else if (!app->sync.online) {
        l->state = STOCK_LOOKUP_SYNCED;
        snprintf(l->why, sizeof l->why, "the till is OFFLINE");
    } else if (!l->query || stock_query_ask(l->query, p->sku, app->count.location, on_live, app)) {
        l->state = STOCK_LOOKUP_SYNCED;
        snprintf(l->why, sizeof l->why, "the store server cannot be asked from this till");
    } else {
        l->state = STOCK_LOOKUP_ASKING;
    }
    app_set_message(app, 0, "%s: %s", p->name,
                    l->state == STOCK_LOOKUP_ASKING ? "asking the store server..." : "stock as last synced");
    return 0;
}

static int today_yyyymmdd(void)
{
    time_t now = (time_t)loop_wall_time();
    struct tm tm;
    if (!localtime_r(&now, &tm))
        return 0;
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

int app_stock_lookup_code(struct app *app, const char *code)
{
    if (app->mode != MODE_STOCK)
        return -1;
    struct scan_result r;
    char msg[256];
    if (lookup_scan(app->store, &app->s.barcode, code, today_yyyymmdd(), &r, msg, sizeof msg)) {
        app_set_message(app, 1, "%s", msg);
        return -1;
    }
    return show(app, &r.product);
}

int app_stock_lookup_search(struct app *app, int index)
{
    if (app->mode != MODE_SEARCH || index < 0 || index >= app->search.n) {
        app_set_message(app, 1, "No product chosen: type part of a name");
        return -1;
    }
    struct product p = app->search.results[index];
    app->mode = MODE_STOCK;
    return show(app, &p);
}

int app_stock_refresh(struct app *app)
{
    if (app->lookup.state == STOCK_LOOKUP_EMPTY) {
        app_set_message(app, 1, "Scan an item first");
        return -1;
    }
    struct product p = app->lookup.product;
    return show(app, &p);
}
