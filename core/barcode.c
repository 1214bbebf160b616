#include "core/barcode.h"

#include <stdio.h>
#include <string.h>

#define GS 0x1D

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

/* Parses n digits (n <= 18), no overflow possible. */
static int64_t digits_value(const char *s, size_t n)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static void copy_n(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

int barcode_gs1_check_digit(const char *digits, size_t n)
{
    int sum = 0;
    /* weights 3 and 1 alternate, starting with 3 next to the check digit */
    for (size_t i = 0; i + 1 < n; i++)
        sum += (digits[i] - '0') * (((n - 1 - i) % 2) ? 3 : 1);
    return (10 - sum % 10) % 10;
}

static int check_ok(const char *d, size_t n)
{
    return barcode_gs1_check_digit(d, n) == d[n - 1] - '0';
}

int barcode_catalog_check(const char *code, size_t n, char *why, size_t len)
{
    if (!n) {
        snprintf(why, len, "empty barcode");
        return -1;
    }
    if (n > 48) {
        snprintf(why, len, "barcode %.20s... is longer than 48 characters", code);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)code[i] <= ' ' || (unsigned char)code[i] >= 0x7f) {
            /* the code itself is not echoed: it may hold a newline or an escape */
            snprintf(why, len, "a barcode holds a space or a character that is not printable ASCII (at %zu)", i + 1);
            return -1;
        }
    }
    if (all_digits(code, n) && (n == 8 || n == 12 || n == 13 || n == 14) && !check_ok(code, n)) {
        snprintf(why, len, "barcode %.*s has a wrong check digit (%c; a valid GTIN would end in %d)", (int)n, code,
                 code[n - 1], barcode_gs1_check_digit(code, n));
        return -1;
    }
    return 0;
}

/* GS1 General Specifications 7.9.3: weighting factors for the price check digit. */
static const int W2MINUS[10] = { 0, 2, 4, 6, 8, 9, 1, 3, 5, 7 };
static const int W3[10] = { 0, 3, 6, 9, 2, 5, 8, 1, 4, 7 };
static const int W5PLUS[10] = { 0, 5, 1, 6, 2, 7, 3, 8, 4, 9 };
static const int W5MINUS[10] = { 0, 5, 9, 4, 8, 3, 7, 2, 6, 1 };

int barcode_price_check_digit(const char *d, size_t n)
{
    if (!all_digits(d, n))
        return -1;
    if (n == 4) {
        /* 2-, 2-, 3, 5-; the sum times 3, units digit */
        int sum = W2MINUS[d[0] - '0'] + W2MINUS[d[1] - '0'] + W3[d[2] - '0'] + W5MINUS[d[3] - '0'];
        return sum * 3 % 10;
    }
    if (n == 5) {
        /* 5+, 2-, 5-, 5+, 2-; the complement to the next multiple of ten is the 5- product
         * of the check digit */
        int sum = W5PLUS[d[0] - '0'] + W2MINUS[d[1] - '0'] + W5MINUS[d[2] - '0'] +
                  W5PLUS[d[3] - '0'] + W2MINUS[d[4] - '0'];
        int want = (10 - sum % 10) % 10;
        for (int c = 0; c < 10; c++)
            if (W5MINUS[c] == want)
                return c;
    }
    return -1;
}

int barcode_upce_to_upca(const char *e, char a[13])
{
    if (!all_digits(e, 8) || (e[0] != '0' && e[0] != '1'))
        return -1;
    const char *d = e + 1; /* d[0..5] */
    char body[10];         /* manufacturer (5) + product (5) */
    switch (d[5]) {
    case '0': case '1': case '2':
        memcpy(body, (char[10]){ d[0], d[1], d[5], '0', '0', '0', '0', d[2], d[3], d[4] }, 10);
        break;
    case '3':
        memcpy(body, (char[10]){ d[0], d[1], d[2], '0', '0', '0', '0', '0', d[3], d[4] }, 10);
        break;
    case '4':
        memcpy(body, (char[10]){ d[0], d[1], d[2], d[3], '0', '0', '0', '0', '0', d[4] }, 10);
        break;
    default:
        memcpy(body, (char[10]){ d[0], d[1], d[2], d[3], d[4], '0', '0', '0', '0', d[5] }, 10);
        break;
    }
    a[0] = e[0];
    memcpy(a + 1, body, 10);
    a[11] = e[7];
    a[12] = 0;
    return 0;
}

