/* Receipt printers: one driver per way of reaching the printer (USB printer class, raw
 * TCP port 9100, a character device such as /dev/usb/lp0, a file), chosen by
 * printer.driver.  A driver only moves bytes; the engine here (drivers/printer.c) runs
 * each job the same way on every driver, inside the loop, never blocking:
 *
 *   connect -> DLE EOT 1..4 (is there paper? cover shut? online?) -> the job's bytes
 *           -> DLE EOT 1..4 again (did it print to the end?) -> done
 *
 * A job succeeds only when the printer confirms it (for a driver that cannot read back,
 * when the bytes are written).  Any condition (paper out, cover open), a refused or lost
 * connection, or printer.timeout_ms without progress fails the job with a message the
 * cashier can act on; the caller keeps it queued.  Nothing is retried here. */
#ifndef TILL_PRINTER_H
#define TILL_PRINTER_H

#include <stddef.h>

#include "core/escpos_status.h"
#include "drivers/registry.h"

struct loop;
struct config;
struct printer;

/* What a driver tells the engine (the engine's callbacks; ctx is the engine's). */
struct printer_link {
    void (*connected)(void *ctx);
    void (*connect_failed)(void *ctx, const char *why);
    void (*received)(void *ctx, const unsigned char *p, size_t n);  /* bytes from the printer */
    void (*written)(void *ctx);                  /* every byte handed to write has gone */
    void (*lost)(void *ctx, const char *why);    /* the connection broke */
    void (*arrived)(void *ctx);                  /* the printer appeared (hotplug) */
    void *ctx;
};

#define PRINTER_OPS_VERSION 1

struct printer_ops {
    struct driver_header drv; /* kind, version, private size, config name: printer.driver = tcp */
    /* Reads the driver's config; fails only for a configuration error. */
    int (*open)(void *priv, struct loop *loop, const struct config *cfg,
                const struct printer_link *link, char *err, size_t errlen);
    /* Starts connecting: connected or connect_failed follows, possibly before it returns. */
    void (*connect)(void *priv);
    /* Copies the bytes and sends them as the printer takes them; written when done. */
    int (*write)(void *priv, const unsigned char *p, size_t n);
    /* Whether the printer's answers can be read back (DLE EOT status). */
    int (*can_read)(void *priv);
    /* Ends the connection after a job (a USB printer stays claimed). */
    void (*disconnect)(void *priv, int abort);
    void (*close)(void *priv);
};

/* What the engine tells its owner. */
struct printer_events {
    /* The job handed to printer_print ended: ok, or why not ("paper out"). */
    void (*job_done)(void *ctx, int ok, const char *why);
    /* A fresh status: after each status read, on connection changes.  text is for the
     * status bar: "printer ok", "printer: paper out", "printer not connected: ...". */
    void (*status)(void *ctx, const struct printer_status *st, const char *text);
    /* Nothing runs any more: the next job can start. */
    void (*idle)(void *ctx);
    void *ctx;
};

enum printer_job_flags {
    PRINTER_JOB_ANY_PAPER = 1,   /* a drawer kick: goes out whatever the paper does */
};

int printer_open(const char *driver, struct loop *loop, const struct config *cfg,
                 const struct printer_events *ev, struct printer **out, char *err, size_t errlen);
/* NULL is fine. */
void printer_close(struct printer *p);
/* Starts one job (the bytes are copied); -1 while another job or status query runs. */
int printer_print(struct printer *p, const unsigned char *bytes, size_t len, unsigned flags);
/* The cash drawer's kick pulse (ESC p): sent as soon as the printer is free, ahead of
 * any receipt, whatever the paper does.  pin 2 or 5, times in ms. */
int printer_kick(struct printer *p, int pin, int on_ms, int off_ms);
/* Asks for the status only (paper replaced? drawer shut?); -1 while busy. */
int printer_query_status(struct printer *p);
int printer_busy(const struct printer *p);
/* The last status the printer reported; answered == 0 if it never did. */
const struct printer_status *printer_last_status(const struct printer *p);
/* Whether the driver can read status at all (a file cannot). */
int printer_reads_status(const struct printer *p);
const char *printer_driver_name(const struct printer *p);

extern const struct printer_ops printer_usb_ops;
extern const struct printer_ops printer_tcp_ops;
extern const struct printer_ops printer_device_ops;
extern const struct printer_ops printer_file_ops;

#endif
