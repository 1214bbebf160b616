/* HTTP requests on libcurl's multi interface, driven by the main poll() loop: curl's
 * sockets and timeout become loop watches and a loop timer, so no request ever blocks
 * the cashier's screen.  One callback per request when it ends, whatever the outcome. */
#ifndef TILL_HTTP_H
#define TILL_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct http;

struct http_tls {
    const char *ca_file;        /* CA bundle; NULL = the system's */
    const char *pinned_pubkey;  /* "sha256//BASE64" (curl's syntax); NULL = no pinning */
    int insecure;               /* tests only: peer verification off (never the default) */
};

struct http_response {
    int transport_ok;          /* an HTTP answer arrived (any status) */
    long status;               /* HTTP status, 0 without an answer */
    const char *body;          /* NUL-terminated, may contain anything */
    size_t len;
    int64_t retry_after_s;     /* Retry-After in seconds, -1 when absent */
    int too_large;             /* the answer exceeded the size limit and was cut off */
    int64_t file_bytes;        /* a download: how long its file now is */
    char error[256];           /* what went wrong, for the log and the status bar */
};

typedef void (*http_done_cb)(void *ctx, const struct http_response *r);

struct http_options {
    const char *bearer_token;   /* sent as Authorization: Bearer (never logged); NULL = none */
    const char *headers[4];     /* more "Name: value" lines for every request (NULL ends) */
    size_t max_response_bytes;  /* larger answers are aborted and reported */
    long connect_timeout_ms;
    long timeout_ms;            /* whole request */
    struct http_tls tls;
};

struct http *http_new(struct loop *loop, const struct http_options *opt);
void http_free(struct http *h);  /* aborts requests in flight without calling back */

/* Starts a GET (body NULL) or POST of a JSON body.  Returns a request id > 0, 0 on failure.
 * done is called exactly once, from the loop, never from inside this call. */
uint64_t http_request(struct http *h, const char *method, const char *url, const char *body,
                      size_t body_len, http_done_cb done, void *ctx);
/* Downloads url into fd (a 200 or 206 answer's body; other answers are kept in memory
 * like a request's, for their message).  With offset > 0 it asks for the bytes from there
 * on (Range) and appends them; a server that sends the whole file instead starts the file
 * again.  No overall timeout: the download fails when no byte arrives for timeout_ms.
 * progress (may be NULL) hears the file's length as it grows. */
typedef void (*http_progress_cb)(void *ctx, int64_t file_bytes);
uint64_t http_download(struct http *h, const char *url, int fd, int64_t offset,
                       http_progress_cb progress, http_done_cb done, void *ctx);
void http_cancel(struct http *h, uint64_t id);
/* The bearer token for requests started from now on (NULL: none); one in flight keeps its
 * own.  For an API whose token is refreshed (fiskaly's).  0, or -1 out of memory. */
int http_set_bearer(struct http *h, const char *token);
int http_in_flight(const struct http *h);

#endif
