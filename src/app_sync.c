/* The till's side of sync: the engine in offline/ runs inside the loop; this file opens it
 * from config, mirrors its status into the status bar and writes its log lines. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "app.h"
#include "offline/sync.h"
#include "store.h"

void app_log(struct app *app, const char *fmt, ...)
{
    FILE *f = app->log;
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
    sync_get_status(app->sync, &st);
    app->status.online = st.online;
    app->status.queued = st.queued;
    app->status.parked = st.parked;
    app->status.last_sync_at = st.last_sync_at;
    snprintf(app->status.sync_error, sizeof app->status.sync_error, "%s", st.last_error);
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
    app->log = fopen(lp, "a");
    struct sync_config sc;
    int configured;
    if (sync_config_from(app->cfg, &sc, &configured, err, errlen))
        return -1;
    app->status.sync_configured = configured;
    if (!configured)
        return 0;
    app->sync = sync_new(app->loop, app->store, &sc, on_sync_changed, on_sync_log, app, err, errlen);
    memset(sc.token, 0, sizeof sc.token);
    if (!app->sync)
        return -1;
    app_log(app, "sync: store server %s, location %s", sc.url, sc.location);
    on_sync_changed(app);
    return 0;
}

void app_close_sync(struct app *app)
{
    sync_free(app->sync);
    app->sync = NULL;
    if (app->log)
        fclose(app->log);
    app->log = NULL;
}

/* `till --outbox`: what waits to be sent and what the server rejected, for a manager. */
int app_print_outbox(struct app *app, FILE *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store_db(app->store),
                           "SELECT state, idempotency_key, created_at, attempts, coalesce(last_error, ''),"
                           " coalesce(server_ref, '') FROM outbox WHERE state != 'sent' ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        char when[32];
        time_t t = (time_t)sqlite3_column_int64(st, 2);
        struct tm tm;
        strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime_r(&t, &tm));
        fprintf(out, "%-8s %s  %s  attempts %d  %s\n", sqlite3_column_text(st, 0), when,
                sqlite3_column_text(st, 1), sqlite3_column_int(st, 3), sqlite3_column_text(st, 4));
        n++;
    }
    sqlite3_finalize(st);
    fprintf(out, "%d not yet accepted by the store server (pending are sent automatically;"
                 " parked were rejected: fix the cause, then  till --outbox-retry KEY)\n", n);
    return 0;
}

/* `till --outbox-retry KEY`: a manager sends a parked order again. */
int app_retry_parked(struct app *app, const char *key)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store_db(app->store),
                           "UPDATE outbox SET state = 'pending', attempts = 0 WHERE idempotency_key = ?1"
                           " AND state = 'parked'", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return -1;
    int changed = sqlite3_changes(store_db(app->store));
    if (changed)
        store_audit(app->store, loop_wall_time(), app->s.terminal_id, app->s.cashier, "outbox_retry", key);
    return changed ? 0 : 1;
}
