/* till: command line, configuration, and the event loop. */
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "app/dsfinvk_export.h"
#include "app/app.h"
#include "main/cli.h"
#include "offline/order.h"
#include "offline/outbox.h"
#include "offline/sync.h"
#include "src/catalog.h"
#include "src/config.h"
#include "src/config_keys.h"
#include "src/loop.h"
#include "src/sales.h"
#include "src/settings.h"
#include "src/staff.h"
#include "src/store.h"
#include "src/store_salvage.h"
#include "src/sync_rejects.h"
#include "ui/ui.h"

static int default_config_path(char *buf, size_t len)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(buf, len, "%s/till/till.conf", xdg);
    else if (home && *home)
        snprintf(buf, len, "%s/.config/till/till.conf", home);
    else
        return -1;
    struct stat st;
    return stat(buf, &st) == 0 ? 0 : -1;
}

static int import_catalog(struct config *cfg, const char *path)
{
    char err[512];
    struct settings s;
    if (settings_from_config(cfg, &s, err, sizeof err)) {
        fprintf(stderr, "till: %s\n", err);
        return 1;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "till: cannot read %s\n", path);
        fclose(f);
        free(buf);
        return 1;
    }
    buf[n] = 0;
    fclose(f);
    struct store *st;
    int rc = store_open(s.db_path, &st, err, sizeof err);
    if (rc == 0) {
        for (int i = 0; i < s.ntax && rc == 0; i++)
            rc = catalog_upsert_tax_class(st, &s.tax_classes[i]);
        if (rc == 0)
            rc = catalog_import_csv(st, buf, err, sizeof err);
        int64_t count = 0;
        catalog_product_count(st, &count);
        if (rc == 0)
            printf("imported %s: %lld products in %s\n", path, (long long)count, s.db_path);
        store_close(st);
    }
    free(buf);
    if (rc)
        fprintf(stderr, "till: %s\n", err);
    return rc ? 1 : 0;
}

/* Read-only commands open the database read-only: they never create one.  A missing
 * database most often means another one is in use (make run keeps its own). */
static int open_existing(const struct config *cfg, struct store **st, char *db_path, size_t len)
{
    char err[600];
    struct settings s;
    if (settings_from_config(cfg, &s, err, sizeof err)) {
        fprintf(stderr, "till: %s\n", err);
        return -1;
    }
    snprintf(db_path, len, "%s", s.db_path);
    int rc = store_open_readonly(s.db_path, st, err, sizeof err);
    if (rc == STORE_NOTFOUND)
        fprintf(stderr, "till: %s; Till has not run with this database yet. Name the one in use with"
                        " --db PATH (make run uses build/demo/till.db)\n", err);
    else if (rc)
        fprintf(stderr, "till: %s\n", err);
    return rc;
}

/* till --outbox: the manager's list, read-only.  A damaged database or an unreadable row
 * is an error, never a short list. */
static int show_outbox(const struct config *cfg)
{
    struct store *st;
    char path[512], what[STORE_ERRLEN];
    int complete;
    if (open_existing(cfg, &st, path, sizeof path))
        return 1;
    printf("database %s\n", path);
    int damaged = store_quick_check(st, 10000, &complete, what, sizeof what) == STORE_ECORRUPT;
    int rc = outbox_print(st, stdout) ? 1 : 0;
    if (rc)
        fprintf(stderr, "till: cannot read the whole outbox: %s\n", store_errmsg(st));
    if (damaged || store_damaged(st)) {
        fprintf(stderr, "till: the database %s is damaged (%s): the list above may be incomplete."
                        " Stop Till and run  till --salvage  (README: Damaged database)\n", path,
                what[0] ? what : store_errmsg(st));
        rc = 1;
    }
    store_close(st);
    return rc;
}

