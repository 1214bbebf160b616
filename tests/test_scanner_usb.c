/* The USB scanner driver through the real libusb, against a scanner emulated by umockdev:
 * a boot-keyboard HID device 05e0:1200 with interrupt-IN endpoint 0x81.  The emulation
 * answers usbfs ioctls (claim, submit/reap/discard URBs) and types queued key reports into
 * the driver's interrupt transfers; the driver runs in Till's real event loop.
 * Unplugging is a "remove" uevent (plus, in one variant, the kernel's ESHUTDOWN on the URB
 * in flight); plugging back in is an "add" uevent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <linux/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <umockdev.h>

#include "drivers/scanner.h"
#include "src/config.h"
#include "src/loop.h"

/* glib and umockdev keep some allocations for the life of the process. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libglib\nleak:libgobject\nleak:libumockdev\nleak:libgio\nleak:g_type_\n";
}

#define SYSFS_PATH "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-3"
#define DEVNODE "/dev/bus/usb/001/003"

/* Device 05e0:1200, one configuration, interface 0 HID boot keyboard, endpoint 0x81
 * interrupt IN, 8-byte packets, 10 ms interval. */
static const char scanner_device[] =
    "P: /devices/pci0000:00/0000:00:14.0/usb1/1-3\n"
    "N: bus/usb/001/003\n"
    "E: SUBSYSTEM=usb\n"
    "E: DRIVER=usb\n"
    "E: BUSNUM=001\n"
    "E: DEVNUM=003\n"
    "E: DEVNAME=" DEVNODE "\n"
    "E: DEVTYPE=usb_device\n"
    "A: bConfigurationValue=1\\n\n"
    "A: busnum=1\\n\n"
    "A: devnum=3\\n\n"
    "A: speed=12\\n\n"
    "H: descriptors="
    "1201000200000008e0050012000101020001"
    "09022200010100a032"
    "090400000103010100"
    "092111010001223f00"
    "0705810308000a\n";

/* Device 05e0:1300: a scanner in HID POS mode (interface protocol 0, 64-byte reports),
 * whose report descriptor is pos_descriptor (62 bytes). */
#define POS_DEVNODE "/dev/bus/usb/001/005"
static const char pos_device[] =
    "P: /devices/pci0000:00/0000:00:14.0/usb1/1-5\n"
    "N: bus/usb/001/005\n"
    "E: SUBSYSTEM=usb\n"
    "E: DRIVER=usb\n"
    "E: BUSNUM=001\n"
    "E: DEVNUM=005\n"
    "E: DEVNAME=" POS_DEVNODE "\n"
    "E: DEVTYPE=usb_device\n"
    "A: bConfigurationValue=1\\n\n"
    "A: busnum=1\\n\n"
    "A: devnum=5\\n\n"
    "A: speed=12\\n\n"
    "H: descriptors="
    "1201000200000008e0050013000101020001"
    "09022200010100a032"
    "090400000103000000"
    "092111010001223e00"
    "07058103400001\n";

static const uint8_t pos_descriptor[] = {
    0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01, 0x85, 0x02, 0x09, 0x12, 0xA1, 0x02,
    0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08,
    0x95, 0x01, 0x05, 0x01, 0x09, 0x3B, 0x81, 0x02,                         /* Byte Count */
    0x95, 0x03, 0x05, 0x8C, 0x09, 0xFB, 0x09, 0xFC, 0x09, 0xFD, 0x81, 0x02, /* AIM id */
    0x95, 0x38, 0x09, 0xFE, 0x82, 0x02, 0x01,                               /* 56 data */
    0x25, 0x01, 0x75, 0x01, 0x95, 0x01, 0x09, 0xFF, 0x81, 0x02,             /* Continued */
    0x75, 0x07, 0x81, 0x03, 0xC0, 0xC0,
};

