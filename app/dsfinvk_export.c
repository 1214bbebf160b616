/* The DSFinV-K export.  See app/dsfinvk_export.h; the files and columns are core/dsfinvk.c's.
 *
 * What Till's records become (DSFinV-K 2.x chapter 3 and Anhang C/D): a sale or a return is
 * a Bon of type Beleg with its lines (GV_TYP Umsatz), a cancelled sale one of type
 * AVBelegabbruch, a paid in / paid out a Beleg with GV_TYP Einzahlung / Auszahlung (not
 * taxable: UST_SCHLUESSEL 6), a cash drop an AVTransfer (Geldtransit), a no-sale and the Z
 * AVSonstige.  Every Bon has its TSE transaction (TSE_Transaktionen), with the TSE's error
 * when it had failed. */
#include "app/dsfinvk_export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/dsfinvk.h"
#include "core/fiscal.h"
#include "core/returns.h"
#include "core/tax.h"
#include "src/config.h"
#include "src/fiscal_records.h"
#include "src/sales.h"
#include "src/store.h"

extern const char *const dsfinvk_gdpdu_dtd[];

#define UST_NOT_TAXABLE 6   /* UST_SCHLUESSEL "nicht steuerbar" (DSFinV-K Anhang: USt-Schlüssel) */

struct rows {
    struct fiscal_record *r;
    int n, cap;
};

struct ctx {
    struct store *st;
    const struct config *cfg;
    FILE *f[DK_NFILES];
    char line[DSFINVK_MAX_COLUMNS * DSFINVK_FIELD + 4];
    struct dsfinvk_row row;
    /* the Kassenabschluss being written */
    const struct fiscal_record *z;
    char z_time[32];
    int failed;
    struct dsfinvk_summary *sum;
    char *err;
    size_t errlen;
};

static int collect(void *c, const struct fiscal_record *r)
{
    struct rows *rows = c;
    if (rows->n == rows->cap) {
        int cap = rows->cap ? rows->cap * 2 : 64;
        struct fiscal_record *p = realloc(rows->r, (size_t)cap * sizeof *p);
        if (!p)
            return 1;
        rows->r = p;
        rows->cap = cap;
    }
    rows->r[rows->n++] = *r;
    return 0;
}

static void local_time(int64_t t, char *out, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
}

static void emit(struct ctx *c)
{
    if (c->failed)
        return;
    if (dsfinvk_row_end(&c->row, c->line, sizeof c->line) ||
        fputs(c->line, c->f[c->row.file]) == EOF) {
        snprintf(c->err, c->errlen, "%s: a record could not be written", dsfinvk_tables[c->row.file].file);
        c->failed = 1;
    }
}

/* Starts a record of file f with the Kassenabschluss's key (and the Bon's id). */
static void begin(struct ctx *c, enum dsfinvk_file f, const char *bon_id)
{
    dsfinvk_row_begin(&c->row, f);
    dsfinvk_text(&c->row, c->z->client_id);
    dsfinvk_time(&c->row, c->z_time);
    dsfinvk_num(&c->row, c->z->receipt_no, 0);
    if (bon_id)
        dsfinvk_text(&c->row, bon_id);
}

static const char *cfg(const struct ctx *c, const char *key, const char *def)
{
    return config_get(c->cfg, key, def);
}

static int is_sale(const struct fiscal_record *r)
{
    return strcmp(r->kind, "sale") == 0 || strcmp(r->kind, "return") == 0;
}

static const char *bon_type(const struct fiscal_record *r)
{
    if (is_sale(r) || strcmp(r->kind, "paid_in") == 0 || strcmp(r->kind, "paid_out") == 0)
        return "Beleg";
    if (strcmp(r->kind, "cancel") == 0)
        return "AVBelegabbruch";
    if (strcmp(r->kind, "drop") == 0)
        return "AVTransfer";
    return "AVSonstige";
}

static const char *business_case(const struct fiscal_record *r)
{
    if (is_sale(r))
        return "Umsatz";
    if (strcmp(r->kind, "paid_in") == 0)
        return "Einzahlung";
    if (strcmp(r->kind, "paid_out") == 0)
        return "Auszahlung";
    if (strcmp(r->kind, "drop") == 0)
        return "Geldtransit";
    return NULL;
}

