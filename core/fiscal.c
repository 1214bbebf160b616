/* German fiscal data: TR-03151 log messages, DSFinV-K process data, the V0 QR text.
 * See core/fiscal.h for the sources of each format. */
#include "core/fiscal.h"

#include <stdio.h>
#include <string.h>

const int32_t fiscal_vat_slot_ppm[FISCAL_VAT_SLOTS] = { 190000, 70000, 107000, 55000, 0 };

int fiscal_vat_slot(int32_t rate_ppm)
{
    for (int i = 0; i < FISCAL_VAT_SLOTS; i++)
        if (fiscal_vat_slot_ppm[i] == rate_ppm)
            return i;
    return -1;
}

const char *fiscal_op_name(enum fiscal_op op)
{
    switch (op) {
    case FISCAL_OP_START: return "StartTransaction";
    case FISCAL_OP_UPDATE: return "UpdateTransaction";
    case FISCAL_OP_FINISH: return "FinishTransaction";
    }
    return "?";
}

/* OID values (the bytes after tag and length). */
/* bsi-de 0.4.0.127.0.7 . 3.7.1.1: transaction log (TR-03151 "id-SE-API-transaction-log") */
static const unsigned char oid_transaction_log[] = { 0x04, 0x00, 0x7f, 0x00, 0x07, 0x03, 0x07, 0x01, 0x01 };
/* bsi-de 0.4.0.127.0.7 . 1.1.4.1.4: ecdsa-plain-SHA384 (TR-03111) */
static const unsigned char oid_ecdsa_plain_sha384[] = { 0x04, 0x00, 0x7f, 0x00, 0x07, 0x01, 0x01, 0x04, 0x01, 0x04 };

/* A DER writer over a fixed buffer; out of room sets failed. */
struct der {
    unsigned char *p;
    size_t len, cap;
    int failed;
};

static void put(struct der *d, const void *bytes, size_t n)
{
    if (d->failed || n > d->cap - d->len) {
        d->failed = 1;
        return;
    }
    if (n)
        memcpy(d->p + d->len, bytes, n);
    d->len += n;
}

static void put_len(struct der *d, size_t n)
{
    unsigned char b[5];
    if (n < 0x80) {
        b[0] = (unsigned char)n;
        put(d, b, 1);
    } else if (n < 0x100) {
        b[0] = 0x81;
        b[1] = (unsigned char)n;
        put(d, b, 2);
    } else if (n < 0x10000) {
        b[0] = 0x82;
        b[1] = (unsigned char)(n >> 8);
        b[2] = (unsigned char)n;
        put(d, b, 3);
    } else {
        d->failed = 1;
    }
}

static void tlv(struct der *d, unsigned char tag, const void *v, size_t n)
{
    put(d, &tag, 1);
    put_len(d, n);
    put(d, v, n);
}

/* A non-negative INTEGER's value bytes: big-endian, minimal, a 0x00 before a high bit. */
static size_t uint_value(uint64_t v, unsigned char out[9])
{
    unsigned char tmp[8];
    int n = 0;
    do {
        tmp[n++] = (unsigned char)(v & 0xff);
        v >>= 8;
    } while (v);
    size_t k = 0;
    if (tmp[n - 1] & 0x80)
        out[k++] = 0;
    while (n)
        out[k++] = tmp[--n];
    return k;
}

/* Each element of the message before signatureValue, as (tag, value); the encoder wraps
 * them, the data to be signed concatenates the values. */
typedef void (*element_fn)(struct der *d, unsigned char tag, const void *v, size_t n);

static void value_only(struct der *d, unsigned char tag, const void *v, size_t n)
{
    put(d, v, n);
}

