/* Dialog 06 frames, both directions (see the header for the records and the source). */
#include "drivers/scale_dialog06.h"

#include <stdio.h>
#include <string.h>

#define MAX_FIELDS 5

struct fields {
    const uint8_t *p[MAX_FIELDS];
    size_t n[MAX_FIELDS];
    int count;
};

/* Splits a frame's body after the record number (which must be followed by ESC) at ESC. */
static int split(const uint8_t *body, size_t len, struct fields *fl)
{
    fl->count = 0;
    if (len < 3 || body[2] != D06_ESC)
        return -1;
    size_t start = 3;
    for (size_t i = 3; i <= len; i++) {
        if (i < len && body[i] != D06_ESC)
            continue;
        if (fl->count == MAX_FIELDS)
            return -1;
        fl->p[fl->count] = body + start;
        fl->n[fl->count] = i - start;
        fl->count++;
        start = i + 1;
    }
    return 0;
}

static int is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static int hexval(uint8_t c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* n digits, minn <= n <= maxn, as a number; -1 otherwise. */
static int64_t digits(const uint8_t *p, size_t n, size_t minn, size_t maxn)
{
    if (n < minn || n > maxn)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(p[i]))
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

static long garbage(struct d06_frame *f, long n, const char *why)
{
    f->kind = D06_GARBAGE;
    snprintf(f->error, sizeof f->error, "%s", why);
    return n;
}

/* Finds the frame STX .. ETX at buf[0] == STX: its length with both, 0 when incomplete,
 * or -(bytes to skip) when it is broken (no ETX in time, a new STX before the ETX). */
static long frame_end(const uint8_t *buf, size_t len, uint8_t stx)
{
    for (size_t i = 1; i < len && i < D06_MAX_FRAME; i++) {
        if (buf[i] == D06_ETX)
            return (long)i + 1;
        if (buf[i] == stx || buf[i] == D06_EOT)
            return -(long)i;
    }
    return len >= D06_MAX_FRAME ? -1 : 0;
}

static long parse_record(const uint8_t *body, size_t blen, long used, struct d06_frame *f)
{
    struct fields fl;
    int64_t rec = blen >= 2 ? digits(body, 2, 2, 2) : -1;
    if (rec < 0 || split(body, blen, &fl))
        return garbage(f, used, "a frame without a record number");
    switch (rec) {
    case 2: {
        if (fl.count != 4)
            return garbage(f, used, "record 02 without its four fields");
        int64_t d = digits(fl.p[0], fl.n[0], 1, 1);
        int64_t w = digits(fl.p[1], fl.n[1], 5, 5);
        int64_t p = digits(fl.p[2], fl.n[2], 4, 6);
        int64_t a = digits(fl.p[3], fl.n[3], 4, 6);
        if (d < 0 || d > 3 || w < 0 || p < 0 || a < 0)
            return garbage(f, used, "record 02 with a field that is not a number");
        for (int64_t i = d; i < 3; i++)
            w *= 10;
        f->kind = D06_WEIGHT;
        f->weight_g = w;
        f->unit_price = p;
        f->amount = a;
        return used;
    }
    case 9: {
        int64_t s = fl.count == 1 ? digits(fl.p[0], fl.n[0], 2, 2) : -1;
        if (s < 0)
            return garbage(f, used, "record 09 without a two-digit status");
        f->kind = D06_STATUS;
        f->status = (int)s;
        return used;
    }
    case 11: {
        if (fl.count != 1 || fl.n[0] != 3 || !is_digit(fl.p[0][0]) || hexval(fl.p[0][1]) < 0 ||
            hexval(fl.p[0][2]) < 0)
            return garbage(f, used, "record 11 without d0 and a two-digit hex row");
        f->kind = D06_CHECKSUM_REQ;
        f->d0 = (char)fl.p[0][0];
        f->row = hexval(fl.p[0][1]) * 16 + hexval(fl.p[0][2]);
        return used;
    }
    default:
        return garbage(f, used, "a record a scale does not send");
    }
}

long d06_parse(const uint8_t *buf, size_t len, struct d06_frame *f)
{
    memset(f, 0, sizeof *f);
    if (len == 0)
        return 0;
    if (buf[0] == D06_ACK) {
        f->kind = D06_ACK_FRAME;
        return 1;
    }
    if (buf[0] == D06_NAK) {
        f->kind = D06_NAK_FRAME;
        return 1;
    }
    if (buf[0] != D06_STX) {
        size_t n = 1;
        while (n < len && buf[n] != D06_STX && buf[n] != D06_ACK && buf[n] != D06_NAK)
            n++;
        return garbage(f, (long)n, "bytes outside a frame");
    }
    long end = frame_end(buf, len, D06_STX);
    if (end == 0)
        return 0;
    if (end < 0)
        return garbage(f, -end, "a frame without its end (ETX)");
    return parse_record(buf + 1, (size_t)end - 2, end, f);
}

/* Appends bytes; out of room leaves *n past cap so the caller sees it. */
static void put(uint8_t *out, size_t cap, size_t *n, const void *src, size_t len)
{
    if (*n + len <= cap)
        memcpy(out + *n, src, len);
    *n += len;
}

static void put_byte(uint8_t *out, size_t cap, size_t *n, uint8_t b)
{
    put(out, cap, n, &b, 1);
}

static void put_num(uint8_t *out, size_t cap, size_t *n, int64_t v, int width)
{
    char s[24];
    snprintf(s, sizeof s, "%0*lld", width, (long long)v);
    put(out, cap, n, s, strlen(s));
}

static void put_head(uint8_t *out, size_t cap, size_t *n, int eot, int record)
{
    if (eot)
        put_byte(out, cap, n, D06_EOT);
    put_byte(out, cap, n, D06_STX);
    put_num(out, cap, n, record, 2);
    put_byte(out, cap, n, D06_ESC);
}

static size_t done(uint8_t *out, size_t cap, size_t n)
{
    put_byte(out, cap, &n, D06_ETX);
    return n <= cap ? n : 0;
}

size_t d06_encode_price(int64_t unit_price, int64_t tare_g, const char *text, uint8_t *out, size_t cap)
{
    if (unit_price < 0 || unit_price > 999999 || tare_g < 0 || tare_g > 9999)
        return 0;
    int with_text = text && text[0];
    int record = with_text ? 5 : tare_g ? 4 : 1;
    size_t n = 0;
    put_head(out, cap, &n, 1, record);
    put_num(out, cap, &n, unit_price, 6);
    if (record != 1) {
        put_byte(out, cap, &n, D06_ESC);
        put_num(out, cap, &n, tare_g, 4);
    }
    if (with_text) {
        put_byte(out, cap, &n, D06_ESC);
        for (size_t i = 0; text[i] && i < D06_TEXT_MAX; i++) {
            unsigned char c = (unsigned char)text[i];
            put_byte(out, cap, &n, c >= 0x20 && c < 0x7f ? c : '?');
        }
    }
    return done(out, cap, n);
}

size_t d06_encode_request(uint8_t *out, size_t cap)
{
    if (cap < 2)
        return 0;
    out[0] = D06_EOT;
    out[1] = D06_ENQ;
    return 2;
}

size_t d06_encode_checksum(const uint8_t answer[D06_CHECKSUM_LEN], uint8_t *out, size_t cap)
{
    size_t n = 0;
    put_head(out, cap, &n, 1, 10);
    put(out, cap, &n, answer, D06_CHECKSUM_LEN);
    return done(out, cap, n);
}

size_t d06_encode_weight(int64_t weight_g, int64_t unit_price, int64_t amount, uint8_t *out, size_t cap)
{
    if (weight_g < 0 || weight_g > 99999 || unit_price < 0 || unit_price > 999999 || amount < 0 ||
        amount > 999999)
        return 0;
    size_t n = 0;
    put_head(out, cap, &n, 0, 2);
    put_byte(out, cap, &n, '3');
    put_byte(out, cap, &n, D06_ESC);
    put_num(out, cap, &n, weight_g, 5);
    put_byte(out, cap, &n, D06_ESC);
    put_num(out, cap, &n, unit_price, 6);
    put_byte(out, cap, &n, D06_ESC);
    put_num(out, cap, &n, amount, 6);
    return done(out, cap, n);
}

size_t d06_encode_status(int status, uint8_t *out, size_t cap)
{
    if (status < 0 || status > 99)
        return 0;
    size_t n = 0;
    put_head(out, cap, &n, 0, 9);
    put_num(out, cap, &n, status, 2);
    return done(out, cap, n);
}

size_t d06_encode_checksum_req(int row, uint8_t *out, size_t cap)
{
    if (row < 0 || row > 255)
        return 0;
    char s[8];
    snprintf(s, sizeof s, "2%02X", (unsigned)row);
    size_t n = 0;
    put_head(out, cap, &n, 0, 11);
    put(out, cap, &n, s, 3);
    return done(out, cap, n);
}

static long req_garbage(struct d06_request *r, long n)
{
    r->kind = D06_REQ_GARBAGE;
    return n;
}

long d06_parse_request(const uint8_t *buf, size_t len, struct d06_request *r)
{
    memset(r, 0, sizeof *r);
    if (len == 0)
        return 0;
    if (buf[0] != D06_EOT) {
        size_t n = 1;
        while (n < len && buf[n] != D06_EOT)
            n++;
        return req_garbage(r, (long)n);
    }
    if (len < 2)
        return 0;
    if (buf[1] == D06_ENQ) {
        r->kind = D06_REQ_DATA;
        return 2;
    }
    if (buf[1] != D06_STX)
        return req_garbage(r, 1);
    long end = frame_end(buf + 1, len - 1, D06_STX);
    if (end == 0)
        return 0;
    if (end < 0)
        return req_garbage(r, 1 - end);
    long used = end + 1;
    const uint8_t *body = buf + 2;
    size_t blen = (size_t)end - 2;
    struct fields fl;
    int64_t rec = blen >= 2 ? digits(body, 2, 2, 2) : -1;
    if (rec < 0 || split(body, blen, &fl))
        return req_garbage(r, used);
    r->record = (int)rec;
    if (rec == 10) {
        if (fl.count != 1 || fl.n[0] != D06_CHECKSUM_LEN)
            return req_garbage(r, used);
        memcpy(r->checksum, fl.p[0], D06_CHECKSUM_LEN);
        r->kind = D06_REQ_CHECKSUM;
        return used;
    }
    int want = rec == 1 ? 1 : rec == 4 ? 2 : rec == 5 ? 3 : 0;
    if (!want || fl.count != want)
        return req_garbage(r, used);
    r->unit_price = digits(fl.p[0], fl.n[0], 6, 6);
    r->tare_g = want >= 2 ? digits(fl.p[1], fl.n[1], 4, 4) : 0;
    if (r->unit_price < 0 || r->tare_g < 0 || (want == 3 && fl.n[2] > D06_TEXT_MAX))
        return req_garbage(r, used);
    if (want == 3)
        memcpy(r->text, fl.p[2], fl.n[2]);
    r->kind = D06_REQ_PRICE;
    return used;
}

const char *d06_status_text(int status, char *buf, size_t len)
{
    switch (status) {
    case D06_ST_OK: return "no error";
    case D06_ST_GENERAL: return "general error on the scale";
    case D06_ST_PARITY: return "parity error or buffer overflow";
    case D06_ST_BAD_RECORD: return "invalid record number";
    case D06_ST_BAD_PRICE: return "invalid unit price";
    case D06_ST_BAD_TARE: return "invalid tare";
    case D06_ST_BAD_TEXT: return "invalid text";
    case D06_ST_MOTION: return "in motion";
    case D06_ST_NO_MOTION: return "no new weighing since the last one";
    case D06_ST_NO_PRICE: return "price not computed yet";
    case D06_ST_BELOW_MIN: return "below minimum weight";
    case D06_ST_UNDER_ZERO: return "under zero";
    case D06_ST_OVERLOAD: return "overload";
    }
    snprintf(buf, len, "status %02d", status);
    return buf;
}
