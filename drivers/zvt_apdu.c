#include "drivers/zvt_apdu.h"

#include <stdio.h>
#include <string.h>

#include "core/pan.h"
#include "drivers/payment_terminal.h"
#include "src/i18n.h"

long zvt_apdu_parse(const uint8_t *buf, size_t n, struct zvt_apdu *out)
{
    if (n < 3)
        return 0;
    size_t hdr = 3, len = buf[2];
    if (buf[2] == 0xFF) {
        if (n < 5)
            return 0;
        hdr = 5;
        /* low byte first; real terminals use the long form for short lengths too */
        len = (size_t)buf[3] | ((size_t)buf[4] << 8);
    }
    if (n < hdr + len)
        return 0;
    out->cls = buf[0];
    out->ins = buf[1];
    out->len = len;
    out->data = buf + hdr;
    return (long)(hdr + len);
}

size_t zvt_apdu_encode(uint8_t cls, uint8_t ins, const uint8_t *data, size_t len,
                       uint8_t *out, size_t cap)
{
    if (len > 0xFFFF)
        return 0;
    size_t hdr = len >= 0xFF ? 5 : 3;
    if (cap < hdr + len)
        return 0;
    out[0] = cls;
    out[1] = ins;
    if (hdr == 5) {
        out[2] = 0xFF;
        out[3] = (uint8_t)(len & 0xFF);
        out[4] = (uint8_t)(len >> 8);
    } else {
        out[2] = (uint8_t)len;
    }
    if (len)
        memcpy(out + hdr, data, len);
    return hdr + len;
}

int zvt_bcd_encode(uint64_t value, int nbytes, uint8_t *out)
{
    for (int i = nbytes - 1; i >= 0; i--) {
        uint8_t lo = (uint8_t)(value % 10);
        value /= 10;
        uint8_t hi = (uint8_t)(value % 10);
        value /= 10;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return value ? ZVT_ERANGE : ZVT_OK;
}

int zvt_bcd_decode(const uint8_t *p, int nbytes, uint64_t *out)
{
    uint64_t v = 0;
    for (int i = 0; i < nbytes; i++) {
        uint8_t hi = p[i] >> 4, lo = p[i] & 0x0F;
        if (hi > 9 || lo > 9)
            return ZVT_EMALFORMED;
        v = v * 100 + hi * 10 + lo;
    }
    *out = v;
    return ZVT_OK;
}

static void bcd_digits(const uint8_t *p, int nbytes, char *out, size_t cap)
{
    size_t o = 0;
    for (int i = 0; i < nbytes && o + 2 < cap; i++) {
        out[o++] = (char)('0' + (p[i] >> 4));
        out[o++] = (char)('0' + (p[i] & 0x0F));
    }
    out[o] = 0;
}

enum bmp_kind { FIXED, LLVAR, LLLVAR, TLV };

struct bmp_def {
    uint8_t id;
    enum bmp_kind kind;
    uint8_t size; /* FIXED only */
};

/* Summary of utilised BMPs (spec chapter 12): the ones a terminal sends us. */
static const struct bmp_def bmps[] = {
    { 0x01, FIXED, 1 }, { 0x02, FIXED, 1 }, { 0x03, FIXED, 1 }, { 0x04, FIXED, 6 },
    { 0x05, FIXED, 1 }, { 0x06, TLV, 0 },   { 0x0B, FIXED, 3 }, { 0x0C, FIXED, 3 },
    { 0x0D, FIXED, 2 }, { 0x0E, FIXED, 2 }, { 0x17, FIXED, 2 }, { 0x19, FIXED, 1 },
    { 0x22, LLVAR, 0 }, { 0x23, LLVAR, 0 }, { 0x24, LLLVAR, 0 }, { 0x27, FIXED, 1 },
    { 0x29, FIXED, 4 }, { 0x2A, FIXED, 15 }, { 0x2D, LLVAR, 0 }, { 0x2E, LLLVAR, 0 },
    { 0x37, FIXED, 3 }, { 0x3A, FIXED, 2 }, { 0x3B, FIXED, 8 }, { 0x3C, LLLVAR, 0 },
    { 0x3D, FIXED, 3 }, { 0x49, FIXED, 2 }, { 0x60, LLLVAR, 0 }, { 0x87, FIXED, 2 },
    { 0x88, FIXED, 3 }, { 0x8A, FIXED, 1 }, { 0x8B, LLVAR, 0 }, { 0x8C, FIXED, 1 },
    { 0x9A, LLLVAR, 0 }, { 0xA0, FIXED, 1 }, { 0xA7, LLVAR, 0 }, { 0xAA, FIXED, 3 },
    { 0xAF, LLLVAR, 0 }, { 0xBA, FIXED, 5 }, { 0xD0, FIXED, 1 }, { 0xD1, LLVAR, 0 },
    { 0xD2, FIXED, 1 }, { 0xD3, FIXED, 1 }, { 0xE0, FIXED, 1 }, { 0xF0, FIXED, 1 },
};

static const struct bmp_def *bmp_lookup(uint8_t id)
{
    for (size_t i = 0; i < sizeof bmps / sizeof bmps[0]; i++)
        if (bmps[i].id == id)
            return &bmps[i];
    return NULL;
}

/* LLVAR/LLLVAR lengths are digits written as F0..F9 bytes. */
static int var_length(const uint8_t *p, size_t avail, int ndigits, size_t *len)
{
    if (avail < (size_t)ndigits)
        return ZVT_EMALFORMED;
    size_t v = 0;
    for (int i = 0; i < ndigits; i++) {
        if ((p[i] & 0xF0) != 0xF0 || (p[i] & 0x0F) > 9)
            return ZVT_EMALFORMED;
        v = v * 10 + (p[i] & 0x0F);
    }
    *len = v;
    return ZVT_OK;
}

int zvt_tlv_length(const uint8_t *p, size_t avail, size_t *len, size_t *used)
{
    if (avail < 1)
        return ZVT_EMALFORMED;
    if (p[0] < 0x80) {
        *len = p[0];
        *used = 1;
    } else if (p[0] == 0x81 && avail >= 2) {
        *len = p[1];
        *used = 2;
    } else if (p[0] == 0x82 && avail >= 3) {
        *len = (size_t)p[1] << 8 | p[2];
        *used = 3;
    } else {
        return ZVT_EMALFORMED;
    }
    return ZVT_OK;
}

/* --- terminal text: code pages to UTF-8, card numbers masked --- */

int zvt_charset_parse(const char *name, enum zvt_charset *out)
{
    static const struct { const char *name; enum zvt_charset cs; } names[] = {
        { "cp437", ZVT_CP437 }, { "437", ZVT_CP437 }, { "latin1", ZVT_LATIN1 },
        { "iso-8859-1", ZVT_LATIN1 }, { "latin9", ZVT_LATIN9 }, { "iso-8859-15", ZVT_LATIN9 },
        { "cp1252", ZVT_CP1252 }, { "windows-1252", ZVT_CP1252 }, { "utf8", ZVT_UTF8 },
        { "utf-8", ZVT_UTF8 },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].name, name) == 0) {
            *out = names[i].cs;
            return 0;
        }
    return -1;
}

