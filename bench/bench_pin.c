/* PIN checks at the default argon2id parameters (src/pin.h): what a cashier waits for at
 * each sign-on and override.  Median and worst of N verifications; the goal is < 100 ms. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "src/pin.h"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 20;
    if (n < 1 || n > 10000)
        n = 20;
    struct pin_params p = { PIN_DEFAULT_OPSLIMIT, PIN_DEFAULT_MEMLIMIT };
    char h[PIN_HASH_MAX];
    if (pin_hash("2468", &p, h)) {
        fprintf(stderr, "bench_pin: cannot hash\n");
        return 1;
    }
    double *ms = calloc((size_t)n, sizeof *ms);
    if (!ms)
        return 1;
    for (int i = 0; i < n; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        int rc = pin_verify(h, i % 2 ? "2468" : "1357");
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (rc < 0)
            return 1;
        ms[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    }
    qsort(ms, (size_t)n, sizeof *ms, cmp);
    printf("argon2id PIN check (t=%llu, m=%zu KiB): median %.1f ms, max %.1f ms over %d (goal < 100 ms)\n",
           p.opslimit, p.memlimit >> 10, ms[n / 2], ms[n - 1], n);
    int ok = ms[n / 2] < 100.0;
    free(ms);
    return ok ? 0 : 1;
}
