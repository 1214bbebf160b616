/* The promotions and promotion_targets tables and all their SQL (see promotions.h). */
#include "src/promotions.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "src/store.h"

#define PROMO_COLS \
    "p.id, p.kind, p.name, p.sku, p.product_group, p.bundle, p.n, p.m, p.price, p.percent_bp," \
    " p.threshold, p.amount_off, p.valid_from, p.valid_to, p.day_from, p.day_to, p.coupon," \
    " p.segment, p.combinable"

static const char SQL_PUT[] =
    "INSERT OR REPLACE INTO promotions (id, kind, name, sku, product_group, bundle, n, m, price,"
    " percent_bp, threshold, amount_off, valid_from, valid_to, day_from, day_to, coupon, segment,"
    " combinable) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
    " ?17, ?18, ?19)";
static const char SQL_DEL[] = "DELETE FROM promotions WHERE id = ?1";
static const char SQL_DEL_TARGETS[] = "DELETE FROM promotion_targets WHERE promo_id = ?1";
static const char SQL_PUT_TARGET[] =
    "INSERT OR IGNORE INTO promotion_targets (target, promo_id) VALUES (?1, ?2)";
/* Two probes of the primary key (sku and group), each a range over its promotions. */
static const char SQL_FOR_ITEM[] =
    "SELECT " PROMO_COLS " FROM promotion_targets t JOIN promotions p ON p.id = t.promo_id"
    " WHERE t.target IN ('sku:' || ?1, 'group:' || ?2) ORDER BY p.id LIMIT ?3";
static const char SQL_FOR_ALL[] =
    "SELECT " PROMO_COLS " FROM promotion_targets t JOIN promotions p ON p.id = t.promo_id"
    " WHERE t.target = '*' ORDER BY p.id LIMIT ?1";
static const char SQL_FOR_COUPON[] =
    "SELECT " PROMO_COLS " FROM promotions p WHERE p.coupon = ?1 ORDER BY p.id LIMIT ?2";
static const char SQL_COUNT[] = "SELECT count(*) FROM promotions";

static const struct {
    const char *name;
    enum promo_kind kind;
} kinds[] = {
    { "multibuy_price", PROMO_MULTIBUY_PRICE }, { "multibuy_free", PROMO_MULTIBUY_FREE },
    { "bundle", PROMO_BUNDLE }, { "percent", PROMO_PERCENT }, { "spend", PROMO_SPEND },
};
#define SEGMENT_PRICE "segment_price"

int promotion_kind_parse(const char *name, int *is_segment_price, enum promo_kind *kind)
{
    *is_segment_price = 0;
    if (strcmp(name, SEGMENT_PRICE) == 0) {
        *is_segment_price = 1;
        *kind = PROMO_PERCENT;
        return 0;
    }
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(name, kinds[i].name) == 0) {
            *kind = kinds[i].kind;
            return 0;
        }
    return -1;
}

const char *promotion_kind_name(enum promo_kind kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == kind)
            return kinds[i].name;
    return "?";
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static int put_target(struct store *st, const char *prefix, const char *value, int64_t id)
{
    char target[PRICING_CODE_MAX + 8];
    snprintf(target, sizeof target, "%s%s", prefix, value);
    sqlite3_stmt *s = store_stmt(st, SQL_PUT_TARGET);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, target, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, id);
    return store_step(st, s) == STORE_OK ? STORE_OK : STORE_ERROR;
}

/* Where a scan finds the row: a bundle under each of its skus; a promotion with neither sku
 * nor group applies to every item. */
static int put_targets(struct store *st, const struct promotion_row *row)
{
    const struct promo *p = &row->promo;
    int64_t id = p->id;
    if (row->is_segment_price)
        return put_target(st, "sku:", row->price.sku, id);
    if (p->kind == PROMO_BUNDLE) {
        for (int i = 0; i < p->nbundle; i++)
            if (put_target(st, "sku:", p->bundle[i], id))
                return STORE_ERROR;
        return STORE_OK;
    }
    if (p->sku[0])
        return put_target(st, "sku:", p->sku, id);
    if (p->group[0])
        return put_target(st, "group:", p->group, id);
    return put_target(st, "", "*", id);
}

int promotions_delete(struct store *st, int64_t id)
{
    sqlite3_stmt *s = store_stmt(st, SQL_DEL_TARGETS);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    if (store_step(st, s))
        return STORE_ERROR;
    if (!(s = store_stmt(st, SQL_DEL)))
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    return store_step(st, s) == STORE_OK ? STORE_OK : STORE_ERROR;
}

