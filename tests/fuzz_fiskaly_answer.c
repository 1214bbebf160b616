/* libFuzzer: whatever fiskaly (or something pretending to be it) answers goes through the
 * fiskaly driver's parsing: the input is a run of answers, each a status byte pair and a
 * length-prefixed body, delivered to the driver's requests in turn (authentication, PUT,
 * GET after a 409) through a fake transport.  The driver must end every operation with
 * exactly one callback and never read past an answer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fiscal.h"
#include "drivers/tse.h"
#include "src/config.h"
#include "src/loop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fake_http {
    tse_http_cb cb;
    void *ctx;
    uint64_t next_id, pending;
};

static uint64_t request(void *t, const char *method, const char *url, const char *bearer, const char *body,
                        tse_http_cb cb, void *ctx)
{
    struct fake_http *h = t;
    h->cb = cb;
    h->ctx = ctx;
    h->pending = ++h->next_id;
    return h->pending;
}

static void cancel(void *t, uint64_t id)
{
    struct fake_http *h = t;
    if (h->pending == id)
        h->pending = 0;
}

static int answers;
static void on_result(void *ctx, const struct tse_result *r)
{
    answers++;
    if (!memchr(r->error, 0, sizeof r->error) || !memchr(r->signature, 0, sizeof r->signature))
        __builtin_trap();
}

static struct config *cfg;
static struct loop *loop;

static void init(void)
{
    static char cred[] = "/tmp/fuzz-fiskaly-XXXXXX";
    int fd = mkstemp(cred);
    if (fd < 0 || write(fd, "api_key = k\napi_secret = s\n", 28) != 28)
        abort();
    close(fd);
    chmod(cred, 0600);
    cfg = config_new();
    config_set(cfg, "fiscal.fiskaly_tss_id", "T");
    config_set(cfg, "fiscal.fiskaly_client_id", "C");
    config_set(cfg, "fiscal.fiskaly_credentials", cred);
    config_set(cfg, "fiscal.fiskaly_retry_ms", "1");
    config_set(cfg, "fiscal.fiskaly_attempts", "2");
    loop = loop_new();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cfg)
        init();
    struct tse *t;
    char err[256];
    if (tse_open("fiskaly", loop, cfg, "fiscal", "K", &t, err, sizeof err))
        abort();
    struct fake_http h = { 0 };
    struct tse_http iface = { request, cancel, &h };
    tse_use_http(t, &iface);
    answers = 0;
    tse_start(t, "tx-1", FISCAL_PROCESS_RECEIPT, "", on_result, NULL);
    tse_finish(t, "tx-1", 1, FISCAL_PROCESS_RECEIPT, "Beleg^1.00_0.00_0.00_0.00_0.00^1.00:Bar", on_result, NULL);
    size_t off = 0;
    for (int round = 0; round < 64 && answers < 2; round++) {
        if (h.pending) {
            struct tse_http_answer a = { 1, 200, "", 0, NULL };
            if (off + 3 <= size) {
                a.status = 100 + (data[off] | data[off + 1] << 8) % 500;
                size_t n = data[off + 2];
                off += 3;
                if (n > size - off)
                    n = size - off;
                char *body = malloc(n + 1);
                memcpy(body, data + off, n);
                body[n] = 0;
                off += n;
                a.body = body;
                a.len = n;
                a.transport_ok = a.status != 100;
                h.pending = 0;
                h.cb(h.ctx, &a);
                free(body);
            } else {
                a.transport_ok = 0;
                a.status = 0;
                a.error = "the input ran out";
                h.pending = 0;
                h.cb(h.ctx, &a);
            }
        } else {
            loop_run_once(loop, 2);   /* a retry timer */
        }
    }
    tse_close(t);
    return 0;
}
