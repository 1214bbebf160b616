/* German fiscal compliance: the TSE's transactions for sales and the other business
 * events, recorded in fiscal_tx before the TSE is asked.  See app/fiscal.h. */
#include "app/fiscal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/sale_session.h"
#include "app/tse_http.h"
#include "src/config.h"
#include "src/loop.h"
#include "src/store.h"

/* One question to the TSE: the answer comes through on_answer, in the call (the simulator)
 * or later from the loop (a network TSE); what it means for the record is applied either
 * way, and a caller still waiting reads the answer. */
struct fiscal_call {
    struct fiscal *f;
    enum fiscal_op op;
    struct fiscal_record rec;     /* the record as it will be once the answer is good */
    int waiting, answered;
    int defer;                    /* a sale's finish: the caller writes the record with the sale */
    struct tse_result answer;
};

static void set_status(struct fiscal *f, int ok, const char *why)
{
    int was = f->tse_ok;
    char old[sizeof f->status];
    snprintf(old, sizeof old, "%s", f->status);
    f->tse_ok = ok;
    if (ok)
        snprintf(f->status, sizeof f->status, "TSE ok");
    else
        snprintf(f->status, sizeof f->status, "TSE ausgefallen: %.60s", why);
    int64_t now = loop_wall_time();
    if (!ok)
        fiscal_outage_begin(f->store, now, why);
    else if (!was)
        fiscal_outage_end(f->store, now);
    if ((was != ok || strcmp(old, f->status) != 0) && f->ev.changed)
        f->ev.changed(f->ev.ctx);
}

static void copy_answer(struct fiscal_record *rec, const struct tse_result *r)
{
    rec->tx_number = r->tx_number;
    rec->sig_counter = r->sig_counter;
    if (r->start_ms)
        rec->start_ms = r->start_ms;
    rec->log_ms = r->log_ms;
    snprintf(rec->signature, sizeof rec->signature, "%s", r->signature);
    snprintf(rec->sig_alg, sizeof rec->sig_alg, "%s", r->sig_alg);
    snprintf(rec->time_format, sizeof rec->time_format, "%s", r->time_format);
    snprintf(rec->tse_serial, sizeof rec->tse_serial, "%s", r->serial);
    snprintf(rec->public_key, sizeof rec->public_key, "%s", r->public_key);
}

/* What an answer means for the record. */
static void apply(struct fiscal_call *c, const struct tse_result *r)
{
    struct fiscal *f = c->f;
    int64_t now = loop_wall_time();
    if (c->op == FISCAL_OP_START && strcmp(f->starting, c->rec.tx_id) == 0)
        f->starting[0] = 0;
    if (c->op == FISCAL_OP_FINISH && strcmp(f->finishing, c->rec.tx_id) == 0)
        f->finishing[0] = 0;
    if (r->rc == TSE_OK) {
        set_status(f, 1, "");
        if (c->op == FISCAL_OP_START) {
            fiscal_rec_started(f->store, c->rec.tx_id, r->tx_number, r->sig_counter, r->start_ms, now);
        } else if (!c->defer || !c->waiting) {
            copy_answer(&c->rec, r);
            c->rec.error[0] = 0;
            fiscal_rec_finished(f->store, &c->rec, now);
        }
        return;
    }
    if (c->op == FISCAL_OP_FINISH && r->rc == TSE_ENOTOPEN) {
        /* the TSE never had it (started before a crash that lost its start) */
        snprintf(c->rec.error, sizeof c->rec.error, "the TSE has no such transaction");
        if (!c->defer || !c->waiting)
            fiscal_rec_failed(f->store, &c->rec, now);
        return;
    }
    set_status(f, 0, r->error);
    if (c->op == FISCAL_OP_FINISH && (!c->defer || !c->waiting)) {
        snprintf(c->rec.error, sizeof c->rec.error, "%s", r->error);
        fiscal_rec_failed(f->store, &c->rec, now);
    }
    /* a failed start leaves the record 'new': the finish tries to start it again */
}