/* Device 0fff:0001: some other HID device (vendor page, protocol 0), not a scanner. */
#define OTHER_DEVNODE "/dev/bus/usb/001/004"
static const char other_hid_device[] =
    "P: /devices/pci0000:00/0000:00:14.0/usb1/1-4\n"
    "N: bus/usb/001/004\n"
    "E: SUBSYSTEM=usb\n"
    "E: DRIVER=usb\n"
    "E: BUSNUM=001\n"
    "E: DEVNUM=004\n"
    "E: DEVNAME=" OTHER_DEVNODE "\n"
    "E: DEVTYPE=usb_device\n"
    "A: bConfigurationValue=1\\n\n"
    "A: busnum=1\\n\n"
    "A: devnum=4\\n\n"
    "A: speed=12\\n\n"
    "H: descriptors="
    "1201000200000008ff0f0100000101020001"
    "09022200010100a032"
    "090400000103000000"
    "092111010001221500"
    "0705810308000a\n";

static const uint8_t other_descriptor[] = {
    0x06, 0x00, 0xFF, 0x09, 0x01, 0xA1, 0x01, 0x15, 0x00, 0x26, 0xFF, 0x00,
    0x75, 0x08, 0x95, 0x08, 0x09, 0x01, 0x81, 0x02, 0xC0,
};

/* An URB the emulation holds, with what a control transfer answers. */
struct held_urb {
    UMockdevIoctlData *u;
    const uint8_t *reply;
    int reply_len;
};

struct emu {
    pthread_mutex_t lock;
    UMockdevTestbed *testbed;
    UMockdevIoctlBase *handler;
    int unplugged;          /* ioctls fail with ENODEV; the URB in flight ends ESHUTDOWN */
    int fail_urb_on_unplug; /* as the kernel does; off: only the uevent tells */
    GList *flying;          /* interrupt URBs submitted, not reaped (struct held_urb) */
    GList *done;            /* URBs to reap next (control transfers, discarded) */
    uint8_t reports[1024][64];
    int report_len[1024];
    int nreports, next_report;
    int claims, releases;
    int fail_submit_at;     /* fault injection: the Nth interrupt SUBMITURB fails (EIO) */
    int fail_reap_at;       /* the Nth report reaped ends with EPROTO instead */
    int submits, reaps;
};

static struct emu emu;

static void queue_raw_report(const uint8_t *data, int len)
{
    pthread_mutex_lock(&emu.lock);
    assert_true(emu.nreports < 1024 && len <= 64);
    memcpy(emu.reports[emu.nreports], data, (size_t)len);
    emu.report_len[emu.nreports++] = len;
    pthread_mutex_unlock(&emu.lock);
}

static void queue_report(uint8_t mods, uint8_t key)
{
    uint8_t r[8] = { mods, 0, key, 0, 0, 0, 0, 0 };
    queue_raw_report(r, sizeof r);
}

/* The scanner types text (digits and '\n') as press/release reports. */
static void queue_scan(const char *text)
{
    for (const char *p = text; *p; p++) {
        uint8_t key = *p == '\n' ? 0x28 : *p == '0' ? 0x27 : (uint8_t)(0x1E + (*p - '1'));
        queue_report(0, key);
        queue_report(0, 0);
    }
}

static void reap_into(UMockdevIoctlClient *client, UMockdevIoctlData *arg, struct held_urb *h,
                      int status, const uint8_t *data, int len)
{
    UMockdevIoctlData *urb_data = h->u;
    struct usbdevfs_urb *urb = (struct usbdevfs_urb *)urb_data->data;
    /* a control transfer's buffer starts with its 8-byte setup packet */
    int skip = urb->type == USBDEVFS_URB_TYPE_CONTROL ? 8 : 0;
    if (len > urb->buffer_length - skip)
        len = urb->buffer_length - skip;
    urb->status = status;
    urb->actual_length = len;
    if (len)
        memcpy((uint8_t *)urb->buffer + skip, data, (size_t)len);
    UMockdevIoctlData *ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), NULL);
    umockdev_ioctl_data_set_ptr(ptr, 0, urb_data);
    umockdev_ioctl_client_complete(client, 0, 0);
    umockdev_ioctl_data_unref(ptr);
    umockdev_ioctl_data_unref(urb_data);
    g_free(h);
}

static struct held_urb *take_first(GList **list)
{
    struct held_urb *h = (*list)->data;
    *list = g_list_delete_link(*list, *list);
    return h;
}

