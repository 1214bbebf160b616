/* The simulated payment terminal: a real driver with scriptable behaviour, the default in
 * `make run`.  Config (prefix = "payment.sim"):
 *   script       = approve,decline,partial:500,timeout,disconnect,unreachable,abort
 *                  one behaviour per transaction, in order; the last one repeats
 *   script_file  = a file with one behaviour per line (instead of script)
 *   latency_ms   = how long the "customer" takes (default 1500)
 *   timeout_ms   = how long Till waits for an answer (default 30000)
 *   device_file  = the terminal's own memory of its transactions: it outlives Till, so a
 *                  status enquiry after a crash tells the terminal's truth.
 *   end_of_day   = totals (default: the totals of what it approved since its last
 *                  end-of-day, from the device file), none (a terminal without one), hang
 *                  (never answers: the Z must not wait for it)
 * Card data is simulated down to the last four digits only. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/payment_terminal.h"
#include "src/atomic_file.h"
#include "src/config.h"
#include "src/loop.h"
#include "src/i18n.h"
#include "core/money.h"

#define SIM_MAX_STEPS 64

enum sim_step { SIM_APPROVE, SIM_DECLINE, SIM_PARTIAL, SIM_TIMEOUT, SIM_DISCONNECT,
                SIM_UNREACHABLE, SIM_ABORT };

struct sim {
    struct loop *loop;
    struct pt_events ev;
    struct money_format fmt;
    enum sim_step steps[SIM_MAX_STEPS];
    int64_t partial[SIM_MAX_STEPS];
    int nsteps, next;
    int latency_ms, timeout_ms;
    char device_file[512];
    unsigned trace;
    /* the transaction in progress */
    int busy;
    enum pt_op op;
    enum sim_step step;
    int64_t amount, step_partial;
    char reference[48];
    struct pt_outcome pending;
    uint64_t timers[3];
    enum { SIM_EOD_TOTALS, SIM_EOD_NONE, SIM_EOD_HANG } eod_mode;
    pt_eod_cb eod_cb;
    void *eod_ctx;
    struct pt_eod_totals eod;
};

static int parse_step(const char *s, enum sim_step *step, int64_t *partial)
{
    static const struct { const char *name; enum sim_step step; } names[] = {
        { "approve", SIM_APPROVE }, { "decline", SIM_DECLINE }, { "timeout", SIM_TIMEOUT },
        { "disconnect", SIM_DISCONNECT }, { "unreachable", SIM_UNREACHABLE }, { "abort", SIM_ABORT },
    };
    while (*s == ' ')
        s++;
    if (strncmp(s, "partial:", 8) == 0) {
        char *end;
        long long v = strtoll(s + 8, &end, 10);
        if (v <= 0 || (*end && *end != ' ' && *end != '\n'))
            return -1;
        *step = SIM_PARTIAL;
        *partial = v;
        return 0;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i].name);
        if (strncmp(s, names[i].name, n) == 0 && (!s[n] || s[n] == ' ' || s[n] == '\n' || s[n] == '\r')) {
            *step = names[i].step;
            return 0;
        }
    }
    return -1;
}

static int load_script(struct sim *s, const char *text, char sep, char *err, size_t errlen)
{
    s->nsteps = 0;
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, sep);
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char item[64];
        if (n >= sizeof item) {
            snprintf(err, errlen, "sim terminal: script item too long");
            return -1;
        }
        memcpy(item, p, n);
        item[n] = 0;
        char *t = item;
        while (*t == ' ' || *t == '\t')
            t++;
        if (*t && *t != '#') {
            if (s->nsteps == SIM_MAX_STEPS) {
                snprintf(err, errlen, "sim terminal: at most %d script steps", SIM_MAX_STEPS);
                return -1;
            }
            if (parse_step(t, &s->steps[s->nsteps], &s->partial[s->nsteps])) {
                snprintf(err, errlen, "sim terminal: unknown behaviour '%s' (approve, decline,"
                         " partial:AMOUNT, timeout, disconnect, unreachable, abort)", t);
                return -1;
            }
            s->nsteps++;
        }
        p += n + (e != NULL);
    }
    if (s->nsteps == 0) {
        s->steps[0] = SIM_APPROVE;
        s->nsteps = 1;
    }
    return 0;
}

/* Like a real device, a simulated terminal remembers its transactions across restarts: by
 * default in a file beside the database, one per configured terminal ("payment.sim" keeps
 * the name it always had: DB.sim-terminal; "payment.spare": DB.spare.sim-terminal). */
