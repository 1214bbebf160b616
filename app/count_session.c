/* Count mode (see app/count_session.h): the manager's actions on a stock count. */
#include "app/count_session.h"
#include "app/authorize.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "app/app_print.h"
#include "offline/adjustment.h"
#include "offline/sync.h"
#include "src/atomic_file.h"
#include "src/catalog.h"
#include "src/lookup.h"
#include "src/stock.h"
#include "src/stock_counts.h"
#include "src/store.h"

static int valid_zone(const char *z)
{
    size_t n = strlen(z);
    return n > 0 && n < STOCK_COUNT_ZONE_LEN &&
           strspn(z, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n;
}

int count_session_init(struct app *app, char *err, size_t errlen)
{
    struct count_session *c = &app->count;
    memset(c, 0, sizeof *c);
    count_tally_init(&c->tally);
    c->selected = -1;
    c->new_blind = 1;
    snprintf(c->location, sizeof c->location, "%s", config_get(app->cfg, "sync.location", "store-1"));
    /* count.zones: "floor, backroom"; the till's own location is always the first */
    snprintf(c->zones[c->nzones++], sizeof c->zones[0], "%s", c->location);
    char list[1024];
    snprintf(list, sizeof list, "%s", config_get(app->cfg, "count.zones", ""));
    for (char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        char zone[STOCK_COUNT_ZONE_LEN * 2];
        snprintf(zone, sizeof zone, "%.*s", (int)n, p);
        p += n + (p[n] == ',');
        char *z = zone + strspn(zone, " \t");
        for (size_t e = strlen(z); e > 0 && (z[e - 1] == ' ' || z[e - 1] == '\t'); e--)
            z[e - 1] = 0;
        if (!*z || strcmp(z, c->location) == 0)
            continue;
        if (!valid_zone(z)) {
            snprintf(err, errlen, "count.zones: '%s' is not a zone (letters, digits, - and _, up to %d)",
                     z, STOCK_COUNT_ZONE_LEN - 1);
            return -1;
        }
        if (c->nzones == COUNT_MAX_ZONES) {
            snprintf(err, errlen, "count.zones: at most %d zones", COUNT_MAX_ZONES - 1);
            return -1;
        }
        snprintf(c->zones[c->nzones++], sizeof c->zones[0], "%s", z);
    }
    return 0;
}

void count_session_free(struct count_session *c)
{
    count_tally_free(&c->tally);
    c->loaded = 0;
}

static const char *doc_name(const struct stock_count_info *info)
{
    return info->receiving ? "Goods in" : "Count";
}

static void audit(struct app *app, const char *event, const char *detail)
{
    app_audit(app, event, detail);
}

/* The variance report on the printer, when one is configured (printer.driver = none: the
 * spool's text copy is all there is).  Queued: it prints without holding the screen. */
static void count_print_report(struct app *app, const char *text)
{
    char title[64];
    snprintf(title, sizeof title, "%s report %s", app->count.info.receiving ? "Goods-in" : "Count",
             app->count.info.id);
    if (app_print_text(app, title, text) == 0)
        app->count.printed = 1;
}

static void refresh_open_list(struct app *app)
{
    int n = stock_count_list_open(app->store, app->count.open, COUNT_MAX_OPEN);
    app->count.nopen = n < 0 ? 0 : n;
}

/* The "stock-count" command: its permission (stock_count) and that no sale or dialog is
 * open were checked at the door (app/commands.c). */
int app_count_enter(struct app *app)
{
    return app_command(app, "stock-count", NULL, DOOR_KEY);
}

int cmd_stock_count(struct app *app, const struct cmd_args *a)
{
    refresh_open_list(app);
    app->mode = MODE_COUNT_START;
    app_set_message(app, 0, "Stock count: type a zone (or nothing for the full store) and Enter%s",
                    app->count.nopen ? ", or a number to resume" : "");
    return 0;
}

/* The expected level of the item at the count's zone, as the store server last said. */
static void load_expected(struct app *app, struct count_item *it)
{
    int64_t on_hand = 0;
    if (!it->sku[0] || app->count.info.receiving)
        return;   /* a delivery expects nothing */
    int rc = stock_level_get(app->store, it->sku, app->count.info.zone, &on_hand);
    count_item_set_expected(it, rc == STORE_OK, on_hand);
}

static int replay_entry(void *ctx, const struct count_entry *e)
{
    return count_tally_apply(ctx, e) ? 1 : 0;
}

/* Builds the tally from the saved entries: what was on screen before, exactly. */
static int load_count(struct app *app, const char *id)
{
    struct count_session *c = &app->count;
    count_tally_free(&c->tally);
    c->loaded = 0;
    c->reported = 0;
    c->printed = 0;
    c->confirm_abandon = 0;
    if (stock_count_get(app->store, id, &c->info) != STORE_OK) {
        app_set_message(app, 1, "Count %s cannot be read: %s", id, store_errmsg(app->store));
        return -1;
    }
    if (stock_count_each_entry(app->store, id, replay_entry, &c->tally) != STORE_OK) {
        count_tally_free(&c->tally);
        app_set_message(app, 1, "Count %s cannot be read: %s", id, store_errmsg(app->store));
        return -1;
    }
    for (int i = 0; i < c->tally.n; i++)
        load_expected(app, &c->tally.items[i]);
    c->loaded = 1;
    c->selected = c->tally.last_item;
    c->pending_qty = 0;
    stock_count_set_active(app->store, id, 1);
    app->mode = MODE_COUNT;
    app->dirty = 1;
    return 0;
}

int app_count_resume_active(struct app *app)
{
    struct stock_count_info info;
    if (app->mode != MODE_SALE || stock_count_find_active(app->store, &info) != STORE_OK)
        return 0;
    if (load_count(app, info.id))
        return -1;
    app_set_message(app, 0, "%s %s of %s resumed: %lld entries, as it was.", doc_name(&info), info.id, info.zone,
                    (long long)info.entries);
    return 1;
}

static void new_count_id(char out[STOCK_COUNT_ID_LEN])
{
    unsigned char b[8];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        /* cannot fail for 8 bytes after boot; time and pid keep ids apart all the same */
        uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 40);
        for (int i = 0; i < 8; i++)
            b[i] = (unsigned char)(t >> (i * 8));
    }
    snprintf(out, STOCK_COUNT_ID_LEN, "c%02x%02x%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
             b[5], b[6], b[7]);
}