static gboolean handle_reap(UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
    if (emu.done) {
        struct held_urb *h = take_first(&emu.done);
        struct usbdevfs_urb *urb = (struct usbdevfs_urb *)h->u->data;
        if (urb->type == USBDEVFS_URB_TYPE_CONTROL)
            reap_into(client, arg, h, 0, h->reply, h->reply_len);
        else
            reap_into(client, arg, h, -ENOENT, NULL, 0);
        return TRUE;
    }
    if (emu.flying && emu.unplugged && emu.fail_urb_on_unplug) {
        reap_into(client, arg, take_first(&emu.flying), -ESHUTDOWN, NULL, 0);
        return TRUE;
    }
    if (emu.flying && !emu.unplugged && emu.next_report < emu.nreports &&
        ++emu.reaps == emu.fail_reap_at) {
        reap_into(client, arg, take_first(&emu.flying), -EPROTO, NULL, 0);
        return TRUE;
    }
    if (emu.flying && !emu.unplugged && emu.next_report < emu.nreports) {
        int i = emu.next_report++;
        reap_into(client, arg, take_first(&emu.flying), 0, emu.reports[i], emu.report_len[i]);
        return TRUE;
    }
    umockdev_ioctl_client_complete(client, -1, emu.unplugged && !emu.flying ? ENODEV : EAGAIN);
    return TRUE;
}

/* GET_DESCRIPTOR(Report) answers the device's report descriptor; other control requests
 * (SET_PROTOCOL) succeed with no data. */
static void control_reply(const char *devnode, const uint8_t *setup, struct held_urb *h)
{
    if (setup[0] != 0x81 || setup[1] != 0x06 || setup[3] != 0x22)
        return;
    if (strcmp(devnode, POS_DEVNODE) == 0) {
        h->reply = pos_descriptor;
        h->reply_len = sizeof pos_descriptor;
    } else if (strcmp(devnode, OTHER_DEVNODE) == 0) {
        h->reply = other_descriptor;
        h->reply_len = sizeof other_descriptor;
    }
}

static gboolean handle_submit(UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
    if (emu.unplugged) {
        umockdev_ioctl_client_complete(client, -1, ENODEV);
        return TRUE;
    }
    UMockdevIoctlData *u = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), NULL);
    struct usbdevfs_urb *urb = (struct usbdevfs_urb *)u->data;
    UMockdevIoctlData *buf = umockdev_ioctl_data_resolve(u, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
                                                          (gsize)urb->buffer_length, NULL);
    struct held_urb *h = g_new0(struct held_urb, 1);
    h->u = u;
    if (urb->type == USBDEVFS_URB_TYPE_CONTROL && urb->buffer_length >= 8) {
        control_reply(umockdev_ioctl_client_get_devnode(client), (const uint8_t *)buf->data, h);
        emu.done = g_list_append(emu.done, h);
    } else if (urb->type == USBDEVFS_URB_TYPE_INTERRUPT && urb->endpoint == 0x81 &&
               urb->buffer_length >= 8 && ++emu.submits == emu.fail_submit_at) {
        g_free(h);
        umockdev_ioctl_data_unref(buf);
        umockdev_ioctl_data_unref(u);
        umockdev_ioctl_client_complete(client, -1, EIO);
        return TRUE;
    } else if (urb->type == USBDEVFS_URB_TYPE_INTERRUPT && urb->endpoint == 0x81 && urb->buffer_length >= 8) {
        emu.flying = g_list_append(emu.flying, h);
    } else {
        g_free(h);
        umockdev_ioctl_data_unref(buf);
        umockdev_ioctl_data_unref(u);
        umockdev_ioctl_client_complete(client, -1, EINVAL);
        return TRUE;
    }
    umockdev_ioctl_data_unref(buf);
    umockdev_ioctl_client_complete(client, 0, 0);
    return TRUE;
}

static gint same_client_addr(gconstpointer data, gconstpointer addr)
{
    return ((const struct held_urb *)data)->u->client_addr != (gulong)addr;
}

