/*
 * till-server: the reference central store for Till. Admin commands work on the database
 * directly (safe while `serve` runs: WAL and a busy timeout); `serve` answers the store API.
 */
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "server/catalog_import.h"
#include "server/snapshot.h"
#include "server/faults.h"
#include "server/feeds.h"
#include "server/http.h"
#include "server/migrate.h"
#include "server/server_db.h"
#include "server/audit.h"
#include "server/staff.h"

#ifndef TILL_VERSION
#define TILL_VERSION "unknown"   /* the Makefile defines it */
#endif

/* Also the source of the man page till-server(1) (scripts/help2man.sh reads --help). */
static void usage(FILE *out)
{
    fputs("usage: till-server --db PATH|URL [--snapshot-dir DIR] COMMAND\n"
          "       till-server --help | --version\n"
          "Till's reference store server: admin commands on its database, and the store API.\n"
          "options:\n"
          "  --db PATH                      the server's SQLite database, or\n"
          "  --db postgresql://USER@HOST/DB  a PostgreSQL database (any number of serve processes\n"
          "                                 may share it; see README, \"Running a chain\")\n"
          "  --snapshot-dir DIR             where catalog snapshots are kept (default: beside a SQLite\n"
          "                                 database; needed with PostgreSQL, shared by its processes)\n"
          "  -h, --help                     this help\n"
          "  -V, --version                  print the version\n"
          "commands:\n"
          "  token create TERMINAL_ID       print a new token for the terminal\n"
          "  import FILE.csv|FILE.json      import or update products\n"
          "  price SKU NEW_PRICE            change a price (minor units)\n"
          "  rename SKU \"New name\"         rename a product\n"
          "  delete SKU                     tombstone a product\n"
          "  stock SKU LOCATION QTY_MILLI   record a count taken now\n"
          "  staff add ID NAME ROLE         add staff (role cashier, supervisor or manager); the\n"
          "                                 PIN is read from the terminal, or a line of stdin\n"
          "  staff pin ID                   set a new PIN (read as for add)\n"
          "  staff role ID ROLE             change a role\n"
          "  staff deactivate ID            no longer allowed to sign on (staff activate ID undoes it)\n"
          "  staff delete ID                remove; tills forget them at their next sync\n"
          "  audit                          the tills' audit chains: rows held per terminal, and every\n"
          "                                 break found (exit 1 when there is one)\n"
          "  snapshot                       build the catalog snapshot tills bootstrap from (else built on demand)\n"
          "  promo add JSON                 add or replace a promotion, e.g.\n"
          "                                 '{\"name\":\"Milk 3 for 2\",\"kind\":\"multibuy_free\",\"sku\":\"SKU10001\",\"n\":3,\"m\":2}'\n"
          "                                 (kinds and fields: assets/store-api.yaml); prints its id\n"
          "  promo delete ID                withdraw a promotion (tills drop it at their next sync)\n"
          "  customer add ID NAME SEGMENT [CARD]  add or change a customer (SEGMENT may be \"\")\n"
          "  customer delete ID             remove a customer\n"
          "  serve [OPTIONS]                answer the store API (assets/store-api.yaml) until SIGTERM\n"
          "  migrate --from STORE.db --to postgresql://...  copy a store's SQLite database into\n"
          "                                 PostgreSQL (no --db): every row once, ids kept; a second\n"
          "                                 run copies nothing; prints and checks the counts\n"
          "serve options:\n"
          "  --listen ADDR                  IPv4 address to listen on (default 127.0.0.1)\n"
          "  --port N                       TCP port (default 0: any free port; the port is printed)\n"
          "  --faults SPEC                  tests: inject faults, e.g. 5xx=2,stall=1,truncate=10%\n"
          "                                 (also from TILL_SERVER_FAULTS)\n"
          "  --faults-file PATH             tests: the fault SPEC from a file, re-read when it changes\n"
          "  --currency CODE                the catalog's ISO 4217 currency (default EUR)\n"
          "  --threads N                    threads serving connections (default 8)\n"
          "  --max-connections N            open connections in all (default 2000)\n"
          "  --max-per-ip N                 open connections from one address (default 32)\n"
          "  --idle-timeout SECONDS         close a connection silent this long (default 20)\n"
          "  --snapshot-min-changes N       a till this many changes behind gets a catalog snapshot\n"
          "                                 (default 50000; a new till always does)\n"
          "  --snapshot-faults SPEC         tests: cut=N,corrupt=N: the next N snapshot downloads\n"
          "                                 stop halfway / carry a flipped byte\n",
          out);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int cmd_serve(const char *db_path, const char *snapshots, int argc, char **argv)
{
    struct http_config cfg = { .db_path = db_path, .snapshot_prefix = snapshots, .listen = "127.0.0.1", .currency = "EUR",
                               .threads = HTTP_DEFAULT_THREADS,
                               .max_connections = HTTP_DEFAULT_MAX_CONNECTIONS,
                               .per_ip = HTTP_DEFAULT_PER_IP,
                               .idle_timeout_s = HTTP_DEFAULT_IDLE_TIMEOUT,
                               .snapshot_min_changes = HTTP_DEFAULT_SNAPSHOT_MIN_CHANGES };
    static const struct {
        const char *name;
        size_t offset;
        int64_t max;
    } limits[] = {
        { "--threads", offsetof(struct http_config, threads), 256 },
        { "--max-connections", offsetof(struct http_config, max_connections), 1000000 },
        { "--max-per-ip", offsetof(struct http_config, per_ip), 1000000 },
        { "--idle-timeout", offsetof(struct http_config, idle_timeout_s), 3600 },
        { "--snapshot-min-changes", offsetof(struct http_config, snapshot_min_changes), 1000000000 },
    };
    const char *spec = getenv("TILL_SERVER_FAULTS"), *file = NULL;
    for (int i = 0; i < argc; i++) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val) {
            fprintf(stderr, "till-server: %s needs a value\n", opt);
            return 2;
        }
        i++;
        if (strcmp(opt, "--listen") == 0) {
            cfg.listen = val;
        } else if (strcmp(opt, "--port") == 0) {
            int64_t port;
            if (parse_int64(val, &port) != 0 || port < 0 || port > 65535) {
                fprintf(stderr, "till-server: bad port %s\n", val);
                return 2;
            }
            cfg.port = (unsigned short)port;
        } else if (strcmp(opt, "--faults") == 0) {
            spec = val;
        } else if (strcmp(opt, "--faults-file") == 0) {
            file = val;
        } else if (strcmp(opt, "--snapshot-faults") == 0) {
            if (snapshot_faults_init(val) != 0) {
                fprintf(stderr, "till-server: --snapshot-faults takes cut=N,corrupt=N\n");
                return 2;
            }
        } else if (strcmp(opt, "--currency") == 0) {
            cfg.currency = val;
        } else {
            size_t k = 0;
            while (k < sizeof limits / sizeof limits[0] && strcmp(opt, limits[k].name) != 0)
                k++;
            int64_t n;
            if (k == sizeof limits / sizeof limits[0]) {
                usage(stderr);
                return 2;
            }
            if (parse_int64(val, &n) != 0 || n < 1 || n > limits[k].max) {
                fprintf(stderr, "till-server: %s must be 1 to %lld\n", opt,
                        (long long)limits[k].max);
                return 2;
            }
            *(unsigned *)((char *)&cfg + limits[k].offset) = (unsigned)n;
        }
    }
    char err[256];
    if (faults_init(spec, file, err, sizeof err) != 0 ||
        http_serve(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "till-server: %s\n", err);
        return 1;
    }
    return 0;
}