/* till --sync-rejects: the rows the sync refused and parked, read-only. */
static int show_sync_rejects(const struct config *cfg)
{
    struct store *st;
    char path[512];
    if (open_existing(cfg, &st, path, sizeof path))
        return 1;
    printf("database %s\n", path);
    int rc = sync_rejects_print(st, stdout) ? 1 : 0;
    if (rc)
        fprintf(stderr, "till: cannot read the refused rows: %s\n", store_errmsg(st));
    store_close(st);
    return rc;
}

/* till --verify-audit: walks the audit log's hash chain and names the first broken row. */
static int verify_audit(const struct config *cfg)
{
    struct store *st;
    char path[512], why[300];
    struct store_audit_check check;
    if (open_existing(cfg, &st, path, sizeof path))
        return 1;
    int rc = store_audit_verify(st, &check, why, sizeof why);
    if (rc < 0)
        fprintf(stderr, "till: cannot read the audit log of %s: %s\n", path, store_errmsg(st));
    else if (rc)
        fprintf(stderr, "till: the audit log of %s is BROKEN at row %lld: %s\n", path,
                (long long)check.broken_id, why);
    else
        printf("audit log of %s intact: %lld rows on the chain, %lld older rows before it\n", path,
               (long long)check.chained, (long long)check.unchained);
    store_close(st);
    return rc ? 1 : 0;
}

/* till --dsfinvk FROM TO DIR: the DSFinV-K export, read-only. */
static int export_dsfinvk(const struct config *cfg, const char *from, const char *to, const char *dir)
{
    struct store *st;
    char path[512], err[600];
    if (open_existing(cfg, &st, path, sizeof path))
        return 1;
    struct dsfinvk_summary sum;
    int rc = dsfinvk_export(st, cfg, from, to, dir, &sum, err, sizeof err);
    store_close(st);
    if (rc) {
        fprintf(stderr, "till: DSFinV-K export failed: %s\n", err);
        return 1;
    }
    printf("DSFinV-K export of %s in %s: %d closing%s (Z), %d transaction%s\n", path, dir, sum.closings,
           sum.closings == 1 ? "" : "s", sum.transactions, sum.transactions == 1 ? "" : "s");
    return 0;
}

/* till --salvage: a damaged database's readable rows into a fresh one. */
static int salvage(const struct config *cfg)
{
    char err[600];
    struct settings s;
    if (settings_from_config(cfg, &s, err, sizeof err)) {
        fprintf(stderr, "till: %s\n", err);
        return 1;
    }
    struct salvage_report rep;
    if (store_salvage(s.db_path, &rep, err, sizeof err)) {
        fprintf(stderr, "till: salvage failed: %s\n", err);
        return 1;
    }
    printf("salvaged %s; the damaged file is kept as %s\n", s.db_path, rep.kept_as);
    int64_t unreadable = 0;
    for (int i = 0; i < rep.ntables; i++) {
        const struct salvage_table *t = &rep.tables[i];
        if (!t->copied && !t->damaged)
            continue;
        printf("  %-18s %8lld rows copied%s", t->name, (long long)t->copied, t->damaged ? ", DAMAGED" : "");
        if (t->unreadable)
            printf(": %lld rows unreadable", (long long)t->unreadable);
        if (t->lost_after)
            printf("%s rows from rowid %lld on could not be reached", t->unreadable ? "," : ":",
                   (long long)t->lost_after);
        unreadable += t->lost_after > 0;
        printf("\n");
        unreadable += t->unreadable;
    }
    printf("%s Catalog and stock are fetched whole from the store server at the next sync;"
           " till --outbox lists what is still to be sent.\n",
           unreadable ? "Some rows could not be read: compare with the store server and the receipts."
                      : "Every row that could be found was read.");
    /* the sync queue: every salvaged sale whose order row was lost is queued again */
    struct store *st;
    char e[STORE_ERRLEN];
    if (store_open(s.db_path, &st, e, sizeof e)) {
        fprintf(stderr, "till: cannot reopen %s to rebuild the sync queue: %s\n", s.db_path, e);
        return 1;
    }
    struct sale as;
    memset(&as, 0, sizeof as);
    snprintf(as.store_name, sizeof as.store_name, "%s", s.store_name);
    as.fmt = s.fmt;
    as.tax = s.tax;
    int64_t queued = 0, kept = 0;
    int rc = order_requeue_unsent(st, &as, &queued, &kept);
    if (rc != STORE_OK)
        fprintf(stderr, "till: cannot rebuild the sync queue: %s\n", store_errmsg(st));
    else
        printf("Sync queue: %lld sale%s queued again for the store server (it ignores those it already has),"
               " %lld still queued or sent as before.\n",
               (long long)queued, queued == 1 ? "" : "s", (long long)kept);
    store_close(st);
    return rc == STORE_OK ? 0 : 1;
}

