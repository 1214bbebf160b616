/* The USB printer driver through the real libusb against a printer emulated by umockdev:
 * printer class 7/1/2 (bidirectional), 04b8:0202, bulk OUT 0x01 and bulk IN 0x82.  The
 * emulation takes bulk OUT URBs as what the printer receives, answers each DLE EOT n on
 * the IN endpoint from its state (paper in or out), and can hold a job's URB in flight to
 * be unplugged under it.  The engine and driver run in Till's real loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <linux/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <umockdev.h>

#include "core/escpos.h"
#include "drivers/printer.h"
#include "src/config.h"
#include "src/loop.h"

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libglib\nleak:libgobject\nleak:libumockdev\nleak:libgio\nleak:g_type_\n";
}

#define SYSFS_PATH "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2"
#define DEVNODE "/dev/bus/usb/001/002"

static const char printer_device[] =
    "P: /devices/pci0000:00/0000:00:14.0/usb1/1-2\n"
    "N: bus/usb/001/002\n"
    "E: SUBSYSTEM=usb\n"
    "E: DRIVER=usb\n"
    "E: BUSNUM=001\n"
    "E: DEVNUM=002\n"
    "E: DEVNAME=" DEVNODE "\n"
    "E: DEVTYPE=usb_device\n"
    "A: bConfigurationValue=1\\n\n"
    "A: busnum=1\\n\n"
    "A: devnum=2\\n\n"
    "A: speed=12\\n\n"
    "H: descriptors="
    "1201000200000008b8040202000101020001"
    "09022000010100c032"
    "090400000207010200"
    "07050102400000"
    "07058202400000\n";

struct held_urb {
    UMockdevIoctlData *u;
    int status;
};

static struct emu {
    pthread_mutex_t lock;
    UMockdevTestbed *testbed;
    UMockdevIoctlBase *handler;
    int unplugged;
    int paper_out;
    int hold_jobs;            /* keep job URBs (more than status requests) in flight */
    GList *out_done;          /* OUT URBs to reap */
    GList *out_held;          /* OUT URBs held in flight */
    GList *in_flying;         /* IN URBs waiting for answers */
    unsigned char answers[64];
    int nanswers;
    unsigned char printed[65536];
    size_t nprinted;
    int jobs;                 /* job URBs completed */
    int claims;
} emu;

static void reap_into(UMockdevIoctlClient *client, UMockdevIoctlData *arg, struct held_urb *h,
                      const uint8_t *data, int len)
{
    struct usbdevfs_urb *urb = (struct usbdevfs_urb *)h->u->data;
    urb->status = h->status;
    if (urb->endpoint & 0x80) {
        if (len > urb->buffer_length)
            len = urb->buffer_length;
        urb->actual_length = len;
        if (len)
            memcpy(urb->buffer, data, (size_t)len);
    } else {
        urb->actual_length = h->status ? 0 : urb->buffer_length;
    }
    UMockdevIoctlData *ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), NULL);
    umockdev_ioctl_data_set_ptr(ptr, 0, h->u);
    umockdev_ioctl_client_complete(client, 0, 0);
    umockdev_ioctl_data_unref(ptr);
    umockdev_ioctl_data_unref(h->u);
    g_free(h);
}

static struct held_urb *take_first(GList **list)
{
    struct held_urb *h = (*list)->data;
    *list = g_list_delete_link(*list, *list);
    return h;
}

/* What the printer does with bytes it receives: answers DLE EOT n, prints the rest. */
static void receive(const uint8_t *p, size_t n)
{
    if (n % 3 == 0 && n >= 3 && p[0] == 0x10 && p[1] == 0x04) {
        for (size_t i = 0; i + 2 < n; i += 3) {
            int k = p[i + 2];
            uint8_t b = 0x12;
            if (k == 1 && emu.paper_out)
                b |= 0x08;
            if (k == 2 && emu.paper_out)
                b |= 0x20;
            if (k == 4 && emu.paper_out)
                b |= 0x60;
            if (emu.nanswers < (int)sizeof emu.answers)
                emu.answers[emu.nanswers++] = b;
        }
        return;
    }
    if (emu.nprinted + n <= sizeof emu.printed) {
        memcpy(emu.printed + emu.nprinted, p, n);
        emu.nprinted += n;
    }
    emu.jobs++;
}

