/* USB receipt printers (printer class 7) read and written directly with libusb, inside
 * the loop: the job goes out on the bulk OUT endpoint as one asynchronous transfer, and a
 * bulk IN transfer is kept in flight for the printer's status answers (bidirectional
 * printers, protocol 2; a unidirectional one prints without status).
 *
 * printer.usb.vid_pid picks the printer (else the first printer-class device).  The
 * device is claimed on the first job and kept; an unplug (a transfer ending NO_DEVICE, or
 * hotplug LEFT) drops it and fails a job under way, and hotplug ARRIVED tells the engine
 * it is back, so the queue prints again without waiting for the next retry. */
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "drivers/printer.h"
#include "drivers/usb_loop.h"
#include "src/config.h"
#include "src/loop.h"

#define PRINTER_CLASS 7
#define IN_MAX 64
#define CLOSE_TRIES 50
#define STOP_DRAIN_MS 250

struct printer_usb {
    struct loop *loop;
    const struct printer_link *link;
    int have_vid_pid;
    uint16_t vid, pid;

    struct usb_loop usb;      /* libusb on the loop (drivers/usb_loop.c) */

    libusb_device *dev;
    libusb_device_handle *handle;
    int iface;
    uint8_t ep_out, ep_in;    /* ep_in 0: the printer cannot answer */
    struct libusb_transfer *out, *in;
    int out_busy, in_busy;
    unsigned char *out_buf;
    unsigned char in_buf[IN_MAX];
    int closing;              /* the device is being dropped: transfers are finishing */
    int close_tries;
    uint64_t close_timer;
    char lost_why[40];
};

static int on_hotplug(libusb_context *ctx, libusb_device *dev, libusb_hotplug_event event, void *user);

static int ensure_usb(struct printer_usb *u, char *why, size_t whylen)
{
    return usb_loop_open(&u->usb, u->loop, u->have_vid_pid, u->vid, u->pid, on_hotplug, u, why, whylen);
}

/* ---- finding the printer ---- */

static int find_interface(libusb_device *dev, void *ctx)
{
    struct printer_usb *u = ctx;
    struct libusb_config_descriptor *cfg = usb_loop_config(dev, u->have_vid_pid, u->vid, u->pid);
    if (!cfg)
        return 0;
    int found = 0;
    for (int i = 0; i < cfg->bNumInterfaces && !found; i++) {
        const struct libusb_interface_descriptor *alt = &cfg->interface[i].altsetting[0];
        if (cfg->interface[i].num_altsetting < 1 || alt->bInterfaceClass != PRINTER_CLASS)
            continue;
        uint8_t out = 0, in = 0;
        for (int e = 0; e < alt->bNumEndpoints; e++) {
            const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];
            if ((ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK)
                continue;
            if (ep->bEndpointAddress & LIBUSB_ENDPOINT_IN)
                in = in ? in : ep->bEndpointAddress;
            else
                out = out ? out : ep->bEndpointAddress;
        }
        if (out) {
            u->iface = alt->bInterfaceNumber;
            u->ep_out = out;
            u->ep_in = in;
            found = 1;
        }
    }
    libusb_free_config_descriptor(cfg);
    return found;
}

static void on_out(struct libusb_transfer *t);
static void on_in(struct libusb_transfer *t);

static void free_transfers(struct printer_usb *u)
{
    if (u->out && !u->out_busy) {
        libusb_free_transfer(u->out);
        u->out = NULL;
    }
    if (u->in && !u->in_busy) {
        libusb_free_transfer(u->in);
        u->in = NULL;
    }
    if (!u->out_busy) {
        free(u->out_buf);
        u->out_buf = NULL;
    }
}

static void close_now(struct printer_usb *u)
{
    if (u->close_timer)
        loop_cancel_timer(u->loop, u->close_timer);
    u->close_timer = 0;
    if (u->handle) {
        libusb_release_interface(u->handle, u->iface);
        libusb_close(u->handle);
        /* transfers libusb never finished will not call back on a closed handle */
        u->out_busy = u->in_busy = 0;
    }
    u->handle = NULL;
    free_transfers(u);
    if (u->dev)
        libusb_unref_device(u->dev);
    u->dev = NULL;
    u->closing = 0;
    u->close_tries = 0;
}