/* UPC-A (12 digits) to its UPC-E form (8 digits + NUL), -1 if it has none: each of the
 * four zero-suppression patterns is tried and kept only if it expands back. */
static int upca_to_upce(const char *a, char e[9])
{
    const char *m = a + 1, *p = a + 6; /* manufacturer m[0..4], product p[0..4] */
    char cand[4][6] = {
        { m[0], m[1], p[2], p[3], p[4], m[2] },
        { m[0], m[1], m[2], p[3], p[4], '3' },
        { m[0], m[1], m[2], m[3], p[4], '4' },
        { m[0], m[1], m[2], m[3], m[4], p[4] },
    };
    for (int i = 0; i < 4; i++) {
        char back[13];
        e[0] = a[0];
        memcpy(e + 1, cand[i], 6);
        e[7] = a[11];
        e[8] = 0;
        if (barcode_upce_to_upca(e, back) == 0 && memcmp(back, a, 12) == 0)
            return 0;
    }
    return -1;
}

static void add_key(struct barcode *b, const char *key, size_t n)
{
    if (b->nkeys >= BARCODE_MAX_KEYS || n >= BARCODE_KEY_LEN)
        return;
    for (int i = 0; i < b->nkeys; i++)
        if (strlen(b->keys[i]) == n && memcmp(b->keys[i], key, n) == 0)
            return;
    copy_n(b->keys[b->nkeys++], BARCODE_KEY_LEN, key, n);
}

/* Keys for a GTIN of 8, 12, 13 or 14 digits. Catalogs store EAN-13, UPC-A or EAN-8: the
 * form scanned goes first (a 14-digit one after its shorter forms), then the other forms
 * its leading zeros allow, then the 14 digits. */
static void add_gtin_keys(struct barcode *b, const char *d, size_t n)
{
    char g[15];
    memset(g, '0', 14 - n);
    memcpy(g + 14 - n, d, n);
    g[14] = 0;
    memcpy(b->gtin, g, 15);
    if (n < 14)
        add_key(b, d, n);
    if (g[0] == '0')
        add_key(b, g + 1, 13);
    if (g[0] == '0' && g[1] == '0')
        add_key(b, g + 2, 12);
    if (memcmp(g, "000000", 6) == 0)
        add_key(b, g + 6, 8);
    add_key(b, g, 14);
    /* a UPC-A that has a UPC-E form: catalogs keep some items by their 8 digits */
    char upce[9];
    if (g[0] == '0' && g[1] == '0' && upca_to_upce(g + 2, upce) == 0)
        add_key(b, upce, 8);
}

/* ---- variable measure ---- */

static enum barcode_status scale_value(int64_t v, int decimals, int exponent, int64_t *out)
{
    while (decimals < exponent) {
        if (v > INT64_MAX / 10)
            return BARCODE_EVALUE;
        v *= 10;
        decimals++;
    }
    while (decimals > exponent) {
        /* more decimals than the unit has: only exact values are taken, money is never
         * rounded silently */
        if (v % 10)
            return BARCODE_EVALUE;
        v /= 10;
        decimals--;
    }
    *out = v;
    return BARCODE_OK;
}

static enum barcode_status parse_variable(const char *d, const struct barcode_layout *l,
                                          const struct barcode_rules *rules, struct barcode *b)
{
    size_t pos = 2 + (size_t)l->item_digits;
    const char *check = l->has_check ? d + pos : NULL;
    if (check)
        pos++;
    const char *value = d + pos;
    if (check && barcode_price_check_digit(value, (size_t)l->value_digits) != *check - '0')
        return BARCODE_EPRICECHECK;
    int64_t v = digits_value(value, (size_t)l->value_digits);
    b->kind = BARCODE_VARIABLE;
    if (v > 0) {
        enum barcode_status st;
        if (l->kind == BARCODE_VALUE_WEIGHT) {
            st = scale_value(v, l->decimals, 3, &b->weight);
            b->has_weight = st == BARCODE_OK;
        } else {
            st = scale_value(v, l->decimals, rules->currency_exponent, &b->price);
            b->has_price = st == BARCODE_OK;
        }
        if (st)
            return st;
    }
    /* the catalog holds the item with check and value zeroed and the EAN check redone */
    char key[14];
    memcpy(key, d, 13);
    memset(key + 2 + l->item_digits, '0', (size_t)(10 - l->item_digits));
    key[12] = (char)('0' + barcode_gs1_check_digit(key, 13));
    key[13] = 0;
    add_key(b, key, 13);
    return BARCODE_OK;
}