static gboolean on_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer unused)
{
    gulong request = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    gboolean handled = TRUE;
    pthread_mutex_lock(&emu.lock);
    switch (request) {
    case USBDEVFS_GET_CAPABILITIES: {
        UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), NULL);
        *(guint32 *)d->data = USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
                              USBDEVFS_CAP_REAP_AFTER_DISCONNECT | USBDEVFS_CAP_ZERO_PACKET;
        umockdev_ioctl_client_complete(client, 0, 0);
        umockdev_ioctl_data_unref(d);
        break;
    }
    case USBDEVFS_GETDRIVER: {
        /* usbhid has the interface, as it would on a real machine */
        UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_getdriver), NULL);
        struct usbdevfs_getdriver *gd = (struct usbdevfs_getdriver *)d->data;
        snprintf(gd->driver, sizeof gd->driver, "usbhid");
        umockdev_ioctl_client_complete(client, emu.unplugged ? -1 : 0, emu.unplugged ? ENODEV : 0);
        umockdev_ioctl_data_unref(d);
        break;
    }
    case USBDEVFS_IOCTL: /* DISCONNECT / CONNECT the kernel driver */
    case USBDEVFS_CLEAR_HALT:
    case USBDEVFS_RESETEP:
        umockdev_ioctl_client_complete(client, emu.unplugged ? -1 : 0, emu.unplugged ? ENODEV : 0);
        break;
    case USBDEVFS_CLAIMINTERFACE:
        emu.claims += !emu.unplugged;
        umockdev_ioctl_client_complete(client, emu.unplugged ? -1 : 0, emu.unplugged ? ENODEV : 0);
        break;
    case USBDEVFS_RELEASEINTERFACE:
        emu.releases++;
        umockdev_ioctl_client_complete(client, emu.unplugged ? -1 : 0, emu.unplugged ? ENODEV : 0);
        break;
    case USBDEVFS_SUBMITURB:
        handled = handle_submit(client, arg);
        break;
    case USBDEVFS_REAPURB:
    case USBDEVFS_REAPURBNDELAY:
        handled = handle_reap(client, arg);
        break;
    case USBDEVFS_DISCARDURB: {
        GList *l = g_list_find_custom(emu.flying, *(void **)arg->data, same_client_addr);
        if (l) {
            emu.done = g_list_append(emu.done, l->data);
            emu.flying = g_list_delete_link(emu.flying, l);
            umockdev_ioctl_client_complete(client, 0, 0);
        } else {
            umockdev_ioctl_client_complete(client, -1, EINVAL);
        }
        break;
    }
    default:
        umockdev_ioctl_client_complete(client, -1, ENOTTY);
        break;
    }
    pthread_mutex_unlock(&emu.lock);
    return handled;
}

static void plug_in(void)
{
    pthread_mutex_lock(&emu.lock);
    emu.unplugged = 0;
    emu.next_report = emu.nreports; /* anything typed while unplugged is lost */
    pthread_mutex_unlock(&emu.lock);
    umockdev_testbed_uevent(emu.testbed, SYSFS_PATH, "add");
}

/* The device stops answering; with fail_urb its URB in flight ends with ESHUTDOWN, as
 * the kernel does, and the remove uevent is left to the caller. */
static void unplug(int fail_urb)
{
    pthread_mutex_lock(&emu.lock);
    emu.unplugged = 1;
    emu.fail_urb_on_unplug = fail_urb;
    pthread_mutex_unlock(&emu.lock);
    if (!fail_urb)
        umockdev_testbed_uevent(emu.testbed, SYSFS_PATH, "remove");
}

/* ---- the driver side ---- */

struct seen {
    char scans[8][128];
    int nscans;
    enum scanner_state state;
    char status[64];
    int nstatus;
};

static void on_scan(void *ctx, const char *text)
{
    struct seen *s = ctx;
    if (s->nscans < 8)
        snprintf(s->scans[s->nscans], sizeof s->scans[0], "%s", text);
    s->nscans++;
}

static void on_status(void *ctx, enum scanner_state state, const char *text)
{
    struct seen *s = ctx;
    s->state = state;
    snprintf(s->status, sizeof s->status, "%s", text);
    s->nstatus++;
}

struct fixture {
    struct loop *loop;
    struct config *cfg;
    struct scanner *scanner;
    struct seen seen;
};

