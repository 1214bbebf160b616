#include "src/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char config_demo_defaults[] =
    "[store]\n"
    "name = Till Demo Store\n"
    "terminal_id = T1\n"
    "cashier = demo\n"
    "currency = EUR\n"
    "money_style = eu\n"
    "tax_mode = inclusive\n"
    "tax_rounding = per_total\n"
    "[tax]\n"
    "std = 19 Standard rate\n"
    "red = 7 Reduced rate\n"
    "zero = 0 Zero rate\n"
    "[catalog]\n"
    "demo = yes\n"
    "[receipt]\n"
    "width = 42\n"
    "[scanner]\n"
    "driver = wedge\n"
    "wedge_max_gap_ms = 50\n"
    "wedge_min_length = 4\n"
    "[payment]\n"
    "terminals = sim\n"
    "[kiosk]\n"
    "attendant_pin = 1234\n";

struct kv {
    char *key, *value;
    char *origin;  /* NULL: set by the program */
    int line;
};

struct config {
    struct kv *items;
    int n, cap;
};

static void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

struct config *config_new(void)
{
    return calloc(1, sizeof(struct config));
}

void config_free(struct config *cfg)
{
    if (!cfg)
        return;
    for (int i = 0; i < cfg->n; i++) {
        free(cfg->items[i].key);
        free(cfg->items[i].value);
        free(cfg->items[i].origin);
    }
    free(cfg->items);
    free(cfg);
}

int config_set_from(struct config *cfg, const char *key, const char *value, const char *origin, int line)
{
    char *v = strdup(value);
    char *o = origin ? strdup(origin) : NULL;
    if (!v || (origin && !o))
        goto fail;
    for (int i = 0; i < cfg->n; i++) {
        if (strcmp(cfg->items[i].key, key) == 0) {
            free(cfg->items[i].value);
            free(cfg->items[i].origin);
            cfg->items[i].value = v;
            cfg->items[i].origin = o;
            cfg->items[i].line = line;
            return 0;
        }
    }
    if (cfg->n == cfg->cap) {
        int cap = cfg->cap ? cfg->cap * 2 : 32;
        struct kv *n = realloc(cfg->items, (size_t)cap * sizeof *n);
        if (!n)
            goto fail;
        cfg->items = n;
        cfg->cap = cap;
    }
    char *k = strdup(key);
    if (!k)
        goto fail;
    cfg->items[cfg->n++] = (struct kv){ k, v, o, line };
    return 0;
fail:
    free(v);
    free(o);
    return -1;
}

int config_set(struct config *cfg, const char *key, const char *value)
{
    return config_set_from(cfg, key, value, NULL, 0);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = 0;
    return s;
}

int config_parse(struct config *cfg, const char *text, const char *origin, char *err, size_t errlen)
{
    char *copy = strdup(text);
    if (!copy)
        return -1;
    char section[64] = "";
    int lineno = 0, rc = 0;
    for (char *line = copy, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *e = strchr(s, ']');
            if (!e || e[1] || e - s - 1 >= (long)sizeof section || e == s + 1) {
                seterr(err, errlen, "%s:%d: bad section header", origin, lineno);
                rc = -1;
                break;
            }
            *e = 0;
            snprintf(section, sizeof section, "%s", s + 1);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            seterr(err, errlen, "%s:%d: expected 'key = value'", origin, lineno);
            rc = -1;
            break;
        }
        *eq = 0;
        /* a '#' after whitespace starts a comment, as in the example file */
        for (char *c = eq + 1; *c; c++) {
            if (*c == '#' && (c[-1] == ' ' || c[-1] == '\t')) {
                *c = 0;
                break;
            }
        }
        char *k = trim(s), *v = trim(eq + 1);
        if (!*k || !*section) {
            seterr(err, errlen, "%s:%d: key outside a [section]", origin, lineno);
            rc = -1;
            break;
        }
        char full[160];
        snprintf(full, sizeof full, "%s.%s", section, k);
        if (config_set_from(cfg, full, v, origin, lineno)) {
            rc = -1;
            break;
        }
    }
    free(copy);
    return rc;
}

int config_load_file(struct config *cfg, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        seterr(err, errlen, "cannot read config %s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap || len + n > (1 << 20)) {
            if (len + n > (1 << 20)) {
                seterr(err, errlen, "config %s is larger than 1 MB", path);
                free(buf);
                fclose(f);
                return -1;
            }
            cap = (len + n + 1) * 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = nb;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (!buf)
        return 0;
    buf[len] = 0;
    int rc = config_parse(cfg, buf, path, err, errlen);
    free(buf);
    return rc;
}

int config_set_assignment(struct config *cfg, const char *assignment, char *err, size_t errlen)
{
    const char *eq = strchr(assignment, '=');
    const char *dot = strchr(assignment, '.');
    if (!eq || !dot || dot > eq || eq == assignment) {
        seterr(err, errlen, "expected section.key=value, got '%s'", assignment);
        return -1;
    }
    char key[160], origin[200];
    snprintf(key, sizeof key, "%.*s", (int)(eq - assignment), assignment);
    snprintf(origin, sizeof origin, "--set %s", assignment);
    return config_set_from(cfg, trim(key), eq + 1, origin, 0);
}

const char *config_get(const struct config *cfg, const char *key, const char *def)
{
    for (int i = 0; i < cfg->n; i++)
        if (strcmp(cfg->items[i].key, key) == 0)
            return cfg->items[i].value;
    return def;
}

int config_get_int(const struct config *cfg, const char *key, long long def, long long *out)
{
    const char *v = config_get(cfg, key, NULL);
    if (!v || !*v) {
        *out = def;
        return 0;
    }
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || *end)
        return -1;
    *out = x;
    return 0;
}

int config_count(const struct config *cfg)
{
    return cfg->n;
}

const char *config_key_at(const struct config *cfg, int i)
{
    return cfg->items[i].key;
}

const char *config_value_at(const struct config *cfg, int i)
{
    return cfg->items[i].value;
}

const char *config_origin_at(const struct config *cfg, int i, int *line)
{
    *line = cfg->items[i].line;
    return cfg->items[i].origin ? cfg->items[i].origin : "(set by the program)";
}