static int start_document(struct app *app, const char *typed, int receiving)
{
    struct count_session *c = &app->count;
    char zone[STOCK_COUNT_ZONE_LEN * 2];
    snprintf(zone, sizeof zone, "%s", typed[0] ? typed : c->location);
    /* a number picks a zone from the list */
    char *end;
    long pick = strtol(zone, &end, 10);
    if (zone[0] && !*end && pick >= 1 && pick <= c->nzones)
        snprintf(zone, sizeof zone, "%s", c->zones[pick - 1]);
    if (!valid_zone(zone)) {
        app_set_message(app, 1, "'%.40s' is not a zone: letters, digits, - and _ (or a number from the list)", zone);
        return -1;
    }
    struct stock_count_info info = { 0 };
    new_count_id(info.id);
    snprintf(info.zone, sizeof info.zone, "%.*s", (int)sizeof info.zone - 1, zone);
    info.full_store = strcmp(zone, c->location) == 0;
    info.receiving = receiving;
    info.blind = receiving ? 1 : c->new_blind;   /* a delivery has no expected figures to show */
    snprintf(info.counted_by, sizeof info.counted_by, "%s", app_cashier_name(app));
    info.started_at = loop_wall_time();
    char existing[STOCK_COUNT_ID_LEN] = "";
    int rc = stock_count_create(app->store, &info, existing);
    if (rc == STORE_EBUSY) {
        app_set_message(app, 1, "Zone %s already has an open %s (%s): resume it from the list", zone,
                        receiving ? "delivery" : "count", existing);
        return -1;
    }
    if (rc) {
        app_set_message(app, 1, "The %s could not be started: %s", receiving ? "delivery" : "count",
                        store_errmsg(app->store));
        return -1;
    }
    char detail[160];
    snprintf(detail, sizeof detail, "%s zone %s%s", info.id, info.zone, !receiving && info.blind ? " blind" : "");
    audit(app, receiving ? "goods_in_start" : "count_start", detail);
    if (load_count(app, info.id))
        return -1;
    if (receiving)
        app_set_message(app, 0, "Goods in %s into %s started. Scan each item delivered; 12* then a scan adds 12.",
                        info.id, zone);
    else
        app_set_message(app, 0, "Count %s of %s started%s. Scan each item; 12* then a scan adds 12.", info.id,
                        zone, info.blind ? " (blind)" : "");
    return 0;
}