/* ---- GS1 element strings ---- */

/* AIs have 2 to 4 digits and none is the prefix of another (GS1 General Specifications
 * 3.1), so comparing the first len digits with the table's AI decides. */
static int ai_cmp(const char *ai, size_t len, const char *entry)
{
    int c = strncmp(ai, entry, len);
    if (c)
        return c;
    return entry[len] ? -1 : 0;
}

const struct barcode_ai *barcode_ai_find(const char *ai, size_t len)
{
    if (len < 2 || len > 4 || !all_digits(ai, len))
        return NULL;
    size_t lo = 0, hi = barcode_ai_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = ai_cmp(ai, len, barcode_ai_table[mid].ai);
        if (c == 0)
            return &barcode_ai_table[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* The AI at the start of s (n bytes left), trying 2, 3 and 4 digits. */
static const struct barcode_ai *ai_at(const char *s, size_t n, size_t *ai_len)
{
    for (size_t k = 2; k <= 4 && k <= n; k++) {
        const struct barcode_ai *a = barcode_ai_find(s, k);
        if (a) {
            *ai_len = k;
            return a;
        }
    }
    return NULL;
}

/* GS1 AI encodable character set 82. */
static int cset82(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit((char)c) ||
           (c && strchr("!\"%&'()*+,-./:;<=>?_", c));
}

/* Character set 39: digits, capitals, "#-/". */
static int cset39(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || is_digit((char)c) || c == '#' || c == '-' || c == '/';
}

/* Character set 64, base64url; "=" pads only at the end. */
static int cset64(const char *v, size_t n, size_t i)
{
    unsigned char c = (unsigned char)v[i];
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit((char)c) || c == '-' || c == '_')
        return 1;
    if (c != '=')
        return 0;
    for (size_t j = i; j < n; j++)
        if (v[j] != '=')
            return 0;
    return 1;
}

static enum barcode_status check_chars(char cset, const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        switch (cset) {
        case 'N':
            if (!is_digit((char)c))
                return BARCODE_EAI_DIGITS;
            break;
        case 'Y':
            if (!cset39(c))
                return BARCODE_EAI_CHARS;
            break;
        case 'Z':
            if (!cset64(v, n, i))
                return BARCODE_EAI_CHARS;
            break;
        default:
            if (!cset82(c))
                return BARCODE_EAI_CHARS;
        }
    }
    return BARCODE_OK;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

/* YYMMDD to YYYYMMDD. The century follows GS1 7.12: within -49..+50 years of today.
 * Day 00 (where day_zero allows it) is the month's last day. */
static enum barcode_status parse_date(const char *d, int today, int day_zero, int32_t *out)
{
    int yy = (int)digits_value(d, 2), mm = (int)digits_value(d + 2, 2), dd = (int)digits_value(d + 4, 2);
    if (mm < 1 || mm > 12)
        return BARCODE_EDATE;
    int this_year = today > 0 ? today / 10000 : 2000;
    int century = this_year / 100 * 100;
    int diff = yy - this_year % 100;
    int year = century + yy;
    if (diff >= 51)
        year -= 100;
    else if (diff <= -50)
        year += 100;
    int last = days_in_month(year, mm);
    if (dd > last || (dd == 0 && !day_zero))
        return BARCODE_EDATE;
    if (dd == 0)
        dd = last;
    *out = year * 10000 + mm * 100 + dd;
    return BARCODE_OK;
}

/* Checks a field's n bytes of data against its AI's components, in order: each fixed
 * component takes its length, the last variable one the rest; optional ones may be
 * missing once the data is used up. */
static enum barcode_status check_field(const struct barcode_ai *a, const char *v, size_t n, int today)
{
    size_t pos = 0;
    for (int i = 0; i < a->nparts; i++) {
        const struct barcode_ai_part *p = &a->part[i];
        if (pos == n && p->optional)
            break;
        size_t len = p->max;
        if (p->min != p->max) {
            len = n - pos;
            if (len < p->min || len > p->max)
                return BARCODE_EAI_LENGTH;
        } else if (n - pos < len) {
            return BARCODE_EAI_LENGTH;
        }
        enum barcode_status st = check_chars(p->cset, v + pos, len);
        if (st)
            return st;
        int32_t date;
        if (p->check == BARCODE_AI_CHECK_CSUM && !check_ok(v + pos, len))
            return BARCODE_ECHECK;
        if (p->check == BARCODE_AI_CHECK_DATE0 || p->check == BARCODE_AI_CHECK_DATE) {
            st = parse_date(v + pos, today, p->check == BARCODE_AI_CHECK_DATE0, &date);
            if (st)
                return st;
        }
        pos += len;
    }
    return pos == n ? BARCODE_OK : BARCODE_EAI_LENGTH;
}

static size_t field_max(const struct barcode_ai *a)
{
    size_t n = 0;
    for (int i = 0; i < a->nparts; i++)
        n += a->part[i].max;
    return n;
}

/* Takes what Till uses from one checked field: the GTIN, expiry, batch, serial, count,
 * and a weight or price; every other AI is skipped. */
static enum barcode_status apply_ai(const struct barcode_ai *a, const char *v, size_t n,
                                    const struct barcode_rules *rules, int today, struct barcode *b)
{
    const char *ai = a->ai;
    if (strcmp(ai, "01") == 0) {
        /* two different GTINs: no way to tell which item this is */
        if (b->gtin[0] && memcmp(b->gtin, v, 14) != 0)
            return BARCODE_EAI_CONFLICT;
        memcpy(b->gtin, v, 14);
        b->gtin[14] = 0;
    } else if (strcmp(ai, "17") == 0) {
        int32_t date;
        enum barcode_status st = parse_date(v, today, 1, &date);
        if (st)
            return st;
        b->expiry = date;
        b->expired = today > 0 && date < today;
    } else if (strcmp(ai, "10") == 0) {
        copy_n(b->batch, sizeof b->batch, v, n);
    } else if (strcmp(ai, "21") == 0) {
        copy_n(b->serial, sizeof b->serial, v, n);
    } else if (strcmp(ai, "30") == 0 || strcmp(ai, "37") == 0) {
        b->count = digits_value(v, n);
    } else if (a->decimals && memcmp(ai, "310", 3) == 0) {
        int dec = ai[3] - '0';
        int64_t w = digits_value(v, n);
        /* kg with dec decimals to thousandths; finer labels are rounded half up to the
         * gram, which is what a scale would print */
        if (dec > 3) {
            int64_t div = dec == 4 ? 10 : 100;
            w = (w + div / 2) / div;
        }
        for (; dec < 3; dec++)
            w *= 10;
        if (b->has_weight && b->weight != w)
            return BARCODE_EAI_CONFLICT;
        b->weight = w;
        b->has_weight = w > 0;
    } else if (a->decimals && memcmp(ai, "392", 3) == 0) {
        int64_t p;
        enum barcode_status st = scale_value(digits_value(v, n), ai[3] - '0', rules->currency_exponent, &p);
        if (st)
            return st;
        if (b->has_price && b->price != p)
            return BARCODE_EAI_CONFLICT;
        b->price = p;
        b->has_price = p > 0;
    }
    return BARCODE_OK;
}

static enum barcode_status gs1_fail(struct barcode *b, const char *ai, size_t ai_len, enum barcode_status st)
{
    copy_n(b->bad_ai, sizeof b->bad_ai, ai, ai_len);
    return st;
}

static enum barcode_status parse_gs1(const char *s, size_t n, const struct barcode_rules *rules,
                                     int today, struct barcode *b)
{
    size_t pos = 0;
    int fields = 0;
    while (pos < n) {
        if (s[pos] == GS) {
            pos++;
            continue;
        }
        size_t ai_len = 0;
        const struct barcode_ai *a = ai_at(s + pos, n - pos, &ai_len);
        if (!a) {
            /* GS1 defines no such AI: its length is unknown, so nothing after it can be
             * read (the GS1 Syntax Engine refuses unknown AIs by default too) */
            size_t k = 0;
            while (k < 4 && pos + k < n && is_digit(s[pos + k]))
                k++;
            return gs1_fail(b, s + pos, k, BARCODE_EAI);
        }
        const char *v = s + pos + ai_len;
        size_t avail = n - pos - ai_len, len;
        if (a->predefined) {
            len = field_max(a);
            if (avail < len || memchr(v, GS, len))
                return gs1_fail(b, a->ai, ai_len, BARCODE_EAI_LENGTH);
        } else {
            const char *gs = memchr(v, GS, avail);
            len = gs ? (size_t)(gs - v) : avail;
        }
        enum barcode_status st = check_field(a, v, len, today);
        if (!st)
            st = apply_ai(a, v, len, rules, today, b);
        if (st)
            return gs1_fail(b, a->ai, ai_len, st);
        fields++;
        pos += ai_len + len;
    }
    if (!fields)
        return BARCODE_EEMPTY;
    if (!b->gtin[0])
        return BARCODE_ENOGTIN;
    char gtin[15];
    memcpy(gtin, b->gtin, sizeof gtin);
    add_gtin_keys(b, gtin, 14);
    copy_n(b->code, sizeof b->code, b->keys[0], strlen(b->keys[0]));
    b->kind = BARCODE_GS1;
    return BARCODE_OK;
}

/* ---- plain digits ---- */

/* 8 digits are EAN-8 or UPC-E; with ]E4 the scanner said EAN-8. */
enum eight { EIGHT_ANY, EIGHT_EAN8 };

static enum barcode_status parse_digits(const char *d, size_t n, const struct barcode_rules *rules,
                                        enum eight mode, struct barcode *b)
{
    copy_n(b->code, sizeof b->code, d, n);
    switch (n) {
    case 8: {
        int ean8 = check_ok(d, 8);
        char upca[13];
        int upce = mode != EIGHT_EAN8 && barcode_upce_to_upca(d, upca) == 0 && check_ok(upca, 12);
        if (!ean8 && !upce)
            return BARCODE_ECHECK;
        if (ean8)
            add_key(b, d, 8);
        if (upce) {
            add_key(b, upca, 12);
            char ean13[14] = "0";
            memcpy(ean13 + 1, upca, 13);
            add_key(b, ean13, 13);
            add_key(b, d, 8);
        }
        b->kind = ean8 ? BARCODE_EAN8 : BARCODE_UPCE;
        memset(b->gtin, '0', 14);
        b->gtin[14] = 0;
        if (ean8)
            memcpy(b->gtin + 6, d, 8);
        else
            memcpy(b->gtin + 2, upca, 12);
        return BARCODE_OK;
    }
    case 12:
    case 13:
    case 14:
        if (!check_ok(d, n))
            return BARCODE_ECHECK;
        b->kind = n == 12 ? BARCODE_UPCA : n == 13 ? BARCODE_EAN13 : BARCODE_GTIN14;
        if (n == 13 && d[0] == '2') {
            const struct barcode_layout *l = &rules->variable[d[1] - '0'];
            if (l->used)
                return parse_variable(d, l, rules, b);
        }
        add_gtin_keys(b, d, n);
        return BARCODE_OK;
    default:
        if (n >= 4 && n <= 7) {
            b->kind = BARCODE_PLAIN;
            add_key(b, d, n);
            return BARCODE_OK;
        }
        return BARCODE_ELENGTH;
    }
}

/* ---- AIM symbology identifiers (ISO/IEC 15424) ---- */

/* What "]" + symbology + modifier says the data is. */
enum aim_kind {
    AIM_NONE,
    AIM_EAN13,       /* ]E0: EAN-13, UPC-A or UPC-E, always as 13 digits */
    AIM_EAN8,        /* ]E4: EAN-8, 8 digits */
    AIM_EAN_ADDON,   /* ]E3: EAN-13/UPC (13) or EAN-8 (8) with a 2- or 5-digit add-on */
    AIM_ADDON_ONLY,  /* ]E1, ]E2: the add-on alone */
    AIM_EAN_OTHER,   /* ]E with a modifier no EAN/UPC reader sends */
    AIM_GS1,         /* a GS1 element string follows */
    AIM_OTHER,       /* Code 39, plain Code 128, ITF, plain QR...: the data says */
};

static enum aim_kind aim_kind(const char *aim)
{
    /* FNC1 in first position: GS1-128 (]C1), DataBar (]e0), GS1 DataMatrix (]d2, and ]d5
     * with ECI), GS1 QR Code (]Q3, ]Q4 with ECI), GS1 DotCode (]J1) */
    static const char *const gs1[] = { "]C1", "]e0", "]d2", "]d5", "]Q3", "]Q4", "]J1" };
    for (size_t i = 0; i < sizeof gs1 / sizeof gs1[0]; i++)
        if (memcmp(aim, gs1[i], 3) == 0)
            return AIM_GS1;
    if (aim[1] != 'E')
        return AIM_OTHER;
    switch (aim[2]) {
    case '0': return AIM_EAN13;
    case '1': case '2': return AIM_ADDON_ONLY;
    case '3': return AIM_EAN_ADDON;
    case '4': return AIM_EAN8;
    default: return AIM_EAN_OTHER;
    }
}

/* The EAN/UPC family (]E...): the data must be exactly what the symbology carries, so a
 * garbled scan is refused here and never reaches the catalog as a PLU or SKU. */
static enum barcode_status parse_ean_aim(enum aim_kind kind, const char *d, size_t n,
                                         const struct barcode_rules *rules, struct barcode *b)
{
    size_t main_len = 0, addon_len = 0;
    switch (kind) {
    case AIM_EAN13:
        main_len = 13;
        /* some readers send the add-on as its own packet on the same line:
         * "]E0" 13 digits "]E1" 2 digits, or "]E2" 5 digits */
        if (n == 13 + 3 + 2 && memcmp(d + 13, "]E1", 3) == 0)
            addon_len = 2;
        else if (n == 13 + 3 + 5 && memcmp(d + 13, "]E2", 3) == 0)
            addon_len = 5;
        if (addon_len && !all_digits(d + 16, addon_len))
            return BARCODE_ESYMBOLOGY;
        if (addon_len)
            memcpy(b->addon, d + 16, addon_len);
        else if (n != 13)
            return BARCODE_ESYMBOLOGY;
        break;
    case AIM_EAN8:
        main_len = 8;
        if (n != 8)
            return BARCODE_ESYMBOLOGY;
        break;
    case AIM_EAN_ADDON:
        if (n == 15 || n == 18)
            main_len = 13;
        else if (n == 10 || n == 13)
            main_len = 8;
        else
            return BARCODE_ESYMBOLOGY;
        if (!all_digits(d, n))
            return BARCODE_ESYMBOLOGY;
        memcpy(b->addon, d + main_len, n - main_len);
        break;
    case AIM_ADDON_ONLY:
        return BARCODE_EADDON;
    default:
        return BARCODE_ESYMBOLOGY;
    }
    if (!all_digits(d, main_len))
        return BARCODE_ESYMBOLOGY;
    return parse_digits(d, main_len, rules, main_len == 8 ? EIGHT_EAN8 : EIGHT_ANY, b);
}

static int sku_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' ||
           c == '_' || c == '.' || c == '/' || c == '+';
}

