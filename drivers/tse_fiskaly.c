/* fiskaly SIGN DE (API v2), the cloud TSE, written against fiskaly's published API
 * reference (developer.fiskaly.com, "SIGN DE API v2"):
 *   POST /auth {api_key, api_secret} or {refresh_token} -> {access_token,
 *        access_token_expires_in, refresh_token}: a bearer token, refreshed before it runs
 *        out and again when an answer says 401;
 *   PUT  /tss/{tss_id}/tx/{tx_id}?tx_revision=1 {state: ACTIVE, client_id}: start;
 *   PUT  /tss/{tss_id}/tx/{tx_id}?tx_revision=2 {state: FINISHED, client_id, schema: {raw:
 *        {process_type, process_data (Base64)}}}: finish, answered with number, time_start,
 *        time_end, signature {value, counter, algorithm, public_key}, log
 *        {timestamp_format}, tss_serial_number;
 *   GET  /tss/{tss_id}/tx/{tx_id}: the transaction as fiskaly has it;
 *   errors: {status_code, error, code, message}.
 * The transaction id is ours (the sale's uuid) and each revision is a PUT, so an answer lost
 * on the way (a timeout, a 5xx after fiskaly committed) is asked again: a repeated revision
 * that fiskaly already has is answered 409, and the driver then reads the transaction with
 * GET instead of signing anything twice.  The TSS and its client are set up beforehand
 * (fiskaly's dashboard or API: create, personalise, admin PIN, initialise, register the
 * till's serial as a client); the driver uses them.
 *
 * Everything goes through the owner's HTTP (drivers/tse.h struct tse_http: curl multi on the
 * loop), one request at a time from a queue, so no call here ever blocks a keystroke.
 *
 * Config (prefix "fiscal"): fiskaly_url (default https://kassensichv-middleware.fiskaly.com/
 * api/v2), fiskaly_tss_id, fiskaly_client_id, fiskaly_credentials (a file readable by its
 * owner only: "api_key = ..." and "api_secret = ..." lines), fiskaly_retry_ms (1000),
 * fiskaly_attempts (3). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/fiscal.h"
#include "drivers/tse.h"
#include "src/config.h"
#include "src/loop.h"

#define FK_QUEUE 16
#define FK_TOKEN 4096

struct fk_op {
    enum fiscal_op op;
    char tx_id[48];
    char process_type[32];
    char process_data[256];
    tse_cb cb;
    void *ctx;
    int attempts;
    int reading;                     /* asking with GET after a 409 */
};

struct tse_fiskaly {
    struct loop *loop;
    struct tse_http http;
    int have_http;
    char base[256], tss[64], client[64];
    char api_key[160], api_secret[200];
    char token[FK_TOKEN], refresh[FK_TOKEN];
    int64_t token_expires_ms;
    int retry_ms, max_attempts;
    uint64_t req, timer;
    int authing;
    struct fk_op q[FK_QUEUE];
    int qhead, qlen;
    int ok;
    char last_error[160];
    char serial[80], public_key[160];
    uint64_t sig_counter;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = 0;
}

/* "api_key = K" and "api_secret = S" from a file only its owner may read. */
static int read_credentials(struct tse_fiskaly *s, const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st)) {
        snprintf(err, errlen, "fiscal.fiskaly_credentials %s: %s", path, strerror(errno));
        return -1;
    }
    if (st.st_mode & 077) {
        snprintf(err, errlen, "fiscal.fiskaly_credentials %s must be readable by its owner only (chmod 600)", path);
        return -1;
    }
    FILE *f = fopen(path, "re");
    if (!f) {
        snprintf(err, errlen, "fiscal.fiskaly_credentials %s: %s", path, strerror(errno));
        return -1;
    }
    char line[512];
    while (fgets(line, sizeof line, f)) {
        trim(line);
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        char *v = eq + 1;
        while (*v == ' ')
            v++;
        *eq = 0;
        trim(line);
        if (strcmp(line, "api_key") == 0)
            snprintf(s->api_key, sizeof s->api_key, "%s", v);
        else if (strcmp(line, "api_secret") == 0)
            snprintf(s->api_secret, sizeof s->api_secret, "%s", v);
    }
    memset(line, 0, sizeof line);
    fclose(f);
    if (!s->api_key[0] || !s->api_secret[0]) {
        snprintf(err, errlen, "fiscal.fiskaly_credentials %s needs api_key and api_secret lines", path);
        return -1;
    }
    return 0;
}