/* till --check-config: every setting is checked by starting the app as usual, but on a
 * database in memory, the current directory as spool and no log file, so that nothing
 * is created or written (the configured paths were checked first); then the configured
 * database is described as it is. */
static int check_config(struct config *cfg, struct loop *loop)
{
    char err[512] = "out of memory", db_path[512];
    struct settings s;
    if (settings_from_config(cfg, &s, err, sizeof err)) {
        fprintf(stderr, "till: %s\n", err);
        return 1;
    }
    snprintf(db_path, sizeof db_path, "%s", s.db_path);
    struct app app;
    if (config_set(cfg, "paths.database", ":memory:") || config_set(cfg, "paths.spool", ".") ||
        config_set(cfg, "log.file", "/dev/null") || app_init(&app, cfg, loop, err, sizeof err)) {
        fprintf(stderr, "till: %s\n", err);
        return 1;
    }
    if (ui_check_config(cfg, err, sizeof err)) {
        fprintf(stderr, "till: %s\n", err);
        app_free(&app);
        return 1;
    }
    char store_name[64];
    snprintf(store_name, sizeof store_name, "%s", app.s.store_name);
    app_free(&app);
    /* the database is part of what is checked: "ok" is never said of a damaged one */
    struct store *st;
    int rc = store_open_readonly(db_path, &st, err, sizeof err);
    if (rc == STORE_NOTFOUND) {
        printf("configuration ok: %s, database %s\n", store_name, db_path);
        printf("  the database does not exist yet: Till creates it when it starts\n");
        return 0;
    }
    if (rc) {
        fprintf(stderr, "till: %s\n", err);
        return 1;
    }
    int64_t products = 0, sales = 0, queued = 0;
    int complete = 1;
    char what[STORE_ERRLEN] = "";
    int damaged = store_quick_check(st, 10000, &complete, what, sizeof what) == STORE_ECORRUPT;
    int unread = catalog_product_count(st, &products) != STORE_OK;
    unread |= sales_count(st, &sales) != STORE_OK;
    unread |= outbox_count(st, OUTBOX_PENDING, &queued) != STORE_OK;
    if (damaged || store_damaged(st) || unread) {
        fprintf(stderr, "till: the configuration was read, but the database %s is %s (%s)."
                        " Stop Till and run  till --salvage  (README: Damaged database)\n", db_path,
                damaged || store_damaged(st) ? "damaged" : "unreadable", what[0] ? what : store_errmsg(st));
        store_close(st);
        return 1;
    }
    printf("configuration ok: %s, database %s\n", store_name, db_path);
    printf("  %lld products, %lld sales, %lld waiting for the store server%s\n", (long long)products,
           (long long)sales, (long long)queued, complete ? "" : " (not every page checked: out of time)");
    store_close(st);
    return 0;
}

/* A line from the terminal, without echo for a PIN; from stdin as it is when that is not
 * a terminal (scripts, tests).  0, or -1 at end of input. */
static int ask(const char *prompt, int secret, char *buf, size_t len)
{
    int tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty) {
        fputs(prompt, stderr);
        if (secret && tcgetattr(STDIN_FILENO, &old) == 0) {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        } else {
            secret = 0;
        }
    }
    char *ok = fgets(buf, (int)len, stdin);
    if (tty && secret) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!ok)
        return -1;
    buf[strcspn(buf, "\r\n")] = 0;
    return 0;
}

