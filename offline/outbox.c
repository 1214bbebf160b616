/* Manager's view of the outbox (till --outbox, --outbox-retry). */
#include <sqlite3.h>
#include <stdio.h>
#include <time.h>

#include "offline/outbox.h"
#include "src/store.h"

int outbox_print(struct store *st, FILE *out)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(store_db(st),
                           "SELECT state, idempotency_key, created_at, attempts, coalesce(last_error, '')"
                           " FROM outbox WHERE state != 'sent' ORDER BY id",
                           -1, &q, NULL) != SQLITE_OK)
        return -1;
    int n = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        char when[32];
        time_t t = (time_t)sqlite3_column_int64(q, 2);
        struct tm tm;
        strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime_r(&t, &tm));
        fprintf(out, "%-8s %s  %s  attempts %d  %s\n", sqlite3_column_text(q, 0), when,
                sqlite3_column_text(q, 1), sqlite3_column_int(q, 3), sqlite3_column_text(q, 4));
        n++;
    }
    sqlite3_finalize(q);
    fprintf(out, "%d not yet accepted by the store server (pending are sent automatically;"
                 " parked were rejected: fix the cause, then  till --outbox-retry KEY)\n", n);
    return 0;
}

int outbox_retry_parked(struct store *st, const char *key)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(store_db(st),
                           "UPDATE outbox SET state = 'pending', attempts = 0 WHERE idempotency_key = ?1"
                           " AND state = 'parked'", -1, &q, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return -1;
    return sqlite3_changes(store_db(st)) ? 0 : 1;
}