static int fk_open(void *priv, struct loop *loop, const struct config *cfg, const char *prefix,
                   const char *client_id, char *err, size_t errlen)
{
    struct tse_fiskaly *s = priv;
    char key[96];
    long long v;
    s->loop = loop;
#define GET(name, def) (snprintf(key, sizeof key, "%s.%s", prefix, name), config_get(cfg, key, def))
    snprintf(s->base, sizeof s->base, "%s", GET("fiskaly_url", "https://kassensichv-middleware.fiskaly.com/api/v2"));
    snprintf(s->tss, sizeof s->tss, "%s", GET("fiskaly_tss_id", ""));
    snprintf(s->client, sizeof s->client, "%s", GET("fiskaly_client_id", ""));
    const char *cred = GET("fiskaly_credentials", "");
#undef GET
    if (!s->tss[0] || !s->client[0] || !cred[0]) {
        snprintf(err, errlen, "the fiskaly TSE needs %s.fiskaly_tss_id, %s.fiskaly_client_id and %s.fiskaly_credentials",
                 prefix, prefix, prefix);
        return -1;
    }
    snprintf(key, sizeof key, "%s.fiskaly_retry_ms", prefix);
    if (config_get_int(cfg, key, 1000, &v) || v < 1 || v > 600000) {
        snprintf(err, errlen, "%s must be a number of milliseconds", key);
        return -1;
    }
    s->retry_ms = (int)v;
    snprintf(key, sizeof key, "%s.fiskaly_attempts", prefix);
    if (config_get_int(cfg, key, 3, &v) || v < 1 || v > 100) {
        snprintf(err, errlen, "%s must be a number from 1 to 100", key);
        return -1;
    }
    s->max_attempts = (int)v;
    (void)client_id;   /* the client is fiskaly's id; the till's serial is registered with it */
    s->ok = 1;
    return read_credentials(s, cred, err, errlen);
}

static void fk_close(void *priv)
{
    struct tse_fiskaly *s = priv;
    if (s->timer)
        loop_cancel_timer(s->loop, s->timer);
    s->timer = 0;
    if (s->req && s->have_http && s->http.cancel)
        s->http.cancel(s->http.t, s->req);
    s->req = 0;
    memset(s->api_secret, 0, sizeof s->api_secret);
    memset(s->token, 0, sizeof s->token);
    memset(s->refresh, 0, sizeof s->refresh);
}

static void fk_use_http(void *priv, const struct tse_http *http)
{
    struct tse_fiskaly *s = priv;
    s->http = *http;
    s->have_http = 1;
}

static void pump(struct tse_fiskaly *s);

/* The head of the queue is done: its answer, then the next. */
static void complete(struct tse_fiskaly *s, struct tse_result *r)
{
    struct fk_op op = s->q[s->qhead];
    s->qhead = (s->qhead + 1) % FK_QUEUE;
    s->qlen--;
    snprintf(r->tx_id, sizeof r->tx_id, "%s", op.tx_id);
    if (r->rc == TSE_OK) {
        s->ok = 1;
        s->last_error[0] = 0;
    } else {
        s->ok = 0;
        snprintf(s->last_error, sizeof s->last_error, "%s", r->error);
    }
    op.cb(op.ctx, r);
    pump(s);
}

static void fail_head(struct tse_fiskaly *s, int rc, const char *why)
{
    struct tse_result r;
    memset(&r, 0, sizeof r);
    r.rc = rc;
    snprintf(r.error, sizeof r.error, "%.150s", why);
    complete(s, &r);
}

static void on_retry(struct loop *loop, void *ctx)
{
    struct tse_fiskaly *s = ctx;
    s->timer = 0;
    pump(s);
}

