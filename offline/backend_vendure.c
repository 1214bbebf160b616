/* The Vendure backend: Vendure's Admin GraphQL API (3.x) over libcurl multi, on the loop.
 *
 * Catalog: product variants with their SKU, price (with or without tax, following
 * store.tax_mode), tax category (mapped to Till's tax classes by vendure.tax_classes),
 * barcodes and unit from variant custom fields, enabled flags.  Paged by updatedAt: the
 * cursor packs a second and how many variants of that second were already taken
 * (sec << 20 | k), so pages never skip or repeat even when thousands of variants share one
 * second (a bulk import).  A finished round steps its cursor back by vendure.overlap_s, so
 * a change committed late (a long transaction) is still seen.  Vendure's own lists keep no
 * tombstones: the reconcile feed reads the whole catalog and retires local products it no
 * longer holds.
 *
 * Stock: stockOnHand - stockAllocated of the configured stock location (or all), for
 * every variant, each round (stock moves do not touch the variant's updatedAt).
 *
 * With Till's plugin (offline/vendure-plugin) the catalog and stock rounds read changes
 * only (tillCatalogChanges, deleted variants included, and tillStockChanges, in the same
 * list shape), each round starting at the last change seen, at most 60 s back.
 *
 * Orders: with the plugin a batch is one mutation and one transaction on the server; the
 * sale's customer goes with it (name and card from the local customers).  Without it, each
 * sale walks Vendure's order process, looked up first by its idempotency key (the unique
 * Order custom field tillKey) so a retry resumes where the last attempt stopped and never
 * creates a second order:
 *   lookup (+ abandoned keyless drafts deleted) -> createDraftOrder -> key, lines, customer,
 *   shipping method -> ArrangingPayment + manual payment (settles itself) -> fulfilment ->
 *   Shipped, Delivered.
 * A return is refused on that path (Vendure's order process has no negative quantities;
 * the plugin makes it a refund).
 *
 * Errors: a transport failure, HTTP 5xx/429, FORBIDDEN, a schema Vendure does not know
 * (custom fields missing) or an unreadable answer changes nothing and is retried; an
 * ErrorResult or a user-input error refuses that one order, which Till parks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "offline/backend.h"
#include "offline/json_num.h"
#include "offline/http.h"
#include "offline/sync.h"
#include "src/catalog.h"
#include "src/config.h"
#include "src/customers.h"
#include "src/loop.h"
#include "src/store.h"

#define CUR_SHIFT 20
#define CUR_K_MAX ((INT64_C(1) << CUR_SHIFT) - 1)
#define VENDURE_LIST_MAX 1000   /* Vendure's default adminListQueryLimit */
#define GENERIC_BATCH 10        /* ~0.4 s per sale: small batches keep the queue count moving */
#define MAX_TAX 32

struct vendure;

enum step { S_LOOKUP, S_CLEAN, S_DELETE, S_CREATE, S_BODY, S_PAY, S_FULFIL, S_DELIVER };

struct vop {
    struct vendure *v;
    uint64_t id;
    uint64_t http_id;
    uint64_t timer;             /* a push waiting to start */
    backend_done_cb done;
    void *ctx;
    void (*then)(struct vop *op, const cJSON *data, enum backend_outcome err, const char *msg);
    long status;
    int64_t retry_after_s;
    size_t bytes;
    /* pull */
    enum backend_feed feed;
    int via_plugin;             /* this pull asks Till's plugin for changes only */
    int64_t since;
    int limit;
    /* push / lookup */
    enum outbox_kind kind;
    int n, i;
    char **keys;
    cJSON **orders;
    cJSON *results;
    /* the sale walking Vendure's order process (no plugin) */
    enum step step;
    int resumed;                /* the order was found half way: skip the transition it already made */
    int shipped;                /* its fulfilment is Shipped already */
    int relooked;               /* looked up again after a step said it was done already */
    int cleaned;                /* this push looked for abandoned drafts already */
    cJSON *stale;               /* ids of abandoned drafts to delete, then go on from after */
    enum step after;
    char order_id[32], code[40], fulfil_id[32], variant_ids[64][24], shipping_id[24], customer_id[24];
    cJSON *lines;               /* [{id, quantity}] of the order, for the fulfilment */
    struct vop *next;
};

struct vendure {
    struct backend base;
    struct loop *loop;
    struct store *store;
    struct http *http;
    struct sync_config cfg;
    uint64_t next_id;
    struct vop *ops;
    int plugin;                 /* 1 present, 0 absent, -1 not known yet */
    struct { char vendure[64]; char till[17]; } tax[MAX_TAX];
    int ntax;
    char **seen;                /* reconcile: SKUs Vendure holds */
    size_t nseen, capseen;
};

/* ------------------------------------------------------------------ helpers --- */

static void op_free(struct vop *op)
{
    for (int i = 0; i < op->n; i++) {
        free(op->keys ? op->keys[i] : NULL);
        cJSON_Delete(op->orders ? op->orders[i] : NULL);
    }
    free(op->keys);
    free(op->orders);
    cJSON_Delete(op->results);
    cJSON_Delete(op->lines);
    cJSON_Delete(op->stale);
    free(op);
}

static void op_unlink(struct vop *op)
{
    for (struct vop **p = &op->v->ops; *p; p = &(*p)->next) {
        if (*p == op) {
            *p = op->next;
            return;
        }
    }
}

/* Calls the engine back once and ends the operation. */
static void finish(struct vop *op, enum backend_outcome outcome, const cJSON *doc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void finish(struct vop *op, enum backend_outcome outcome, const cJSON *doc, const char *fmt, ...)
{
    struct backend_reply r = { .outcome = outcome, .status = op->status, .retry_after_s = op->retry_after_s,
                               .doc = doc, .bytes = op->bytes };
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r.error, sizeof r.error, fmt, ap);
        va_end(ap);
    }
    op_unlink(op);
    op->done(op->ctx, &r);
    op_free(op);
}

static struct vop *op_new(struct vendure *v, backend_done_cb done, void *ctx)
{
    struct vop *op = calloc(1, sizeof *op);
    if (!op)
        return NULL;
    op->v = v;
    op->id = ++v->next_id;
    op->done = done;
    op->ctx = ctx;
    op->retry_after_s = -1;
    op->next = v->ops;
    v->ops = op;
    return op;
}

/* Error codes that mean "this content is wrong", not "try later". */
static int refusing_code(const char *code)
{
    static const char *const refusing[] = { "USER_INPUT_ERROR", "BAD_USER_INPUT", "ENTITY_NOT_FOUND",
                                            "ILLEGAL_OPERATION", NULL };
    for (int i = 0; code && refusing[i]; i++)
        if (strcmp(code, refusing[i]) == 0)
            return 1;
    return 0;
}

static void on_http(void *ctx, const struct http_response *r)
{
    struct vop *op = ctx;
    op->http_id = 0;
    op->status = r->status;
    op->retry_after_s = r->status == 429 || r->status == 503 ? r->retry_after_s : -1;
    op->bytes += r->len;
    if (!r->transport_ok) {
        op->then(op, NULL, BACKEND_RETRY, r->error);
        return;
    }
    cJSON *j = cJSON_ParseWithLength(r->body, r->len);
    const cJSON *errors = cJSON_GetObjectItemCaseSensitive(j, "errors");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(j, "data");
    char msg[300];
    if (cJSON_IsArray(errors) && cJSON_GetArraySize(errors) > 0) {
        const cJSON *e = cJSON_GetArrayItem(errors, 0);
        const char *m = backend_json_str(e, "message", 250);
        const char *code = backend_json_str(cJSON_GetObjectItemCaseSensitive(e, "extensions"), "code", 60);
        snprintf(msg, sizeof msg, "Vendure: %s (%s)", m ? m : "error without a message", code ? code : "no code");
        /* not allowed: retrying will not help until someone fixes the token (the status bar says so) */
        if (code && (strcmp(code, "FORBIDDEN") == 0 || strcmp(code, "UNAUTHORIZED") == 0))
            op->status = 403;
        op->then(op, NULL, refusing_code(code) ? BACKEND_REFUSED : BACKEND_RETRY, msg);
    } else if (r->status != 200) {
        snprintf(msg, sizeof msg, "Vendure: HTTP %ld", r->status);
        op->then(op, NULL, BACKEND_RETRY, msg);
    } else if (!cJSON_IsObject(data)) {
        snprintf(msg, sizeof msg, "Vendure: the answer is not GraphQL (%zu bytes)", r->len);
        op->then(op, NULL, BACKEND_RETRY, msg);
    } else {
        op->then(op, data, BACKEND_OK, NULL);
    }
    cJSON_Delete(j);
}

