#include "app/app.h"
#include "app/app_fiscal.h"
#include "app/app_display.h"
#include "app/app_scale.h"
#include "app/app_print.h"
#include "app/kiosk.h"
#include "app/authorize.h"
#include "app/commands.h"
#include "app/terminal_id.h"
#include "offline/order.h"
#include "offline/outbox.h"
#include "offline/sync.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "src/catalog.h"
#include "src/lookup.h"
#include "src/sales.h"
#include "src/stock.h"
#include "src/atomic_file.h"
#include "src/pause_point.h"
#include "src/spool.h"

extern const char *const demo_catalog_csv[];

void app_set_message(struct app *app, int is_error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(app->message, sizeof app->message, fmt, ap);
    va_end(ap);
    app->message_is_error = is_error;
    app->errors += is_error != 0;
    app->dirty = 1;
}

/* The selected line's stock, read again only when the line or the last sync changed. */
static void refresh_stock_view(struct app *app)
{
    struct app_stock_view *v = &app->stock;
    const struct sale_session *s = app->sale;
    const char *sku = s->selected >= 0 && s->selected < s->cart.nlines ? s->cart.lines[s->selected].product.sku : "";
    if (strcmp(v->sku, sku) == 0 && v->synced_at == app->sync.last_sync_at)
        return;
    snprintf(v->sku, sizeof v->sku, "%s", sku);
    v->synced_at = app->sync.last_sync_at;
    v->known = sku[0] && stock_level_get(app->store, sku, app->count.location, &v->on_hand) == STORE_OK;
    app->dirty = 1;
}

static void format_qty(const struct app *app, int64_t qty, int weighed, char *buf, size_t len)
{
    money_format_qty(qty, weighed, &app->s.fmt, buf, len);
}

/* Why text is not a number with at most decimals fraction digits (rc from the parser):
 * "'1.2345' has more than 3 decimals", "'abc' is not a number". */
void app_number_problem(const char *text, int rc, int decimals, char *buf, size_t len)
{
    if (rc == MONEY_EOVERFLOW) {
        snprintf(buf, len, "'%.40s' is far too large", text);
        return;
    }
    if (text[strspn(text, " ")] == 0) {
        snprintf(buf, len, "nothing typed");
        return;
    }
    if (text[strspn(text, "0123456789.,+- ")] != 0) {
        snprintf(buf, len, "'%.40s' is not a number", text);
        return;
    }
    const char *sep = strpbrk(text, ".,"), *last = NULL;
    for (; sep; sep = strpbrk(sep + 1, ".,"))
        last = sep;
    if (last && strspn(last + 1, "0123456789") > (size_t)decimals)
        snprintf(buf, len, "'%.40s' has more than %d decimals", text, decimals);
    else
        snprintf(buf, len, "'%.40s' is not a number as written (e.g. 1.234,50 or 0,750)", text);
}

int app_take_dirty(struct app *app)
{
    if (app->store)
        refresh_stock_view(app);
    /* the open sale is saved before the screen shows it changed: what a cashier saw
     * survives a crash */
    if (app->dirty)
        app_open_cart_save(app);
    int d = app->dirty;
    app->dirty = 0;
    return d;
}

/* Promotions' validity and day windows follow the local clock. */
static void set_pricing_clock(struct app *app)
{
    time_t now = (time_t)loop_wall_time();
    struct tm tm;
    int minute = localtime_r(&now, &tm) ? tm.tm_hour * 60 + tm.tm_min : 0;
    cart_set_clock(&app->sale->cart, (int64_t)now, minute);
}

static void begin_sale(struct app *app)
{
    app_unsaved_end(app);
    sale_session_begin(app->sale, loop_wall_time());
    card_payment_new_sale(app->card, app->sale->uuid);
    app_returns_reset(app);
    set_pricing_clock(app);
    app_promotions_begin(app);
    app_age_reset(app);
    app->customer.name[0] = 0;
    app->dirty = 1;
}

/* The audit log names the signed-on staff member by id (the configured cashier on a till
 * without staff). */
const char *app_actor_id(const struct app *app)
{
    return app->staff.signed_on ? app->staff.who.id : app->s.cashier;
}

void app_audit(struct app *app, const char *event, const char *detail)
{
    store_audit(app->store, loop_wall_time(), app->s.terminal_id, app_actor_id(app), event, detail);
}

static void audit(struct app *app, const char *event, const char *detail)
{
    app_audit(app, event, detail);
}

enum app_mode app_home_mode(const struct app *app)
{
    return app->staff.enabled && !app->staff.signed_on ? MODE_SIGNON : MODE_SALE;
}

static int mkdir_p(const char *path)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0700) && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    return mkdir(tmp, 0700) && errno != EEXIST ? -1 : 0;
}

static void dirname_of(const char *path, char *out, size_t len)
{
    snprintf(out, len, "%s", path);
    char *slash = strrchr(out, '/');
    if (slash && slash != out)
        *slash = 0;
    else
        snprintf(out, len, ".");
}

static int load_catalog(struct app *app, char *err, size_t errlen)
{
    for (int i = 0; i < app->s.ntax; i++)
        if (catalog_upsert_tax_class(app->store, &app->s.tax_classes[i])) {
            snprintf(err, errlen, "cannot store tax class %s: %s", app->s.tax_classes[i].code,
                     store_errmsg(app->store));
            return -1;
        }
    int empty = 0;
    if (catalog_is_empty(app->store, &empty))
        return -1;
    if (empty && app->s.load_demo_catalog)
        return catalog_import_csv(app->store, demo_catalog_csv[0], err, errlen);
    return 0;
}

/* The big parts live on the heap, so struct app stays small enough for a stack (the open
 * sale, the held sales, the card controller, the return and the promotions). */
