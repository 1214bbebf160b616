/* libFuzzer: every row of a page the store server sends goes through sync_row_check
 * (offline/sync_rows.c) before it is applied or parked.  A row it accepts is within the
 * till's bounds; a refused one always says why; the key and reason stay short and free of
 * control characters; parking it keeps at most SYNC_REJECT_RAW_MAX bytes of it. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/barcode.h"
#include "offline/sync_rows.h"
#include "src/store.h"
#include "src/sync_rejects.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *db(void)
{
    static struct store *st;
    if (!st) {
        char path[64], err[256];
        snprintf(path, sizeof path, "/tmp/till-fuzz-sync-rows-%d.db", (int)getpid());
        unlink(path);
        if (store_open(path, &st, err, sizeof err))
            __builtin_trap();
        unlink(path);   /* the open handle keeps it; nothing is left behind */
    }
    return st;
}

static void clean(const char *s, size_t max)
{
    if (strlen(s) >= max)
        __builtin_trap();
    for (; *s; s++)
        if ((unsigned char)*s < ' ' || *s == 0x7f)
            __builtin_trap();
}

static void accepted_catalog(const cJSON *c)
{
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "deleted")))
        return;
    const cJSON *price = cJSON_GetObjectItemCaseSensitive(c, "price"), *b;
    if (!cJSON_IsNumber(price) || price->valuedouble < 0 || price->valuedouble > (double)SYNC_ROW_PRICE_MAX)
        __builtin_trap();
    char why[200];
    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(c, "barcodes")) {
        if (!cJSON_IsString(b) || barcode_catalog_check(b->valuestring, strlen(b->valuestring), why, sizeof why))
            __builtin_trap();
    }
}

static void one_row(const cJSON *row, struct store *st)
{
    for (int feed = SYNC_ROW_CATALOG; feed <= SYNC_ROW_CUSTOMERS; feed++) {
        char key[SYNC_REJECT_KEY_MAX], why[SYNC_REJECT_REASON_MAX];
        int64_t seq = -1;
        int rc = sync_row_check((enum sync_row_feed)feed, row, &seq, key, sizeof key, why, sizeof why);
        clean(key, sizeof key);
        clean(why, sizeof why);
        if (seq < 0 || seq > SYNC_ROW_SEQ_MAX)
            __builtin_trap();
        if (rc == 0) {
            if (seq < 1)
                __builtin_trap();
            if (feed == SYNC_ROW_CATALOG)
                accepted_catalog(row);
            continue;
        }
        if (!why[0])
            __builtin_trap();   /* a refusal always says why */
        char *raw = cJSON_PrintUnformatted(row);
        if (store_begin(st, STORE_TX_PLAIN) == STORE_OK) {
            if (sync_rejects_park(st, sync_row_feed_name((enum sync_row_feed)feed), seq, key, why, raw ? raw : "", 1) != 1)
                __builtin_trap();
            store_rollback(st);
        }
        cJSON_free(raw);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *j = cJSON_ParseWithLength((const char *)data, size);
    if (!j)
        return 0;
    struct store *st = db();
    const cJSON *row;
    if (cJSON_IsArray(j)) {
        cJSON_ArrayForEach(row, j)
            one_row(row, st);
    } else {
        one_row(j, st);
    }
    cJSON_Delete(j);
    return 0;
}