int promotions_put(struct store *st, const struct promotion_row *row)
{
    const struct promo *p = &row->promo;
    if (promotions_delete(st, p->id))
        return STORE_ERROR;
    sqlite3_stmt *s = store_stmt(st, SQL_PUT);
    if (!s)
        return STORE_ERROR;
    char bundle[PROMO_BUNDLE_MAX * PRICING_CODE_MAX + 8] = "";
    size_t o = 0;
    for (int i = 0; i < p->nbundle && i < PROMO_BUNDLE_MAX; i++)
        o += (size_t)snprintf(bundle + o, sizeof bundle - o, "%s%s", i ? "|" : "", p->bundle[i]);
    sqlite3_bind_int64(s, 1, p->id);
    if (row->is_segment_price) {
        sqlite3_bind_text(s, 2, SEGMENT_PRICE, -1, SQLITE_STATIC);
        bind_text(s, 3, p->name[0] ? p->name : row->price.segment);
        bind_text(s, 4, row->price.sku);
        sqlite3_bind_int64(s, 9, row->price.price);
        bind_text(s, 18, row->price.segment);
    } else {
        sqlite3_bind_text(s, 2, promotion_kind_name(p->kind), -1, SQLITE_STATIC);
        bind_text(s, 3, p->name);
        bind_text(s, 4, p->sku);
        bind_text(s, 5, p->group);
        bind_text(s, 6, bundle);
        sqlite3_bind_int64(s, 7, p->n);
        sqlite3_bind_int64(s, 8, p->m);
        sqlite3_bind_int64(s, 9, p->price);
        sqlite3_bind_int64(s, 10, p->percent_bp);
        sqlite3_bind_int64(s, 11, p->threshold);
        sqlite3_bind_int64(s, 12, p->amount_off);
        sqlite3_bind_int64(s, 13, p->valid_from);
        sqlite3_bind_int64(s, 14, p->valid_to);
        sqlite3_bind_int(s, 15, p->day_from);
        sqlite3_bind_int(s, 16, p->day_to);
        bind_text(s, 17, p->coupon);
        bind_text(s, 18, p->segment);
        sqlite3_bind_int(s, 19, p->combinable != 0);
    }
    if (store_step(st, s))
        return STORE_ERROR;
    return put_targets(st, row);
}

/* Reads one row; 1 when it is a segment price (into sp), 0 a promotion (into p). */
static int read_row(sqlite3_stmt *s, struct promo *p, struct segment_price *sp)
{
    char kind[24];
    store_col_text(s, 1, kind, sizeof kind);
    int is_price = 0;
    enum promo_kind k = PROMO_PERCENT;
    promotion_kind_parse(kind, &is_price, &k);
    if (is_price) {
        memset(sp, 0, sizeof *sp);
        store_col_text(s, 17, sp->segment, sizeof sp->segment);
        store_col_text(s, 3, sp->sku, sizeof sp->sku);
        sp->price = sqlite3_column_int64(s, 8);
        return 1;
    }
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(s, 0);
    p->kind = k;
    store_col_text(s, 2, p->name, sizeof p->name);
    store_col_text(s, 3, p->sku, sizeof p->sku);
    store_col_text(s, 4, p->group, sizeof p->group);
    char bundle[PROMO_BUNDLE_MAX * PRICING_CODE_MAX + 8];
    store_col_text(s, 5, bundle, sizeof bundle);
    for (const char *b = bundle; *b && p->nbundle < PROMO_BUNDLE_MAX;) {
        const char *bar = strchr(b, '|');
        size_t n = bar ? (size_t)(bar - b) : strlen(b);
        snprintf(p->bundle[p->nbundle++], PRICING_CODE_MAX, "%.*s", (int)n, b);
        if (!bar)
            break;
        b = bar + 1;
    }
    p->n = sqlite3_column_int64(s, 6);
    p->m = sqlite3_column_int64(s, 7);
    p->price = sqlite3_column_int64(s, 8);
    p->percent_bp = sqlite3_column_int64(s, 9);
    p->threshold = sqlite3_column_int64(s, 10);
    p->amount_off = sqlite3_column_int64(s, 11);
    p->valid_from = sqlite3_column_int64(s, 12);
    p->valid_to = sqlite3_column_int64(s, 13);
    p->day_from = sqlite3_column_int(s, 14);
    p->day_to = sqlite3_column_int(s, 15);
    store_col_text(s, 16, p->coupon, sizeof p->coupon);
    store_col_text(s, 17, p->segment, sizeof p->segment);
    p->combinable = sqlite3_column_int(s, 18);
    return 0;
}