static void sim_default_device_file(const struct config *cfg, const char *prefix, char *out, size_t len)
{
    const char *db = config_get(cfg, "paths.database", "");
    const char *name = strncmp(prefix, "payment.", 8) == 0 ? prefix + 8 : prefix;
    if (!*db)
        snprintf(out, len, "%s", "");
    else if (strcmp(name, "sim") == 0)
        snprintf(out, len, "%s.sim-terminal", db);
    else
        snprintf(out, len, "%s.%s.sim-terminal", db, name);
}

static int sim_open(void *priv, struct loop *loop, const struct config *cfg, const char *prefix,
                    const struct pt_events *ev, char *err, size_t errlen)
{
    struct sim *s = priv;
    char key[96];
    s->loop = loop;
    s->ev = *ev;
    if (money_format_init(&s->fmt, config_get(cfg, "store.currency", "EUR"),
                          config_get(cfg, "store.money_style", "eu")))
        money_format_init(&s->fmt, "EUR", "eu");
    long long v;
    snprintf(key, sizeof key, "%s.latency_ms", prefix);
    if (config_get_int(cfg, key, 1500, &v) || v < 0 || v > 600000) {
        snprintf(err, errlen, "%s must be 0..600000", key);
        return -1;
    }
    s->latency_ms = (int)v;
    snprintf(key, sizeof key, "%s.timeout_ms", prefix);
    if (config_get_int(cfg, key, 30000, &v) || v < 1 || v > 600000) {
        snprintf(err, errlen, "%s must be 1..600000", key);
        return -1;
    }
    s->timeout_ms = (int)v;
    snprintf(key, sizeof key, "%s.device_file", prefix);
    char def[sizeof s->device_file];
    sim_default_device_file(cfg, prefix, def, sizeof def);
    snprintf(s->device_file, sizeof s->device_file, "%s", config_get(cfg, key, def));
    snprintf(key, sizeof key, "%s.end_of_day", prefix);
    const char *eod = config_get(cfg, key, "totals");
    if (strcmp(eod, "totals") == 0)
        s->eod_mode = SIM_EOD_TOTALS;
    else if (strcmp(eod, "none") == 0)
        s->eod_mode = SIM_EOD_NONE;
    else if (strcmp(eod, "hang") == 0)
        s->eod_mode = SIM_EOD_HANG;
    else {
        snprintf(err, errlen, "%s must be totals, none or hang, not '%s'", key, eod);
        return -1;
    }
    snprintf(key, sizeof key, "%s.script_file", prefix);
    const char *file = config_get(cfg, key, NULL);
    if (file) {
        FILE *f = fopen(file, "r");
        char buf[4096];
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (!f) {
            snprintf(err, errlen, "sim terminal: cannot read script %s: %s", file, strerror(errno));
            return -1;
        }
        fclose(f);
        buf[n] = 0;
        return load_script(s, buf, '\n', err, errlen);
    }
    snprintf(key, sizeof key, "%s.script", prefix);
    return load_script(s, config_get(cfg, key, "approve"), ',', err, errlen);
}

static void cancel_timers(struct sim *s)
{
    for (int i = 0; i < 3; i++) {
        if (s->timers[i])
            loop_cancel_timer(s->loop, s->timers[i]);
        s->timers[i] = 0;
    }
}

static void sim_close(void *priv)
{
    struct sim *s = priv;
    s->eod_cb = NULL;
    cancel_timers(priv);
}

/* The terminal's own journal: one line per event, fsynced, as a device's memory would be. */
static void device_record(struct sim *s, const char *what, const char *ref, int64_t amount,
                          const struct pt_outcome *o)
{
    if (!s->device_file[0])
        return;
    /* created with its directory entry synced, so the journal cannot vanish in a power cut */
    char err[300];
    int fd = atomic_file_open_append(s->device_file, 0600, err, sizeof err);
    if (fd < 0)
        return;
    char line[256];
    /* tab-separated: figures side by side with single spaces could read as a grouped card
     * number to tests/pan_scan.sh */
    int n = snprintf(line, sizeof line, "%s\t%s\t%lld\t%s\t%s\t%s\n", what, ref, (long long)amount,
                     o ? o->trace : "-", o ? o->auth_code : "-",
                     o && o->masked_pan[0] ? o->masked_pan + strlen(o->masked_pan) - 4 : "-");
    if (n > 0 && write(fd, line, (size_t)n) == n)
        fsync(fd);
    close(fd);
}

