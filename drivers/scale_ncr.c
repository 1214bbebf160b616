/* NCR/SASI scanner-scale weight and status lines (see the header for the source). */
#include "drivers/scale_ncr.h"

#include <stdio.h>
#include <string.h>

/* The line at buf up to CR: its length without the CR in *n; bytes taken with the CR, 0
 * when incomplete, -(bytes to skip) when too long. */
static long line(const uint8_t *buf, size_t len, size_t *n)
{
    for (size_t i = 0; i < len && i < NCR_MAX_LINE; i++) {
        if (buf[i] == '\r') {
            *n = i;
            return (long)i + 1;
        }
    }
    if (len < NCR_MAX_LINE)
        return 0;
    return -(long)NCR_MAX_LINE;
}

static long garbage(struct ncr_frame *f, long n, const char *why)
{
    f->kind = NCR_GARBAGE;
    snprintf(f->error, sizeof f->error, "%s", why);
    return n;
}

long ncr_parse(const uint8_t *buf, size_t len, struct ncr_frame *f)
{
    memset(f, 0, sizeof *f);
    size_t skip = 0;
    while (skip < len && buf[skip] == '\n')
        skip++;
    if (skip == len)
        return skip ? garbage(f, (long)skip, "empty line") : 0;
    size_t n = 0;
    long used = line(buf + skip, len - skip, &n);
    if (used == 0)
        return 0;
    if (used < 0)
        return garbage(f, (long)skip - used, "a line without its end (CR)");
    used += (long)skip;
    if ((size_t)used < len && buf[used] == '\n')
        used++;
    const uint8_t *p = buf + skip;
    if (n < 4 || p[0] != 'S' || p[1] != '1')
        return garbage(f, used, "not a scale answer");
    for (size_t i = 2; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return garbage(f, used, "a scale answer with a character that is not a digit");
    if (p[2] == '1' && (n == 3 + 5 || n == 3 + 4)) {
        int64_t w = 0;
        for (size_t i = 3; i < n; i++)
            w = w * 10 + (p[i] - '0');
        f->kind = NCR_WEIGHT;
        f->metric = n == 3 + 5;
        f->weight = w;
        return used;
    }
    if (p[2] == '4' && p[3] == '4' && (n == 4 + 5 || n == 4 + 4)) {
        /* the status "stable with weight" carries the weight (answer to S14) */
        int64_t w = 0;
        for (size_t i = 4; i < n; i++)
            w = w * 10 + (p[i] - '0');
        f->kind = NCR_WEIGHT;
        f->metric = n == 4 + 5;
        f->weight = w;
        return used;
    }
    if (p[2] == '4' && n == 4 && p[3] <= '5') {
        f->kind = NCR_STATUS;
        f->status = p[3] - '0';
        return used;
    }
    return garbage(f, used, "an unknown scale answer");
}

static size_t put(const char *s, uint8_t *out, size_t cap)
{
    size_t n = strlen(s);
    if (n > cap)
        return 0;
    memcpy(out, s, n);
    return n;
}

size_t ncr_encode_weight_request(uint8_t *out, size_t cap)
{
    return put("S11\r", out, cap);
}

size_t ncr_encode_status_request(uint8_t *out, size_t cap)
{
    return put("S14\r", out, cap);
}

/* A weight line: PREFIX and five digits of grams ("S11" answers a request, "S144" is the
 * stable status that carries its weight). */
static size_t encode_weight_line(const char *prefix, int64_t weight_g, uint8_t *out, size_t cap)
{
    if (weight_g < 0 || weight_g > 99999)
        return 0;
    char s[16];
    snprintf(s, sizeof s, "%s%05lld\r", prefix, (long long)weight_g);
    return put(s, out, cap);
}

size_t ncr_encode_weight(int64_t weight_g, uint8_t *out, size_t cap)
{
    return encode_weight_line("S11", weight_g, out, cap);
}

size_t ncr_encode_stable_status(int64_t weight_g, uint8_t *out, size_t cap)
{
    return encode_weight_line("S144", weight_g, out, cap);
}

size_t ncr_encode_status(int status, uint8_t *out, size_t cap)
{
    if (status < 0 || status > 5)
        return 0;
    char s[8];
    snprintf(s, sizeof s, "S14%d\r", status);
    return put(s, out, cap);
}

long ncr_parse_request(const uint8_t *buf, size_t len, int *command)
{
    size_t n = 0;
    long used = line(buf, len, &n);
    *command = -1;
    if (used <= 0)
        return used < 0 ? -used : 0;
    if (n == 3 && buf[0] == 'S' && buf[1] == '1' && (buf[2] == '1' || buf[2] == '4'))
        *command = buf[2] == '1' ? 11 : 14;
    return used;
}

const char *ncr_status_text(int status)
{
    switch (status) {
    case NCR_ST_NOT_READY: return "not ready";
    case NCR_ST_MOTION: return "in motion";
    case NCR_ST_OVER_CAPACITY: return "overload";
    case NCR_ST_ZERO: return "nothing on the scale";
    case NCR_ST_WEIGHT: return "stable";
    case NCR_ST_UNDER_ZERO: return "under zero";
    }
    return "unknown status";
}