static int cmd_import(struct sdb *db, const char *path)
{
    char err[256];
    long rows = 0;
    sdb_bulk_mode(db);
    int rc = ends_with(path, ".json") ? catalog_import_json(db, path, &rows, err, sizeof err)
                                      : catalog_import_csv(db, path, &rows, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "till-server: import %s: %s\n", path, err);
        return 1;
    }
    int64_t seq = 0;
    sdb_catalog_seq(db, &seq);
    printf("imported %ld rows, catalog_seq %lld\n", rows, (long long)seq);
    return 0;
}

static int report(int rc, const char *what, const char *sku, struct sdb *db)
{
    if (rc == SDB_NOT_FOUND) {
        fprintf(stderr, "till-server: %s: no product %s\n", what, sku);
        return 1;
    }
    if (rc == SDB_RANGE) {
        fprintf(stderr, "till-server: %s: %s\n", what, sdb_detail(db));
        return 1;
    }
    if (rc != SDB_OK) {
        fprintf(stderr, "till-server: %s: %s\n", what, sdb_errmsg(db));
        return 1;
    }
    return 0;
}

/* A PIN from the terminal without echo (asked twice), or one line of stdin when it is
 * not a terminal (scripts).  The PIN is never printed. */
static int read_pin(char *pin, size_t len)
{
    int tty = isatty(STDIN_FILENO);
    for (int round = 0; round < (tty ? 2 : 1); round++) {
        char line[64];
        struct termios old, quiet;
        if (tty) {
            fputs(round ? "Same PIN again: " : "PIN (4 to 12 digits): ", stderr);
            tcgetattr(STDIN_FILENO, &old);
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        }
        char *ok = fgets(line, sizeof line, stdin);
        if (tty) {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
            fputc('\n', stderr);
        }
        if (!ok)
            return -1;
        line[strcspn(line, "\r\n")] = 0;
        if (round == 0)
            snprintf(pin, len, "%s", line);
        else if (strcmp(pin, line) != 0) {
            fprintf(stderr, "till-server: the PINs differ\n");
            return -1;
        }
        sodium_memzero(line, sizeof line);
    }
    return 0;
}

