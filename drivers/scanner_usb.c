/* USB HID barcode scanners read directly with libusb, inside Till's one event loop.
 *
 * libusb's file descriptors are watched by the loop (pollfd notifiers) and its events
 * handled with a zero timeout, so nothing here waits.  The scanner's interrupt-IN endpoint
 * has one asynchronous transfer in flight; each completed report goes to the HID decoder
 * (boot keyboard or HID POS) and complete scans to on_scan.
 *
 * Connection: a lost device (transfer NO_DEVICE/error, or a hotplug LEFT event) closes
 * the handle and reports "scanner disconnected"; a loop timer then looks for the device
 * every scanner.usb.retry_ms, sooner when hotplug reports an arrival.  The open sale is
 * not touched: scans simply resume on reconnect. */
#include <libusb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "drivers/hid_decode.h"
#include "drivers/scanner.h"
#include "drivers/usb_loop.h"
#include "src/config.h"
#include "src/loop.h"

#define HID_CLASS 3
#define HID_SUBCLASS_BOOT 1
#define HID_PROTOCOL_KEYBOARD 1
#define HID_PROTOCOL_MOUSE 2
#define REPORT_MAX 64
#define STOP_DRAIN_MS 250
#define REPORT_DESC_MAX 1024
#define MAX_REJECTED 8
#define CLOSE_TRIES 50
/* After losing the device in the middle of a scan, the rest of that scan may still come
 * once it is back: a scan starting this soon after reconnecting is dropped rather than
 * sold as a shorter, wrong code.  The cashier scans again. */
#define RESUME_GUARD_MS 1000

enum usb_match { MATCH_ANY_HID, MATCH_BOOT_KEYBOARD, MATCH_POS };

enum conn_state {
    CONN_IDLE,        /* not started */
    CONN_WAITING,     /* no device: the retry timer is armed */
    CONN_PROBING,     /* HID POS: reading the report descriptor */
    CONN_CONNECTED,   /* transfer in flight */
    CONN_CLOSING,     /* the device is gone; the handle closes on the next loop turn */
};

struct scanner_usb {
    struct loop *loop;
    struct scanner_events ev;
    struct usb_loop usb;      /* libusb on the loop (drivers/usb_loop.c) */

    /* configuration */
    int have_vid_pid;
    uint16_t vid, pid;
    enum usb_match match;
    enum hid_layout layout;
    int retry_ms;

    /* connection */
    enum conn_state state;
    libusb_device *dev;
    libusb_device_handle *handle;
    int iface;
    uint8_t endpoint;
    int report_len;
    int is_keyboard;          /* boot keyboard reports, else HID POS reports */
    struct libusb_transfer *xfer;
    int xfer_busy;            /* submitted and its callback not yet run */
    unsigned char buf[REPORT_MAX];
    /* The control transfer on the side: SET_PROTOCOL(boot) for a keyboard, the report
     * descriptor for HID POS. */
    struct libusb_transfer *ctrl;
    int ctrl_busy;
    unsigned char ctrl_buf[LIBUSB_CONTROL_SETUP_SIZE + REPORT_DESC_MAX];
    uint16_t report_desc_len;
    int close_tries;
    libusb_device *rejected[MAX_REJECTED];   /* HID devices found not to be POS scanners */
    int nrejected;
    char lost_reason[40];
    uint64_t retry_timer, close_timer;
    int stopping;

    enum scanner_state reported;
    char reported_text[64];
    int reported_once;

    struct hid_kbd_decoder kbd;
    struct hid_pos_decoder pos;
    int lost_mid_scan;
    int64_t guard_until_ms;   /* scans starting before this are dropped */
    int64_t scan_started_ms;
    unsigned dropped_partial;
};

