/* The NCR/SASI-style scale commands of scanner-scales (Datalogic Magellan, Zebra MP7000,
 * NCR RealScan) on their single-cable RS-232 / USB-COM interface: the till asks, the
 * scanner-scale answers one line ending in CR (a scanned code arrives on the same line,
 * prefixed otherwise, and is not this module's business).
 *
 *   till -> scale   "S11" CR   weight request
 *                   "S14" CR   status request
 *   scale -> till   "S11" wwwww CR   a stable weight: 5 digits in thousandths of a kg
 *                                    (metric, grams), or 4 digits in hundredths of a lb
 *                   "S14" s CR       status: 0 not ready, 1 weight unstable (motion),
 *                                    2 over capacity, 3 stable at zero, 4 stable with
 *                                    weight, 5 under zero
 *                   "S144" wwwww CR  "stable with weight" carries the weight
 *
 * From the Magellan scanner-scale's product reference guides (Datalogic, "Single Cable
 * RS-232" scale commands) as implemented by CORE-POS (github.com/CORE-POS/IS4C,
 * pos/is4c-nf/scale-drivers/drivers/NewMagellan/SPH_Magellan_Scale.cs, ParseData: S141
 * motion, S142 over capacity, S143 zero, S144 + weight, S145 under zero) and the Odoo
 * Magellan bridges that send b"S11\r".  The scale
 * itself never reports "below minimum": a stable weight under the configured minimum is
 * refused by the driver, not here.
 *
 * Parsing is strict (fuzzed by tests/fuzz_scale_ncr.c); lines that are not an answer are
 * garbage, skipped up to their CR. */
#ifndef TILL_DRIVERS_SCALE_NCR_H
#define TILL_DRIVERS_SCALE_NCR_H

#include <stddef.h>
#include <stdint.h>

#define NCR_MAX_LINE 32

enum ncr_kind { NCR_GARBAGE, NCR_WEIGHT, NCR_STATUS };

enum ncr_status {
    NCR_ST_NOT_READY = 0,
    NCR_ST_MOTION = 1,
    NCR_ST_OVER_CAPACITY = 2,
    NCR_ST_ZERO = 3,
    NCR_ST_WEIGHT = 4,
    NCR_ST_UNDER_ZERO = 5,
};

struct ncr_frame {
    enum ncr_kind kind;
    int metric;          /* NCR_WEIGHT: 1 grams, 0 hundredths of a pound */
    int64_t weight;      /* NCR_WEIGHT: grams (metric) or 1/100 lb */
    int status;          /* NCR_STATUS: enum ncr_status */
    char error[64];      /* NCR_GARBAGE */
};

/* Parses the first line at buf: bytes taken (> 0) with *f filled, or 0 when the line is
 * not complete yet.  LF before or after the CR is skipped. */
long ncr_parse(const uint8_t *buf, size_t len, struct ncr_frame *f);

size_t ncr_encode_weight_request(uint8_t *out, size_t cap);
size_t ncr_encode_status_request(uint8_t *out, size_t cap);
/* Scale -> till, for the simulated scale and the tests: metric weights only. */
size_t ncr_encode_weight(int64_t weight_g, uint8_t *out, size_t cap);
size_t ncr_encode_status(int status, uint8_t *out, size_t cap);
/* "S144" and the weight: the answer to S14 with a stable weight on the scale. */
size_t ncr_encode_stable_status(int64_t weight_g, uint8_t *out, size_t cap);

/* A till -> scale line as the simulated scale reads it: 11, 14, or -1 (garbage). */
long ncr_parse_request(const uint8_t *buf, size_t len, int *command);

const char *ncr_status_text(int status);

#endif