enum barcode_status barcode_parse(const char *scan, size_t len, const struct barcode_rules *rules,
                                  int today, struct barcode *out)
{
    memset(out, 0, sizeof *out);
    if (!scan)
        return BARCODE_EEMPTY;
    if (len > BARCODE_MAX_SCAN)
        return BARCODE_ETOOLONG;
    /* scanners end with CR/LF; people type spaces */
    while (len && (scan[len - 1] == '\r' || scan[len - 1] == '\n' || scan[len - 1] == ' '))
        len--;
    while (len && *scan == ' ')
        scan++, len--;
    if (!len)
        return BARCODE_EEMPTY;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)scan[i];
        if ((c < 0x20 && c != GS) || c >= 0x7f)
            return BARCODE_ECHARS;
    }
    int gs1 = memchr(scan, GS, len) != NULL;
    if (len >= 3 && scan[0] == ']') {
        memcpy(out->aim, scan, 3);
        out->aim[3] = 0;
        enum aim_kind kind = aim_kind(scan);
        scan += 3;
        len -= 3;
        if (!len)
            return BARCODE_EEMPTY;
        if (kind == AIM_GS1)
            return parse_gs1(scan, len, rules, today, out);
        if (kind != AIM_OTHER)
            return parse_ean_aim(kind, scan, len, rules, out);
    }
    if (gs1)
        return parse_gs1(scan, len, rules, today, out);
    if (all_digits(scan, len)) {
        /* longer than any GTIN: only a GS1 element string sent without separators */
        if (len > 14)
            return parse_gs1(scan, len, rules, today, out);
        return parse_digits(scan, len, rules, EIGHT_ANY, out);
    }
    /* "(01) GTIN" then text fields, sent without AIM identifier and without any GS */
    if (len > 16 && scan[0] == '0' && scan[1] == '1' && all_digits(scan, 16))
        return parse_gs1(scan, len, rules, today, out);
    if (len >= BARCODE_KEY_LEN)
        return BARCODE_ETOOLONG;
    for (size_t i = 0; i < len; i++)
        if (!sku_char(scan[i]))
            return BARCODE_ECHARS;
    out->kind = BARCODE_PLAIN;
    copy_n(out->code, sizeof out->code, scan, len);
    add_key(out, scan, len);
    return BARCODE_OK;
}

