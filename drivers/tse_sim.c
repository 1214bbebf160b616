/* The simulated TSE: a real driver that signs for real, the demo's default and the tests'
 * TSE.  Not certified, and it says so in its status: a store in Germany needs a certified
 * TSE (fiskaly, or a hardware TSE).
 *
 * It keeps its signature counter, its transaction counter and its open transactions in its
 * own state file, written and fdatasynced before any signature leaves it (two slots written
 * in turn, see save_state), so the counters strictly increase across restarts and kills: a
 * kill can skip a number, never repeat one.  Its key is an ECDSA P-384 key made at its first start
 * (OpenSSL), kept beside the state file (0600); each log message is built as BSI TR-03151
 * defines it (core/fiscal.h) and signed ecdsa-plain-SHA384, so a receipt's QR code verifies
 * with its public key using standard tools.  Every log message is appended to the log file
 * (one Base64 DER message per line), which export_log copies.
 *
 * Config (prefix "fiscal"):
 *   sim_state   = the state file (default: the database's path + ".tse"); the key is
 *                 sim_state + ".key", the log sim_state + ".log"
 *   sim_control = a file read before each operation, one word, so a test can change the
 *                 TSE's behaviour while the till runs: ok (default), fail (unreachable),
 *                 full (storage full), refuse (not initialised), slow:MS (answers after MS
 *                 milliseconds, from the loop). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/fiscal.h"
#include "drivers/tse.h"
#include "src/config.h"
#include "src/loop.h"

#define SIM_MAX_OPEN 64
#define SIM_DONE 8                     /* finished transactions remembered for a repeat */
#define SIM_COORD 48                   /* P-384: 48-byte coordinates */

struct sim_open_tx {
    uint64_t number;
    int64_t start_ms;
    char tx_id[48];
};

/* A finish, kept so that asking again (an answer lost on the way) gets the same answer. */
struct sim_done {
    char tx_id[48];
    uint64_t number, sig_counter;
    int64_t start_ms, log_ms;
    char process_type[32];
    char signature[132];
};

struct tse_sim {
    struct loop *loop;
    char client_id[64];
    char state[512], keyfile[520], logfile[520], control[512];
    EVP_PKEY *key;
    unsigned char pub[SIM_COORD * 2 + 1];
    size_t publen;
    unsigned char serial[32];
    char serial_hex[80], pub_b64[160];
    uint64_t sig_counter, tx_counter;
    int fd;                            /* the state file */
    uint64_t seq;                      /* of the newest slot written */
    struct sim_open_tx open[SIM_MAX_OPEN];
    int nopen;
    struct sim_done done[SIM_DONE];
    int ndone;                          /* the newest is done[(ndone - 1) % SIM_DONE] */
    /* a slow answer waiting for its timer */
    uint64_t timer;
    struct tse_result pending;
    tse_cb pending_cb;
    void *pending_ctx;
    char last_error[160];
};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The state file: two slots of SIM_SLOT bytes, written in turn, each "tse-sim 2 SEQ LEN
 * SUM\n" then the state's text; the valid slot with the highest SEQ is the state.  One
 * write and one fdatasync per operation (the slot is rewritten in place), and a write torn
 * by a power cut leaves the other slot whole.  SUM is FNV-1a over the text. */