static void elements(const struct fiscal_log *m, struct der *d, element_fn el, int in_der)
{
    unsigned char version = 2, num[9];
    el(d, 0x02, &version, 1);
    el(d, 0x06, oid_transaction_log, sizeof oid_transaction_log);
    const char *op = fiscal_op_name(m->op);
    el(d, 0x80, op, strlen(op));                               /* operationType [0] */
    el(d, 0x81, m->client_id, strlen(m->client_id));           /* clientId [1] */
    el(d, 0x82, m->process_data, m->process_data_len);         /* processData [2] */
    el(d, 0x83, m->process_type, strlen(m->process_type));     /* processType [3] */
    el(d, 0x85, num, uint_value(m->tx_number, num));           /* transactionNumber [5] */
    el(d, 0x04, m->serial, m->serial_len);                     /* serialNumber */
    if (in_der) {
        /* signatureAlgorithm SEQUENCE { algorithm OID } */
        unsigned char seq[2 + sizeof oid_ecdsa_plain_sha384] = { 0x06, sizeof oid_ecdsa_plain_sha384 };
        memcpy(seq + 2, oid_ecdsa_plain_sha384, sizeof oid_ecdsa_plain_sha384);
        el(d, 0x30, seq, sizeof seq);
    } else {
        el(d, 0x06, oid_ecdsa_plain_sha384, sizeof oid_ecdsa_plain_sha384);
    }
    el(d, 0x02, num, uint_value(m->sig_counter, num));         /* signatureCounter */
    el(d, 0x02, num, uint_value(m->log_time < 0 ? 0 : (uint64_t)m->log_time, num)); /* logTime: unixTime */
}

int fiscal_log_dtbs(const struct fiscal_log *m, unsigned char *out, size_t cap, size_t *len)
{
    struct der d = { out, 0, cap, 0 };
    elements(m, &d, value_only, 0);
    *len = d.len;
    return d.failed ? -1 : 0;
}

int fiscal_log_encode(const struct fiscal_log *m, const unsigned char *sig, size_t siglen,
                      unsigned char *out, size_t cap, size_t *len)
{
    /* the body first, after room for the SEQUENCE header, then moved into place */
    if (cap < 4)
        return -1;
    struct der body = { out + 4, 0, cap - 4, 0 };
    elements(m, &body, tlv, 1);
    tlv(&body, 0x04, sig, siglen);                             /* signatureValue */
    if (body.failed)
        return -1;
    unsigned char head[4];
    struct der h = { head, 0, sizeof head, 0 };
    unsigned char tag = 0x30;
    put(&h, &tag, 1);
    put_len(&h, body.len);
    if (h.failed)
        return -1;
    memmove(out + h.len, out + 4, body.len);
    memcpy(out, head, h.len);
    *len = h.len + body.len;
    return 0;
}

int fiscal_amount(int64_t cents, char *out, size_t len)
{
    uint64_t a = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
    int n = snprintf(out, len, "%s%llu.%02llu", cents < 0 ? "-" : "", (unsigned long long)(a / 100),
                     (unsigned long long)(a % 100));
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

int fiscal_process_data(const char *vorgang, const struct fiscal_amounts *a, char *out, size_t len)
{
    size_t used = 0;
    char amt[32];
#define ADD(...) do { \
        int n_ = snprintf(out + used, len - used, __VA_ARGS__); \
        if (n_ < 0 || (size_t)n_ >= len - used) return -1; \
        used += (size_t)n_; \
    } while (0)
    if (len == 0)
        return -1;
    ADD("%s^", vorgang);
    for (int i = 0; i < FISCAL_VAT_SLOTS; i++) {
        if (fiscal_amount(a->vat[i], amt, sizeof amt))
            return -1;
        ADD("%s%s", i ? "_" : "", amt);
    }
    ADD("^");
    int any = 0;
    if (a->cash) {
        fiscal_amount(a->cash, amt, sizeof amt);
        ADD("%s:Bar", amt);
        any = 1;
    }
    if (a->noncash) {
        fiscal_amount(a->noncash, amt, sizeof amt);
        ADD("%s%s:Unbar", any ? "_" : "", amt);
    }
#undef ADD
    return 0;
}