static int staff_report(int rc, const char *id, const char *why, struct sdb *db)
{
    if (rc == SDB_OK)
        return 0;
    if (rc == SDB_NOT_FOUND)
        fprintf(stderr, "till-server: staff: no staff member %s\n", id);
    else if (rc == SDB_RANGE || rc == SDB_DUPLICATE)
        fprintf(stderr, "till-server: staff: %s\n", why);
    else
        fprintf(stderr, "till-server: staff: %s\n", why[0] ? why : sdb_errmsg(db));
    return 1;
}

static int cmd_staff(struct sdb *db, int argc, char **argv)
{
    char pin[64] = "", why[160] = "";
    const char *sub = argc > 1 ? argv[1] : "", *id = argc > 2 ? argv[2] : "";
    int rc;
    if (strcmp(sub, "add") == 0 && argc == 5) {
        if (read_pin(pin, sizeof pin))
            return 1;
        rc = server_staff_add(db, id, argv[3], argv[4], pin, why, sizeof why);
    } else if (strcmp(sub, "pin") == 0 && argc == 3) {
        if (read_pin(pin, sizeof pin))
            return 1;
        rc = server_staff_set_pin(db, id, pin, why, sizeof why);
    } else if (strcmp(sub, "role") == 0 && argc == 4) {
        rc = server_staff_set_role(db, id, argv[3], why, sizeof why);
    } else if ((strcmp(sub, "activate") == 0 || strcmp(sub, "deactivate") == 0) && argc == 3) {
        rc = server_staff_set_active(db, id, sub[0] == 'a');
    } else if (strcmp(sub, "delete") == 0 && argc == 3) {
        rc = server_staff_delete(db, id);
    } else {
        usage(stderr);
        return 2;
    }
    sodium_memzero(pin, sizeof pin);
    return staff_report(rc, id, why, db);
}

/* promo add JSON | promo delete ID | customer add ID NAME SEGMENT [CARD] | customer delete ID */
static int cmd_feed(struct sdb *db, int argc, char **argv)
{
    int promo = strcmp(argv[0], "promo") == 0;
    char why[200] = "";
    int rc;
    if (strcmp(argv[1], "delete") == 0 && argc == 3) {
        rc = feeds_delete(db, promo ? FEED_PROMOTIONS : FEED_CUSTOMERS, argv[2]);
        if (rc == SDB_NOT_FOUND) {
            fprintf(stderr, "till-server: %s delete: no %s %s\n", argv[0], argv[0], argv[2]);
            return 1;
        }
    } else if (strcmp(argv[1], "add") == 0 && promo && argc == 3) {
        int64_t id = 0;
        rc = feeds_promotion_put(db, argv[2], &id, why, sizeof why);
        if (rc == SDB_OK)
            printf("promotion %lld\n", (long long)id);
    } else if (strcmp(argv[1], "add") == 0 && !promo && (argc == 5 || argc == 6)) {
        rc = feeds_customer_put(db, argv[2], argv[3], argv[4], argc == 6 ? argv[5] : "", why, sizeof why);
    } else {
        usage(stderr);
        return 2;
    }
    if (rc == SDB_RANGE) {
        fprintf(stderr, "till-server: %s: %s\n", argv[0], why);
        return 1;
    }
    if (rc != SDB_OK) {
        fprintf(stderr, "till-server: %s: %s\n", argv[0], sdb_errmsg(db));
        return 1;
    }
    return 0;
}

