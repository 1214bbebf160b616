/* The till's side of sync: the engine in offline/ runs inside the loop; this file opens it
 * from config, mirrors its status into the status bar and writes its log lines. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "offline/outbox.h"
#include "offline/sync.h"
#include "src/store.h"

void app_log(struct app *app, const char *fmt, ...)
{
    FILE *f = app->sync.log;
    if (!f)
        return;
    char when[32];
    time_t now = (time_t)loop_wall_time();
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
    fprintf(f, "%s %s ", when, app->s.terminal_id);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    fflush(f);
}

static void on_sync_log(void *ctx, const char *line)
{
    app_log(ctx, "%s", line);
}

static void on_sync_changed(void *ctx)
{
    struct app *app = ctx;
    struct sync_status st;
    sync_get_status(app->sync.engine, &st);
    app->sync.online = st.online;
    app->sync.queued = st.queued;
    app->sync.parked = st.parked;
    app->sync.last_sync_at = st.last_sync_at;
    snprintf(app->sync.error, sizeof app->sync.error, "%s", st.last_error);
    app->sync.catalog_loading = st.catalog_busy && st.catalog_snapshot;
    app->sync.catalog[0] = 0;
    if (st.catalog_busy && st.catalog_total > 0) {
        char eta[40] = "";
        if (st.catalog_eta_s >= 0)
            snprintf(eta, sizeof eta, ", %llds left", (long long)st.catalog_eta_s);
        snprintf(app->sync.catalog, sizeof app->sync.catalog, "catalog %lld of %lld%s",
                 (long long)st.catalog_done, (long long)st.catalog_total, eta);
    } else if (st.catalog_busy) {
        snprintf(app->sync.catalog, sizeof app->sync.catalog, "catalog: %lld changes", (long long)st.catalog_done);
    }
    app->sync.refused[0] = 0;
    if (st.refused_rows > 0) {
        /* the catalog's are the ones that cost money (old prices): named on their own */
        char what[48];
        if (st.refused_rows == st.refused_catalog)
            snprintf(what, sizeof what, "%lld catalog row%s", (long long)st.refused_rows, st.refused_rows == 1 ? "" : "s");
        else
            snprintf(what, sizeof what, "%lld sync rows (%lld catalog)", (long long)st.refused_rows,
                     (long long)st.refused_catalog);
        snprintf(app->sync.refused, sizeof app->sync.refused, "%s refused (see till --sync-rejects)", what);
    }
    /* a damaged database outranks any network news: it stays on the status bar */
    if (!app->sync.error[0] && app->sync.insecure_tls)
        snprintf(app->sync.error, sizeof app->sync.error,
                 "WARNING: sync.insecure_tls = 1: the server's certificate is NOT checked");
    if (store_damaged(app->store))
        snprintf(app->sync.error, sizeof app->sync.error, "DATABASE DAMAGED: %.120s; run till --salvage",
                 store_errmsg(app->store));
    app->dirty = 1;
}

int app_open_sync(struct app *app, char *err, size_t errlen)
{
    char path[600];
    const char *lp = config_get(app->cfg, "log.file", NULL);
    if (!lp) {
        snprintf(path, sizeof path, "%s.log", app->s.db_path);
        lp = path;
    }
    app->sync.log = fopen(lp, "a");
    struct sync_config sc;
    int configured;
    if (sync_config_from(app->cfg, &sc, &configured, err, errlen))
        return -1;
    app->sync.configured = configured;
    if (!configured)
        return 0;
    app->sync.engine = sync_new(app->loop, app->store, &sc, on_sync_changed, on_sync_log, app, err, errlen);
    if (app->sync.engine)
        app_stock_lookup_open(app, &sc);
    memset(sc.token, 0, sizeof sc.token);
    if (!app->sync.engine)
        return -1;
    app_log(app, "sync: store server %s, location %s", sc.url, sc.location);
    app->sync.now_deadline_ms = sc.now_deadline_ms;
    if (sc.insecure_tls) {
        /* tests only: loud at every start, in the log, on stderr and on the status bar */
        app->sync.insecure_tls = 1;
        app_log(app, "WARNING: sync.insecure_tls = 1: the store server's certificate is NOT checked;"
                     " anyone on the network can pose as it. Never in a store.");
        fprintf(stderr, "till: WARNING: sync.insecure_tls = 1: the store server's certificate is NOT checked\n");
    }
    if (sc.plain_http)
        app_log(app, "WARNING: sync.url is plain http:// (sync.allow_plain_http = yes): the token and sales"
                     " cross the network unencrypted");
    on_sync_changed(app);
    return 0;
}

void app_close_sync(struct app *app)
{
    app_stock_lookup_close(app);
    if (app->sync.engine) {
        /* what the sync cost the screen, for the log (bench/bench_keys.c reads it) */
        struct sync_stats ss;
        sync_get_stats(app->sync.engine, &ss);
        app_log(app, "sync: stopped after %lld catalog changes; longest loop hold %.1f ms (%.1f ms of it on the CPU;"
                " longest apply slice %.1f ms; catalog writer thread's longest transaction %.1f ms)",
                (long long)ss.catalog_changes, (double)loop_longest_busy_us(app->loop) / 1000.0,
                (double)loop_longest_busy_cpu_us(app->loop) / 1000.0, (double)ss.longest_slice_us / 1000.0,
                (double)ss.writer_longest_us / 1000.0);
    }
    sync_free(app->sync.engine);
    app->sync.engine = NULL;
    if (app->sync.log)
        fclose(app->sync.log);
    app->sync.log = NULL;
}

/* `till --outbox-retry KEY`: a manager sends a parked order again; the audit log says who. */
int app_retry_parked(struct app *app, const char *key)
{
    int rc = outbox_retry_parked(app->store, key);
    if (rc == 0)
        app_audit(app, "outbox_retry", key);
    return rc;
}