static void free_held(gpointer p)
{
    struct held_urb *h = p;
    umockdev_ioctl_data_unref(h->u);
    g_free(h);
}

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof f);
    memset(&emu, 0, sizeof emu);
    pthread_mutex_init(&emu.lock, NULL);
    emu.testbed = umockdev_testbed_new();
    emu.handler = umockdev_ioctl_base_new();
    g_signal_connect_after(emu.handler, "handle-ioctl", G_CALLBACK(on_ioctl), NULL);
    if (!umockdev_testbed_attach_ioctl(emu.testbed, DEVNODE, emu.handler, NULL) ||
        !umockdev_testbed_attach_ioctl(emu.testbed, POS_DEVNODE, emu.handler, NULL) ||
        !umockdev_testbed_attach_ioctl(emu.testbed, OTHER_DEVNODE, emu.handler, NULL))
        return -1;
    f.loop = loop_new();
    f.cfg = config_new();
    char err[256];
    if (config_set(f.cfg, "scanner.usb.vid_pid", "05e0:1200") ||
        config_set(f.cfg, "scanner.usb.retry_ms", "100"))
        return -1;
    struct scanner_events ev = { on_scan, on_status, &f.seen };
    if (scanner_open("usb", f.loop, f.cfg, &ev, &f.scanner, err, sizeof err)) {
        fprintf(stderr, "scanner_open: %s\n", err);
        return -1;
    }
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    scanner_close(f->scanner);
    config_free(f->cfg);
    loop_free(f->loop);
    g_clear_object(&emu.handler);
    g_clear_object(&emu.testbed);
    g_list_free_full(emu.flying, free_held);
    g_list_free_full(emu.done, free_held);
    pthread_mutex_destroy(&emu.lock);
    return 0;
}

/* Runs the loop until cond holds or 5 s pass.  (The emulated device's fd is always
 * writable, so an iteration may take no time at all: count time, not iterations.) */
#define RUN_UNTIL(f, cond)                                                    \
    do {                                                                      \
        int64_t end_ = loop_now_ms((f)->loop) + 5000;                         \
        while (!(cond) && loop_now_ms((f)->loop) < end_)                      \
            loop_run_once((f)->loop, 10);                                     \
        assert_true(cond);                                                    \
    } while (0)

static void run_for(struct fixture *f, int64_t ms)
{
    int64_t end = loop_now_ms(f->loop) + ms;
    while (loop_now_ms(f->loop) < end)
        loop_run_once(f->loop, 10);
}

static void add_device(void)
{
    assert_true(umockdev_testbed_add_from_string(emu.testbed, scanner_device, NULL));
}

static void test_scan_unplug_replug(void **state, int fail_urb)
{
    struct fixture *f = *state;
    add_device();
    assert_int_equal(scanner_start(f->scanner), 0);
    assert_int_equal(f->seen.state, SCANNER_CONNECTED);
    assert_string_equal(f->seen.status, "scanner connected");
    assert_int_equal(emu.claims, 1);

    queue_scan("4010433218190\n");
    RUN_UNTIL(f, f->seen.nscans == 1);
    assert_string_equal(f->seen.scans[0], "4010433218190");

    unplug(fail_urb);
    RUN_UNTIL(f, f->seen.state == SCANNER_DISCONNECTED);
    assert_string_equal(f->seen.status, "scanner disconnected: unplugged");
    if (fail_urb) /* the transfer error came first; udev tells a little later */
        umockdev_testbed_uevent(emu.testbed, SYSFS_PATH, "remove");
    /* the loop keeps turning (retries) and nothing is scanned while unplugged */
    run_for(f, 300);
    assert_int_equal(f->seen.state, SCANNER_DISCONNECTED);

    plug_in();
    RUN_UNTIL(f, f->seen.state == SCANNER_CONNECTED);
    assert_string_equal(f->seen.status, "scanner connected");
    assert_int_equal(emu.claims, 2);

    queue_scan("4028710122696\n");
    RUN_UNTIL(f, f->seen.nscans == 2);
    assert_string_equal(f->seen.scans[1], "4028710122696");
}

static void test_unplug_as_the_kernel_reports_it(void **state)
{
    test_scan_unplug_replug(state, 1);
}

static void test_unplug_seen_only_by_hotplug(void **state)
{
    test_scan_unplug_replug(state, 0);
}

