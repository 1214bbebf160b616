/* libFuzzer: a receipt's QR code text (a scanner or an auditor's tool hands it in) through
 * fiscal_qr_parse, and what parses formatted again must parse to the same fields; the
 * Base64 decoder on the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/fiscal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    struct fiscal_qr q, back;
    if (fiscal_qr_parse(text, &q) == 0) {
        char again[FISCAL_QR_MAX + 64];
        if (fiscal_qr_format(&q, again, sizeof again) == 0) {
            if (fiscal_qr_parse(again, &back) != 0 || back.tx_number != q.tx_number ||
                back.sig_counter != q.sig_counter || back.log_ms != q.log_ms ||
                strcmp(back.process_data, q.process_data) != 0)
                __builtin_trap();
        }
    }
    unsigned char out[256];
    size_t n;
    if (fiscal_base64_decode(text, out, sizeof out, &n) == 0 && n > sizeof out)
        __builtin_trap();
    free(text);
    return 0;
}
