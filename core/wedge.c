#include "core/wedge.h"

#include <string.h>

void wedge_burst_clear(struct wedge_burst *b)
{
    memset(b, 0, sizeof *b);
}

int wedge_burst_add(struct wedge_burst *b, const struct wedge_config *cfg, const char *utf8,
                    size_t n, int64_t now_ms)
{
    if (b->len + n + 1 > sizeof b->text)
        return -1;
    if (b->chars == 0) {
        b->first_ms = now_ms;
        b->gaps_ok = 1;
    } else if (now_ms - b->last_ms >= cfg->max_gap_ms) {
        b->gaps_ok = 0;
    }
    memcpy(b->text + b->len, utf8, n);
    b->len += n;
    b->text[b->len] = 0;
    b->chars++;
    b->last_ms = now_ms;
    return 0;
}

int wedge_burst_alive(const struct wedge_burst *b, const struct wedge_config *cfg, int64_t now_ms)
{
    return b->chars > 0 && b->gaps_ok && now_ms - b->last_ms < cfg->max_gap_ms;
}

int wedge_burst_is_scan(const struct wedge_burst *b, const struct wedge_config *cfg, int64_t now_ms)
{
    return b->chars >= cfg->min_length && wedge_burst_alive(b, cfg, now_ms);
}