static void test_start_without_scanner_then_plug_in(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(scanner_start(f->scanner), 0);
    assert_int_equal(f->seen.state, SCANNER_DISCONNECTED);
    assert_string_equal(f->seen.status, "scanner disconnected: no device 05e0:1200");
    run_for(f, 300); /* a few retries: the same status is not repeated */
    assert_int_equal(f->seen.nstatus, 1);

    add_device();
    RUN_UNTIL(f, f->seen.state == SCANNER_CONNECTED);
    queue_scan("4010433218190\n");
    RUN_UNTIL(f, f->seen.nscans == 1);
    assert_string_equal(f->seen.scans[0], "4010433218190");

    /* stopping hands the interface back (usbhid would get it again) */
    scanner_stop(f->scanner);
    assert_int_equal(emu.releases, 1);
}

/* Faults: a resubmission that fails and a transfer that ends in a protocol error each
 * close the device; the retry opens it again.  A scan cut in two by the fault is not sold
 * as its shorter second half; the next scan goes through. */
static void test_transfer_faults_reconnect(void **state)
{
    struct fixture *f = *state;
    pthread_mutex_lock(&emu.lock);
    emu.fail_submit_at = 5;  /* after report 4: "12" typed, Enter not yet */
    emu.fail_reap_at = 12;   /* reports 5-6 (Enter) after the reconnect, then "40", "1" */
    pthread_mutex_unlock(&emu.lock);
    add_device();
    assert_int_equal(scanner_start(f->scanner), 0);
    queue_scan("12\n");
    RUN_UNTIL(f, f->seen.state == SCANNER_DISCONNECTED);
    assert_string_equal(f->seen.status, "scanner disconnected: transfer failed");
    RUN_UNTIL(f, f->seen.state == SCANNER_CONNECTED && emu.next_report == emu.nreports);

    queue_scan("4010433218190\n");
    RUN_UNTIL(f, f->seen.nstatus >= 4 && f->seen.state == SCANNER_CONNECTED &&
                 emu.next_report == emu.nreports);
    assert_int_equal(emu.claims, 3);
    run_for(f, 200);
    assert_int_equal(f->seen.nscans, 0); /* neither "12" nor "0433218190" */

    run_for(f, 1100); /* past the guard after a scan was cut */
    queue_scan("4028710122696\n");
    RUN_UNTIL(f, f->seen.nscans == 1);
    assert_string_equal(f->seen.scans[0], "4028710122696");
}

/* The 64-byte reports of pos_descriptor: id 2, byte count, AIM id, 56 data, flags. */
static void queue_pos_scan(const char *aim, const char *data)
{
    uint8_t r[62] = { 0x02, (uint8_t)strlen(data) };
    memcpy(r + 2, aim, 3);
    memcpy(r + 5, data, strlen(data));
    queue_raw_report(r, sizeof r);
}

static void test_hid_pos_scanner_found_by_its_descriptor(void **state)
{
    struct fixture *f = *state;
    /* match = pos, no VID:PID: the first HID device whose descriptor is a POS scanner's */
    scanner_close(f->scanner);
    config_set(f->cfg, "scanner.usb.vid_pid", "");
    config_set(f->cfg, "scanner.usb.match", "pos");
    char err[256];
    struct scanner_events ev = { on_scan, on_status, &f->seen };
    assert_int_equal(scanner_open("usb", f->loop, f->cfg, &ev, &f->scanner, err, sizeof err), 0);

    /* another HID device and a boot-keyboard scanner: neither is taken */
    assert_true(umockdev_testbed_add_from_string(emu.testbed, other_hid_device, NULL));
    add_device();
    assert_int_equal(scanner_start(f->scanner), 0);
    RUN_UNTIL(f, f->seen.state == SCANNER_DISCONNECTED && emu.releases == 1);
    assert_string_equal(f->seen.status, "scanner disconnected: no HID POS scanner");
    run_for(f, 300); /* retries skip the device already looked at */
    assert_int_equal(emu.claims, 1);

    assert_true(umockdev_testbed_add_from_string(emu.testbed, pos_device, NULL));
    RUN_UNTIL(f, f->seen.state == SCANNER_CONNECTED);
    queue_pos_scan("]E0", "4010433218190");
    RUN_UNTIL(f, f->seen.nscans == 1);
    assert_string_equal(f->seen.scans[0], "]E04010433218190");
}