static int64_t gross(const struct fiscal_record *r)
{
    int64_t g = 0;
    for (int i = 0; i < FISCAL_VAT_SLOTS; i++)
        g += r->vat[i];
    return is_sale(r) ? g : r->cash;
}

/* The Bon's lines: a sale's from its stored lines, anything else one line of its own. */
static void write_lines(struct ctx *c, const struct fiscal_record *r, struct original_sale *o)
{
    const char *gv = business_case(r);
    if (is_sale(r) && r->sale_uuid[0] && sales_find_original(c->st, r->sale_uuid, o) == STORE_OK) {
        for (int i = 0; i < o->nlines; i++) {
            const struct original_line *l = &o->lines[i];
            char pos[16];
            snprintf(pos, sizeof pos, "%d", l->line_no);
            begin(c, DK_LINES, r->tx_id);
            dsfinvk_text(&c->row, pos);
            dsfinvk_empty(&c->row);                          /* GUTSCHEIN_NR */
            dsfinvk_text(&c->row, l->product.name);
            dsfinvk_text(&c->row, r->client_id);             /* POS_TERMINAL_ID */
            dsfinvk_text(&c->row, gv);
            dsfinvk_empty(&c->row);                          /* GV_NAME */
            dsfinvk_bool(&c->row, 0);                        /* INHAUS */
            dsfinvk_bool(&c->row, l->voided);                /* P_STORNO */
            dsfinvk_empty(&c->row);                          /* AGENTUR_ID */
            dsfinvk_text(&c->row, l->product.sku);
            dsfinvk_text(&c->row, l->barcode);
            dsfinvk_empty(&c->row);                          /* WARENGR_ID */
            dsfinvk_empty(&c->row);                          /* WARENGR */
            dsfinvk_num(&c->row, l->qty, 3);
            dsfinvk_num(&c->row, 1, 0);                      /* FAKTOR */
            dsfinvk_text(&c->row, unit_name(l->product.unit) ? unit_name(l->product.unit) : "");
            dsfinvk_num(&c->row, l->unit_price, 2);
            emit(c);
            if (l->voided)
                continue;
            int slot = fiscal_vat_slot((int32_t)l->product.tax_rate_ppm);
            int64_t tax = 0;
            tax_of_amount(TAX_INCLUSIVE, l->paid, l->product.tax_rate_ppm, &tax);
            begin(c, DK_LINES_VAT, r->tx_id);
            dsfinvk_text(&c->row, pos);
            dsfinvk_num(&c->row, slot >= 0 ? slot + 1 : UST_NOT_TAXABLE, 0);
            dsfinvk_num(&c->row, l->paid, 2);
            dsfinvk_num(&c->row, l->paid - tax, 2);
            dsfinvk_num(&c->row, tax, 2);
            emit(c);
        }
        return;
    }
    if (!gv)
        return;   /* a Bon without lines: a cancel, a no-sale, the Z */
    begin(c, DK_LINES, r->tx_id);
    dsfinvk_text(&c->row, "1");
    dsfinvk_empty(&c->row);
    dsfinvk_text(&c->row, gv);
    dsfinvk_text(&c->row, r->client_id);
    dsfinvk_text(&c->row, gv);
    dsfinvk_empty(&c->row);
    dsfinvk_bool(&c->row, 0);
    dsfinvk_bool(&c->row, 0);
    dsfinvk_empty(&c->row);
    dsfinvk_empty(&c->row);
    dsfinvk_empty(&c->row);
    dsfinvk_empty(&c->row);
    dsfinvk_empty(&c->row);
    dsfinvk_num(&c->row, 1000, 3);
    dsfinvk_num(&c->row, 1, 0);
    dsfinvk_empty(&c->row);
    dsfinvk_num(&c->row, gross(r), 2);
    emit(c);
    begin(c, DK_LINES_VAT, r->tx_id);
    dsfinvk_text(&c->row, "1");
    dsfinvk_num(&c->row, UST_NOT_TAXABLE, 0);
    dsfinvk_num(&c->row, gross(r), 2);
    dsfinvk_num(&c->row, gross(r), 2);
    dsfinvk_num(&c->row, 0, 2);
    emit(c);
}

