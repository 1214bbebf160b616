/* Key-to-screen latency while the catalog syncs: the real till in a pty, started on an
 * empty database against a store server, so it bootstraps the catalog (snapshot, then
 * pages) while keys are typed.  Each key is a digit written into the pty; its latency is
 * the time until the till's first output byte after it (the echo on the input line).
 * Keys typed within SYNC_MS of the start (the sync's time, measured beside it by
 * bench/sync.sh) count as typed during the sync.  GAP_MS spaces the keys out (a cashier
 * types a few keys a second; 0 = as fast as the till answers), so that they cover a long
 * sync; more --set NAME=VALUE arguments go to the till.  At the end the till's own longest
 * loop hold is read from its log (DB.log).
 * With BENCH_KEYS_MIX=N (the bench catalog's size, bench/gen_catalog.c) every 20th key
 * is a scan of one of its products instead (its 13 digits and Enter, timed until the
 * item's name is on screen: scan-to-screen), and every 20th a name search (F4, then
 * "fresh bre" typed a letter at a time, each timed until the till answers: the search
 * runs before the screen is drawn; then Esc).  BENCH_KEYS_CPU=C pins the till to CPU C.
 * usage: bench_keys TILL DB URL TOKEN_FILE SYNC_MS [KEYS [GAP_MS [NAME=VALUE...]]] */
#include <poll.h>
#include <sched.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench_catalog.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static char buf[1 << 16];

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Reads what the pty has until it is quiet for quiet_ms; 1 when text appeared. */
static int drain(int fd, int quiet_ms, const char *text)
{
    int seen = 0;
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        ssize_t n;
        if (poll(&p, 1, quiet_ms) <= 0 || (n = read(fd, buf, sizeof buf - 1)) <= 0)
            return seen;
        buf[n] = 0;
        seen |= text && memmem(buf, (size_t)n, text, strlen(text)) != NULL;
    }
}