/* Posts {query, variables}; vars is consumed.  0 or -1 (then nothing is in flight). */
static int gql(struct vop *op, const char *query, cJSON *vars,
               void (*then)(struct vop *, const cJSON *, enum backend_outcome, const char *))
{
    cJSON *body = cJSON_CreateObject();
    char *text = NULL;
    if (body && cJSON_AddStringToObject(body, "query", query)) {
        if (vars && cJSON_AddItemToObject(body, "variables", vars))
            vars = NULL;
        text = cJSON_PrintUnformatted(body);
    }
    cJSON_Delete(vars);
    cJSON_Delete(body);
    if (!text)
        return -1;
    op->then = then;
    op->http_id = http_request(op->v->http, "POST", op->v->cfg.url, text, strlen(text), on_http, op);
    free(text);
    return op->http_id ? 0 : -1;
}

/* "2026-11-30T16:13:10.000Z" -> Unix seconds; -1 when it is not that. */
static int64_t iso_seconds(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                     &tm.tm_min, &tm.tm_sec) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm);
}

static void iso_format(int64_t sec, int ms, char *out, size_t len)
{
    time_t t = (time_t)sec;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

static const char *tax_class_for(struct vendure *v, const char *category)
{
    for (int i = 0; category && i < v->ntax; i++)
        if (strcmp(v->tax[i].vendure, category) == 0)
            return v->tax[i].till;
    return NULL;
}

/* ------------------------------------------------------------ catalog pages --- */

static const char Q_VARIANTS[] =
    "query($o:ProductVariantListOptions){productVariants(options:$o){totalItems items{"
    "id sku name enabled price priceWithTax updatedAt product{enabled} taxCategory{name} "
    "customFields{barcodes tillUnit ageRestricted}}}}";

static const char Q_STOCK[] =
    "query($o:ProductVariantListOptions){productVariants(options:$o){totalItems items{"
    "sku stockLevels{stockOnHand stockAllocated stockLocation{name}}}}}";

/* With Till's plugin: changes only, in the shape of the lists above (aliased), deleted
 * variants included (deleted: true) so the till retires them in the next round. */
static const char Q_PLUGIN_VARIANTS[] =
    "query($s:String,$k:Int,$t:Int){productVariants:tillCatalogChanges(since:$s,skip:$k,take:$t){totalItems items{"
    "id sku name enabled deleted price priceWithTax updatedAt product{enabled} taxCategory{name} "
    "customFields{barcodes tillUnit ageRestricted}}}}";

static const char Q_PLUGIN_STOCK[] =
    "query($s:String,$k:Int,$t:Int){productVariants:tillStockChanges(since:$s,skip:$k,take:$t){totalItems items{"
    "sku updatedAt stockLevels{stockOnHand stockAllocated stockLocation{name}}}}}";

/* A change committed late (a batch's long transaction) is still seen: each round starts
 * this far back.  The plugin's batches are one transaction of at most a minute. */
static int64_t overlap_s(const struct vendure *v, int plugin)
{
    return plugin && v->cfg.vendure.overlap_s > 60 ? 60 : v->cfg.vendure.overlap_s;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void seen_clear(struct vendure *v)
{
    for (size_t i = 0; i < v->nseen; i++)
        free(v->seen[i]);
    free(v->seen);
    v->seen = NULL;
    v->nseen = v->capseen = 0;
}

static int seen_add(struct vendure *v, const char *sku)
{
    if (v->nseen == v->capseen) {
        size_t cap = v->capseen ? v->capseen * 2 : 1024;
        char **n = realloc(v->seen, cap * sizeof *n);
        if (!n)
            return -1;
        v->seen = n;
        v->capseen = cap;
    }
    if (!(v->seen[v->nseen] = strdup(sku)))
        return -1;
    v->nseen++;
    return 0;
}

struct tomb_ctx {
    struct vendure *v;
    cJSON *changes;
};

static int add_tombstone(void *ctx, const char *sku)
{
    struct tomb_ctx *t = ctx;
    if (bsearch(&sku, t->v->seen, t->v->nseen, sizeof *t->v->seen, cmp_str))
        return 0;
    cJSON *c = cJSON_CreateObject();
    if (!c || !cJSON_AddItemToArray(t->changes, c))
        return -1;
    cJSON_AddStringToObject(c, "sku", sku);
    cJSON_AddNumberToObject(c, "seq", 1);
    cJSON_AddTrueToObject(c, "deleted");
    return 0;
}

/* One variant as a native catalog change; 1 = left out (no SKU), -1 = cannot map. */
static int variant_change(struct vendure *v, const cJSON *it, cJSON *changes, char *why, size_t wlen)
{
    const char *sku = backend_json_str(it, "sku", 64);
    if (!sku)
        return 1;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "deleted"))) {
        /* deleted in Vendure: retired on the till (the plugin's feed only) */
        cJSON *c = cJSON_CreateObject();
        if (!c || !cJSON_AddItemToArray(changes, c))
            return -1;
        cJSON_AddStringToObject(c, "sku", sku);
        cJSON_AddNumberToObject(c, "seq", 1);
        cJSON_AddTrueToObject(c, "deleted");
        return 0;
    }
    const cJSON *tc = cJSON_GetObjectItemCaseSensitive(it, "taxCategory");
    const char *category = backend_json_str(tc, "name", 63);
    const char *tax = tax_class_for(v, category);
    if (!tax) {
        snprintf(why, wlen, "Vendure tax category \"%.60s\" (SKU %.64s) has no Till tax class: add it to vendure.tax_classes",
                 category ? category : "?", sku);
        return -1;
    }
    int64_t price;
    if (json_num_field(it, v->cfg.vendure.prices_include_tax ? "priceWithTax" : "price", 0, INT64_C(1) << 50, &price)) {
        snprintf(why, wlen, "SKU %.64s has no valid price", sku);
        return -1;
    }
    const cJSON *cf = cJSON_GetObjectItemCaseSensitive(it, "customFields");
    const cJSON *product = cJSON_GetObjectItemCaseSensitive(it, "product");
    const char *unit = backend_json_str(cf, "tillUnit", 8);
    const char *name = backend_json_str(it, "name", 1000);
    char nbuf[201];
    size_t nl = name ? strlen(name) : 0;
    if (nl > 200) { /* cut on a UTF-8 character boundary */
        nl = 200;
        while (nl > 0 && ((unsigned char)name[nl] & 0xC0) == 0x80)
            nl--;
    }
    snprintf(nbuf, sizeof nbuf, "%.*s", (int)nl, name ? name : "");
    cJSON *c = cJSON_CreateObject();
    if (!c || !cJSON_AddItemToArray(changes, c))
        return -1;
    int64_t sec = iso_seconds(backend_json_str(it, "updatedAt", 40));
    cJSON_AddStringToObject(c, "sku", sku);
    cJSON_AddNumberToObject(c, "seq", (double)(sec > 0 ? sec : 1));
    cJSON_AddStringToObject(c, "name", nbuf[0] ? nbuf : sku);
    cJSON_AddNumberToObject(c, "price", (double)price);
    cJSON_AddStringToObject(c, "unit", unit && strcmp(unit, "kg") == 0 ? "kg" : "each");
    cJSON_AddStringToObject(c, "tax_class", tax);
    cJSON_AddBoolToObject(c, "age_restricted", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cf, "ageRestricted")));
    cJSON_AddBoolToObject(c, "active", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "enabled")) &&
                                           !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(product, "enabled")));
    cJSON *bcs = cJSON_AddArrayToObject(c, "barcodes");
    const char *list = backend_json_str(cf, "barcodes", 2000);
    /* several barcodes in one text field, separated by '|', ',' or spaces */
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, "|, \t\n");
        if (n > 0 && n <= 48) {
            char code[49];
            memcpy(code, p, n);
            code[n] = 0;
            cJSON_AddItemToArray(bcs, cJSON_CreateString(code));
        }
        p += n;
        p += strspn(p, "|, \t\n");
    }
    return 0;
}

/* The items of a productVariants page and its totalItems, or NULL when the answer is not
 * of that shape. */
static const cJSON *variant_items(const cJSON *data, int64_t *total)
{
    const cJSON *pv = cJSON_GetObjectItemCaseSensitive(data, "productVariants");
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(pv, "items");
    if (!cJSON_IsArray(items) || json_num_field(pv, "totalItems", 0, INT64_C(1) << 52, total))
        return NULL;
    return items;
}

