#include "src/settings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int settings_default_data_dir(char *buf, size_t len)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    int n;
    if (xdg && *xdg)
        n = snprintf(buf, len, "%s/till", xdg);
    else if (home && *home)
        n = snprintf(buf, len, "%s/.local/share/till", home);
    else
        n = snprintf(buf, len, "./till-data");
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int copy_setting(const struct config *cfg, const char *key, const char *def,
                        char *dst, size_t len, char *err, size_t errlen)
{
    const char *v = config_get(cfg, key, def);
    if (strlen(v) >= len) {
        seterr(err, errlen, "config %s is too long (at most %zu characters)", key, len - 1);
        return -1;
    }
    snprintf(dst, len, "%s", v);
    return 0;
}

static int int_setting(const struct config *cfg, const char *key, long long def, long long lo,
                       long long hi, int *out, char *err, size_t errlen)
{
    long long v;
    if (config_get_int(cfg, key, def, &v) || v < lo || v > hi) {
        seterr(err, errlen, "config %s must be a whole number from %lld to %lld", key, lo, hi);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* "tax.std = 19 Standard rate": rate in percent (up to 4 decimals), then a name. */
static int parse_tax_classes(const struct config *cfg, struct settings *s, char *err, size_t errlen)
{
    s->ntax = 0;
    for (int i = 0; i < config_count(cfg); i++) {
        const char *k = config_key_at(cfg, i);
        if (strncmp(k, "tax.", 4) != 0)
            continue;
        if (s->ntax == SETTINGS_MAX_TAX) {
            seterr(err, errlen, "at most %d tax classes", SETTINGS_MAX_TAX);
            return -1;
        }
        struct tax_class *tc = &s->tax_classes[s->ntax];
        memset(tc, 0, sizeof *tc);
        if (strlen(k + 4) >= sizeof tc->code || !k[4]) {
            seterr(err, errlen, "config %s: tax class code too long", k);
            return -1;
        }
        snprintf(tc->code, sizeof tc->code, "%s", k + 4);
        const char *v = config_get(cfg, k, "");
        char rate[32];
        size_t n = strcspn(v, " \t");
        if (n >= sizeof rate) {
            seterr(err, errlen, "config %s: bad rate", k);
            return -1;
        }
        memcpy(rate, v, n);
        rate[n] = 0;
        if (n && rate[n - 1] == '%')
            rate[n - 1] = 0;
        struct money_format pct = { .cur = { "PCT", 4, "%" }, .decimal_sep = '.' };
        int64_t ppm;
        if (money_parse(rate, &pct, &ppm) || ppm < 0 || ppm > 1000000) {
            seterr(err, errlen, "config %s: rate must be a percentage like 19 or 8.875", k);
            return -1;
        }
        tc->rate_ppm = ppm;
        const char *name = v + n;
        while (*name == ' ' || *name == '\t')
            name++;
        snprintf(tc->name, sizeof tc->name, "%s", *name ? name : tc->code);
        s->ntax++;
    }
    if (s->ntax == 0) {
        seterr(err, errlen, "config needs at least one [tax] class, e.g. 'std = 19 Standard'");
        return -1;
    }
    return 0;
}

/* "barcode.variable.21 = item:5,weight:5/3": one layout per prefix 20..29, over the
 * defaults; "none" turns a prefix off. */
static int parse_barcode_rules(const struct config *cfg, struct settings *s, char *err, size_t errlen)
{
    barcode_rules_default(&s->barcode, s->fmt.cur.exponent);
    for (int i = 0; i < config_count(cfg); i++) {
        const char *k = config_key_at(cfg, i);
        if (strncmp(k, "barcode.variable.", 17) != 0)
            continue;
        const char *p = k + 17;
        if (p[0] != '2' || p[1] < '0' || p[1] > '9' || p[2]) {
            seterr(err, errlen, "config %s: the prefix must be 20 to 29", k);
            return -1;
        }
        char why[200];
        if (barcode_layout_parse(config_value_at(cfg, i), &s->barcode.variable[p[1] - '0'], why, sizeof why)) {
            seterr(err, errlen, "config %s: %s", k, why);
            return -1;
        }
    }
    return 0;
}

/* An amount in the store's currency as a manager writes it ("1000", "1000,00"); 0 = off. */
static int amount_setting(const struct config *cfg, const char *key, const char *def,
                          const struct money_format *fmt, int64_t *out, char *err, size_t errlen)
{
    const char *v = config_get(cfg, key, def);
    if (money_parse(v, fmt, out) || *out < 0) {
        seterr(err, errlen, "config %s must be an amount in %s like 1000 or 1000,00 (0 = never), not '%s'",
               key, fmt->cur.code, v);
        return -1;
    }
    return 0;
}

static int parse_confirm(const struct config *cfg, struct settings *s, char *err, size_t errlen)
{
    struct settings_confirm *c = &s->confirm;
    const char *q = config_get(cfg, "sale.confirm_qty_above", "100");
    if (qty_parse(q, &c->qty_above) || c->qty_above < 0) {
        seterr(err, errlen, "config sale.confirm_qty_above must be a quantity like 100 (0 = never), not '%s'", q);
        return -1;
    }
    int multiple;
    if (amount_setting(cfg, "sale.confirm_line_total_above", "1000", &s->fmt, &c->line_total_above, err, errlen) ||
        int_setting(cfg, "payment.cash_confirm_multiple", 10, 0, 1000000, &multiple, err, errlen) ||
        amount_setting(cfg, "payment.cash_confirm_above", "100", &s->fmt, &c->cash_above, err, errlen))
        return -1;
    c->cash_multiple = multiple;
    const char *alert = config_get(cfg, "ui.alert", "bell");
    if (strcmp(alert, "bell") == 0)
        s->alert = ALERT_BELL;
    else if (strcmp(alert, "flash") == 0)
        s->alert = ALERT_FLASH;
    else if (strcmp(alert, "none") == 0)
        s->alert = ALERT_NONE;
    else {
        seterr(err, errlen, "config ui.alert must be bell, flash or none, not '%s'", alert);
        return -1;
    }
    return 0;
}

int settings_from_config(const struct config *cfg, struct settings *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    if (copy_setting(cfg, "store.name", "Till", s->store_name, sizeof s->store_name, err, errlen) ||
        copy_setting(cfg, "store.terminal_id", "T1", s->terminal_id, sizeof s->terminal_id, err, errlen) ||
        copy_setting(cfg, "store.cashier", "cashier", s->cashier, sizeof s->cashier, err, errlen))
        return -1;
    const char *cur = config_get(cfg, "store.currency", "EUR");
    const char *style = config_get(cfg, "store.money_style", "eu");
    if (money_format_init(&s->fmt, cur, style)) {
        seterr(err, errlen, "config store.currency '%s' / store.money_style '%s' not known"
               " (currency: an ISO 4217 code like EUR; style: eu or us)", cur, style);
        return -1;
    }
    const char *mode = config_get(cfg, "store.tax_mode", "inclusive");
    if (tax_mode_parse(mode, &s->tax.mode)) {
        seterr(err, errlen, "config store.tax_mode must be inclusive or exclusive, not '%s'", mode);
        return -1;
    }
    const char *rnd = config_get(cfg, "store.tax_rounding", "per_total");
    if (tax_rounding_parse(rnd, &s->tax.rounding)) {
        seterr(err, errlen, "config store.tax_rounding must be per_total or per_line, not '%s'", rnd);
        return -1;
    }
    if (parse_tax_classes(cfg, s, err, errlen))
        return -1;

    char data[400];
    if (settings_default_data_dir(data, sizeof data)) {
        seterr(err, errlen, "data directory path too long");
        return -1;
    }
    char def_db[512], def_spool[700];
    snprintf(def_db, sizeof def_db, "%s/till.db", data);
    if (copy_setting(cfg, "paths.database", def_db, s->db_path, sizeof s->db_path, err, errlen))
        return -1;
    /* receipts go beside the database (--db PATH alone never writes into the shared
     * default spool): "spool" in the database's directory */
    snprintf(def_spool, sizeof def_spool, "%s/spool", data);
    if (strcmp(s->db_path, ":memory:") != 0) {
        const char *slash = strrchr(s->db_path, '/');
        if (!slash)
            snprintf(def_spool, sizeof def_spool, "spool");
        else
            snprintf(def_spool, sizeof def_spool, "%.*s/spool", slash == s->db_path ? 0 : (int)(slash - s->db_path),
                     s->db_path);
    }
    if (copy_setting(cfg, "paths.spool", def_spool, s->spool_dir, sizeof s->spool_dir, err, errlen))
        return -1;
    const char *demo = config_get(cfg, "catalog.demo", "no");
    s->load_demo_catalog = strcmp(demo, "yes") == 0 || strcmp(demo, "true") == 0 || strcmp(demo, "1") == 0;
    if (int_setting(cfg, "receipt.width", 42, 24, 80, &s->receipt_width, err, errlen) ||
        int_setting(cfg, "scanner.wedge_max_gap_ms", 50, 1, 1000, &s->wedge_max_gap_ms, err, errlen) ||
        int_setting(cfg, "scanner.wedge_min_length", 4, 1, 64, &s->wedge_min_length, err, errlen) ||
        parse_barcode_rules(cfg, s, err, errlen) ||
        parse_confirm(cfg, s, err, errlen))
        return -1;
    return 0;
}
