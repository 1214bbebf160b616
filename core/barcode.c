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

enum ai_flags { AI_NUM = 1, AI_DATE = 2, AI_GTIN = 4, AI_SSCC = 8, AI_DEC = 16 };

struct ai_def {
    const char *ai;   /* for AI_DEC families: the first three digits; the fourth is n */
    int min, max;     /* data length */
    int flags;
};

/* The AIs a till meets on trade items, plus logistic ones it must skip cleanly. */
static const struct ai_def AIS[] = {
    { "00", 18, 18, AI_NUM | AI_SSCC },
    { "01", 14, 14, AI_NUM | AI_GTIN },
    { "02", 14, 14, AI_NUM | AI_GTIN },
    { "10", 1, 20, 0 },
    { "11", 6, 6, AI_NUM | AI_DATE },
    { "12", 6, 6, AI_NUM | AI_DATE },
    { "13", 6, 6, AI_NUM | AI_DATE },
    { "15", 6, 6, AI_NUM | AI_DATE },
    { "16", 6, 6, AI_NUM | AI_DATE },
    { "17", 6, 6, AI_NUM | AI_DATE },
    { "20", 2, 2, AI_NUM },
    { "21", 1, 20, 0 },
    { "22", 1, 20, 0 },
    { "240", 1, 30, 0 },
    { "241", 1, 30, 0 },
    { "250", 1, 30, 0 },
    { "251", 1, 30, 0 },
    { "254", 1, 20, 0 },
    { "30", 1, 8, AI_NUM },
    { "37", 1, 8, AI_NUM },
    { "310", 6, 6, AI_NUM | AI_DEC }, { "311", 6, 6, AI_NUM | AI_DEC },
    { "312", 6, 6, AI_NUM | AI_DEC }, { "313", 6, 6, AI_NUM | AI_DEC },
    { "314", 6, 6, AI_NUM | AI_DEC }, { "315", 6, 6, AI_NUM | AI_DEC },
    { "316", 6, 6, AI_NUM | AI_DEC }, { "320", 6, 6, AI_NUM | AI_DEC },
    { "330", 6, 6, AI_NUM | AI_DEC },
    { "390", 1, 15, AI_NUM | AI_DEC }, { "391", 4, 18, AI_NUM | AI_DEC },
    { "392", 1, 15, AI_NUM | AI_DEC }, { "393", 4, 18, AI_NUM | AI_DEC },
    { "400", 1, 30, 0 },
    { "401", 1, 30, 0 },
    { "402", 17, 17, AI_NUM },
    { "403", 1, 30, 0 },
    { "410", 13, 13, AI_NUM }, { "411", 13, 13, AI_NUM }, { "412", 13, 13, AI_NUM },
    { "413", 13, 13, AI_NUM }, { "414", 13, 13, AI_NUM }, { "415", 13, 13, AI_NUM },
    { "420", 1, 20, 0 },
    { "422", 3, 3, AI_NUM },
    { "7003", 10, 10, AI_NUM },
    { "8008", 8, 12, AI_NUM },
    { "8020", 1, 25, 0 },
    { "90", 1, 30, 0 },
    { "91", 1, 90, 0 }, { "92", 1, 90, 0 }, { "93", 1, 90, 0 }, { "94", 1, 90, 0 },
    { "95", 1, 90, 0 }, { "96", 1, 90, 0 }, { "97", 1, 90, 0 }, { "98", 1, 90, 0 },
    { "99", 1, 90, 0 },
};

/* GS1 General Specifications 7.8.5: AIs whose element string needs no FNC1 after it,
 * by their first two digits (data length in brackets). */
static int predefined_length(const char *ai)
{
    static const char *const pre[] = { "00", "01", "02", "03", "04", "11", "12", "13", "14",
        "15", "16", "17", "18", "19", "20", "31", "32", "33", "34", "35", "36", "41" };
    for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++)
        if (ai[0] == pre[i][0] && ai[1] == pre[i][1])
            return 1;
    return 0;
}