/* The request failed in a way that may pass (no answer, 5xx): again after retry_ms, up to
 * max_attempts; then the head fails (the app records the outage and goes on). */
static void retry_later(struct tse_fiskaly *s, const char *why)
{
    snprintf(s->last_error, sizeof s->last_error, "%s", why);
    s->ok = 0;
    if (s->qlen && ++s->q[s->qhead].attempts >= s->max_attempts) {
        char msg[200];
        snprintf(msg, sizeof msg, "fiskaly unreachable: %.150s", why);
        fail_head(s, TSE_EFAIL, msg);
        return;
    }
    s->timer = loop_add_timer(s->loop, s->retry_ms, on_retry, s);
}

static const char *json_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

static int json_u64(const cJSON *o, const char *name, uint64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9007199254740991.0)
        return -1;
    *out = (uint64_t)v->valuedouble;
    return 0;
}

/* An error answer's message: {status_code, error, code, message}. */
static void error_text(const struct tse_http_answer *a, char *out, size_t len)
{
    cJSON *j = a->body ? cJSON_ParseWithLength(a->body, a->len) : NULL;
    if (j && json_str(j, "message")[0])
        snprintf(out, len, "fiskaly %ld %.40s: %.100s", a->status, json_str(j, "code"), json_str(j, "message"));
    else
        snprintf(out, len, "fiskaly answered %ld", a->status);
    cJSON_Delete(j);
}

static void on_auth(void *ctx, const struct tse_http_answer *a)
{
    struct tse_fiskaly *s = ctx;
    s->req = 0;
    s->authing = 0;
    if (!a->transport_ok || a->status >= 500) {
        retry_later(s, a->transport_ok ? "fiskaly's authentication answered 5xx" : a->error ? a->error : "no answer");
        return;
    }
    cJSON *j = a->status == 200 ? cJSON_ParseWithLength(a->body, a->len) : NULL;
    const char *tok = j ? json_str(j, "access_token") : "";
    uint64_t expires = 0;
    if (!tok[0] || json_u64(j, "access_token_expires_in", &expires)) {
        char why[160];
        error_text(a, why, sizeof why);
        cJSON_Delete(j);
        if (s->refresh[0]) {
            s->refresh[0] = 0;   /* the refresh token is spent: the key and secret again */
            pump(s);
            return;
        }
        /* the credentials are refused: every waiting operation fails, the next one tries again */
        while (s->qlen)
            fail_head(s, TSE_EREFUSED, why);
        return;
    }
    snprintf(s->token, sizeof s->token, "%s", tok);
    snprintf(s->refresh, sizeof s->refresh, "%s", json_str(j, "refresh_token"));
    s->token_expires_ms = mono_ms() + (int64_t)expires * 1000;
    cJSON_Delete(j);
    pump(s);
}

static void authenticate(struct tse_fiskaly *s)
{
    cJSON *b = cJSON_CreateObject();
    if (s->refresh[0]) {
        cJSON_AddStringToObject(b, "refresh_token", s->refresh);
    } else {
        cJSON_AddStringToObject(b, "api_key", s->api_key);
        cJSON_AddStringToObject(b, "api_secret", s->api_secret);
    }
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    char url[320];
    snprintf(url, sizeof url, "%s/auth", s->base);
    s->authing = 1;
    s->req = body ? s->http.request(s->http.t, "POST", url, NULL, body, on_auth, s) : 0;
    if (body) {
        memset(body, 0, strlen(body));
        free(body);
    }
    if (!s->req) {
        s->authing = 0;
        retry_later(s, "the request could not be started");
    }
}