int app_count_start(struct app *app, const char *typed)
{
    return start_document(app, typed, 0);
}

int app_count_start_receiving(struct app *app, const char *typed)
{
    return start_document(app, typed, 1);
}

int app_count_resume(struct app *app, int index)
{
    if (index < 0 || index >= app->count.nopen) {
        app_set_message(app, 1, "No open count number %d", index + 1);
        return -1;
    }
    char id[STOCK_COUNT_ID_LEN];
    snprintf(id, sizeof id, "%s", app->count.open[index].id);
    if (load_count(app, id))
        return -1;
    app_set_message(app, 0, "%s %s of %s resumed.", doc_name(&app->count.info), id, app->count.info.zone);
    return 0;
}

void app_count_toggle_blind(struct app *app)
{
    app->count.new_blind = !app->count.new_blind;
    app->dirty = 1;
}

void app_count_leave(struct app *app)
{
    struct count_session *c = &app->count;
    if (c->loaded) {
        stock_count_set_active(app->store, c->info.id, 0);
        app_set_message(app, 0, "%s %s of %s paused: it is saved; F9 resumes it.", doc_name(&c->info), c->info.id,
                        c->info.zone);
    } else {
        app_set_message(app, 0, "Ready. Scan or type a barcode, then Enter.");
    }
    count_tally_free(&c->tally);
    c->loaded = 0;
    app->mode = MODE_SALE;
    app->dirty = 1;
}

/* Saves the entry, then folds it into the running figures (saved first: what is on screen
 * is what a restart shows). */
static int record(struct app *app, struct count_entry *e)
{
    struct count_session *c = &app->count;
    int rc = count_tally_check(&c->tally, e);
    if (rc) {
        app_set_message(app, 1, "%s: not counted: %s", e->name, count_strerror(rc));
        return -1;
    }
    e->at = loop_wall_time();
    /* synchronous=FULL, as for a sale: the entry is on disk before the screen shows it,
     * so a power cut takes no scan (README promises the count comes back exactly as it
     * was).  The fsync costs a few ms per scan; a person scans far slower. */
    rc = stock_count_add_entry(app->store, c->info.id, e);
    if (rc) {
        app_set_message(app, 1, "The entry was NOT saved: %s",
                        rc == STORE_EFULL ? "disk full" : store_errmsg(app->store));
        return -1;
    }
    rc = count_tally_apply(&c->tally, e);
    if (rc) {
        /* cannot happen after the check; the saved entry is replayed on the next load */
        app_set_message(app, 1, "%s", count_strerror(rc));
        return -1;
    }
    c->selected = c->tally.last_item;
    load_expected(app, &c->tally.items[c->selected]);
    c->reported = 0;
    app->dirty = 1;
    return 0;
}

static void fill_entry(struct count_entry *e, const struct product *p, const char *code)
{
    memset(e, 0, sizeof *e);
    snprintf(e->sku, sizeof e->sku, "%s", p->sku);
    snprintf(e->barcode, sizeof e->barcode, "%s", code);
    snprintf(e->name, sizeof e->name, "%s", p->name);
    e->unit = p->unit;
    e->price = p->price;
}

static void say_counted(struct app *app, const struct count_entry *e)
{
    const struct count_item *it = &app->count.tally.items[app->count.selected];
    char q[32], total[32];
    money_format_qty(e->qty, e->unit == UNIT_KG, &app->s.fmt, q, sizeof q);
    money_format_qty(it->counted, it->unit == UNIT_KG, &app->s.fmt, total, sizeof total);
    app_set_message(app, 0, "%s%s %s%s: now %s%s", e->op == COUNT_SET ? "=" : "+", q, e->unit == UNIT_KG ? "kg " : "",
                    e->name, total, e->unit == UNIT_KG ? " kg" : "");
}

