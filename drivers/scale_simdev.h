/* A simulated scale device on a pseudo-terminal (openpty): the scale end of the line, on
 * the loop, answering Dialog 06 or NCR requests from the till end (the pty's slave, which
 * the serial driver opens like /dev/ttyUSB0).  The "sim" scale driver runs one; the tests
 * drive the real serial drivers against one.
 *
 * Scripted: a comma-separated list of steps, each "state[=grams][/ms]"; a step with /ms
 * lasts that long after it began (the first request it answers), one without lasts until
 * the script is replaced; the last step stays.
 *   stable=G     a stable weight of G grams
 *   motion       in motion (no equilibrium)
 *   under_zero, overload, below_min, empty
 *   silent       no answer at all
 *   garbage      bytes that are no frame
 *   checksum     Dialog 06: asks for the checksum (record 11); a right answer moves on
 *   unplug       the line goes away (the pty's master is closed)
 * e.g. "motion/300,stable=1234". */
#ifndef TILL_DRIVERS_SCALE_SIMDEV_H
#define TILL_DRIVERS_SCALE_SIMDEV_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/scale_dialog06.h"
#include "drivers/scale_serial.h"

struct loop;
struct scale_simdev;

/* Opens the pty and starts answering; the till end's path in slave (e.g. /dev/pts/7). */
struct scale_simdev *scale_simdev_open(struct loop *loop, enum scale_proto proto, const char *script,
                                       char *slave, size_t slave_len, char *err, size_t errlen);
void scale_simdev_close(struct scale_simdev *d);
/* Replaces the script (from its first step); 0 or -1 with a message. */
int scale_simdev_script(struct scale_simdev *d, const char *script, char *err, size_t errlen);
/* The table the simulated scale checks record 10 against (default: row r is "ROW" and r
 * in 13 hex digits). */
void scale_simdev_table(struct scale_simdev *d, const uint8_t table[256][D06_CHECKSUM_LEN]);
/* The simulator's default table, to hand the driver the same. */
void scale_simdev_default_table(uint8_t table[256][D06_CHECKSUM_LEN]);
/* What the till asked so far, for the tests. */
struct scale_simdev_stats {
    unsigned prices, requests, checksums_ok, checksums_bad, garbage_in;
    int64_t last_price, last_tare;
};
void scale_simdev_stats(const struct scale_simdev *d, struct scale_simdev_stats *st);

#endif
