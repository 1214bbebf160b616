/* German fiscal data (KassenSichV): the TSE's transaction log message as BSI TR-03151
 * defines it, the process data DSFinV-K prescribes for a receipt, and the receipt's QR code
 * text.  Pure: bytes and strings in, bytes and strings out; the signing is the TSE's
 * (drivers/tse.h), the time is passed in.
 *
 * Sources:
 *  - BSI TR-03151 (SE API), section "Log messages" / "Transaction log": the log message
 *    SEQUENCE { version INTEGER (2), certifiedDataType OID 0.4.0.127.0.7.3.7.1.1,
 *    certifiedData { operationType [0] PrintableString, clientId [1] PrintableString,
 *    processData [2] OCTET STRING, processType [3] PrintableString, transactionNumber [5]
 *    INTEGER }, serialNumber OCTET STRING, signatureAlgorithm SEQUENCE { OID },
 *    signatureCounter INTEGER, logTime (unixTime INTEGER), signatureValue OCTET STRING },
 *    signed over the concatenated *values* of every element before signatureValue (the
 *    data to be signed, as the BSI's test tools and konfidas/TTC LogMessageImplementation
 *    rebuild it).
 *  - BSI TR-03111 section 4.2.1: ecdsa-plain-SHA384 (OID 0.4.0.127.0.7.1.1.4.1.4), the
 *    signature as r || s, each the curve's byte length.
 *  - DSFinV-K 2.x, Anhang I "Kassenbeleg-V1": processData "Beleg^<gross per VAT rate: 19,
 *    7, 10.7, 5.5, 0 %, separated by _>^<amount:Bar|Unbar, separated by _>", amounts with
 *    two decimals and a point.
 *  - DSFinV-K 2.x, Anhang / DFKA "QR-Code für Kassenbelege" V0: the fields separated by ';':
 *    qr-version V0; kassen-seriennummer; processType; processData; transaktions-nummer;
 *    signatur-zaehler; start-zeit; log-time; sig-alg; log-time-format; signatur (Base64);
 *    public-key (Base64), times as YYYY-MM-DDThh:mm:ss.fffZ. */
#ifndef TILL_FISCAL_H
#define TILL_FISCAL_H

#include <stddef.h>
#include <stdint.h>

#define FISCAL_SIG_ALG "ecdsa-plain-SHA384"
#define FISCAL_TIME_FORMAT "unixTime"
#define FISCAL_PROCESS_RECEIPT "Kassenbeleg-V1"
#define FISCAL_PROCESS_OTHER "SonstigerVorgang"

/* The five VAT slots of Kassenbeleg-V1, in their order (DSFinV-K UST_SCHLUESSEL 1..5). */
#define FISCAL_VAT_SLOTS 5
extern const int32_t fiscal_vat_slot_ppm[FISCAL_VAT_SLOTS];  /* 190000, 70000, 107000, 55000, 0 */
/* The slot of a VAT rate in parts per million, or -1 when it has none. */
int fiscal_vat_slot(int32_t rate_ppm);

enum fiscal_op { FISCAL_OP_START, FISCAL_OP_UPDATE, FISCAL_OP_FINISH };
/* "StartTransaction", "UpdateTransaction", "FinishTransaction" (TR-03151 operationType) */
const char *fiscal_op_name(enum fiscal_op op);

/* What a transaction log message certifies. */
struct fiscal_log {
    enum fiscal_op op;
    const char *client_id;            /* the till's serial number */
    const char *process_type;         /* "Kassenbeleg-V1" */
    const unsigned char *process_data;
    size_t process_data_len;
    uint64_t tx_number;
    const unsigned char *serial;      /* the TSE's serial: SHA-256 of its public key */
    size_t serial_len;
    uint64_t sig_counter;
    int64_t log_time;                 /* unixTime, seconds */
};

/* The data to be signed (TR-03151): the values of version, certifiedDataType, each element
 * of certifiedData, serialNumber, the algorithm OID, signatureCounter and logTime,
 * concatenated.  0, or -1 when it does not fit in cap. */
int fiscal_log_dtbs(const struct fiscal_log *m, unsigned char *out, size_t cap, size_t *len);
/* The whole log message as DER, with its signature (r || s). */
int fiscal_log_encode(const struct fiscal_log *m, const unsigned char *sig, size_t siglen,
                      unsigned char *out, size_t cap, size_t *len);

/* Amounts of a receipt for its process data, in cents (EUR, two decimals). */
struct fiscal_amounts {
    int64_t vat[FISCAL_VAT_SLOTS];    /* gross per VAT slot */
    int64_t cash, noncash;            /* "Bar", "Unbar" */
};
/* "Beleg^75.33_7.99_0.00_0.00_0.00^10.00:Bar_64.30:Unbar"; vorgang is "Beleg",
 * "AVBelegabbruch", "AVTraining" or another DSFinV-K Vorgangstyp.  -1 if it does not fit. */
int fiscal_process_data(const char *vorgang, const struct fiscal_amounts *a, char *out, size_t len);
/* "-12.30" */
int fiscal_amount(int64_t cents, char *out, size_t len);

/* Unix milliseconds as "2026-12-07T10:15:00.000Z" (UTC).  -1 if it does not fit. */
int fiscal_time_iso(int64_t unix_ms, char *out, size_t len);
/* The reverse (only that exact shape); 0 or -1. */
int fiscal_time_parse(const char *s, int64_t *unix_ms);

/* Standard Base64 with padding; -1 if out is too small. */
int fiscal_base64(const unsigned char *in, size_t n, char *out, size_t len);
/* Decodes; -1 on a character outside the alphabet or a short out. */
int fiscal_base64_decode(const char *in, unsigned char *out, size_t cap, size_t *len);
/* Lower-case hex of n bytes. */
int fiscal_hex(const unsigned char *in, size_t n, char *out, size_t len);

/* The fields of a receipt's QR code (V0). */
#define FISCAL_QR_MAX 1024
struct fiscal_qr {
    char client_id[64];
    char process_type[32];
    char process_data[256];
    uint64_t tx_number, sig_counter;
    int64_t start_ms, log_ms;
    char sig_alg[32];
    char time_format[24];
    char signature[160];              /* Base64 */
    char public_key[160];             /* Base64 */
};
int fiscal_qr_format(const struct fiscal_qr *q, char *out, size_t len);
/* Parses a QR code's text back (bytes from outside: bounded, fuzzed); 0 or -1. */
int fiscal_qr_parse(const char *text, struct fiscal_qr *q);

#endif
