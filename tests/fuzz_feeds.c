/* The store server's promotions and customers pages (offline/feeds.c): any bytes are refused
 * or applied within bounds; what is applied reads back as promotions the engine accepts. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/pricing.h"
#include "offline/feeds.h"
#include "src/promotions.h"
#include "src/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *db(void)
{
    static struct store *st;
    if (!st) {
        char path[64], err[256];
        snprintf(path, sizeof path, "/tmp/till-fuzz-feeds-%d.db", (int)getpid());
        unlink(path);
        if (store_open(path, &st, err, sizeof err))
            __builtin_trap();
        unlink(path);   /* the open handle keeps it; nothing is left behind */
    }
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *j = cJSON_ParseWithLength((const char *)data, size);
    if (!j)
        return 0;
    char why[200], note[300];
    struct store *st = db();
    if (feeds_check_promotions(j, why, sizeof why) == 0 && store_begin(st, STORE_TX_PLAIN) == 0) {
        if (feeds_apply_promotions(st, j, note, sizeof note) >= 0) {
            /* every stored promotion of a sku is one the engine would take */
            struct promo got[8];
            struct segment_price prices[8];
            int n = 0, np = 0;
            const cJSON *c;
            cJSON_ArrayForEach(c, j) {
                const cJSON *sku = cJSON_GetObjectItemCaseSensitive(c, "sku");
                if (!cJSON_IsString(sku))
                    continue;
                promotions_for_item(st, sku->valuestring, "", got, 8, &n, prices, 8, &np);
                for (int i = 0; i < n; i++)
                    if (promo_check(&got[i], why, sizeof why))
                        __builtin_trap();
            }
        }
        store_rollback(st);
    }
    if (feeds_check_customers(j, why, sizeof why) == 0 && store_begin(st, STORE_TX_PLAIN) == 0) {
        feeds_apply_customers(st, j);
        store_rollback(st);
    }
    cJSON_Delete(j);
    return 0;
}