/* till --add-staff NAME [--role ROLE] [--staff-id ID]: the first manager of a database
 * without staff; once there is staff, a manager signs for each new one. */
static int add_staff(struct config *cfg, const char *name, const char *role_name, const char *id_given)
{
    char err[512], id[STAFF_ID_MAX], pin[64], again[64];
    struct settings s;
    enum staff_role role;
    if (staff_role_parse(role_name, &role)) {
        fprintf(stderr, "till: --role must be cashier, supervisor or manager\n");
        return 2;
    }
    if (settings_from_config(cfg, &s, err, sizeof err)) {
        fprintf(stderr, "till: %s\n", err);
        return 1;
    }
    /* the database's folder, as Till itself would make it at its first start */
    char dir[512];
    snprintf(dir, sizeof dir, "%s", s.db_path);
    for (char *p = dir + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(dir, 0700);
            *p = '/';
        }
    struct store *st;
    if (store_open(s.db_path, &st, err, sizeof err)) {
        fprintf(stderr, "till: %s\n", err);
        return 1;
    }
    int rc = 1;
    int64_t n = 0;
    if (staff_count_active(st, &n))
        goto done;
    if (n == 0 && role != ROLE_MANAGER) {
        fprintf(stderr, "till: the first staff member must be a manager (--role manager)\n");
        goto done;
    }
    if (n > 0) {
        char mid[STAFF_ID_MAX + 8], mpin[64];
        struct staff_member m;
        int64_t locked = 0;
        if (ask("Manager's staff id: ", 0, mid, sizeof mid) || ask("Manager's PIN: ", 1, mpin, sizeof mpin))
            goto done;
        enum staff_pin_result r = staff_check_pin(st, mid, mpin, (int64_t)time(NULL), &m, &locked);
        memset(mpin, 0, sizeof mpin);
        if (r != STAFF_PIN_OK || m.role != ROLE_MANAGER) {
            fprintf(stderr, "till: %s\n", r == STAFF_PIN_LOCKED ? "that manager is locked after wrong PINs"
                            : r == STAFF_PIN_OK ? "only a manager may add staff" : "unknown staff id or wrong PIN");
            goto done;
        }
        store_audit(st, (int64_t)time(NULL), s.terminal_id, m.id, "staff_added_by", name);
    }
    if (id_given)
        snprintf(id, sizeof id, "%s", id_given);
    else if (staff_next_id(st, id, sizeof id))
        goto done;
    if (ask("PIN for the new staff member (4 to 12 digits): ", 1, pin, sizeof pin))
        goto done;
    if (isatty(STDIN_FILENO) && (ask("Same PIN again: ", 1, again, sizeof again) || strcmp(pin, again))) {
        fprintf(stderr, "till: the PINs differ\n");
        goto done;
    }
    if (staff_add_local(st, id, name, role, pin, err, sizeof err)) {
        fprintf(stderr, "till: %s\n", err);
        goto done;
    }
    store_audit(st, (int64_t)time(NULL), s.terminal_id, id, "staff_added", staff_role_name(role));
    printf("added staff %s: %s (%s) in %s\n", id, name, staff_role_name(role), s.db_path);
    rc = 0;
done:
    memset(pin, 0, sizeof pin);
    memset(again, 0, sizeof again);
    store_close(st);
    return rc;
}

/* One sync round without a screen (for cron, first installs and benchmarks): a temporary
 * error (network, 5xx, 429, a local write) is retried with the engine's backoff until the
 * deadline (sync.now_deadline_s); a refusal that retrying cannot mend (401, 403, 404) ends
 * it at once. */
