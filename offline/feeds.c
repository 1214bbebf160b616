/* Promotions and customers pages (see feeds.h). */
#include "offline/feeds.h"
#include "offline/json_num.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/pricing.h"
#include "src/customers.h"
#include "src/promotions.h"
#include "src/store.h"

#define MAX_INT (INT64_C(1) << 50)

/* An integer that survives the trip through a double; absent is 0 when optional. */
static int json_int(const cJSON *o, const char *name, int64_t min, int64_t max, int optional, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!v && optional) {
        *out = 0;
        return 0;
    }
    return json_num_int(v, min, max, out) == JSON_NUM_OK ? 0 : -1;
}

/* A string of at most maxlen bytes; absent (or null) is "" when optional. */
static int json_text(const cJSON *o, const char *name, size_t maxlen, int optional, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if ((!v || cJSON_IsNull(v)) && optional) {
        *out = "";
        return 0;
    }
    if (!cJSON_IsString(v) || strlen(v->valuestring) > maxlen || (!optional && !v->valuestring[0]))
        return -1;
    *out = v->valuestring;
    return 0;
}

static int is_deleted(const cJSON *c)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "deleted"));
}

/* Reads one promotion change into row; -1 with why when a field is missing or mistyped. */
static int read_promotion(const cJSON *c, struct promotion_row *row, char *why, size_t len)
{
    memset(row, 0, sizeof *row);
    struct promo *p = &row->promo;
    const char *kind, *name, *sku, *group, *coupon, *segment;
    int64_t day_from, day_to;
    if (json_text(c, "kind", 24, 0, &kind) ||
        promotion_kind_parse(kind, &row->is_segment_price, &p->kind)) {
        snprintf(why, len, "promotion %lld: unknown kind", (long long)p->id);
        return -1;
    }
    if (json_text(c, "name", PRICING_NAME_MAX - 1, row->is_segment_price, &name) ||
        json_text(c, "sku", PRICING_CODE_MAX - 1, 1, &sku) ||
        json_text(c, "group", PRICING_CODE_MAX - 1, 1, &group) ||
        json_text(c, "coupon", PRICING_CODE_MAX - 1, 1, &coupon) ||
        json_text(c, "segment", sizeof p->segment - 1, 1, &segment) ||
        json_int(c, "n", 0, 1000, 1, &p->n) || json_int(c, "m", 0, 1000, 1, &p->m) ||
        json_int(c, "price", 0, MAX_INT, 1, &p->price) ||
        json_int(c, "percent_bp", 0, 10000, 1, &p->percent_bp) ||
        json_int(c, "threshold", 0, MAX_INT, 1, &p->threshold) ||
        json_int(c, "amount_off", 0, MAX_INT, 1, &p->amount_off) ||
        json_int(c, "valid_from", 0, MAX_INT, 1, &p->valid_from) ||
        json_int(c, "valid_to", 0, MAX_INT, 1, &p->valid_to) ||
        json_int(c, "day_from", 0, 1440, 1, &day_from) || json_int(c, "day_to", 0, 1440, 1, &day_to)) {
        snprintf(why, len, "a promotion has a missing or invalid field");
        return -1;
    }
    const cJSON *comb = cJSON_GetObjectItemCaseSensitive(c, "combinable");
    const cJSON *bundle = cJSON_GetObjectItemCaseSensitive(c, "bundle");
    if ((comb && !cJSON_IsBool(comb)) || (bundle && !cJSON_IsArray(bundle)) ||
        cJSON_GetArraySize(bundle) > PROMO_BUNDLE_MAX) {
        snprintf(why, len, "a promotion has an invalid combinable or bundle");
        return -1;
    }
    const cJSON *b;
    cJSON_ArrayForEach(b, bundle) {
        if (!cJSON_IsString(b) || !b->valuestring[0] || strlen(b->valuestring) >= PRICING_CODE_MAX) {
            snprintf(why, len, "a promotion's bundle holds an invalid sku");
            return -1;
        }
        snprintf(p->bundle[p->nbundle++], PRICING_CODE_MAX, "%s", b->valuestring);
    }
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->sku, sizeof p->sku, "%s", sku);
    snprintf(p->group, sizeof p->group, "%s", group);
    snprintf(p->coupon, sizeof p->coupon, "%s", coupon);
    snprintf(p->segment, sizeof p->segment, "%s", segment);
    p->day_from = (int)day_from;
    p->day_to = (int)day_to;
    p->combinable = cJSON_IsTrue(comb);
    if (row->is_segment_price) {
        snprintf(row->price.segment, sizeof row->price.segment, "%s", segment);
        snprintf(row->price.sku, sizeof row->price.sku, "%s", sku);
        row->price.price = p->price;
    }
    return 0;
}