static void on_answer(void *ctx, const struct tse_result *r)
{
    struct fiscal_call *c = ctx;
    apply(c, r);
    if (c->waiting) {
        c->answer = *r;
        c->answered = 1;
        return;
    }
    free(c);
}

/* Asks the TSE; 1 with *answer when it answered in the call, 0 when the answer will come
 * from the loop, -1 when it could not be asked (busy, out of memory: treated as failed). */
static int ask(struct fiscal *f, enum fiscal_op op, const struct fiscal_record *rec, int defer,
               struct tse_result *answer)
{
    struct fiscal_call *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    c->f = f;
    c->op = op;
    c->rec = *rec;
    c->waiting = 1;
    c->defer = defer;
    int rc = op == FISCAL_OP_START
                 ? tse_start(f->tse, rec->tx_id, rec->process_type, "", on_answer, c)
                 : tse_finish(f->tse, rec->tx_id, rec->tx_number, rec->process_type, rec->process_data, on_answer, c);
    if (rc != 0) {
        /* busy with an earlier question (a slow TSE): not a failure; the sale asks again */
        memset(answer, 0, sizeof *answer);
        answer->rc = TSE_EBUSY;
        snprintf(answer->error, sizeof answer->error, "TSE busy");
        free(c);
        return -2;
    }
    if (c->answered) {
        *answer = c->answer;
        free(c);
        return 1;
    }
    c->waiting = 0;   /* on_answer frees it */
    return 0;
}

