/* Technical security elements (TSE, KassenSichV § 146a AO): one vtable per kind, in the one
 * driver registry.  A transaction is started when a process starts (the first item) and
 * finished when it ends (payment, cancel), each with a DSFinV-K process type and process
 * data; the TSE answers with its transaction number, signature counter, times and the
 * signature over its TR-03151 log message (core/fiscal.h).
 *
 * The operations are asynchronous: they return at once and the answer arrives through the
 * callback, from the loop -- or, for a TSE that answers in the same call (the simulator),
 * before the operation returns.  A transaction carries the id its caller chose (the sale's
 * uuid), so a TSE reached over the network can be asked again after a lost answer without
 * starting or signing it twice. */
#ifndef TILL_DRIVERS_TSE_H
#define TILL_DRIVERS_TSE_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/registry.h"

struct loop;
struct config;

#define TSE_OPS_VERSION 1

enum tse_err {
    TSE_OK = 0,
    TSE_EFAIL = -1,        /* the TSE (or the way to it) failed: retry later */
    TSE_ENOTOPEN = -2,     /* no such open transaction (finished before: a repeat) */
    TSE_EFULL = -3,        /* the TSE's storage is full */
    TSE_EREFUSED = -4,     /* the TSE refused (not initialised, client not registered) */
    TSE_EBUSY = -5,        /* an operation is in progress */
};

/* What a TSE says about a transaction after a start or finish. */
struct tse_result {
    int rc;                          /* enum tse_err */
    char error[160];                 /* rc != TSE_OK: what happened */
    char tx_id[48];                  /* the caller's id */
    uint64_t tx_number;
    uint64_t sig_counter;
    int64_t start_ms;                /* when the transaction started (TSE time) */
    int64_t log_ms;                  /* this log message's time */
    char process_type[32];
    char signature[160];             /* Base64 of r || s */
    char sig_alg[32];                /* "ecdsa-plain-SHA384" */
    char time_format[24];            /* "unixTime" */
    char serial[80];                 /* hex: SHA-256 of the public key */
    char public_key[160];            /* Base64 of the uncompressed point */
};

typedef void (*tse_cb)(void *ctx, const struct tse_result *r);

struct tse_status {
    int ok;                          /* reachable and usable */
    char text[96];                   /* "sim: ready", "fiskaly: unreachable" */
    char serial[80];
    char public_key[160];
    uint64_t sig_counter;
};

/* HTTP for a TSE in the cloud, handed in by the owner (the app adapts offline/http.c's curl
 * multi on the loop), so the driver never blocks and brings no HTTP stack of its own. */
struct tse_http_answer {
    int transport_ok;                /* an HTTP answer arrived */
    long status;
    const char *body;                /* NUL-terminated */
    size_t len;
    const char *error;               /* without an answer: why */
};
typedef void (*tse_http_cb)(void *ctx, const struct tse_http_answer *a);
struct tse_http {
    /* Starts a request with a JSON body (NULL: none) and the bearer token (NULL: none);
     * cb is called exactly once, from the loop.  0 when it could not be started. */
    uint64_t (*request)(void *t, const char *method, const char *url, const char *bearer,
                        const char *body, tse_http_cb cb, void *ctx);
    void (*cancel)(void *t, uint64_t id);
    void *t;
};

struct tse_ops {
    struct driver_header drv;  /* kind DRIVER_TSE, version, private size, config name: "sim", "fiskaly" */
    /* prefix names the driver's config section, "fiscal" (keys prefix.sim_state, ...);
     * client_id is the till's serial number as registered with the TSE. */
    int (*open)(void *priv, struct loop *loop, const struct config *cfg, const char *prefix,
                const char *client_id, char *err, size_t errlen);
    void (*close)(void *priv);
    /* 0 started (cb follows, possibly before this returns), TSE_EBUSY when it cannot take
     * it now.  process_data may be "". */
    int (*start)(void *priv, const char *tx_id, const char *process_type, const char *process_data,
                 tse_cb cb, void *ctx);
    /* Finishes tx_number (from the start; 0: the open transaction with the caller's
     * tx_id) with the final type and data.  Asked again for a transaction it finished
     * (an answer lost), it gives the same answer and signs nothing new; a start asked again
     * for an open tx_id gives that transaction.  TSE_ENOTOPEN: it never had it. */
    int (*finish)(void *priv, const char *tx_id, uint64_t tx_number, const char *process_type,
                  const char *process_data, tse_cb cb, void *ctx);
    /* What the driver knows now, without waiting. */
    void (*status)(void *priv, struct tse_status *st);
    /* The TSE's log messages (TR-03151 TAR export) into path; 0 or -1 with a message. */
    int (*export_log)(void *priv, const char *path, char *err, size_t errlen);
    /* May be NULL (a local TSE): the HTTP it talks through, before the first operation. */
    void (*use_http)(void *priv, const struct tse_http *http);
};

struct tse {
    const struct tse_ops *ops;
    void *priv;
};

/* Looks the kind up in the driver registry and opens it. */
int tse_open(const char *kind, struct loop *loop, const struct config *cfg, const char *prefix,
             const char *client_id, struct tse **out, char *err, size_t errlen);
/* NULL is fine. */
void tse_close(struct tse *t);
int tse_start(struct tse *t, const char *tx_id, const char *process_type, const char *process_data,
              tse_cb cb, void *ctx);
int tse_finish(struct tse *t, const char *tx_id, uint64_t tx_number, const char *process_type,
               const char *process_data, tse_cb cb, void *ctx);
void tse_get_status(struct tse *t, struct tse_status *st);
/* Hands a cloud TSE its HTTP; 1 when the driver wants one (and took it), 0 when not. */
int tse_use_http(struct tse *t, const struct tse_http *http);
int tse_export_log(struct tse *t, const char *path, char *err, size_t errlen);

extern const struct tse_ops tse_sim_ops;
extern const struct tse_ops tse_fiskaly_ops;

#endif