static void on_variants(struct vop *op, const cJSON *data, enum backend_outcome err, const char *msg)
{
    struct vendure *v = op->v;
    if (!data) {
        if (op->feed == BACKEND_RECONCILE)
            seen_clear(v);
        finish(op, err, NULL, "%s", msg);
        return;
    }
    int64_t total;
    const cJSON *items = variant_items(data, &total);
    if (!items) {
        finish(op, BACKEND_RETRY, NULL, "Vendure: productVariants is not the expected shape");
        return;
    }
    cJSON *doc = cJSON_CreateObject();
    cJSON *changes = cJSON_AddArrayToObject(doc, "changes");
    char why[300] = "";
    int n = cJSON_GetArraySize(items);
    int64_t sec = op->since >> CUR_SHIFT, k = op->since & CUR_K_MAX;
    int64_t last = -1, same = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, items) {
        int before = cJSON_GetArraySize(changes);
        if (variant_change(v, it, changes, why, sizeof why) < 0)
            break;
        cJSON *added = cJSON_GetArraySize(changes) > before ? cJSON_GetArrayItem(changes, before) : NULL;
        if (op->feed == BACKEND_RECONCILE) {
            const char *sku = backend_json_str(it, "sku", 64);
            if (sku && seen_add(v, sku)) {
                snprintf(why, sizeof why, "out of memory");
                break;
            }
            continue;
        }
        int64_t s = iso_seconds(backend_json_str(it, "updatedAt", 40));
        if (s < 0) {
            snprintf(why, sizeof why, "a variant has no valid updatedAt");
            break;
        }
        same = s == last ? same + 1 : 1;
        last = s;
        /* each change's seq is the cursor just after it: the engine applies a page in
         * slices and resumes from the last seq applied */
        int64_t pos = s == sec ? same + k : same;
        if (added)
            cJSON_ReplaceItemInObjectCaseSensitive(added, "seq",
                                                   cJSON_CreateNumber((double)((s << CUR_SHIFT) | (pos > CUR_K_MAX ? CUR_K_MAX : pos))));
    }
    if (why[0]) {
        cJSON_Delete(doc);
        if (op->feed == BACKEND_RECONCILE)
            seen_clear(v);
        finish(op, BACKEND_RETRY, NULL, "%s", why);
        return;
    }
    int64_t skip = op->feed == BACKEND_RECONCILE ? op->since : k;
    int more = skip + n < total && n > 0;
    int64_t next;
    if (op->feed == BACKEND_RECONCILE) {
        next = more ? op->since + n : 0;
        if (!more) {
            /* the whole list is in: every local product Vendure no longer has is retired */
            qsort(v->seen, v->nseen, sizeof *v->seen, cmp_str);
            struct tomb_ctx t = { v, changes };
            int rc = catalog_each_active_sku(v->store, add_tombstone, &t);
            seen_clear(v);
            if (rc) {
                cJSON_Delete(doc);
                finish(op, BACKEND_RETRY, NULL, "cannot list the local catalog");
                return;
            }
        }
    } else if (n == 0) {
        next = op->since;
    } else if (more) {
        if (last == sec)
            same += k;
        next = same > CUR_K_MAX ? (last << CUR_SHIFT) | CUR_K_MAX : (last << CUR_SHIFT) | same;
    } else {
        /* the round is over: start the next one overlap_s back */
        int64_t from = last - overlap_s(v, op->via_plugin);
        next = (from > sec ? from : sec) << CUR_SHIFT;
    }
    cJSON_AddBoolToObject(doc, "has_more", more);
    cJSON_AddNumberToObject(doc, "next_cursor", (double)next);
    finish(op, BACKEND_OK, doc, NULL);
    cJSON_Delete(doc);
}

static void on_stock(struct vop *op, const cJSON *data, enum backend_outcome err, const char *msg)
{
    struct vendure *v = op->v;
    if (!data) {
        finish(op, err, NULL, "%s", msg);
        return;
    }
    int64_t total;
    const cJSON *items = variant_items(data, &total);
    if (!items) {
        finish(op, BACKEND_RETRY, NULL, "Vendure: productVariants is not the expected shape");
        return;
    }
    cJSON *doc = cJSON_CreateObject();
    cJSON *levels = cJSON_AddArrayToObject(doc, "levels");
    const char *want = v->cfg.vendure.stock_location;
    const cJSON *it;
    int64_t index = 0, last = -1;
    cJSON_ArrayForEach(it, items) {
        index++;
        const char *sku = backend_json_str(it, "sku", 64);
        if (!sku)
            continue;
        int64_t sum = 0, on = 0, alloc = 0;
        int found = 0;
        const cJSON *l;
        cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(it, "stockLevels")) {
            const char *loc = backend_json_str(cJSON_GetObjectItemCaseSensitive(l, "stockLocation"), "name", 127);
            if (want[0] && (!loc || strcmp(loc, want)))
                continue;
            if (json_num_field(l, "stockOnHand", -(INT64_C(1) << 40), INT64_C(1) << 40, &on) ||
                json_num_field(l, "stockAllocated", -(INT64_C(1) << 40), INT64_C(1) << 40, &alloc))
                continue;
            sum += on - alloc; /* what is on the shelf and not promised to an open order */
            found = 1;
        }
        if (!found)
            continue;
        cJSON *c = cJSON_CreateObject();
        cJSON_AddItemToArray(levels, c);
        cJSON_AddStringToObject(c, "sku", sku);
        /* the position after it: where a restart in the middle of the page goes on */
        cJSON_AddNumberToObject(c, "seq", (double)(op->since + index));
        if (op->via_plugin) {
            int64_t at = iso_seconds(backend_json_str(it, "updatedAt", 40));
            last = at > last ? at : last;
        }
        cJSON_AddNumberToObject(c, "on_hand", (double)(sum * 1000));
        cJSON_AddStringToObject(c, "location", v->cfg.location);
    }
    int n = cJSON_GetArraySize(items);
    int64_t next;
    int more;
    if (op->via_plugin) {
        /* changes only: the cursor packs the round's first second and how many of the
         * changes since then were taken; the next round starts at the last change seen,
         * overlap_s back */
        int64_t sec = op->since >> CUR_SHIFT, k = op->since & CUR_K_MAX;
        more = k + n < total && n > 0;
        if (more) {
            next = (sec << CUR_SHIFT) | (k + n > CUR_K_MAX ? CUR_K_MAX : k + n);
        } else {
            int64_t from = last - overlap_s(v, 1);
            next = (n > 0 && from > sec ? from : sec) << CUR_SHIFT;
        }
    } else {
        /* every round reads all levels again: the cursor is only the position within it */
        more = op->since + n < total && n > 0;
        next = more ? op->since + n : 0;
    }
    cJSON_AddBoolToObject(doc, "has_more", more);
    cJSON_AddNumberToObject(doc, "next_cursor", (double)next);
    finish(op, BACKEND_OK, doc, NULL);
    cJSON_Delete(doc);
}

static void on_no_staff(struct loop *loop, void *ctx)
{
    struct vop *op = ctx;
    (void)loop;
    op->timer = 0;
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddArrayToObject(doc, op->feed == BACKEND_STAFF ? "staff" : "changes");
    cJSON_AddFalseToObject(doc, "has_more");
    cJSON_AddNumberToObject(doc, "next_cursor", (double)op->since);
    finish(op, BACKEND_OK, doc, NULL);
    cJSON_Delete(doc);
}

static int pull_send(struct vop *op);

/* A Vendure without Till's plugin does not know its queries (vendure.plugin = auto): the
 * plain lists from then on. */
static void on_plugin_pull(struct vop *op, const cJSON *data, enum backend_outcome err, const char *msg)
{
    struct vendure *v = op->v;
    if (!data && v->cfg.vendure.plugin < 0 && msg && strstr(msg, "GRAPHQL_VALIDATION_FAILED") &&
        (strstr(msg, "tillCatalogChanges") || strstr(msg, "tillStockChanges"))) {
        v->plugin = 0;
        op->via_plugin = 0;
        op->since = 0;
        if (pull_send(op))
            finish(op, BACKEND_RETRY, NULL, "cannot start a request to Vendure");
        return;
    }
    if (data && v->plugin < 0)
        v->plugin = 1;
    if (op->feed == BACKEND_STOCK)
        on_stock(op, data, err, msg);
    else
        on_variants(op, data, err, msg);
}

