/* libcurl multi inside the loop: CURLMOPT_SOCKETFUNCTION turns curl's sockets into loop
 * watches, CURLMOPT_TIMERFUNCTION into one loop timer; both call curl_multi_socket_action,
 * which never blocks.  Finished transfers are collected after every action. */
#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "offline/http.h"
#include "src/loop.h"

struct http_req {
    struct http *h;
    uint64_t id;
    CURL *easy;
    struct curl_slist *headers;
    char *body_copy;
    char *buf;
    size_t len, cap;
    int too_large;
    int64_t retry_after_s;
    int fd;                     /* a download's file, -1 for an answer kept in memory */
    int64_t offset;             /* a download: where the file's bytes go on */
    int restarted;              /* a download asked for a range and got the whole file */
    int got_bytes;              /* a download: body bytes arrived */
    int write_failed;
    http_progress_cb progress;
    http_done_cb done;
    void *ctx;
    struct http_req *next;
};

struct http {
    struct loop *loop;
    CURLM *multi;
    uint64_t timer;
    uint64_t next_id;
    struct http_req *reqs;
    struct http_options opt;
    char *token, *ca_file, *pinned;
    char *headers[4];
    char auth_header[4096];   /* a JWT (fiskaly) can be long */
    char *spare;                /* the last answer's buffer, reused: no mmap churn per page */
    size_t spare_cap;
};

static void check_finished(struct http *h);

static void on_socket_event(struct loop *loop, int fd, short revents, void *ctx)
{
    struct http *h = ctx;
    int flags = 0, running;
    if (revents & POLLIN)
        flags |= CURL_CSELECT_IN;
    if (revents & POLLOUT)
        flags |= CURL_CSELECT_OUT;
    if (revents & (POLLERR | POLLHUP))
        flags |= CURL_CSELECT_ERR;
    curl_multi_socket_action(h->multi, fd, flags, &running);
    check_finished(h);
}

static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    struct http *h = userp;
    (void)easy;
    (void)socketp;
    if (what == CURL_POLL_REMOVE) {
        loop_unwatch_fd(h->loop, s);
        return 0;
    }
    short ev = 0;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
        ev |= POLLIN;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
        ev |= POLLOUT;
    loop_watch_fd(h->loop, s, ev, on_socket_event, h);
    return 0;
}

static void on_timeout(struct loop *loop, void *ctx)
{
    struct http *h = ctx;
    int running;
    (void)loop;
    h->timer = 0;
    curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_finished(h);
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    struct http *h = userp;
    (void)multi;
    if (h->timer) {
        loop_cancel_timer(h->loop, h->timer);
        h->timer = 0;
    }
    if (timeout_ms >= 0)
        h->timer = loop_add_timer(h->loop, timeout_ms, on_timeout, h);
    return 0;
}

static size_t write_cb(char *data, size_t size, size_t n, void *userp)
{
    struct http_req *r = userp;
    size_t bytes = size * n;
    if (r->len + bytes > r->h->opt.max_response_bytes) {
        r->too_large = 1;
        return 0; /* aborts the transfer: an oversized answer is never buffered whole */
    }
    if (!r->buf && r->h->spare) {
        r->buf = r->h->spare;
        r->cap = r->h->spare_cap;
        r->h->spare = NULL;
        r->h->spare_cap = 0;
    }
    if (r->len + bytes + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 16384;
        while (cap < r->len + bytes + 1)
            cap *= 2;
        char *nb = realloc(r->buf, cap);
        if (!nb)
            return 0;
        r->buf = nb;
        r->cap = cap;
    }
    memcpy(r->buf + r->len, data, bytes);
    r->len += bytes;
    r->buf[r->len] = 0;
    return bytes;
}

/* A download writes a 206 (or a 200 from its start) into its file; any other status is
 * an error answer, kept in memory for its message. */
static size_t download_cb(char *data, size_t size, size_t n, void *userp)
{
    struct http_req *r = userp;
    size_t bytes = size * n;
    long status = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200 && status != 206)
        return write_cb(data, size, n, userp);
    if (status == 200 && r->offset > 0 && !r->restarted && !r->got_bytes) {
        /* the server ignored the range: the file starts again */
        if (ftruncate(r->fd, 0) != 0) {
            r->write_failed = 1;
            return 0;
        }
        r->offset = 0;
        r->restarted = 1;
    }
    for (size_t done = 0; done < bytes;) {
        ssize_t w = pwrite(r->fd, data + done, bytes - done, (off_t)r->offset);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            r->write_failed = 1;
            return 0;
        }
        done += (size_t)w;
        r->offset += w;
    }
    r->got_bytes = 1;
    if (r->progress)
        r->progress(r->ctx, r->offset);
    return bytes;
}

