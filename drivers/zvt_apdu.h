/* ZVT (ECR-to-payment-terminal protocol, PA00P015) APDUs over TCP: encoding, and strict
 * parsing of everything the terminal sends.  Malformed input is an error, never a crash:
 * every length is checked before it is used (fuzzed by tests/fuzz_zvt_apdu.c).
 *
 * APDU = class, instruction, length, data.  Length >= 255 is sent as FF followed by two
 * bytes, low byte first (transport spec PA00P016 5.2.4); a terminal may use that long form
 * for a shorter length too, and that is valid.
 *
 * Everything a terminal sends as text (print lines 06 D1, text blocks 06 D3, display texts
 * of 04 FF, BMP 3C/8B, TLV texts) comes out of this module decoded from the terminal's code
 * page to UTF-8 and with card numbers masked (core/pan.h). */
#ifndef TILL_ZVT_APDU_H
#define TILL_ZVT_APDU_H

#include <stddef.h>
#include <stdint.h>

#include "core/payment_outcome.h"

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

/* The terminal's character set for texts.  The ZVT default is code page 437; some
 * terminals send ISO 8859-1, ISO 8859-15 (with the euro sign), Windows-1252 or UTF-8. */
enum zvt_charset { ZVT_CP437, ZVT_LATIN1, ZVT_LATIN9, ZVT_CP1252, ZVT_UTF8 };
/* "cp437", "latin1" (iso-8859-1), "latin9" (iso-8859-15), "cp1252", "utf8"; -1 if unknown. */
int zvt_charset_parse(const char *name, enum zvt_charset *out);
/* Decodes n bytes of terminal text into NUL-terminated UTF-8 (control characters become
 * spaces, trailing spaces go), masks card numbers in it, and returns its length.  Never
 * cuts a character in half when out is too small. */
size_t zvt_text_decode(const uint8_t *s, size_t n, enum zvt_charset cs, char *out, size_t cap);

/* Receipt-type marker, TLV tag 1F07 (on a text block, or in the TLV after a print line). */
enum zvt_receipt_type { ZVT_RECEIPT_UNMARKED = 0, ZVT_RECEIPT_MERCHANT = 1,
                        ZVT_RECEIPT_CARDHOLDER = 2, ZVT_RECEIPT_ADMINISTRATION = 3 };

/* BER-TLV length at p: 1 byte, or 81 xx, or 82 xx xx.  The one length parser for BMP 06
 * and every TLV object. */
int zvt_tlv_length(const uint8_t *p, size_t avail, size_t *len, size_t *used);

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
    int receipt_type;        /* TLV 1F07, enum zvt_receipt_type */
    int has_totals;          /* BMP 60 (end-of-day individual totals), parsed */
    int totals_malformed;    /* a BMP 60 came whose contents are not the layout below */
    struct zvt_totals {
        char receipt_from[8], receipt_to[8];
        int64_t count[7];    /* girocard, JCB, Eurocard/Mastercard, Amex, Visa, Diners, other */
        int64_t amount[7];
    } totals;
    enum zvt_charset charset; /* set by the caller before parsing: how texts are decoded */
    int tlv_truncated;       /* tlv_text could not hold every line */
    char tlv_text[1024];     /* text lines found in the TLV container (tag 07), '\n'-joined */
};

/* Parses a sequence of BMPs (bitmap fields) strictly: an unknown BMP or a length that runs
 * past the end is ZVT_EMALFORMED. */
int zvt_parse_bmps(const uint8_t *data, size_t len, struct zvt_status *out);
/* The contents of BMP 60 (individual totals of an end-of-day, PA00P015 2.16): receipt
 * numbers from and to (2 bytes BCD each), then for girocard, JCB, Eurocard, Amex, Visa,
 * Diners and the remaining cards a count (1 byte, binary) and a turnover (6 bytes BCD):
 * 53 bytes.  Anything else is ZVT_EMALFORMED and out is left zeroed. */
int zvt_parse_totals(const uint8_t *data, size_t len, struct zvt_totals *out);
/* The names zvt_totals' slots are shown by: "girocard", ..., "other cards". */
const char *zvt_totals_card_name(int slot);
/* An end-of-day's answer as the terminal gave it: the total (BMP 04) and the card types
 * with a count or an amount (BMP 60).  result is set by the caller. */