/* Days since 1970-01-01 of a civil date, and back (Howard Hinnant's algorithms): no libc
 * time zone in the pure core. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int fiscal_time_iso(int64_t unix_ms, char *out, size_t len)
{
    if (unix_ms < 0)
        return -1;
    int64_t secs = unix_ms / 1000, days = secs / 86400, rem = secs % 86400;
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    int n = snprintf(out, len, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)y, m, d,
                     (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), (int)(unix_ms % 1000));
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *v = *v * 10 + (s[i] - '0');
    }
    return 0;
}

int fiscal_time_parse(const char *s, int64_t *unix_ms)
{
    int y, mo, d, h, mi, se, ms;
    if (strlen(s) != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':' || s[19] != '.' || s[23] != 'Z')
        return -1;
    if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) || digits(s + 11, 2, &h) ||
        digits(s + 14, 2, &mi) || digits(s + 17, 2, &se) || digits(s + 20, 3, &ms))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || y < 1970)
        return -1;
    int64_t days = days_from_civil(y, mo, d);
    *unix_ms = ((days * 86400 + h * 3600 + mi * 60 + se) * 1000) + ms;
    return 0;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int fiscal_base64(const unsigned char *in, size_t n, char *out, size_t len)
{
    size_t need = (n + 2) / 3 * 4 + 1, o = 0;
    if (len < need)
        return -1;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = b64[v >> 18 & 63];
        out[o++] = b64[v >> 12 & 63];
        out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    out[o] = 0;
    return 0;
}

int fiscal_base64_decode(const char *in, unsigned char *out, size_t cap, size_t *len)
{
    unsigned v = 0;
    int bits = 0;
    size_t o = 0, i = 0;
    for (; in[i] && in[i] != '='; i++) {
        const char *p = memchr(b64, in[i], 64);
        if (!p || !in[i])
            return -1;
        v = v << 6 | (unsigned)(p - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= cap)
                return -1;
            out[o++] = (unsigned char)(v >> bits);
        }
    }
    for (; in[i]; i++)
        if (in[i] != '=')
            return -1;
    *len = o;
    return 0;
}

int fiscal_hex(const unsigned char *in, size_t n, char *out, size_t len)
{
    static const char hx[] = "0123456789abcdef";
    if (len < 2 * n + 1)
        return -1;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[in[i] >> 4];
        out[2 * i + 1] = hx[in[i] & 15];
    }
    out[2 * n] = 0;
    return 0;
}

int fiscal_qr_format(const struct fiscal_qr *q, char *out, size_t len)
{
    char start[32], log[32];
    if (fiscal_time_iso(q->start_ms, start, sizeof start) || fiscal_time_iso(q->log_ms, log, sizeof log))
        return -1;
    int n = snprintf(out, len, "V0;%s;%s;%s;%llu;%llu;%s;%s;%s;%s;%s;%s", q->client_id, q->process_type,
                     q->process_data, (unsigned long long)q->tx_number, (unsigned long long)q->sig_counter,
                     start, log, q->sig_alg, q->time_format, q->signature, q->public_key);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* The next ';'-separated field into out (bounded); -1 if too long or missing. */
static int field(const char **p, char *out, size_t len, int last)
{
    const char *e = strchr(*p, ';');
    if (last ? e != NULL : e == NULL)
        return -1;
    size_t n = e ? (size_t)(e - *p) : strlen(*p);
    if (n >= len)
        return -1;
    memcpy(out, *p, n);
    out[n] = 0;
    *p += n + (e ? 1 : 0);
    return 0;
}

static int number(const char *s, uint64_t *v)
{
    if (!*s || strlen(s) > 19)
        return -1;
    *v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        *v = *v * 10 + (uint64_t)(*s - '0');
    }
    return 0;
}

int fiscal_qr_parse(const char *text, struct fiscal_qr *q)
{
    char version[4], tx[24], sc[24], start[32], log[32];
    const char *p = text;
    memset(q, 0, sizeof *q);
    if (strlen(text) >= FISCAL_QR_MAX)
        return -1;
    if (field(&p, version, sizeof version, 0) || strcmp(version, "V0") != 0)
        return -1;
    if (field(&p, q->client_id, sizeof q->client_id, 0) ||
        field(&p, q->process_type, sizeof q->process_type, 0) ||
        field(&p, q->process_data, sizeof q->process_data, 0) ||
        field(&p, tx, sizeof tx, 0) || field(&p, sc, sizeof sc, 0) ||
        field(&p, start, sizeof start, 0) || field(&p, log, sizeof log, 0) ||
        field(&p, q->sig_alg, sizeof q->sig_alg, 0) ||
        field(&p, q->time_format, sizeof q->time_format, 0) ||
        field(&p, q->signature, sizeof q->signature, 0) ||
        field(&p, q->public_key, sizeof q->public_key, 1))
        return -1;
    if (number(tx, &q->tx_number) || number(sc, &q->sig_counter) ||
        fiscal_time_parse(start, &q->start_ms) || fiscal_time_parse(log, &q->log_ms))
        return -1;
    return 0;
}
