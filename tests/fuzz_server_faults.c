/* libFuzzer: any SPEC given to `till-server serve --faults` (or its faults file). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/faults.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *spec = malloc(size + 1);
    if (!spec)
        return 0;
    memcpy(spec, data, size);
    spec[size] = '\0';
    struct fault_spec out;
    char err[256] = "";
    if (faults_parse(spec, &out, err, sizeof err) == 0) {
        if (out.norder < 0 || out.norder > FAULT_KINDS || out.stall_ms < 0)
            __builtin_trap();
        for (int i = 0; i < out.norder; i++)
            if (out.order[i] <= FAULT_NONE || out.order[i] >= FAULT_KINDS)
                __builtin_trap();
        for (int k = 0; k < FAULT_KINDS; k++)
            if (out.rule[k].percent > 100 || out.rule[k].count < 0)
                __builtin_trap();
    } else if (!err[0]) {
        __builtin_trap();
    }
    free(spec);
    return 0;
}