/* The admin commands that need an open database. */
static int cmd_admin(struct sdb *db, const char *db_path, const char *snapshots, int argc, char **argv)
{
    const char *cmd = argv[0];
    int64_t n;
    if (strcmp(cmd, "token") == 0 && argc == 3 && strcmp(argv[1], "create") == 0) {
        char token[65];
        if (sdb_token_create(db, argv[2], token, sizeof token) != SDB_OK)
            return report(SDB_ERROR, "token", NULL, db);
        printf("%s\n", token);
        return 0;
    }
    if (strcmp(cmd, "staff") == 0)
        return cmd_staff(db, argc, argv);
    if (strcmp(cmd, "audit") == 0 && argc == 1) {
        long long breaks = 0;
        if (server_audit_report(db, stdout) != SDB_OK || server_audit_breaks(db, &breaks) != SDB_OK)
            return report(SDB_ERROR, "audit", NULL, db);
        return breaks ? 1 : 0;
    }
    if (strcmp(cmd, "snapshot") == 0 && argc == 1) {
        char err[256];
        struct snapshot_file f;
        if (snapshot_build(db, db_path, snapshots, 3, &f, err, sizeof err) != 0) {
            fprintf(stderr, "till-server: %s\n", err);
            return 1;
        }
        printf("snapshot %s: %lld products as of catalog_seq %lld, %lld bytes (%lld inflated)\n", f.name,
               (long long)f.products, (long long)f.cursor, (long long)f.bytes, (long long)f.raw_bytes);
        return 0;
    }
    if (strcmp(cmd, "import") == 0 && argc == 2)
        return cmd_import(db, argv[1]);
    if (strcmp(cmd, "price") == 0 && argc == 3) {
        if (parse_int64(argv[2], &n) != 0 || n < 0 || n > SDB_PRICE_MAX) {
            fprintf(stderr, "till-server: bad price %s\n", argv[2]);
            return 2;
        }
        return report(sdb_product_set_price(db, argv[1], n), "price", argv[1], db);
    }
    if (strcmp(cmd, "rename") == 0 && argc == 3)
        return report(sdb_product_rename(db, argv[1], argv[2]), "rename", argv[1], db);
    if (strcmp(cmd, "delete") == 0 && argc == 2)
        return report(sdb_product_delete(db, argv[1]), "delete", argv[1], db);
    if (strcmp(cmd, "stock") == 0 && argc == 4) {
        if (parse_int64(argv[3], &n) != 0 || n < 0 || n > SDB_STOCK_MAX) {
            fprintf(stderr, "till-server: bad quantity %s\n", argv[3]);
            return 2;
        }
        struct sdb_adjustment a = { .sku = argv[1], .location = argv[2], .kind = "count",
                                    .quantity = n, .occurred_at = (int64_t)time(NULL),
                                    .reason = "admin count" };
        return report(sdb_adjustment_store(db, &a), "stock", argv[1], db);
    }
    if ((strcmp(cmd, "promo") == 0 || strcmp(cmd, "customer") == 0) && argc >= 3)
        return cmd_feed(db, argc, argv);
    usage(stderr);
    return 2;
}

int main(int argc, char **argv)
{
    const char *db_path = NULL, *snapshot_dir = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
            printf("till-server %s\n", TILL_VERSION);
            return 0;
        }
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db_path = argv[++i];
        } else if (strcmp(argv[i], "--snapshot-dir") == 0 && i + 1 < argc) {
            snapshot_dir = argv[++i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (i < argc && strcmp(argv[i], "migrate") == 0) {
        if (i + 5 != argc || strcmp(argv[i], "migrate") != 0 || strcmp(argv[i + 1], "--from") != 0 ||
            strcmp(argv[i + 3], "--to") != 0) {
            usage(stderr);
            return 2;
        }
        char err[512];
        if (migrate_store(argv[i + 2], argv[i + 4], stdout, err, sizeof err) != 0) {
            fprintf(stderr, "till-server: %s\n", err);
            return 1;
        }
        return 0;
    }
    if (!db_path || i >= argc) {
        usage(stderr);
        return 2;
    }
    /* The database (and its -wal, -shm, snapshots) owner-only whatever the caller's umask:
     * it holds every store's orders and the tills' token hashes. */
    umask(077);
    if (sodium_init() < 0) {
        fprintf(stderr, "till-server: libsodium init failed\n");
        return 1;
    }
    char err[256], snapshots[4096];
    if (snapshot_prefix(db_path, snapshot_dir, snapshots, sizeof snapshots, err, sizeof err) != 0 &&
        (strcmp(argv[i], "serve") == 0 || strcmp(argv[i], "snapshot") == 0)) {
        fprintf(stderr, "till-server: %s\n", err);
        return 2;
    }
    if (strcmp(argv[i], "serve") == 0)
        return cmd_serve(db_path, snapshots, argc - i - 1, argv + i + 1);
    struct sdb *db;
    if (sdb_open(db_path, &db, err, sizeof err) != SDB_OK) {
        fprintf(stderr, "till-server: %s\n", err);
        return 1;
    }
    int rc = cmd_admin(db, db_path, snapshots, argc - i, argv + i);
    sdb_close(db);
    return rc;
}
