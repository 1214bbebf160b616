/* libusb on the one loop: its file descriptors watched by the loop, its next timeout
 * honoured before each poll (when it has no timerfd of its own), and hotplug events
 * registered, so that nothing of libusb ever blocks.  The USB scanner and the USB printer
 * each keep one; only the USB drivers include this header (make check-style). */
#ifndef TILL_USB_LOOP_H
#define TILL_USB_LOOP_H

#include <libusb.h>
#include <stddef.h>
#include <stdint.h>

struct loop;

struct usb_loop {
    struct loop *loop;
    libusb_context *usb;        /* NULL until usb_loop_open */
    int prepare_added;
    int have_hotplug;
    libusb_hotplug_callback_handle hotplug;
};

/* Starts libusb on loop, once (0 at once when it already runs) and registers on_hotplug
 * for arrivals and departures of vid:pid (have_vid_pid 0: any device) where the platform
 * has hotplug.  0, or -1 with why ("libusb: ...") and nothing left running. */
int usb_loop_open(struct usb_loop *u, struct loop *loop, int have_vid_pid, uint16_t vid, uint16_t pid,
                  libusb_hotplug_callback_fn on_hotplug, void *user, char *why, size_t whylen);
/* Runs libusb's finished transfers for up to timeout_ms (0: only what is ready); for a
 * driver that must let its cancelled transfers call back before it frees them. */
void usb_loop_pump(struct usb_loop *u, int timeout_ms);
/* The first device on the bus that match accepts, referenced (libusb_unref_device it), or
 * NULL; *rc is 0, or libusb's error when the bus cannot be listed. */
libusb_device *usb_loop_find(struct usb_loop *u, int (*match)(libusb_device *dev, void *ctx), void *ctx, int *rc);
/* The active (else the first) configuration of dev when dev is vid:pid (have_vid_pid 0:
 * any device), from the cached descriptors; NULL otherwise.  libusb_free_config_descriptor
 * it. */
struct libusb_config_descriptor *usb_loop_config(libusb_device *dev, int have_vid_pid, uint16_t vid, uint16_t pid);
/* A short reason for a libusb error, for the status line ("no access (udev rule?)"). */
const char *usb_loop_strerror(int rc);
/* Deregisters the hotplug callback, stops watching libusb's descriptors and ends libusb. */
void usb_loop_close(struct usb_loop *u);

#endif
