/* Fuzz target: bytes a printer (or something posing as one) sends back after DLE EOT
 * requests.  The first byte chooses which requests are outstanding; the parser must
 * never read past its input or its queue, and may only set what the bytes say. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/escpos_status.h"
#include "core/receipt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct escpos_status_reader r;
    escpos_status_reset(&r);
    int nreq = data[0] % (ESCPOS_STATUS_MAX_PENDING + 2);
    for (int i = 0; i < nreq; i++)
        escpos_status_expect(&r, 1 + (data[0] + i) % 4);
    /* fed in two pieces, as reads from a device arrive */
    size_t half = (size - 1) / 2;
    int answers = escpos_status_feed(&r, data + 1, half);
    answers += escpos_status_feed(&r, data + 1 + half, size - 1 - half);
    if (answers < 0 || answers > nreq || r.npending < 0 || r.npending > ESCPOS_STATUS_MAX_PENDING)
        __builtin_trap();
    char text[256];
    printer_status_describe(&r.st, text, sizeof text);
    if (!memchr(text, 0, sizeof text))
        __builtin_trap();
    /* the same bytes as a scanned receipt code */
    char s[64], term[32];
    size_t n = size - 1 < sizeof s - 1 ? size - 1 : sizeof s - 1;
    memcpy(s, data + 1, n);
    s[n] = 0;
    int64_t no;
    if (receipt_code_parse(s, term, sizeof term, &no) == 0 && (no < 0 || strlen(term) >= sizeof term))
        __builtin_trap();
    return 0;
}