static int check_common(const cJSON *c, int id_is_text, char *why, size_t len)
{
    int64_t v;
    const char *id;
    if (json_int(c, "seq", 1, INT64_C(1) << 52, 0, &v) ||
        (id_is_text ? json_text(c, "id", 39, 0, &id) : json_int(c, "id", 1, INT64_C(1) << 52, 0, &v))) {
        snprintf(why, len, "a change has no valid seq or id");
        return -1;
    }
    return 0;
}

int feeds_check_promotion(const cJSON *c, char *why, size_t len)
{
    struct promotion_row row;
    if (check_common(c, 0, why, len))
        return -1;
    return !is_deleted(c) && read_promotion(c, &row, why, len) ? -1 : 0;
}

int feeds_check_promotions(const cJSON *changes, char *why, size_t len)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, changes) {
        if (feeds_check_promotion(c, why, len))
            return -1;
    }
    return 0;
}

/* Why a segment price cannot be used, or NULL. */
static const char *segment_price_problem(const struct promotion_row *row)
{
    if (!row->price.segment[0] || !row->price.sku[0])
        return "a segment price needs a segment and a sku";
    return NULL;
}

int feeds_apply_promotion(struct store *st, const cJSON *c, char *note, size_t notelen)
{
    int64_t id = 0;
    json_int(c, "id", 1, INT64_C(1) << 52, 0, &id);
    struct promotion_row row;
    char why[128] = "";
    int skip = 0;
    if (notelen)
        note[0] = 0;
    if (!is_deleted(c)) {
        read_promotion(c, &row, why, sizeof why);
        row.promo.id = id;
        const char *problem = row.is_segment_price ? segment_price_problem(&row) : NULL;
        if (problem)
            snprintf(why, sizeof why, "%s", problem);
        skip = problem || (!row.is_segment_price && promo_check(&row.promo, why, sizeof why));
    }
    if (is_deleted(c) || skip) {
        if (promotions_delete(st, id))
            return -1;
    } else if (promotions_put(st, &row)) {
        return -1;
    }
    if (skip && notelen)
        snprintf(note, notelen, "promotion %lld refused: %s", (long long)id, why);
    return 0;
}

int feeds_apply_promotions(struct store *st, const cJSON *changes, char *note, size_t notelen)
{
    const cJSON *c;
    int n = 0;
    size_t o = 0;
    if (notelen)
        note[0] = 0;
    cJSON_ArrayForEach(c, changes) {
        char one[200];
        if (feeds_apply_promotion(st, c, one, sizeof one))
            return -1;
        if (one[0] && o + 1 < notelen)
            o += (size_t)snprintf(note + o, notelen - o, "%s%s", o ? "; " : "", one);
        if (o >= notelen)
            o = notelen ? notelen - 1 : 0;
        n++;
    }
    return n;
}

static int read_customer(const cJSON *c, struct customer *cu)
{
    memset(cu, 0, sizeof *cu);
    const char *id, *name, *segment, *card;
    if (json_text(c, "id", sizeof cu->id - 1, 0, &id) ||
        json_text(c, "name", sizeof cu->name - 1, 0, &name) ||
        json_text(c, "segment", sizeof cu->segment - 1, 1, &segment) ||
        json_text(c, "card", sizeof cu->card - 1, 1, &card))
        return -1;
    snprintf(cu->id, sizeof cu->id, "%s", id);
    snprintf(cu->name, sizeof cu->name, "%s", name);
    snprintf(cu->segment, sizeof cu->segment, "%s", segment);
    snprintf(cu->card, sizeof cu->card, "%s", card);
    return 0;
}

int feeds_check_customer(const cJSON *c, char *why, size_t len)
{
    struct customer cu;
    if (check_common(c, 1, why, len))
        return -1;
    if (!is_deleted(c) && read_customer(c, &cu)) {
        snprintf(why, len, "a customer has a missing or invalid field");
        return -1;
    }
    return 0;
}

int feeds_check_customers(const cJSON *changes, char *why, size_t len)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, changes) {
        if (feeds_check_customer(c, why, len))
            return -1;
    }
    return 0;
}

int feeds_apply_customer(struct store *st, const cJSON *c)
{
    struct customer cu;
    if (is_deleted(c)) {
        const char *id = "";
        json_text(c, "id", sizeof cu.id - 1, 0, &id);
        return customers_delete(st, id) ? -1 : 0;
    }
    return read_customer(c, &cu) || customers_put(st, &cu) ? -1 : 0;
}

int feeds_apply_customers(struct store *st, const cJSON *changes)
{
    const cJSON *c;
    int n = 0;
    cJSON_ArrayForEach(c, changes) {
        if (feeds_apply_customer(st, c))
            return -1;
        n++;
    }
    return n;
}
