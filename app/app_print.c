/* Receipts on the printer: layout at sale completion, the queue, retries, reprints, the
 * drawer's "no sale".  See app/app_print.h. */
#include "app/app_print.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/app_fiscal.h"
#include "core/escpos.h"
#include "core/receipt.h"
#include "core/receipt_escpos.h"
#include "drivers/printer.h"
#include "src/print_queue.h"

struct app_print {
    struct app *app;
    struct printer *printer;     /* NULL: printer.driver = none */
    struct receipt_escpos_options eo;
    enum receipt_code code;
    char header[512], footer[512];
    int retry_ms;
    int no_sale_allowed;

    int64_t job_id;              /* the job with the printer, 0 none */
    int64_t job_receipt_no;
    char job_kind[12];
    char job_title[64];          /* a document's */
    int held;                    /* the first job failed: wait for the printer or the cashier */
    char held_why[96];
    uint64_t retry_timer;

    struct sale last_sale;       /* for a gift receipt while the receipt screen shows */
    char last_when[32];
    int have_last_sale;
};

/* '|' separates lines in one config value: "Main Street 5|12345 Town". */
static void config_lines(const struct config *cfg, const char *key, const char *def, char *out, size_t len)
{
    snprintf(out, len, "%s", config_get(cfg, key, def));
    for (char *p = out; *p; p++)
        if (*p == '|')
            *p = '\n';
}

static int read_config(struct app_print *ap, const struct config *cfg, char *err, size_t errlen)
{
    receipt_escpos_defaults(&ap->eo);
    const char *cp = config_get(cfg, "printer.codepage", "pc858");
    if (escpos_codepage_from_name(cp, &ap->eo.codepage, &ap->eo.esc_t)) {
        snprintf(err, errlen, "printer.codepage must be pc858, pc850, pc437 or wpc1252 (got '%s')", cp);
        return -1;
    }
    long long n;
    if (config_get_int(cfg, "printer.codepage_number", ap->eo.esc_t, &n) || n < 0 || n > 255) {
        snprintf(err, errlen, "printer.codepage_number must be the printer's ESC t number, 0-255");
        return -1;
    }
    ap->eo.esc_t = (int)n;
    const char *cut = config_get(cfg, "printer.cut", "partial");
    if (strcmp(cut, "partial") == 0)
        ap->eo.cut = ESCPOS_CUT_PARTIAL;
    else if (strcmp(cut, "full") == 0)
        ap->eo.cut = ESCPOS_CUT_FULL;
    else if (strcmp(cut, "none") == 0)
        ap->eo.cut = ESCPOS_CUT_NONE;
    else {
        snprintf(err, errlen, "printer.cut must be partial, full or none (got '%s')", cut);
        return -1;
    }
    if (config_get_int(cfg, "printer.feed_lines", 4, &n) || n < 0 || n > 20) {
        snprintf(err, errlen, "printer.feed_lines must be 0-20");
        return -1;
    }
    ap->eo.feed_lines = (int)n;
    if (config_get_int(cfg, "printer.retry_ms", 2000, &n) || n < 100 || n > 600000) {
        snprintf(err, errlen, "printer.retry_ms must be milliseconds between 100 and 600000");
        return -1;
    }
    ap->retry_ms = (int)n;
    const char *code = config_get(cfg, "receipt.code", "code128");
    if (strcmp(code, "code128") == 0)
        ap->code = RECEIPT_CODE_128;
    else if (strcmp(code, "qr") == 0)
        ap->code = RECEIPT_CODE_QR;
    else if (strcmp(code, "none") == 0)
        ap->code = RECEIPT_CODE_NONE;
    else {
        snprintf(err, errlen, "receipt.code must be code128, qr or none (got '%s')", code);
        return -1;
    }
    config_lines(cfg, "receipt.header", "", ap->header, sizeof ap->header);
    config_lines(cfg, "receipt.footer", "Thank you!", ap->footer, sizeof ap->footer);
    const char *ns = config_get(cfg, "drawer.no_sale", "yes");
    if (strcmp(ns, "yes") && strcmp(ns, "no")) {
        snprintf(err, errlen, "drawer.no_sale must be yes or no");
        return -1;
    }
    ap->no_sale_allowed = strcmp(ns, "yes") == 0;
    return 0;
}

static void refresh_count(struct app_print *ap)
{
    int64_t n = 0;
    if (print_queue_count(ap->app->store, &n) == 0)
        ap->app->printing.queued = n;
    ap->app->dirty = 1;
}

static void pump(struct app_print *ap);