static int pull_send(struct vop *op)
{
    struct vendure *v = op->v;
    enum backend_feed feed = op->feed;
    op->via_plugin = (feed == BACKEND_CATALOG || feed == BACKEND_STOCK) && v->plugin != 0 && v->cfg.vendure.plugin != 0;
    /* a cursor that is no packed Vendure time (another backend's): from the start */
    if (feed == BACKEND_CATALOG && op->since > 0 && (op->since >> CUR_SHIFT) < INT64_C(1000000000))
        op->since = 0;
    /* the plugin's stock feed counts from a second too: the first round's is 1 (1970), and
     * the plain feed's positions (below 2^20) start there as well */
    if (feed == BACKEND_STOCK && op->via_plugin && op->since < (INT64_C(1) << CUR_SHIFT))
        op->since = INT64_C(1) << CUR_SHIFT;
    /* and the other way round (the plugin removed): a time is no position */
    if (feed == BACKEND_STOCK && !op->via_plugin && op->since >= (INT64_C(1) << CUR_SHIFT))
        op->since = 0;
    cJSON *vars = cJSON_CreateObject();
    if (op->via_plugin) {
        int64_t sec = op->since >> CUR_SHIFT;
        char iso[80];
        iso_format(sec, 0, iso, sizeof iso);
        cJSON_AddStringToObject(vars, "s", iso);
        cJSON_AddNumberToObject(vars, "k", (double)(op->since & CUR_K_MAX));
        cJSON_AddNumberToObject(vars, "t", op->limit);
        return gql(op, feed == BACKEND_STOCK ? Q_PLUGIN_STOCK : Q_PLUGIN_VARIANTS, vars, on_plugin_pull);
    }
    cJSON *o = cJSON_AddObjectToObject(vars, "o");
    cJSON_AddNumberToObject(o, "take", op->limit);
    cJSON *sort = cJSON_AddObjectToObject(o, "sort");
    if (feed == BACKEND_CATALOG) {
        int64_t sec = op->since >> CUR_SHIFT;
        cJSON_AddNumberToObject(o, "skip", (double)(op->since & CUR_K_MAX));
        /* by updatedAt alone: GraphQL builds the sort object in the schema's field order,
         * so an added id would sort first.  Ties within a second keep the database's order
         * between requests (SQLite's row order); the reconcile catches what a database
         * that reorders ties could make a page skip. */
        cJSON_AddStringToObject(sort, "updatedAt", "ASC");
        if (sec > 0) {
            /* after the last millisecond of the second before: from sec on, whatever the
             * database's precision */
            char iso[80];
            iso_format(sec - 1, 999, iso, sizeof iso);
            cJSON *f = cJSON_AddObjectToObject(o, "filter");
            cJSON_AddStringToObject(cJSON_AddObjectToObject(f, "updatedAt"), "after", iso);
        }
        return gql(op, Q_VARIANTS, vars, on_variants);
    }
    if (feed == BACKEND_RECONCILE && op->since == 0)
        seen_clear(v);
    cJSON_AddNumberToObject(o, "skip", (double)op->since);
    cJSON_AddStringToObject(sort, "id", "ASC");
    return gql(op, feed == BACKEND_STOCK ? Q_STOCK : Q_VARIANTS, vars, feed == BACKEND_STOCK ? on_stock : on_variants);
}

static uint64_t v_pull(struct backend *b, enum backend_feed feed, int64_t since, int limit, backend_done_cb done,
                       void *ctx)
{
    struct vendure *v = (struct vendure *)b;
    struct vop *op = op_new(v, done, ctx);
    if (!op)
        return 0;
    op->feed = feed;
    op->since = since < 0 ? 0 : since;
    op->limit = limit < 1 ? 1 : limit > VENDURE_LIST_MAX ? VENDURE_LIST_MAX : limit;
    if (feed == BACKEND_STAFF || feed == BACKEND_PROMOTIONS || feed == BACKEND_CUSTOMERS) {
        /* Vendure's administrators are not till staff, and its promotions and customers are
         * not in Till's shapes: no records (they stay local), from the loop */
        op->timer = loop_add_timer(v->loop, 0, on_no_staff, op);
        if (!op->timer) {
            op_unlink(op);
            op_free(op);
            return 0;
        }
        return op->id;
    }
    if (pull_send(op)) {
        op_unlink(op);
        op_free(op);
        return 0;
    }
    return op->id;
}

/* ------------------------------------------------------------------ orders --- */

static void add_result(struct vop *op, const char *status, const char *ref, const char *reason)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "idempotency_key", op->keys[op->i]);
    cJSON_AddStringToObject(r, "status", status);
    if (ref && ref[0])
        cJSON_AddStringToObject(r, "ref", ref);
    if (reason)
        cJSON_AddStringToObject(r, "reason", reason);
    cJSON_AddItemToArray(op->results, r);
}

static void finish_push(struct vop *op)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "results", op->results);
    op->results = NULL;
    finish(op, BACKEND_OK, doc, NULL);
    cJSON_Delete(doc);
}

static void generic_row(struct vop *op);

static void next_row(struct vop *op)
{
    op->i++;
    generic_row(op);
}

/* A step failed.  RETRY stops the batch (the settled rows are reported; the rest goes
 * again later); REFUSED parks this sale with Vendure's reason and goes on. */
static void run_step(struct vop *op);

/* An ErrorResult saying the step was done already (libcurl sends a request again on a
 * fresh connection when a reused one died before any answer: the first one may have
 * been carried out): the order is looked up again, once, and taken on from its state. */
static int done_already(const char *msg)
{
    static const char *const codes[] = { "ITEMS_ALREADY_FULFILLED_ERROR", "MANUAL_PAYMENT_STATE_ERROR",
                                         "ORDER_STATE_TRANSITION_ERROR", "FULFILLMENT_STATE_TRANSITION_ERROR", NULL };
    for (int i = 0; msg && codes[i]; i++)
        if (strstr(msg, codes[i]))
            return 1;
    return 0;
}

static int step_failed(struct vop *op, enum backend_outcome err, const char *msg)
{
    if (err == BACKEND_REFUSED && !op->relooked && op->step != S_LOOKUP && done_already(msg)) {
        op->relooked = 1;
        op->step = S_LOOKUP;
        op->resumed = op->shipped = 0;
        run_step(op);
        return 1;
    }
    if (err == BACKEND_REFUSED) {
        add_result(op, "rejected", NULL, msg);
        next_row(op);
        return 1;
    }
    if (cJSON_GetArraySize(op->results) > 0)
        finish_push(op);
    else
        finish(op, BACKEND_RETRY, NULL, "%s", msg);
    return 1;
}

/* The first ErrorResult among the answer's fields, if any. */
static const char *error_result(const cJSON *data, char *buf, size_t len)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, data) {
        const char *ec = backend_json_str(f, "errorCode", 60);
        if (ec) {
            const char *m = backend_json_str(f, "message", 250);
            snprintf(buf, len, "Vendure: %s (%s)", m ? m : "refused", ec);
            return buf;
        }
    }
    return NULL;
}


/* Empty drafts without a key, older than vendure.draft_cleanup_s: what an attempt cut off
 * after createDraftOrder left (its answer lost, or the till killed).  Deleted once per push
 * before this sale's own draft is made (step S_CLEAN). */
static void take_stale(struct vop *op, const cJSON *data)
{
    if (op->cleaned)
        return;
    op->cleaned = 1;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(data, "stale"), "items")) {
        int64_t q = -1;
        const char *id = backend_json_str(it, "id", 30);
        const cJSON *cust = cJSON_GetObjectItemCaseSensitive(it, "customer");
        if (!id || json_num_field(it, "totalQuantity", 0, INT64_C(1) << 40, &q) || q != 0 ||
            (cust && !cJSON_IsNull(cust)))
            continue;
        if (!op->stale)
            op->stale = cJSON_CreateArray();
        cJSON_AddItemToArray(op->stale, cJSON_CreateString(id));
    }
    if (op->stale) {
        op->after = op->step;
        op->step = S_CLEAN;
    }
}

