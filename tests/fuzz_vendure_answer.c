/* libFuzzer: any bytes as Vendure's answer to a catalog page, a stock page, the plugin's
 * batch import or an order look-up go through the Vendure backend's parser; whatever it
 * hands the sync engine must be in the native contract's shape (the engine checks it
 * again, but a crash or an unchecked field here would be ours).  The first byte picks
 * which answer, the next two the cursor's position. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "offline/backend.h"
#include "offline/sync.h"
#include "src/loop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(void *ctx, const struct backend_reply *r)
{
    int *called = ctx;
    (*called)++;
    if (r->outcome == BACKEND_OK && !r->doc)
        __builtin_trap();
    if (r->outcome != BACKEND_OK && !memchr(r->error, 0, sizeof r->error))
        __builtin_trap();
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(r->doc, "changes");
    if (!items)
        items = cJSON_GetObjectItemCaseSensitive(r->doc, "levels");
    if (!items)
        items = cJSON_GetObjectItemCaseSensitive(r->doc, "results");
    const cJSON *it;
    cJSON_ArrayForEach(it, items) {
        if (!cJSON_IsObject(it))
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct loop *loop;
    static struct backend *b;
    if (!b) {
        loop = loop_new();
        struct sync_config cfg;
        memset(&cfg, 0, sizeof cfg);
        snprintf(cfg.url, sizeof cfg.url, "http://127.0.0.1:9/admin-api");
        snprintf(cfg.token, sizeof cfg.token, "t");
        snprintf(cfg.location, sizeof cfg.location, "store-1");
        snprintf(cfg.vendure.tax_classes, sizeof cfg.vendure.tax_classes, "Standard Tax=std; Zero Tax=zero");
        snprintf(cfg.vendure.shipping_method, sizeof cfg.vendure.shipping_method, "till-pickup");
        cfg.vendure.plugin = 1;
        cfg.vendure.overlap_s = 300;
        cfg.max_response_bytes = 1 << 20;
        char err[256];
        b = backend_vendure_new(loop, NULL, &cfg, err, sizeof err);
        if (!b)
            __builtin_trap();
    }
    if (size < 3)
        return 0;
    int kind = data[0] % 6, called = 0;
    int64_t since = ((int64_t)data[1] << 28 | (int64_t)data[2] << 20) | (data[2] & 7);
    backend_vendure_answer(b, kind, since, (const char *)data + 3, size - 3, check, &called);
    if (called != 1)
        __builtin_trap();
    return 0;
}