static int alloc_parts(struct app *app)
{
    app->sale = calloc(1, sizeof *app->sale);
    app->card = calloc(1, sizeof *app->card);
    app->ret = calloc(1, sizeof *app->ret);
    app->promos = calloc(1, sizeof *app->promos);
    app->staff.held = calloc(APP_MAX_HELD, sizeof *app->staff.held);
    return app->sale && app->card && app->ret && app->promos && app->staff.held ? 0 : -1;
}

static void free_parts(struct app *app)
{
    free(app->sale);
    free(app->card);
    free(app->ret);
    free(app->promos);
    free(app->staff.held);
    app->sale = NULL;
    app->card = NULL;
    app->ret = NULL;
    app->promos = NULL;
    app->staff.held = NULL;
}

static int init(struct app *app, struct config *cfg, struct loop *loop, char *err, size_t errlen);

static int init_app(struct app *app, struct config *cfg, struct loop *loop, int one_shot, char *err,
                    size_t errlen)
{
    memset(app, 0, sizeof *app);
    app->one_shot = one_shot;
    if (alloc_parts(app)) {
        free_parts(app);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (init(app, cfg, loop, err, errlen)) {
        free_parts(app);
        return -1;
    }
    return 0;
}

int app_init(struct app *app, struct config *cfg, struct loop *loop, char *err, size_t errlen)
{
    return init_app(app, cfg, loop, 0, err, errlen);
}

int app_init_one_shot(struct app *app, struct config *cfg, struct loop *loop, char *err, size_t errlen)
{
    return init_app(app, cfg, loop, 1, err, errlen);
}

static int init(struct app *app, struct config *cfg, struct loop *loop, char *err, size_t errlen)
{
    app->cfg = cfg;
    app->loop = loop;
    if (settings_from_config(cfg, &app->s, err, errlen))
        return -1;
    /* Drivers read the resolved paths (a simulated terminal keeps its memory beside the
     * database), so the defaults are written back into the configuration. */
    if (config_set(cfg, "paths.database", app->s.db_path) || config_set(cfg, "paths.spool", app->s.spool_dir)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char dir[512];
    dirname_of(app->s.db_path, dir, sizeof dir);
    if (mkdir_p(dir) || mkdir_p(app->s.spool_dir)) {
        snprintf(err, errlen, "cannot create %s or %s: %s", dir, app->s.spool_dir, strerror(errno));
        return -1;
    }
    if (app_storage_writable(app, dir, err, errlen) ||
        store_open(app->s.db_path, &app->store, err, errlen))
        return -1;
    if (app_storage_check(app, err, errlen) || app_terminal_id_check(app, err, errlen) ||
        load_catalog(app, err, errlen)) {
        store_close(app->store);
        app->store = NULL;
        return -1;
    }
    long long inc;
    if (config_get_int(cfg, "payment.cash_rounding", 1, &inc) || inc < 1 || inc > 100000) {
        snprintf(err, errlen, "config payment.cash_rounding must be a whole number of minor units (1 = none, 5 for CHF)");
        store_close(app->store);
        app->store = NULL;
        return -1;
    }
    sale_session_init(app->sale, &app->s.tax, inc);
    if (app_returns_configure(app, err, errlen) || app_discount_configure(app, err, errlen) ||
        app_park_configure(app, err, errlen) || app_age_configure(app, err, errlen)) {
        store_close(app->store);
        app->store = NULL;
        return -1;
    }
    begin_sale(app);
    if (count_session_init(app, err, errlen))
        goto fail;
    if (app_fiscal_open(app, err, errlen) ||
        app_open_terminals(app, err, errlen) ||
        drawer_open(config_get(cfg, "drawer.driver", "sim"), loop, cfg, &app->drawer, err, errlen) ||
        app_open_printer(app, err, errlen) ||
        app_open_display(app, err, errlen) ||
        app_open_scanner(app, err, errlen) ||
        app_open_scale(app, err, errlen))
        goto fail;
    outbox_count(app->store, OUTBOX_PENDING, &app->sync.queued);
    if (app_open_sync(app, err, errlen) || app_open_staff(app, err, errlen))
        goto fail;
    app_storage_catch_up(app);   /* in the background, from the loop's first turn */
    if (!app->one_shot)
        audit(app, "start", NULL);
    if (app->staff.enabled) {
        app_set_message(app, 0, "Sign on: your staff id, then Enter, then your PIN.");
        if (app_z_resume(app) > 0)
            app->mode = MODE_SIGNON; /* the report is spooled and printed; someone signs on */
    } else
        app_set_message(app, 0, "Ready. Scan or type a barcode, then Enter.");
    /* before recovery: the restored sale's approved card payments are its own */
    app_open_cart_restore(app);
    app_fiscal_recover(app);
    app_recover_start(app);
    app_count_resume_active(app);
    if (kiosk_open(app, err, errlen))
        goto fail;
    return 0;
fail:
    app_fiscal_close(app);
    app_close_staff(app);
    app_close_sync(app);
    app_close_scale(app);
    app_close_scanner(app);
    app_close_terminals(app);
    app_fiscal_close(app);
    app_close_display(app);
    app_close_printer(app);
    drawer_close(app->drawer);
    app->drawer = NULL;
    sale_session_free(app->sale);
    count_session_free(&app->count);
    store_close(app->store);
    app->store = NULL;
    return -1;
}

void app_free(struct app *app)
{
    app_unsaved_last_try(app);
    kiosk_close(app);
    app_close_staff(app);
    free(app->shift.report_text);
    app->shift.report_text = NULL;
    if (app->shift.eod_timer)
        loop_cancel_timer(app->loop, app->shift.eod_timer);
    app->shift.eod_timer = 0;
    app_close_sync(app);
    app_close_scale(app);
    app_close_scanner(app);
    app_close_terminals(app);
    app_close_display(app);
    app_close_printer(app);
    drawer_close(app->drawer);
    if (app->store) {
        if (!cart_is_empty(&app->sale->cart))
            audit(app, "sale_abandoned", app->sale->uuid);
        if (!app->one_shot)
            audit(app, "stop", NULL);
        store_close(app->store);
    }
    sale_session_free(app->sale);
    count_session_free(&app->count);
    free(app->last.receipt_text);
    free_parts(app);
}

/* The local date for "expired" checks on GS1 labels. */
static int today_yyyymmdd(void)
{
    time_t now = (time_t)loop_wall_time();
    struct tm tm;
    if (!localtime_r(&now, &tm))
        return 0;
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* A line that says so on the message line; from_label: the quantity is the label's. */
static int add_line(struct app *app, const struct product *p, const char *code, int64_t qty, int from_label)
{
    if (app_deposit_is_return(p) && !from_label)
        return app_deposit_return(app, p, code, qty);
    app_promotions_for_product(app, p);
    int rc = from_label ? cart_add_label_item(&app->sale->cart, p, code, qty)
                        : cart_add_item(&app->sale->cart, p, code, qty);
    if (rc) {
        app_set_message(app, 1, "%s: %s", p->name, cart_strerror(rc));
        return -1;
    }
    int line = app->sale->cart.nlines - 1;
    app->sale->selected = line;
    app_fiscal_item_added(app);
    char price[48];
    money_format(app->sale->cart.lines[line].line_total, &app->s.fmt, 1, price, sizeof price);
    app_set_message(app, 0, "%s  %s%s", p->name, price, p->deposit_sku[0] ? "  + deposit" : "");
    if (!from_label && app_deposit_add(app, p, line, qty) == 0)
        app->sale->selected = app->sale->cart.nlines - 1;
    app_age_ask(app, line);
    return 0;
}

int app_add_line(struct app *app, const struct product *p, const char *code, int64_t qty)
{
    return add_line(app, p, code, qty, 0);
}

/* A quantity the cashier typed (or one piece): asks first above the limits.  1 when the
 * line waits for the answer. */
static int add_typed(struct app *app, const struct product *p, const char *code, int64_t qty, enum app_mode back)
{
    if (app_confirm_line(app, p, code, qty, -1, back))
        return 1;
    return app_add_line(app, p, code, qty);
}

/* GS1 data from the label goes on the line just added; an expired item is sold only
 * after the cashier has seen the warning (the line says EXPIRED). */
void app_mark_label(struct app *app, const char *batch, const char *serial, int32_t expiry, int expired)
{
    struct cart *cart = &app->sale->cart;
    int line = cart->nlines - 1;
    cart_set_line_label(cart, line, batch, serial, expiry, expired);
    const struct cart_line *l = &cart->lines[line];
    if (l->expired)
        app_set_message(app, 1, "%s is EXPIRED (use by %04d-%02d-%02d): take it out of the sale (F3)",
                        l->product.name, (int)(l->expiry / 10000), (int)(l->expiry / 100 % 100),
                        (int)(l->expiry % 100));
}

static void mark_label_data(struct app *app, const struct scan_result *r)
{
    app_mark_label(app, r->code.batch, r->code.serial, r->code.expiry, r->code.expired);
}

static int lookup_and_add(struct app *app, const char *code, int64_t qty)
{
    struct scan_result r;
    char msg[256];
    if (lookup_scan(app->store, &app->s.barcode, code, today_yyyymmdd(), &r, msg, sizeof msg)) {
        /* not an item: a loyalty card or a coupon, else the lookup's reason */
        if (!qty && (app_customer_scan(app, code) || app_coupon_scan(app, code)))
            return 0;
        app_set_message(app, 1, "%s", msg);
        return -1;
    }
    struct product p = r.product;
    if (p.tax_rate_ppm < 0) {
        app_set_message(app, 1, "%s has tax class '%s', which is not configured", p.name, p.tax_class);
        return -1;
    }
    if ((r.has_price || r.has_qty) && qty) {
        app_set_message(app, 1, "%s: a weighed or priced label cannot be multiplied: scan each label", p.name);
        return -1;
    }
    if (r.has_price) {
        app_promotions_for_product(app, &p);
        int rc = cart_add_priced_item(&app->sale->cart, &p, r.line_code, r.has_qty ? r.qty : 0, r.price);
        if (rc) {
            app_set_message(app, 1, "%s: %s", p.name, cart_strerror(rc));
            return -1;
        }
        app->sale->selected = app->sale->cart.nlines - 1;
        char price[48];
        money_format(r.price, &app->s.fmt, 1, price, sizeof price);
        app_set_message(app, 0, "%s  %s (price from the label)", p.name, price);
        mark_label_data(app, &r);
        app_age_ask(app, app->sale->selected);
        return 0;
    }
    if (r.has_qty) {
        /* the scale's weight: fixed on the line, like a label's price */
        if (add_line(app, &p, r.line_code, r.qty, 1))
            return -1;
        mark_label_data(app, &r);
        return 0;
    }
    if (p.unit == UNIT_KG && !qty) {
        app->sale->weighed = p;
        snprintf(app->sale->weighed_barcode, sizeof app->sale->weighed_barcode, "%s", r.line_code);
        app->mode = MODE_WEIGHT;
        if (app_scale_configured(app))
            app_scale_weigh(app);
        else
            app_set_message(app, 0, "%s is sold by weight: enter kg", p.name);
        return 0;
    }
    int rc = add_typed(app, &p, r.line_code, qty ? qty : QTY_ONE, MODE_SALE);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        mark_label_data(app, &r);
    } else {
        /* held for the question: the label's data goes on the line if it is added */
        struct app_confirm *c = &app->confirm;
        snprintf(c->batch, sizeof c->batch, "%s", r.code.batch);
        snprintf(c->serial, sizeof c->serial, "%s", r.code.serial);
        c->expiry = r.code.expiry;
        c->expired = r.code.expired;
    }
    return 0;
}

/* Once money is taken the cart is fixed: the total must not move under the payments. */
static int cart_locked(struct app *app)
{
    if (!sale_session_locked(app->sale))
        return 0;
    app_set_message(app, 1, "Payments are already taken: finish paying (F5) or cancel the sale (F8)");
    return 1;
}

/* A scan goes where the top mode says (app/modes.c); the kiosk's flow owns the scanner
 * whatever dialog it shows. */
int app_scan(struct app *app, const char *code)
{
    app_note_activity(app);
    if (app->kiosk)
        return kiosk_scan(app, code);
    const struct app_mode_ops *m = app_mode_ops(app->mode);
    if (m->scan)
        return m->scan(app, code);
    app_set_message(app, 1, "Scan of %.40s ignored: finish or close the open dialog first (Esc)", code);
    return -1;
}

int cmd_sell(struct app *app, const struct cmd_args *a)
{
    if (cart_locked(app) || app_storage_refuses_sale(app))
        return -1;
    if (app->staff.enabled && !app->shift.open) {
        app_set_message(app, 1, "No shift is open: F9, then S opens one with the float");
        return -1;
    }
    int64_t qty = app->sale->pending_qty;
    app->sale->pending_qty = 0;
    set_pricing_clock(app);
    return lookup_and_add(app, a->arg, qty);
}

int app_add_scan(struct app *app, const char *code)
{
    if (cart_locked(app))
        return -1;
    return lookup_and_add(app, code, 0);
}

void app_clear_pending_qty(struct app *app)
{
    app->sale->pending_qty = 0;
    app->dirty = 1;
}

int app_submit_input(struct app *app, const char *typed)
{
    char text[256];
    snprintf(text, sizeof text, "%s", typed);
    app->dirty = 1;
    if (!text[0])
        return 0;
    const struct app_mode_ops *m = app_mode_ops(app->mode);
    if (m->submit)
        return m->submit(app, text);
    char *star = strchr(text, '*');
    if (!star)
        return app_scan(app, text);
    *star = 0;
    int64_t qty;
    int rc = qty_parse(text, &qty);
    if (rc) {
        char why[128];
        app_number_problem(text, rc, 3, why, sizeof why);
        app_set_message(app, 1, "Quantity not taken: %s. Type e.g. 3* then scan", why);
        return -1;
    }
    if (qty <= 0 || qty > CART_MAX_QTY) {
        app_set_message(app, 1, "Quantity not taken: %s",
                        cart_strerror(qty <= 0 ? CART_EINVAL : CART_EQTYMAX));
        return -1;
    }
    if (!star[1]) {
        app->sale->pending_qty = qty;
        char q[32];
        format_qty(app, qty, 0, q, sizeof q);
        app_set_message(app, 0, "Quantity %s: now scan the item", q);
        return 0;
    }
    app->sale->pending_qty = qty;
    return app_scan(app, star + 1);
}

void app_select_line(struct app *app, int delta)
{
    struct sale_session *sale = app->sale;
    if (sale->cart.nlines == 0)
        return;
    int s = sale->selected < 0 ? sale->cart.nlines - 1 : sale->selected + delta;
    if (s < 0)
        s = 0;
    if (s >= sale->cart.nlines)
        s = sale->cart.nlines - 1;
    sale->selected = s;
    app->dirty = 1;
}

int cmd_void_line(struct app *app, const struct cmd_args *a)
{
    const struct staff_member *approver = a->approver;
    struct sale_session *sale = app->sale;
    const struct cart_line *l = &sale->cart.lines[sale->selected];
    int deposit = app_deposit_line_of(app, sale->selected);
    int rc = cart_void_line(&sale->cart, sale->selected);
    if (rc) {
        app_set_message(app, 1, "Cannot void: %s", cart_strerror(rc));
        return -1;
    }
    char detail[200];
    snprintf(detail, sizeof detail, "%s line %d %s%s%s", sale->uuid, sale->selected + 1, l->product.sku,
             approver ? " approved by " : "", approver ? approver->id : "");
    audit(app, "line_void", detail);
    /* its deposit goes with it */
    if (deposit >= 0 && cart_void_line(&sale->cart, deposit) == CART_OK) {
        snprintf(detail, sizeof detail, "%s line %d %s (deposit)", sale->uuid, deposit + 1,
                 sale->cart.lines[deposit].product.sku);
        audit(app, "line_void", detail);
    }
    app_set_message(app, 0, "Voided: %s%s%s", l->product.name, approver ? ", approved by " : "",
                    approver ? approver->name : "");
    return 0;
}

int cmd_check_void(struct app *app, const char *arg)
{
    if (cart_locked(app))
        return -1;
    struct sale_session *sale = app->sale;
    if (sale->selected < 0 || sale->selected >= sale->cart.nlines) {
        app_set_message(app, 1, "No line to void: the cart is empty");
        return -1;
    }
    if (sale->cart.lines[sale->selected].voided) {
        app_set_message(app, 1, "Cannot void: %s", cart_strerror(CART_EVOIDED));
        return -1;
    }
    return 0;
}

int app_void_selected(struct app *app)
{
    return app_command(app, "void-line", NULL, DOOR_KEY);
}

/* A scale label's weight and price are the scale's: the way to change them is to void
 * the line (audited) and weigh again. */
static int label_fixed(struct app *app, const struct cart_line *l)
{
    if (!l->price_from_barcode && !l->qty_from_label)
        return 0;
    app_set_message(app, 1, "The label fixes this weight and price: void the line (F3) and weigh again");
    return 1;
}

/* Enters a dialog once its command allowed it (the state checks of each stay here). */
static int enter_mode(struct app *app, enum app_mode mode)
{
    switch (mode) {
    case MODE_QTY:
        if (cart_locked(app))
            return -1;
        if (app->sale->selected < 0) {
            app_set_message(app, 1, "Select a line first (Up/Down)");
            return -1;
        }
        if (app->sale->cart.lines[app->sale->selected].voided) {
            app_set_message(app, 1, "A voided line cannot change: scan the item again");
            return -1;
        }
        if (label_fixed(app, &app->sale->cart.lines[app->sale->selected]))
            return -1;
        break;
    case MODE_PAY:
        if (cart_is_empty(&app->sale->cart)) {
            app_set_message(app, 1, "Nothing to pay: scan an item first");
            return -1;
        }
        set_pricing_clock(app);
        if (!sale_session_locked(app->sale))
            cart_reprice(&app->sale->cart);
        app->sale->tender.total = app->sale->cart.totals.total;
        app->sale->subtotaled = 1;
        break;
    case MODE_SEARCH:
        app->search.n = 0;
        app->search.needs_more = 0;
        break;
    case MODE_PRINT:
        if (app->mode == MODE_RECEIPT)
            app_next_sale(app);  /* the sale is done; the dialog closes onto the next one */
        break;
    default:
        break;
    }
    app->mode = mode;
    app->dirty = 1;
    return 0;
}

int cmd_quantity(struct app *app, const struct cmd_args *a) { return enter_mode(app, MODE_QTY); }
int cmd_pay(struct app *app, const struct cmd_args *a) { return enter_mode(app, MODE_PAY); }
int cmd_search(struct app *app, const struct cmd_args *a) { return enter_mode(app, MODE_SEARCH); }
int cmd_printer(struct app *app, const struct cmd_args *a) { return enter_mode(app, MODE_PRINT); }
int cmd_help(struct app *app, const struct cmd_args *a) { return enter_mode(app, MODE_HELP); }
int cmd_manager(struct app *app, const struct cmd_args *a) { return enter_mode(app, MODE_MANAGER); }
int cmd_open_shift(struct app *app, const struct cmd_args *a) { return enter_mode(app, MODE_OPEN_SHIFT); }
int cmd_cancel_sale(struct app *app, const struct cmd_args *a) { return app_cancel_sale(app); }

/* The dialogs that are commands open through the door (their permission and checks). */
void app_open_mode(struct app *app, enum app_mode mode)
{
    static const struct { enum app_mode mode; const char *cmd; } by_command[] = {
        { MODE_QTY, "quantity" }, { MODE_PAY, "pay" }, { MODE_SEARCH, "search" },
        { MODE_PRINT, "printer" }, { MODE_HELP, "help" }, { MODE_MANAGER, "manager" },
        { MODE_OPEN_SHIFT, "open-shift" }, { MODE_CONFIRM_CANCEL, "cancel-sale" },
    };
    for (size_t i = 0; i < sizeof by_command / sizeof by_command[0]; i++)
        if (by_command[i].mode == mode) {
            app_command(app, by_command[i].cmd, NULL, DOOR_KEY);
            return;
        }
    enter_mode(app, mode);
}

void app_close_dialog(struct app *app)
{
    if (app->mode == MODE_RECEIPT) {
        app_next_sale(app);
        return;
    }
    app->mode = MODE_SALE;
    app->dirty = 1;
}

void app_dialog_cancel(struct app *app)
{
    app_close_dialog(app);
    if (!app->message_is_error)
        app->message[0] = 0;   /* the closed dialog's instructions ("Type the weight...") */
}

int app_set_line_qty(struct app *app, int line, int64_t qty)
{
    int deposit = app_deposit_line_of(app, line);
    int rc = cart_set_qty(&app->sale->cart, line, qty);
    if (rc == CART_OK && deposit >= 0)
        cart_set_qty(&app->sale->cart, deposit, qty);
    if (rc) {
        app_set_message(app, 1, "Quantity not changed: %s", cart_strerror(rc));
        return -1;
    }
    app_close_dialog(app);
    app_set_message(app, 0, "Quantity changed: %s", app->sale->cart.lines[line].product.name);
    return 0;
}

int app_submit_qty(struct app *app, const char *text)
{
    int64_t qty;
    int rc = qty_parse(text, &qty);
    if (rc) {
        char why[128];
        app_number_problem(text, rc, 3, why, sizeof why);
        app_set_message(app, 1, "Quantity not changed: %s", why);
        return -1;
    }
    int line = app->sale->selected;
    if (line < 0 || line >= app->sale->cart.nlines)
        return -1;
    const struct cart_line *l = &app->sale->cart.lines[line];
    /* the cart's refusals first (zero, fractions, too many), then the question */
    if (cart_check_qty(&app->sale->cart, line, qty) == CART_OK &&
        app_confirm_line(app, &l->product, l->barcode, qty, line, MODE_QTY))
        return 0;
    return app_set_line_qty(app, line, qty);
}

int app_submit_weight(struct app *app, const char *text)
{
    if (app_scale_configured(app)) {
        /* legal for trade: the weight is the scale's; Enter alone asks it again */
        if (text[strspn(text, " ")] == 0) {
            app_scale_weigh(app);
            return 0;
        }
        app_set_message(app, 1, "Weight not taken: with a scale the weight comes from the scale, not the keyboard");
        return -1;
    }
    int64_t grams;
    int rc = qty_parse(text, &grams);
    if (rc || grams <= 0) {
        char why[128], example[32];
        format_qty(app, 750, 1, example, sizeof example);
        if (rc)
            app_number_problem(text, rc, 3, why, sizeof why);
        else
            snprintf(why, sizeof why, "the weight must be above zero");
        app_set_message(app, 1, "Weight not taken: %s. Type kg, e.g. %s", why, example);
        return -1;
    }
    return app_add_weighed(app, grams) < 0 ? -1 : 0;
}

int app_add_weighed(struct app *app, int64_t grams)
{
    app->mode = MODE_SALE;
    int rc = add_typed(app, &app->sale->weighed, app->sale->weighed_barcode, grams, MODE_WEIGHT);
    if (rc < 0 && !app_scale_configured(app))
        app->mode = MODE_WEIGHT;   /* refused: the prompt stays for another weight */
    return rc;
}

void app_search_update(struct app *app, const char *text)
{
    struct app_search *se = &app->search;
    se->n = 0;
    se->needs_more = text[strspn(text, " ")] && catalog_search_terms(text) == 0;
    int empty = 0;
    se->names_not_ready = !catalog_name_index_ready(app->store) ||
                          (app->sync.catalog_loading && catalog_is_empty(app->store, &empty) == 0 && empty);
    if (text[0] && !se->needs_more) {
        int n = catalog_search(app->store, text, se->results, APP_SEARCH_MAX);
        se->n = n < 0 ? 0 : n;
    }
    for (int i = 0; i < se->n; i++)
        se->stock_known[i] = stock_level_get(app->store, se->results[i].sku, app->count.location,
                                             &se->stock[i]) == STORE_OK;
    app->dirty = 1;
}

int app_search_choose(struct app *app, int index)
{
    if (index < 0 || index >= app->search.n) {
        app_set_message(app, 1, "No product chosen: type part of a name");
        return -1;
    }
    struct product p = app->search.results[index];
    app->mode = MODE_SALE;
    int64_t qty = app->sale->pending_qty;
    app->sale->pending_qty = 0;
    if (p.tax_rate_ppm < 0) {
        app_set_message(app, 1, "%s has tax class '%s', which is not configured", p.name, p.tax_class);
        return -1;
    }
    if (p.unit == UNIT_KG && !qty) {
        app->sale->weighed = p;
        app->sale->weighed_barcode[0] = 0;
        app->mode = MODE_WEIGHT;
        if (app_scale_configured(app))
            app_scale_weigh(app);
        else
            app_set_message(app, 0, "%s is sold by weight: enter kg", p.name);
        return 0;
    }
    return add_typed(app, &p, "", qty ? qty : QTY_ONE, MODE_SALE) < 0 ? -1 : 0;
}

int64_t app_amount_due(const struct app *app)
{
    return tender_balance(&app->sale->tender);
}

/* Writes the receipt text to the spool directory (src/spool.c: temp file, fsync, rename). */
static int spool_receipt(struct app *app, const char *text, int64_t receipt_no, char *err, size_t errlen)
{
    return spool_write(app->s.spool_dir, receipt_no, app->sale->uuid, text, err, errlen);
}

/* Writes a report to a file of the spool directory, as receipts are (src/atomic_file.c):
 * a printer daemon never sees half of one, and a power cut never undoes one. */
int app_spool_write(struct app *app, const char *name, const char *text, char *err, size_t errlen)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", app->s.spool_dir, name);
    return atomic_file_write_text(path, text, 0600, err, errlen);
}

static void format_when(int64_t t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

/* Completes the open sale with the payments collected so far. */
/* Inside the sale's commit: its order joins the outbox and the open sale kept for a crash
 * is forgotten, in the same transaction. */
static int commit_in_tx(struct store *st, const struct sale *sale, void *ctx)
{
    int rc = order_enqueue(st, sale, NULL);
    if (rc == 0)
        rc = app_fiscal_sale_committed(ctx, sale);
    return rc ? rc : open_cart_clear(st);
}

/* The receipt's notes: the sale's customer, and the receipt each return came from. */
static void sale_notes(const struct app *app, struct sale *sale)
{
    const struct cart *c = &app->sale->cart;
    size_t n = 0;
    if (c->customer_id[0] && app->customer.name[0])
        n += (size_t)snprintf(sale->notes, sizeof sale->notes, "Customer: %s\n", app->customer.name);
    const struct original_sale *o = app->ret && app->ret->have ? &app->ret->orig : NULL;
    for (int i = 0; i < c->nlines && n < sizeof sale->notes; i++) {
        const struct cart_line *l = &c->lines[i];
        if (l->voided || l->qty >= 0 || !l->return_of[0])
            continue;
        int seen = 0;
        for (int k = 0; k < i && !seen; k++)
            seen = !c->lines[k].voided && c->lines[k].qty < 0 && strcmp(c->lines[k].return_of, l->return_of) == 0;
        if (seen)
            continue;
        if (o && strcmp(o->key, l->return_of) == 0)
            n += (size_t)snprintf(sale->notes + n, sizeof sale->notes - n, "Return of receipt %lld, till %s\n",
                                  (long long)o->receipt_no, o->terminal_id);
        else
            n += (size_t)snprintf(sale->notes + n, sizeof sale->notes - n, "Return of sale %s\n", l->return_of);
    }
}

int app_complete_sale(struct app *app)
{
    struct sale_session *ss = app->sale;
    int64_t change = tender_change(&ss->tender);
    struct sale sale;
    memset(&sale, 0, sizeof sale);
    snprintf(sale.uuid, sizeof sale.uuid, "%s", ss->uuid);
    snprintf(sale.terminal_id, sizeof sale.terminal_id, "%s", app->s.terminal_id);
    snprintf(sale.cashier, sizeof sale.cashier, "%s", app_cashier_name(app));
    if (app->staff.signed_on)
        snprintf(sale.staff_id, sizeof sale.staff_id, "%s", app->staff.who.id);
    if (app->shift.open)
        sale.shift_id = app->shift.current.id;
    snprintf(sale.store_name, sizeof sale.store_name, "%s", app->s.store_name);
    sale.started_at = ss->started_at;
    sale.completed_at = loop_wall_time();
    sale.fmt = app->s.fmt;
    sale.tax = app->s.tax;
    sale.cart = &ss->cart;
    memcpy(sale.payments, ss->tender.payments, sizeof sale.payments);
    sale.npayments = ss->tender.n;
    sale.change_given = change;
    sale_notes(app, &sale);

    if (app_fiscal_sale_paid(app, &sale)) {
        /* a TSE in the cloud still signing: the sale waits, not saved yet, and is tried
         * again until the TSE has answered (or failed) */
        app_unsaved_begin(app, "waiting for the TSE's signature");
        return -1;
    }
    char err[STORE_ERRLEN];
    if (sales_commit(app->store, &sale, commit_in_tx, app, err, sizeof err)) {
        /* the tender is settled: the sale stays on screen, not saved yet, and is retried */
        app_unsaved_begin(app, err);
        kiosk_sync(app);
        return -1;
    }
    app_unsaved_end(app);
    /* a crash here: the sale is saved, its receipt neither written nor on screen */
    test_pause_point("sale_committed");
    /* the commit forgot the open sale; so does the state that mirrors it */
    memset(&app->open_cart.state, 0, sizeof app->open_cart.state);
    app->sync.queued++;
    if (app->sync.engine)
        sync_kick(app->sync.engine);
    struct app_last_sale *last = &app->last;
    last->total = ss->cart.totals.total;
    last->change = change;
    last->cash_out = last->card_out = 0;
    for (int i = 0; i < ss->tender.n; i++) {
        const struct payment *p = &ss->tender.payments[i];
        if (p->amount < 0 && p->tender == TENDER_CASH)
            last->cash_out -= p->tendered;   /* the coins handed out */
        else if (p->amount < 0 && p->tender == TENDER_CARD)
            last->card_out -= p->amount;
    }
    last->receipt_no = sale.receipt_no;
    char when[32];
    format_when(sale.completed_at, when, sizeof when);
    free(last->receipt_text);
    last->receipt_text = NULL;
    if (app_print_sale(app, &sale, when, &last->receipt_text) == 0) {
        if (spool_receipt(app, last->receipt_text, sale.receipt_no, err, sizeof err))
            app_set_message(app, 1, "Sale %lld saved, but the receipt file could not be written: %s",
                            (long long)sale.receipt_no, err);
        else if (app_receipt_spooled(app, sale.uuid) == 0)
            app_set_message(app, 0, "Sale %lld complete.", (long long)sale.receipt_no);
    } else {
        app_set_message(app, 1, "Sale %lld saved; receipt could not be laid out", (long long)sale.receipt_no);
    }
    app->mode = MODE_RECEIPT;
    app->dirty = 1;
    kiosk_sync(app);
    return 0;
}

int app_pay_cash(struct app *app, const char *text)
{
    struct tender_state *t = &app->sale->tender;
    if (app->sale->cart.totals.total < 0)
        return app_refund_cash(app, text);
    if (app->card->state != CARD_IDLE) {
        app_set_message(app, 1, "A card payment is in progress: wait for the terminal");
        return -1;
    }
    t->total = app->sale->cart.totals.total;
    int64_t tendered = tender_cash_due(t);
    int rc = text[0] ? money_parse(text, &app->s.fmt, &tendered) : 0;
    if (rc) {
        char why[128];
        app_number_problem(text, rc, app->s.fmt.cur.exponent, why, sizeof why);
        app_set_message(app, 1, "Cash not taken: %s", why);
        return -1;
    }
    if (tendered > 0 && app_confirm_cash(app, tendered))
        return 0;
    return app_take_cash(app, tendered);
}

int app_take_cash(struct app *app, int64_t tendered)
{
    struct tender_state *t = &app->sale->tender;
    int64_t change;
    int rc = tender_add_cash(t, tendered, &change);
    if (rc) {
        app_set_message(app, 1, "Cash not taken: %s", tender_strerror(rc));
        return -1;
    }
    drawer_kick(app->drawer);
    if (!tender_is_settled(t)) {
        char a[48], d[48];
        money_format(tendered, &app->s.fmt, 1, a, sizeof a);
        money_format(app_amount_due(app), &app->s.fmt, 1, d, sizeof d);
        app_set_message(app, 0, "%s cash taken. Still due: %s (F6 card, F7 voucher, Enter cash)", a, d);
        return 0;
    }
    if (app_complete_sale(app)) {
        /* not saved (e.g. disk full): the sale waits on screen, retried (app/unsaved_sale.c) */
        return -1;
    }
    return 0;
}

int app_pay_voucher(struct app *app, const char *text)
{
    struct tender_state *t = &app->sale->tender;
    int64_t value;
    if (app->sale->cart.totals.total < 0)
        return app_refund_voucher(app, text);
    if (app->card->state != CARD_IDLE) {
        app_set_message(app, 1, "A card payment is in progress: wait for the terminal");
        return -1;
    }
    if (!text[0]) {
        app_set_message(app, 1, "Type the voucher's value, then F7");
        return -1;
    }
    int prc = money_parse(text, &app->s.fmt, &value);
    if (prc) {
        char why[128];
        app_number_problem(text, prc, app->s.fmt.cur.exponent, why, sizeof why);
        app_set_message(app, 1, "Voucher not taken: %s", why);
        return -1;
    }
    t->total = app->sale->cart.totals.total;
    int rc = tender_add_voucher(t, value, "voucher");
    if (rc) {
        app_set_message(app, 1, "Voucher not taken: %s", tender_strerror(rc));
        return -1;
    }
    if (tender_is_settled(t))
        return app_complete_sale(app);
    char d[48];
    money_format(app_amount_due(app), &app->s.fmt, 1, d, sizeof d);
    app_set_message(app, 0, "Voucher taken. Still due: %s", d);
    return 0;
}

/* What the open sale's payments add up to, by what cancelling does with them. */
static struct app_cancel cancel_summary(const struct app *app)
{
    struct app_cancel c;
    memset(&c, 0, sizeof c);
    const struct tender_state *t = &app->sale->tender;
    for (int i = 0; i < t->n; i++) {
        const struct payment *p = &t->payments[i];
        if (p->tender == TENDER_CASH)
            c.cash += p->amount;
        else if (p->tender == TENDER_VOUCHER)
            c.vouchers += p->amount;
        else {
            c.card_total += p->amount;
            c.cards++;
        }
    }
    return c;
}

/* "; hand back 5,00 € cash and the voucher of 10,00 €" (empty when there is nothing). */
static void hand_back_text(const struct app *app, const struct app_cancel *c, char *buf, size_t len)
{
    char cash[48], voucher[48];
    money_format(c->cash, &app->s.fmt, 1, cash, sizeof cash);
    money_format(c->vouchers, &app->s.fmt, 1, voucher, sizeof voucher);
    if (c->cash && c->vouchers)
        snprintf(buf, len, "hand back %s cash and the vouchers (%s)", cash, voucher);
    else if (c->cash)
        snprintf(buf, len, "hand back %s cash", cash);
    else if (c->vouchers)
        snprintf(buf, len, "hand back the vouchers (%s)", voucher);
    else
        buf[0] = 0;
}

void app_cancel_consequences(const struct app *app, char *buf, size_t len)
{
    struct app_cancel c = cancel_summary(app);
    char back[160], cards[48];
    hand_back_text(app, &c, back, sizeof back);
    money_format(c.card_total, &app->s.fmt, 1, cards, sizeof cards);
    if (c.cards == 1)
        snprintf(buf, len, "The card payment of %s will be reversed%s%s.", cards, back[0] ? "; " : "", back);
    else if (c.cards > 1)
        snprintf(buf, len, "The %d card payments (%s) will be reversed%s%s.", c.cards, cards,
                 back[0] ? "; " : "", back);
    else if (back[0])
        snprintf(buf, len, "Nothing will be charged; %s.", back);
    else
        snprintf(buf, len, "Nothing has been paid: nothing will be charged.");
}

void app_cancel_sale_now(struct app *app)
{
    char detail[120];
    const char *approver = app_command_approver(app);
    snprintf(detail, sizeof detail, "%s%s%s", app->sale->uuid, approver[0] ? " approved by " : "", approver);
    audit(app, "sale_cancelled", detail);
    app_fiscal_sale_cancelled(app);
    app_shift_count_cancel(app, app->sale->cart.totals.total);
    /* what was given back, said once more now that it is done (one line at 80 columns
     * for a card and cash) */
    struct app_cancel c = app->cancel;
    char done[300], cards[48], cash[48], vouchers[48];
    money_format(c.card_total, &app->s.fmt, 1, cards, sizeof cards);
    money_format(c.cash, &app->s.fmt, 1, cash, sizeof cash);
    money_format(c.vouchers, &app->s.fmt, 1, vouchers, sizeof vouchers);
    int n = snprintf(done, sizeof done, "Sale cancelled");
    const char *sep = ": ";
    if (c.reversed > 0) {
        n += snprintf(done + n, sizeof done - (size_t)n, "%scard%s %s reversed", sep, c.reversed > 1 ? "s" : "", cards);
        sep = "; ";
    }
    if (c.cash || c.vouchers)
        n += snprintf(done + n, sizeof done - (size_t)n, "%sgive back ", sep);
    if (c.cash)
        n += snprintf(done + n, sizeof done - (size_t)n, "%s cash%s", cash, c.vouchers ? ", " : "");
    if (c.vouchers)
        n += snprintf(done + n, sizeof done - (size_t)n, "vouchers %s", vouchers);
    snprintf(done + n, sizeof done - (size_t)n, ".");
    if (c.cash)
        drawer_kick(app->drawer);
    memset(&app->cancel, 0, sizeof app->cancel);
    begin_sale(app);
    app->mode = MODE_SALE;
    app_set_message(app, 0, "%s", done);
    if (app->quit_after_cancel) {
        app->quit_after_cancel = 0;
        app->quit = 1;
    }
}

int app_cancel_sale(struct app *app)
{
    app->quit_after_cancel = 0;
    app->cancel = cancel_summary(app);
    /* approved card payments are reversed first: cancelling never keeps a customer's money */
    if (!sale_session_has_card_payments(app->sale)) {
        app_cancel_sale_now(app);
        return 0;
    }
    app->mode = MODE_PAY;
    app->dirty = 1;
    if (card_payment_reverse_all_then_cancel(app->card, &app->sale->tender)) {
        app_set_message(app, 1, "A card payment is in progress: wait for the terminal, then cancel");
        return -1;
    }
    return 0;
}

void app_next_sale(struct app *app)
{
    begin_sale(app);
    app_mode_reset(app);
    app->mode = MODE_SALE;
    app_set_message(app, 0, "Next customer. Scan the first item.");
}

int app_request_quit(struct app *app)
{
    app_command(app, "quit", NULL, DOOR_QUIT);
    return app->quit;
}

/* Quitting with an open sale cancels it: the cancel's permission and a "yes" first
 * (the "quit-cancel-sale" command). */
int cmd_quit(struct app *app, const struct cmd_args *a)
{
    if (app->kiosk) {
        kiosk_refuse_exit(app);   /* only the attendant's menu leaves kiosk mode */
        return -1;
    }
    if (app_unsaved_refuses(app, "quit"))
        return -1;
    if (app->sale->cart.nlines && app->mode != MODE_RECEIPT)
        return app_command(app, "quit-cancel-sale", NULL, a->door);
    app->quit = 1;
    return 0;
}

int cmd_quit_cancel_sale(struct app *app, const struct cmd_args *a)
{
    if (app_quit_cancelling_sale(app))
        app->quit = 1;
    return 0;
}

int app_quit_cancelling_sale(struct app *app)
{
    if (!sale_session_has_card_payments(app->sale)) {
        app->cancel = cancel_summary(app);
        app_cancel_sale_now(app);
        return 1;
    }
    /* the cards are reversed first; app->quit is set once the sale is cancelled */
    if (app_cancel_sale(app) == 0 && app->card->cancel_when_reversed)
        app->quit_after_cancel = 1;
    return 0;
}