const char *barcode_strerror(enum barcode_status st)
{
    switch (st) {
    case BARCODE_OK: return "ok";
    case BARCODE_EEMPTY: return "nothing was scanned";
    case BARCODE_ETOOLONG: return "too long for a barcode: scan again";
    case BARCODE_ECHARS: return "not a barcode: it contains characters no item code has";
    case BARCODE_ELENGTH: return "not a barcode: wrong number of digits (scan again, or type 4-7 digits for a PLU)";
    case BARCODE_ECHECK: return "wrong check digit: scan again";
    case BARCODE_EPRICECHECK: return "wrong price check digit on the label: scan again or key the item in";
    case BARCODE_EAI: return "GS1 code with a data field GS1 does not define: scan again or key the item in";
    case BARCODE_EAI_LENGTH: return "GS1 code with a field of the wrong length: scan again";
    case BARCODE_EAI_DIGITS: return "GS1 code with letters where digits belong: scan again";
    case BARCODE_EAI_CHARS: return "GS1 code with characters GS1 does not allow: scan again";
    case BARCODE_EDATE: return "GS1 code with an impossible date: scan again";
    case BARCODE_ENOGTIN: return "this GS1 code has no item number (01): scan the item's own barcode";
    case BARCODE_EVALUE: return "weight or price on the label cannot be used: key the item in";
    case BARCODE_ESYMBOLOGY: return "garbled scan: the digits do not fit the barcode type the scanner reported; scan again";
    case BARCODE_EADDON: return "only the small add-on code was read: scan the item's main barcode";
    case BARCODE_EAI_CONFLICT: return "GS1 code with one field twice and two different values: key the item in";
    }
    return "barcode error";
}

