#include "drivers/zvt_apdu.h"

#include <stdio.h>
#include <string.h>

#include "drivers/payment_terminal.h"

long zvt_apdu_parse(const uint8_t *buf, size_t n, struct zvt_apdu *out)
{
    if (n < 3)
        return 0;
    size_t hdr = 3, len = buf[2];
    if (buf[2] == 0xFF) {
        if (n < 5)
            return 0;
        hdr = 5;
        len = (size_t)buf[3] | ((size_t)buf[4] << 8);
        /* the long form is only for lengths that do not fit in one byte */
        if (len < 0xFF)
            return ZVT_EMALFORMED;
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

/* BER-TLV length: 1 byte, or 81 xx, or 82 xx xx. */
static int tlv_length(const uint8_t *p, size_t avail, size_t *len, size_t *used)
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

static void append_text(char *dst, size_t cap, const uint8_t *s, size_t n)
{
    size_t o = strlen(dst);
    if (o && o + 1 < cap)
        dst[o++] = '\n';
    for (size_t i = 0; i < n && o + 1 < cap; i++)
        dst[o++] = s[i] >= 0x20 && s[i] < 0x7F ? (char)s[i] : '?';
    dst[o] = 0;
}

int zvt_parse_tlv(const uint8_t *data, size_t len, struct zvt_status *out, int depth)
{
    if (depth > 8)
        return ZVT_EMALFORMED;
    size_t i = 0;
    while (i < len) {
        size_t t0 = i;
        uint8_t first = data[i++];
        if ((first & 0x1F) == 0x1F) { /* multi-byte tag */
            int more = 0;
            do {
                if (i >= len || ++more > 3)
                    return ZVT_EMALFORMED;
            } while (data[i++] & 0x80);
        }
        size_t vlen, used;
        if (tlv_length(data + i, len - i, &vlen, &used))
            return ZVT_EMALFORMED;
        i += used;
        if (vlen > len - i)
            return ZVT_EMALFORMED;
        out->tlv_items++;
        if (first & 0x20) { /* constructed: nested objects */
            if (zvt_parse_tlv(data + i, vlen, out, depth + 1))
                return ZVT_EMALFORMED;
        } else if (i - t0 >= 1 && data[t0] == 0x07) { /* a text line */
            append_text(out->tlv_text, sizeof out->tlv_text, data + i, vlen);
        }
        i += vlen;
    }
    return ZVT_OK;
}

static void ascii_field(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++)
        out[o++] = p[i] >= 0x20 && p[i] < 0x7F ? (char)p[i] : ' ';
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = 0;
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
            if (tlv_length(data + i, len - i, &vlen, &used))
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
        case 0x3B: ascii_field(v, 8, out->auth_attr, sizeof out->auth_attr); break;
        case 0x3C: ascii_field(v, vlen, out->additional, sizeof out->additional); break;
        case 0x87: bcd_digits(v, 2, out->receipt_no, sizeof out->receipt_no); break;
        case 0x8A: out->card_type = v[0]; out->has_card_type = 1; break;
        case 0x8B: ascii_field(v, vlen, out->card_name, sizeof out->card_name); break;
        default: break; /* known length, not needed */
        }
        i += vlen;
    }
    return ZVT_OK;
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

const char *zvt_intermediate_text(uint8_t code)
{
    static const char *const t[] = {
        [0x00] = "Waiting for amount confirmation", [0x01] = "Please watch the PIN pad",
        [0x02] = "Please watch the PIN pad", [0x03] = "Not accepted",
        [0x04] = "Waiting for the card issuer", [0x05] = "Sending auto-reversal",
        [0x06] = "Sending post-bookings", [0x07] = "Card not admitted",
        [0x08] = "Card unknown", [0x09] = "Expired card", [0x0A] = "Insert card",
        [0x0B] = "Please remove card", [0x0C] = "Card not readable",
        [0x0D] = "Processing error", [0x0E] = "Please wait", [0x0F] = "Automatic end-of-day",
        [0x10] = "Invalid card", [0x11] = "Balance display", [0x12] = "System malfunction",
        [0x13] = "Payment not possible", [0x14] = "Credit not sufficient",
        [0x15] = "Incorrect PIN", [0x16] = "Limit not sufficient", [0x17] = "Please wait",
        [0x18] = "PIN try limit exceeded", [0x19] = "Card data incorrect",
        [0x1A] = "Service mode", [0x1B] = "Approved", [0x1C] = "Approved",
        [0x1D] = "Declined", [0x1E] = "Insert or tap card", [0x1F] = "Enter PIN",
    };
    return code < sizeof t / sizeof t[0] && t[code] ? t[code] : "Terminal busy";
}

const char *zvt_result_text(uint8_t code)
{
    switch (code) {
    case 0x00: return "approved";
    case 0x05: return "declined";
    case 0x62: return "card expired";
    case 0x63: return "card unknown";
    case 0x64: return "card not admitted";
    case 0x6C: return "aborted (timeout or abort key)";
    case 0x6F: return "wrong currency";
    case 0x78: return "card blocked";
    case 0x9C: return "repeat";
    case 0xFF: return "system error";
    default: return "not approved";
    }
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