static void test_config_errors(void **state)
{
    struct loop *loop = loop_new();
    struct config *cfg = config_new();
    struct scanner *sc = NULL;
    char err[256];
    struct scanner_events ev = { on_scan, on_status, NULL };
    assert_int_equal(scanner_open("usb", loop, cfg, &ev, &sc, err, sizeof err), -1);
    assert_non_null(strstr(err, "vid_pid"));
    config_set(cfg, "scanner.usb.vid_pid", "05e0-1200");
    assert_int_equal(scanner_open("usb", loop, cfg, &ev, &sc, err, sizeof err), -1);
    assert_non_null(strstr(err, "05e0:1200"));
    config_set(cfg, "scanner.usb.vid_pid", "05e0:1200");
    config_set(cfg, "scanner.usb.layout", "fr");
    assert_int_equal(scanner_open("usb", loop, cfg, &ev, &sc, err, sizeof err), -1);
    assert_non_null(strstr(err, "layout"));
    assert_int_equal(scanner_open("serial", loop, cfg, &ev, &sc, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown scanner kind"));
    config_free(cfg);
    loop_free(loop);
}

/* --emulate FIFO -- COMMAND...: the emulated scanner for end-to-end tests.  COMMAND (the
 * real till) runs under umockdev's preload and sees the scanner; lines written to FIFO
 * drive it: "scan CODE", "unplug", "plug".  Exits with COMMAND's status. */
static int emulate(const char *fifo, char **argv)
{
    memset(&emu, 0, sizeof emu);
    pthread_mutex_init(&emu.lock, NULL);
    emu.testbed = umockdev_testbed_new();
    emu.handler = umockdev_ioctl_base_new();
    g_signal_connect_after(emu.handler, "handle-ioctl", G_CALLBACK(on_ioctl), NULL);
    if (!umockdev_testbed_attach_ioctl(emu.testbed, DEVNODE, emu.handler, NULL) ||
        !umockdev_testbed_add_from_string(emu.testbed, scanner_device, NULL))
        return 2;
    int fd = open(fifo, O_RDWR | O_NONBLOCK); /* O_RDWR: no EOF between writers */
    if (fd < 0)
        return 2;
    pid_t child = fork();
    if (child == 0) {
        /* UMOCKDEV_DIR (set by the testbed) is inherited; the wrapper adds the preload. */
        char *args[64];
        int n = 0;
        args[n++] = "umockdev-wrapper";
        for (int i = 0; argv[i] && n < 63; i++)
            args[n++] = argv[i];
        args[n] = NULL;
        execvp(args[0], args);
        _exit(127);
    }
    char line[256];
    size_t len = 0;
    for (;;) {
        int status;
        if (waitpid(child, &status, WNOHANG) == child)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t r = read(fd, line + len, sizeof line - 1 - len);
        if (r <= 0)
            continue;
        len += (size_t)r;
        line[len] = 0;
        char *nl;
        while ((nl = strchr(line, '\n'))) {
            *nl = 0;
            if (strncmp(line, "scan ", 5) == 0) {
                char text[260];
                snprintf(text, sizeof text, "%s\n", line + 5);
                queue_scan(text);
            } else if (strcmp(line, "unplug") == 0) {
                pthread_mutex_lock(&emu.lock);
                emu.unplugged = 1;
                emu.fail_urb_on_unplug = 1;
                pthread_mutex_unlock(&emu.lock);
                umockdev_testbed_uevent(emu.testbed, SYSFS_PATH, "remove");
            } else if (strcmp(line, "plug") == 0) {
                plug_in();
            }
            len -= (size_t)(nl + 1 - line);
            memmove(line, nl + 1, len + 1);
        }
        if (len == sizeof line - 1)
            len = 0;
    }
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "--emulate") == 0 && strcmp(argv[3], "--") == 0)
        return emulate(argv[2], argv + 4);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unplug_as_the_kernel_reports_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unplug_seen_only_by_hotplug, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_without_scanner_then_plug_in, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfer_faults_reconnect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hid_pos_scanner_found_by_its_descriptor, setup, teardown),
        cmocka_unit_test(test_config_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
