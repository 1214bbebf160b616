#include "core/escpos.h"

#include <stdlib.h>
#include <string.h>

#define ESC 0x1B
#define GS 0x1D
#define DLE 0x10
#define EOT 0x04

/* Bytes 0x80..0xFF of each table as Unicode code points (0: no character).  PC858 is
 * PC850 with the euro sign at 0xD5 in place of the dotless i. */
static const uint16_t table_pc437[128] = {
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7,
    0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
    0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
    0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192,
    0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA,
    0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
    0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,
    0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
    0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B,
    0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
    0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4,
    0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229,
    0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248,
    0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};

static const uint16_t table_pc850[128] = {
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7,
    0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
    0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
    0x00FF, 0x00D6, 0x00DC, 0x00F8, 0x00A3, 0x00D8, 0x00D7, 0x0192,
    0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA,
    0x00BF, 0x00AE, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x00C1, 0x00C2, 0x00C0,
    0x00A9, 0x2563, 0x2551, 0x2557, 0x255D, 0x00A2, 0x00A5, 0x2510,
    0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x00E3, 0x00C3,
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x00A4,
    0x00F0, 0x00D0, 0x00CA, 0x00CB, 0x00C8, 0x0131, 0x00CD, 0x00CE,
    0x00CF, 0x2518, 0x250C, 0x2588, 0x2584, 0x00A6, 0x00CC, 0x2580,
    0x00D3, 0x00DF, 0x00D4, 0x00D2, 0x00F5, 0x00D5, 0x00B5, 0x00FE,
    0x00DE, 0x00DA, 0x00DB, 0x00D9, 0x00FD, 0x00DD, 0x00AF, 0x00B4,
    0x00AD, 0x00B1, 0x2017, 0x00BE, 0x00B6, 0x00A7, 0x00F7, 0x00B8,
    0x00B0, 0x00A8, 0x00B7, 0x00B9, 0x00B3, 0x00B2, 0x25A0, 0x00A0,
};

static const uint16_t table_wpc1252[128] = {
    0x20AC, 0x0000, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x0000, 0x017D, 0x0000,
    0x0000, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x0000, 0x017E, 0x0178,
    0x00A0, 0x00A1, 0x00A2, 0x00A3, 0x00A4, 0x00A5, 0x00A6, 0x00A7,
    0x00A8, 0x00A9, 0x00AA, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x00AF,
    0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00B4, 0x00B5, 0x00B6, 0x00B7,
    0x00B8, 0x00B9, 0x00BA, 0x00BB, 0x00BC, 0x00BD, 0x00BE, 0x00BF,
    0x00C0, 0x00C1, 0x00C2, 0x00C3, 0x00C4, 0x00C5, 0x00C6, 0x00C7,
    0x00C8, 0x00C9, 0x00CA, 0x00CB, 0x00CC, 0x00CD, 0x00CE, 0x00CF,
    0x00D0, 0x00D1, 0x00D2, 0x00D3, 0x00D4, 0x00D5, 0x00D6, 0x00D7,
    0x00D8, 0x00D9, 0x00DA, 0x00DB, 0x00DC, 0x00DD, 0x00DE, 0x00DF,
    0x00E0, 0x00E1, 0x00E2, 0x00E3, 0x00E4, 0x00E5, 0x00E6, 0x00E7,
    0x00E8, 0x00E9, 0x00EA, 0x00EB, 0x00EC, 0x00ED, 0x00EE, 0x00EF,
    0x00F0, 0x00F1, 0x00F2, 0x00F3, 0x00F4, 0x00F5, 0x00F6, 0x00F7,
    0x00F8, 0x00F9, 0x00FA, 0x00FB, 0x00FC, 0x00FD, 0x00FE, 0x00FF,
};

static const struct {
    const char *name;
    enum escpos_codepage cp;
    int esc_t;
} codepages[] = {
    { "pc437", ESCPOS_PC437, 0 },
    { "pc850", ESCPOS_PC850, 2 },
    { "pc858", ESCPOS_PC858, 19 },
    { "wpc1252", ESCPOS_WPC1252, 16 },
};