static gboolean handle_reap(UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
    if (emu.out_done) {
        reap_into(client, arg, take_first(&emu.out_done), NULL, 0);
        return TRUE;
    }
    if (emu.unplugged && (emu.out_held || emu.in_flying)) {
        /* the kernel ends what was in flight when the device goes */
        struct held_urb *h = take_first(emu.out_held ? &emu.out_held : &emu.in_flying);
        h->status = -ESHUTDOWN;
        reap_into(client, arg, h, NULL, 0);
        return TRUE;
    }
    if (emu.in_flying && emu.nanswers > 0) {
        int n = emu.nanswers;
        unsigned char a[64];
        memcpy(a, emu.answers, (size_t)n);
        emu.nanswers = 0;
        reap_into(client, arg, take_first(&emu.in_flying), a, n);
        return TRUE;
    }
    umockdev_ioctl_client_complete(client, -1, emu.unplugged ? ENODEV : EAGAIN);
    return TRUE;
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
    if (urb->type == USBDEVFS_URB_TYPE_BULK && urb->endpoint == 0x01) {
        int is_job = !(urb->buffer_length >= 3 && buf->data[0] == 0x10 && buf->data[1] == 0x04);
        if (is_job && emu.hold_jobs) {
            emu.out_held = g_list_append(emu.out_held, h);
        } else {
            receive((const uint8_t *)buf->data, (size_t)urb->buffer_length);
            emu.out_done = g_list_append(emu.out_done, h);
        }
    } else if (urb->type == USBDEVFS_URB_TYPE_BULK && urb->endpoint == 0x82) {
        emu.in_flying = g_list_append(emu.in_flying, h);
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

static int discard_from(GList **list, gulong addr)
{
    GList *l = g_list_find_custom(*list, (gconstpointer)addr, same_client_addr);
    if (!l)
        return 0;
    struct held_urb *h = l->data;
    h->status = -ENOENT;
    *list = g_list_delete_link(*list, l);
    emu.out_done = g_list_append(emu.out_done, h);
    return 1;
}

static gboolean on_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer unused)
{
    gulong request = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    int fail = emu.unplugged;
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
        UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_getdriver), NULL);
        snprintf(((struct usbdevfs_getdriver *)d->data)->driver, 16, "usblp");
        umockdev_ioctl_client_complete(client, fail ? -1 : 0, fail ? ENODEV : 0);
        umockdev_ioctl_data_unref(d);
        break;
    }
    case USBDEVFS_IOCTL:
    case USBDEVFS_RELEASEINTERFACE:
        umockdev_ioctl_client_complete(client, fail ? -1 : 0, fail ? ENODEV : 0);
        break;
    case USBDEVFS_CLAIMINTERFACE:
        emu.claims += !fail;
        umockdev_ioctl_client_complete(client, fail ? -1 : 0, fail ? ENODEV : 0);
        break;
    case USBDEVFS_SUBMITURB:
        handle_submit(client, arg);
        break;
    case USBDEVFS_REAPURB:
    case USBDEVFS_REAPURBNDELAY:
        handle_reap(client, arg);
        break;
    case USBDEVFS_DISCARDURB: {
        gulong addr = (gulong) * (void **)arg->data;
        if (discard_from(&emu.out_held, addr) || discard_from(&emu.in_flying, addr))
            umockdev_ioctl_client_complete(client, 0, 0);
        else
            umockdev_ioctl_client_complete(client, -1, EINVAL);
        break;
    }
    default:
        umockdev_ioctl_client_complete(client, -1, ENOTTY);
        break;
    }
    pthread_mutex_unlock(&emu.lock);
    return TRUE;
}

struct seen {
    int done, ok;
    char why[128], status[128];
};

static void on_done(void *ctx, int ok, const char *why)
{
    struct seen *s = ctx;
    s->done++;
    s->ok = ok;
    snprintf(s->why, sizeof s->why, "%s", why);
}

static void on_status(void *ctx, const struct printer_status *st, const char *text)
{
    snprintf(((struct seen *)ctx)->status, sizeof ((struct seen *)ctx)->status, "%s", text);
}

struct fixture {
    struct loop *loop;
    struct config *cfg;
    struct printer *printer;
    struct seen seen;
    struct escpos_buf job;
};