static void write_bon(struct ctx *c, const struct fiscal_record *r, struct original_sale *o)
{
    char start[32], end[32];
    local_time(r->start_ms ? r->start_ms / 1000 : r->created_at, start, sizeof start);
    local_time(r->log_ms ? r->log_ms / 1000 : r->created_at, end, sizeof end);
    begin(c, DK_TRANSACTIONS, r->tx_id);
    dsfinvk_num(&c->row, is_sale(r) && r->receipt_no ? r->receipt_no : r->id, 0);
    dsfinvk_text(&c->row, bon_type(r));
    dsfinvk_text(&c->row, r->kind);                     /* BON_NAME */
    dsfinvk_text(&c->row, r->client_id);                /* TERMINAL_ID */
    dsfinvk_bool(&c->row, 0);                           /* BON_STORNO */
    dsfinvk_time(&c->row, start);
    dsfinvk_time(&c->row, end);
    dsfinvk_empty(&c->row);                             /* BEDIENER_ID */
    dsfinvk_empty(&c->row);                             /* BEDIENER_NAME */
    dsfinvk_num(&c->row, gross(r), 2);
    for (int i = 0; i < 8; i++)                         /* KUNDE_* */
        dsfinvk_empty(&c->row);
    dsfinvk_text(&c->row, strcmp(r->state, "failed") == 0 ? "TSE ausgefallen" : "");
    emit(c);

    if (is_sale(r)) {
        for (int i = 0; i < FISCAL_VAT_SLOTS; i++) {
            if (!r->vat[i])
                continue;
            begin(c, DK_TRANSACTIONS_VAT, r->tx_id);
            dsfinvk_num(&c->row, i + 1, 0);
            dsfinvk_num(&c->row, r->vat[i], 2);
            dsfinvk_num(&c->row, r->net[i], 2);
            dsfinvk_num(&c->row, r->vat[i] - r->net[i], 2);
            emit(c);
        }
    } else if (business_case(r)) {
        begin(c, DK_TRANSACTIONS_VAT, r->tx_id);
        dsfinvk_num(&c->row, UST_NOT_TAXABLE, 0);
        dsfinvk_num(&c->row, r->cash, 2);
        dsfinvk_num(&c->row, r->cash, 2);
        dsfinvk_num(&c->row, 0, 2);
        emit(c);
    }

    const struct { const char *type, *name; int64_t amount; } pays[] = {
        { "Bar", "Bar", r->cash },
        { "Unbar", "Karte", r->noncash - r->voucher },
        { "Unbar", "Gutschein", r->voucher },
    };
    for (size_t i = 0; i < sizeof pays / sizeof pays[0]; i++) {
        if (!pays[i].amount)
            continue;
        begin(c, DK_DATAPAYMENT, r->tx_id);
        dsfinvk_text(&c->row, pays[i].type);
        dsfinvk_text(&c->row, pays[i].name);
        dsfinvk_empty(&c->row);                         /* ZAHLWAEH_CODE: the base currency */
        dsfinvk_empty(&c->row);
        dsfinvk_num(&c->row, pays[i].amount, 2);
        emit(c);
    }

    write_lines(c, r, o);

    char ta_start[32] = "", ta_end[32] = "", fehler[200] = "";
    if (r->start_ms)
        fiscal_time_iso(r->start_ms, ta_start, sizeof ta_start);
    if (r->log_ms)
        fiscal_time_iso(r->log_ms, ta_end, sizeof ta_end);
    if (strcmp(r->state, "failed") == 0)
        snprintf(fehler, sizeof fehler, "TSE ausgefallen: %.150s", r->error);
    else if (r->error[0])
        snprintf(fehler, sizeof fehler, "%.180s", r->error);
    begin(c, DK_TRANSACTIONS_TSE, r->tx_id);
    dsfinvk_num(&c->row, 1, 0);                         /* TSE_ID: the one in tse.csv */
    if (r->tx_number)
        dsfinvk_num(&c->row, (int64_t)r->tx_number, 0);
    else
        dsfinvk_empty(&c->row);
    dsfinvk_text(&c->row, ta_start);
    dsfinvk_text(&c->row, ta_end);
    dsfinvk_text(&c->row, r->process_type);
    if (r->sig_counter)
        dsfinvk_num(&c->row, (int64_t)r->sig_counter, 0);
    else
        dsfinvk_empty(&c->row);
    dsfinvk_text(&c->row, r->signature);
    dsfinvk_text(&c->row, fehler);
    dsfinvk_text(&c->row, r->process_data);
    emit(c);
    c->sum->transactions++;
}