static void on_retry(struct loop *loop, void *ctx)
{
    struct app_print *ap = ctx;
    ap->retry_timer = 0;
    if (!ap->held)
        return;
    /* A printer that can say so is asked first; the job goes again once it can print. */
    if (printer_reads_status(ap->printer) && printer_query_status(ap->printer) == 0)
        return;   /* the answer arrives in on_status */
    ap->held = 0;
    pump(ap);
}

static void schedule_retry(struct app_print *ap)
{
    if (ap->retry_timer)
        loop_cancel_timer(ap->app->loop, ap->retry_timer);
    ap->retry_timer = loop_add_timer(ap->app->loop, ap->retry_ms, on_retry, ap);
}

static void describe_job(const struct app_print *ap, char *buf, size_t len)
{
    if (strcmp(ap->job_kind, "document") == 0)
        snprintf(buf, len, "%s", ap->job_title[0] ? ap->job_title : "A document");
    else if (ap->job_receipt_no)
        snprintf(buf, len, "%s %lld", strcmp(ap->job_kind, "receipt") == 0 ? "Receipt" :
                 strcmp(ap->job_kind, "copy") == 0 ? "Copy of receipt" : "Gift receipt",
                 (long long)ap->job_receipt_no);
    else
        snprintf(buf, len, "A print job");
}

/* Starts the oldest queued job when the printer is free and nothing is held. */
static void pump(struct app_print *ap)
{
    if (!ap->printer || ap->held || ap->job_id || printer_busy(ap->printer))
        return;
    struct print_job job;
    if (print_queue_next(ap->app->store, &job) != STORE_OK)
        return;
    ap->job_id = job.id;
    ap->job_receipt_no = job.receipt_no;
    snprintf(ap->job_kind, sizeof ap->job_kind, "%s", job.kind);
    snprintf(ap->job_title, sizeof ap->job_title, "%s", job.title);
    if (printer_print(ap->printer, job.bytes, job.len, 0)) {
        ap->job_id = 0;   /* busy after all: the idle event brings us back */
    }
    print_job_free(&job);
}

static void on_job_done(void *ctx, int ok, const char *why)
{
    struct app_print *ap = ctx;
    struct app *app = ap->app;
    char what[64];
    describe_job(ap, what, sizeof what);
    int64_t id = ap->job_id;
    ap->job_id = 0;
    if (!id)
        return;
    int64_t now = loop_wall_time();
    if (ok) {
        print_queue_printed(app->store, id, now);
        app->printing.problem = 0;
        if (ap->held_why[0] || strcmp(ap->job_kind, "receipt") != 0)
            app_set_message(app, 0, "%s printed.", what);
        ap->held_why[0] = 0;
    } else {
        print_queue_failed(app->store, id, why);
        ap->held = 1;
        snprintf(ap->held_why, sizeof ap->held_why, "%s", why);
        app->printing.problem = 1;
        app_set_message(app, 1, "%s NOT printed: %s. It waits in the queue and prints when the printer is ready (F6: retry, skip).",
                        what, why);
        app_log(app, "print: %s not printed: %s", what, why);
        schedule_retry(ap);
    }
    refresh_count(ap);
}

static void on_status(void *ctx, const struct printer_status *st, const char *text)
{
    struct app_print *ap = ctx;
    struct app *app = ap->app;
    snprintf(app->printing.status, sizeof app->printing.status, "%s", text);
    if (st->answered && drawer_is_open(app->drawer))
        snprintf(app->printing.status, sizeof app->printing.status, "DRAWER OPEN: close the drawer");
    app->dirty = 1;
    if (!ap->held)
        return;
    /* waiting for the printer: go as soon as it says it can print, or is back */
    if ((st->answered && printer_status_can_print(st)) || strcmp(text, "printer connected") == 0) {
        ap->held = 0;
        if (ap->retry_timer)
            loop_cancel_timer(app->loop, ap->retry_timer);
        ap->retry_timer = 0;
    } else if (!ap->retry_timer && !printer_busy(ap->printer)) {
        schedule_retry(ap);
    }
}

static void on_idle(void *ctx)
{
    struct app_print *ap = ctx;
    if (ap->held && !ap->retry_timer)
        schedule_retry(ap);
    pump(ap);
}

int app_open_printer(struct app *app, char *err, size_t errlen)
{
    struct app_print *ap = calloc(1, sizeof *ap);
    if (!ap) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ap->app = app;
    if (read_config(ap, app->cfg, err, errlen)) {
        free(ap);
        return -1;
    }
    const char *driver = config_get(app->cfg, "printer.driver", "file");
    if (strcmp(driver, "none") != 0) {
        struct printer_events ev = { on_job_done, on_status, on_idle, ap };
        if (printer_open(driver, app->loop, app->cfg, &ev, &ap->printer, err, errlen)) {
            free(ap);
            return -1;
        }
        snprintf(app->printing.status, sizeof app->printing.status, "printer %s", driver);
    }
    app->printing.ctl = ap;
    drawer_use_printer(app->drawer, ap->printer);
    refresh_count(ap);
    /* receipts left in the queue by the last run print now */
    pump(ap);
    return 0;
}

