/*
 * Fault injection for tests of the client's sync: the next N (or N% of) requests to the
 * data endpoints get an error, a dropped connection, a stall or a broken body.
 * SPEC: comma-separated name=value, e.g. "5xx=2,stall=1,stall_ms=3000,truncate=10%".
 */
#ifndef TILL_SERVER_FAULTS_H
#define TILL_SERVER_FAULTS_H

#include <stddef.h>

enum fault_kind {
    FAULT_NONE,
    FAULT_RESET,              /* close the connection before doing anything */
    FAULT_5XX,                /* 503 + Retry-After: 1 */
    FAULT_429,                /* 429 + Retry-After: 2 */
    FAULT_CLOSE_AFTER_COMMIT, /* do the work, then close without an answer */
    FAULT_MALFORMED,          /* 200 with a body that is not JSON */
    FAULT_TRUNCATE,           /* 200 with the first half of the real body */
    FAULT_OVERSIZE,           /* 200 with a valid 64 MiB JSON body */
    FAULT_KINDS
};

struct fault_rule {
    long count;   /* requests still to hit; ignored when percent >= 0 */
    int percent;  /* -1: counted rule */
};

struct fault_spec {
    struct fault_rule rule[FAULT_KINDS];
    enum fault_kind order[FAULT_KINDS]; /* kinds in the order the SPEC names them */
    int norder;
    struct fault_rule stall;
    long stall_ms;
};

/* What one request gets: at most one fault kind (the first in SPEC order that fires), plus an optional stall before answering. */
struct fault_pick {
    enum fault_kind kind;
    long stall_ms;
};

/* Parses SPEC (NULL or "" = no faults). */
int faults_parse(const char *spec, struct fault_spec *out, char *err, size_t errlen);
/* Sets the process-wide faults: a SPEC and/or a file re-read when its mtime changes. */
int faults_init(const char *spec, const char *file, char *err, size_t errlen);
/* Decides the faults of one data request (thread-safe; consumes counters). */
void faults_take(struct fault_pick *out);
const char *faults_name(enum fault_kind kind);

#endif