/* Sums of one Kassenabschluss for the Stamm_Abschluss and the Z_ files. */
struct totals {
    int64_t vat[FISCAL_VAT_SLOTS], net[FISCAL_VAT_SLOTS];
    int64_t paid_in, paid_out, drops;
    int64_t cash, card, voucher;
};

static void add_totals(struct totals *t, const struct fiscal_record *r)
{
    if (is_sale(r))
        for (int i = 0; i < FISCAL_VAT_SLOTS; i++) {
            t->vat[i] += r->vat[i];
            t->net[i] += r->net[i];
        }
    if (strcmp(r->kind, "paid_in") == 0)
        t->paid_in += r->cash;
    else if (strcmp(r->kind, "paid_out") == 0)
        t->paid_out += r->cash;
    else if (strcmp(r->kind, "drop") == 0)
        t->drops += r->cash;
    t->cash += r->cash;
    t->card += r->noncash - r->voucher;
    t->voucher += r->voucher;
}

static void write_closing_files(struct ctx *c, const struct rows *rows, const struct totals *t)
{
    char day[16];
    snprintf(day, sizeof day, "%.10s", c->z_time);
    begin(c, DK_CASHPOINTCLOSING, NULL);
    dsfinvk_text(&c->row, day);                               /* Z_BUCHUNGSTAG */
    dsfinvk_text(&c->row, "2.0");                             /* TAXONOMIE_VERSION */
    dsfinvk_text(&c->row, rows->n ? rows->r[0].tx_id : "");
    dsfinvk_text(&c->row, rows->n ? rows->r[rows->n - 1].tx_id : "");
    dsfinvk_text(&c->row, cfg(c, "fiscal.company", cfg(c, "store.name", "")));
    dsfinvk_text(&c->row, cfg(c, "fiscal.street", ""));
    dsfinvk_text(&c->row, cfg(c, "fiscal.postcode", ""));
    dsfinvk_text(&c->row, cfg(c, "fiscal.city", ""));
    dsfinvk_text(&c->row, "DEU");
    dsfinvk_text(&c->row, cfg(c, "fiscal.tax_number", ""));
    dsfinvk_text(&c->row, cfg(c, "fiscal.vat_id", ""));
    dsfinvk_num(&c->row, t->cash + t->card + t->voucher, 2);
    dsfinvk_num(&c->row, t->cash, 2);
    emit(c);

    begin(c, DK_LOCATION, NULL);
    dsfinvk_text(&c->row, cfg(c, "store.name", ""));
    dsfinvk_text(&c->row, cfg(c, "fiscal.street", ""));
    dsfinvk_text(&c->row, cfg(c, "fiscal.postcode", ""));
    dsfinvk_text(&c->row, cfg(c, "fiscal.city", ""));
    dsfinvk_text(&c->row, "DEU");
    dsfinvk_text(&c->row, cfg(c, "fiscal.vat_id", ""));
    emit(c);

    begin(c, DK_CASHREGISTER, NULL);
    dsfinvk_text(&c->row, "Till");
    dsfinvk_text(&c->row, "Till");
    dsfinvk_text(&c->row, c->z->client_id);
    dsfinvk_text(&c->row, "Till");
    dsfinvk_text(&c->row, TILL_VERSION);
    dsfinvk_text(&c->row, "EUR");
    dsfinvk_bool(&c->row, 0);
    emit(c);

    static const char *const vat_names[] = { "Regelsteuersatz", "Ermäßigter Steuersatz",
        "Durchschnittsatz (§ 24 Abs. 1 Nr. 3 UStG)", "Durchschnittsatz (§ 24 Abs. 1 Nr. 1 UStG)",
        "Steuerfrei", "Nicht steuerbar" };
    for (int i = 0; i < 6; i++) {
        begin(c, DK_VAT, NULL);
        dsfinvk_num(&c->row, i + 1, 0);
        dsfinvk_num(&c->row, i < FISCAL_VAT_SLOTS ? fiscal_vat_slot_ppm[i] : 0, 4);
        dsfinvk_text(&c->row, vat_names[i]);
        emit(c);
    }

    /* the TSE as its last signed transaction knew it */
    const struct fiscal_record *signed_one = NULL;
    for (int i = 0; i < rows->n; i++)
        if (rows->r[i].tse_serial[0])
            signed_one = &rows->r[i];
    begin(c, DK_TSE, NULL);
    dsfinvk_num(&c->row, 1, 0);
    dsfinvk_text(&c->row, signed_one ? signed_one->tse_serial : "");
    dsfinvk_text(&c->row, signed_one ? signed_one->sig_alg : FISCAL_SIG_ALG);
    dsfinvk_text(&c->row, signed_one ? signed_one->time_format : FISCAL_TIME_FORMAT);
    dsfinvk_text(&c->row, "UTF-8");
    dsfinvk_text(&c->row, signed_one ? signed_one->public_key : "");
    for (int i = 0; i < 7; i++)
        dsfinvk_empty(&c->row);   /* the simulated TSE has no certificate */
    emit(c);

    for (int i = 0; i < FISCAL_VAT_SLOTS; i++) {
        if (!t->vat[i])
            continue;
        begin(c, DK_BUSINESSCASES, NULL);
        dsfinvk_text(&c->row, "Umsatz");
        dsfinvk_empty(&c->row);
        dsfinvk_empty(&c->row);
        dsfinvk_num(&c->row, i + 1, 0);
        dsfinvk_num(&c->row, t->vat[i], 2);
        dsfinvk_num(&c->row, t->net[i], 2);
        dsfinvk_num(&c->row, t->vat[i] - t->net[i], 2);
        emit(c);
    }
    const struct { const char *gv; int64_t amount; } other[] = {
        { "Einzahlung", t->paid_in }, { "Auszahlung", t->paid_out }, { "Geldtransit", t->drops },
    };
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        if (!other[i].amount)
            continue;
        begin(c, DK_BUSINESSCASES, NULL);
        dsfinvk_text(&c->row, other[i].gv);
        dsfinvk_empty(&c->row);
        dsfinvk_empty(&c->row);
        dsfinvk_num(&c->row, UST_NOT_TAXABLE, 0);
        dsfinvk_num(&c->row, other[i].amount, 2);
        dsfinvk_num(&c->row, other[i].amount, 2);
        dsfinvk_num(&c->row, 0, 2);
        emit(c);
    }

    const struct { const char *type, *name; int64_t amount; } pays[] = {
        { "Bar", "Bar", t->cash }, { "Unbar", "Karte", t->card }, { "Unbar", "Gutschein", t->voucher },
    };
    for (size_t i = 0; i < sizeof pays / sizeof pays[0]; i++) {
        if (!pays[i].amount)
            continue;
        begin(c, DK_PAYMENT, NULL);
        dsfinvk_text(&c->row, pays[i].type);
        dsfinvk_text(&c->row, pays[i].name);
        dsfinvk_num(&c->row, pays[i].amount, 2);
        emit(c);
    }
    begin(c, DK_CASH_PER_CURRENCY, NULL);
    dsfinvk_text(&c->row, "EUR");
    dsfinvk_num(&c->row, t->cash, 2);
    emit(c);
}