static int read_rows(struct store *st, sqlite3_stmt *s, struct promo *promos, int max, int *npromos,
                     struct segment_price *prices, int maxprices, int *nprices)
{
    *npromos = 0;
    if (nprices)
        *nprices = 0;
    int rc;
    struct promo p;
    struct segment_price sp;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        if (read_row(s, &p, &sp)) {
            if (prices && *nprices < maxprices)
                prices[(*nprices)++] = sp;
        } else if (*npromos < max) {
            promos[(*npromos)++] = p;
        }
    }
    return rc;
}

int promotions_for_item(struct store *st, const char *sku, const char *group, struct promo *promos,
                        int max, int *npromos, struct segment_price *prices, int maxprices,
                        int *nprices)
{
    sqlite3_stmt *s = store_stmt(st, SQL_FOR_ITEM);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, sku, -1, SQLITE_STATIC);
    /* no group: a target no row has */
    sqlite3_bind_text(s, 2, group && group[0] ? group : "\x01", -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, max + maxprices);
    return read_rows(st, s, promos, max, npromos, prices, maxprices, nprices);
}

int promotions_for_all(struct store *st, struct promo *promos, int max, int *npromos)
{
    sqlite3_stmt *s = store_stmt(st, SQL_FOR_ALL);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int(s, 1, max);
    return read_rows(st, s, promos, max, npromos, NULL, 0, NULL);
}

int promotions_for_coupon(struct store *st, const char *code, struct promo *promos, int max, int *n)
{
    sqlite3_stmt *s = store_stmt(st, SQL_FOR_COUPON);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, max);
    return read_rows(st, s, promos, max, n, NULL, 0, NULL);
}

int promotions_count(struct store *st, int64_t *out)
{
    sqlite3_stmt *s = store_stmt(st, SQL_COUNT);
    if (!s)
        return STORE_ERROR;
    return store_row_int64(st, s, out);
}

/* ---------------------------------------------------------------- promo_set --- */

static int merge_promos(struct promo_set *set, const struct promo *in, int n)
{
    int changed = 0;
    for (int i = 0; i < n; i++) {
        int have = 0;
        for (int j = 0; j < set->n && !have; j++)
            have = set->promos[j].id == in[i].id;
        if (have)
            continue;
        if (set->n == PRICING_MAX_PROMOS) {
            set->dropped++;
            continue;
        }
        set->promos[set->n++] = in[i];
        changed = 1;
    }
    return changed;
}

static int merge_prices(struct promo_set *set, const struct segment_price *in, int n)
{
    int changed = 0;
    for (int i = 0; i < n; i++) {
        int have = 0;
        for (int j = 0; j < set->nprices && !have; j++)
            have = strcmp(set->prices[j].sku, in[i].sku) == 0 &&
                   strcmp(set->prices[j].segment, in[i].segment) == 0;
        if (have)
            continue;
        if (set->nprices == PROMO_SET_PRICES) {
            set->dropped++;
            continue;
        }
        set->prices[set->nprices++] = in[i];
        changed = 1;
    }
    return changed;
}

int promo_set_begin(struct store *st, struct promo_set *set)
{
    set->n = set->nprices = set->dropped = 0;
    struct promo all[16];
    int n = 0;
    int rc = promotions_for_all(st, all, 16, &n);
    if (rc)
        return rc;
    merge_promos(set, all, n);
    return STORE_OK;
}

int promo_set_add_item(struct store *st, struct promo_set *set, const char *sku, const char *group)
{
    struct promo found[16];
    struct segment_price prices[8];
    int n = 0, np = 0;
    int rc = promotions_for_item(st, sku, group, found, 16, &n, prices, 8, &np);
    if (rc)
        return rc;
    int a = merge_promos(set, found, n);
    int b = merge_prices(set, prices, np);
    return a || b;
}

int promo_set_add_coupon(struct store *st, struct promo_set *set, const char *code, int *found)
{
    struct promo got[8];
    int n = 0;
    *found = 0;
    if (!code[0] || strlen(code) >= PRICING_CODE_MAX)
        return 0;
    int rc = promotions_for_coupon(st, code, got, 8, &n);
    if (rc)
        return rc;
    *found = n > 0;
    return merge_promos(set, got, n);
}