/* fiskaly's transaction answer as a TSE result. */
static int parse_tx(struct tse_fiskaly *s, const struct tse_http_answer *a, const struct fk_op *op,
                    struct tse_result *r)
{
    memset(r, 0, sizeof *r);
    cJSON *j = cJSON_ParseWithLength(a->body, a->len);
    if (!j)
        return -1;
    const char *state = json_str(j, "state");
    const char *want = op->op == FISCAL_OP_START ? "ACTIVE" : "FINISHED";
    const cJSON *sig = cJSON_GetObjectItemCaseSensitive(j, "signature");
    const cJSON *log = cJSON_GetObjectItemCaseSensitive(j, "log");
    uint64_t t_start = 0, t_end = 0;
    int rc = -1;
    if (strcmp(state, want) == 0 && !json_u64(j, "number", &r->tx_number) && !json_u64(j, "time_start", &t_start) &&
        cJSON_IsObject(sig) && !json_u64(sig, "counter", &r->sig_counter)) {
        if (json_u64(j, "time_end", &t_end))
            t_end = t_start;
        r->rc = TSE_OK;
        r->start_ms = (int64_t)t_start * 1000;
        r->log_ms = (int64_t)(op->op == FISCAL_OP_START ? t_start : t_end) * 1000;
        snprintf(r->process_type, sizeof r->process_type, "%s", op->process_type);
        snprintf(r->signature, sizeof r->signature, "%s", json_str(sig, "value"));
        snprintf(r->sig_alg, sizeof r->sig_alg, "%s", json_str(sig, "algorithm"));
        snprintf(r->public_key, sizeof r->public_key, "%s", json_str(sig, "public_key"));
        snprintf(r->time_format, sizeof r->time_format, "%s",
                 cJSON_IsObject(log) && json_str(log, "timestamp_format")[0] ? json_str(log, "timestamp_format")
                                                                            : FISCAL_TIME_FORMAT);
        snprintf(r->serial, sizeof r->serial, "%s", json_str(j, "tss_serial_number"));
        snprintf(s->serial, sizeof s->serial, "%s", r->serial);
        snprintf(s->public_key, sizeof s->public_key, "%s", r->public_key);
        s->sig_counter = r->sig_counter;
        rc = 0;
    } else if (state[0]) {
        snprintf(r->error, sizeof r->error, "fiskaly has the transaction %s, not %s", state, want);
        rc = 1;
    }
    cJSON_Delete(j);
    return rc;
}

static void on_tx(void *ctx, const struct tse_http_answer *a)
{
    struct tse_fiskaly *s = ctx;
    s->req = 0;
    struct fk_op *op = &s->q[s->qhead];
    char why[200];
    if (!a->transport_ok) {
        /* it may have reached fiskaly: asked again, the same revision cannot sign twice */
        retry_later(s, a->error ? a->error : "no answer");
        return;
    }
    if (a->status == 401) {
        s->token[0] = 0;     /* expired or revoked: a new one, then the same request */
        if (++op->attempts >= s->max_attempts) {
            error_text(a, why, sizeof why);
            fail_head(s, TSE_EREFUSED, why);
            return;
        }
        pump(s);
        return;
    }
    if (a->status >= 500 || a->status == 429) {
        error_text(a, why, sizeof why);
        retry_later(s, why);
        return;
    }
    if (a->status == 409 && !op->reading) {
        op->reading = 1;     /* fiskaly has this revision already: read what it has */
        pump(s);
        return;
    }
    struct tse_result r;
    int p = a->status == 200 ? parse_tx(s, a, op, &r) : -1;
    if (p == 0) {
        complete(s, &r);
        return;
    }
    if (p == 1) {
        snprintf(why, sizeof why, "%s", r.error);
    } else if (a->status == 200) {
        snprintf(why, sizeof why, "fiskaly's answer could not be read");
    } else {
        error_text(a, why, sizeof why);
    }
    fail_head(s, a->status == 404 ? TSE_ENOTOPEN : TSE_EREFUSED, why);
}

