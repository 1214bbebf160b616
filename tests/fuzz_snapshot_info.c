/* libFuzzer: the server's description of a catalog snapshot (GET /v1/catalog/snapshot)
 * goes through snapshot_info_parse; whatever it accepts is bounded and well-formed. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "offline/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snapshot_info info;
    char why[200];
    int rc = snapshot_info_parse((const char *)data, size, &info, why, sizeof why);
    if (rc < -1 || rc > 1)
        __builtin_trap();
    if (rc < 0 && (!why[0] || !memchr(why, 0, sizeof why)))
        __builtin_trap();
    if (rc == 1 && (strlen(info.sha256) != 64 || info.url[0] != '/' || !memchr(info.url, 0, sizeof info.url) ||
                    info.bytes < 1 || info.raw_bytes < 512 || info.cursor < 0 || info.schema < 1))
        __builtin_trap();
    return 0;
}