void app_close_printer(struct app *app)
{
    struct app_print *ap = app->printing.ctl;
    if (!ap)
        return;
    if (ap->retry_timer)
        loop_cancel_timer(app->loop, ap->retry_timer);
    drawer_use_printer(app->drawer, NULL);
    printer_close(ap->printer);
    free(ap);
    app->printing.ctl = NULL;
}

static int render(struct app_print *ap, const struct sale *sale, struct receipt_options *o,
                  char **text, struct escpos_buf *bytes)
{
    struct receipt_layout l;
    if (receipt_layout(sale, o, &l))
        return -1;
    int rc = 0;
    if (text)
        rc = rl_render_text(&l, text);
    if (bytes) {
        escpos_buf_init(bytes, ap->eo.codepage);
        if (rc == 0 && receipt_escpos(&l, &ap->eo, bytes)) {
            escpos_buf_free(bytes);
            rc = -1;
        }
    }
    rl_free(&l);
    return rc;
}

static struct receipt_options options(struct app_print *ap, const char *when_text)
{
    struct receipt_options o = {
        .width = ap->app->s.receipt_width,
        .when_text = when_text,
        .header = ap->header,
        .footer = ap->footer,
        .code = ap->code,
        .fold = 1,
        .codepage = ap->eo.codepage,
    };
    return o;
}

int app_print_sale(struct app *app, const struct sale *sale, const char *when_text, char **text)
{
    struct app_print *ap = app->printing.ctl;
    struct receipt_options o = options(ap, when_text);
    struct escpos_buf bytes, copy;
    char *t = NULL;
    if (render(ap, sale, &o, &t, &bytes))
        return -1;
    o.copy = 1;
    if (render(ap, sale, &o, NULL, &copy)) {
        free(t);
        escpos_buf_free(&bytes);
        return -1;
    }
    ap->last_sale = *sale;
    ap->have_last_sale = 1;
    snprintf(ap->last_when, sizeof ap->last_when, "%s", when_text);
    struct receipt_record r = { sale->uuid, sale->receipt_no, sale->terminal_id, sale->completed_at,
                                t, bytes.p, bytes.len, copy.p, copy.len };
    int rc = print_queue_add_receipt(app->store, &r, NULL);
    escpos_buf_free(&bytes);
    escpos_buf_free(&copy);
    if (rc != STORE_OK)
        app_log(app, "print: receipt %lld could not be queued (%d)", (long long)sale->receipt_no, rc);
    *text = t;
    refresh_count(ap);
    pump(ap);
    return 0;
}

int app_print_text(struct app *app, const char *title, const char *text)
{
    struct app_print *ap = app->printing.ctl;
    if (!ap || !ap->printer)
        return 1;
    struct escpos_buf bytes;
    escpos_buf_init(&bytes, ap->eo.codepage);
    if (receipt_escpos_plain(text, &ap->eo, &bytes)) {
        escpos_buf_free(&bytes);
        app_set_message(app, 1, "%s could not be laid out for the printer (out of memory)", title);
        return -1;
    }
    int rc = print_queue_add_document(app->store, title, bytes.p, bytes.len, loop_wall_time(), NULL);
    escpos_buf_free(&bytes);
    if (rc != STORE_OK) {
        app_set_message(app, 1, "%s could not be queued for the printer: %s", title, store_errmsg(app->store));
        return -1;
    }
    refresh_count(ap);
    pump(ap);
    return 0;
}

int app_print_retry(struct app *app)
{
    struct app_print *ap = app->printing.ctl;
    if (!ap->printer) {
        app_set_message(app, 1, "No printer is configured (printer.driver = none)");
        return -1;
    }
    ap->held = 0;
    if (ap->retry_timer)
        loop_cancel_timer(app->loop, ap->retry_timer);
    ap->retry_timer = 0;
    app_set_message(app, 0, "Printing again...");
    pump(ap);
    return 0;
}

