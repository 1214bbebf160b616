/* Row checks for the pulled pages (see sync_rows.h). */
#include "offline/sync_rows.h"

#include <stdio.h>
#include <string.h>

#include "core/barcode.h"
#include "offline/feeds.h"
#include "offline/json_num.h"
#include "src/pin.h"
#include "src/staff.h"

const char *sync_row_feed_name(enum sync_row_feed feed)
{
    static const char *const names[] = { [SYNC_ROW_CATALOG] = "catalog", [SYNC_ROW_STAFF] = "staff",
                                         [SYNC_ROW_STOCK] = "stock", [SYNC_ROW_PROMOTIONS] = "promotions",
                                         [SYNC_ROW_CUSTOMERS] = "customers" };
    return (unsigned)feed < sizeof names / sizeof names[0] ? names[feed] : "?";
}

static int has_controls(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < ' ' || *s == 0x7f)
            return 1;
    return 0;
}

/* Why an integer field is not one: absent, not a number, not whole, or out of bounds. */
static int json_int(const cJSON *o, const char *name, int64_t min, int64_t max, int64_t *out, char *why, size_t len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    switch (json_num_int(v, min, max, out)) {
    case JSON_NUM_OK:
        return 0;
    case JSON_NUM_ABSENT:
        snprintf(why, len, "no %s", name);
        break;
    case JSON_NUM_NOT_NUMBER:
        snprintf(why, len, "%s is not a number", name);
        break;
    case JSON_NUM_OUT_OF_BOUNDS:
        snprintf(why, len, "%s %.17g is out of bounds (%lld to %lld)", name, v->valuedouble, (long long)min,
                 (long long)max);
        break;
    case JSON_NUM_NOT_WHOLE:
        snprintf(why, len, "%s %.17g is not a whole number", name, v->valuedouble);
        break;
    }
    return -1;
}

/* A required text field of 1 to maxlen bytes without control characters. */
static const char *json_text(const cJSON *o, const char *name, size_t maxlen, char *why, size_t len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(v) || !v->valuestring[0]) {
        snprintf(why, len, "no %s", name);
        return NULL;
    }
    if (strlen(v->valuestring) > maxlen) {
        snprintf(why, len, "%s is longer than %zu bytes", name, maxlen);
        return NULL;
    }
    if (has_controls(v->valuestring)) {
        snprintf(why, len, "%s holds a control character", name);
        return NULL;
    }
    return v->valuestring;
}

/* An optional text field: absent, null or "" is none; otherwise at most maxlen bytes. */
static int json_opt_text(const cJSON *o, const char *name, size_t maxlen, const char **out, char *why, size_t len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    *out = "";
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v) || strlen(v->valuestring) > maxlen || has_controls(v->valuestring)) {
        snprintf(why, len, "%s is not a text of at most %zu bytes", name, maxlen);
        return -1;
    }
    *out = v->valuestring;
    return 0;
}

static int deleted(const cJSON *c)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "deleted"));
}

/* The record's key for the parked list, even from a row that has none valid. */
static void row_key(const cJSON *c, const char *name, char *key, size_t keylen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, name);
    if (!keylen)
        return;
    key[0] = 0;
    if (cJSON_IsString(v)) {
        size_t n = strlen(v->valuestring);
        if (n < keylen) {
            memcpy(key, v->valuestring, n + 1);
        } else if (keylen > 4) {
            n = keylen - 4;
            while (n > 0 && ((unsigned char)v->valuestring[n] & 0xC0) == 0x80)
                n--;
            snprintf(key, keylen, "%.*s...", (int)n, v->valuestring);
        }
    } else if (cJSON_IsNumber(v) && v->valuedouble >= -1e15 && v->valuedouble <= 1e15) {
        snprintf(key, keylen, "%lld", (long long)v->valuedouble);
    }
    for (char *p = key; *p; p++)
        if ((unsigned char)*p < ' ' || *p == 0x7f)
            *p = '?';
}

