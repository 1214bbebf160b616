/* Barcode parsing: what a scanner sends, turned into catalog lookup keys and label data.
 * Pure: no I/O, no clock (the caller passes today's date).
 *
 * Understood: EAN-13, EAN-8, UPC-A, UPC-E (number systems 0 and 1, expanded to UPC-A),
 * ITF-14/GTIN-14, GS1 element strings (GS1-128, DataBar, GS1 DataMatrix/QR) with FNC1 sent
 * as GS (0x1D) or without separators when every AI has a predefined length, AIM symbology
 * identifiers ("]E0", "]C1", ...), variable-measure EAN-13 (prefixes 20-29, layouts from
 * the config) and plain internal codes (PLU of 4-7 digits, SKU-like text).
 *
 * Every GS1 Application Identifier is known (the table is generated at build time from
 * assets/gs1-ai.txt): a field Till has no use for is checked and skipped, so a label keeps
 * its (01) GTIN and the fields Till reads. A scan whose AIM identifier claims EAN/UPC
 * must carry what that symbology carries (]E0: 13 digits, ]E4: 8, ]E3: 13 or 8 plus a 2-
 * or 5-digit add-on); otherwise it is refused and never looked up as a PLU or SKU. */
#ifndef TILL_BARCODE_H
#define TILL_BARCODE_H

#include <stddef.h>
#include <stdint.h>

enum barcode_status {
    BARCODE_OK = 0,
    BARCODE_EEMPTY,        /* nothing scanned */
    BARCODE_ETOOLONG,      /* longer than BARCODE_MAX_SCAN */
    BARCODE_ECHARS,        /* a character no barcode here can carry */
    BARCODE_ELENGTH,       /* digits, but no barcode has that many */
    BARCODE_ECHECK,        /* wrong check digit (EAN/UPC/GTIN/SSCC) */
    BARCODE_EPRICECHECK,   /* wrong price check digit inside a variable-measure label */
    BARCODE_EAI,           /* GS1: unknown application identifier */
    BARCODE_EAI_LENGTH,    /* GS1: a field is too short or too long */
    BARCODE_EAI_DIGITS,    /* GS1: a numeric field holds something else */
    BARCODE_EAI_CHARS,     /* GS1: a text field holds a character GS1 does not allow */
    BARCODE_EDATE,         /* GS1: a date field is not a date */
    BARCODE_ENOGTIN,       /* GS1: no item number (01) in the code, e.g. a pallet label */
    BARCODE_EVALUE,        /* a weight or price the till cannot represent exactly */
    BARCODE_ESYMBOLOGY,    /* the data does not fit the symbology the scanner named (]E0...) */
    BARCODE_EADDON,        /* only an EAN/UPC add-on (]E1, ]E2) was read, not the item's code */
    BARCODE_EAI_CONFLICT,  /* GS1: one field twice with different values, e.g. two GTINs */
};
#define BARCODE_STATUS_LAST BARCODE_EAI_CONFLICT

enum barcode_kind {
    BARCODE_NONE,
    BARCODE_EAN13,
    BARCODE_EAN8,
    BARCODE_UPCA,
    BARCODE_UPCE,
    BARCODE_GTIN14,        /* ITF-14 or 14 digits */
    BARCODE_GS1,           /* GS1 element string */
    BARCODE_VARIABLE,      /* variable-measure EAN-13, prefix 20-29 */
    BARCODE_PLAIN,         /* internal code, looked up as is */
};

enum barcode_value { BARCODE_VALUE_NONE, BARCODE_VALUE_WEIGHT, BARCODE_VALUE_PRICE };

/* One variable-measure layout: "2P" + item digits + [price check digit] + value digits +
 * EAN check digit = 13 digits. */
struct barcode_layout {
    int used;
    int item_digits;
    int has_check;            /* internal price/weight check digit before the value */
    enum barcode_value kind;
    int value_digits;
    int decimals;             /* of kg for weights, of the currency unit for prices */
};

#define BARCODE_PREFIX_FIRST 20
#define BARCODE_PREFIXES 10   /* 20..29 */

struct barcode_rules {
    struct barcode_layout variable[BARCODE_PREFIXES];  /* index: prefix - 20 */
    int currency_exponent;                             /* 2 for EUR, 0 for JPY */
};

#define BARCODE_MAX_SCAN 128
#define BARCODE_MAX_KEYS 4
#define BARCODE_KEY_LEN 49

struct barcode {
    enum barcode_kind kind;
    char aim[4];              /* AIM symbology identifier sent by the scanner, "" if none */
    char code[BARCODE_KEY_LEN]; /* what the line records: the digits, the GTIN, the text */
    /* Catalog keys to try, in order. */
    int nkeys;
    char keys[BARCODE_MAX_KEYS][BARCODE_KEY_LEN];
    char gtin[15];            /* 14-digit GTIN when the code carries one, else "" */