/* What each EAN/UPC identifier carries, for the garbled-scan message. */
static const char *aim_carries(const char *aim)
{
    switch (aim_kind(aim)) {
    case AIM_EAN13: return "EAN-13/UPC (]E0), which is 13 digits";
    case AIM_EAN8: return "EAN-8 (]E4), which is 8 digits";
    case AIM_EAN_ADDON: return "EAN/UPC with add-on (]E3), which is 13 or 8 digits and 2 or 5 more";
    default: return NULL;
    }
}

/* Why one GS1 field was refused, and what the cashier can do. */
static const char *field_reason(enum barcode_status st)
{
    switch (st) {
    case BARCODE_EAI_LENGTH: return "wrong length; scan again";
    case BARCODE_EAI_DIGITS: return "letters where digits belong; scan again";
    case BARCODE_EAI_CHARS: return "characters GS1 does not allow; scan again";
    case BARCODE_EDATE: return "not a real date; scan again";
    case BARCODE_ECHECK: return "wrong check digit; scan again";
    case BARCODE_EVALUE: return "a value the till cannot use exactly; key the item in";
    case BARCODE_EAI_CONFLICT: return "given twice with different values; key the item in";
    default: return NULL;
    }
}

void barcode_message(enum barcode_status st, const struct barcode *b, char *buf, size_t len)
{
    if (!len)
        return;
    const char *carries = b ? aim_carries(b->aim) : NULL;
    const struct barcode_ai *a = b && b->bad_ai[0] ? barcode_ai_find(b->bad_ai, strlen(b->bad_ai)) : NULL;
    if (st == BARCODE_ESYMBOLOGY && carries)
        snprintf(buf, len, "garbled scan: the scanner reported %s; scan again", carries);
    else if (st == BARCODE_EAI && b && b->bad_ai[0])
        snprintf(buf, len, "GS1 code with a data field GS1 does not define (at %s...): scan again or key the item in",
                 b->bad_ai);
    else if (a && field_reason(st))
        snprintf(buf, len, "GS1 field (%s) %s: %s", a->ai, a->title, field_reason(st));
    else
        snprintf(buf, len, "%s", barcode_strerror(st));
}