static void after_step(struct vop *op, const cJSON *data, enum backend_outcome err, const char *msg)
{
    if (!data) {
        step_failed(op, err, msg);
        return;
    }
    char buf[300];
    switch (op->step) {
    case S_LOOKUP: {
        const cJSON *found = cJSON_GetArrayItem(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(data, "orders"), "items"), 0);
        const cJSON *sm = cJSON_GetArrayItem(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(data, "shippingMethods"), "items"), 0);
        const char *smid = backend_json_str(sm, "id", 20);
        if (!smid) {
            step_failed(op, BACKEND_RETRY, "Vendure has no shipping method with the code in vendure.shipping_method");
            return;
        }
        snprintf(op->shipping_id, sizeof op->shipping_id, "%s", smid);
        /* the walk-in customer, once Vendure has it (an address may not be given twice) */
        const char *cid = backend_json_str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
                                               cJSON_GetObjectItemCaseSensitive(data, "customers"), "items"), 0), "id", 20);
        snprintf(op->customer_id, sizeof op->customer_id, "%s", cid ? cid : "");
        /* the variant of each line, by SKU */
        const cJSON *vitems = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(data, "productVariants"), "items");
        const cJSON *lines = cJSON_GetObjectItemCaseSensitive(op->orders[op->i], "lines");
        const cJSON *l;
        int li = 0;
        cJSON_ArrayForEach(l, lines) {
            if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l, "voided")))
                continue;
            const char *sku = backend_json_str(l, "sku", 64);
            const char *vid = NULL;
            const cJSON *vi;
            cJSON_ArrayForEach(vi, vitems) {
                const char *s = backend_json_str(vi, "sku", 64);
                if (s && sku && strcmp(s, sku) == 0) {
                    vid = backend_json_str(vi, "id", 20);
                    break;
                }
            }
            if (!vid && !found) {
                snprintf(buf, sizeof buf, "Vendure has no product variant with SKU %.64s", sku ? sku : "?");
                step_failed(op, BACKEND_REFUSED, buf);
                return;
            }
            if (li < 64)
                snprintf(op->variant_ids[li++], sizeof op->variant_ids[0], "%s", vid ? vid : "");
        }
        if (!found) {
            op->step = S_CREATE;
            take_stale(op, data);
            break;
        }
        const char *state = backend_json_str(found, "state", 40);
        const char *id = backend_json_str(found, "id", 30);
        const char *code = backend_json_str(found, "code", 39);
        snprintf(op->order_id, sizeof op->order_id, "%s", id ? id : "");
        snprintf(op->code, sizeof op->code, "%s", code ? code : "");
        cJSON_Delete(op->lines);
        op->lines = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(found, "lines"), 1);
        op->resumed = 1;
        if (!state || !id) {
            step_failed(op, BACKEND_RETRY, "Vendure: an order without id or state");
            return;
        }
        if (strcmp(state, "Draft") == 0) {
            op->step = S_DELETE; /* a draft left half-built by an earlier attempt */
        } else if (strcmp(state, "ArrangingPayment") == 0) {
            op->step = S_PAY;
        } else if (strcmp(state, "PaymentSettled") == 0 || strcmp(state, "PaymentAuthorized") == 0 ||
                   strcmp(state, "PartiallyShipped") == 0 || strcmp(state, "Shipped") == 0) {
            /* a fulfilment on its way (its answer may have been lost) is taken further;
             * without one, a paid order gets it */
            const cJSON *f;
            op->fulfil_id[0] = 0;
            cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(found, "fulfillments")) {
                const char *fs = backend_json_str(f, "state", 30);
                const char *fid = backend_json_str(f, "id", 30);
                if (fs && fid && strcmp(fs, "Delivered") && strcmp(fs, "Cancelled")) {
                    snprintf(op->fulfil_id, sizeof op->fulfil_id, "%s", fid);
                    op->shipped = strcmp(fs, "Shipped") == 0;
                }
            }
            op->step = op->fulfil_id[0] || strncmp(state, "Payment", 7) ? S_DELIVER : S_FULFIL;
        } else {
            add_result(op, "duplicate", op->code, NULL); /* Delivered, or whatever the office made of it */
            next_row(op);
            return;
        }
        break;
    }
    case S_CLEAN:
        /* deleted, or someone else's that filled meanwhile: either way, go on */
        cJSON_Delete(op->stale);
        op->stale = NULL;
        op->step = op->after;
        break;
    case S_DELETE:
        op->resumed = 0;
        op->step = S_CREATE;
        break;
    case S_CREATE: {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(data, "createDraftOrder");
        const char *id = backend_json_str(o, "id", 30);
        const char *code = backend_json_str(o, "code", 39);
        if (!id) {
            step_failed(op, BACKEND_RETRY, "Vendure: createDraftOrder gave no id");
            return;
        }
        snprintf(op->order_id, sizeof op->order_id, "%s", id);
        snprintf(op->code, sizeof op->code, "%s", code ? code : "");
        op->resumed = 0;
        op->step = S_BODY;
        break;
    }
    case S_BODY:
        if (error_result(data, buf, sizeof buf)) {
            step_failed(op, BACKEND_REFUSED, buf);
            return;
        }
        op->step = S_PAY;
        break;
    case S_PAY: {
        if (error_result(data, buf, sizeof buf)) {
            step_failed(op, BACKEND_REFUSED, buf);
            return;
        }
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(data, "p");
        cJSON_Delete(op->lines);
        op->lines = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(o, "lines"), 1);
        op->resumed = 0;
        op->step = S_FULFIL;
        break;
    }
    case S_FULFIL: {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(data, "addFulfillmentToOrder");
        const char *ec = backend_json_str(f, "errorCode", 60);
        if (ec && strcmp(ec, "INSUFFICIENT_STOCK_ON_HAND_ERROR") == 0) {
            /* Vendure fulfils no more than it has: the sale stays PaymentSettled */
            add_result(op, "accepted", op->code, NULL);
            next_row(op);
            return;
        }
        const char *fid = backend_json_str(f, "id", 30);
        if (ec || !fid) {
            step_failed(op, BACKEND_REFUSED, error_result(data, buf, sizeof buf) ? buf : "Vendure: no fulfilment");
            return;
        }
        snprintf(op->fulfil_id, sizeof op->fulfil_id, "%s", fid);
        op->resumed = op->shipped = 0;
        op->step = S_DELIVER;
        break;
    }
    case S_DELIVER:
        if (error_result(data, buf, sizeof buf)) {
            step_failed(op, BACKEND_REFUSED, buf);
            return;
        }
        add_result(op, op->resumed ? "duplicate" : "accepted", op->code, NULL);
        next_row(op);
        return;
    }
    run_step(op);
}

#define ERR_FIELDS "__typename ...on ErrorResult{errorCode message}"

static const char Q_LOOKUP[] =
    "query($k:String!,$s:[String!]!,$m:String!,$e:String!,$t:DateTime!){"
    /* drafts an attempt left behind when createDraftOrder's answer was lost (no key yet) */
    "stale:orders(options:{filter:{state:{eq:\"Draft\"},tillKey:{isNull:true},updatedAt:{before:$t}},take:20})"
    "{items{id totalQuantity customer{id}}}"
    "customers(options:{filter:{emailAddress:{eq:$e}},take:1}){items{id}}"
    "orders(options:{filter:{tillKey:{eq:$k}},take:1}){items{id code state lines{id quantity} fulfillments{id state}}}"
    "productVariants(options:{filter:{sku:{in:$s}},take:1000}){items{id sku}}"
    "shippingMethods(options:{filter:{code:{eq:$m}},take:1}){items{id}}}";

/* Till's quantities are thousandths (pieces * 1000, or grams); Vendure's whole units.  A
 * weighed line goes as one unit (its weight stays in the payment's metadata). */
static int64_t vendure_qty(const cJSON *line)
{
    const char *unit = backend_json_str(line, "unit", 8);
    int64_t q = 0;
    if (unit && strcmp(unit, "kg") == 0)
        return 1;
    json_num_field(line, "qty", 0, INT64_C(1) << 50, &q);
    q = (q + 500) / 1000;
    return q < 1 ? 1 : q;
}

