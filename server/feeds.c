/* The feed_items table and its SQL (see feeds.h).  Admin writes are rare and pages are
 * asked for every pull interval, so statements are prepared per call. */
#include "server/feeds.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/page.h"

#define MAX_AMOUNT (INT64_C(1) << 50)

/* An optional whole number within [min, max] (absent: 0). */
static int int_field(const cJSON *o, const char *name, int64_t min, int64_t max, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    *out = 0;
    if (!v)
        return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble < (double)min || v->valuedouble > (double)max ||
        v->valuedouble != (double)(int64_t)v->valuedouble)
        return -1;
    *out = (int64_t)v->valuedouble;
    return 0;
}

static const char *str_field(const cJSON *o, const char *name, size_t max, int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!v)
        return "";
    if (!cJSON_IsString(v) || strlen(v->valuestring) > max) {
        *bad = 1;
        return "";
    }
    return v->valuestring;
}

/* What a till's pricing engine accepts (core/pricing.c promo_check), said to the admin. */
static const char *promotion_problem(const cJSON *o)
{
    static const char *const fields[] = { "id", "kind", "name", "sku", "group", "bundle", "n", "m",
        "price", "percent_bp", "threshold", "amount_off", "valid_from", "valid_to", "day_from",
        "day_to", "coupon", "segment", "combinable" };
    const cJSON *f;
    cJSON_ArrayForEach(f, o) {
        size_t k = 0;
        while (k < sizeof fields / sizeof fields[0] && strcmp(f->string, fields[k]) != 0)
            k++;
        if (k == sizeof fields / sizeof fields[0])
            return "unknown field (see assets/store-api.yaml, Promotion)";
    }
    int bad = 0;
    const char *kind = str_field(o, "kind", 24, &bad), *name = str_field(o, "name", 47, &bad);
    const char *sku = str_field(o, "sku", 31, &bad), *group = str_field(o, "group", 31, &bad);
    const char *segment = str_field(o, "segment", 15, &bad);
    str_field(o, "coupon", 31, &bad);
    int64_t id, n, m, price, pct, thr, off, vf, vt, df, dt;
    if (bad || int_field(o, "id", 1, INT64_C(1) << 52, &id) || int_field(o, "n", 0, 1000, &n) ||
        int_field(o, "m", 0, 1000, &m) || int_field(o, "price", 0, MAX_AMOUNT, &price) ||
        int_field(o, "percent_bp", 0, 10000, &pct) || int_field(o, "threshold", 0, MAX_AMOUNT, &thr) ||
        int_field(o, "amount_off", 0, MAX_AMOUNT, &off) ||
        int_field(o, "valid_from", 0, MAX_AMOUNT, &vf) || int_field(o, "valid_to", 0, MAX_AMOUNT, &vt) ||
        int_field(o, "day_from", 0, 1440, &df) || int_field(o, "day_to", 0, 1440, &dt))
        return "a field has the wrong type or is out of range (texts at most 31 characters, name 47)";
    const cJSON *comb = cJSON_GetObjectItemCaseSensitive(o, "combinable");
    if (comb && !cJSON_IsBool(comb))
        return "combinable must be true or false";
    if (vf && vt && vt <= vf)
        return "valid_to must be after valid_from";
    if (strcmp(kind, "segment_price") == 0)
        return segment[0] && sku[0] && cJSON_GetObjectItemCaseSensitive(o, "price")
                   ? NULL : "a segment price needs segment, sku and price";
    if (!name[0])
        return "a promotion needs a name";
    if (strcmp(kind, "multibuy_price") == 0)
        return n >= 2 && n <= 50 && (sku[0] || group[0]) ? NULL
               : "multibuy_price needs n (2 to 50), price and a sku or group";
    if (strcmp(kind, "multibuy_free") == 0)
        return n >= 2 && n <= 50 && m == n - 1 && (sku[0] || group[0]) ? NULL
               : "multibuy_free needs n (2 to 50), m = n - 1 and a sku or group";
    if (strcmp(kind, "percent") == 0)
        return pct > 0 ? NULL : "percent needs percent_bp (1 to 10000: 10 % is 1000)";
    if (strcmp(kind, "spend") == 0)
        return off > 0 && thr >= off ? NULL : "spend needs 0 < amount_off <= threshold";
    if (strcmp(kind, "bundle") == 0) {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "bundle"), *e;
        int nb = cJSON_IsArray(b) ? cJSON_GetArraySize(b) : 0;
        if (nb < 2 || nb > 4)
            return "bundle needs 2 to 4 skus in bundle and a price";
        cJSON_ArrayForEach(e, b)
            if (!cJSON_IsString(e) || !e->valuestring[0] || strlen(e->valuestring) > 31)
                return "bundle skus must be texts of 1 to 31 characters";
        return NULL;
    }
    return "kind must be multibuy_price, multibuy_free, bundle, percent, spend or segment_price";
}

int feeds_promotion_check(const char *json, char *why, size_t len)
{
    cJSON *o = cJSON_Parse(json);
    const char *problem = !cJSON_IsObject(o) ? "not a JSON object" : promotion_problem(o);
    cJSON_Delete(o);
    if (problem) {
        snprintf(why, len, "%s", problem);
        return -1;
    }
    return 0;
}

