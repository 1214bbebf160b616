#include "core/money.h"

#include <stdio.h>
#include <string.h>

static const struct currency currencies[] = {
    { "EUR", 2, "€" }, { "USD", 2, "$" }, { "GBP", 2, "£" }, { "CHF", 2, "CHF" },
    { "JPY", 0, "¥" }, { "SEK", 2, "kr" }, { "DKK", 2, "kr" }, { "NOK", 2, "kr" },
    { "PLN", 2, "zł" }, { "CZK", 2, "Kč" }, { "HUF", 2, "Ft" }, { "CAD", 2, "$" },
    { "AUD", 2, "$" }, { "KWD", 3, "KD" }, { "BHD", 3, "BD" }, { "ISK", 0, "kr" },
};

int currency_lookup(const char *code, struct currency *out)
{
    for (size_t i = 0; i < sizeof currencies / sizeof currencies[0]; i++) {
        if (strcmp(currencies[i].code, code) == 0) {
            *out = currencies[i];
            return MONEY_OK;
        }
    }
    return MONEY_ERANGE;
}

int money_format_init(struct money_format *fmt, const char *currency_code, const char *style)
{
    memset(fmt, 0, sizeof *fmt);
    if (currency_lookup(currency_code, &fmt->cur) != MONEY_OK)
        return MONEY_ERANGE;
    if (strcmp(style, "us") == 0) {
        fmt->decimal_sep = '.';
        fmt->group_sep = ',';
        fmt->symbol_before = 1;
        fmt->symbol_space = 0;
    } else if (strcmp(style, "eu") == 0) {
        fmt->decimal_sep = ',';
        fmt->group_sep = '.';
        fmt->symbol_before = 0;
        fmt->symbol_space = 1;
    } else {
        return MONEY_ERANGE;
    }
    return MONEY_OK;
}

int money_add(int64_t a, int64_t b, int64_t *out)
{
    return __builtin_add_overflow(a, b, out) ? MONEY_EOVERFLOW : MONEY_OK;
}

int money_sub(int64_t a, int64_t b, int64_t *out)
{
    return __builtin_sub_overflow(a, b, out) ? MONEY_EOVERFLOW : MONEY_OK;
}

int money_muldiv(int64_t a, int64_t num, int64_t den, int64_t *out)
{
    if (den <= 0)
        return MONEY_ERANGE;
    __int128 p = (__int128)a * num;
    __int128 q = p / den, r = p % den;
    /* half away from zero: |r| * 2 >= den moves one step away from zero */
    __int128 ar = r < 0 ? -r : r;
    if (ar * 2 >= den)
        q += p < 0 ? -1 : 1;
    if (q > INT64_MAX || q < INT64_MIN)
        return MONEY_EOVERFLOW;
    *out = (int64_t)q;
    return MONEY_OK;
}

int money_mul_qty(int64_t unit_price, int64_t qty, int64_t *out)
{
    return money_muldiv(unit_price, qty, QTY_ONE, out);
}

int money_round_to(int64_t amount, int64_t increment, int64_t *out)
{
    if (increment <= 0)
        return MONEY_ERANGE;
    int64_t units;
    int rc = money_muldiv(amount, 1, increment, &units);
    if (rc)
        return rc;
    return __builtin_mul_overflow(units, increment, out) ? MONEY_EOVERFLOW : MONEY_OK;
}

/* Appends s to buf at *pos; fails rather than truncating. */
static int put(char *buf, size_t len, size_t *pos, const char *s, size_t n)
{
    if (*pos + n + 1 > len)
        return MONEY_ERANGE;
    memcpy(buf + *pos, s, n);
    *pos += n;
    buf[*pos] = 0;
    return MONEY_OK;
}

int money_format(int64_t amount, const struct money_format *fmt, int with_symbol,
                 char *buf, size_t len)
{
    if (len == 0)
        return MONEY_ERANGE;
    buf[0] = 0;
    /* digits of |amount|, least significant first; uint64 handles INT64_MIN */
    uint64_t mag = amount < 0 ? (uint64_t)0 - (uint64_t)amount : (uint64_t)amount;
    char digits[32];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    int exp = fmt->cur.exponent;
    while (nd <= exp)
        digits[nd++] = '0';

    char num[64];
    size_t np = 0;
    int int_digits = nd - exp;
    for (int i = nd - 1; i >= exp; i--) {
        num[np++] = digits[i];
        int left = i - exp; /* integer digits still to write */
        if (fmt->group_sep && left > 0 && left % 3 == 0)
            num[np++] = fmt->group_sep;
    }
    (void)int_digits;
    if (exp > 0) {
        num[np++] = fmt->decimal_sep;
        for (int i = exp - 1; i >= 0; i--)
            num[np++] = digits[i];
    }
    num[np] = 0;

    size_t pos = 0;
    const char *sym = fmt->cur.symbol;
    int rc = MONEY_OK;
    if (amount < 0)
        rc |= put(buf, len, &pos, "-", 1);
    if (with_symbol && fmt->symbol_before) {
        rc |= put(buf, len, &pos, sym, strlen(sym));
        if (fmt->symbol_space)
            rc |= put(buf, len, &pos, " ", 1);
    }
    rc |= put(buf, len, &pos, num, np);
    if (with_symbol && !fmt->symbol_before) {
        if (fmt->symbol_space)
            rc |= put(buf, len, &pos, " ", 1);
        rc |= put(buf, len, &pos, sym, strlen(sym));
    }
    if (rc) {
        buf[0] = 0;
        return MONEY_ERANGE;
    }
    return (int)pos;
}

