/* The HTTP side of the store server: libmicrohttpd, routing, auth, JSON errors, faults. */
#ifndef TILL_SERVER_HTTP_H
#define TILL_SERVER_HTTP_H

struct http_config {
    const char *db_path;  /* a SQLite path or a postgresql:// URL */
    const char *snapshot_prefix; /* catalog snapshots: PREFIX.snapshot-* (server/snapshot.h) */
    const char *listen;   /* IPv4 address, default 127.0.0.1 */
    unsigned short port;  /* 0 = pick a free one */
    const char *currency; /* the store's currency, default EUR */
    unsigned threads;         /* polling threads */
    unsigned max_connections; /* in all (lowered to what the open-file limit allows) */
    unsigned per_ip;          /* from one client address */
    unsigned idle_timeout_s;  /* a connection silent this long is closed */
    unsigned snapshot_min_changes; /* a till this far behind gets a catalog snapshot */
};

/* Defaults: enough for a store's tills behind one NAT address, and bounded. */
#define HTTP_DEFAULT_THREADS 8
#define HTTP_DEFAULT_MAX_CONNECTIONS 2000
#define HTTP_DEFAULT_PER_IP 32
#define HTTP_DEFAULT_IDLE_TIMEOUT 20
#define HTTP_DEFAULT_SNAPSHOT_MIN_CHANGES 50000

/*
 * Serves until SIGTERM or SIGINT. Prints "listening on ADDR:PORT" as the first stdout line.
 * err gets a message when the server cannot start. Returns 0 after a clean stop.
 */
int http_serve(const struct http_config *cfg, char *err, size_t errlen);

#endif