int app_print_skip(struct app *app)
{
    struct app_print *ap = app->printing.ctl;
    struct print_job job;
    if (ap->job_id) {
        app_set_message(app, 1, "The printer is printing: wait for it, then skip");
        return -1;
    }
    if (print_queue_next(app->store, &job) != STORE_OK) {
        app_set_message(app, 0, "Nothing waits to be printed.");
        return -1;
    }
    print_queue_skip(app->store, job.id, loop_wall_time());
    char what[64];
    ap->job_receipt_no = job.receipt_no;
    snprintf(ap->job_kind, sizeof ap->job_kind, "%s", job.kind);
    snprintf(ap->job_title, sizeof ap->job_title, "%s", job.title);
    describe_job(ap, what, sizeof what);
    print_job_free(&job);
    app_audit(app, "print_skipped", what);
    app_set_message(app, 0, "%s skipped: it will not be printed (reprint it with F6 if needed).", what);
    ap->held = 0;
    ap->held_why[0] = 0;
    app->printing.problem = 0;
    refresh_count(ap);
    pump(ap);
    return 0;
}

int app_print_reprint(struct app *app, int64_t receipt_no)
{
    struct app_print *ap = app->printing.ctl;
    int64_t found;
    int rc = print_queue_add_copy(app->store, receipt_no, loop_wall_time(), &found, NULL);
    if (rc == STORE_NOTFOUND) {
        if (receipt_no)
            app_set_message(app, 1, "No receipt %lld on this till", (long long)receipt_no);
        else
            app_set_message(app, 1, "No receipt to reprint yet");
        return -1;
    }
    if (rc != STORE_OK) {
        app_set_message(app, 1, "The reprint could not be queued (database error)");
        return -1;
    }
    char detail[32];
    snprintf(detail, sizeof detail, "%lld", (long long)found);
    app_audit(app, "reprint", detail);
    app_set_message(app, 0, "Copy of receipt %lld queued for printing.", (long long)found);
    refresh_count(ap);
    pump(ap);
    return 0;
}

int app_print_submit(struct app *app, const char *text)
{
    int64_t no = 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9' || no > INT64_MAX / 10 - 9) {
            app_set_message(app, 1, "'%s' is not a receipt number", text);
            return -1;
        }
        no = no * 10 + (*p - '0');
    }
    return app_print_reprint(app, no);
}

int app_print_reprint_code(struct app *app, const char *code)
{
    char term[32];
    int64_t no;
    if (receipt_code_parse(code, term, sizeof term, &no)) {
        app_set_message(app, 1, "'%s' is not a receipt barcode", code);
        return -1;
    }
    if (strcmp(term, app->s.terminal_id) != 0) {
        app_set_message(app, 1, "Receipt %lld is from till %s, not this one", (long long)no, term);
        return -1;
    }
    return app_print_reprint(app, no);
}

int app_print_gift(struct app *app)
{
    struct app_print *ap = app->printing.ctl;
    if (!ap->have_last_sale || app->mode != MODE_RECEIPT) {
        app_set_message(app, 1, "A gift receipt is printed right after the sale");
        return -1;
    }
    struct receipt_options o = options(ap, ap->last_when);
    o.gift = 1;
    struct escpos_buf bytes;
    if (render(ap, &ap->last_sale, &o, NULL, &bytes)) {
        app_set_message(app, 1, "The gift receipt could not be laid out");
        return -1;
    }
    int rc = print_queue_add_bytes(app->store, ap->last_sale.receipt_no, "gift", bytes.p, bytes.len,
                                   loop_wall_time(), NULL);
    escpos_buf_free(&bytes);
    if (rc != STORE_OK) {
        app_set_message(app, 1, "The gift receipt could not be queued");
        return -1;
    }
    app_set_message(app, 0, "Gift receipt queued for printing.");
    refresh_count(ap);
    pump(ap);
    return 0;
}

int cmd_check_no_sale(struct app *app, const char *arg)
{
    struct app_print *ap = app->printing.ctl;
    if (!ap->no_sale_allowed) {
        app_set_message(app, 1, "\"No sale\" is not allowed on this till (drawer.no_sale = no)");
        return -1;
    }
    if (app->mode != MODE_SALE || !cart_is_empty(&app->sale->cart)) {
        app_set_message(app, 1, "\"No sale\" opens the drawer between sales only");
        return -1;
    }
    /* with staff, the shift records it */
    if (app->staff.enabled && !app->shift.open) {
        app_set_message(app, 1, "No shift is open: F9, then S opens one");
        return -1;
    }
    return 0;
}

int cmd_no_sale(struct app *app, const struct cmd_args *a)
{
    /* with staff, the shift records it (app/shift.c) */
    if (app->staff.enabled)
        return app_shift_no_sale(app, a->approver);
    app_audit(app, "no_sale", NULL);
    app_fiscal_cash_moved(app, CASH_NO_SALE, 0);
    if (drawer_kick(app->drawer)) {
        app_set_message(app, 1, "The drawer could not be opened (no printer for it?)");
        return -1;
    }
    app_set_message(app, 0, "No sale: drawer opened.");
    return 0;
}

int app_no_sale(struct app *app)
{
    return app_command(app, "no-sale", NULL, DOOR_KEY);
}