int escpos_codepage_from_name(const char *name, enum escpos_codepage *cp, int *esc_t)
{
    for (size_t i = 0; i < sizeof codepages / sizeof codepages[0]; i++)
        if (strcmp(name, codepages[i].name) == 0) {
            *cp = codepages[i].cp;
            *esc_t = codepages[i].esc_t;
            return 0;
        }
    return -1;
}

const char *escpos_codepage_name(enum escpos_codepage cp)
{
    for (size_t i = 0; i < sizeof codepages / sizeof codepages[0]; i++)
        if (codepages[i].cp == cp)
            return codepages[i].name;
    return "?";
}

static const uint16_t *table_of(enum escpos_codepage cp)
{
    switch (cp) {
    case ESCPOS_PC437: return table_pc437;
    case ESCPOS_PC850: return table_pc850;
    case ESCPOS_WPC1252: return table_wpc1252;
    case ESCPOS_PC858: break;
    }
    return NULL; /* PC858: PC850 plus the euro, below */
}

unsigned char escpos_encode_char(enum escpos_codepage cp, uint32_t u)
{
    if (u >= 0x20 && u < 0x7F)
        return (unsigned char)u;
    if (cp == ESCPOS_PC858) {
        if (u == 0x20AC)
            return 0xD5;
        if (u == 0x0131)
            return 0;   /* PC858 gave its place to the euro */
    }
    const uint16_t *t = table_of(cp);
    if (!t)
        t = table_pc850;
    for (int i = 0; i < 128; i++)
        if (t[i] == u && u)
            return (unsigned char)(0x80 + i);
    return 0;
}

uint32_t escpos_utf8_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    uint32_t u;
    int n;
    if (p[0] < 0x80) {
        *s += 1;
        return p[0];
    }
    if ((p[0] & 0xE0) == 0xC0) {
        u = p[0] & 0x1F;
        n = 1;
    } else if ((p[0] & 0xF0) == 0xE0) {
        u = p[0] & 0x0F;
        n = 2;
    } else if ((p[0] & 0xF8) == 0xF0) {
        u = p[0] & 0x07;
        n = 3;
    } else {
        *s += 1;
        return 0xFFFD;
    }
    for (int i = 1; i <= n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *s += 1;
            return 0xFFFD;
        }
        u = u << 6 | (p[i] & 0x3F);
    }
    static const uint32_t min[4] = { 0, 0x80, 0x800, 0x10000 };
    *s += n + 1;
    if (u < min[n] || u > 0x10FFFF || (u >= 0xD800 && u <= 0xDFFF))
        return 0xFFFD;
    return u;
}

/* Look-alikes for characters a code page lacks: typographic punctuation and letters with
 * marks the table does not have, down to their plain letter.  Longer substitutes ("...")
 * keep the text readable; anything else becomes '?'. */
static const char *substitute(uint32_t u)
{
    static const struct { uint32_t u; const char *s; } subs[] = {
        { 0x2010, "-" }, { 0x2011, "-" }, { 0x2012, "-" }, { 0x2013, "-" }, { 0x2014, "-" },
        { 0x2018, "'" }, { 0x2019, "'" }, { 0x201A, "," }, { 0x201C, "\"" }, { 0x201D, "\"" },
        { 0x201E, "\"" }, { 0x2022, "*" }, { 0x2026, "..." }, { 0x00A0, " " }, { 0x2009, " " },
        { 0x202F, " " }, { 0x20AC, "EUR" }, { 0x2122, "TM" }, { 0x0152, "OE" }, { 0x0153, "oe" },
        { 0x00C6, "AE" }, { 0x00E6, "ae" }, { 0x00DF, "ss" }, { 0x1E9E, "SS" },
        { 0x0141, "L" }, { 0x0142, "l" }, { 0x0110, "D" }, { 0x0111, "d" }, { 0x0131, "i" },
    };
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (subs[i].u == u)
            return subs[i].s;
    return NULL;
}