/* Code page 437, 0x80..0xFF (the ZVT default character set). */
static const uint16_t cp437_high[128] = {
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8,
    0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2,
    0x00FB, 0x00F9, 0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192, 0x00E1,
    0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD,
    0x00BC, 0x00A1, 0x00AB, 0x00BB, 0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562,
    0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510, 0x2514, 0x2534,
    0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560,
    0x2550, 0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B,
    0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580, 0x03B1, 0x00DF, 0x0393,
    0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4, 0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6,
    0x03B5, 0x2229, 0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248, 0x00B0,
    0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};

/* Windows-1252, 0x80..0x9F (the rest is Latin-1); 0 = undefined. */
static const uint16_t cp1252_c1[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
    0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

static uint32_t charset_code_point(uint8_t b, enum zvt_charset cs)
{
    if (b < 0x80)
        return b;
    switch (cs) {
    case ZVT_CP437:
        return cp437_high[b - 0x80];
    case ZVT_LATIN9:
        switch (b) { /* ISO 8859-15 differs from Latin-1 in eight places */
        case 0xA4: return 0x20AC;
        case 0xA6: return 0x0160;
        case 0xA8: return 0x0161;
        case 0xB4: return 0x017D;
        case 0xB8: return 0x017E;
        case 0xBC: return 0x0152;
        case 0xBD: return 0x0153;
        case 0xBE: return 0x0178;
        }
        return b;
    case ZVT_CP1252:
        if (b < 0xA0)
            return cp1252_c1[b - 0x80] ? cp1252_c1[b - 0x80] : '?';
        return b;
    case ZVT_LATIN1:
    case ZVT_UTF8:
        return b;
    }
    return '?';
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), 0 if it is not one. */
static size_t utf8_valid(const uint8_t *s, size_t n)
{
    size_t len = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : 0;
    if (!len || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

size_t zvt_text_decode(const uint8_t *s, size_t n, enum zvt_charset cs, char *out, size_t cap)
{
    size_t o = 0;
    if (!cap)
        return 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t enc[4];
        size_t elen;
        if (cs == ZVT_UTF8 && s[i] >= 0x80) {
            elen = utf8_valid(s + i, n - i);
            if (elen) {
                memcpy(enc, s + i, elen);
                i += elen - 1;
            } else {
                enc[0] = '?';
                elen = 1;
            }
        } else {
            uint32_t cp = charset_code_point(s[i], cs);
            if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
                cp = ' '; /* control characters: the line's layout stays */
            if (cp < 0x80) {
                enc[0] = (uint8_t)cp;
                elen = 1;
            } else if (cp < 0x800) {
                enc[0] = (uint8_t)(0xC0 | cp >> 6);
                enc[1] = (uint8_t)(0x80 | (cp & 0x3F));
                elen = 2;
            } else {
                enc[0] = (uint8_t)(0xE0 | cp >> 12);
                enc[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
                enc[2] = (uint8_t)(0x80 | (cp & 0x3F));
                elen = 3;
            }
        }
        if (o + elen + 1 > cap)
            break;
        memcpy(out + o, enc, elen);
        o += elen;
    }
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = 0;
    pan_mask_text(out);
    return strlen(out);
}

/* Appends a whole line to a '\n'-separated text, or nothing (and *truncated) if it does
 * not fit. */
static void text_add_line(char *dst, size_t cap, const char *line, int *truncated)
{
    size_t o = strlen(dst), n = strlen(line);
    size_t need = n + (o ? 1 : 0);
    if (o + need + 1 > cap) {
        *truncated = 1;
        return;
    }
    if (o)
        dst[o++] = '\n';
    memcpy(dst + o, line, n + 1);
}

/* --- BER-TLV --- */

typedef void (*tlv_fn)(void *ctx, uint32_t tag, const uint8_t *v, size_t n);

/* Walks a BER-TLV container, checking every length, and calls fn for each primitive object
 * (constructed ones are entered).  Counts the objects in *items. */
static int tlv_walk(const uint8_t *data, size_t len, int depth, tlv_fn fn, void *ctx, int *items)
{
    if (depth > 8)
        return ZVT_EMALFORMED;
    size_t i = 0;
    while (i < len) {
        uint8_t first = data[i++];
        uint32_t tag = first;
        if ((first & 0x1F) == 0x1F) { /* multi-byte tag */
            int more = 0;
            do {
                if (i >= len || ++more > 3)
                    return ZVT_EMALFORMED;
                tag = tag << 8 | data[i];
            } while (data[i++] & 0x80);
        }
        size_t vlen, used;
        if (zvt_tlv_length(data + i, len - i, &vlen, &used))
            return ZVT_EMALFORMED;
        i += used;
        if (vlen > len - i)
            return ZVT_EMALFORMED;
        (*items)++;
        if (first & 0x20) { /* constructed: nested objects */
            if (tlv_walk(data + i, vlen, depth + 1, fn, ctx, items))
                return ZVT_EMALFORMED;
        } else if (fn) {
            fn(ctx, tag, data + i, vlen);
        }
        i += vlen;
    }
    return ZVT_OK;
}

/* A BMP 06 at data[0]: 06 <length> <TLV>, ending exactly at len when exact is set.
 * Returns the bytes it takes, or 0 if it is not one. */
static size_t bmp06_span(const uint8_t *data, size_t len, int exact, const uint8_t **tlv, size_t *tlv_len)
{
    size_t vlen, used;
    if (len < 2 || data[0] != 0x06 || zvt_tlv_length(data + 1, len - 1, &vlen, &used))
        return 0;
    if (vlen > len - 1 - used || (exact && 1 + used + vlen != len))
        return 0;
    *tlv = data + 1 + used;
    *tlv_len = vlen;
    return 1 + used + vlen;
}

static void status_tlv(void *ctx, uint32_t tag, const uint8_t *v, size_t n)
{
    struct zvt_status *out = ctx;
    if (tag == 0x07) { /* a text line */
        char line[512];
        zvt_text_decode(v, n, out->charset, line, sizeof line);
        text_add_line(out->tlv_text, sizeof out->tlv_text, line, &out->tlv_truncated);
    } else if (tag == 0x1F07 && n == 1) {
        out->receipt_type = v[0];
    }
}

int zvt_parse_tlv(const uint8_t *data, size_t len, struct zvt_status *out, int depth)
{
    return tlv_walk(data, len, depth, status_tlv, out, &out->tlv_items);
}

/* A text field: decoded from the terminal's code page, card numbers masked.  NUL bytes
 * (padding, as in BMP 3B) end it. */
static void text_field(const uint8_t *p, size_t n, enum zvt_charset cs, char *out, size_t cap)
{
    size_t len = 0;
    while (len < n && p[len])
        len++;
    zvt_text_decode(p, len, cs, out, cap);
}

/* A PAN (BCD, masked nibbles E) is reduced to its last four digits right here. */
static void pan_field(const uint8_t *p, size_t n, char *out, size_t cap)
{
    char digits[64];
    size_t o = 0;
    for (size_t i = 0; i < n && o + 2 < sizeof digits; i++) {
        uint8_t nib[2] = { (uint8_t)(p[i] >> 4), (uint8_t)(p[i] & 0x0F) };
        for (int k = 0; k < 2; k++)
            digits[o++] = nib[k] <= 9 ? (char)('0' + nib[k]) : '*';
    }
    digits[o] = 0;
    pt_mask_pan(digits, out, cap);
    memset(digits, 0, sizeof digits);
}

#define ZVT_TOTALS_SLOTS 7
#define ZVT_TOTALS_LEN (4 + ZVT_TOTALS_SLOTS * 7)

const char *zvt_totals_card_name(int slot)
{
    static const char *const names[ZVT_TOTALS_SLOTS] = { "girocard", "JCB", "Mastercard", "Amex", "Visa",
                                                         "Diners", "other cards" };
    return slot >= 0 && slot < ZVT_TOTALS_SLOTS ? names[slot] : "?";
}

int zvt_parse_totals(const uint8_t *data, size_t len, struct zvt_totals *out)
{
    memset(out, 0, sizeof *out);
    uint64_t v;
    if (len != ZVT_TOTALS_LEN || zvt_bcd_decode(data, 2, &v) || zvt_bcd_decode(data + 2, 2, &v))
        return ZVT_EMALFORMED;
    struct zvt_totals t;
    memset(&t, 0, sizeof t);
    bcd_digits(data, 2, t.receipt_from, sizeof t.receipt_from);
    bcd_digits(data + 2, 2, t.receipt_to, sizeof t.receipt_to);
    for (int i = 0; i < ZVT_TOTALS_SLOTS; i++) {
        const uint8_t *p = data + 4 + i * 7;
        if (zvt_bcd_decode(p + 1, 6, &v))
            return ZVT_EMALFORMED;
        t.count[i] = p[0];
        t.amount[i] = (int64_t)v; /* 12 digits: far below INT64_MAX */
    }
    *out = t;
    return ZVT_OK;
}

void zvt_eod_totals(const struct zvt_status *st, struct pt_eod_totals *out)
{
    memset(out, 0, sizeof *out);
    out->count = -1;
    if (st->has_amount) {
        out->has_total = 1;
        out->total = st->amount;
    }
    if (!st->has_totals)
        return;
    out->count = 0;
    for (int i = 0; i < ZVT_TOTALS_SLOTS; i++) {
        out->count += st->totals.count[i];
        if (!st->totals.count[i] && !st->totals.amount[i])
            continue;
        struct pt_eod_line *l = &out->lines[out->nlines++];
        snprintf(l->card, sizeof l->card, "%s", zvt_totals_card_name(i));
        l->count = st->totals.count[i];
        l->amount = st->totals.amount[i];
    }
    if (!out->has_total) { /* the per-card amounts are the total when BMP 04 is missing */
        for (int i = 0; i < out->nlines; i++)
            out->total += out->lines[i].amount;
        out->has_total = 1;
    }
}

int zvt_parse_bmps(const uint8_t *data, size_t len, struct zvt_status *out)
{
    size_t i = 0;
    while (i < len) {
        uint8_t id = data[i++];
        const struct bmp_def *d = bmp_lookup(id);
        if (!d)
            return ZVT_EMALFORMED;
        size_t vlen = d->size;
        if (d->kind == LLVAR || d->kind == LLLVAR) {
            int nd = d->kind == LLVAR ? 2 : 3;
            if (var_length(data + i, len - i, nd, &vlen))
                return ZVT_EMALFORMED;
            i += (size_t)nd;
        } else if (d->kind == TLV) {
            size_t used;
            if (zvt_tlv_length(data + i, len - i, &vlen, &used))
                return ZVT_EMALFORMED;
            i += used;
        }
        if (vlen > len - i)
            return ZVT_EMALFORMED;
        const uint8_t *v = data + i;
        uint64_t num;
        switch (id) {
        case 0x04:
            if (zvt_bcd_decode(v, 6, &num))
                return ZVT_EMALFORMED;
            out->amount = (int64_t)num;
            out->has_amount = 1;
            break;
        case 0x06:
            if (zvt_parse_tlv(v, vlen, out, 0))
                return ZVT_EMALFORMED;
            break;
        case 0x0B: bcd_digits(v, 3, out->trace, sizeof out->trace); break;
        case 0x0C: bcd_digits(v, 3, out->time, sizeof out->time); break;
        case 0x0D: bcd_digits(v, 2, out->date, sizeof out->date); break;
        case 0x19: out->status_byte = v[0]; out->has_status_byte = 1; break;
        case 0x22: pan_field(v, vlen, out->masked_pan, sizeof out->masked_pan); break;
        case 0x27: out->result = v[0]; out->has_result = 1; break;
        case 0x29: bcd_digits(v, 4, out->terminal_id, sizeof out->terminal_id); break;
        case 0x3B: text_field(v, 8, out->charset, out->auth_attr, sizeof out->auth_attr); break;
        case 0x3C: text_field(v, vlen, out->charset, out->additional, sizeof out->additional); break;
        case 0x60:
            /* its length is known (LLLVAR): a layout we cannot read costs the totals only */
            out->has_totals = zvt_parse_totals(v, vlen, &out->totals) == ZVT_OK;
            out->totals_malformed = !out->has_totals;
            break;
        case 0x87: bcd_digits(v, 2, out->receipt_no, sizeof out->receipt_no); break;
        case 0x8A: out->card_type = v[0]; out->has_card_type = 1; break;
        case 0x8B: text_field(v, vlen, out->charset, out->card_name, sizeof out->card_name); break;
        default: break; /* known length, not needed */
        }
        i += vlen;
    }
    return ZVT_OK;
}

/* --- print lines, text blocks, display texts --- */

static void receipt_type_tlv(void *ctx, uint32_t tag, const uint8_t *v, size_t n)
{
    if (tag == 0x1F07 && n == 1)
        *(int *)ctx = v[0];
}

int zvt_parse_print_line(const uint8_t *data, size_t len, struct zvt_print_line *out)
{
    memset(out, 0, sizeof *out);
    if (len < 1)
        return ZVT_EMALFORMED;
    out->attribute = data[0];
    out->text = data + 1;
    out->text_len = len - 1;
    /* a trailing TLV: the first 06 from which a BMP 06 runs exactly to the end (text is
     * printable, so 06 cannot be part of it) */
    for (size_t i = 1; i < len; i++) {
        const uint8_t *tlv;
        size_t tlv_len;
        if (data[i] != 0x06 || !bmp06_span(data + i, len - i, 1, &tlv, &tlv_len))
            continue;
        int type = 0, items = 0;
        if (tlv_walk(tlv, tlv_len, 0, receipt_type_tlv, &type, &items))
            continue;
        out->text_len = i - 1;
        out->receipt_type = type;
        break;
    }
    return ZVT_OK;
}

struct display_ctx {
    enum zvt_charset cs;
    char *out;
    size_t cap;
};

static void display_tlv(void *ctx, uint32_t tag, const uint8_t *v, size_t n)
{
    struct display_ctx *d = ctx;
    if (tag != 0x07)
        return;
    char line[256];
    if (!zvt_text_decode(v, n, d->cs, line, sizeof line))
        return;
    size_t o = strlen(d->out);
    snprintf(d->out + o, d->cap - o, "%s%s", o ? " / " : "", line);
}

int zvt_parse_intermediate(const uint8_t *data, size_t len, enum zvt_charset cs, char *out, size_t cap)
{
    if (!cap)
        return ZVT_ERANGE;
    out[0] = 0;
    if (len < 1)
        return ZVT_EMALFORMED;
    /* the TLV follows the status byte, or the status byte and a timeout byte */
    for (size_t at = 1; at <= 2 && at < len; at++) {
        const uint8_t *tlv;
        size_t tlv_len;
        if (!bmp06_span(data + at, len - at, 1, &tlv, &tlv_len))
            continue;
        struct display_ctx d = { cs, out, cap };
        int items = 0;
        if (tlv_walk(tlv, tlv_len, 0, display_tlv, &d, &items)) {
            out[0] = 0;
            continue;
        }
        if (out[0])
            return ZVT_OK;
    }
    snprintf(out, cap, "%s", zvt_intermediate_text(data[0]));
    return ZVT_OK;
}

/* --- receipts --- */

void zvt_receipts_init(struct zvt_receipts *r)
{
    memset(r, 0, sizeof *r);
}

static void copy_add(struct zvt_receipts *r, char *copy, const char *text)
{
    if (!text[0])
        return;
    if (copy[0]) /* a second receipt in the same copy: a blank line between */
        text_add_line(copy, PT_RECEIPT_MAX, "", &r->truncated);
    size_t o = strlen(copy), n = strlen(text);
    if (o + n + 2 > PT_RECEIPT_MAX) {
        /* whole lines only */
        const char *s = text;
        while (*s) {
            const char *e = strchr(s, '\n');
            size_t l = e ? (size_t)(e - s) : strlen(s);
            char line[PT_RECEIPT_MAX];
            memcpy(line, s, l);
            line[l] = 0;
            text_add_line(copy, PT_RECEIPT_MAX, line, &r->truncated);
            s += l + (e != NULL);
        }
        return;
    }
    text_add_line(copy, PT_RECEIPT_MAX, text, &r->truncated);
}

/* Trailing blank lines (paper feed) are not part of the receipt. */
static void trim_blank_tail(char *text)
{
    size_t n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
        n--;
    text[n] = 0;
}

static void receipt_complete(struct zvt_receipts *r, char *text, int type)
{
    trim_blank_tail(text);
    if (!text[0])
        return;
    if (type == ZVT_RECEIPT_CARDHOLDER) {
        copy_add(r, r->cardholder, text);
    } else if (type == ZVT_RECEIPT_MERCHANT || type == ZVT_RECEIPT_ADMINISTRATION) {
        copy_add(r, r->merchant, text);
    } else {
        if (r->has_unmarked)
            copy_add(r, r->merchant, r->unmarked);
        snprintf(r->unmarked, sizeof r->unmarked, "%s", text);
        r->has_unmarked = 1;
    }
}

static void pending_complete(struct zvt_receipts *r)
{
    if (!r->pending_open)
        return;
    /* the marker most lines carry: a terminal may mark a stray line of the cardholder's
     * copy as the merchant's */
    int type = ZVT_RECEIPT_UNMARKED;
    for (int t = 1; t < 4; t++)
        if (r->pending_votes[t] > r->pending_votes[type])
            type = t;
    receipt_complete(r, r->pending, type);
    r->pending[0] = 0;
    memset(r->pending_votes, 0, sizeof r->pending_votes);
    r->pending_open = 0;
}

int zvt_receipts_add_line(struct zvt_receipts *r, const uint8_t *data, size_t len, enum zvt_charset cs)
{
    struct zvt_print_line pl;
    if (zvt_parse_print_line(data, len, &pl))
        return ZVT_EMALFORMED;
    char line[1024];
    zvt_text_decode(pl.text, pl.text_len, cs, line, sizeof line);
    if (pl.receipt_type > 0 && pl.receipt_type < 4)
        r->pending_votes[pl.receipt_type]++;
    if (pl.text_len || !(pl.attribute & 0x80))
        text_add_line(r->pending, sizeof r->pending, line, &r->truncated);
    r->pending_open = 1;
    if (pl.attribute & 0x80) /* the last line of this receipt */
        pending_complete(r);
    return ZVT_OK;
}

struct block_ctx {
    struct zvt_receipts *r;
    enum zvt_charset cs;
    char *text;
    int type;
};

static void block_tlv(void *ctx, uint32_t tag, const uint8_t *v, size_t n)
{
    struct block_ctx *b = ctx;
    if (tag == 0x1F07 && n == 1) {
        b->type = v[0];
    } else if (tag == 0x07) {
        char line[1024];
        zvt_text_decode(v, n, b->cs, line, sizeof line);
        text_add_line(b->text, PT_RECEIPT_MAX, line, &b->r->truncated);
    }
}

int zvt_receipts_add_block(struct zvt_receipts *r, const uint8_t *data, size_t len, enum zvt_charset cs)
{
    const uint8_t *tlv;
    size_t tlv_len;
    if (!bmp06_span(data, len, 0, &tlv, &tlv_len))
        return ZVT_EMALFORMED;
    char *text = r->block;
    text[0] = 0;
    struct block_ctx b = { r, cs, text, ZVT_RECEIPT_UNMARKED };
    int items = 0;
    if (tlv_walk(tlv, tlv_len, 0, block_tlv, &b, &items))
        return ZVT_EMALFORMED;
    pending_complete(r); /* lines printed before a block are a receipt of their own */
    receipt_complete(r, text, b.type);
    return ZVT_OK;
}

void zvt_receipts_finish(struct zvt_receipts *r)
{
    pending_complete(r);
    if (!r->has_unmarked)
        return;
    if (!r->cardholder[0])
        snprintf(r->cardholder, sizeof r->cardholder, "%s", r->unmarked);
    else
        copy_add(r, r->merchant, r->unmarked);
    r->unmarked[0] = 0;
    r->has_unmarked = 0;
}

static int password_bcd(const char *password, uint8_t out[3])
{
    uint64_t v = 0;
    if (strlen(password) != 6)
        return -1;
    for (int i = 0; i < 6; i++) {
        if (password[i] < '0' || password[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(password[i] - '0');
    }
    return zvt_bcd_encode(v, 3, out);
}

/* 06 00 <password:3> <config-byte> [<currency:2>] (spec 2.1, Registration) */
size_t zvt_build_registration(const char *password, uint8_t config_byte, uint16_t currency,
                              uint8_t *out, size_t cap)
{
    uint8_t d[6];
    if (password_bcd(password, d))
        return 0;
    d[3] = config_byte;
    if (zvt_bcd_encode(currency, 2, d + 4))
        return 0;
    return zvt_apdu_encode(0x06, 0x00, d, 6, out, cap);
}

/* 06 01 04 <amount:6 BCD> [49 <currency:2>] (spec 2.2, Authorization) */
size_t zvt_build_authorization(int64_t amount, uint16_t currency, uint8_t *out, size_t cap)
{
    uint8_t d[10];
    if (amount <= 0)
        return 0;
    d[0] = 0x04;
    if (zvt_bcd_encode((uint64_t)amount, 6, d + 1))
        return 0;
    if (!currency)
        return zvt_apdu_encode(0x06, 0x01, d, 7, out, cap);
    d[7] = 0x49;
    if (zvt_bcd_encode(currency, 2, d + 8))
        return 0;
    return zvt_apdu_encode(0x06, 0x01, d, 10, out, cap);
}

/* 06 30 <password:3> 87 <receipt-no:2 BCD> (spec 2.10, Reversal) */
size_t zvt_build_reversal(const char *password, const char *receipt_no, uint8_t *out, size_t cap)
{
    uint8_t d[6];
    if (password_bcd(password, d))
        return 0;
    d[3] = 0x87;
    uint64_t r = 0;
    for (const char *p = receipt_no; *p; p++) {
        if (*p < '0' || *p > '9' || r > 9999)
            return 0;
        r = r * 10 + (uint64_t)(*p - '0');
    }
    if (!receipt_no[0] || zvt_bcd_encode(r, 2, d + 4))
        return 0;
    return zvt_apdu_encode(0x06, 0x30, d, 6, out, cap);
}

/* 06 31 <password:3> 04 <amount:6> (spec 2.11, Refund) */
size_t zvt_build_refund(const char *password, int64_t amount, uint8_t *out, size_t cap)
{
    uint8_t d[10];
    if (amount <= 0 || password_bcd(password, d))
        return 0;
    d[3] = 0x04;
    if (zvt_bcd_encode((uint64_t)amount, 6, d + 4))
        return 0;
    return zvt_apdu_encode(0x06, 0x31, d, 10, out, cap);
}

/* 06 50 <password:3> (spec 2.16, End-of-Day) */
size_t zvt_build_end_of_day(const char *password, uint8_t *out, size_t cap)
{
    uint8_t d[3];
    if (password_bcd(password, d))
        return 0;
    return zvt_apdu_encode(0x06, 0x50, d, 3, out, cap);
}

/* 05 01 <password:3> (spec 2.55, Status-Enquiry) */
size_t zvt_build_status_enquiry(const char *password, uint8_t *out, size_t cap)
{
    uint8_t d[3];
    if (password_bcd(password, d))
        return 0;
    return zvt_apdu_encode(0x05, 0x01, d, 3, out, cap);
}

/* 06 B0 00: the ECR aborts the running command (spec 2.3) */
size_t zvt_build_abort(uint8_t *out, size_t cap)
{
    return zvt_apdu_encode(0x06, 0xB0, NULL, 0, out, cap);
}

/* 80 00 00: positive acknowledgement */
size_t zvt_build_ack(uint8_t *out, size_t cap)
{
    return zvt_apdu_encode(0x80, 0x00, NULL, 0, out, cap);
}

/* 06 20 <password:3> (spec 2.20, Repeat Receipt): the terminal sends the receipt and the
 * status information of its last transaction again. */
size_t zvt_build_repeat_receipt(const char *password, uint8_t *out, size_t cap)
{
    uint8_t d[3];
    if (password_bcd(password, d))
        return 0;
    return zvt_apdu_encode(0x06, 0x20, d, 3, out, cap);
}

/* The specification's table of intermediate status codes (chapter 10, "Terminal status
 * codes" for 04 FF).  Marked for the catalog: the kiosk shows them in the customer's
 * language. */
const char *zvt_intermediate_text(uint8_t code)
{
    switch (code) {
    case 0x00: return N_("PT is waiting for amount-confirmation");
    case 0x01: case 0x02: return N_("Please watch PIN-pad");
    case 0x03: return N_("Not accepted");
    case 0x04: return N_("PT is waiting for response from FEP");
    case 0x05: return N_("PT is sending auto-reversal");
    case 0x06: return N_("PT is sending post-bookings");
    case 0x07: return N_("Card not admitted");
    case 0x08: return N_("Card unknown / undefined");
    case 0x09: return N_("Expired card");
    case 0x0A: return N_("Insert card");
    case 0x0B: return N_("Please remove card");
    case 0x0C: return N_("Card not readable");
    case 0x0D: return N_("Processing error");
    case 0x0E: case 0x17: return N_("Please wait");
    case 0x0F: return N_("PT is commencing an automatic end-of-day batch");
    case 0x10: return N_("Invalid card");
    case 0x11: return N_("Balance display");
    case 0x12: return N_("System malfunction");
    case 0x13: return N_("Payment not possible");
    case 0x14: return N_("Credit not sufficient");
    case 0x15: return N_("Incorrect PIN");
    case 0x16: return N_("Limit not sufficient");
    case 0x18: return N_("PIN try limit exceeded");
    case 0x19: return N_("Card-data incorrect");
    case 0x1A: return N_("Service-mode");
    case 0x1B: return N_("Approved. Please fill-up");
    case 0x1C: return N_("Approved. Please take goods");
    case 0x1D: return N_("Declined");
    case 0x26: return N_("PT is waiting for input of the mobile-number");
    case 0x27: return N_("PT is waiting for repeat of mobile-number");
    case 0x28: return N_("Currency selection, please wait");
    case 0x29: return N_("Language selection, please wait");
    case 0x2A: return N_("For loading please insert card");
    case 0x2B: return N_("Emergency transaction, please wait");
    case 0x2C: return N_("Application selection, please wait");
    case 0x41: case 0x42: return N_("Please watch PIN-pad, please remove card");
    case 0x43: return N_("Not accepted, please remove card");
    case 0x44: return N_("PT is waiting for response from FEP, please remove card");
    case 0x45: return N_("PT is sending auto-reversal, please remove card");
    case 0x46: return N_("PT is sending post-bookings, please remove card");
    case 0x47: return N_("Card not admitted, please remove card");
    case 0x48: return N_("Card unknown / undefined, please remove card");
    case 0x49: return N_("Expired card, please remove card");
    case 0x4B: return N_("Please remove card");
    case 0x4C: return N_("Card not readable, please remove card");
    case 0x4D: return N_("Processing error, please remove card");
    case 0x4E: case 0x57: return N_("Please wait, please remove card");
    case 0x4F: return N_("PT is commencing an automatic end-of-day batch, please remove card");
    case 0x50: return N_("Invalid card, please remove card");
    case 0x51: return N_("Balance display, please remove card");
    case 0x52: return N_("System malfunction, please remove card");
    case 0x53: return N_("Payment not possible, please remove card");
    case 0x54: return N_("Credit not sufficient, please remove card");
    case 0x55: return N_("Incorrect PIN, please remove card");
    case 0x56: return N_("Limit not sufficient, please remove card");
    case 0x58: return N_("PIN try limit exceeded, please remove card");
    case 0x59: return N_("Card-data incorrect, please remove card");
    case 0x5A: return N_("Service-mode, please remove card");
    case 0x5B: return N_("Approved. Please fill-up, please remove card");
    case 0x5C: return N_("Approved. Please take goods, please remove card");
    case 0x5D: return N_("Declined, please remove card");
    case 0x68: return N_("PT has detected customer card insertion");
    case 0x69: return N_("Please select DCC");
    case 0xC7: return N_("PT is waiting for input of the mileage");
    case 0xC8: return N_("PT is waiting for cashier");
    case 0xC9: return N_("PT is commencing an automatic diagnosis");
    case 0xCA: return N_("PT is commencing an automatic initialisation");
    case 0xCB: return N_("Merchant-journal full");
    case 0xCC: return N_("Debit advice not possible, PIN required");
    case 0xD2: return N_("Connecting dial-up");
    case 0xD3: return N_("Dial-up connection made");
    case 0xE0: return N_("PT is waiting for application-selection");
    case 0xE1: return N_("PT is waiting for language-selection");
    case 0xE2: return N_("PT requests to use the cleaning card");
    case 0xF1: return N_("Offline");
    case 0xF2: return N_("Online");
    case 0xF3: return N_("Offline transaction");
    }
    return N_("Terminal busy");
}

/* The specification's table of error messages (chapter 10, result codes of BMP 27, 06 1E
 * and 84 xx).  01..63 are not in it: they are the authorisation host's own codes. */
const char *zvt_result_text(uint8_t code)
{
    if (code >= 0x01 && code <= 0x63)
        return "declined by the card issuer's host";
    switch (code) {
    case 0x00: return "no error";
    case 0x64: return "card not readable (LRC-/parity-error)";
    case 0x65: return "card-data not present (neither track-data nor chip found)";
    case 0x66: return "processing-error (also for problems with card-reader mechanism)";
    case 0x67: return "function not permitted for ec- and Maestro-cards";
    case 0x68: return "function not permitted for credit- and tank-cards";
    case 0x6A: return "turnover-file full";
    case 0x6B: return "function deactivated (PT not registered)";
    case 0x6C: return "abort via timeout or abort-key";
    case 0x6E: return "card in blocked-list";
    case 0x6F: return "wrong currency";
    case 0x71: return "credit not sufficient (chip-card)";
    case 0x72: return "chip error";
    case 0x73: return "card-data incorrect (e.g. country-key check, checksum-error)";
    case 0x74: return "DUKPT engine exhausted";
    case 0x75: return "text not authentic";
    case 0x76: return "PAN not in white list";
    case 0x77: return "end-of-day batch not possible";
    case 0x78: return "card expired";
    case 0x79: return "card not yet valid";
    case 0x7A: return "card unknown";
    case 0x7B: return "fallback to magnetic stripe for girocard not possible";
    case 0x7C: return "fallback to magnetic stripe not possible";
    case 0x7D: return "communication error (communication module does not answer or is not present)";
    case 0x7E: return "fallback to magnetic stripe not possible, debit advice possible";
    case 0x83: return "function not possible";
    case 0x85: return "key missing";
    case 0x89: return "PIN-pad defective";
    case 0x9A: return "ZVT protocol error";
    case 0x9B: return "error from dial-up/communication fault";
    case 0x9C: return "please wait";
    case 0xA0: return "receiver not ready";
    case 0xA1: return "remote station does not respond";
    case 0xA3: return "no connection";
    case 0xA4: return "submission of Geldkarte not possible";
    case 0xA5: return "function not allowed due to PCI-DSS/P2PE rules";
    case 0xB1: return "memory full";
    case 0xB2: return "merchant-journal full";
    case 0xB4: return "already reversed";
    case 0xB5: return "reversal not possible";
    case 0xB7: return "pre-authorisation incorrect (amount too high) or amount wrong";
    case 0xB8: return "error pre-authorisation";
    case 0xBF: return "voltage supply too low (external power supply)";
    case 0xC0: return "card locking mechanism defective";
    case 0xC1: return "merchant-card locked";
    case 0xC2: return "diagnosis required";
    case 0xC3: return "maximum amount exceeded";
    case 0xC4: return "card-profile invalid";
    case 0xC5: return "payment method not supported";
    case 0xC6: return "currency not applicable";
    case 0xC8: return "amount too small";
    case 0xC9: return "max. transaction-amount too small";
    case 0xCB: return "function only allowed in EURO";
    case 0xCC: return "printer not ready";
    case 0xCD: return "cashback not possible";
    case 0xD2: return "function not permitted for service-cards/bank-customer-cards";
    case 0xDC: return "card inserted";
    case 0xDD: return "error during card-eject";
    case 0xDE: return "error during card-insertion";
    case 0xE0: return "remote-maintenance activated";
    case 0xE2: return "card-reader does not answer / card-reader defective";
    case 0xE3: return "shutter closed";
    case 0xE4: return "terminal activation required";
    case 0xE7: return "min. one goods-group not found";
    case 0xE8: return "no goods-groups-table loaded";
    case 0xE9: return "restriction-code not permitted";
    case 0xEA: return "card-code not permitted";
    case 0xEB: return "function not executable (PIN-algorithm unknown)";
    case 0xEC: return "PIN-processing not possible";
    case 0xED: return "PIN-pad defective";
    case 0xF0: return "open end-of-day batch present";
    case 0xF1: return "ec-cash/Maestro offline error";
    case 0xF5: return "OPT-error";
    case 0xF6: return "OPT-data not available";
    case 0xFA: return "error transmitting offline-transactions (clearing error)";
    case 0xFB: return "turnover data-set defective";
    case 0xFC: return "necessary device not present or defective";
    case 0xFD: return "baudrate not supported";
    case 0xFE: return "register unknown";
    case 0xFF: return "system error";
    }
    return "unknown error code";
}

void zvt_result_describe(uint8_t code, char *out, size_t cap)
{
    if (code >= 0x01 && code <= 0x63)
        snprintf(out, cap, "%s (host code %u)", zvt_result_text(code), code);
    else
        snprintf(out, cap, "%s (%02X)", zvt_result_text(code), code);
}

uint16_t zvt_currency_numeric(const char *code)
{
    static const struct { const char *a; uint16_t n; } map[] = {
        { "EUR", 978 }, { "USD", 840 }, { "GBP", 826 }, { "CHF", 756 }, { "SEK", 752 },
        { "DKK", 208 }, { "NOK", 578 }, { "PLN", 985 }, { "CZK", 203 }, { "HUF", 348 },
        { "JPY", 392 },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].a, code) == 0)
            return map[i].n;
    return 0;
}