/* ---- rules ---- */

void barcode_rules_default(struct barcode_rules *r, int currency_exponent)
{
    memset(r, 0, sizeof *r);
    r->currency_exponent = currency_exponent;
    r->variable[1] = (struct barcode_layout){ 1, 5, 0, BARCODE_VALUE_WEIGHT, 5, 3 };
    r->variable[2] = (struct barcode_layout){ 1, 5, 0, BARCODE_VALUE_PRICE, 5, 2 };
}

static int layout_err(char *err, size_t errlen, const char *text, const char *why)
{
    snprintf(err, errlen, "barcode layout '%.60s': %s (e.g. item:5,weight:5/3 or item:4,check,price:5/2 or none)",
             text, why);
    return -1;
}

/* A number of 1..3 digits, fills *out; returns the characters used, 0 if none. */
static size_t small_number(const char *s, int *out)
{
    size_t i = 0;
    int v = 0;
    while (is_digit(s[i]) && i < 3)
        v = v * 10 + (s[i++] - '0');
    *out = v;
    return i;
}

int barcode_layout_parse(const char *text, struct barcode_layout *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (strcmp(text, "none") == 0)
        return 0;
    const char *p = text;
    int seen_item = 0, seen_value = 0;
    while (*p) {
        while (*p == ' ')
            p++;
        if (strncmp(p, "item:", 5) == 0 && !seen_item && !out->has_check && !seen_value) {
            size_t k = small_number(p + 5, &out->item_digits);
            if (!k)
                return layout_err(err, errlen, text, "item needs a digit count");
            p += 5 + k;
            seen_item = 1;
        } else if (strncmp(p, "check", 5) == 0 && seen_item && !seen_value && !out->has_check) {
            out->has_check = 1;
            p += 5;
        } else if ((strncmp(p, "weight:", 7) == 0 || strncmp(p, "price:", 6) == 0) && seen_item &&
                   !seen_value) {
            out->kind = p[0] == 'w' ? BARCODE_VALUE_WEIGHT : BARCODE_VALUE_PRICE;
            p += out->kind == BARCODE_VALUE_WEIGHT ? 7 : 6;
            size_t k = small_number(p, &out->value_digits);
            if (!k || p[k] != '/')
                return layout_err(err, errlen, text, "value needs digits/decimals");
            p += k + 1;
            k = small_number(p, &out->decimals);
            if (!k)
                return layout_err(err, errlen, text, "value needs digits/decimals");
            p += k;
            seen_value = 1;
        } else {
            return layout_err(err, errlen, text, "expected item:N, then check (optional), then weight:N/D or price:N/D");
        }
        while (*p == ' ')
            p++;
        if (*p == ',')
            p++;
        else if (*p)
            return layout_err(err, errlen, text, "parts are separated by commas");
    }
    if (!seen_item || !seen_value)
        return layout_err(err, errlen, text, "needs item and a weight or price");
    if (out->item_digits < 1 || out->value_digits < 1 ||
        out->item_digits + out->has_check + out->value_digits != 10)
        return layout_err(err, errlen, text, "item, check and value digits must add up to 10");
    if (out->has_check && out->value_digits != 4 && out->value_digits != 5)
        return layout_err(err, errlen, text, "a check digit covers a value of 4 or 5 digits");
    if (out->decimals > out->value_digits || out->decimals > 6)
        return layout_err(err, errlen, text, "too many decimals");
    out->used = 1;
    return 0;
}