static void on_close_timer(struct loop *loop, void *ctx)
{
    struct printer_usb *u = ctx;
    u->close_timer = 0;
    if ((u->out_busy || u->in_busy) && ++u->close_tries < CLOSE_TRIES) {
        if (u->out_busy)
            libusb_cancel_transfer(u->out);
        if (u->in_busy)
            libusb_cancel_transfer(u->in);
        u->close_timer = loop_add_timer(u->loop, 10, on_close_timer, u);
        return;
    }
    close_now(u);
}

/* The device is gone or broken: the engine hears it once; the handle closes once
 * libusb has finished the transfers (from the loop, not inside libusb's callbacks). */
static void drop_device(struct printer_usb *u, const char *why)
{
    if (!u->handle || u->closing)
        return;
    u->closing = 1;
    snprintf(u->lost_why, sizeof u->lost_why, "%s", why);
    if (!u->close_timer)
        u->close_timer = loop_add_timer(u->loop, 0, on_close_timer, u);
    u->link->lost(u->link->ctx, why);
}

static int submit_in(struct printer_usb *u)
{
    if (!u->ep_in || u->in_busy)
        return 0;
    libusb_fill_bulk_transfer(u->in, u->handle, u->ep_in, u->in_buf, IN_MAX, on_in, u, 0);
    int rc = libusb_submit_transfer(u->in);
    if (rc == 0)
        u->in_busy = 1;
    return rc;
}

static int try_open(struct printer_usb *u, char *why, size_t whylen)
{
    if (ensure_usb(u, why, whylen))
        return -1;
    int rc;
    libusb_device *dev = usb_loop_find(&u->usb, find_interface, u, &rc);
    if (rc) {
        snprintf(why, whylen, "%s", usb_loop_strerror(rc));
        return -1;
    }
    if (!dev) {
        if (u->have_vid_pid)
            snprintf(why, whylen, "no USB printer %04x:%04x", u->vid, u->pid);
        else
            snprintf(why, whylen, "no USB printer");
        return -1;
    }
    u->dev = dev;
    rc = libusb_open(dev, &u->handle);
    if (rc) {
        u->handle = NULL;
        goto fail;
    }
    libusb_set_auto_detach_kernel_driver(u->handle, 1); /* usblp lets go while we print */
    rc = libusb_claim_interface(u->handle, u->iface);
    if (rc)
        goto fail;
    if ((!u->out && !(u->out = libusb_alloc_transfer(0))) || (!u->in && !(u->in = libusb_alloc_transfer(0)))) {
        rc = LIBUSB_ERROR_NO_MEM;
        goto fail;
    }
    rc = submit_in(u);
    if (rc)
        goto fail;
    return 0;
fail:
    snprintf(why, whylen, "%s", usb_loop_strerror(rc));
    close_now(u);
    return -1;
}

/* ---- transfers ---- */

static void on_out(struct libusb_transfer *t)
{
    struct printer_usb *u = t->user_data;
    u->out_busy = 0;
    free(u->out_buf);
    u->out_buf = NULL;
    if (u->closing || !u->handle)
        return;
    switch (t->status) {
    case LIBUSB_TRANSFER_COMPLETED:
        u->link->written(u->link->ctx);
        break;
    case LIBUSB_TRANSFER_CANCELLED:
        break; /* the engine gave up on this job */
    case LIBUSB_TRANSFER_NO_DEVICE:
        drop_device(u, "unplugged");
        break;
    default:
        drop_device(u, t->status == LIBUSB_TRANSFER_STALL ? "endpoint stalled" : "transfer error");
        break;
    }
}

static void on_in(struct libusb_transfer *t)
{
    struct printer_usb *u = t->user_data;
    u->in_busy = 0;
    if (u->closing || !u->handle)
        return;
    switch (t->status) {
    case LIBUSB_TRANSFER_COMPLETED:
    case LIBUSB_TRANSFER_TIMED_OUT:
        if (t->actual_length > 0)
            u->link->received(u->link->ctx, t->buffer, (size_t)t->actual_length);
        if (u->handle && !u->closing && submit_in(u))
            drop_device(u, "transfer failed");
        break;
    case LIBUSB_TRANSFER_NO_DEVICE:
        drop_device(u, "unplugged");
        break;
    case LIBUSB_TRANSFER_CANCELLED:
        break;
    default:
        drop_device(u, "transfer error");
        break;
    }
}

