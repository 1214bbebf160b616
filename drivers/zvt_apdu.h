/* ZVT (ECR-to-payment-terminal protocol, PA00P015) APDUs over TCP: encoding, and strict
 * parsing of everything the terminal sends.  Malformed input is an error, never a crash:
 * every length is checked before it is used (fuzzed by tests/fuzz_zvt_apdu.c).
 *
 * APDU = class, instruction, length, data.  Length >= 255 is sent as FF followed by two
 * bytes, low byte first (spec chapter 2, "APDU"). */
#ifndef TILL_ZVT_APDU_H
#define TILL_ZVT_APDU_H

#include <stddef.h>
#include <stdint.h>

enum {
    ZVT_OK = 0,
    ZVT_EINCOMPLETE = 1,  /* need more bytes */
    ZVT_EMALFORMED = -1,
    ZVT_ERANGE = -2,      /* does not fit */
};

#define ZVT_MAX_APDU (3 + 2 + 65535)

struct zvt_apdu {
    uint8_t cls, ins;
    size_t len;           /* data length */
    const uint8_t *data;  /* points into the parsed buffer */
};

/* Parses one APDU at the start of buf.  Returns the bytes it takes (> 0),
 * 0 if buf holds only part of one, ZVT_EMALFORMED if it cannot be an APDU. */
long zvt_apdu_parse(const uint8_t *buf, size_t n, struct zvt_apdu *out);
/* Encodes an APDU; returns its size or 0 if out is too small. */
size_t zvt_apdu_encode(uint8_t cls, uint8_t ins, const uint8_t *data, size_t len,
                       uint8_t *out, size_t cap);

int zvt_bcd_encode(uint64_t value, int nbytes, uint8_t *out);
int zvt_bcd_decode(const uint8_t *p, int nbytes, uint64_t *out);

/* What a Status-Information (04 0F) or Completion (06 0F) carries. */
struct zvt_status {
    int has_result;
    uint8_t result;          /* BMP 27: 00 = success */
    int has_amount;
    int64_t amount;          /* BMP 04, minor units */
    char trace[8];           /* BMP 0B */
    char receipt_no[8];      /* BMP 87 */
    char terminal_id[12];    /* BMP 29 */
    char masked_pan[24];     /* BMP 22, masked to the last four digits at once */
    int has_card_type;
    uint8_t card_type;       /* BMP 8A */
    char card_name[32];      /* BMP 8B */
    char auth_attr[12];      /* BMP 3B: authorisation attribute / approval code */
    char additional[128];    /* BMP 3C additional text */
    char time[8];            /* BMP 0C HHMMSS */
    char date[8];            /* BMP 0D MMDD */
    int has_status_byte;
    uint8_t status_byte;     /* BMP 19 */
    int tlv_items;           /* BMP 06: TLV data objects seen */
    char tlv_text[256];      /* text lines found in the TLV container (tag 07), '\n'-joined */
};

/* Parses a sequence of BMPs (bitmap fields) strictly: an unknown BMP or a length that runs
 * past the end is ZVT_EMALFORMED. */
int zvt_parse_bmps(const uint8_t *data, size_t len, struct zvt_status *out);
/* Walks a BER-TLV container (BMP 06 contents), checking every length; collects text. */
int zvt_parse_tlv(const uint8_t *data, size_t len, struct zvt_status *out, int depth);

/* Builders for the ECR's commands; return the APDU size or 0. password is 6 digits. */
size_t zvt_build_registration(const char *password, uint8_t config_byte, uint16_t currency,
                              uint8_t *out, size_t cap);
size_t zvt_build_authorization(int64_t amount, uint16_t currency, uint8_t *out, size_t cap);
size_t zvt_build_reversal(const char *password, const char *receipt_no, uint8_t *out, size_t cap);
size_t zvt_build_refund(const char *password, int64_t amount, uint8_t *out, size_t cap);
size_t zvt_build_end_of_day(const char *password, uint8_t *out, size_t cap);
size_t zvt_build_status_enquiry(const char *password, uint8_t *out, size_t cap);
size_t zvt_build_abort(uint8_t *out, size_t cap);
size_t zvt_build_ack(uint8_t *out, size_t cap);

/* Text for an intermediate status code (04 FF) and a result code (BMP 27, 06 1E). */
const char *zvt_intermediate_text(uint8_t code);
const char *zvt_result_text(uint8_t code);
/* ISO 4217 numeric code for an alphabetic one (EUR -> 978), 0 if unknown. */
uint16_t zvt_currency_numeric(const char *code);

#endif
