/* store.terminal_id changed (see app/terminal_id.h). */
#include "app/terminal_id.h"

#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "offline/audit_doc.h"
#include "offline/outbox.h"
#include "src/config.h"
#include "src/loop.h"
#include "src/store.h"

#define TERMINAL_ID_KEY "store.terminal_id"

int app_terminal_id_check(struct app *app, char *err, size_t errlen)
{
    if (strcmp(app->s.db_path, ":memory:") == 0)
        return 0;
    struct store *st = app->store;
    const char *now_id = app->s.terminal_id;
    char was[64] = "";
    int rc = store_meta_get(st, TERMINAL_ID_KEY, was, sizeof was);
    if (rc != STORE_OK && rc != STORE_NOTFOUND) {
        snprintf(err, errlen, "cannot read the terminal id the database was used with: %s", store_errmsg(st));
        return -1;
    }
    if (rc == STORE_OK && strcmp(was, now_id) == 0)
        return 0;
    if (rc == STORE_NOTFOUND || !was[0])
        return store_meta_set(st, TERMINAL_ID_KEY, now_id) == STORE_OK ? 0 : (snprintf(err, errlen,
               "cannot note the terminal id: %s", store_errmsg(st)), -1);
    int64_t queued = 0, audit_rows = 0;
    /* audit rows are queued only for a store server: without one, none will be sent */
    int to_server = config_get(app->cfg, "sync.url", "")[0] != 0;
    if (outbox_count(st, OUTBOX_PENDING, &queued) != STORE_OK ||
        (to_server && audit_doc_unqueued(st, &audit_rows) != STORE_OK)) {
        snprintf(err, errlen, "cannot count what is queued for the server: %s", store_errmsg(st));
        return -1;
    }
    if (queued > 0 || audit_rows > 0) {
        snprintf(err, errlen,
                 "store.terminal_id changed from %s to %s while %lld documents and %lld audit rows wait to be sent"
                 " as %s: the server would refuse them from %s (its token speaks for one terminal) and audit sync"
                 " would stay stuck. Set store.terminal_id back to %s, let the queue empty (the status line shows"
                 " Queued sales: 0; till --sync-now sends it), then change it",
                 was, now_id, (long long)queued, (long long)audit_rows, was, now_id, was);
        return -1;
    }
    /* nothing of the old id is left to send: the old chain is closed, the new id's rows
     * start their own chain on the server */
    char detail[160];
    snprintf(detail, sizeof detail, "from %s to %s (nothing queued)", was, now_id);
    if (store_begin(st, STORE_TX_PLAIN) != STORE_OK)
        goto fail;
    if (store_meta_set(st, TERMINAL_ID_KEY, now_id) != STORE_OK ||
        store_audit(st, loop_wall_time(), now_id, "", "terminal_id_changed", detail) != STORE_OK) {
        store_rollback(st);
        goto fail;
    }
    if (store_commit(st) == STORE_OK)
        return 0;
fail:
    snprintf(err, errlen, "cannot note the terminal id %s: %s", now_id, store_errmsg(st));
    return -1;
}
