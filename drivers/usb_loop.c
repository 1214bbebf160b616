/* libusb inside the loop (usb_loop.h): the glue the USB scanner and printer share. */
#include "drivers/usb_loop.h"

#include <stdio.h>
#include <sys/time.h>

#include "src/loop.h"

static void on_usb_fd(struct loop *loop, int fd, short revents, void *ctx)
{
    struct usb_loop *u = ctx;
    struct timeval zero = { 0, 0 };
    libusb_handle_events_timeout_completed(u->usb, &zero, NULL);
}

static void on_pollfd_added(int fd, short events, void *ctx)
{
    struct usb_loop *u = ctx;
    loop_watch_fd(u->loop, fd, events, on_usb_fd, u);
}

static void on_pollfd_removed(int fd, void *ctx)
{
    struct usb_loop *u = ctx;
    loop_unwatch_fd(u->loop, fd);
}

/* Honours libusb's next timeout (when it has no timerfd of its own). */
static void on_prepare(struct loop *loop, int *wait_ms, void *ctx)
{
    struct usb_loop *u = ctx;
    struct timeval tv;
    if (libusb_get_next_timeout(u->usb, &tv) != 1)
        return;
    if (tv.tv_sec == 0 && tv.tv_usec == 0) {
        struct timeval zero = { 0, 0 };
        libusb_handle_events_timeout_completed(u->usb, &zero, NULL);
        return;
    }
    long long ms = (long long)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
    if (*wait_ms < 0 || ms < *wait_ms)
        *wait_ms = (int)ms;
}

static int watch_fds(struct usb_loop *u)
{
    libusb_set_pollfd_notifiers(u->usb, on_pollfd_added, on_pollfd_removed, u);
    const struct libusb_pollfd **fds = libusb_get_pollfds(u->usb);
    if (!fds)
        return -1;
    for (size_t i = 0; fds[i]; i++)
        loop_watch_fd(u->loop, fds[i]->fd, fds[i]->events, on_usb_fd, u);
    libusb_free_pollfds(fds);
    if (loop_add_prepare(u->loop, on_prepare, u))
        return -1;
    u->prepare_added = 1;
    return 0;
}

static void unwatch_fds(struct usb_loop *u)
{
    libusb_set_pollfd_notifiers(u->usb, NULL, NULL, NULL);
    const struct libusb_pollfd **fds = libusb_get_pollfds(u->usb);
    if (fds) {
        for (size_t i = 0; fds[i]; i++)
            loop_unwatch_fd(u->loop, fds[i]->fd);
        libusb_free_pollfds(fds);
    }
    if (u->prepare_added)
        loop_remove_prepare(u->loop, on_prepare, u);
    u->prepare_added = 0;
}

int usb_loop_open(struct usb_loop *u, struct loop *loop, int have_vid_pid, uint16_t vid, uint16_t pid,
                  libusb_hotplug_callback_fn on_hotplug, void *user, char *why, size_t whylen)
{
    if (u->usb)
        return 0;
    u->loop = loop;
    int rc = libusb_init(&u->usb);
    if (rc) {
        snprintf(why, whylen, "libusb: %s", libusb_strerror(rc));
        u->usb = NULL;
        return -1;
    }
    if (watch_fds(u)) {
        snprintf(why, whylen, "libusb: cannot watch fds");
        unwatch_fds(u);
        libusb_exit(u->usb);
        u->usb = NULL;
        return -1;
    }
    if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
        int any = LIBUSB_HOTPLUG_MATCH_ANY;
        if (libusb_hotplug_register_callback(u->usb,
                LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, 0,
                have_vid_pid ? vid : any, have_vid_pid ? pid : any, any,
                on_hotplug, user, &u->hotplug) == 0)
            u->have_hotplug = 1;
    }
    return 0;
}

void usb_loop_pump(struct usb_loop *u, int timeout_ms)
{
    struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
    libusb_handle_events_timeout_completed(u->usb, &tv, NULL);
}

void usb_loop_close(struct usb_loop *u)
{
    if (!u->usb)
        return;
    if (u->have_hotplug)
        libusb_hotplug_deregister_callback(u->usb, u->hotplug);
    u->have_hotplug = 0;
    unwatch_fds(u);
    /* a transfer libusb never finished (a drain that gave up) is left to libusb_exit */
    libusb_exit(u->usb);
    u->usb = NULL;
}

libusb_device *usb_loop_find(struct usb_loop *u, int (*match)(libusb_device *dev, void *ctx), void *ctx, int *rc)
{
    libusb_device **list;
    ssize_t n = libusb_get_device_list(u->usb, &list);
    *rc = n < 0 ? (int)n : 0;
    if (n < 0)
        return NULL;
    libusb_device *dev = NULL;
    for (ssize_t i = 0; i < n && !dev; i++)
        if (match(list[i], ctx))
            dev = libusb_ref_device(list[i]);
    libusb_free_device_list(list, 1);
    return dev;
}

struct libusb_config_descriptor *usb_loop_config(libusb_device *dev, int have_vid_pid, uint16_t vid, uint16_t pid)
{
    struct libusb_device_descriptor dd;
    if (libusb_get_device_descriptor(dev, &dd))
        return NULL;
    if (have_vid_pid && (dd.idVendor != vid || dd.idProduct != pid))
        return NULL;
    struct libusb_config_descriptor *cfg;
    if (libusb_get_active_config_descriptor(dev, &cfg) && libusb_get_config_descriptor(dev, 0, &cfg))
        return NULL;
    return cfg;
}

const char *usb_loop_strerror(int rc)
{
    switch (rc) {
    case LIBUSB_ERROR_ACCESS: return "no access (udev rule?)";
    case LIBUSB_ERROR_BUSY: return "in use by another program";
    case LIBUSB_ERROR_NO_DEVICE: return "unplugged";
    case LIBUSB_ERROR_NOT_FOUND: return "no such interface";
    default: return libusb_strerror(rc);
    }
}