/* The base letter of Latin letters with diacritics in U+00C0..U+017F. */
static char base_letter(uint32_t u)
{
    static const char latin1[] = /* U+00C0..U+00FF */
        "AAAAAAACEEEEIIII" "DNOOOOO*OUUUUYTs" "aaaaaaaceeeeiiii" "dnooooo/ouuuuyty";
    static const char latin_ext_a[] = /* U+0100..U+017F */
        "AaAaAaCcCcCcCcDd" "DdEeEeEeEeEeGgGg" "GgGgHhHhIiIiIiIi" "IiJjJjKkkLlLlLlL"
        "lLlNnNnNnnNnOoOo" "OoOoRrRrRrSsSsSs" "SsTtTtTtUuUuUuUu" "UuUuWwYyYZzZzZzs";
    if (u >= 0xC0 && u <= 0xFF)
        return latin1[u - 0xC0];
    if (u >= 0x100 && u <= 0x17F)
        return latin_ext_a[u - 0x100];
    return 0;
}

void escpos_buf_init(struct escpos_buf *b, enum escpos_codepage cp)
{
    memset(b, 0, sizeof *b);
    b->cp = cp;
}

void escpos_buf_free(struct escpos_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void escpos_raw(struct escpos_buf *b, const void *bytes, size_t n)
{
    if (b->failed || n == 0)
        return;
    if (n > SIZE_MAX / 2 - b->len) {
        b->failed = 1;
        return;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 512;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, bytes, n);
    b->len += n;
}

static void put3(struct escpos_buf *b, unsigned char a, unsigned char c, unsigned char d)
{
    unsigned char x[3] = { a, c, d };
    escpos_raw(b, x, 3);
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void escpos_initialize(struct escpos_buf *b)
{
    unsigned char x[2] = { ESC, '@' };
    escpos_raw(b, x, 2);
}

void escpos_select_codepage(struct escpos_buf *b, int esc_t)
{
    put3(b, ESC, 't', (unsigned char)clamp(esc_t, 0, 255));
}

void escpos_bold(struct escpos_buf *b, int on)
{
    put3(b, ESC, 'E', on ? 1 : 0);
}

void escpos_size(struct escpos_buf *b, int width, int height)
{
    width = clamp(width, 1, 8);
    height = clamp(height, 1, 8);
    put3(b, GS, '!', (unsigned char)((width - 1) << 4 | (height - 1)));
}

void escpos_align(struct escpos_buf *b, enum escpos_align a)
{
    put3(b, ESC, 'a', (unsigned char)a);
}

/* Appends the UTF-8 bytes of code point u. */
static size_t utf8_put(uint32_t u, char *out)
{
    if (u < 0x80) {
        out[0] = (char)u;
        return 1;
    }
    if (u < 0x800) {
        out[0] = (char)(0xC0 | u >> 6);
        out[1] = (char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        out[0] = (char)(0xE0 | u >> 12);
        out[1] = (char)(0x80 | (u >> 6 & 0x3F));
        out[2] = (char)(0x80 | (u & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | u >> 18);
    out[1] = (char)(0x80 | (u >> 12 & 0x3F));
    out[2] = (char)(0x80 | (u >> 6 & 0x3F));
    out[3] = (char)(0x80 | (u & 0x3F));
    return 4;
}

/* What code point u prints as in cp, as UTF-8 into out (up to 8 bytes): itself, a
 * look-alike, or '?'; nothing for a control character. */
static size_t fold_char(enum escpos_codepage cp, uint32_t u, char *out)
{
    if (u < 0x20 || u == 0x7F || (u >= 0x80 && u < 0xA0))
        return 0; /* control characters would be commands to the printer */
    if (escpos_encode_char(cp, u))
        return utf8_put(u, out);
    const char *sub = substitute(u);
    char base = base_letter(u);
    if (sub) {
        size_t n = strlen(sub);
        memcpy(out, sub, n);
        return n;
    }
    out[0] = base ? base : '?';
    return 1;
}

int escpos_fold(enum escpos_codepage cp, const char *utf8, char *out, size_t outlen)
{
    size_t used = 0;
    const char *s = utf8;
    if (outlen == 0)
        return -1;
    while (*s) {
        char piece[8];
        size_t n = fold_char(cp, escpos_utf8_next(&s), piece);
        if (used + n >= outlen) {
            out[used] = 0;
            return -1;
        }
        memcpy(out + used, piece, n);
        used += n;
    }
    out[used] = 0;
    return (int)used;
}

void escpos_text(struct escpos_buf *b, const char *utf8)
{
    const char *s = utf8;
    while (*s) {
        char piece[8];
        size_t n = fold_char(b->cp, escpos_utf8_next(&s), piece);
        /* piece holds only characters cp has (or ASCII): encode each */
        const char *q = piece, *end = piece + n;
        while (q < end) {
            uint32_t u = escpos_utf8_next(&q);
            unsigned char c = escpos_encode_char(b->cp, u);
            escpos_raw(b, c ? &c : (const unsigned char *)"?", 1);
        }
    }
}

void escpos_newline(struct escpos_buf *b)
{
    escpos_raw(b, "\n", 1);
}

void escpos_feed(struct escpos_buf *b, int lines)
{
    put3(b, ESC, 'd', (unsigned char)clamp(lines, 0, 255));
}

void escpos_cut(struct escpos_buf *b, enum escpos_cut cut)
{
    if (cut == ESCPOS_CUT_NONE)
        return;
    put3(b, GS, 'V', cut == ESCPOS_CUT_FULL ? 0 : 1);
}

void escpos_kick(struct escpos_buf *b, enum escpos_pin pin, int on_ms, int off_ms)
{
    unsigned char x[5] = { ESC, 'p', (unsigned char)pin, (unsigned char)clamp((on_ms + 1) / 2, 1, 255),
                           (unsigned char)clamp((off_ms + 1) / 2, 1, 255) };
    escpos_raw(b, x, sizeof x);
}

int escpos_code128(struct escpos_buf *b, const char *data, int height, int module)
{
    size_t n = strlen(data), escaped = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c < 0x20 || c > 0x7E)
            return -1;
        escaped += c == '{';
    }
    /* "{B" selects code set B; a '{' in the data is sent as "{{". */
    if (n == 0 || n + escaped + 2 > 255)
        return -1;
    put3(b, GS, 'h', (unsigned char)clamp(height, 1, 255));
    put3(b, GS, 'w', (unsigned char)clamp(module, 2, 6));
    put3(b, GS, 'H', 2);          /* the text under the bars */
    unsigned char head[6] = { GS, 'k', 73, (unsigned char)(n + escaped + 2), '{', 'B' };
    escpos_raw(b, head, sizeof head);
    for (size_t i = 0; i < n; i++) {
        escpos_raw(b, &data[i], 1);
        if (data[i] == '{')
            escpos_raw(b, "{", 1);
    }
    return 0;
}

/* GS ( k pL pH cn fn [params]: one QR function with its parameter bytes. */
static void qr_fn(struct escpos_buf *b, unsigned char fn, const void *params, size_t n)
{
    size_t len = n + 2;
    unsigned char head[7] = { GS, '(', 'k', (unsigned char)(len & 0xFF), (unsigned char)(len >> 8), 49, fn };
    escpos_raw(b, head, sizeof head);
    escpos_raw(b, params, n);
}

int escpos_qr(struct escpos_buf *b, const char *data, int module)
{
    size_t n = strlen(data);
    if (n == 0 || n > 7089)
        return -1;
    unsigned char model[2] = { 50, 0 };        /* model 2 */
    unsigned char size = (unsigned char)clamp(module, 1, 16);
    unsigned char ec = 49;                      /* error correction M */
    unsigned char print = 48;
    qr_fn(b, 65, model, 2);
    qr_fn(b, 67, &size, 1);
    qr_fn(b, 69, &ec, 1);
    unsigned char *store = malloc(n + 1);
    if (!store) {
        b->failed = 1;
        return -1;
    }
    store[0] = 48;
    memcpy(store + 1, data, n);
    qr_fn(b, 80, store, n + 1);
    free(store);
    qr_fn(b, 81, &print, 1);
    return 0;
}

void escpos_status_request(struct escpos_buf *b, int n)
{
    put3(b, DLE, EOT, (unsigned char)clamp(n, 1, 4));
}
