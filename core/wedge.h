/* Keyboard-wedge scanners type into the terminal like a keyboard, only much faster.
 * A burst of at least min_length printable characters, each within max_gap_ms of the
 * previous one, ended by Enter or Tab within max_gap_ms, is a scan; anything slower is a
 * person typing.  Pure: the caller passes the arrival times. */
#ifndef TILL_WEDGE_H
#define TILL_WEDGE_H

#include <stddef.h>
#include <stdint.h>

#define WEDGE_MAX_CODE 128

struct wedge_config {
    int max_gap_ms;
    int min_length;
};

/* Characters collected while they may still turn out to be a scan. */
struct wedge_burst {
    char text[WEDGE_MAX_CODE];
    size_t len;          /* bytes in text */
    int chars;           /* characters */
    int64_t first_ms, last_ms;
    int gaps_ok;         /* every gap so far below max_gap_ms */
};

void wedge_burst_clear(struct wedge_burst *b);
/* Adds one UTF-8 encoded character that arrived at now_ms; returns -1 if it does not fit. */
int wedge_burst_add(struct wedge_burst *b, const struct wedge_config *cfg, const char *utf8,
                    size_t n, int64_t now_ms);
/* Would the burst still join a scan if the next key came at now_ms? */
int wedge_burst_alive(const struct wedge_burst *b, const struct wedge_config *cfg, int64_t now_ms);
/* Enter/Tab arrived at now_ms: is the burst a scan? */
int wedge_burst_is_scan(const struct wedge_burst *b, const struct wedge_config *cfg, int64_t now_ms);

#endif