static int sync_once(struct app *app)
{
    if (!app->sync.engine) {
        fprintf(stderr, "till: --sync-now needs a store server (sync.url and sync.token_file)\n");
        return 1;
    }
    struct sync_status st;
    int64_t t0 = loop_now_ms(app->loop), deadline = t0 + app->sync.now_deadline_ms;
    char said[sizeof st.last_error] = "";
    for (;;) {
        loop_run_once(app->loop, 200);
        sync_get_status(app->sync.engine, &st);
        if (st.rounds > 0 && st.queued == 0 && st.queued_audit == 0)
            break;
        if (st.last_error[0] && strcmp(st.last_error, said) != 0) {
            fprintf(stderr, "till: sync: %s%s\n", st.last_error, st.refused ? "" : " (retrying)");
            snprintf(said, sizeof said, "%s", st.last_error);
        }
        if (st.last_error[0] && st.refused) {
            fprintf(stderr, "till: sync did not complete: the server refused: %s\n", st.last_error);
            return 1;
        }
        if (loop_now_ms(app->loop) > deadline) {
            fprintf(stderr, "till: sync did not complete within %lld s: %s\n",
                    (long long)(app->sync.now_deadline_ms / 1000), st.last_error[0] ? st.last_error : "timed out");
            return 1;
        }
    }
    struct sync_stats ss;
    sync_get_stats(app->sync.engine, &ss);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("sync complete: %lld catalog changes in %lld pages, %lld stock levels, %lld orders sent,"
           " %lld other documents, %lld audit rows, %lld parked; %lld ms, peak RSS %ld kB",
           (long long)ss.catalog_changes, (long long)ss.catalog_pages, (long long)ss.stock_changes,
           (long long)ss.orders_sent, (long long)ss.docs_sent, (long long)ss.audit_sent, (long long)st.parked,
           (long long)(loop_now_ms(app->loop) - t0), ru.ru_maxrss);
    if (ss.snapshots)
        printf("; snapshot of %lld bytes loaded (download from byte %lld)", (long long)ss.snapshot_bytes,
               (long long)ss.snapshot_resumed_at);
    if (st.refused_rows)
        printf("; %lld rows refused (till --sync-rejects)", (long long)st.refused_rows);
    /* the loop's own figure covers everything it ran (pages parsed, slices, commits) */
    if (ss.writer_batches)
        printf("; catalog writer thread: %lld rows in %lld transactions, %.1f ms in them (longest %.1f ms)",
               (long long)ss.writer_rows, (long long)ss.writer_batches, (double)ss.writer_busy_us / 1000.0,
               (double)ss.writer_longest_us / 1000.0);
    if (ss.writer_batches && getenv("TILL_SYNC_COST"))
        printf("; its statements %lld VM steps (%lld in full scans), %lld sorts; page cache %lld hits, %lld misses,"
               " %lld pages written, %lld spilled; write-ahead log at most %lld kB",
               (long long)ss.writer_vm_steps, (long long)ss.writer_fullscan_steps, (long long)ss.writer_sorts,
               (long long)ss.writer_cache_hits, (long long)ss.writer_cache_misses, (long long)ss.writer_cache_writes,
               (long long)ss.writer_cache_spills, (long long)ss.writer_wal_max_bytes / 1024);
    long blocked, preempted;
    loop_longest_busy_switches(app->loop, &blocked, &preempted);
    printf("; longest loop hold %.1f ms (%.1f ms of it on the CPU, blocked %ld times, preempted %ld times;"
           " longest apply slice %.1f ms, %lld checkpoint pauses)\n",
           (double)loop_longest_busy_us(app->loop) / 1000.0, (double)loop_longest_busy_cpu_us(app->loop) / 1000.0,
           blocked, preempted,
           (double)ss.longest_slice_us / 1000.0, (long long)ss.log_waits);
    return 0;
}