#define RUN_UNTIL(f, cond)                                                    \
    do {                                                                      \
        int64_t end_ = loop_now_ms((f)->loop) + 8000;                         \
        while (!(cond) && loop_now_ms((f)->loop) < end_)                      \
            loop_run_once((f)->loop, 10);                                     \
        assert_true(cond);                                                    \
    } while (0)

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
    if (!umockdev_testbed_attach_ioctl(emu.testbed, DEVNODE, emu.handler, NULL))
        return -1;
    if (!umockdev_testbed_add_from_string(emu.testbed, printer_device, NULL))
        return -1;
    f.loop = loop_new();
    f.cfg = config_new();
    config_set(f.cfg, "printer.usb.vid_pid", "04b8:0202");
    config_set(f.cfg, "printer.timeout_ms", "2000");
    char err[256];
    struct printer_events ev = { on_done, on_status, NULL, &f.seen };
    if (printer_open("usb", f.loop, f.cfg, &ev, &f.printer, err, sizeof err)) {
        fprintf(stderr, "printer_open: %s\n", err);
        return -1;
    }
    escpos_buf_init(&f.job, ESCPOS_PC858);
    escpos_initialize(&f.job);
    escpos_text(&f.job, "Grüße aus Köln, 12,50 €");
    escpos_newline(&f.job);
    escpos_cut(&f.job, ESCPOS_CUT_PARTIAL);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    printer_close(f->printer);
    escpos_buf_free(&f->job);
    config_free(f->cfg);
    loop_free(f->loop);
    g_clear_object(&emu.handler);
    g_clear_object(&emu.testbed);
    g_list_free_full(emu.out_done, free_held);
    g_list_free_full(emu.out_held, free_held);
    g_list_free_full(emu.in_flying, free_held);
    pthread_mutex_destroy(&emu.lock);
    return 0;
}

static void print(struct fixture *f)
{
    int before = f->seen.done;
    assert_int_equal(printer_print(f->printer, f->job.p, f->job.len, 0), 0);
    RUN_UNTIL(f, f->seen.done > before);
}

static void test_prints_with_status(void **state)
{
    struct fixture *f = *state;
    print(f);
    assert_true(f->seen.ok);
    assert_int_equal(emu.jobs, 1);
    assert_int_equal(emu.nprinted, f->job.len);
    assert_memory_equal(emu.printed, f->job.p, f->job.len);
    assert_int_equal(emu.claims, 1);
    assert_string_equal(f->seen.status, "printer: ok");
    print(f);                         /* the device stays claimed between jobs */
    assert_true(f->seen.ok);
    assert_int_equal(emu.claims, 1);
    assert_int_equal(emu.jobs, 2);
}

/* DLE EOT says paper out: nothing is sent, the message says why; paper back, it prints. */
static void test_paper_out_by_status(void **state)
{
    struct fixture *f = *state;
    emu.paper_out = 1;
    print(f);
    assert_false(f->seen.ok);
    assert_string_equal(f->seen.why, "paper out");
    assert_int_equal(emu.jobs, 0);
    emu.paper_out = 0;
    print(f);
    assert_true(f->seen.ok);
    assert_int_equal(emu.jobs, 1);
}

/* Unplugged while the job's transfer is in flight: the job fails into the caller's
 * queue; plugged back in, the printer says so (hotplug) and the job prints once. */
static void test_unplug_mid_print_then_replug(void **state)
{
    struct fixture *f = *state;
    emu.hold_jobs = 1;
    assert_int_equal(printer_print(f->printer, f->job.p, f->job.len, 0), 0);
    RUN_UNTIL(f, emu.out_held != NULL);
    pthread_mutex_lock(&emu.lock);
    emu.unplugged = 1;
    pthread_mutex_unlock(&emu.lock);
    umockdev_testbed_uevent(emu.testbed, SYSFS_PATH, "remove");
    RUN_UNTIL(f, f->seen.done == 1);
    assert_false(f->seen.ok);
    assert_non_null(strstr(f->seen.why, "unplugged"));
    assert_int_equal(emu.jobs, 0);
    RUN_UNTIL(f, strstr(f->seen.status, "not connected") != NULL);

    /* while it is away a job fails at once, without waiting for the timeout */
    print(f);
    assert_false(f->seen.ok);
    assert_non_null(strstr(f->seen.why, "no USB printer"));

    pthread_mutex_lock(&emu.lock);
    emu.unplugged = 0;
    emu.hold_jobs = 0;
    pthread_mutex_unlock(&emu.lock);
    umockdev_testbed_uevent(emu.testbed, SYSFS_PATH, "add");
    RUN_UNTIL(f, strcmp(f->seen.status, "printer connected") == 0);
    print(f);
    assert_true(f->seen.ok);
    assert_int_equal(emu.jobs, 1);
    assert_memory_equal(emu.printed, f->job.p, f->job.len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_prints_with_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paper_out_by_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unplug_mid_print_then_replug, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