static const struct ai_def *find_ai(const char *s, size_t n, size_t *ai_len)
{
    for (size_t i = 0; i < sizeof AIS / sizeof AIS[0]; i++) {
        size_t k = strlen(AIS[i].ai);
        size_t len = k + ((AIS[i].flags & AI_DEC) ? 1 : 0);
        if (n >= len && memcmp(s, AIS[i].ai, k) == 0 && all_digits(s, len)) {
            *ai_len = len;
            return &AIS[i];
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

static int days_in_month(int y, int m)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

/* YYMMDD to YYYYMMDD. The century follows GS1 7.12: within -49..+50 years of today. */
static enum barcode_status parse_date(const char *d, int today, int32_t *out)
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
    if (dd > last)
        return BARCODE_EDATE;
    if (dd == 0)  /* no day given: the end of the month */
        dd = last;
    *out = year * 10000 + mm * 100 + dd;
    return BARCODE_OK;
}

static enum barcode_status apply_ai(const char *ai, size_t ai_len, const char *v, size_t n,
                                    const struct ai_def *def, const struct barcode_rules *rules,
                                    int today, struct barcode *b)
{
    if ((def->flags & (AI_GTIN | AI_SSCC)) && !check_ok(v, n))
        return BARCODE_ECHECK;
    if (memcmp(ai, "01", 2) == 0 && ai_len == 2) {
        memcpy(b->gtin, v, 14);
        b->gtin[14] = 0;
    }
    if (def->flags & AI_DATE) {
        int32_t date;
        enum barcode_status st = parse_date(v, today, &date);
        if (st)
            return st;
        if (memcmp(ai, "17", 2) == 0) {
            b->expiry = date;
            b->expired = today > 0 && date < today;
        }
    }
    if (ai_len == 2 && memcmp(ai, "10", 2) == 0)
        copy_n(b->batch, sizeof b->batch, v, n);
    if (ai_len == 2 && memcmp(ai, "21", 2) == 0)
        copy_n(b->serial, sizeof b->serial, v, n);
    if (ai_len == 2 && (memcmp(ai, "30", 2) == 0 || memcmp(ai, "37", 2) == 0))
        b->count = digits_value(v, n);
    if (def->flags & AI_DEC) {
        int dec = ai[3] - '0';
        if (memcmp(ai, "310", 3) == 0) {
            if (dec > 5)
                return BARCODE_EAI;
            int64_t w = digits_value(v, n);
            /* kg with dec decimals to thousandths; finer labels are rounded half up to
             * the gram, which is what a scale would print */
            if (dec > 3) {
                int64_t div = dec == 4 ? 10 : 100;
                w = (w + div / 2) / div;
            }
            for (; dec < 3; dec++)
                w *= 10;
            b->weight = w;
            b->has_weight = w > 0;
        } else if (memcmp(ai, "392", 3) == 0) {
            int64_t p;
            enum barcode_status st = scale_value(digits_value(v, n), dec, rules->currency_exponent, &p);
            if (st)
                return st;
            b->price = p;
            b->has_price = p > 0;
        } else if (memcmp(ai, "391", 3) == 0 || memcmp(ai, "393", 3) == 0) {
            if (!all_digits(v, 3))
                return BARCODE_EAI_DIGITS;
        } else if (memcmp(ai, "39", 2) != 0 && dec > 6) {
            return BARCODE_EAI;
        }
    }
    return BARCODE_OK;
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
        size_t ai_len;
        const struct ai_def *def = find_ai(s + pos, n - pos, &ai_len);
        if (!def)
            return BARCODE_EAI;
        char ai[5];
        copy_n(ai, sizeof ai, s + pos, ai_len);
        const char *v = s + pos + ai_len;
        size_t avail = n - pos - ai_len, len;
        if (predefined_length(ai)) {
            len = (size_t)def->max;
            if (avail < len)
                return BARCODE_EAI_LENGTH;
            if (memchr(v, GS, len))
                return BARCODE_EAI_LENGTH;
        } else {
            const char *gs = memchr(v, GS, avail);
            len = gs ? (size_t)(gs - v) : avail;
            if (len < (size_t)def->min || len > (size_t)def->max)
                return BARCODE_EAI_LENGTH;
        }
        if (def->flags & AI_NUM) {
            if (!all_digits(v, len))
                return BARCODE_EAI_DIGITS;
        } else {
            for (size_t i = 0; i < len; i++)
                if (!cset82((unsigned char)v[i]))
                    return BARCODE_EAI_CHARS;
        }
        enum barcode_status st = apply_ai(ai, ai_len, v, len, def, rules, today, b);
        if (st)
            return st;
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

/* 8 digits are EAN-8 or UPC-E; the AIM identifier tells, if the scanner sends one. */
enum eight { EIGHT_ANY, EIGHT_EAN8, EIGHT_UPCE };

static enum barcode_status parse_digits(const char *d, size_t n, const struct barcode_rules *rules,
                                        enum eight mode, struct barcode *b)
{
    copy_n(b->code, sizeof b->code, d, n);
    switch (n) {
    case 8: {
        int ean8 = mode != EIGHT_UPCE && check_ok(d, 8);
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

/* AIM symbology identifiers (ISO/IEC 15424) that mean "GS1 element string". */
static int aim_is_gs1(const char *aim)
{
    static const char *const gs1[] = { "]C1", "]e0", "]d2", "]Q3", "]J1" };
    for (size_t i = 0; i < sizeof gs1 / sizeof gs1[0]; i++)
        if (memcmp(aim, gs1[i], 3) == 0)
            return 1;
    return 0;
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
    enum eight mode = EIGHT_ANY;
    if (len >= 3 && scan[0] == ']') {
        memcpy(out->aim, scan, 3);
        out->aim[3] = 0;
        gs1 = gs1 || aim_is_gs1(scan);
        if (memcmp(scan, "]E4", 3) == 0)
            mode = EIGHT_EAN8;
        else if (memcmp(scan, "]E0", 3) == 0)
            mode = EIGHT_UPCE;
        scan += 3;
        len -= 3;
        if (!len)
            return BARCODE_EEMPTY;
    }
    if (gs1)
        return parse_gs1(scan, len, rules, today, out);
    if (all_digits(scan, len)) {
        /* longer than any GTIN: only a GS1 element string sent without separators */
        if (len > 14)
            return parse_gs1(scan, len, rules, today, out);
        return parse_digits(scan, len, rules, mode, out);
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
    case BARCODE_EAI: return "GS1 code with an unknown data field: key the item in";
    case BARCODE_EAI_LENGTH: return "GS1 code with a field of the wrong length: scan again";
    case BARCODE_EAI_DIGITS: return "GS1 code with letters where digits belong: scan again";
    case BARCODE_EAI_CHARS: return "GS1 code with characters GS1 does not allow: scan again";
    case BARCODE_EDATE: return "GS1 code with an impossible date: scan again";
    case BARCODE_ENOGTIN: return "this GS1 code has no item number (01): scan the item's own barcode";
    case BARCODE_EVALUE: return "weight or price on the label cannot be used: key the item in";
    }
    return "barcode error";
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
