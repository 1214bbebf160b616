/* Dialog 06: the checkout dialogue of legal-for-trade POS scales (Bizerba, Mettler Toledo,
 * Dibal and others in Germany and the EU).  The till sends the unit price (and tare, and a
 * text) to the scale; the scale, which alone computes the legal weight and amount, answers
 * a data request with weight, unit price and amount, or with a status record saying why
 * it cannot (motion, below minimum, under zero, overload, a bad record); it may ask for
 * the "logical checksum" first, which the till answers from a table the scale's maker
 * issues for the certified till program.
 *
 * Frames, as written in the open-source implementation this module was checked against
 * (github.com/geonikolaidhs/ITS.Web.Retail.Market, ITS/POS/Hardware/ITS.POS.Hardware/
 * ScaleDialogProtocol/: DialogHelper.cs, ScaleRecord01/02/05/09/10/11.cs) and the Dialog 06
 * record descriptions they implement:
 *
 *   till -> scale
 *     record 01  EOT STX "01" ESC pppppp ETX                      unit price (6 digits)
 *     record 04  EOT STX "04" ESC pppppp ESC tttt ETX             unit price, tare (g)
 *     record 05  EOT STX "05" ESC pppppp ESC tttt ESC text ETX    ... and a text (<= 13)
 *     request    EOT ENQ                                          "send your data"
 *     record 10  EOT STX "10" ESC k1 .. k16 ETX                   checksum answer
 *   scale -> till
 *     ACK (06) / NAK (15)                                         to a record
 *     record 02  STX "02" ESC d ESC wwwww ESC pppppp ESC aaaaaa ETX
 *                d: the weight's decimals in kg ('3': grams), weight, unit price, amount
 *     record 09  STX "09" ESC s1 s0 ETX                            status (two digits)
 *     record 11  STX "11" ESC d0 z1 z2 ETX                         checksum request: d0 '2'
 *                asks for record 10, z1 z2 (hex) chooses the table row
 *
 * Parsing is strict (fuzzed by tests/fuzz_scale_dialog06.c): digits are digits, every
 * separator is where it belongs, and anything else is reported as garbage and skipped. */
#ifndef TILL_DRIVERS_SCALE_DIALOG06_H
#define TILL_DRIVERS_SCALE_DIALOG06_H

#include <stddef.h>
#include <stdint.h>

#define D06_STX 0x02
#define D06_ETX 0x03
#define D06_EOT 0x04
#define D06_ENQ 0x05
#define D06_ACK 0x06
#define D06_NAK 0x15
#define D06_ESC 0x1b

/* The longest frame either side sends: record 05 is 33 bytes; room to spare. */
#define D06_MAX_FRAME 64
#define D06_TEXT_MAX 13
#define D06_CHECKSUM_LEN 16

enum d06_kind {
    D06_GARBAGE,      /* bytes that are no frame (skipped): error says what */
    D06_ACK_FRAME,
    D06_NAK_FRAME,
    D06_WEIGHT,       /* record 02 */
    D06_STATUS,       /* record 09 */
    D06_CHECKSUM_REQ, /* record 11 */
};

/* Record 09's status codes (s1 s0 as a number). */
enum d06_status {
    D06_ST_OK = 0,
    D06_ST_GENERAL = 1,         /* general error on the scale */
    D06_ST_PARITY = 2,          /* parity error or buffer overflow */
    D06_ST_BAD_RECORD = 10,     /* invalid record number */
    D06_ST_BAD_PRICE = 11,      /* invalid unit price */
    D06_ST_BAD_TARE = 12,       /* invalid tare */
    D06_ST_BAD_TEXT = 13,       /* invalid text */
    D06_ST_MOTION = 20,         /* no equilibrium: still in motion */
    D06_ST_NO_MOTION = 21,      /* no motion since the last weighing (the same item again) */
    D06_ST_NO_PRICE = 22,       /* price not computed yet */
    D06_ST_BELOW_MIN = 30,      /* in the MIN range */
    D06_ST_UNDER_ZERO = 31,     /* under zero / negative weight */
    D06_ST_OVERLOAD = 32,       /* overload */
};

struct d06_frame {
    enum d06_kind kind;
    int status;            /* D06_STATUS: enum d06_status (any 00..99 the scale sends) */
    int64_t weight_g;      /* D06_WEIGHT */
    int64_t unit_price;    /* D06_WEIGHT: minor units per kg */
    int64_t amount;        /* D06_WEIGHT: minor units */
    char d0;               /* D06_CHECKSUM_REQ */
    int row;               /* D06_CHECKSUM_REQ: 0..255, the checksum table's row */
    char error[80];        /* D06_GARBAGE */
};

/* Parses the first frame at buf.  Returns the bytes it takes (> 0) with *f filled (kind
 * D06_GARBAGE for bytes that are no frame: skip them), or 0 when buf holds only the start
 * of one and more bytes are needed. */
long d06_parse(const uint8_t *buf, size_t len, struct d06_frame *f);

/* The price record: 01 (tare_g 0, no text), 04 (tare) or 05 (tare and text; text is
 * printable ASCII, cut at 13).  Returns its size, or 0 when a value does not fit the
 * record (price > 999999, tare > 9999, negative) or out is too small. */
size_t d06_encode_price(int64_t unit_price, int64_t tare_g, const char *text, uint8_t *out, size_t cap);
/* EOT ENQ: 2 (or 0 when cap < 2). */
size_t d06_encode_request(uint8_t *out, size_t cap);
/* Record 10 with the 16 bytes of the checksum table's row. */
size_t d06_encode_checksum(const uint8_t answer[D06_CHECKSUM_LEN], uint8_t *out, size_t cap);

/* Scale -> till, for the simulated scale and the tests. */
size_t d06_encode_weight(int64_t weight_g, int64_t unit_price, int64_t amount, uint8_t *out, size_t cap);
size_t d06_encode_status(int status, uint8_t *out, size_t cap);
size_t d06_encode_checksum_req(int row, uint8_t *out, size_t cap);

/* A till -> scale frame as the simulated scale reads it. */
enum d06_req_kind { D06_REQ_GARBAGE, D06_REQ_PRICE, D06_REQ_DATA, D06_REQ_CHECKSUM };
struct d06_request {
    enum d06_req_kind kind;
    int record;               /* 1, 4, 5 or 10 */
    int64_t unit_price, tare_g;
    char text[D06_TEXT_MAX + 1];
    uint8_t checksum[D06_CHECKSUM_LEN];
};
/* Like d06_parse, for what the till sends. */
long d06_parse_request(const uint8_t *buf, size_t len, struct d06_request *r);

/* "motion", "below minimum", ... for a status code; "status NN" for others (buf). */
const char *d06_status_text(int status, char *buf, size_t len);

#endif