/* Stores body under (feed, id) with the feed's next seq, in its own transaction. */
static int put_item(struct sdb *db, const char *feed, const char *id, const char *body)
{
    if (sdb_begin(db) != SDB_OK)
        return SDB_ERROR;
    struct sql_stmt *s = sql_prepare(sdb_conn(db),
        "INSERT INTO feed_items(feed, id, seq, deleted, body) VALUES(?1, ?2,"
        " (SELECT COALESCE(max(seq), 0) + 1 FROM feed_items WHERE feed = ?1), ?4, ?3)"
        " ON CONFLICT(feed, id) DO UPDATE SET seq = excluded.seq, deleted = excluded.deleted,"
        " body = excluded.body");
    int rc = SQL_ERR;
    if (s) {
        sql_bind_text(s, 1, feed);
        sql_bind_text(s, 2, id);
        sql_bind_text(s, 3, body);
        sql_bind_int(s, 4, body == NULL);
        rc = sql_step(s);
    }
    sql_finalize(s);
    if (rc != SQL_DONE) {
        sdb_rollback(db);
        return SDB_ERROR;
    }
    return sdb_commit(db);
}

static int next_promotion_id(struct sdb *db, int64_t *id)
{
    return sql_query_int(sdb_conn(db), "SELECT COALESCE(max(CAST(id AS BIGINT)), 0) + 1"
                         " FROM feed_items WHERE feed = 'promotions'", id, 0, NULL) == SQL_ROW
               ? SDB_OK : SDB_ERROR;
}

int feeds_promotion_put(struct sdb *db, const char *json, int64_t *id, char *why, size_t len)
{
    if (feeds_promotion_check(json, why, len))
        return SDB_RANGE;
    cJSON *o = cJSON_Parse(json);
    const cJSON *given = cJSON_GetObjectItemCaseSensitive(o, "id");
    int rc = SDB_OK;
    if (given)
        *id = (int64_t)given->valuedouble;
    else if ((rc = next_promotion_id(db, id)) == SDB_OK)
        cJSON_AddNumberToObject(o, "id", (double)*id);
    char key[32];
    snprintf(key, sizeof key, "%lld", (long long)*id);
    char *body = rc == SDB_OK ? cJSON_PrintUnformatted(o) : NULL;
    if (rc == SDB_OK)
        rc = body ? put_item(db, FEED_PROMOTIONS, key, body) : SDB_ERROR;
    free(body);
    cJSON_Delete(o);
    return rc;
}

int feeds_customer_put(struct sdb *db, const char *id, const char *name, const char *segment,
                       const char *card, char *why, size_t len)
{
    if (!id[0] || strlen(id) > 39 || !name[0] || strlen(name) > 63 || strlen(segment) > 15 ||
        strlen(card) > 47) {
        snprintf(why, len, "a customer needs an id (1 to 39 characters), a name (1 to 63); segment"
                 " at most 15, card at most 47");
        return SDB_RANGE;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddStringToObject(o, "segment", segment);
    if (card[0])
        cJSON_AddStringToObject(o, "card", card);
    char *body = cJSON_PrintUnformatted(o);
    int rc = body ? put_item(db, FEED_CUSTOMERS, id, body) : SDB_ERROR;
    free(body);
    cJSON_Delete(o);
    return rc;
}

int feeds_delete(struct sdb *db, const char *feed, const char *id)
{
    struct sql_stmt *s = sql_prepare(sdb_conn(db), "SELECT 1 FROM feed_items WHERE feed = ?1 AND id = ?2"
                                                   " AND deleted = 0");
    if (!s)
        return SDB_ERROR;
    sql_bind_text(s, 1, feed);
    sql_bind_text(s, 2, id);
    int rc = sql_step(s);
    sql_finalize(s);
    if (rc == SQL_DONE)
        return SDB_NOT_FOUND;
    if (rc != SQL_ROW)
        return SDB_ERROR;
    return put_item(db, feed, id, NULL);
}

int feeds_page(struct sdb *db, const char *feed, int64_t since, int limit, struct strbuf *out)
{
    struct sql_stmt *s = sql_prepare(sdb_conn(db), "SELECT seq, id, deleted, body FROM feed_items"
                                                   " WHERE feed = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3");
    if (!s)
        return SDB_ERROR;
    sql_bind_text(s, 1, feed);
    sql_bind_int(s, 2, since);
    sql_bind_int(s, 3, limit + 1);
    struct page pg;
    int rc;
    int numeric_id = strcmp(feed, FEED_PROMOTIONS) == 0;
    page_begin(&pg, out, "changes", since, limit);
    while ((rc = sql_step(s)) == SQL_ROW) {
        if (!page_row(&pg, sql_int(s, 0)))
            break;
        const char *body = sql_text(s, 3);
        if (sql_int(s, 2) || !body || body[0] != '{') {
            strbuf_puts(out, ",\"id\":");
            if (numeric_id)
                strbuf_int(out, sql_int(s, 1));
            else
                strbuf_json_string(out, sql_text(s, 1));
            strbuf_puts(out, ",\"deleted\":true}");
            continue;
        }
        /* the stored object, checked when it was put, after our seq */
        strbuf_puts(out, body[1] == '}' ? "" : ",");
        strbuf_puts(out, body + 1);
    }
    sql_finalize(s);
    if (rc != SQL_ROW && rc != SQL_DONE)
        return SDB_ERROR;
    return page_end(&pg) == 0 ? SDB_OK : SDB_ERROR;
}