int fiscal_open(struct fiscal *f, const struct fiscal_setup *s, const struct fiscal_events *ev,
                char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    const char *country = config_get(s->cfg, "fiscal.country", "");
    if (!country[0])
        return 0;
    if (strcmp(country, "DE") != 0) {
        snprintf(err, errlen, "fiscal.country must be DE (or unset), not '%s'", country);
        return -1;
    }
    f->store = s->store;
    f->loop = s->loop;
    if (ev)
        f->ev = *ev;
    snprintf(f->client_id, sizeof f->client_id, "%s", config_get(s->cfg, "fiscal.till_serial", s->terminal_id));
    for (const char *p = f->client_id; *p; p++)
        if (*p <= ' ' || *p > '~' || *p == ';') {
            snprintf(err, errlen, "fiscal.till_serial must be printable ASCII without ';' or spaces");
            return -1;
        }
    if (tse_open(config_get(s->cfg, "fiscal.tse", "sim"), s->loop, s->cfg, "fiscal", f->client_id, &f->tse,
                 err, errlen))
        return -1;
    /* a TSE in the cloud talks through curl multi on the loop: never a blocked key */
    f->http = tse_http_adapter_new(s->loop, 10000);
    if (!f->http) {
        tse_close(f->tse);
        f->tse = NULL;
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (!tse_use_http(f->tse, tse_http_adapter_iface(f->http))) {
        tse_http_adapter_free(f->http);
        f->http = NULL;
    }
    f->enabled = 1;
    f->tse_ok = fiscal_outage_open(f->store) != 1;
    snprintf(f->status, sizeof f->status, "%s", f->tse_ok ? "TSE ok" : "TSE ausgefallen");
    return 0;
}

void fiscal_close(struct fiscal *f)
{
    if (f->begin_timer && f->loop)
        loop_cancel_timer(f->loop, f->begin_timer);
    f->begin_timer = 0;
    tse_close(f->tse);
    f->tse = NULL;
    tse_http_adapter_free(f->http);
    f->http = NULL;
    f->enabled = 0;
}

/* The start itself: the record first ('new'), then the TSE. */
static void begin_now(struct fiscal *f, const char *sale_uuid)
{
    struct fiscal_record rec;
    if (fiscal_rec_get(f->store, sale_uuid, &rec) == STORE_OK)
        return;   /* begun already */
    if (fiscal_rec_new(f->store, sale_uuid, sale_uuid, "sale", f->client_id, loop_wall_time()) != STORE_OK)
        return;   /* the finish records it */
    memset(&rec, 0, sizeof rec);
    snprintf(rec.tx_id, sizeof rec.tx_id, "%s", sale_uuid);
    snprintf(rec.process_type, sizeof rec.process_type, "%s", FISCAL_PROCESS_RECEIPT);
    struct tse_result r;
    if (ask(f, FISCAL_OP_START, &rec, 0, &r) == 0)
        snprintf(f->starting, sizeof f->starting, "%s", sale_uuid);
}

static void on_begin(struct loop *loop, void *ctx)
{
    struct fiscal *f = ctx;
    f->begin_timer = 0;
    begin_now(f, f->begin_uuid);
}

void fiscal_sale_begin(struct fiscal *f, const char *sale_uuid)
{
    /* the sale's later items: begun (or about to be) already */
    if (!f->enabled || strcmp(f->begin_uuid, sale_uuid) == 0)
        return;
    if (f->begin_timer)
        on_begin(f->loop, f);   /* another sale's start still waiting: now */
    snprintf(f->begin_uuid, sizeof f->begin_uuid, "%s", sale_uuid);
    f->begin_timer = f->loop ? loop_add_timer(f->loop, 0, on_begin, f) : 0;
    if (!f->begin_timer)
        begin_now(f, sale_uuid);
}

/* A start still waiting for the loop goes now (its sale is being finished or cancelled). */
static void begin_pending(struct fiscal *f, const char *sale_uuid)
{
    if (!f->begin_timer || strcmp(f->begin_uuid, sale_uuid) != 0)
        return;
    loop_cancel_timer(f->loop, f->begin_timer);
    f->begin_timer = 0;
    begin_now(f, sale_uuid);
}

/* The sale's amounts per VAT slot and tender, into rec; -1 with rec->error for a VAT rate
 * Kassenbeleg-V1 has no slot for. */
static int sale_amounts(const struct sale *sale, struct fiscal_record *rec)
{
    const struct tax_totals *t = &sale->cart->totals;
    for (int i = 0; i < t->nclasses; i++) {
        int slot = fiscal_vat_slot((int32_t)t->classes[i].rate_ppm);
        if (slot < 0) {
            snprintf(rec->error, sizeof rec->error, "VAT rate %lld ppm has no DSFinV-K slot",
                     (long long)t->classes[i].rate_ppm);
            return -1;
        }
        rec->vat[slot] += t->classes[i].gross;
        rec->net[slot] += t->classes[i].net;
    }
    for (int i = 0; i < sale->npayments; i++) {
        if (sale->payments[i].tender == TENDER_CASH)
            rec->cash += sale->payments[i].amount;
        else
            rec->noncash += sale->payments[i].amount;
        if (sale->payments[i].tender == TENDER_VOUCHER)
            rec->voucher += sale->payments[i].amount;
    }
    return 0;
}

static void process_data(struct fiscal_record *rec, const char *vorgang)
{
    struct fiscal_amounts a;
    memset(&a, 0, sizeof a);
    memcpy(a.vat, rec->vat, sizeof a.vat);
    a.cash = rec->cash;
    a.noncash = rec->noncash;
    if (fiscal_process_data(vorgang, &a, rec->process_data, sizeof rec->process_data))
        rec->process_data[0] = 0;
}

/* Starts (when the record is still 'new') and finishes the transaction of rec; the outcome
 * into out (may be NULL). */
static void pending(struct fiscal_receipt *out)
{
    if (out) {
        memset(out, 0, sizeof *out);
        out->state = FISCAL_PENDING;
        snprintf(out->text, sizeof out->text, "TSE: Signatur ausstehend (TSE slow)\n");
    }
}

static void start_and_finish(struct fiscal *f, struct fiscal_record *rec, int defer, struct fiscal_receipt *out)
{
    struct tse_result r;
    if (defer && strcmp(rec->state, "new") == 0 && strcmp(f->starting, rec->tx_id) == 0) {
        /* a sale whose start the TSE has not answered yet: its finish after that */
        pending(out);
        return;
    }
    if (strcmp(rec->state, "new") == 0) {
        int got = ask(f, FISCAL_OP_START, rec, 0, &r);
        if (got == 1 && r.rc == TSE_OK) {
            rec->tx_number = r.tx_number;
            rec->start_ms = r.start_ms;
            snprintf(rec->state, sizeof rec->state, "started");
        } else if (got == 0) {
            /* a TSE that queues (fiskaly): the finish follows the start and finds the
             * transaction by our id */
            snprintf(f->starting, sizeof f->starting, "%s", rec->tx_id);
            rec->tx_number = 0;
            if (defer) {
                pending(out);
                return;
            }
        } else if (got == -2 && defer) {
            pending(out);   /* busy: the sale asks again */
            return;
        } else {
            /* not started: the receipt says so and the record is failed */
            snprintf(rec->error, sizeof rec->error, "%s", r.error);
            snprintf(rec->state, sizeof rec->state, "failed");
            if (!defer)
                fiscal_rec_failed(f->store, rec, loop_wall_time());
            if (out)
                fiscal_receipt_of(rec, out);
            return;
        }
    }
    int got = ask(f, FISCAL_OP_FINISH, rec, defer, &r);
    if (got == 1 && r.rc == TSE_OK) {
        copy_answer(rec, &r);
        snprintf(rec->state, sizeof rec->state, "finished");
    } else if (got == 0 || (got == -2 && defer)) {
        if (got == 0 && defer)
            snprintf(f->finishing, sizeof f->finishing, "%s", rec->tx_id);
        pending(out);
        return;
    } else {
        snprintf(rec->state, sizeof rec->state, "failed");
        snprintf(rec->error, sizeof rec->error, "%s", r.rc == TSE_ENOTOPEN ? "the TSE has no such transaction" : r.error);
        if (got == -2 && !defer)
            fiscal_rec_failed(f->store, rec, loop_wall_time());
    }
    if (out)
        fiscal_receipt_of(rec, out);
}

void fiscal_sale_finish(struct fiscal *f, const struct sale *sale, struct fiscal_receipt *out)
{
    memset(out, 0, sizeof *out);
    if (!f->enabled)
        return;
    if (strcmp(f->finishing, sale->uuid) == 0) {
        out->state = FISCAL_PENDING;   /* asked already: its answer completes the record */
        snprintf(out->text, sizeof out->text, "TSE: Signatur ausstehend (TSE slow)\n");
        return;
    }
    begin_pending(f, sale->uuid);
    struct fiscal_record rec;
    memset(&rec, 0, sizeof rec);
    if (fiscal_rec_get(f->store, sale->uuid, &rec) == STORE_OK && strcmp(rec.state, "new") != 0 &&
        strcmp(rec.state, "started") != 0) {
        fiscal_receipt_of(&rec, out);   /* finished before: the same fields again */
        return;
    }
    if (strcmp(rec.tx_id, sale->uuid) != 0) {
        fiscal_rec_new(f->store, sale->uuid, sale->uuid, "sale", f->client_id, loop_wall_time());
        if (fiscal_rec_get(f->store, sale->uuid, &rec) != STORE_OK) {
            memset(&rec, 0, sizeof rec);
            snprintf(rec.tx_id, sizeof rec.tx_id, "%s", sale->uuid);
            snprintf(rec.state, sizeof rec.state, "new");
        }
    }
    snprintf(rec.kind, sizeof rec.kind, "%s", sale->cart->totals.total < 0 ? "return" : "sale");
    snprintf(rec.process_type, sizeof rec.process_type, "%s", FISCAL_PROCESS_RECEIPT);
    rec.receipt_no = sale->receipt_no;
    rec.shift_id = sale->shift_id;
    memset(rec.vat, 0, sizeof rec.vat);
    memset(rec.net, 0, sizeof rec.net);
    rec.cash = rec.noncash = rec.voucher = 0;
    f->have_finished = 0;
    if (sale_amounts(sale, &rec)) {
        snprintf(rec.state, sizeof rec.state, "failed");
    } else {
        process_data(&rec, "Beleg");
        start_and_finish(f, &rec, 1, out);
        if (out->state == FISCAL_PENDING)
            return;   /* the answer writes the record when it comes */
    }
    fiscal_receipt_of(&rec, out);
    f->finished = rec;
    f->have_finished = 1;
}

int fiscal_sale_committed(struct fiscal *f, const struct sale *sale)
{
    if (!f->enabled)
        return STORE_OK;
    int64_t now = loop_wall_time();
    if (!f->have_finished || strcmp(f->finished.tx_id, sale->uuid) != 0)
        return fiscal_rec_set_receipt(f->store, sale->uuid, sale->receipt_no);
    struct fiscal_record rec = f->finished;
    rec.receipt_no = sale->receipt_no;
    int rc = strcmp(rec.state, "finished") == 0 ? fiscal_rec_finished(f->store, &rec, now)
                                                : fiscal_rec_failed(f->store, &rec, now);
    return rc == STORE_OK ? STORE_OK : rc;
}

void fiscal_sale_abort(struct fiscal *f, const char *sale_uuid)
{
    if (!f->enabled)
        return;
    begin_pending(f, sale_uuid);
    struct fiscal_record rec;
    if (fiscal_rec_get(f->store, sale_uuid, &rec) != STORE_OK)
        return;   /* never begun: nothing was scanned */
    if (strcmp(rec.state, "started") != 0) {
        if (strcmp(rec.state, "new") == 0) {
            snprintf(rec.kind, sizeof rec.kind, "cancel");
            snprintf(rec.error, sizeof rec.error, "cancelled before the TSE started it");
            fiscal_rec_failed(f->store, &rec, loop_wall_time());
        }
        return;
    }
    snprintf(rec.kind, sizeof rec.kind, "cancel");
    snprintf(rec.state, sizeof rec.state, "aborted");
    snprintf(rec.process_type, sizeof rec.process_type, "%s", FISCAL_PROCESS_RECEIPT);
    memset(rec.vat, 0, sizeof rec.vat);
    memset(rec.net, 0, sizeof rec.net);
    rec.cash = rec.noncash = rec.voucher = 0;
    process_data(&rec, "AVBelegabbruch");
    start_and_finish(f, &rec, 0, NULL);
}

void fiscal_event(struct fiscal *f, const char *kind, int64_t amount, int64_t shift_id, struct fiscal_receipt *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!f->enabled)
        return;
    struct fiscal_record rec;
    memset(&rec, 0, sizeof rec);
    app_new_uuid(rec.tx_id);
    snprintf(rec.kind, sizeof rec.kind, "%s", kind);
    snprintf(rec.state, sizeof rec.state, "new");
    snprintf(rec.client_id, sizeof rec.client_id, "%s", f->client_id);
    rec.shift_id = shift_id;
    if (strcmp(kind, "z") == 0)
        rec.receipt_no = amount;   /* the Z's number: its Kassenabschluss (DSFinV-K Z_NR) */
    if (fiscal_rec_new(f->store, rec.tx_id, NULL, kind, f->client_id, loop_wall_time()) != STORE_OK)
        return;
    /* DSFinV-K Anhang I: money moved in or out without a sale is a Kassenbeleg-V1 with no
     * VAT (Einzahlung/Auszahlung "Beleg", Geldtransit "AVTransfer"); a drawer opened
     * without a sale and the Z are "SonstigerVorgang" with a free text. */
    if (strcmp(kind, "paid_in") == 0 || strcmp(kind, "paid_out") == 0 || strcmp(kind, "drop") == 0) {
        snprintf(rec.process_type, sizeof rec.process_type, "%s", FISCAL_PROCESS_RECEIPT);
        rec.cash = strcmp(kind, "paid_in") == 0 ? amount : -amount;
        process_data(&rec, strcmp(kind, "drop") == 0 ? "AVTransfer" : "Beleg");
    } else {
        snprintf(rec.process_type, sizeof rec.process_type, "%s", FISCAL_PROCESS_OTHER);
        if (strcmp(kind, "z") == 0)
            snprintf(rec.process_data, sizeof rec.process_data, "Kassenabschluss^%lld", (long long)amount);
        else
            snprintf(rec.process_data, sizeof rec.process_data, "Schubladenoeffnung");
    }
    start_and_finish(f, &rec, 0, out);
}