static int write_closing(struct ctx *c, const struct fiscal_record *z)
{
    struct rows rows = { NULL, 0, 0 };
    if (fiscal_rec_each_of_shift(c->st, z->shift_id, collect, &rows) != STORE_OK) {
        snprintf(c->err, c->errlen, "the fiscal records of shift %lld cannot be read: %s",
                 (long long)z->shift_id, store_errmsg(c->st));
        free(rows.r);
        return -1;
    }
    c->z = z;
    local_time(z->created_at, c->z_time, sizeof c->z_time);
    struct original_sale *o = malloc(sizeof *o);
    if (!o) {
        free(rows.r);
        snprintf(c->err, c->errlen, "out of memory");
        return -1;
    }
    struct totals t;
    memset(&t, 0, sizeof t);
    for (int i = 0; i < rows.n && !c->failed; i++) {
        const struct fiscal_record *r = &rows.r[i];
        if (strcmp(r->state, "new") == 0 || strcmp(r->state, "started") == 0)
            continue;   /* still open: not part of a closed day */
        write_bon(c, r, o);
        add_totals(&t, r);
    }
    write_closing_files(c, &rows, &t);
    c->sum->closings++;
    free(o);
    free(rows.r);
    return c->failed ? -1 : 0;
}

static int parse_day(const char *s, int add_days, int64_t *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    char *end = strptime(s, "%Y-%m-%d", &tm);
    if (!end || *end)
        return -1;
    tm.tm_mday += add_days;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1)
        return -1;
    *out = (int64_t)t;
    return 0;
}

