/* till's command line in one table: getopt's options, `--help` and the man page till(1)
 * are all made from it (the settings part from src/config_keys.h). */
#ifndef TILL_CLI_H
#define TILL_CLI_H

#include <stdio.h>

#ifndef TILL_VERSION
#define TILL_VERSION "unknown"   /* the Makefile defines it */
#endif

enum cli_opt {
    CLI_CONFIG = 'c', CLI_DB = 'd', CLI_SPOOL = 's', CLI_HELP = 'h', CLI_VERSION = 'V',
    CLI_STORE = 256, CLI_TERMINAL, CLI_CASHIER, CLI_CURRENCY, CLI_STYLE, CLI_TAXMODE,
    CLI_SET, CLI_IMPORT, CLI_CHECK, CLI_SYNC_NOW, CLI_OUTBOX, CLI_OUTBOX_RETRY, CLI_MAN,
    CLI_COUNT,
    CLI_SALVAGE,
    CLI_KIOSK,
    CLI_ADD_STAFF, CLI_ROLE, CLI_STAFF_ID,
    CLI_SYNC_REJECTS,
    CLI_VERIFY_AUDIT,
    CLI_DSFINVK,
    CLI_DISMISS,
};

struct cli_flag {
    const char *name;   /* long name, "db" */
    int val;            /* enum cli_opt; a printable value is also the short option */
    const char *arg;    /* "PATH", or NULL for none */
    const char *key;    /* the setting the flag sets, or NULL */
    const char *help;
};

extern const struct cli_flag cli_flags[];
extern const int cli_nflags;

/* getopt_long's table and short-option string from cli_flags (static storage). */
const void *cli_getopt_options(void);
const char *cli_getopt_short(void);

void cli_usage(FILE *out);
/* The man page till(1) as roff. */
void cli_man(FILE *out);

#endif