static void finish(struct sim *s)
{
    cancel_timers(s);
    s->busy = 0;
    struct pt_outcome o = s->pending;
    s->ev.done(s->ev.ctx, &o);
}

static void fill_card(struct sim *s, struct pt_outcome *o, int64_t amount)
{
    static const char *const schemes[] = { "Visa", "Mastercard", "Girocard", "Maestro" };
    static const char *const last4[] = { "4242", "4444", "1881", "0005" };
    int k = (int)(s->trace % 4);
    o->amount = amount;
    snprintf(o->card_scheme, sizeof o->card_scheme, "%s", schemes[k]);
    snprintf(o->masked_pan, sizeof o->masked_pan, "************%s", last4[k]);
    snprintf(o->auth_code, sizeof o->auth_code, "%06u", (s->trace * 7919u) % 1000000u);
    snprintf(o->trace, sizeof o->trace, "%06u", s->trace);
    snprintf(o->receipt_no, sizeof o->receipt_no, "%04u", s->trace % 10000u);
    snprintf(o->terminal_id, sizeof o->terminal_id, "52500001");
    char a[48];
    money_format(amount, &s->fmt, 1, a, sizeof a);
    snprintf(o->receipt, sizeof o->receipt,
             "   CARD PAYMENT (SIMULATED)\n%s %s\nAmount %s\nAuth %s  Trace %s\nTerminal %s\n%s",
             o->card_scheme, o->masked_pan, a, o->auth_code, o->trace, o->terminal_id,
             o->result == PT_APPROVED ? "APPROVED" : "DECLINED");
}

static void on_outcome(struct loop *loop, void *ctx)
{
    struct sim *s = ctx;
    struct pt_outcome *o = &s->pending;
    s->trace++;
    switch (s->step) {
    case SIM_APPROVE:
    case SIM_PARTIAL:
        o->result = PT_APPROVED;
        fill_card(s, o, s->step == SIM_PARTIAL && s->step_partial < s->amount ? s->step_partial : s->amount);
        device_record(s, "APPROVED", s->reference, o->amount, o);
        snprintf(o->message, sizeof o->message, "%s", o->amount < s->amount ? N_("Partially approved") : N_("Approved"));
        break;
    case SIM_DECLINE:
        o->result = PT_DECLINED;
        fill_card(s, o, 0);
        snprintf(o->message, sizeof o->message, "%s", N_("Declined by the card issuer"));
        break;
    case SIM_ABORT:
        o->result = PT_ABORTED;
        snprintf(o->message, sizeof o->message, "%s", N_("Cancelled by the customer"));
        break;
    case SIM_DISCONNECT:
        /* the worst case: the terminal approved, but the connection broke before the answer */
        fill_card(s, o, s->amount);
        device_record(s, "APPROVED", s->reference, s->amount, o);
        memset(o, 0, sizeof *o);
        o->op = PT_PURCHASE;
        snprintf(o->reference, sizeof o->reference, "%s", s->reference);
        o->result = PT_UNKNOWN;
        snprintf(o->message, sizeof o->message, "Terminal disconnected mid-transaction");
        break;
    case SIM_TIMEOUT:
    case SIM_UNREACHABLE:
        return; /* handled elsewhere */
    }
    finish(s);
}

static void on_timeout(struct loop *loop, void *ctx)
{
    struct sim *s = ctx;
    s->pending.result = PT_UNKNOWN;
    snprintf(s->pending.message, sizeof s->pending.message, "%s", N_("No answer from the terminal"));
    finish(s);
}

static void on_status_pin(struct loop *loop, void *ctx)
{
    struct sim *s = ctx;
    s->timers[1] = 0;
    s->ev.status(s->ev.ctx, N_("Enter PIN"));
}

static void on_unreachable(struct loop *loop, void *ctx)
{
    struct sim *s = ctx;
    s->pending.result = PT_ERROR;
    s->pending.never_reached = 1;
    snprintf(s->pending.message, sizeof s->pending.message, "Terminal not reachable (connection refused)");
    finish(s);
}

static int begin(struct sim *s, enum pt_op op, int64_t amount, const char *reference)
{
    if (s->busy)
        return -1;
    s->busy = 1;
    s->op = op;
    s->amount = amount;
    snprintf(s->reference, sizeof s->reference, "%s", reference ? reference : "");
    memset(&s->pending, 0, sizeof s->pending);
    s->pending.op = op;
    snprintf(s->pending.reference, sizeof s->pending.reference, "%s", s->reference);
    return 0;
}