static void run_step(struct vop *op)
{
    struct vendure *v = op->v;
    const cJSON *order = op->orders[op->i];
    cJSON *vars = cJSON_CreateObject();
    int rc = -1;
    switch (op->step) {
    case S_LOOKUP: {
        cJSON_AddStringToObject(vars, "k", op->keys[op->i]);
        cJSON_AddStringToObject(vars, "m", v->cfg.vendure.shipping_method);
        cJSON_AddStringToObject(vars, "e", v->cfg.vendure.customer_email);
        char iso[40];
        iso_format((int64_t)loop_wall_time() - v->cfg.vendure.draft_cleanup_s, 0, iso, sizeof iso);
        cJSON_AddStringToObject(vars, "t", iso);
        cJSON *s = cJSON_AddArrayToObject(vars, "s");
        const cJSON *l;
        cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(order, "lines")) {
            const char *sku = backend_json_str(l, "sku", 64);
            if (sku && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l, "voided")))
                cJSON_AddItemToArray(s, cJSON_CreateString(sku));
        }
        rc = gql(op, Q_LOOKUP, vars, after_step);
        break;
    }
    case S_CLEAN: {
        char q[2048];
        size_t len = (size_t)snprintf(q, sizeof q, "mutation{");
        const cJSON *id;
        int k = 0;
        cJSON_ArrayForEach(id, op->stale) {
            /* ids came from Vendure as short digit strings; JSON-quoted all the same */
            char *txt = cJSON_PrintUnformatted(id);
            if (txt && len < sizeof q - 80)
                len += (size_t)snprintf(q + len, sizeof q - len, " d%d:deleteDraftOrder(orderId:%s){result}", k++, txt);
            free(txt);
        }
        snprintf(q + len, sizeof q - len, "}");
        cJSON_Delete(vars);
        rc = gql(op, q, NULL, after_step);
        break;
    }
    case S_DELETE:
        cJSON_AddStringToObject(vars, "id", op->order_id);
        rc = gql(op, "mutation($id:ID!){deleteDraftOrder(orderId:$id){result}}", vars, after_step);
        break;
    case S_CREATE:
        cJSON_Delete(vars);
        rc = gql(op, "mutation{createDraftOrder{id code}}", NULL, after_step);
        break;
    case S_BODY: {
        /* key, lines, customer and shipping in one document: mutations run one after
         * another; nothing here is final (a retry finds the draft and starts it again) */
        char q[8192];
        size_t len = (size_t)snprintf(q, sizeof q,
                                      "mutation($id:ID!,$k:String!,$cid:ID,$c:CreateCustomerInput,$m:ID!){"
                                      "k:setDraftOrderCustomFields(orderId:$id,input:{id:$id,customFields:{tillKey:$k}}){id}");
        const cJSON *l;
        int li = 0;
        cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(order, "lines")) {
            if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l, "voided")))
                continue;
            if (li >= 64 || len >= sizeof q - 300)
                break;
            /* variant ids came from Vendure as short digit strings; quoted via JSON all the same */
            cJSON *idj = cJSON_CreateString(op->variant_ids[li]);
            char *idtxt = cJSON_PrintUnformatted(idj);
            cJSON_Delete(idj);
            len += (size_t)snprintf(q + len, sizeof q - len,
                                    " l%d:addItemToDraftOrder(orderId:$id,input:{productVariantId:%s,quantity:%lld}){" ERR_FIELDS "}",
                                    li, idtxt ? idtxt : "\"\"", (long long)vendure_qty(l));
            free(idtxt);
            li++;
        }
        if (len < sizeof q - 300)
            snprintf(q + len, sizeof q - len,
                     " c:setCustomerForDraftOrder(orderId:$id,customerId:$cid,input:$c){" ERR_FIELDS "}"
                     " m:setDraftOrderShippingMethod(orderId:$id,shippingMethodId:$m){" ERR_FIELDS "}}");
        cJSON_AddStringToObject(vars, "id", op->order_id);
        cJSON_AddStringToObject(vars, "k", op->keys[op->i]);
        cJSON_AddStringToObject(vars, "m", op->shipping_id);
        if (op->customer_id[0]) {
            cJSON_AddStringToObject(vars, "cid", op->customer_id);
        } else {
            cJSON *c = cJSON_AddObjectToObject(vars, "c");
            cJSON_AddStringToObject(c, "emailAddress", v->cfg.vendure.customer_email);
            cJSON_AddStringToObject(c, "firstName", "Walk-in");
            cJSON_AddStringToObject(c, "lastName", "Till");
        }
        rc = gql(op, q, vars, after_step);
        break;
    }
    case S_PAY: {
        const cJSON *pays = cJSON_GetObjectItemCaseSensitive(order, "payments");
        const cJSON *first = cJSON_GetArrayItem(pays, 0);
        const char *tender = backend_json_str(first, "tender", 32);
        const char *ref = backend_json_str(first, "reference", 64);
        if (!ref)
            ref = backend_json_str(first, "auth_code", 64);
        cJSON_AddStringToObject(vars, "id", op->order_id);
        cJSON *p = cJSON_AddObjectToObject(vars, "p");
        cJSON_AddStringToObject(p, "orderId", op->order_id);
        cJSON_AddStringToObject(p, "method", tender ? tender : "till");
        cJSON_AddStringToObject(p, "transactionId", ref ? ref : op->keys[op->i]);
        cJSON *meta = cJSON_AddObjectToObject(cJSON_AddObjectToObject(p, "metadata"), "till");
        cJSON_AddStringToObject(meta, "key", op->keys[op->i]);
        static const char *const copy[] = { "receipt_no", "cashier", "total", "completed_at", "payments" };
        for (size_t i = 0; i < sizeof copy / sizeof copy[0]; i++) {
            const cJSON *x = cJSON_GetObjectItemCaseSensitive(order, copy[i]);
            if (x)
                cJSON_AddItemToObject(meta, copy[i], cJSON_Duplicate(x, 1));
        }
        rc = gql(op,
                 op->resumed ? "mutation($id:ID!,$p:ManualPaymentInput!){"
                               "p:addManualPaymentToOrder(input:$p){__typename ...on Order{state lines{id quantity}} ...on ErrorResult{errorCode message}}}"
                             : "mutation($id:ID!,$p:ManualPaymentInput!){"
                               "t:transitionOrderToState(id:$id,state:\"ArrangingPayment\"){" ERR_FIELDS "}"
                               "p:addManualPaymentToOrder(input:$p){__typename ...on Order{state lines{id quantity}} ...on ErrorResult{errorCode message}}}",
                 vars, after_step);
        break;
    }
    case S_FULFIL: {
        cJSON *in = cJSON_AddObjectToObject(vars, "i");
        cJSON *ls = cJSON_AddArrayToObject(in, "lines");
        const cJSON *l;
        cJSON_ArrayForEach(l, op->lines) {
            cJSON *x = cJSON_CreateObject();
            const char *id = backend_json_str(l, "id", 30);
            int64_t q = 0;
            json_num_field(l, "quantity", 0, INT64_C(1) << 40, &q);
            cJSON_AddStringToObject(x, "orderLineId", id ? id : "");
            cJSON_AddNumberToObject(x, "quantity", (double)q);
            cJSON_AddItemToArray(ls, x);
        }
        cJSON *h = cJSON_AddObjectToObject(in, "handler");
        cJSON_AddStringToObject(h, "code", "manual-fulfillment");
        cJSON *args = cJSON_AddArrayToObject(h, "arguments");
        cJSON *a = cJSON_CreateObject();
        cJSON_AddStringToObject(a, "name", "method");
        cJSON_AddStringToObject(a, "value", "Till");
        cJSON_AddItemToArray(args, a);
        rc = gql(op,
                 "mutation($i:FulfillOrderInput!){addFulfillmentToOrder(input:$i){"
                 "__typename ...on Fulfillment{id state} ...on ErrorResult{errorCode message}}}",
                 vars, after_step);
        break;
    }
    case S_DELIVER:
        if (!op->fulfil_id[0]) {
            cJSON_Delete(vars);
            add_result(op, "duplicate", op->code, NULL);
            next_row(op);
            return;
        }
        cJSON_AddStringToObject(vars, "id", op->fulfil_id);
        rc = gql(op,
                 op->shipped ? "mutation($id:ID!){d:transitionFulfillmentToState(id:$id,state:\"Delivered\"){" ERR_FIELDS "}}"
                                  : "mutation($id:ID!){s:transitionFulfillmentToState(id:$id,state:\"Shipped\"){" ERR_FIELDS "}"
                                    "d:transitionFulfillmentToState(id:$id,state:\"Delivered\"){" ERR_FIELDS "}}",
                 vars, after_step);
        break;
    }
    if (rc)
        step_failed(op, BACKEND_RETRY, "cannot start a request to Vendure");
}

static int has_return(const cJSON *order)
{
    const cJSON *l;
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(order, "lines")) {
        int64_t q = 0;
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l, "voided")) &&
            !json_num_field(l, "qty", -(INT64_C(1) << 50), INT64_C(1) << 50, &q) && q < 0)
            return 1;
    }
    return 0;
}