static void report_status(struct scanner_usb *s, enum scanner_state st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report_status(struct scanner_usb *s, enum scanner_state st, const char *fmt, ...)
{
    char text[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    /* The retry timer would repeat the same words every second: say them once. */
    if (s->reported_once && s->reported == st && strcmp(s->reported_text, text) == 0)
        return;
    s->reported_once = 1;
    s->reported = st;
    snprintf(s->reported_text, sizeof s->reported_text, "%s", text);
    if (s->ev.on_status)
        s->ev.on_status(s->ev.ctx, st, text);
}

static void on_decoded(void *ctx, const char *scan)
{
    struct scanner_usb *s = ctx;
    if (s->scan_started_ms < s->guard_until_ms) {
        s->dropped_partial++;
        return;
    }
    if (s->ev.on_scan)
        s->ev.on_scan(s->ev.ctx, scan);
}

/* ---- finding the scanner ---- */

struct candidate {
    int iface;
    uint8_t endpoint;
    int report_len;
    int is_keyboard;
    uint16_t report_desc_len;
};

/* The report descriptor's length, from the HID class descriptor after the interface. */
static uint16_t report_descriptor_length(const struct libusb_interface_descriptor *alt)
{
    const unsigned char *x = alt->extra;
    for (int i = 0; i + 9 <= alt->extra_length && x[i] >= 2; i += x[i])
        if (x[i + 1] == 0x21 && x[i] >= 9 && x[i + 6] == 0x22)
            return (uint16_t)(x[i + 7] | x[i + 8] << 8);
    return 0;
}

static int interface_matches(const struct libusb_interface_descriptor *alt, enum usb_match match,
                             struct candidate *out)
{
    if (alt->bInterfaceClass != HID_CLASS)
        return 0;
    int boot_kbd = alt->bInterfaceSubClass == HID_SUBCLASS_BOOT &&
                   alt->bInterfaceProtocol == HID_PROTOCOL_KEYBOARD;
    int boot_mouse = alt->bInterfaceSubClass == HID_SUBCLASS_BOOT &&
                     alt->bInterfaceProtocol == HID_PROTOCOL_MOUSE;
    if (boot_mouse || (match == MATCH_BOOT_KEYBOARD && !boot_kbd) || (match == MATCH_POS && boot_kbd))
        return 0;
    for (int e = 0; e < alt->bNumEndpoints; e++) {
        const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];
        if ((ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_INTERRUPT ||
            !(ep->bEndpointAddress & LIBUSB_ENDPOINT_IN))
            continue;
        out->iface = alt->bInterfaceNumber;
        out->endpoint = ep->bEndpointAddress;
        out->report_len = ep->wMaxPacketSize > REPORT_MAX ? REPORT_MAX : ep->wMaxPacketSize;
        if (out->report_len < 8)
            out->report_len = 8;
        out->is_keyboard = boot_kbd;
        out->report_desc_len = report_descriptor_length(alt);
        return 1;
    }
    return 0;
}

/* The first interface of dev that fits the configured match, from the cached descriptors
 * (no I/O to the device). */
static int device_matches(struct scanner_usb *s, libusb_device *dev, struct candidate *out)
{
    for (int i = 0; i < s->nrejected; i++)
        if (s->rejected[i] == dev)
            return 0;
    struct libusb_config_descriptor *cfg = usb_loop_config(dev, s->have_vid_pid, s->vid, s->pid);
    if (!cfg)
        return 0;
    int found = 0;
    for (int i = 0; i < cfg->bNumInterfaces && !found; i++)
        for (int a = 0; a < cfg->interface[i].num_altsetting && !found; a++)
            found = interface_matches(&cfg->interface[i].altsetting[a], s->match, out);
    libusb_free_config_descriptor(cfg);
    return found;
}

struct match_ctx {
    struct scanner_usb *s;
    struct candidate found;
};

static int match_device(libusb_device *dev, void *ctx)
{
    struct match_ctx *m = ctx;
    return device_matches(m->s, dev, &m->found);
}

static void describe_wanted(struct scanner_usb *s, char *out, size_t len)
{
    if (s->have_vid_pid)
        snprintf(out, len, "no device %04x:%04x", s->vid, s->pid);
    else
        snprintf(out, len, "no %s scanner", s->match == MATCH_POS ? "HID POS" : "boot-keyboard");
}

static void on_transfer(struct libusb_transfer *t);
static void schedule_retry(struct scanner_usb *s, int delay_ms);
static int on_hotplug(libusb_context *ctx, libusb_device *dev, libusb_hotplug_event event, void *user);
static int ensure_usb(struct scanner_usb *s, char *why, size_t whylen);

static void close_device(struct scanner_usb *s)
{
    if (s->close_timer)
        loop_cancel_timer(s->loop, s->close_timer);
    s->close_timer = 0;
    s->close_tries = 0;
    if (s->handle) {
        /* On an unplugged device this fails harmlessly; otherwise usbhid gets it back. */
        libusb_release_interface(s->handle, s->iface);
        libusb_close(s->handle);
        /* libusb drops transfers still in flight on a closed handle (only when the close
         * timer gave up on them): they will never call back. */
        s->xfer_busy = 0;
        s->ctrl_busy = 0;
    }
    s->handle = NULL;
    if (s->xfer && !s->xfer_busy) {
        libusb_free_transfer(s->xfer);
        s->xfer = NULL;
    }
    if (s->ctrl && !s->ctrl_busy) {
        libusb_free_transfer(s->ctrl);
        s->ctrl = NULL;
    }
    if (s->dev)
        libusb_unref_device(s->dev);
    s->dev = NULL;
}

static int submit(struct scanner_usb *s)
{
    int rc = libusb_submit_transfer(s->xfer);
    if (rc == 0)
        s->xfer_busy = 1;
    return rc;
}

static void on_ctrl(struct libusb_transfer *t);

static void now_connected(struct scanner_usb *s)
{
    s->state = CONN_CONNECTED;
    s->guard_until_ms = s->lost_mid_scan ? loop_now_ms(s->loop) + RESUME_GUARD_MS : 0;
    s->lost_mid_scan = 0;
}

static int submit_ctrl(struct scanner_usb *s, uint8_t request_type, uint8_t request,
                       uint16_t value, uint16_t length)
{
    if (!s->ctrl && !(s->ctrl = libusb_alloc_transfer(0)))
        return LIBUSB_ERROR_NO_MEM;
    libusb_fill_control_setup(s->ctrl_buf, request_type, request, value, (uint16_t)s->iface, length);
    libusb_fill_control_transfer(s->ctrl, s->handle, s->ctrl_buf, on_ctrl, s, 2000);
    int rc = libusb_submit_transfer(s->ctrl);
    if (rc == 0)
        s->ctrl_busy = 1;
    return rc;
}

/* HID SET_PROTOCOL(boot): a boot keyboard may start in report protocol.  Asynchronous, and
 * its outcome does not matter: a scanner that refuses it still sends boot reports. */
static void set_boot_protocol(struct scanner_usb *s)
{
    submit_ctrl(s, LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE | LIBUSB_ENDPOINT_OUT,
                0x0B, 0, 0);
}

/* GET_DESCRIPTOR(Report) for a HID POS interface: where its scans sit in a report. */
static int get_report_descriptor(struct scanner_usb *s)
{
    uint16_t len = s->report_desc_len ? s->report_desc_len : 512;
    if (len > REPORT_DESC_MAX)
        len = REPORT_DESC_MAX;
    return submit_ctrl(s, LIBUSB_ENDPOINT_IN | LIBUSB_RECIPIENT_INTERFACE,
                       LIBUSB_REQUEST_GET_DESCRIPTOR, 0x2200, len);
}

static int try_connect(struct scanner_usb *s, char *why, size_t whylen)
{
    struct match_ctx m = { s, { 0 } };
    int rc;
    libusb_device *dev = usb_loop_find(&s->usb, match_device, &m, &rc);
    if (rc) {
        snprintf(why, whylen, "%s", usb_loop_strerror(rc));
        return -1;
    }
    const struct candidate c = m.found;
    if (!dev) {
        describe_wanted(s, why, whylen);
        return -1;
    }
    s->dev = dev;
    s->iface = c.iface;
    s->endpoint = c.endpoint;
    s->report_len = c.report_len;
    s->is_keyboard = c.is_keyboard;
    s->report_desc_len = c.report_desc_len;

    rc = libusb_open(dev, &s->handle);
    if (rc) {
        s->handle = NULL;
        goto fail;
    }
    libusb_set_auto_detach_kernel_driver(s->handle, 1); /* NOT_SUPPORTED off Linux: fine */
    rc = libusb_claim_interface(s->handle, s->iface);
    if (rc)
        goto fail;
    if (!s->xfer && !(s->xfer = libusb_alloc_transfer(0))) {
        rc = LIBUSB_ERROR_NO_MEM;
        goto fail;
    }
    libusb_fill_interrupt_transfer(s->xfer, s->handle, s->endpoint, s->buf, s->report_len,
                                   on_transfer, s, 0);
    hid_kbd_reset(&s->kbd);
    hid_pos_init(&s->pos, NULL, on_decoded, s);
    s->lost_reason[0] = 0;
    if (!s->is_keyboard) {
        /* Reading starts once the descriptor says where the scan is (on_ctrl). */
        rc = get_report_descriptor(s);
        if (rc)
            goto fail;
        s->state = CONN_PROBING;
        return 0;
    }
    set_boot_protocol(s);
    rc = submit(s);
    if (rc)
        goto fail;
    now_connected(s);
    return 0;
fail:
    snprintf(why, whylen, "%s", usb_loop_strerror(rc));
    close_device(s);
    return -1;
}

static void on_retry(struct loop *loop, void *ctx)
{
    struct scanner_usb *s = ctx;
    char why[48];
    s->retry_timer = 0;
    if (s->state != CONN_WAITING)
        return;
    if (ensure_usb(s, why, sizeof why) == 0 && try_connect(s, why, sizeof why) == 0) {
        if (s->state == CONN_CONNECTED)
            report_status(s, SCANNER_CONNECTED, "scanner connected");
        return;
    }
    report_status(s, SCANNER_DISCONNECTED, "scanner disconnected: %s", why);
    schedule_retry(s, s->retry_ms);
}

static void schedule_retry(struct scanner_usb *s, int delay_ms)
{
    s->state = CONN_WAITING;
    if (s->retry_timer)
        loop_cancel_timer(s->loop, s->retry_timer);
    s->retry_timer = loop_add_timer(s->loop, delay_ms, on_retry, s);
}

static void cancel_transfers(struct scanner_usb *s)
{
    if (s->xfer_busy)
        libusb_cancel_transfer(s->xfer);
    if (s->ctrl_busy)
        libusb_cancel_transfer(s->ctrl);
}

/* Closes once no transfer is in flight (libusb must finish them first), checking again
 * every 10 ms rather than waiting. */
static void on_close_timer(struct loop *loop, void *ctx)
{
    struct scanner_usb *s = ctx;
    s->close_timer = 0;
    if ((s->xfer_busy || s->ctrl_busy) && ++s->close_tries < CLOSE_TRIES) {
        cancel_transfers(s);
        s->close_timer = loop_add_timer(s->loop, 10, on_close_timer, s);
        return;
    }
    s->close_tries = 0;
    close_device(s);
    report_status(s, SCANNER_DISCONNECTED, "scanner disconnected: %s", s->lost_reason);
    schedule_retry(s, s->retry_ms);
}

/* The device went away (or broke): close it outside libusb's event handling. */
static void device_lost(struct scanner_usb *s, const char *reason)
{
    if (s->state != CONN_CONNECTED && s->state != CONN_PROBING)
        return;
    if (reason != s->lost_reason)
        snprintf(s->lost_reason, sizeof s->lost_reason, "%s", reason);
    s->lost_mid_scan |= s->kbd.len > 0 || s->pos.len > 0;
    s->state = CONN_CLOSING;
    if (!s->stopping && !s->close_timer)
        s->close_timer = loop_add_timer(s->loop, 0, on_close_timer, s);
}

static void on_transfer(struct libusb_transfer *t)
{
    struct scanner_usb *s = t->user_data;
    s->xfer_busy = 0;
    if (s->state != CONN_CONNECTED)
        return; /* stopping or closing: close_device frees it */
    switch (t->status) {
    case LIBUSB_TRANSFER_COMPLETED: {
        /* A report longer than the buffer cannot arrive: libusb caps actual_length. */
        size_t len = (size_t)t->actual_length;
        if ((s->is_keyboard ? s->kbd.len : s->pos.len) == 0)
            s->scan_started_ms = loop_now_ms(s->loop);
        if (s->is_keyboard)
            hid_kbd_feed(&s->kbd, t->buffer, len);
        else
            hid_pos_feed(&s->pos, t->buffer, len);
        break;
    }
    case LIBUSB_TRANSFER_TIMED_OUT:
        break;
    case LIBUSB_TRANSFER_NO_DEVICE:
        device_lost(s, "unplugged");
        return;
    case LIBUSB_TRANSFER_CANCELLED: /* not by us: closing returns above */
        device_lost(s, s->lost_reason[0] ? s->lost_reason : "unplugged");
        return;
    default:
        device_lost(s, t->status == LIBUSB_TRANSFER_STALL ? "endpoint stalled" : "transfer error");
        return;
    }
    /* on_scan may have stopped us */
    if (s->state == CONN_CONNECTED && submit(s))
        device_lost(s, "transfer failed");
}

static void reject_device(struct scanner_usb *s)
{
    if (s->nrejected < MAX_REJECTED)
        s->rejected[s->nrejected++] = libusb_ref_device(s->dev);
}

static void on_ctrl(struct libusb_transfer *t)
{
    struct scanner_usb *s = t->user_data;
    s->ctrl_busy = 0;
    if (s->state != CONN_PROBING)
        return; /* SET_PROTOCOL done, or closing */
    if (t->status == LIBUSB_TRANSFER_NO_DEVICE || t->status == LIBUSB_TRANSFER_CANCELLED) {
        device_lost(s, "unplugged");
        return;
    }
    struct hid_pos_layout layout;
    int is_pos = t->status == LIBUSB_TRANSFER_COMPLETED &&
                 hid_pos_layout_from_descriptor(libusb_control_transfer_get_data(t),
                                                (size_t)t->actual_length, &layout) == 0;
    if (!is_pos && !s->have_vid_pid) {
        /* Any HID device could have answered match = pos: look further. */
        reject_device(s);
        s->state = CONN_CONNECTED;
        device_lost(s, "no HID POS scanner");
        return;
    }
    /* The configured device: its descriptor or, failing that, the common layout. */
    hid_pos_init(&s->pos, is_pos ? &layout : NULL, on_decoded, s);
    if (submit(s)) {
        device_lost(s, "unplugged");
        return;
    }
    now_connected(s);
    report_status(s, SCANNER_CONNECTED, "scanner connected");
}

static int on_hotplug(libusb_context *ctx, libusb_device *dev, libusb_hotplug_event event, void *user)
{
    struct scanner_usb *s = user;
    if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT && dev == s->dev &&
        (s->state == CONN_CONNECTED || s->state == CONN_PROBING)) {
        /* Without waiting for the transfers: the close timer cancels them and waits. */
        device_lost(s, "unplugged");
    } else if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED && s->state == CONN_WAITING) {
        schedule_retry(s, 0);
    }
    return 0;
}