static int on_hotplug(libusb_context *ctx, libusb_device *dev, libusb_hotplug_event event, void *user)
{
    struct printer_usb *u = user;
    if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT && dev == u->dev)
        drop_device(u, "unplugged");
    else if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED && !u->handle)
        u->link->arrived(u->link->ctx);
    return 0;
}

/* ---- the driver ---- */

static int usb_open(void *priv, struct loop *loop, const struct config *cfg,
                    const struct printer_link *link, char *err, size_t errlen)
{
    struct printer_usb *u = priv;
    u->loop = loop;
    u->link = link;
    const char *vp = config_get(cfg, "printer.usb.vid_pid", "");
    if (*vp) {
        unsigned v, p;
        char extra;
        if (sscanf(vp, "%4x:%4x%c", &v, &p, &extra) != 2) {
            snprintf(err, errlen, "printer.usb.vid_pid must be VID:PID in hex as lsusb shows it, e.g. 04b8:0202 (got '%s')", vp);
            return -1;
        }
        u->vid = (uint16_t)v;
        u->pid = (uint16_t)p;
        u->have_vid_pid = 1;
    }
    char why[64];
    ensure_usb(u, why, sizeof why); /* for hotplug; failing here is retried on connect */
    return 0;
}

static void usb_connect(void *priv)
{
    struct printer_usb *u = priv;
    char why[64];
    if (u->closing) {
        u->link->connect_failed(u->link->ctx, u->lost_why);
        return;
    }
    if (!u->handle && try_open(u, why, sizeof why)) {
        u->link->connect_failed(u->link->ctx, why);
        return;
    }
    u->link->connected(u->link->ctx);
}

static int usb_write(void *priv, const unsigned char *p, size_t n)
{
    struct printer_usb *u = priv;
    if (!u->handle || u->closing || u->out_busy || n > INT32_MAX)
        return -1;
    u->out_buf = malloc(n);
    if (!u->out_buf)
        return -1;
    memcpy(u->out_buf, p, n);
    libusb_fill_bulk_transfer(u->out, u->handle, u->ep_out, u->out_buf, (int)n, on_out, u, 0);
    int rc = libusb_submit_transfer(u->out);
    if (rc) {
        free(u->out_buf);
        u->out_buf = NULL;
        if (rc == LIBUSB_ERROR_NO_DEVICE)
            drop_device(u, "unplugged");
        return -1;
    }
    u->out_busy = 1;
    return 0;
}

static int usb_can_read(void *priv)
{
    struct printer_usb *u = priv;
    /* before the first connection: assume a bidirectional printer until seen */
    return !u->handle || u->ep_in != 0;
}

/* The device stays claimed between jobs; a job given up on has its transfer cancelled
 * (what the printer already took, it prints). */
static void usb_disconnect(void *priv, int abort)
{
    struct printer_usb *u = priv;
    if (abort && u->out_busy)
        libusb_cancel_transfer(u->out);
}

static void usb_close(void *priv)
{
    struct printer_usb *u = priv;
    if (!u->usb.usb)
        return;
    if (u->out_busy)
        libusb_cancel_transfer(u->out);
    if (u->in_busy)
        libusb_cancel_transfer(u->in);
    for (int waited = 0; (u->out_busy || u->in_busy) && waited < STOP_DRAIN_MS; waited += 10)
        usb_loop_pump(&u->usb, 10);
    close_now(u);
    usb_loop_close(&u->usb);
}

const struct printer_ops printer_usb_ops = {
    .drv = { DRIVER_PRINTER, PRINTER_OPS_VERSION, sizeof(struct printer_usb), "usb" },
    .open = usb_open,
    .connect = usb_connect,
    .write = usb_write,
    .can_read = usb_can_read,
    .disconnect = usb_disconnect,
    .close = usb_close,
};