static size_t header_cb(char *data, size_t size, size_t n, void *userp)
{
    struct http_req *r = userp;
    size_t bytes = size * n;
    static const char name[] = "retry-after:";
    if (bytes > sizeof name - 1 && strncasecmp(data, name, sizeof name - 1) == 0) {
        char v[32];
        size_t vl = bytes - (sizeof name - 1);
        if (vl >= sizeof v)
            vl = sizeof v - 1;
        memcpy(v, data + sizeof name - 1, vl);
        v[vl] = 0;
        char *end;
        long long s = strtoll(v, &end, 10);
        /* only the delay-seconds form; an HTTP date falls back to our own backoff */
        if (end != v && s >= 0 && s < 86400)
            r->retry_after_s = s;
    }
    return bytes;
}

static void req_free(struct http_req *r)
{
    if (r->easy) {
        curl_multi_remove_handle(r->h->multi, r->easy);
        curl_easy_cleanup(r->easy);
    }
    curl_slist_free_all(r->headers);
    free(r->body_copy);
    if (r->buf && r->cap > r->h->spare_cap && r->cap <= (8u << 20)) {
        free(r->h->spare);
        r->h->spare = r->buf;
        r->h->spare_cap = r->cap;
    } else {
        free(r->buf);
    }
    free(r);
}

static void unlink_req(struct http *h, struct http_req *r)
{
    for (struct http_req **p = &h->reqs; *p; p = &(*p)->next) {
        if (*p == r) {
            *p = r->next;
            return;
        }
    }
}

static void check_finished(struct http *h)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(h->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        struct http_req *r = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
        if (!r)
            continue;
        struct http_response resp;
        memset(&resp, 0, sizeof resp);
        resp.retry_after_s = r->retry_after_s;
        resp.body = r->buf ? r->buf : "";
        resp.len = r->len;
        resp.too_large = r->too_large;
        resp.file_bytes = r->fd >= 0 ? r->offset : 0;
        CURLcode rc = m->data.result;
        if (rc == CURLE_OK) {
            resp.transport_ok = 1;
            curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &resp.status);
        } else if (r->write_failed) {
            snprintf(resp.error, sizeof resp.error, "cannot write the download: %s", strerror(errno));
        } else if (r->too_large) {
            curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &resp.status);
            snprintf(resp.error, sizeof resp.error, "the server's answer is larger than %zu bytes",
                     h->opt.max_response_bytes);
        } else {
            snprintf(resp.error, sizeof resp.error, "%s", curl_easy_strerror(rc));
        }
        unlink_req(h, r);
        r->done(r->ctx, &resp);
        req_free(r);
    }
}

struct http *http_new(struct loop *loop, const struct http_options *opt)
{
    static int global_done;
    if (!global_done) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT))
            return NULL;
        global_done = 1;
    }
    struct http *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->loop = loop;
    h->opt = *opt;
    if (!h->opt.max_response_bytes)
        h->opt.max_response_bytes = 16u << 20;
    h->token = opt->bearer_token ? strdup(opt->bearer_token) : NULL;
    h->ca_file = opt->tls.ca_file ? strdup(opt->tls.ca_file) : NULL;
    h->pinned = opt->tls.pinned_pubkey ? strdup(opt->tls.pinned_pubkey) : NULL;
    for (int i = 0; i < 4 && opt->headers[i]; i++)
        h->headers[i] = strdup(opt->headers[i]);
    if (h->token)
        snprintf(h->auth_header, sizeof h->auth_header, "Authorization: Bearer %s", h->token);
    h->multi = curl_multi_init();
    if (!h->multi) {
        http_free(h);
        return NULL;
    }
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    return h;
}