static void generic_row(struct vop *op)
{
    if (op->i >= op->n) {
        finish_push(op);
        return;
    }
    if (op->kind == OUTBOX_CASH_MOVEMENT || op->kind == OUTBOX_SHIFT || op->kind == OUTBOX_AUDIT) {
        /* Vendure has nowhere to keep them: they stay in the till's own records (X/Z, the
         * audit log and till --verify-audit) */
        add_result(op, "accepted", "local-only", NULL);
        next_row(op);
        return;
    }
    if (op->kind != OUTBOX_ORDER) {
        add_result(op, "rejected", NULL,
                   "Vendure without Till's plugin cannot take stock adjustments exactly once: install offline/vendure-plugin");
        next_row(op);
        return;
    }
    if (!cJSON_IsObject(op->orders[op->i])) {
        add_result(op, "rejected", NULL, "the stored order is not valid JSON");
        next_row(op);
        return;
    }
    if (has_return(op->orders[op->i])) {
        /* Vendure's order process has no negative quantities: a return is a refund on the
         * original order, which needs the plugin (never a sale of what came back) */
        add_result(op, "rejected", NULL,
                   "a return reaches Vendure as a refund only through Till's plugin (offline/vendure-plugin)");
        next_row(op);
        return;
    }
    op->step = S_LOOKUP;
    op->resumed = op->shipped = op->relooked = 0;
    op->order_id[0] = op->code[0] = op->fulfil_id[0] = 0;
    run_step(op);
}

/* --- with Till's plugin: one mutation per batch --- */

static void start_plugin(struct vop *op);

static void on_plugin(struct vop *op, const cJSON *data, enum backend_outcome err, const char *msg)
{
    struct vendure *v = op->v;
    if (!data) {
        /* a Vendure without the plugin does not know the mutation: the plain API it is */
        if (v->cfg.vendure.plugin < 0 && msg && strstr(msg, op->kind == OUTBOX_ORDER ? "tillImportOrders" : "tillAdjustStock") &&
            strstr(msg, "GRAPHQL_VALIDATION_FAILED")) {
            v->plugin = 0;
            op->i = 0;
            generic_row(op);
            return;
        }
        finish(op, err, NULL, "%s", msg);
        return;
    }
    if (v->plugin < 0)
        v->plugin = 1;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(data, op->kind == OUTBOX_ORDER ? "tillImportOrders" : "tillAdjustStock");
    if (!cJSON_IsArray(list)) {
        finish(op, BACKEND_RETRY, NULL, "Vendure: the plugin's answer is not a list");
        return;
    }
    const cJSON *r;
    cJSON_ArrayForEach(r, list) {
        const char *key = backend_json_str(r, "key", 127);
        const char *status = backend_json_str(r, "status", 16);
        if (!key || !status)
            continue;
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "idempotency_key", key);
        cJSON_AddStringToObject(x, "status", status);
        const char *code = backend_json_str(r, "code", 60);
        const char *reason = backend_json_str(r, "reason", 300);
        if (code)
            cJSON_AddStringToObject(x, "ref", code);
        if (reason)
            cJSON_AddStringToObject(x, "reason", reason);
        cJSON_AddItemToArray(op->results, x);
    }
    finish_push(op);
}

/* The sale names its customer by Till's id; the plugin matches or creates that customer in
 * Vendure by it (or the loyalty card), so it gets the name and card the till holds. */
static void add_customer(struct vendure *v, cJSON *order)
{
    const char *id = backend_json_str(order, "customer_id", 39);
    struct customer c;
    if (!id || cJSON_GetObjectItemCaseSensitive(order, "customer") || customers_find_by_id(v->store, id, &c) != STORE_OK)
        return;
    cJSON *j = cJSON_AddObjectToObject(order, "customer");
    cJSON_AddStringToObject(j, "id", c.id);
    if (c.name[0])
        cJSON_AddStringToObject(j, "name", c.name);
    if (c.card[0])
        cJSON_AddStringToObject(j, "card", c.card);
}

static void start_plugin(struct vop *op)
{
    struct vendure *v = op->v;
    cJSON *vars = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(vars, "o");
    for (int i = 0; i < op->n; i++) {
        /* while the plugin may turn out to be absent (vendure.plugin = auto), the plain
         * path may need the orders again: the request gets copies */
        cJSON *o = op->orders[i];
        if (v->cfg.vendure.plugin < 0)
            o = cJSON_Duplicate(o, 1);
        else
            op->orders[i] = NULL;
        if (op->kind == OUTBOX_ORDER)
            add_customer(v, o);
        cJSON_AddItemToArray(arr, o ? o : cJSON_CreateObject());
    }
    int rc;
    if (op->kind == OUTBOX_ORDER) {
        cJSON_AddStringToObject(vars, "m", v->cfg.vendure.shipping_method);
        cJSON_AddStringToObject(vars, "e", v->cfg.vendure.customer_email);
        rc = gql(op,
                 "mutation($o:[JSON!]!,$m:String,$e:String){tillImportOrders(orders:$o,shippingMethodCode:$m,"
                 "customerEmail:$e){key status code reason}}",
                 vars, on_plugin);
    } else {
        if (v->cfg.vendure.stock_location[0])
            cJSON_AddStringToObject(vars, "l", v->cfg.vendure.stock_location);
        rc = gql(op,
                 "mutation($o:[JSON!]!,$l:String){tillAdjustStock(adjustments:$o,stockLocation:$l){key status code reason}}",
                 vars, on_plugin);
    }
    if (rc)
        finish(op, BACKEND_RETRY, NULL, "cannot start a request to Vendure");
}

/* A push starts from the loop, never inside v_push: rows refused without a request would
 * otherwise call the engine back before it has the request's id. */
static void on_push_start(struct loop *loop, void *ctx)
{
    struct vop *op = ctx;
    (void)loop;
    op->timer = 0;
    if (op->v->plugin != 0 && op->v->cfg.vendure.plugin != 0 &&
        (op->kind == OUTBOX_ORDER || op->kind == OUTBOX_STOCK_ADJUSTMENT))
        start_plugin(op);
    else
        generic_row(op);
}

static uint64_t v_push(struct backend *b, enum outbox_kind kind, const struct backend_item *items, int n,
                       backend_done_cb done, void *ctx)
{
    struct vendure *v = (struct vendure *)b;
    struct vop *op = op_new(v, done, ctx);
    if (!op)
        return 0;
    op->kind = kind;
    op->keys = calloc((size_t)n, sizeof *op->keys);
    op->orders = calloc((size_t)n, sizeof *op->orders);
    op->results = cJSON_CreateArray();
    if (!op->keys || !op->orders || !op->results) {
        op_unlink(op);
        op_free(op);
        return 0;
    }
    op->n = n;
    for (int i = 0; i < n; i++) {
        op->keys[i] = strdup(items[i].key);
        op->orders[i] = cJSON_ParseWithLength(items[i].payload, items[i].len);
        if (!op->keys[i]) {
            op_unlink(op);
            op_free(op);
            return 0;
        }
    }
    op->timer = loop_add_timer(v->loop, 0, on_push_start, op);
    if (!op->timer) {
        op_unlink(op);
        op_free(op);
        return 0;
    }
    return op->id;
}

static void on_lookup(struct vop *op, const cJSON *data, enum backend_outcome err, const char *msg)
{
    if (!data) {
        finish(op, err, NULL, "%s", msg);
        return;
    }
    const cJSON *o = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(data, "orders"), "items"), 0);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddBoolToObject(doc, "found", o != NULL);
    const char *code = backend_json_str(o, "code", 60), *state = backend_json_str(o, "state", 40);
    if (code)
        cJSON_AddStringToObject(doc, "ref", code);
    if (state)
        cJSON_AddStringToObject(doc, "state", state);
    finish(op, BACKEND_OK, doc, NULL);
    cJSON_Delete(doc);
}

static uint64_t v_lookup(struct backend *b, const char *key, backend_done_cb done, void *ctx)
{
    struct vendure *v = (struct vendure *)b;
    struct vop *op = op_new(v, done, ctx);
    if (!op)
        return 0;
    cJSON *vars = cJSON_CreateObject();
    cJSON_AddStringToObject(vars, "k", key);
    if (gql(op, "query($k:String!){orders(options:{filter:{tillKey:{eq:$k}},take:1}){items{code state}}}", vars,
            on_lookup)) {
        op_unlink(op);
        op_free(op);
        return 0;
    }
    return op->id;
}