    /* From a variable-measure label, (310n) or (392n); 0/none when absent or zero. */
    int has_weight;
    int64_t weight;           /* thousandths of a kg */
    int has_price;
    int64_t price;            /* minor units */

    /* GS1 data. */
    int32_t expiry;           /* (17) as YYYYMMDD, day 00 resolved to the month's end; 0 none */
    int expired;              /* expiry is before today */
    char batch[21];           /* (10) */
    char serial[21];          /* (21) */
    int64_t count;            /* (30) or (37), 0 if absent */

    char addon[6];            /* EAN/UPC 2- or 5-digit add-on sent with the code, else "" */
    /* On a GS1 error: the AI of the field at fault (or the first digits where no AI
     * matched), for the message; "" otherwise. */
    char bad_ai[5];
};

/* Parses len bytes of scan (not NUL-terminated; an embedded NUL is an error).
 * today_yyyymmdd decides "expired" and the century of 2-digit years; 0 if unknown. */
enum barcode_status barcode_parse(const char *scan, size_t len, const struct barcode_rules *rules,
                                  int today_yyyymmdd, struct barcode *out);
/* A message a cashier understands ("wrong check digit: scan again"). */
const char *barcode_strerror(enum barcode_status st);
/* The same, with what the failed parse left in b: the GS1 field at fault ("GS1 field (17)
 * USE BY or EXPIRY: not a date ...") or the symbology the scanner named. */
void barcode_message(enum barcode_status st, const struct barcode *b, char *buf, size_t len);

/* ---- GS1 Application Identifiers ---- */

enum barcode_ai_check {
    BARCODE_AI_CHECK_NONE,
    BARCODE_AI_CHECK_CSUM,    /* GS1 mod-10 check digit */
    BARCODE_AI_CHECK_DATE0,   /* YYMMDD, day 00 = the month's end */
    BARCODE_AI_CHECK_DATE,    /* YYMMDD, a real day */
};

#define BARCODE_AI_MAX_PARTS 5

/* One component of an AI's data: "N6", "X..20", "[N3]". Only the last may vary in
 * length; nothing mandatory follows an optional one. */
struct barcode_ai_part {
    char cset;                /* 'N' digits, 'X' GS1 set 82, 'Y' set 39, 'Z' set 64 */
    unsigned char min, max;   /* length; min == max for a fixed length */
    unsigned char optional;
    unsigned char check;      /* enum barcode_ai_check */
};

struct barcode_ai {
    char ai[5];
    unsigned char predefined; /* predefined length: no FNC1 follows (GS1 GenSpecs 7.8.5) */
    unsigned char decimals;   /* the AI's last digit is the number of decimals */
    unsigned char nparts;
    struct barcode_ai_part part[BARCODE_AI_MAX_PARTS];
    const char *title;        /* GS1's data title, "GTIN", "USE BY or EXPIRY" */
};

/* The generated table (build/gen/gs1_ai.c), sorted by AI in byte order. */
extern const struct barcode_ai barcode_ai_table[];
extern const size_t barcode_ai_count;
/* The AI of exactly len (2-4) digits at ai, or NULL if GS1 defines none. */
const struct barcode_ai *barcode_ai_find(const char *ai, size_t len);

/* Defaults: 21 = item:5,weight:5/3 (the demo catalog's weighed items), 22 = item:5,price:5/2. */
void barcode_rules_default(struct barcode_rules *rules, int currency_exponent);
/* Parses a layout such as "item:5,weight:5/3", "item:4,check,price:5/2" or "none".
 * Returns 0, or -1 with a message in err. */
int barcode_layout_parse(const char *text, struct barcode_layout *out, char *err, size_t errlen);

/* Check digit helpers (digits only, n >= 2): the GS1 mod-10 check digit of the first
 * n-1 digits, and the GS1 price check digit of a 4- or 5-digit value (-1 otherwise). */
int barcode_gs1_check_digit(const char *digits, size_t n);
int barcode_price_check_digit(const char *digits, size_t n);
/* A barcode as a catalog may store it (the n bytes at code), whether from a CSV import or
 * the store server: printable ASCII without spaces, 1 to 48 characters; digits of a GTIN's
 * length (8, 12, 13 or 14: EAN-8, UPC-A, EAN-13, GTIN-14) must end in their GS1 check
 * digit.  Other codes (PLU, internal numbers) pass as they are.  0, or -1 with why. */
int barcode_catalog_check(const char *code, size_t n, char *why, size_t len);
/* UPC-E (8 digits, number system 0 or 1) to UPC-A (12 digits + NUL); -1 if not UPC-E. */
int barcode_upce_to_upca(const char *upce, char upca[13]);

#endif