#define SIM_SLOT 16384

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int save_state(struct tse_sim *s)
{
    char body[SIM_SLOT], slot[SIM_SLOT];
    size_t used = 0;
    int n = snprintf(body, sizeof body, "sig_counter %llu\ntx_counter %llu\n",
                     (unsigned long long)s->sig_counter, (unsigned long long)s->tx_counter);
    used = (size_t)n;
    for (int i = 0; i < s->nopen; i++) {
        n = snprintf(body + used, sizeof body - used, "open %llu %lld %s\n",
                     (unsigned long long)s->open[i].number, (long long)s->open[i].start_ms, s->open[i].tx_id);
        if (n < 0 || (size_t)n >= sizeof body - used)
            return -1;
        used += (size_t)n;
    }
    for (int i = 0; i < SIM_DONE && i < s->ndone; i++) {
        const struct sim_done *d = &s->done[i];
        n = snprintf(body + used, sizeof body - used, "done %llu %llu %lld %lld %s %s %s\n",
                     (unsigned long long)d->number, (unsigned long long)d->sig_counter, (long long)d->start_ms,
                     (long long)d->log_ms, d->tx_id, d->process_type, d->signature);
        if (n < 0 || (size_t)n >= sizeof body - used)
            return -1;
        used += (size_t)n;
    }
    n = snprintf(body + used, sizeof body - used, "ndone %d\n", s->ndone);
    if (n < 0 || (size_t)n >= sizeof body - used)
        return -1;
    used += (size_t)n;
    uint64_t seq = s->seq + 1;
    int h = snprintf(slot, sizeof slot, "tse-sim 2 %llu %zu %016llx\n", (unsigned long long)seq, used,
                     (unsigned long long)fnv1a(body, used));
    if (h < 0 || (size_t)h + used > sizeof slot)
        return -1;
    memcpy(slot + h, body, used);
    memset(slot + h + used, 0, sizeof slot - (size_t)h - used);
    if (pwrite(s->fd, slot, sizeof slot, (off_t)(seq % 2) * SIM_SLOT) != (ssize_t)sizeof slot ||
        fdatasync(s->fd))
        return -1;
    s->seq = seq;
    return 0;
}

/* One slot's state into s (counters and open transactions); its sequence number, or 0
 * when the slot is empty or damaged. */
static uint64_t parse_slot(struct tse_sim *s, const char *slot)
{
    unsigned long long seq, sum;
    size_t len;
    int h = 0;
    if (sscanf(slot, "tse-sim 2 %llu %zu %llx\n%n", &seq, &len, &sum, &h) != 3 || h <= 0 ||
        len > SIM_SLOT - (size_t)h || fnv1a(slot + h, len) != sum)
        return 0;
    char body[SIM_SLOT + 1];
    memcpy(body, slot + h, len);
    body[len] = 0;
    s->nopen = 0;
    int done_slots = 0;
    for (char *line = body, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        if (!nl)
            break;
        *nl = 0;
        unsigned long long a;
        long long b;
        char id[48];
        struct sim_done d;
        int nd;
        if (sscanf(line, "sig_counter %llu", &a) == 1)
            s->sig_counter = a;
        else if (sscanf(line, "ndone %d", &nd) == 1 && nd >= 0)
            s->ndone = nd;
        else if (sscanf(line, "done %llu %llu %lld %lld %47s %31s %131s", &a, (unsigned long long *)&d.sig_counter,
                        &b, (long long *)&d.log_ms, d.tx_id, d.process_type, d.signature) == 7 &&
                 done_slots < SIM_DONE) {
            d.number = a;
            d.start_ms = b;
            s->done[done_slots++] = d;
        }
        else if (sscanf(line, "tx_counter %llu", &a) == 1)
            s->tx_counter = a;
        else if (sscanf(line, "open %llu %lld %47s", &a, &b, id) == 3 && s->nopen < SIM_MAX_OPEN) {
            struct sim_open_tx *o = &s->open[s->nopen++];
            o->number = a;
            o->start_ms = b;
            snprintf(o->tx_id, sizeof o->tx_id, "%s", id);
        }
    }
    return seq;
}