void http_free(struct http *h)
{
    if (!h)
        return;
    while (h->reqs) {
        struct http_req *r = h->reqs;
        h->reqs = r->next;
        req_free(r);
    }
    if (h->timer)
        loop_cancel_timer(h->loop, h->timer);
    if (h->multi)
        curl_multi_cleanup(h->multi);
    free(h->spare);
    if (h->token) /* a token is a secret: do not leave it in freed memory */
        memset(h->token, 0, strlen(h->token));
    memset(h->auth_header, 0, sizeof h->auth_header);
    free(h->token);
    for (int i = 0; i < 4; i++) {
        if (h->headers[i]) /* may carry an API key */
            memset(h->headers[i], 0, strlen(h->headers[i]));
        free(h->headers[i]);
    }
    free(h->ca_file);
    free(h->pinned);
    free(h);
}

static uint64_t start(struct http *h, const char *method, const char *url, const char *body,
                      size_t body_len, int fd, int64_t offset, http_progress_cb progress,
                      http_done_cb done, void *ctx)
{
    struct http_req *r = calloc(1, sizeof *r);
    if (!r)
        return 0;
    r->h = h;
    r->fd = fd;
    r->offset = offset;
    r->progress = progress;
    r->id = ++h->next_id;
    r->done = done;
    r->ctx = ctx;
    r->retry_after_s = -1;
    r->easy = curl_easy_init();
    if (!r->easy)
        goto fail;
    CURL *e = r->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fd >= 0 ? download_cb : write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->opt.connect_timeout_ms ? h->opt.connect_timeout_ms : 5000L);
    if (fd >= 0) {
        /* a download may take long on a shop's line: it fails when it stalls instead */
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (h->opt.timeout_ms ? h->opt.timeout_ms : 30000L) / 1000 + 1);
        if (offset > 0) {
            char range[64];
            snprintf(range, sizeof range, "%lld-", (long long)offset);
            curl_easy_setopt(e, CURLOPT_RANGE, range);
        }
    } else {
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->opt.timeout_ms ? h->opt.timeout_ms : 30000L);
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    }
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, h->opt.tls.insecure ? 0L : 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, h->opt.tls.insecure ? 0L : 2L);
    if (h->ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, h->ca_file);
    if (h->pinned)
        curl_easy_setopt(e, CURLOPT_PINNEDPUBLICKEY, h->pinned);
    r->headers = curl_slist_append(r->headers, fd >= 0 ? "Accept: application/zstd, application/json"
                                                       : "Accept: application/json");
    if (h->token)
        r->headers = curl_slist_append(r->headers, h->auth_header);
    for (int i = 0; i < 4 && h->headers[i]; i++)
        r->headers = curl_slist_append(r->headers, h->headers[i]);
    if (body) {
        r->headers = curl_slist_append(r->headers, "Content-Type: application/json");
        r->body_copy = malloc(body_len ? body_len : 1);
        if (!r->body_copy)
            goto fail;
        memcpy(r->body_copy, body, body_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body_copy);
    }
    if (method && strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
    if (curl_multi_add_handle(h->multi, e) != CURLM_OK)
        goto fail;
    r->next = h->reqs;
    h->reqs = r;
    return r->id;
fail:
    if (r->easy) {
        curl_easy_cleanup(r->easy);
        r->easy = NULL;
    }
    req_free(r);
    return 0;
}

int http_set_bearer(struct http *h, const char *token)
{
    char *t = token ? strdup(token) : NULL;
    if (token && !t)
        return -1;
    if (h->token) {
        memset(h->token, 0, strlen(h->token));
        free(h->token);
    }
    h->token = t;
    if (t)
        snprintf(h->auth_header, sizeof h->auth_header, "Authorization: Bearer %s", t);
    else
        memset(h->auth_header, 0, sizeof h->auth_header);
    return 0;
}

uint64_t http_request(struct http *h, const char *method, const char *url, const char *body,
                      size_t body_len, http_done_cb done, void *ctx)
{
    return start(h, method, url, body, body_len, -1, 0, NULL, done, ctx);
}

uint64_t http_download(struct http *h, const char *url, int fd, int64_t offset,
                       http_progress_cb progress, http_done_cb done, void *ctx)
{
    return start(h, "GET", url, NULL, 0, fd, offset, progress, done, ctx);
}

void http_cancel(struct http *h, uint64_t id)
{
    for (struct http_req *r = h->reqs; r; r = r->next) {
        if (r->id == id) {
            unlink_req(h, r);
            req_free(r);
            return;
        }
    }
}

int http_in_flight(const struct http *h)
{
    int n = 0;
    for (const struct http_req *r = h->reqs; r; r = r->next)
        n++;
    return n;
}