int main(int argc, char **argv)
{
    /* two malloc arenas: a sync parses each page on a thread of its own and frees it on the
     * catalog's writer thread; with an arena per thread (glibc's default, 8 per core) each
     * kept its own freed pages, a few MB more at the peak of a large delta */
    mallopt(M_ARENA_MAX, 2);
    char err[512];
    const char *config_path = NULL, *import_path = NULL;
    int check_only = 0, sync_now = 0, outbox = 0, count_mode = 0, salvage_db = 0, sync_rejects = 0, verify = 0;
    const char *retry_key = NULL, *add_staff_name = NULL, *role = "cashier", *staff_id = NULL;
    const char *dsfinvk_from = NULL, *dismiss_id = NULL;
    /* Flags override the file, so collect them and apply after loading it. */
    char **overrides = calloc((size_t)argc + 1, sizeof *overrides);
    int noverrides = 0, c, info = 0;
    if (!overrides)
        return 1;
    /* Database, log, spool, journals and driver memories are owner-only whatever the
     * caller's umask: they hold sales, card references and the token's neighbours. */
    umask(077);
    /* Past the file size limit (ulimit -f) a write fails with EFBIG, which the store
     * reports ("file size limit reached"); the default action would kill Till silently. */
    signal(SIGXFSZ, SIG_IGN);
    const struct option *opts = cli_getopt_options();
    while ((c = getopt_long(argc, argv, cli_getopt_short(), opts, NULL)) != -1) {
        const char *key = NULL;
        /* a flag that stands for a setting sets it, as --set would */
        for (int i = 0; i < cli_nflags; i++)
            if (cli_flags[i].val == c)
                key = cli_flags[i].key;
        switch (c) {
        case CLI_CONFIG: config_path = optarg; break;
        case CLI_SET: overrides[noverrides++] = strdup(optarg); break;
        case CLI_IMPORT: import_path = optarg; break;
        case CLI_CHECK: check_only = 1; break;
        case CLI_SYNC_NOW: sync_now = 1; break;
        case CLI_OUTBOX: outbox = 1; break;
        case CLI_SYNC_REJECTS: sync_rejects = 1; break;
        case CLI_SALVAGE: salvage_db = 1; break;
        case CLI_OUTBOX_RETRY: retry_key = optarg; break;
        case CLI_COUNT: count_mode = 1; break;
        case CLI_KIOSK: overrides[noverrides++] = strdup("kiosk.enabled=yes"); break;
        case CLI_ADD_STAFF: add_staff_name = optarg; break;
        case CLI_ROLE: role = optarg; break;
        case CLI_STAFF_ID: staff_id = optarg; break;
        case CLI_VERIFY_AUDIT: verify = 1; break;
        case CLI_DSFINVK: dsfinvk_from = optarg; break;
        case CLI_DISMISS: dismiss_id = optarg; break;
        case CLI_HELP: case CLI_VERSION: case CLI_MAN: info = info == '?' ? info : c; break;
        default:
            if (key)
                break;
            info = '?';
            break;
        }
        if (key) {
            size_t n = strlen(key) + strlen(optarg) + 2;
            char *a = malloc(n);
            if (a)
                snprintf(a, n, "%s=%s", key, optarg);
            overrides[noverrides++] = a;
        }
    }

    if (info) {
        for (int i = 0; i < noverrides; i++)
            free(overrides[i]);
        free(overrides);
        if (info == CLI_HELP)
            cli_usage(stdout);
        else if (info == CLI_VERSION)
            printf("till %s\n", TILL_VERSION);
        else if (info == CLI_MAN)
            cli_man(stdout);
        else
            fprintf(stderr, "Try 'till --help' for the flags and every setting.\n");
        return info == '?' ? 2 : 0;
    }

    struct config *cfg = config_new();
    char found[512];
    int rc = 0;
    if (!cfg)
        return 1;
    if (!config_path && default_config_path(found, sizeof found) == 0)
        config_path = found;
    if (config_path)
        rc = config_load_file(cfg, config_path, err, sizeof err);
    else
        rc = config_parse(cfg, config_demo_defaults, "built-in demo config", err, sizeof err);
    for (int i = 0; rc == 0 && i < noverrides; i++)
        rc = overrides[i] ? config_set_assignment(cfg, overrides[i], err, sizeof err) : -1;
    for (int i = 0; i < noverrides; i++)
        free(overrides[i]);
    free(overrides);
    if (rc) {
        fprintf(stderr, "till: %s\n", err);
        config_free(cfg);
        return 1;
    }
    /* A misspelt key would otherwise be ignored without a word: refuse it, here and in
     * --check-config alike. */
    char keys_err[2048];
    if (config_check_keys(cfg, keys_err, sizeof keys_err)) {
        for (char *line = keys_err, *next; line && *line; line = next) {
            next = strchr(line, '\n');
            if (next)
                *next++ = 0;
            fprintf(stderr, "till: %s\n", line);
        }
        config_free(cfg);
        return 1;
    }
    if (import_path) {
        rc = import_catalog(cfg, import_path);
        config_free(cfg);
        return rc;
    }

    if (salvage_db) {
        rc = salvage(cfg);
        config_free(cfg);
        return rc;
    }
    if (add_staff_name) {
        rc = add_staff(cfg, add_staff_name, role, staff_id);
        config_free(cfg);
        return rc;
    }
    if (verify) {
        rc = verify_audit(cfg);
        config_free(cfg);
        return rc;
    }
    if (dsfinvk_from) {
        /* --dsfinvk FROM TO DIR: TO and DIR are the two words after the flags */
        rc = optind + 2 == argc ? export_dsfinvk(cfg, dsfinvk_from, argv[optind], argv[optind + 1]) : 2;
        if (rc == 2)
            fprintf(stderr, "till: --dsfinvk FROM TO DIR (dates YYYY-MM-DD)\n");
        config_free(cfg);
        return rc;
    }
    if (outbox) {
        rc = show_outbox(cfg);
        config_free(cfg);
        return rc;
    }
    if (dismiss_id && !sync_rejects) {
        fprintf(stderr, "till: --dismiss ID goes with --sync-rejects\n");
        config_free(cfg);
        return 2;
    }
    if (sync_rejects && !dismiss_id) {
        rc = show_sync_rejects(cfg);
        config_free(cfg);
        return rc;
    }
    struct loop *loop = loop_new();
    if (loop && check_only) {
        rc = check_config(cfg, loop);
        loop_free(loop);
        config_free(cfg);
        return rc;
    }
    struct app app;
    int one_shot = sync_now || retry_key;
    if (!loop || (one_shot ? app_init_one_shot : app_init)(&app, cfg, loop, err, sizeof err)) {
        fprintf(stderr, "till: %s\n", loop ? err : "out of memory");
        loop_free(loop);
        config_free(cfg);
        return 1;
    }
    /* the one-shots that are actions name their command (app/commands.h) */
    if (dismiss_id) {
        int r = app_command(&app, "sync-reject-dismiss", dismiss_id, DOOR_CLI);
        if (r)
            fprintf(stderr, "till: %s\n", app.message);
        else
            printf("%s\n", app.message);
        rc = r ? 1 : 0;
    } else if (retry_key) {
        int r = app_command(&app, "outbox-retry", retry_key, DOOR_CLI);
        if (r)
            fprintf(stderr, "till: %s\n", r > 0 ? "no parked sale with that key" : "database error");
        else
            printf("%s will be sent again\n", retry_key);
        rc = r ? 1 : 0;
    } else if (sync_now) {
        rc = sync_once(&app);
    } else {
        /* a count resumed at start-up is already on screen */
        if (count_mode && app.mode == MODE_SALE)
            app_command(&app, "stock-count", NULL, DOOR_CLI);
        struct ui *ui = ui_start(&app, err, sizeof err);
        if (ui) {
            loop_run(loop);
            ui_stop(ui);
        } else {
            fprintf(stderr, "till: %s\n", err);
            rc = 1;
        }
    }
    app_free(&app);
    loop_free(loop);
    config_free(cfg);
    return rc;
}