static int load_state(struct tse_sim *s, char *err, size_t errlen)
{
    s->fd = open(s->state, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (s->fd < 0) {
        snprintf(err, errlen, "TSE state %s: %s", s->state, strerror(errno));
        return -1;
    }
    char (*slots)[SIM_SLOT] = calloc(2, SIM_SLOT);
    struct tse_sim *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    ssize_t n = slots && a && b ? pread(s->fd, slots, 2 * SIM_SLOT, 0) : -1;
    if (n <= 0) {
        free(slots);
        free(a);
        free(b);
        if (n == 0)
            return 0;   /* a new TSE */
        snprintf(err, errlen, "TSE state %s: %s", s->state, strerror(errno));
        return -1;
    }
    slots[0][SIM_SLOT - 1] = slots[1][SIM_SLOT - 1] = 0;
    *a = *s;
    *b = *s;
    uint64_t sa = parse_slot(a, slots[0]), sb = parse_slot(b, slots[1]);
    free(slots);
    if (!sa && !sb) {
        free(a);
        free(b);
        snprintf(err, errlen, "TSE state %s is not a simulated TSE's state file (or both its copies are damaged)",
                 s->state);
        return -1;
    }
    struct tse_sim *best = sa > sb ? a : b;
    s->sig_counter = best->sig_counter;
    s->tx_counter = best->tx_counter;
    s->nopen = best->nopen;
    memcpy(s->open, best->open, sizeof s->open);
    s->ndone = best->ndone;
    memcpy(s->done, best->done, sizeof s->done);
    s->seq = sa > sb ? sa : sb;
    free(a);
    free(b);
    return 0;
}

static int load_or_make_key(struct tse_sim *s, char *err, size_t errlen)
{
    FILE *f = fopen(s->keyfile, "re");
    if (f) {
        s->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
        if (!s->key) {
            snprintf(err, errlen, "TSE key %s cannot be read", s->keyfile);
            return -1;
        }
    } else {
        if (s->sig_counter) {
            /* a TSE whose key is gone cannot go on signing under the same serial */
            snprintf(err, errlen, "TSE key %s is missing but the TSE has signed before", s->keyfile);
            return -1;
        }
        s->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
        if (!s->key) {
            snprintf(err, errlen, "TSE key could not be made");
            return -1;
        }
        int fd = open(s->keyfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (!out || !PEM_write_PrivateKey(out, s->key, NULL, NULL, 0, NULL, NULL) || fflush(out) ||
            fsync(fileno(out))) {
            snprintf(err, errlen, "TSE key %s cannot be written: %s", s->keyfile, strerror(errno));
            if (out)
                fclose(out);
            else if (fd >= 0)
                close(fd);
            return -1;
        }
        fclose(out);
    }
    unsigned char *pub = NULL;
    size_t n = EVP_PKEY_get1_encoded_public_key(s->key, &pub);
    if (n == 0 || n > sizeof s->pub) {
        OPENSSL_free(pub);
        snprintf(err, errlen, "TSE key %s is not a P-384 key", s->keyfile);
        return -1;
    }
    memcpy(s->pub, pub, n);
    s->publen = n;
    OPENSSL_free(pub);
    unsigned int hl = 0;
    EVP_Digest(s->pub, s->publen, s->serial, &hl, EVP_sha256(), NULL);
    fiscal_hex(s->serial, sizeof s->serial, s->serial_hex, sizeof s->serial_hex);
    fiscal_base64(s->pub, s->publen, s->pub_b64, sizeof s->pub_b64);
    return 0;
}

static int sim_open(void *priv, struct loop *loop, const struct config *cfg, const char *prefix,
                    const char *client_id, char *err, size_t errlen)
{
    struct tse_sim *s = priv;
    char key[96];
    s->loop = loop;
    snprintf(s->client_id, sizeof s->client_id, "%s", client_id);
    snprintf(key, sizeof key, "%s.sim_state", prefix);
    const char *state = config_get(cfg, key, NULL);
    if (state)
        snprintf(s->state, sizeof s->state, "%s", state);
    else
        snprintf(s->state, sizeof s->state, "%s.tse", config_get(cfg, "paths.database", "till.db"));
    snprintf(key, sizeof key, "%s.sim_control", prefix);
    snprintf(s->control, sizeof s->control, "%s", config_get(cfg, key, ""));
    snprintf(s->keyfile, sizeof s->keyfile, "%s.key", s->state);
    snprintf(s->logfile, sizeof s->logfile, "%s.log", s->state);
    s->fd = -1;
    if (load_state(s, err, errlen) || load_or_make_key(s, err, errlen)) {
        EVP_PKEY_free(s->key);
        s->key = NULL;
        if (s->fd >= 0)
            close(s->fd);
        s->fd = -1;
        return -1;
    }
    return 0;
}

static void sim_close(void *priv)
{
    struct tse_sim *s = priv;
    if (s->timer && s->loop)
        loop_cancel_timer(s->loop, s->timer);
    EVP_PKEY_free(s->key);
    s->key = NULL;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

/* What the control file says for this operation: 0 ok, else the error; *slow_ms. */
static int control(struct tse_sim *s, int *slow_ms)
{
    *slow_ms = 0;
    if (!s->control[0])
        return TSE_OK;
    FILE *f = fopen(s->control, "re");
    if (!f)
        return TSE_OK;
    char word[64] = "";
    if (!fgets(word, sizeof word, f))
        word[0] = 0;
    fclose(f);
    word[strcspn(word, "\r\n ")] = 0;
    if (strcmp(word, "fail") == 0)
        return TSE_EFAIL;
    if (strcmp(word, "full") == 0)
        return TSE_EFULL;
    if (strcmp(word, "refuse") == 0)
        return TSE_EREFUSED;
    if (strncmp(word, "slow:", 5) == 0) {
        long ms = strtol(word + 5, NULL, 10);
        *slow_ms = ms > 0 && ms < 600000 ? (int)ms : 0;
    }
    return TSE_OK;
}

/* Signs the log message (SHA-384, ECDSA) into r || s. */
static int sign(struct tse_sim *s, const struct fiscal_log *m, unsigned char sig[SIM_COORD * 2])
{
    unsigned char dtbs[2048], der[160];
    size_t dlen, derlen = sizeof der;
    if (fiscal_log_dtbs(m, dtbs, sizeof dtbs, &dlen))
        return -1;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, s->key) == 1 &&
             EVP_DigestSign(md, der, &derlen, dtbs, dlen) == 1;
    EVP_MD_CTX_free(md);
    if (!ok)
        return -1;
    const unsigned char *p = der;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
    if (!es)
        return -1;
    const BIGNUM *r, *sv;
    ECDSA_SIG_get0(es, &r, &sv);
    ok = BN_bn2binpad(r, sig, SIM_COORD) == SIM_COORD && BN_bn2binpad(sv, sig + SIM_COORD, SIM_COORD) == SIM_COORD;
    ECDSA_SIG_free(es);
    return ok ? 0 : -1;
}

static void append_log(struct tse_sim *s, const struct fiscal_log *m, const unsigned char *sig)
{
    unsigned char der[2300];
    char line[3200];
    size_t n;
    if (fiscal_log_encode(m, sig, SIM_COORD * 2, der, sizeof der, &n) ||
        fiscal_base64(der, n, line, sizeof line - 1))
        return;
    size_t len = strlen(line);
    line[len++] = '\n';
    int fd = open(s->logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    if (write(fd, line, len) != (ssize_t)len)
        snprintf(s->last_error, sizeof s->last_error, "log file: %s", strerror(errno));
    close(fd);
}

static void fail(struct tse_result *r, int rc, const char *what)
{
    r->rc = rc;
    snprintf(r->error, sizeof r->error, "%s", what);
}

/* A finish asked again for a transaction finished before: the same answer, or
 * TSE_ENOTOPEN when the TSE never had it (or has forgotten it). */
static void repeat_finish(struct tse_sim *s, const char *tx_id, uint64_t tx_number, struct tse_result *r)
{
    for (int i = 0; i < SIM_DONE; i++) {
        const struct sim_done *d = &s->done[i];
        if (!d->tx_id[0] || strcmp(d->tx_id, tx_id) != 0 || (tx_number && d->number != tx_number))
            continue;
        r->rc = TSE_OK;
        r->tx_number = d->number;
        r->sig_counter = d->sig_counter;
        r->start_ms = d->start_ms;
        r->log_ms = d->log_ms;
        snprintf(r->process_type, sizeof r->process_type, "%s", d->process_type);
        snprintf(r->signature, sizeof r->signature, "%s", d->signature);
        snprintf(r->sig_alg, sizeof r->sig_alg, "%s", FISCAL_SIG_ALG);
        snprintf(r->time_format, sizeof r->time_format, "%s", FISCAL_TIME_FORMAT);
        snprintf(r->serial, sizeof r->serial, "%s", s->serial_hex);
        snprintf(r->public_key, sizeof r->public_key, "%s", s->pub_b64);
        return;
    }
    fail(r, TSE_ENOTOPEN, "no such open transaction");
}

/* One operation: counters up, the message signed, the state saved, then the answer. */
static void operate(struct tse_sim *s, enum fiscal_op op, const char *tx_id, uint64_t tx_number,
                    const char *process_type, const char *process_data, struct tse_result *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->tx_id, sizeof r->tx_id, "%s", tx_id);
    snprintf(r->process_type, sizeof r->process_type, "%s", process_type);
    int slot = -1;
    if (op == FISCAL_OP_FINISH) {
        /* by its number, or (number 0) by the caller's id */
        for (int i = 0; i < s->nopen; i++)
            if (tx_number ? s->open[i].number == tx_number : strcmp(s->open[i].tx_id, tx_id) == 0)
                slot = i;
        if (slot < 0) {
            repeat_finish(s, tx_id, tx_number, r);
            return;
        }
        tx_number = s->open[slot].number;
    } else {
        /* a start asked again (its answer lost): the transaction already open */
        for (int i = 0; i < s->nopen; i++)
            if (strcmp(s->open[i].tx_id, tx_id) == 0) {
                r->rc = TSE_OK;
                r->tx_number = s->open[i].number;
                r->start_ms = r->log_ms = s->open[i].start_ms;
                r->sig_counter = s->sig_counter;
                snprintf(r->serial, sizeof r->serial, "%s", s->serial_hex);
                snprintf(r->public_key, sizeof r->public_key, "%s", s->pub_b64);
                return;
            }
    }
    if (op == FISCAL_OP_START && s->nopen >= SIM_MAX_OPEN) {
        fail(r, TSE_EFULL, "too many open transactions");
        return;
    }
    int64_t now_ms = wall_ms() / 1000 * 1000;   /* unixTime: whole seconds */
    uint64_t old_sig = s->sig_counter, old_tx = s->tx_counter;
    int old_nopen = s->nopen;
    struct sim_open_tx removed;
    memset(&removed, 0, sizeof removed);
    s->sig_counter++;
    if (op == FISCAL_OP_START) {
        tx_number = ++s->tx_counter;
        struct sim_open_tx *o = &s->open[s->nopen++];
        o->number = tx_number;
        o->start_ms = now_ms;
        snprintf(o->tx_id, sizeof o->tx_id, "%s", tx_id);
        r->start_ms = now_ms;
    } else {
        removed = s->open[slot];
        r->start_ms = removed.start_ms;
        s->open[slot] = s->open[--s->nopen];
    }
    /* signed first, so the state saved holds the finish's answer for a repeat; nothing
     * leaves before the state is on disk, so a kill here reuses no number that was seen */
    struct fiscal_log m = {
        .op = op, .client_id = s->client_id, .process_type = process_type,
        .process_data = (const unsigned char *)process_data, .process_data_len = strlen(process_data),
        .tx_number = tx_number, .serial = s->serial, .serial_len = sizeof s->serial,
        .sig_counter = s->sig_counter, .log_time = now_ms / 1000,
    };
    unsigned char sig[SIM_COORD * 2];
    int signed_ok = sign(s, &m, sig) == 0;
    struct sim_done old_done;
    int old_ndone = s->ndone;
    struct sim_done *d = &s->done[s->ndone % SIM_DONE];
    old_done = *d;
    if (signed_ok && op == FISCAL_OP_FINISH) {
        memset(d, 0, sizeof *d);
        snprintf(d->tx_id, sizeof d->tx_id, "%s", tx_id);
        d->number = tx_number;
        d->sig_counter = s->sig_counter;
        d->start_ms = removed.start_ms;
        d->log_ms = now_ms;
        snprintf(d->process_type, sizeof d->process_type, "%s", process_type);
        fiscal_base64(sig, sizeof sig, d->signature, sizeof d->signature);
        s->ndone = (s->ndone + 1) % (SIM_DONE * 1000);
    }
    if (!signed_ok || save_state(s)) {
        /* nothing left the TSE: the counters stay as they were on disk */
        s->sig_counter = old_sig;
        s->tx_counter = old_tx;
        if (op == FISCAL_OP_FINISH) {
            s->open[s->nopen] = s->open[slot];
            s->open[slot] = removed;
            *d = old_done;
            s->ndone = old_ndone;
        }
        s->nopen = old_nopen;
        fail(r, TSE_EFAIL, signed_ok ? "the simulated TSE cannot write its state" : "the simulated TSE could not sign");
        return;
    }
    append_log(s, &m, sig);
    r->rc = TSE_OK;
    r->tx_number = tx_number;
    r->sig_counter = s->sig_counter;
    r->log_ms = now_ms;
    fiscal_base64(sig, sizeof sig, r->signature, sizeof r->signature);
    snprintf(r->sig_alg, sizeof r->sig_alg, "%s", FISCAL_SIG_ALG);
    snprintf(r->time_format, sizeof r->time_format, "%s", FISCAL_TIME_FORMAT);
    snprintf(r->serial, sizeof r->serial, "%s", s->serial_hex);
    snprintf(r->public_key, sizeof r->public_key, "%s", s->pub_b64);
}

static void on_slow(struct loop *loop, void *ctx)
{
    struct tse_sim *s = ctx;
    s->timer = 0;
    struct tse_result r = s->pending;
    s->pending_cb(s->pending_ctx, &r);
}

static int run(struct tse_sim *s, enum fiscal_op op, const char *tx_id, uint64_t tx_number,
               const char *process_type, const char *process_data, tse_cb cb, void *ctx)
{
    if (s->timer)
        return TSE_EBUSY;
    struct tse_result r;
    int slow_ms;
    int rc = control(s, &slow_ms);
    if (rc != TSE_OK) {
        memset(&r, 0, sizeof r);
        snprintf(r.tx_id, sizeof r.tx_id, "%s", tx_id);
        fail(&r, rc, rc == TSE_EFULL ? "TSE storage full" : rc == TSE_EREFUSED ? "TSE not initialised"
                                                                                : "TSE unreachable");
    } else {
        operate(s, op, tx_id, tx_number, process_type, process_data, &r);
    }
    snprintf(s->last_error, sizeof s->last_error, "%s", r.rc ? r.error : "");
    if (slow_ms && s->loop) {
        s->pending = r;
        s->pending_cb = cb;
        s->pending_ctx = ctx;
        s->timer = loop_add_timer(s->loop, slow_ms, on_slow, s);
        if (s->timer)
            return 0;
    }
    cb(ctx, &r);
    return 0;
}

static int sim_start(void *priv, const char *tx_id, const char *process_type, const char *process_data,
                     tse_cb cb, void *ctx)
{
    return run(priv, FISCAL_OP_START, tx_id, 0, process_type, process_data, cb, ctx);
}

static int sim_finish(void *priv, const char *tx_id, uint64_t tx_number, const char *process_type,
                      const char *process_data, tse_cb cb, void *ctx)
{
    return run(priv, FISCAL_OP_FINISH, tx_id, tx_number, process_type, process_data, cb, ctx);
}

static void sim_status(void *priv, struct tse_status *st)
{
    struct tse_sim *s = priv;
    memset(st, 0, sizeof *st);
    st->ok = s->last_error[0] == 0;
    snprintf(st->text, sizeof st->text, "TSE sim (not certified): %.60s", st->ok ? "ready" : s->last_error);
    snprintf(st->serial, sizeof st->serial, "%s", s->serial_hex);
    snprintf(st->public_key, sizeof st->public_key, "%s", s->pub_b64);
    st->sig_counter = s->sig_counter;
}

static int sim_export_log(void *priv, const char *path, char *err, size_t errlen)
{
    struct tse_sim *s = priv;
    FILE *in = fopen(s->logfile, "re");
    FILE *out = fopen(path, "we");
    int rc = 0;
    if (!out) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        rc = -1;
    } else if (in) {
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, in)) > 0)
            if (fwrite(buf, 1, n, out) != n) {
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
                rc = -1;
                break;
            }
    }
    if (in)
        fclose(in);
    if (out && fclose(out) && rc == 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    return rc;
}

const struct tse_ops tse_sim_ops = {
    .drv = { DRIVER_TSE, TSE_OPS_VERSION, sizeof(struct tse_sim), "sim" },
    .open = sim_open,
    .close = sim_close,
    .start = sim_start,
    .finish = sim_finish,
    .status = sim_status,
    .export_log = sim_export_log,
};