static void v_cancel(struct backend *b, uint64_t id)
{
    struct vendure *v = (struct vendure *)b;
    for (struct vop *op = v->ops; op; op = op->next) {
        if (op->id == id) {
            if (op->http_id)
                http_cancel(v->http, op->http_id);
            if (op->timer)
                loop_cancel_timer(v->loop, op->timer);
            op_unlink(op);
            op_free(op);
            return;
        }
    }
}

static int v_max_batch(struct backend *b, enum outbox_kind kind)
{
    struct vendure *v = (struct vendure *)b;
    (void)kind;
    return v->plugin == 0 || v->cfg.vendure.plugin == 0 ? GENERIC_BATCH : 500;
}

static void v_free(struct backend *b)
{
    struct vendure *v = (struct vendure *)b;
    if (!v)
        return;
    http_free(v->http);
    while (v->ops) {
        struct vop *op = v->ops;
        v->ops = op->next;
        if (op->timer)
            loop_cancel_timer(v->loop, op->timer);
        op_free(op);
    }
    seen_clear(v);
    memset(v->cfg.token, 0, sizeof v->cfg.token);
    free(v);
}

void backend_vendure_answer(struct backend *b, int kind, int64_t since, const char *body, size_t len,
                            backend_done_cb done, void *ctx)
{
    struct vendure *v = (struct vendure *)b;
    struct vop *op = op_new(v, done, ctx);
    char *copy = malloc(len + 1);
    if (!op || !copy) {
        if (op) {
            op_unlink(op);
            op_free(op);
        }
        free(copy);
        return;
    }
    memcpy(copy, body, len);
    copy[len] = 0;
    op->since = since < 0 ? 0 : since;
    op->limit = VENDURE_LIST_MAX;
    switch (kind) {
    case 0:
        op->feed = BACKEND_CATALOG;
        op->then = on_variants;
        break;
    case 1:
        op->feed = BACKEND_STOCK;
        op->then = on_stock;
        break;
    case 2:
        op->kind = OUTBOX_ORDER;
        op->results = cJSON_CreateArray();
        op->then = on_plugin;
        break;
    case 4:
    case 5:
        /* the plugin's change feeds */
        op->feed = kind == 4 ? BACKEND_CATALOG : BACKEND_STOCK;
        op->via_plugin = 1;
        op->then = on_plugin_pull;
        break;
    default:
        op->then = on_lookup;
        break;
    }
    struct http_response r = { .transport_ok = 1, .status = 200, .body = copy, .len = len, .retry_after_s = -1 };
    on_http(op, &r);
    free(copy);
}

static const struct backend_ops vendure_ops = {
    .name = "vendure",
    .pull = v_pull,
    .push = v_push,
    .lookup_order = v_lookup,
    .cancel = v_cancel,
    .max_batch = v_max_batch,
    .free = v_free,
    .has_reconcile = 1,
};

/* "Standard Tax=std; Reduced Tax=red" */
static int parse_tax_map(struct vendure *v, const char *spec, char *err, size_t errlen)
{
    const char *p = spec;
    while (*p) {
        size_t n = strcspn(p, ";");
        char item[200];
        snprintf(item, sizeof item, "%.*s", (int)(n < sizeof item ? n : sizeof item - 1), p);
        p += n;
        if (*p == ';')
            p++;
        char *eq = strchr(item, '=');
        char *a = item, *b = eq ? eq + 1 : NULL;
        if (eq)
            *eq = 0;
        while (*a == ' ')
            a++;
        for (char *e = a + strlen(a); e > a && e[-1] == ' ';)
            *--e = 0;
        if (!*a && !b)
            continue;
        while (b && *b == ' ')
            b++;
        for (char *e = b ? b + strlen(b) : NULL; e && e > b && e[-1] == ' ';)
            *--e = 0;
        if (!b || !*a || !*b || strlen(a) >= sizeof v->tax[0].vendure || strlen(b) >= sizeof v->tax[0].till ||
            v->ntax >= MAX_TAX) {
            snprintf(err, errlen, "config vendure.tax_classes: \"%.60s\" is not VENDURE CATEGORY=TILL CLASS", item);
            return -1;
        }
        memcpy(v->tax[v->ntax].vendure, a, strlen(a) + 1); /* lengths checked above */
        memcpy(v->tax[v->ntax].till, b, strlen(b) + 1);
        v->ntax++;
    }
    return 0;
}

struct backend *backend_vendure_new(struct loop *loop, struct store *store, const struct sync_config *cfg, char *err,
                                    size_t errlen)
{
    struct vendure *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    v->base.ops = &vendure_ops;
    v->loop = loop;
    v->store = store;
    v->cfg = *cfg;
    v->plugin = cfg->vendure.plugin;
    if (parse_tax_map(v, cfg->vendure.tax_classes, err, errlen)) {
        v_free(&v->base);
        return NULL;
    }
    char key_header[320], channel_header[200];
    snprintf(key_header, sizeof key_header, "vendure-api-key: %s", cfg->token);
    snprintf(channel_header, sizeof channel_header, "vendure-token: %s", cfg->vendure.channel_token);
    struct http_options ho;
    sync_http_options(cfg, &ho);
    if (cfg->vendure.api_key)
        ho.bearer_token = NULL; /* the key goes in its own header */
    int nh = 0;
    if (cfg->vendure.api_key)
        ho.headers[nh++] = key_header;
    if (cfg->vendure.channel_token[0])
        ho.headers[nh++] = channel_header;
    v->http = http_new(loop, &ho);
    memset(key_header, 0, sizeof key_header);
    if (!v->http) {
        snprintf(err, errlen, "sync: cannot start libcurl");
        v_free(&v->base);
        return NULL;
    }
    return &v->base;
}

int backend_vendure_config(const struct config *cfg, struct sync_config *out, char *err, size_t errlen)
{
    static const struct { const char *key; size_t off, len; const char *def; } strs[] = {
        { "vendure.channel_token", offsetof(struct sync_config, vendure.channel_token), sizeof out->vendure.channel_token, "" },
        { "vendure.tax_classes", offsetof(struct sync_config, vendure.tax_classes), sizeof out->vendure.tax_classes, "" },
        { "vendure.stock_location", offsetof(struct sync_config, vendure.stock_location), sizeof out->vendure.stock_location, "" },
        { "vendure.shipping_method", offsetof(struct sync_config, vendure.shipping_method), sizeof out->vendure.shipping_method, "till-pickup" },
        { "vendure.customer_email", offsetof(struct sync_config, vendure.customer_email), sizeof out->vendure.customer_email, "walk-in@till.invalid" },
    };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        const char *v = config_get(cfg, strs[i].key, strs[i].def);
        if (strlen(v) >= strs[i].len) {
            snprintf(err, errlen, "config %s is longer than %zu characters", strs[i].key, strs[i].len - 1);
            return -1;
        }
        snprintf((char *)out + strs[i].off, strs[i].len, "%s", v);
    }
    const char *auth = config_get(cfg, "vendure.auth", "bearer");
    const char *plugin = config_get(cfg, "vendure.plugin", "auto");
    long long overlap;
    if (strcmp(auth, "api_key") && strcmp(auth, "bearer")) {
        snprintf(err, errlen, "config vendure.auth must be api_key or bearer");
        return -1;
    }
    if (strcmp(plugin, "auto") && strcmp(plugin, "on") && strcmp(plugin, "off")) {
        snprintf(err, errlen, "config vendure.plugin must be auto, on or off");
        return -1;
    }
    if (config_get_int(cfg, "vendure.overlap_s", 300, &overlap) || overlap < 0 || overlap > 86400) {
        snprintf(err, errlen, "config vendure.overlap_s must be a whole number from 0 to 86400");
        return -1;
    }
    long long cleanup;
    if (config_get_int(cfg, "vendure.draft_cleanup_s", 600, &cleanup) || cleanup < 0 || cleanup > 86400 * 30) {
        snprintf(err, errlen, "config vendure.draft_cleanup_s must be a whole number of seconds up to 30 days");
        return -1;
    }
    out->vendure.draft_cleanup_s = cleanup;
    out->vendure.api_key = strcmp(auth, "api_key") == 0;
    out->vendure.plugin = strcmp(plugin, "on") == 0 ? 1 : strcmp(plugin, "off") == 0 ? 0 : -1;
    out->vendure.overlap_s = overlap;
    out->vendure.prices_include_tax = strcmp(config_get(cfg, "store.tax_mode", "inclusive"), "inclusive") == 0;
    struct vendure probe; /* the mapping is checked now, not at the first page */
    probe.ntax = 0;
    return parse_tax_map(&probe, out->vendure.tax_classes, err, errlen);
}