static void report(const char *what, double *lat, int n)
{
    if (n == 0) {
        printf("%s: no keys\n", what);
        return;
    }
    qsort(lat, (size_t)n, sizeof lat[0], cmp);
    printf("%s (%d keys): median %.2f ms, p99 %.2f ms, max %.2f ms (goal p99 < 16 ms)\n", what, n, lat[n / 2],
           lat[n * 99 / 100], lat[n - 1]);
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: bench_keys TILL DB URL TOKEN_FILE SYNC_MS [KEYS [GAP_MS [NAME=VALUE...]]]\n");
        return 2;
    }
    double sync_ms = atof(argv[5]);
    int keys = argc > 6 ? atoi(argv[6]) : 400;
    int gap_ms = argc > 7 ? atoi(argv[7]) : 0;
    char url[600], token[600], spool[] = "/tmp/till-bench-keys-XXXXXX";
    if (!mkdtemp(spool))
        return 1;
    snprintf(url, sizeof url, "sync.url=%s", argv[3]);
    snprintf(token, sizeof token, "sync.token_file=%s", argv[4]);
    struct winsize ws = { .ws_row = 30, .ws_col = 120 };
    int m;
    double start = now_ms();
    pid_t pid = forkpty(&m, NULL, NULL, &ws);
    if (pid == 0) {
        setenv("TERM", "xterm", 1);
        const char *cpu = getenv("BENCH_KEYS_CPU");
        if (cpu && *cpu) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(atoi(cpu), &set);
            sched_setaffinity(0, sizeof set, &set);
        }
        char *args[64] = { argv[1], "--db", argv[2], "--spool", spool, "--set", "catalog.demo=no", "--set",
                           "tax.std=19", "--set", "tax.red=7", "--set", url, "--set", token };
        int na = 15;
        for (int i = 8; i < argc && na < 62; i++) {
            args[na++] = "--set";
            args[na++] = argv[i];
        }
        args[na] = NULL;
        execv(argv[1], args);
        _exit(127);
    }
    double *during = calloc((size_t)keys, sizeof *during), *after = calloc((size_t)keys, sizeof *after);
    int nd = 0, na = 0;
    const char *mix_env = getenv("BENCH_KEYS_MIX");
    long long mix = mix_env ? atoll(mix_env) : 0;
    double *scan_d = calloc((size_t)keys, sizeof(double)), *search_d = calloc((size_t)keys * 10, sizeof(double));
    int nsd = 0, nqd = 0, nscans = 0;
    unsigned rnd = 77;
    if (!during || !after || !scan_d || !search_d)
        return 1;
    drain(m, 20, NULL);
    for (int i = 0; i < keys; i++) {
        if (mix > 0 && i % 20 == 10) {
            /* a scan: until the item's name (it ends in its number) is on screen */
            if (nscans && nscans % 15 == 0) { /* fresh cart rows: cancel the sale (F8, y) */
                if (write(m, "\033[19~", 5) != 5)
                    return 1;
                drain(m, 100, NULL);
                if (write(m, "y", 1) != 1)
                    return 1;
                drain(m, 100, NULL);
            }
            rnd = rnd * 1103515245u + 12345u;
            long long id = 1 + (long long)(rnd % (unsigned long long)mix);
            char code[14], burst[16], needle[32];
            bench_ean13(id, code);
            snprintf(burst, sizeof burst, "%s\r", code);
            snprintf(needle, sizeof needle, " %lld", id);
            double t0 = now_ms();
            if (write(m, burst, 14) != 14)
                return 1;
            int seen = 0;
            while (!seen && now_ms() - t0 < 5000)
                seen = drain(m, 5, needle);
            if (!seen) {
                fprintf(stderr, "scan %s did not appear on screen\n", code);
                return 1;
            }
            if (t0 - start < sync_ms)
                scan_d[nsd++] = now_ms() - t0;
            nscans++;
            drain(m, gap_ms, NULL);
            continue;
        }
        if (mix > 0 && i % 20 == 0 && i) {
            /* a name search as the cashier types it */
            if (write(m, "\033OS", 3) != 3)
                return 1;
            drain(m, 50, NULL);
            for (const char *c = "fresh bre"; *c; c++) {
                double t0 = now_ms();
                if (write(m, c, 1) != 1)
                    return 1;
                struct pollfd p = { m, POLLIN, 0 };
                if (poll(&p, 1, 5000) <= 0) {
                    fprintf(stderr, "search key %c drew nothing\n", *c);
                    return 1;
                }
                if (t0 - start < sync_ms)
                    search_d[nqd++] = now_ms() - t0;
                drain(m, 3 > gap_ms ? 3 : gap_ms, NULL);
            }
            if (write(m, "\033", 1) != 1) /* Esc: curses waits ESCDELAY for more */
                return 1;
            drain(m, 100, NULL);
            continue;
        }
        /* a digit, then Backspace: the input line stays short, and no Esc (curses holds a
         * lone Esc for ESCDELAY, 25 ms, to tell it from an escape sequence: inside the
         * till's key callback, so it would time curses, not the loop) */
        const char *key = i % 2 ? "\177" : "7";
        double t0 = now_ms();
        if (write(m, key, 1) != 1)
            return 1;
        struct pollfd p = { m, POLLIN, 0 };
        if (poll(&p, 1, 5000) <= 0) {
            fprintf(stderr, "key %d drew nothing\n", i);
            return 1;
        }
        double lat = now_ms() - t0;
        drain(m, 3 > gap_ms ? 3 : gap_ms, NULL); /* the rest of the redraw, and the gap */
        if (t0 - start < sync_ms)
            during[nd++] = lat;
        else
            after[na++] = lat;
    }
    kill(pid, SIGTERM);
    drain(m, 200, NULL); /* the till's last screen, while it closes */
    waitpid(pid, NULL, 0);
    report("key-to-screen while the catalog syncs", during, nd);
    report("key-to-screen after it", after, na);
    if (mix > 0) {
        report("scan-to-screen while the catalog syncs", scan_d, nsd);
        report("name search per keystroke while the catalog syncs", search_d, nqd);
    }
    char log[600], line[512], hold[512] = "";
    snprintf(log, sizeof log, "%s.log", argv[2]);
    FILE *f = fopen(log, "r");
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, "longest loop hold"))
            snprintf(hold, sizeof hold, "%s", strstr(line, "longest loop hold"));
    if (f)
        fclose(f);
    printf("till's own figure: %s", hold[0] ? hold : "(no longest loop hold in its log)\n");
    return 0;
}