int fiscal_recover(struct fiscal *f, const char *keep_uuid)
{
    if (!f->enabled)
        return 0;
    struct fiscal_record open[32];
    int n = fiscal_rec_open(f->store, open, 32), aborted = 0;
    for (int i = 0; i < n; i++) {
        struct fiscal_record *rec = &open[i];
        if (keep_uuid && keep_uuid[0] && strcmp(rec->tx_id, keep_uuid) == 0)
            continue;   /* the restored sale goes on to its payment */
        /* 'new': the TSE may have started it before the crash lost its answer; a finish
         * by the id alone (number 0) finds it, or says the TSE never had it */
        if (strcmp(rec->state, "new") == 0)
            rec->tx_number = 0;
        snprintf(rec->kind, sizeof rec->kind, "cancel");
        snprintf(rec->state, sizeof rec->state, "aborted");
        memset(rec->vat, 0, sizeof rec->vat);
        rec->cash = rec->noncash = rec->voucher = 0;
        process_data(rec, "AVBelegabbruch");
        struct tse_result r;
        if (ask(f, FISCAL_OP_FINISH, rec, 0, &r) == 1 && (r.rc == TSE_OK || r.rc == TSE_ENOTOPEN))
            aborted++;
    }
    return aborted;
}

void fiscal_receipt_of(const struct fiscal_record *r, struct fiscal_receipt *out)
{
    memset(out, 0, sizeof *out);
    if (strcmp(r->state, "finished") != 0 && strcmp(r->state, "aborted") != 0) {
        out->state = FISCAL_FAILED;
        snprintf(out->text, sizeof out->text, "TSE ausgefallen (TSE failed)\nKassen-Seriennummer: %s\n",
                 r->client_id);
        return;
    }
    out->state = FISCAL_SIGNED;
    char start[32] = "", stop[32] = "";
    fiscal_time_iso(r->start_ms, start, sizeof start);
    fiscal_time_iso(r->log_ms, stop, sizeof stop);
    snprintf(out->text, sizeof out->text,
             "Kassen-Seriennummer: %s\nTSE-Transaktion: %llu\nTSE-Start: %s\nTSE-Stop: %s\n"
             "TSE-Seriennummer: %s\nTSE-Signaturzaehler: %llu\nTSE-Zeitformat: %s\n"
             "TSE-Hashalgorithmus: %s\nTSE-Signatur: %s\nTSE-PublicKey: %s\n",
             r->client_id, (unsigned long long)r->tx_number, start, stop, r->tse_serial,
             (unsigned long long)r->sig_counter, r->time_format, r->sig_alg, r->signature, r->public_key);
    struct fiscal_qr q;
    memset(&q, 0, sizeof q);
    snprintf(q.client_id, sizeof q.client_id, "%s", r->client_id);
    snprintf(q.process_type, sizeof q.process_type, "%s", r->process_type);
    snprintf(q.process_data, sizeof q.process_data, "%s", r->process_data);
    q.tx_number = r->tx_number;
    q.sig_counter = r->sig_counter;
    q.start_ms = r->start_ms;
    q.log_ms = r->log_ms;
    snprintf(q.sig_alg, sizeof q.sig_alg, "%s", r->sig_alg);
    snprintf(q.time_format, sizeof q.time_format, "%s", r->time_format);
    snprintf(q.signature, sizeof q.signature, "%s", r->signature);
    snprintf(q.public_key, sizeof q.public_key, "%s", r->public_key);
    if (fiscal_qr_format(&q, out->qr, sizeof out->qr))
        out->qr[0] = 0;
}