static int write_fixed_files(const char *dir, const char *from, const char *to, const struct config *cfg,
                             char *err, size_t errlen)
{
    char path[1024], a[16], b[16];
    /* DD.MM.YYYY for the index's validity */
    snprintf(a, sizeof a, "%.2s.%.2s.%.4s", from + 8, from + 5, from);
    snprintf(b, sizeof b, "%.2s.%.2s.%.4s", to + 8, to + 5, to);
    size_t cap = 1 << 20;
    char *xml = malloc(cap);
    if (!xml) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char comment[200];
    snprintf(comment, sizeof comment, "DSFinV-K export of till %s, %s to %s",
             config_get(cfg, "fiscal.till_serial", config_get(cfg, "store.terminal_id", "")), from, to);
    int n = dsfinvk_index_xml(config_get(cfg, "fiscal.company", config_get(cfg, "store.name", "")),
                              config_get(cfg, "fiscal.city", "-"), comment, a, b, xml, cap);
    snprintf(path, sizeof path, "%s/index.xml", dir);
    FILE *f = n > 0 ? fopen(path, "w") : NULL;
    int rc = f && fwrite(xml, 1, (size_t)n, f) == (size_t)n ? 0 : -1;
    if (f && fclose(f))
        rc = -1;
    free(xml);
    if (rc) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s/gdpdu-01-08-2002.dtd", dir);
    f = fopen(path, "w");
    for (int i = 0; f && dsfinvk_gdpdu_dtd[i]; i++)
        if (fputs(dsfinvk_gdpdu_dtd[i], f) == EOF)
            rc = -1;
    if (!f || fclose(f) || rc) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int dsfinvk_export(struct store *st, const struct config *cfg, const char *from, const char *to,
                   const char *dir, struct dsfinvk_summary *sum, char *err, size_t errlen)
{
    int64_t t0, t1;
    memset(sum, 0, sizeof *sum);
    if (parse_day(from, 0, &t0) || parse_day(to, 1, &t1) || t1 <= t0) {
        snprintf(err, errlen, "the range must be two dates YYYY-MM-DD, the first not after the second");
        return -1;
    }
    if (mkdir(dir, 0700) && errno != EEXIST) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    struct ctx *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    c->st = st;
    c->cfg = cfg;
    c->sum = sum;
    c->err = err;
    c->errlen = errlen;
    int rc = write_fixed_files(dir, from, to, cfg, err, errlen);
    for (int i = 0; i < DK_NFILES && rc == 0; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, dsfinvk_tables[i].file);
        c->f[i] = fopen(path, "w");
        if (!c->f[i] || dsfinvk_header((enum dsfinvk_file)i, c->line, sizeof c->line) ||
            fputs(c->line, c->f[i]) == EOF) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            rc = -1;
        }
    }
    struct rows zs = { NULL, 0, 0 };
    if (rc == 0 && fiscal_rec_each(st, t0, t1, collect, &zs) != STORE_OK) {
        snprintf(err, errlen, "the fiscal records cannot be read: %s", store_errmsg(st));
        rc = -1;
    }
    for (int i = 0; i < zs.n && rc == 0; i++)
        if (strcmp(zs.r[i].kind, "z") == 0 && zs.r[i].shift_id > 0)
            rc = write_closing(c, &zs.r[i]);
    free(zs.r);
    for (int i = 0; i < DK_NFILES; i++)
        if (c->f[i] && fclose(c->f[i]) && rc == 0) {
            snprintf(err, errlen, "%s: %s", dsfinvk_tables[i].file, strerror(errno));
            rc = -1;
        }
    free(c);
    return rc;
}
