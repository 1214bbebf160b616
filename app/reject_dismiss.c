/* Dismissing a parked (refused) sync row (see app/reject_dismiss.h). */
#include "app/reject_dismiss.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/commands.h"
#include "src/loop.h"
#include "src/store.h"
#include "src/sync_rejects.h"

struct find {
    int64_t id;              /* 0: the newest open one */
    struct sync_reject r;
    int found;
};

static int find_one(void *ctx, const struct sync_reject *r)
{
    struct find *f = ctx;
    if (f->id && r->id != f->id)
        return 0;
    f->r = *r;
    f->found = 1;
    return 1;
}

/* The status line's "N sync rows refused", as it is after the dismissal. */
static void recount(struct app *app)
{
    int64_t open = 0;
    if (sync_rejects_count_open(app->store, NULL, &open) != STORE_OK)
        return;
    if (open > 0)
        snprintf(app->sync.refused, sizeof app->sync.refused, "%lld sync row%s refused (see till --sync-rejects)",
                 (long long)open, open == 1 ? "" : "s");
    else
        app->sync.refused[0] = 0;
}

int cmd_sync_reject_dismiss(struct app *app, const struct cmd_args *a)
{
    struct find f;
    memset(&f, 0, sizeof f);
    char *end = NULL;
    if (a->arg[0]) {
        f.id = strtoll(a->arg, &end, 10);
        if (f.id <= 0 || *end) {
            app_set_message(app, 1, "'%.40s' is not the id of a refused row (till --sync-rejects lists them)", a->arg);
            return 1;
        }
    }
    if (sync_rejects_each(app->store, 0, find_one, &f) < 0) {
        app_set_message(app, 1, "The refused rows could not be read: %s", store_errmsg(app->store));
        return -1;
    }
    if (!f.found) {
        if (f.id)
            app_set_message(app, 1, "No open refused row %lld (till --sync-rejects lists them)", (long long)f.id);
        else
            app_set_message(app, 0, "No refused sync rows are open");
        return 1;
    }
    char detail[320];
    snprintf(detail, sizeof detail, "row %lld %s %.60s: %.80s%s%s", (long long)f.r.id, f.r.feed, f.r.key,
             f.r.reason, a->approver ? " approved by " : "", a->approver ? a->approver->id : "");
    int64_t now = loop_wall_time();
    int rc = store_begin(app->store, STORE_TX_PLAIN);
    if (rc == STORE_OK) {
        rc = sync_rejects_dismiss(app->store, f.r.id, now);
        /* dismissed and audited together: no dismissal without who did it */
        if (rc == STORE_OK)
            rc = store_audit(app->store, now, app->s.terminal_id, app_actor_id(app), "sync_reject_dismissed", detail);
        if (rc == STORE_OK)
            rc = store_commit(app->store);
        else
            store_rollback(app->store);
    }
    if (rc != STORE_OK) {
        app_set_message(app, 1, "Refused row %lld was NOT dismissed: %s", (long long)f.r.id, store_errmsg(app->store));
        return -1;
    }
    recount(app);
    app_set_message(app, 0, "Refused row %lld (%s %.40s) dismissed", (long long)f.r.id, f.r.feed, f.r.key);
    return 0;
}
