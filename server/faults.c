/*
 * Process-wide fault state behind a mutex. Kinds are tried in the order the SPEC names them
 * and a request consumes the first one that fires, so "429=1,5xx=1" gives one 429, then
 * one 503, then normal answers.
 */
#include "server/faults.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const names[FAULT_KINDS] = {
    [FAULT_NONE] = "none",
    [FAULT_RESET] = "reset",
    [FAULT_5XX] = "5xx",
    [FAULT_429] = "429",
    [FAULT_CLOSE_AFTER_COMMIT] = "close_after_commit",
    [FAULT_MALFORMED] = "malformed",
    [FAULT_TRUNCATE] = "truncate",
    [FAULT_OVERSIZE] = "oversize",
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct fault_spec current;
static char *faults_file;
static struct timespec file_mtime;
static off_t file_size = -1;

const char *faults_name(enum fault_kind kind)
{
    return kind < FAULT_KINDS ? names[kind] : "?";
}

static void spec_clear(struct fault_spec *s)
{
    memset(s, 0, sizeof *s);
    for (int k = 0; k < FAULT_KINDS; k++)
        s->rule[k].percent = -1;
    s->stall.percent = -1;
}

/* "N" or "N%" into a rule. */
static int parse_rule(const char *value, struct fault_rule *r)
{
    char *end;
    errno = 0;
    long n = strtol(value, &end, 10);
    if (errno || end == value || n < 0)
        return -1;
    if (*end == '%') {
        if (end[1] != '\0' || n > 100)
            return -1;
        r->percent = (int)n;
        r->count = 0;
        return 0;
    }
    if (*end != '\0')
        return -1;
    r->percent = -1;
    r->count = n;
    return 0;
}

static int parse_item(const char *item, struct fault_spec *out, char *err, size_t errlen)
{
    const char *eq = strchr(item, '=');
    if (!eq) {
        snprintf(err, errlen, "fault '%s': expected name=value", item);
        return -1;
    }
    size_t nlen = (size_t)(eq - item);
    const char *value = eq + 1;
    if (nlen == 8 && strncmp(item, "stall_ms", 8) == 0) {
        char *end;
        errno = 0;
        out->stall_ms = strtol(value, &end, 10);
        if (errno || end == value || *end || out->stall_ms < 0) {
            snprintf(err, errlen, "fault stall_ms: bad value '%s'", value);
            return -1;
        }
        return 0;
    }
    struct fault_rule *r = NULL;
    if (nlen == 5 && strncmp(item, "stall", 5) == 0)
        r = &out->stall;
    for (int k = 1; k < FAULT_KINDS && !r; k++) {
        if (strlen(names[k]) != nlen || strncmp(item, names[k], nlen) != 0)
            continue;
        r = &out->rule[k];
        int seen = 0;
        for (int i = 0; i < out->norder; i++)
            seen |= out->order[i] == (enum fault_kind)k;
        if (!seen)
            out->order[out->norder++] = (enum fault_kind)k;
    }
    if (!r) {
        snprintf(err, errlen, "unknown fault '%.*s'", (int)nlen, item);
        return -1;
    }
    if (parse_rule(value, r) != 0) {
        snprintf(err, errlen, "fault '%.*s': bad value '%s' (N or N%%)", (int)nlen, item, value);
        return -1;
    }
    return 0;
}

int faults_parse(const char *spec, struct fault_spec *out, char *err, size_t errlen)
{
    spec_clear(out);
    if (!spec)
        return 0;
    const char *p = spec;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char item[128];
        while (n && (p[n - 1] == '\n' || p[n - 1] == ' ' || p[n - 1] == '\r'))
            n--;
        while (n && *p == ' ') {
            p++;
            n--;
        }
        if (n >= sizeof item) {
            snprintf(err, errlen, "fault item too long");
            return -1;
        }
        memcpy(item, p, n);
        item[n] = '\0';
        if (n && parse_item(item, out, err, errlen) != 0)
            return -1;
        if (!end)
            break;
        p = end + 1;
    }
    /* stall_ms alone stalls every request. */
    if (out->stall_ms > 0 && out->stall.percent < 0 && out->stall.count == 0)
        out->stall.percent = 100;
    return 0;
}

/* Re-reads the faults file when it changed (called with the lock held). */
static void file_refresh(void)
{
    struct stat st;
    if (stat(faults_file, &st) != 0) {
        if (file_size != -1)
            spec_clear(&current);
        file_size = -1;
        return;
    }
    if (st.st_size == file_size && st.st_mtim.tv_sec == file_mtime.tv_sec &&
        st.st_mtim.tv_nsec == file_mtime.tv_nsec)
        return;
    file_size = st.st_size;
    file_mtime = st.st_mtim;
    char buf[4096] = { 0 };
    FILE *f = fopen(faults_file, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    char err[160];
    if (faults_parse(buf, &current, err, sizeof err) != 0) {
        fprintf(stderr, "till-server: faults file %s: %s (no faults)\n", faults_file, err);
        spec_clear(&current);
    }
}

int faults_init(const char *spec, const char *file, char *err, size_t errlen)
{
    pthread_mutex_lock(&lock);
    int rc = faults_parse(spec, &current, err, errlen);
    free(faults_file);
    faults_file = file ? strdup(file) : NULL;
    file_size = -1;
    pthread_mutex_unlock(&lock);
    return rc;
}

static int rule_fires(struct fault_rule *r)
{
    if (r->percent >= 0)
        return r->percent > 0 && (int)randombytes_uniform(100) < r->percent;
    if (r->count > 0) {
        r->count--;
        return 1;
    }
    return 0;
}

void faults_take(struct fault_pick *out)
{
    pthread_mutex_lock(&lock);
    if (faults_file)
        file_refresh();
    out->kind = FAULT_NONE;
    for (int i = 0; i < current.norder && out->kind == FAULT_NONE; i++)
        if (rule_fires(&current.rule[current.order[i]]))
            out->kind = current.order[i];
    out->stall_ms = current.stall_ms > 0 && rule_fires(&current.stall) ? current.stall_ms : 0;
    pthread_mutex_unlock(&lock);
}