/* ---- the vtable ---- */

static int parse_vid_pid(const char *text, uint16_t *vid, uint16_t *pid)
{
    char *end;
    long v = strtol(text, &end, 16);
    if (end == text || *end != ':' || v < 0 || v > 0xffff)
        return -1;
    const char *p = end + 1;
    long d = strtol(p, &end, 16);
    if (end == p || *end || d < 0 || d > 0xffff)
        return -1;
    *vid = (uint16_t)v;
    *pid = (uint16_t)d;
    return 0;
}

static int read_config(struct scanner_usb *s, const struct config *cfg, char *err, size_t errlen)
{
    const char *vp = config_get(cfg, "scanner.usb.vid_pid", "");
    if (*vp) {
        if (parse_vid_pid(vp, &s->vid, &s->pid)) {
            snprintf(err, errlen, "scanner.usb.vid_pid must be VID:PID in hex as lsusb shows it, e.g. 05e0:1200 (got '%s')", vp);
            return -1;
        }
        s->have_vid_pid = 1;
    }
    const char *m = config_get(cfg, "scanner.usb.match", "");
    if (!*m || strcasecmp(m, "any") == 0)
        s->match = MATCH_ANY_HID;
    else if (strcasecmp(m, "boot-keyboard") == 0)
        s->match = MATCH_BOOT_KEYBOARD;
    else if (strcasecmp(m, "pos") == 0)
        s->match = MATCH_POS;
    else {
        snprintf(err, errlen, "scanner.usb.match must be boot-keyboard or pos (got '%s')", m);
        return -1;
    }
    if (!s->have_vid_pid && s->match == MATCH_ANY_HID) {
        snprintf(err, errlen, "scanner.kind = usb needs scanner.usb.vid_pid (see lsusb) or scanner.usb.match = boot-keyboard|pos");
        return -1;
    }
    const char *layout = config_get(cfg, "scanner.usb.layout", "us");
    if (hid_layout_from_name(layout, &s->layout)) {
        snprintf(err, errlen, "scanner.usb.layout must be us or de (got '%s')", layout);
        return -1;
    }
    long long ms;
    if (config_get_int(cfg, "scanner.usb.retry_ms", 1000, &ms) || ms < 10 || ms > 600000) {
        snprintf(err, errlen, "scanner.usb.retry_ms must be milliseconds between 10 and 600000");
        return -1;
    }
    s->retry_ms = (int)ms;
    return 0;
}