/* The quantity a label carries: its weight, or for a price label the weight that price
 * buys at the catalog's price per kg. */
static int label_qty(const struct scan_result *r, int64_t *qty)
{
    if (r->has_qty) {
        *qty = r->qty;
        return 0;
    }
    if (r->has_price && r->product.price > 0)
        return money_muldiv(r->price, QTY_ONE, r->product.price, qty) ? -1 : 0;
    return -1;
}

static int today_yyyymmdd(void)
{
    time_t now = (time_t)loop_wall_time();
    struct tm tm;
    if (!localtime_r(&now, &tm))
        return 0;
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* "0,750" or "0.750" as the store writes numbers, for the examples in messages. */
struct weight_example { char text[32]; };
static struct weight_example weight_example(const struct app *app)
{
    struct weight_example w;
    money_format_qty(750, 1, &app->s.fmt, w.text, sizeof w.text);
    return w;
}

int app_count_scan(struct app *app, const char *code)
{
    struct count_session *c = &app->count;
    if (app->mode != MODE_COUNT || !c->loaded) {
        app_set_message(app, 1, "Scan of %.40s ignored: open a count first", code);
        return -1;
    }
    if (c->confirm_abandon) {
        app_set_message(app, 1, "Scan of %.40s ignored: answer the question first (y or n)", code);
        return -1;
    }
    int64_t keyed = c->pending_qty;
    c->pending_qty = 0;
    struct scan_result r;
    char msg[256];
    struct count_entry e;
    int rc = lookup_scan(app->store, &app->s.barcode, code, today_yyyymmdd(), &r, msg, sizeof msg);
    if (rc == LOOKUP_NOTFOUND) {
        /* kept for review with what was scanned: someone decides what it was */
        memset(&e, 0, sizeof e);
        snprintf(e.barcode, sizeof e.barcode, "%.48s", code);
        snprintf(e.name, sizeof e.name, "UNKNOWN %.48s", code);
        e.unit = UNIT_EACH;
        e.qty = keyed ? keyed : QTY_ONE;
        if (record(app, &e))
            return -1;
        app_set_message(app, 1, "Unknown barcode %.48s: recorded for review (F3 takes it back)", code);
        return 0;
    }
    if (rc) {
        app_set_message(app, 1, "%s", msg);
        return -1;
    }
    fill_entry(&e, &r.product, r.line_code);
    e.op = COUNT_ADD;
    if (r.has_qty || r.has_price) {
        if (keyed) {
            app_set_message(app, 1, "%s: a weighed or priced label cannot be multiplied: scan each label", e.name);
            return -1;
        }
        if (label_qty(&r, &e.qty)) {
            app_set_message(app, 1, "%s: the label's quantity cannot be worked out: key it (%s* then scan)",
                            e.name, weight_example(app).text);
            return -1;
        }
    } else if (r.product.unit == UNIT_KG && !keyed) {
        app_set_message(app, 1, "%s is weighed: key the weight first (e.g. %s* then scan)", e.name,
                        weight_example(app).text);
        return -1;
    } else {
        e.qty = keyed ? keyed : QTY_ONE;
    }
    if (record(app, &e))
        return -1;
    say_counted(app, &e);
    return 0;
}

int app_count_submit_input(struct app *app, const char *typed)
{
    char text[256];
    snprintf(text, sizeof text, "%s", typed);
    app->dirty = 1;
    if (!text[0])
        return 0;
    char *star = strchr(text, '*');
    if (!star)
        return app_count_scan(app, text);
    *star = 0;
    int64_t qty;
    int rc = qty_parse(text, &qty);
    if (rc || qty <= 0 || qty > COUNT_MAX_QTY) {
        char why[128];
        if (rc)
            app_number_problem(text, rc, 3, why, sizeof why);
        else
            snprintf(why, sizeof why, qty <= 0 ? "the quantity must be above zero" : "'%.40s' is far too large", text);
        app_set_message(app, 1, "Quantity not taken: %s. Type e.g. 12* then scan", why);
        return -1;
    }
    app->count.pending_qty = qty;
    if (!star[1]) {
        char q[32];
        money_format_qty(qty, 0, &app->s.fmt, q, sizeof q);
        app_set_message(app, 0, "Quantity %s: now scan the item", q);
        return 0;
    }
    return app_count_scan(app, star + 1);
}

void app_count_clear_pending(struct app *app)
{
    app->count.pending_qty = 0;
    app->dirty = 1;
}

int app_count_set_selected(struct app *app, const char *text)
{
    struct count_session *c = &app->count;
    if (c->selected < 0 || c->selected >= c->tally.n) {
        app_set_message(app, 1, "Nothing counted yet: scan an item first");
        return -1;
    }
    int64_t qty;
    int rc = text[0] ? qty_parse(text, &qty) : MONEY_EPARSE;
    if (rc || qty < 0) {
        char why[128], kg[32];
        money_format_qty(1250, 1, &app->s.fmt, kg, sizeof kg);
        if (!text[0])
            snprintf(why, sizeof why, "nothing typed");
        else if (rc)
            app_number_problem(text, rc, 3, why, sizeof why);
        else
            snprintf(why, sizeof why, "a count cannot be below zero");
        app_set_message(app, 1, "Not set: %s. Type the quantity counted, then F2 (e.g. 12, or %s for kg)", why, kg);
        return -1;
    }
    const struct count_item *it = &c->tally.items[c->selected];
    struct count_entry e;
    memset(&e, 0, sizeof e);
    snprintf(e.sku, sizeof e.sku, "%s", it->sku);
    snprintf(e.barcode, sizeof e.barcode, "%s", it->barcode);
    snprintf(e.name, sizeof e.name, "%s", it->name);
    e.unit = it->unit;
    e.price = it->price;
    e.op = COUNT_SET;
    e.qty = qty;
    if (record(app, &e))
        return -1;
    say_counted(app, &e);
    return 0;
}

int app_count_undo(struct app *app)
{
    struct count_session *c = &app->count;
    struct count_entry undone;
    int rc = stock_count_undo_last(app->store, c->info.id, &undone);
    if (rc == STORE_NOTFOUND) {
        app_set_message(app, 1, "Nothing to undo");
        return -1;
    }
    if (rc) {
        app_set_message(app, 1, "Not undone: %s", store_errmsg(app->store));
        return -1;
    }
    char id[STOCK_COUNT_ID_LEN];
    snprintf(id, sizeof id, "%s", c->info.id);
    if (load_count(app, id))
        return -1;
    char q[32];
    money_format_qty(undone.qty, undone.unit == UNIT_KG, &app->s.fmt, q, sizeof q);
    app_set_message(app, 0, "Undone: %s%s %s", undone.op == COUNT_SET ? "=" : "+", q, undone.name);
    return 0;
}

void app_count_select(struct app *app, int delta)
{
    struct count_session *c = &app->count;
    int counted = 0;
    while (counted < c->tally.n && c->tally.items[counted].counted_ever)
        counted++;
    if (!counted)
        return;
    int s = c->selected < 0 ? counted - 1 : c->selected + delta;
    c->selected = s < 0 ? 0 : s >= counted ? counted - 1 : s;
    app->dirty = 1;
}

/* ------------------------------------------------------------------ the report --- */

struct expected_ctx {
    struct app *app;
    int failed;
};

static int add_expected(void *ctx, const char *sku, int64_t on_hand)
{
    struct expected_ctx *x = ctx;
    struct count_tally *t = &x->app->count.tally;
    if (count_tally_find(t, sku, "") >= 0)
        return 0;
    struct product p;
    memset(&p, 0, sizeof p);
    if (catalog_find_by_sku(x->app->store, sku, &p) != STORE_OK)
        snprintf(p.name, sizeof p.name, "(not in the catalog) %s", sku);
    if (count_tally_add_expected(t, sku, p.name, p.unit, p.price, on_hand)) {
        x->failed = 1;
        return 1;
    }
    return 0;
}

static void format_when(int64_t t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

/* Writes count-ID.csv and count-ID.txt to the spool, and prints the text if print. */
static int write_report(struct app *app, int print)
{
    struct count_session *c = &app->count;
    char started[32], finished[32];
    format_when(c->info.started_at, started, sizeof started);
    format_when(loop_wall_time(), finished, sizeof finished);
    struct count_header h = {
        .count_id = c->info.id, .zone = c->info.zone, .terminal = app->s.terminal_id,
        .counted_by = c->info.counted_by, .started = started, .finished = finished,
        .blind = c->info.blind, .uncounted_as_zero = c->info.uncounted_as_zero,
        .receiving = c->info.receiving, .fmt = &app->s.fmt,
    };
    char *csv = NULL, *text = NULL, err[200] = "", path[600];
    int rc = count_report_csv(&c->tally, &h, &csv);
    if (rc == 0)
        rc = count_report_text(&c->tally, &h, app->s.receipt_width, &text);
    if (rc) {
        app_set_message(app, 1, "The report could not be laid out: %s", count_strerror(rc));
        return -1;
    }
    snprintf(c->report_path, sizeof c->report_path, "%s/count-%s.csv", app->s.spool_dir, c->info.id);
    snprintf(path, sizeof path, "%s/count-%s.txt", app->s.spool_dir, c->info.id);
    rc = atomic_file_write_text(c->report_path, csv, 0600, err, sizeof err);
    if (rc == 0)
        rc = atomic_file_write_text(path, text, 0600, err, sizeof err);
    if (rc == 0 && print)
        count_print_report(app, text);
    free(csv);
    free(text);
    if (rc) {
        app_set_message(app, 1, "The report could not be written to the spool: %s", err);
        return -1;
    }
    return 0;
}

int app_count_finish(struct app *app)
{
    struct count_session *c = &app->count;
    if (!c->loaded)
        return -1;
    /* fresh expected figures: sync may have brought new levels while counting */
    for (int i = 0; i < c->tally.n; i++)
        load_expected(app, &c->tally.items[i]);
    struct expected_ctx x = { app, 0 };
    if (!c->reported && !c->info.receiving) {
        if (stock_levels_each_positive(app->store, c->info.zone, add_expected, &x) < 0 || x.failed) {
            app_set_message(app, 1, "The expected stock could not be read: %s", store_errmsg(app->store));
            return -1;
        }
        c->reported = 1;
    }
    c->reported = 1;
    app->mode = MODE_COUNT_REPORT;
    app->dirty = 1;
    if (write_report(app, 1))
        return -1;
    app_set_message(app, 0, "%s in %s%s. F5 submits the %s.", c->info.receiving ? "Goods-in list" : "Variance report",
                    c->report_path, c->printed ? ", and queued for the printer" : "",
                    c->info.receiving ? "delivery" : "count");
    return 0;
}

int app_count_toggle_uncounted(struct app *app)
{
    struct count_session *c = &app->count;
    if (c->info.receiving)
        return 0;   /* a delivery expects nothing: nothing is uncounted */
    int v = !c->info.uncounted_as_zero;
    if (stock_count_set_uncounted_as_zero(app->store, c->info.id, v)) {
        app_set_message(app, 1, "Not changed: %s", store_errmsg(app->store));
        return -1;
    }
    c->info.uncounted_as_zero = v;
    app->dirty = 1;
    if (write_report(app, 0))
        return -1;
    app_set_message(app, 0, "Items expected but not counted are %s. Report rewritten (F7 prints it).",
                    v ? "counted as ZERO" : "LEFT OUT (their stock stays)");
    return 0;
}

void app_count_back(struct app *app)
{
    struct count_session *c = &app->count;
    /* the uncounted items leave the list again: they may still be counted */
    char id[STOCK_COUNT_ID_LEN];
    snprintf(id, sizeof id, "%s", c->info.id);
    if (load_count(app, id) == 0)
        app_set_message(app, 0, "Back to counting %s.", c->info.zone);
}

int app_count_submit(struct app *app)
{
    return app_command(app, "count-submit", NULL, DOOR_KEY);
}

int cmd_count_submit(struct app *app, const struct cmd_args *args)
{
    struct count_session *c = &app->count;
    int64_t now = loop_wall_time();
    int receiving = c->info.receiving;
    char reason[120];
    snprintf(reason, sizeof reason, "%s %s zone %s by %s", receiving ? "goods in" : "count", c->info.id,
             c->info.zone, c->info.counted_by);
    int rc = store_begin(app->store, STORE_TX_PLAIN);
    int queued = 0;
    for (int i = 0; rc == STORE_OK && i < c->tally.n; i++) {
        const struct count_item *it = &c->tally.items[i];
        if (!it->sku[0] || (!it->counted_ever && !c->info.uncounted_as_zero))
            continue;   /* unknown codes are for review; uncounted items left out keep their stock */
        if (receiving && !it->counted)
            continue;   /* set to nothing after all: nothing came */
        /* a delivery adds what came, as of its scan: a count after it already holds it */
        struct stock_adjustment a = {
            .terminal_id = app->s.terminal_id, .document = c->info.id, .sku = it->sku,
            .location = c->info.zone, .kind = receiving ? "received" : "count",
            .quantity = it->counted_ever ? it->counted : 0,
            .occurred_at = it->counted_ever ? it->counted_at : now, .reason = reason,
        };
        rc = adjustment_enqueue(app->store, &a, now);
        queued++;
    }
    if (rc == STORE_OK)
        rc = stock_count_mark_submitted(app->store, c->info.id, now);
    if (rc == STORE_OK)
        rc = store_commit(app->store);
    else
        store_rollback(app->store);
    if (rc) {
        app_set_message(app, 1, "The %s was NOT submitted: %s", receiving ? "delivery" : "count",
                        rc == STORE_NOTFOUND ? "it was submitted before" : store_errmsg(app->store));
        return -1;
    }
    char detail[120];
    snprintf(detail, sizeof detail, "%s zone %s items %d", c->info.id, c->info.zone, queued);
    audit(app, receiving ? "goods_in_submit" : "count_submit", detail);
    app->sync.queued += queued;
    if (app->sync.engine)
        sync_kick(app->sync.engine);
    char id[STOCK_COUNT_ID_LEN], zone[STOCK_COUNT_ZONE_LEN];
    snprintf(id, sizeof id, "%s", c->info.id);
    snprintf(zone, sizeof zone, "%s", c->info.zone);
    count_tally_free(&c->tally);
    c->loaded = 0;
    refresh_open_list(app);
    app->mode = MODE_COUNT_START;
    app_set_message(app, 0, "%s %s of %s submitted: %d items queued for the store server.",
                    receiving ? "Goods in" : "Count", id, zone, queued);
    app->dirty = 1;
    return 0;
}

int app_count_print(struct app *app)
{
    struct count_session *c = &app->count;
    c->printed = 0;
    if (write_report(app, 1))
        return -1;
    if (!c->printed) {
        app_set_message(app, 1, "No printer is configured: the report is in %s", c->report_path);
        return -1;
    }
    app_set_message(app, 0, "The report is queued for the printer.");
    return 0;
}

void app_count_ask_abandon(struct app *app, int ask)
{
    app->count.confirm_abandon = ask && app->count.loaded;
    app->dirty = 1;
}

int app_count_abandon(struct app *app)
{
    struct count_session *c = &app->count;
    c->confirm_abandon = 0;
    if (!c->loaded)
        return -1;
    int rc = stock_count_abandon(app->store, c->info.id, loop_wall_time(), app_actor_id(app));
    if (rc) {
        app_set_message(app, 1, "The %s was NOT abandoned: %s", c->info.receiving ? "delivery" : "count",
                        rc == STORE_NOTFOUND ? "it is no longer open" : store_errmsg(app->store));
        return -1;
    }
    char detail[160];
    snprintf(detail, sizeof detail, "%s zone %s entries %lld", c->info.id, c->info.zone,
             (long long)c->tally.entries);
    audit(app, c->info.receiving ? "goods_in_abandon" : "count_abandon", detail);
    char id[STOCK_COUNT_ID_LEN], zone[STOCK_COUNT_ZONE_LEN];
    const char *what = doc_name(&c->info);
    snprintf(id, sizeof id, "%s", c->info.id);
    snprintf(zone, sizeof zone, "%s", c->info.zone);
    count_tally_free(&c->tally);
    c->loaded = 0;
    refresh_open_list(app);
    app->mode = MODE_COUNT_START;
    app_set_message(app, 0, "%s %s of %s abandoned: nothing was sent; its entries are kept for the record.", what, id,
                    zone);
    return 0;
}