static int sim_purchase(void *priv, int64_t amount, const char *reference)
{
    struct sim *s = priv;
    if (begin(s, PT_PURCHASE, amount, reference))
        return -1;
    int i = s->next < s->nsteps ? s->next++ : s->nsteps - 1;
    s->step = s->steps[i];
    s->step_partial = s->partial[i];
    if (s->step == SIM_UNREACHABLE) {
        s->timers[0] = loop_add_timer(s->loop, 0, on_unreachable, s);
        return 0;
    }
    s->ev.status(s->ev.ctx, N_("Insert or tap card"));
    s->timers[1] = loop_add_timer(s->loop, s->latency_ms / 2, on_status_pin, s);
    if (s->step == SIM_TIMEOUT)
        s->timers[2] = loop_add_timer(s->loop, s->timeout_ms, on_timeout, s);
    else
        s->timers[0] = loop_add_timer(s->loop, s->latency_ms, on_outcome, s);
    return 0;
}

static void on_immediate(struct loop *loop, void *ctx)
{
    finish(ctx);
}

static int sim_reversal(void *priv, const struct pt_outcome *orig)
{
    struct sim *s = priv;
    if (begin(s, PT_REVERSAL, orig->amount, orig->reference))
        return -1;
    s->trace++;
    s->pending.result = PT_APPROVED;
    s->pending.amount = orig->amount;
    device_record(s, "REVERSED", orig->reference, orig->amount, NULL);
    char a[48];
    money_format(orig->amount, &s->fmt, 1, a, sizeof a);
    snprintf(s->pending.receipt, sizeof s->pending.receipt, "   REVERSAL (SIMULATED)\nAmount %s\nREVERSED", a);
    snprintf(s->pending.message, sizeof s->pending.message, "Payment reversed");
    s->timers[0] = loop_add_timer(s->loop, s->latency_ms / 4, on_immediate, s);
    return 0;
}

static int sim_refund(void *priv, int64_t amount, const char *reference)
{
    struct sim *s = priv;
    if (begin(s, PT_REFUND, amount, reference))
        return -1;
    s->trace++;
    s->pending.result = PT_APPROVED;
    fill_card(s, &s->pending, amount);
    device_record(s, "REFUNDED", reference, amount, &s->pending);
    snprintf(s->pending.message, sizeof s->pending.message, "Refunded");
    s->timers[0] = loop_add_timer(s->loop, s->latency_ms, on_immediate, s);
    return 0;
}

/* Reads the device journal: the last word about reference wins. */
static int sim_status_enquiry(void *priv, const char *reference, int64_t amount)
{
    struct sim *s = priv;
    if (begin(s, PT_STATUS, amount, reference))
        return -1;
    s->pending.result = PT_NOT_FOUND;
    FILE *f = s->device_file[0] ? fopen(s->device_file, "r") : NULL;
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
        char what[16], ref[64], trace[16], auth[16], last4[8];
        long long amt;
        if (sscanf(line, "%15s %63s %lld %15s %15s %7s", what, ref, &amt, trace, auth, last4) != 6 ||
            strcmp(ref, reference) != 0)
            continue;
        /* a refund that went through is as approved as a purchase */
        if (strcmp(what, "APPROVED") == 0 || strcmp(what, "REFUNDED") == 0) {
            s->pending.result = PT_APPROVED;
            s->pending.amount = amt;
            snprintf(s->pending.trace, sizeof s->pending.trace, "%s", trace);
            snprintf(s->pending.auth_code, sizeof s->pending.auth_code, "%s", auth);
            snprintf(s->pending.masked_pan, sizeof s->pending.masked_pan, "************%s", last4);
        } else if (strcmp(what, "REVERSED") == 0) {
            s->pending.result = PT_ABORTED;
        }
    }
    if (f)
        fclose(f);
    snprintf(s->pending.message, sizeof s->pending.message, "Terminal reports: %s",
             pt_result_name(s->pending.result));
    s->timers[0] = loop_add_timer(s->loop, 0, on_immediate, s);
    return 0;
}

static int sim_end_of_day(void *priv)
{
    struct sim *s = priv;
    if (begin(s, PT_END_OF_DAY, 0, "eod"))
        return -1;
    s->pending.result = PT_APPROVED;
    snprintf(s->pending.receipt, sizeof s->pending.receipt, "   END OF DAY (SIMULATED)\nTransactions %u\nCLOSED", s->trace);
    snprintf(s->pending.message, sizeof s->pending.message, "End of day done");
    device_record(s, "END_OF_DAY", "eod", 0, NULL);
    s->timers[0] = loop_add_timer(s->loop, 0, on_immediate, s);
    return 0;
}