/* libusb itself: set up on start, and again on each retry if that failed. */
static int ensure_usb(struct scanner_usb *s, char *why, size_t whylen)
{
    return usb_loop_open(&s->usb, s->loop, s->have_vid_pid, s->vid, s->pid, on_hotplug, s, why, whylen);
}

static int usb_open(void *priv, struct loop *loop, const struct config *cfg,
                    const struct scanner_events *ev, char *err, size_t errlen)
{
    struct scanner_usb *s = priv;
    s->loop = loop;
    s->ev = *ev;
    if (read_config(s, cfg, err, errlen))
        return -1;
    hid_kbd_init(&s->kbd, s->layout, on_decoded, s);
    hid_pos_init(&s->pos, NULL, on_decoded, s);
    return 0;
}

static int usb_start(void *priv)
{
    struct scanner_usb *s = priv;
    if (s->state != CONN_IDLE)
        return 0;
    s->stopping = 0;
    s->state = CONN_WAITING;
    on_retry(s->loop, s);
    return 0;
}

/* Cancels the transfer and lets libusb finish it, briefly: only at shutdown or when the
 * driver is switched off, never while selling. */
static void drain_transfer(struct scanner_usb *s)
{
    cancel_transfers(s);
    for (int waited = 0; (s->xfer_busy || s->ctrl_busy) && waited < STOP_DRAIN_MS; waited += 10)
        usb_loop_pump(&s->usb, 10);
}

static void usb_stop(void *priv)
{
    struct scanner_usb *s = priv;
    if (s->state == CONN_IDLE)
        return;
    s->stopping = 1;
    if (s->retry_timer)
        loop_cancel_timer(s->loop, s->retry_timer);
    s->retry_timer = 0;
    s->state = CONN_IDLE;
    drain_transfer(s);
    close_device(s);
}

static void usb_close(void *priv)
{
    struct scanner_usb *s = priv;
    usb_stop(s);
    if (!s->usb.usb)
        return;
    for (int i = 0; i < s->nrejected; i++)
        libusb_unref_device(s->rejected[i]);
    s->nrejected = 0;
    usb_loop_close(&s->usb);
}

const struct scanner_ops scanner_usb_ops = {
    .drv = { DRIVER_SCANNER, SCANNER_OPS_VERSION, sizeof(struct scanner_usb), "usb" },
    .open = usb_open,
    .start = usb_start,
    .stop = usb_stop,
    .close = usb_close,
};