void zvt_eod_totals(const struct zvt_status *st, struct pt_eod_totals *out);

/* Walks a BER-TLV container (BMP 06 contents), checking every length; collects text. */
int zvt_parse_tlv(const uint8_t *data, size_t len, struct zvt_status *out, int depth);

/* A print line (06 D1): <attribute> <text> [06 <TLV>].  Attribute bit 7 marks the last
 * line of a receipt; the trailing TLV may carry the receipt-type marker.  text points into
 * data (not decoded). */
struct zvt_print_line {
    uint8_t attribute;
    int receipt_type;
    const uint8_t *text;
    size_t text_len;
};
int zvt_parse_print_line(const uint8_t *data, size_t len, struct zvt_print_line *out);

/* An intermediate status (04 FF): <status> [<timeout>] [06 <TLV>].  The terminal's own
 * display text (TLV 24 / 07) when it sends one, otherwise the specification's text for
 * the status code, into out. */
int zvt_parse_intermediate(const uint8_t *data, size_t len, enum zvt_charset cs,
                           char *out, size_t cap);

/* The receipts of one transaction, from print lines and text blocks, sorted into the
 * cardholder's and the merchant's copy by the receipt-type marker.  Lines of a receipt
 * sent without markers are one receipt up to the line marked last; without any marker the
 * last receipt is the cardholder's and the ones before it the merchant's.  Administration
 * receipts (end-of-day) are the merchant's.  Each copy keeps whole lines up to
 * PT_RECEIPT_MAX bytes; truncated says a line did not fit. */
struct zvt_receipts {
    char cardholder[PT_RECEIPT_MAX];
    char merchant[PT_RECEIPT_MAX];
    char pending[PT_RECEIPT_MAX];   /* the receipt being printed line by line */
    int pending_votes[4];           /* its lines' receipt-type markers */
    int pending_open;
    char unmarked[PT_RECEIPT_MAX];  /* the latest complete receipt without a marker */
    int has_unmarked;
    char block[PT_RECEIPT_MAX];     /* scratch: the text block being read */
    int truncated;
};
void zvt_receipts_init(struct zvt_receipts *r);
/* The data of a 06 D1 / 06 D3 APDU.  Malformed input changes nothing and is an error. */
int zvt_receipts_add_line(struct zvt_receipts *r, const uint8_t *data, size_t len,
                          enum zvt_charset cs);
int zvt_receipts_add_block(struct zvt_receipts *r, const uint8_t *data, size_t len,
                           enum zvt_charset cs);
/* The transaction ended: a receipt still being printed is complete. */
void zvt_receipts_finish(struct zvt_receipts *r);

/* Builders for the ECR's commands; return the APDU size or 0. password is 6 digits. */
size_t zvt_build_registration(const char *password, uint8_t config_byte, uint16_t currency,
                              uint8_t *out, size_t cap);
size_t zvt_build_authorization(int64_t amount, uint16_t currency, uint8_t *out, size_t cap);
size_t zvt_build_reversal(const char *password, const char *receipt_no, uint8_t *out, size_t cap);
size_t zvt_build_refund(const char *password, int64_t amount, uint8_t *out, size_t cap);
size_t zvt_build_end_of_day(const char *password, uint8_t *out, size_t cap);
size_t zvt_build_status_enquiry(const char *password, uint8_t *out, size_t cap);
size_t zvt_build_repeat_receipt(const char *password, uint8_t *out, size_t cap);
size_t zvt_build_abort(uint8_t *out, size_t cap);
size_t zvt_build_ack(uint8_t *out, size_t cap);

/* Text for an intermediate status code (04 FF) and a result code (BMP 27, 06 1E, 84 xx),
 * in the words of the specification's tables.  Result codes 01..63 are the card issuer's
 * host's own response codes: "declined by the card issuer's host". */
const char *zvt_intermediate_text(uint8_t code);
const char *zvt_result_text(uint8_t code);
/* The result as a sentence for the cashier, with the code: "card expired (78)". */
void zvt_result_describe(uint8_t code, char *out, size_t cap);
/* ISO 4217 numeric code for an alphabetic one (EUR -> 978), 0 if unknown. */
uint16_t zvt_currency_numeric(const char *code);

#endif