/* The card scheme of a simulated card, by its last four digits (fill_card's cards). */
static const char *sim_scheme_of(const char *last4)
{
    static const char *const schemes[] = { "Visa", "Mastercard", "Girocard", "Maestro" };
    static const char *const last4s[] = { "4242", "4444", "1881", "0005" };
    for (int i = 0; i < 4; i++)
        if (strcmp(last4, last4s[i]) == 0)
            return schemes[i];
    return "other cards";
}

static void eod_add(struct pt_eod_totals *t, const char *card, int64_t count, int64_t amount)
{
    int i = 0;
    while (i < t->nlines && strcmp(t->lines[i].card, card) != 0)
        i++;
    if (i == t->nlines) {
        if (t->nlines == PT_EOD_MAX_LINES)
            i = PT_EOD_MAX_LINES - 1; /* cannot happen with four schemes; kept in the last */
        else
            snprintf(t->lines[t->nlines++].card, sizeof t->lines[0].card, "%s", card);
    }
    t->lines[i].count += count;
    t->lines[i].amount += amount;
    t->count += count;
    t->total += amount;
}

/* The batch since the last END_OF_DAY in the device journal: approvals add, refunds and
 * reversals take away (a reversal names the approval it undoes). */
static void sim_batch(struct sim *s, struct pt_eod_totals *t)
{
    memset(t, 0, sizeof *t);
    FILE *f = s->device_file[0] ? fopen(s->device_file, "r") : NULL;
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
        char what[16], ref[64], trace[16], auth[16], last4[8];
        long long amt;
        if (sscanf(line, "%15s %63s %lld %15s %15s %7s", what, ref, &amt, trace, auth, last4) != 6)
            continue;
        if (strcmp(what, "END_OF_DAY") == 0)
            memset(t, 0, sizeof *t);
        else if (strcmp(what, "APPROVED") == 0)
            eod_add(t, sim_scheme_of(last4), 1, amt);
        else if (strcmp(what, "REFUNDED") == 0)
            eod_add(t, sim_scheme_of(last4), 1, -amt);
        else if (strcmp(what, "REVERSED") == 0)
            eod_add(t, "reversals", 1, -amt);
    }
    if (f)
        fclose(f);
    t->has_total = 1;
}

static void on_eod(struct loop *loop, void *ctx)
{
    struct sim *s = ctx;
    s->timers[0] = 0;
    cancel_timers(s);
    s->busy = 0;
    device_record(s, "END_OF_DAY", "eod", 0, NULL);
    pt_eod_cb cb = s->eod_cb;
    s->eod_cb = NULL;
    struct pt_eod_totals t = s->eod;
    if (cb)
        cb(s->eod_ctx, &t);
}

static int sim_end_of_day_totals(void *priv, pt_eod_cb cb, void *ctx)
{
    struct sim *s = priv;
    if (s->eod_mode == SIM_EOD_NONE)
        return PT_EOD_UNSUPPORTED;
    if (begin(s, PT_END_OF_DAY, 0, "eod"))
        return -1;
    s->eod_cb = cb;
    s->eod_ctx = ctx;
    if (s->eod_mode == SIM_EOD_HANG)
        return 0; /* busy until closed, like a terminal that never answers */
    sim_batch(s, &s->eod);
    s->eod.result = PT_APPROVED;
    snprintf(s->eod.message, sizeof s->eod.message, "End of day done");
    s->timers[0] = loop_add_timer(s->loop, s->latency_ms / 4, on_eod, s);
    return 0;
}

static int sim_abort(void *priv)
{
    struct sim *s = priv;
    if (!s->busy || s->op != PT_PURCHASE)
        return -1;
    /* nothing was charged: the outcome timer has not fired */
    s->pending.result = PT_ABORTED;
    snprintf(s->pending.message, sizeof s->pending.message, "Cancelled at the till");
    finish(s);
    return 0;
}

const struct terminal_ops terminal_sim_ops = {
    .drv = { DRIVER_TERMINAL, TERMINAL_OPS_VERSION, sizeof(struct sim), "sim" },
    .open = sim_open,
    .close = sim_close,
    .purchase = sim_purchase,
    .reversal = sim_reversal,
    .refund = sim_refund,
    .status_enquiry = sim_status_enquiry,
    .end_of_day = sim_end_of_day,
    .abort = sim_abort,
    .end_of_day_totals = sim_end_of_day_totals,
};