static void send_head(struct tse_fiskaly *s)
{
    struct fk_op *op = &s->q[s->qhead];
    char url[512];
    if (op->reading) {
        snprintf(url, sizeof url, "%s/tss/%s/tx/%s", s->base, s->tss, op->tx_id);
        s->req = s->http.request(s->http.t, "GET", url, s->token, NULL, on_tx, s);
    } else {
        int finish = op->op == FISCAL_OP_FINISH;
        snprintf(url, sizeof url, "%s/tss/%s/tx/%s?tx_revision=%d", s->base, s->tss, op->tx_id, finish ? 2 : 1);
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "state", finish ? "FINISHED" : "ACTIVE");
        cJSON_AddStringToObject(b, "client_id", s->client);
        if (finish) {
            /* the raw schema: fiskaly signs exactly our process type and data */
            char pd[400];
            if (fiscal_base64((const unsigned char *)op->process_data, strlen(op->process_data), pd, sizeof pd))
                pd[0] = 0;
            cJSON *raw = cJSON_AddObjectToObject(cJSON_AddObjectToObject(b, "schema"), "raw");
            cJSON_AddStringToObject(raw, "process_type", op->process_type);
            cJSON_AddStringToObject(raw, "process_data", pd);
        }
        char *body = cJSON_PrintUnformatted(b);
        cJSON_Delete(b);
        s->req = body ? s->http.request(s->http.t, "PUT", url, s->token, body, on_tx, s) : 0;
        free(body);
    }
    if (!s->req)
        retry_later(s, "the request could not be started");
}

/* The next step: a token when there is none (or it runs out within 30 s), else the head
 * of the queue. */
static void pump(struct tse_fiskaly *s)
{
    if (!s->qlen || s->req || s->timer || s->authing || !s->have_http)
        return;
    if (!s->token[0] || mono_ms() > s->token_expires_ms - 30000) {
        s->token[0] = 0;
        authenticate(s);
        return;
    }
    send_head(s);
}

static int enqueue(struct tse_fiskaly *s, enum fiscal_op op, const char *tx_id, const char *process_type,
                   const char *process_data, tse_cb cb, void *ctx)
{
    if (s->qlen >= FK_QUEUE)
        return TSE_EBUSY;
    if (!s->have_http) {
        struct tse_result r;
        memset(&r, 0, sizeof r);
        r.rc = TSE_EFAIL;
        snprintf(r.tx_id, sizeof r.tx_id, "%s", tx_id);
        snprintf(r.error, sizeof r.error, "no HTTP for the fiskaly TSE");
        cb(ctx, &r);
        return 0;
    }
    struct fk_op *o = &s->q[(s->qhead + s->qlen) % FK_QUEUE];
    memset(o, 0, sizeof *o);
    o->op = op;
    snprintf(o->tx_id, sizeof o->tx_id, "%s", tx_id);
    snprintf(o->process_type, sizeof o->process_type, "%s", process_type);
    snprintf(o->process_data, sizeof o->process_data, "%s", process_data);
    o->cb = cb;
    o->ctx = ctx;
    s->qlen++;
    pump(s);
    return 0;
}

static int fk_start(void *priv, const char *tx_id, const char *process_type, const char *process_data,
                    tse_cb cb, void *ctx)
{
    return enqueue(priv, FISCAL_OP_START, tx_id, process_type, process_data, cb, ctx);
}

static int fk_finish(void *priv, const char *tx_id, uint64_t tx_number, const char *process_type,
                     const char *process_data, tse_cb cb, void *ctx)
{
    (void)tx_number;   /* fiskaly knows the transaction by our id */
    return enqueue(priv, FISCAL_OP_FINISH, tx_id, process_type, process_data, cb, ctx);
}

static void fk_status(void *priv, struct tse_status *st)
{
    struct tse_fiskaly *s = priv;
    memset(st, 0, sizeof *st);
    st->ok = s->ok;
    snprintf(st->text, sizeof st->text, "fiskaly: %.80s", s->ok ? (s->qlen ? "busy" : "ready") : s->last_error);
    snprintf(st->serial, sizeof st->serial, "%s", s->serial);
    snprintf(st->public_key, sizeof st->public_key, "%s", s->public_key);
    st->sig_counter = s->sig_counter;
}

const struct tse_ops tse_fiskaly_ops = {
    .drv = { DRIVER_TSE, TSE_OPS_VERSION, sizeof(struct tse_fiskaly), "fiskaly" },
    .open = fk_open,
    .close = fk_close,
    .start = fk_start,
    .finish = fk_finish,
    .status = fk_status,
    .use_http = fk_use_http,
};
