/* The sync_rejects table and all its SQL (see sync_rejects.h). */
#include "src/sync_rejects.h"

#include <sqlite3.h>
#include <string.h>
#include <time.h>

#include "src/store.h"

static const char SQL_PARK[] =
    "INSERT INTO sync_rejects (feed, seq, item_key, reason, raw, refused_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT(feed, item_key, seq) DO NOTHING";
static const char SQL_SUPERSEDE[] =
    "UPDATE sync_rejects SET superseded_at = ?4"
    " WHERE feed = ?1 AND item_key = ?2 AND seq < ?3 AND superseded_at IS NULL";
static const char SQL_DISMISS[] =
    "UPDATE sync_rejects SET superseded_at = ?2 WHERE id = ?1 AND superseded_at IS NULL";
static const char SQL_COUNT_OPEN[] = "SELECT count(*) FROM sync_rejects WHERE superseded_at IS NULL";
static const char SQL_COUNT_OPEN_FEED[] =
    "SELECT count(*) FROM sync_rejects WHERE superseded_at IS NULL AND feed = ?1";
static const char SQL_LIST_OPEN[] =
    "SELECT id, feed, seq, item_key, reason, raw, refused_at, coalesce(superseded_at, 0) FROM sync_rejects"
    " WHERE superseded_at IS NULL ORDER BY id DESC";
static const char SQL_LIST_ALL[] =
    "SELECT id, feed, seq, item_key, reason, raw, refused_at, coalesce(superseded_at, 0) FROM sync_rejects"
    " ORDER BY id DESC";

/* The first max bytes of s, not ending inside a UTF-8 character, "..." when cut. */
static void cut_utf8(const char *s, char *out, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) {
        memcpy(out, s, n + 1);
        return;
    }
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    memcpy(out, s, n);
    memcpy(out + n, "...", 4);
}

/* Control characters (a newline, an escape) shown as '?': the text goes to a terminal and
 * one-line logs. */
static void clean_controls(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < ' ' || *s == 0x7f)
            *s = '?';
}

int sync_rejects_park(struct store *st, const char *feed, int64_t seq, const char *key, const char *reason,
                      const char *raw, int64_t now)
{
    char rawcut[SYNC_REJECT_RAW_MAX + 4], keycut[SYNC_REJECT_KEY_MAX], whycut[SYNC_REJECT_REASON_MAX];
    cut_utf8(raw ? raw : "", rawcut, SYNC_REJECT_RAW_MAX);
    cut_utf8(key ? key : "", keycut, sizeof keycut - 4);
    cut_utf8(reason && reason[0] ? reason : "refused without a reason", whycut, sizeof whycut - 4);
    clean_controls(rawcut);
    clean_controls(keycut);
    clean_controls(whycut);
    sqlite3_stmt *s = store_stmt(st, SQL_PARK);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, seq);
    sqlite3_bind_text(s, 3, keycut, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, whycut, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, rawcut, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, now);
    int rc = store_step(st, s);
    if (rc)
        return rc < 0 ? rc : STORE_ERROR;
    return store_changes(st) > 0 ? 1 : 0;
}

int sync_rejects_supersede(struct store *st, const char *feed, const char *key, int64_t seq, int64_t now)
{
    char keycut[SYNC_REJECT_KEY_MAX];
    cut_utf8(key ? key : "", keycut, sizeof keycut - 4);
    clean_controls(keycut); /* as it was parked */
    sqlite3_stmt *s = store_stmt(st, SQL_SUPERSEDE);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, keycut, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, seq);
    sqlite3_bind_int64(s, 4, now);
    int rc = store_step(st, s);
    if (rc)
        return rc < 0 ? rc : STORE_ERROR;
    return (int)store_changes(st);
}

int sync_rejects_dismiss(struct store *st, int64_t id, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, SQL_DISMISS);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, now);
    int rc = store_step(st, s);
    if (rc == STORE_OK && store_changes(st) != 1)
        return STORE_NOTFOUND;
    return rc;
}

int sync_rejects_count_open(struct store *st, const char *feed, int64_t *out)
{
    sqlite3_stmt *s = store_stmt(st, feed ? SQL_COUNT_OPEN_FEED : SQL_COUNT_OPEN);
    *out = 0;
    if (!s)
        return STORE_ERROR;
    if (feed)
        sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc < 0 ? rc : STORE_ERROR;
    *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return STORE_OK;
}

int sync_rejects_each(struct store *st, int all, sync_rejects_fn each, void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, all ? SQL_LIST_ALL : SQL_LIST_OPEN);
    if (!s)
        return STORE_ERROR;
    int rc;
    struct sync_reject r;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        memset(&r, 0, sizeof r);
        r.id = sqlite3_column_int64(s, 0);
        store_col_text(s, 1, r.feed, sizeof r.feed);
        r.seq = sqlite3_column_int64(s, 2);
        store_col_text(s, 3, r.key, sizeof r.key);
        store_col_text(s, 4, r.reason, sizeof r.reason);
        store_col_text(s, 5, r.raw, sizeof r.raw);
        r.refused_at = sqlite3_column_int64(s, 6);
        r.superseded_at = sqlite3_column_int64(s, 7);
        if (each(ctx, &r)) {
            sqlite3_reset(s);
            return STORE_OK;
        }
    }
    return rc < 0 ? rc : STORE_OK;
}

struct print_ctx {
    FILE *out;
    int64_t n;
};

/* Stored clean (park): no control characters reach the terminal. */
static int print_one(void *ctx, const struct sync_reject *r)
{
    struct print_ctx *p = ctx;
    char when[32];
    time_t t = (time_t)r->refused_at;
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime_r(&t, &tm));
    fprintf(p->out, "%-10s %s  %s  seq %lld  %s\n    %s\n", r->feed, when, r->key, (long long)r->seq, r->reason,
            r->raw);
    p->n++;
    return 0;
}

int sync_rejects_print(struct store *st, FILE *out)
{
    struct print_ctx p = { out, 0 };
    if (sync_rejects_each(st, 0, print_one, &p) < 0)
        return -1;
    fprintf(out, "%lld rows from the store server refused (the rest of their pages was applied; fix the"
                 " record on the server: its next version replaces the refused one)\n", (long long)p.n);
    return 0;
}