/* Parses a decimal number with up to max_frac fraction digits into value * 10^max_frac.
 * The decimal point is the last '.' or ',' unless it is followed by exactly three digits
 * and equals the group separator (then it groups thousands: "1.234" in EU style). */
static int parse_scaled(const char *s, int max_frac, char group_sep, int64_t *out)
{
    while (*s == ' ')
        s++;
    int neg = 0;
    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        n--;
    if (n == 0 || n > 40)
        return MONEY_EPARSE;

    long dec = -1;
    for (long i = (long)n - 1; i >= 0; i--) {
        if (s[i] == '.' || s[i] == ',') {
            long after = (long)n - 1 - i;
            if (!(after == 3 && s[i] == group_sep && max_frac != 3))
                dec = i;
            break;
        }
    }
    int64_t v = 0;
    int frac = 0, any = 0;
    for (long i = 0; i < (long)n; i++) {
        char c = s[i];
        if (i == dec)
            continue;
        if (c == '.' || c == ',') {
            if (dec >= 0 && i > dec)
                return MONEY_EPARSE;
            if (c != group_sep)
                return MONEY_EPARSE;
            continue;
        }
        if (c < '0' || c > '9')
            return MONEY_EPARSE;
        if (dec >= 0 && i > dec && ++frac > max_frac)
            return MONEY_EPARSE;
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, c - '0', &v))
            return MONEY_EOVERFLOW;
        any = 1;
    }
    if (!any)
        return MONEY_EPARSE;
    for (; frac < max_frac; frac++)
        if (__builtin_mul_overflow(v, 10, &v))
            return MONEY_EOVERFLOW;
    *out = neg ? -v : v;
    return MONEY_OK;
}

int money_parse(const char *s, const struct money_format *fmt, int64_t *out)
{
    return parse_scaled(s, fmt->cur.exponent, fmt->group_sep, out);
}

int qty_parse(const char *s, int64_t *out)
{
    return parse_scaled(s, 3, 0, out);
}

int qty_format(int64_t qty, char *buf, size_t len)
{
    struct money_format f = { .cur = { "QTY", 3, "" }, .decimal_sep = '.', .group_sep = 0 };
    if (qty % QTY_ONE == 0) {
        f.cur.exponent = 0;
        return money_format(qty / QTY_ONE, &f, 0, buf, len);
    }
    return money_format(qty, &f, 0, buf, len);
}

/* Writes value / 10^exp with sep before the fraction; keeps at least min_frac fraction
 * digits and drops trailing zeros beyond them. */
static int format_fixed(int64_t value, int exp, int min_frac, char sep, char *buf, size_t len)
{
    if (len == 0)
        return MONEY_ERANGE;
    /* uint64 so that INT64_MIN has a magnitude */
    uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value, scale = 1;
    for (int i = 0; i < exp; i++)
        scale *= 10;
    uint64_t whole = mag / scale, frac = mag % scale;
    int digits = exp;
    while (digits > min_frac && frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    const char *sign = value < 0 ? "-" : "";
    int n = digits > 0 ? snprintf(buf, len, "%s%llu%c%0*llu", sign, (unsigned long long)whole, sep, digits,
                                  (unsigned long long)frac)
                       : snprintf(buf, len, "%s%llu", sign, (unsigned long long)whole);
    if (n < 0 || (size_t)n >= len) {
        buf[0] = 0;
        return MONEY_ERANGE;
    }
    return n;
}

int money_format_qty(int64_t qty, int weighed, const struct money_format *fmt, char *buf, size_t len)
{
    return format_fixed(qty, 3, weighed ? 3 : 0, fmt->decimal_sep, buf, len);
}

int money_format_rate(int64_t rate_ppm, const struct money_format *fmt, char *buf, size_t len)
{
    char num[32];
    int n = format_fixed(rate_ppm, 4, 0, fmt->decimal_sep, num, sizeof num);
    if (n < 0 || (size_t)n + 2 > len) {
        if (len)
            buf[0] = 0;
        return MONEY_ERANGE;
    }
    memcpy(buf, num, (size_t)n);
    buf[n] = '%';
    buf[n + 1] = 0;
    return n + 1;
}