static int check_catalog(const cJSON *c, char *why, size_t len)
{
    const char *sku = json_text(c, "sku", 64, why, len);
    if (!sku)
        return -1;
    if (deleted(c))
        return 0;
    int64_t price;
    const char *unit, *tax, *group, *deposit;
    if (!json_text(c, "name", 200, why, len) || json_int(c, "price", 0, SYNC_ROW_PRICE_MAX, &price, why, len) ||
        !(unit = json_text(c, "unit", 8, why, len)) || !(tax = json_text(c, "tax_class", 16, why, len)) ||
        json_opt_text(c, "group", 31, &group, why, len) || json_opt_text(c, "deposit_sku", 31, &deposit, why, len))
        return -1;
    if (strcmp(unit, "each") && strcmp(unit, "kg")) {
        snprintf(why, len, "unit is neither each nor kg");
        return -1;
    }
    if (strchr(tax, ' ')) {
        snprintf(why, len, "tax_class \"%s\" holds a space", tax);
        return -1;
    }
    if (deposit[0] && strcmp(deposit, sku) == 0) {
        snprintf(why, len, "deposit_sku: a product cannot be its own deposit");
        return -1;
    }
    const cJSON *bcs = cJSON_GetObjectItemCaseSensitive(c, "barcodes"), *b;
    if (bcs && !cJSON_IsArray(bcs) && !cJSON_IsNull(bcs)) {
        snprintf(why, len, "barcodes is not a list");
        return -1;
    }
    const cJSON *list = cJSON_IsArray(bcs) ? bcs : NULL;
    cJSON_ArrayForEach(b, list) {
        if (!cJSON_IsString(b)) {
            snprintf(why, len, "a barcode is not a text");
            return -1;
        }
        if (barcode_catalog_check(b->valuestring, strlen(b->valuestring), why, len))
            return -1;
    }
    return 0;
}

/* Staff records: an id a person can type, a name, a role and an argon2id hash whose
 * parameters a till can afford (src/pin.c); tombstones need only the id. */
static int check_staff(const cJSON *c, char *why, size_t len)
{
    const char *id = json_text(c, "id", STAFF_ID_MAX - 1, why, len);
    if (!id)
        return -1;
    if (id[0] == ' ') {
        snprintf(why, len, "id begins with a space");
        return -1;
    }
    if (deleted(c))
        return 0;
    enum staff_role role;
    const char *hash;
    if (!json_text(c, "name", STAFF_NAME_MAX - 1, why, len) || !(hash = json_text(c, "pin_hash", PIN_HASH_MAX - 1, why, len)))
        return -1;
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(c, "role");
    if (!cJSON_IsString(r) || strlen(r->valuestring) > 16 || staff_role_parse(r->valuestring, &role)) {
        snprintf(why, len, "unknown role (cashier, supervisor or manager)");
        return -1;
    }
    if (!pin_hash_is_valid(hash)) {
        snprintf(why, len, "pin_hash is not an argon2id hash this till can check");
        return -1;
    }
    if (!cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(c, "active"))) {
        snprintf(why, len, "active is not true or false");
        return -1;
    }
    return 0;
}

static int check_stock(const cJSON *c, char *why, size_t len)
{
    int64_t v;
    const char *loc;
    if (!json_text(c, "sku", 64, why, len) ||
        json_int(c, "on_hand", -SYNC_ROW_STOCK_MAX, SYNC_ROW_STOCK_MAX, &v, why, len) ||
        json_opt_text(c, "location", 63, &loc, why, len))
        return -1;
    return 0;
}

int sync_row_check(enum sync_row_feed feed, const cJSON *row, int64_t *seq, char *key, size_t keylen,
                   char *why, size_t len)
{
    static const char *const key_names[] = { [SYNC_ROW_CATALOG] = "sku", [SYNC_ROW_STAFF] = "id",
                                             [SYNC_ROW_STOCK] = "sku", [SYNC_ROW_PROMOTIONS] = "id",
                                             [SYNC_ROW_CUSTOMERS] = "id" };
    *seq = 0;
    if (len)
        why[0] = 0;
    if ((unsigned)feed >= sizeof key_names / sizeof key_names[0]) {
        snprintf(why, len, "unknown feed");
        return -1;
    }
    row_key(row, key_names[feed], key, keylen);
    if (!cJSON_IsObject(row)) {
        snprintf(why, len, "not an object");
        return -1;
    }
    if (json_int(row, "seq", 1, SYNC_ROW_SEQ_MAX, seq, why, len))
        return -1;
    int rc = -1;
    switch (feed) {
    case SYNC_ROW_CATALOG: rc = check_catalog(row, why, len); break;
    case SYNC_ROW_STAFF: rc = check_staff(row, why, len); break;
    case SYNC_ROW_STOCK: rc = check_stock(row, why, len); break;
    case SYNC_ROW_PROMOTIONS: rc = feeds_check_promotion(row, why, len); break;
    case SYNC_ROW_CUSTOMERS: rc = feeds_check_customer(row, why, len); break;
    }
    if (rc && len && !why[0])
        snprintf(why, len, "refused");
    for (char *p = why; len && *p; p++)
        if ((unsigned char)*p < ' ' || *p == 0x7f)
            *p = '?';
    return rc;
}
