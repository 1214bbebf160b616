/* The serial scale engine behind the "dialog06" and "ncr" scale drivers (and "sim", which
 * runs it against the simulated scale's pseudo-terminal): the port is a non-blocking fd on
 * the loop, set up with termios (7E1, 7O1 or 8N1 and the baud rate from config); every
 * request has an answer timeout on a loop timer; a port that goes away is reopened at the
 * next weighing.
 *
 * Config keys under the driver's prefix ("scale"):
 *   device          /dev/ttyUSB0 (the sim driver sets its own)
 *   baud            9600
 *   format          7E1 | 7O1 | 8N1   (default 7E1; the scale's own set-up says which)
 *   timeout_ms      1000   an answer later than this is "no answer"
 *   poll_ms         200    between requests while the scale is in motion or empty
 *   min_g           0      NCR: a stable weight under this is refused (Dialog 06 scales
 *                          refuse it themselves, status 30)
 *   checksum_table  path   Dialog 06: the checksum table the scale's maker issued for
 *                          this till, 256 lines of 16 printable ASCII characters */
#ifndef TILL_DRIVERS_SCALE_SERIAL_H
#define TILL_DRIVERS_SCALE_SERIAL_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/scale.h"
#include "drivers/scale_dialog06.h"

struct loop;
struct config;

enum scale_proto { SCALE_PROTO_DIALOG06, SCALE_PROTO_NCR };

enum scale_step { SCALE_IDLE, SCALE_WAIT_ACK, SCALE_WAIT_DATA, SCALE_WAIT_CHECKSUM_ACK, SCALE_PAUSE };

struct scale_serial {
    struct loop *loop;
    enum scale_proto proto;
    char device[256];
    int baud;
    char format[4];
    int timeout_ms, poll_ms;
    int64_t min_g;
    int has_table;
    uint8_t table[256][D06_CHECKSUM_LEN];
    int fd;                      /* -1: closed */
    char last[256];              /* the last thing that happened, for status */
    /* the weighing in progress */
    enum scale_step step;
    scale_cb cb;
    void *ctx;
    int64_t unit_price, tare_g;
    char text[D06_TEXT_MAX + 1];
    int naks, checksums;
    uint64_t timer;
    uint8_t in[256];
    size_t inlen;
    uint8_t out[128];
    size_t outlen;
};

/* Reads the config (the device from cfg unless device is given) and opens the port if it
 * is there; a port that is not there yet is not an error (the weighing says so). */
int scale_serial_setup(struct scale_serial *s, struct loop *loop, enum scale_proto proto, const char *device,
                       const struct config *cfg, const char *prefix, char *err, size_t errlen);
void scale_serial_close(struct scale_serial *s);
int scale_serial_weigh(struct scale_serial *s, int64_t unit_price, int64_t tare_g, const char *text, scale_cb cb,
                       void *ctx);
void scale_serial_cancel(struct scale_serial *s);
void scale_serial_status(struct scale_serial *s, char *text, size_t len);

/* A checksum table file (see above) into table; 0, or -1 with a message. */
int scale_checksum_table_load(const char *path, uint8_t table[256][D06_CHECKSUM_LEN], char *err, size_t errlen);

#endif
