#include "main/cli.h"

#include <getopt.h>
#include <string.h>

#include "src/config_keys.h"

const struct cli_flag cli_flags[] = {
    { "config", CLI_CONFIG, "FILE", NULL, "read settings from FILE (default: $XDG_CONFIG_HOME/till/till.conf, i.e. ~/.config/till/till.conf, if present; else the built-in demo store)" },
    { "db", CLI_DB, "PATH", "paths.database", "the SQLite database" },
    { "spool", CLI_SPOOL, "DIR", "paths.spool", "the receipt spool directory" },
    { "store", CLI_STORE, "NAME", "store.name", "store name shown on screen and receipts" },
    { "terminal", CLI_TERMINAL, "ID", "store.terminal_id", "this till's id" },
    { "cashier", CLI_CASHIER, "NAME", "store.cashier", "cashier name" },
    { "currency", CLI_CURRENCY, "CODE", "store.currency", "ISO 4217 currency, e.g. EUR, USD" },
    { "money-style", CLI_STYLE, "STYLE", "store.money_style", "eu (1.234,50 €) or us ($1,234.50)" },
    { "tax-mode", CLI_TAXMODE, "MODE", "store.tax_mode", "inclusive (EU) or exclusive (US)" },
    { "kiosk", CLI_KIOSK, NULL, NULL, "run as a self-checkout kiosk for customers (sets kiosk.enabled = yes; needs kiosk.attendant_pin)" },
    { "set", CLI_SET, "KEY=VALUE", NULL, "any setting, e.g. --set receipt.width=48 (see SETTINGS)" },
    { "import-catalog", CLI_IMPORT, "FILE", NULL, "import a catalog CSV into the database, then exit" },
    { "check-config", CLI_CHECK, NULL, NULL, "check the configuration (unknown keys, values, drivers), then exit" },
    { "sync-now", CLI_SYNC_NOW, NULL, NULL, "without a screen: send queued sales, fetch catalog and stock changes from the store server (sync.url), then exit" },
    { "outbox", CLI_OUTBOX, NULL, NULL, "list sales not yet accepted by the store server, then exit" },
    { "outbox-retry", CLI_OUTBOX_RETRY, "KEY", NULL, "send a sale the server rejected (parked) again" },
    { "sync-rejects", CLI_SYNC_REJECTS, NULL, NULL, "list the rows of the store server's catalog, staff, stock, promotions and customers pages this till refused (with the reason; the rest was applied), then exit" },
    { "dismiss", CLI_DISMISS, "ID", NULL, "with --sync-rejects: a manager dealt with refused row ID (the list's id): it is closed and the dismissal audited, then exit" },
    { "count", CLI_COUNT, NULL, NULL, "open in count mode: a store manager's stock count (F9 on the sale screen does the same)" },
    { "salvage", CLI_SALVAGE, NULL, NULL, "recover from a damaged database: copy every readable sale, queued order and setting into a fresh database at the same path, keep the damaged file beside it (.damaged-DATE), then exit; Till must not be running" },
    { "add-staff", CLI_ADD_STAFF, "NAME", NULL, "add a staff member on this till (the first manager of a database without staff; later ones need a manager's id and PIN), asking the PIN on the terminal (or one line of stdin each), then exit" },
    { "role", CLI_ROLE, "ROLE", NULL, "with --add-staff: cashier, supervisor or manager (default cashier)" },
    { "staff-id", CLI_STAFF_ID, "ID", NULL, "with --add-staff: the id to sign on with (default: the lowest free number)" },
    { "dsfinvk", CLI_DSFINVK, "FROM TO DIR", NULL, "Germany: the DSFinV-K export of every Z made from FROM to TO (dates YYYY-MM-DD, both included) into DIR: index.xml, its GDPdU DTD and the DSFinV-K CSV files, then exit" },
    { "verify-audit", CLI_VERIFY_AUDIT, NULL, NULL, "check the audit log's hash chain: exit 0 when intact, 1 naming the first broken row" },
    { "help", CLI_HELP, NULL, NULL, "this help: flags and every setting" },
    { "version", CLI_VERSION, NULL, NULL, "print the version" },
    { "man", CLI_MAN, NULL, NULL, "print the manual page till(1) as roff (the build makes build/till.1 with it)" },
};
const int cli_nflags = (int)(sizeof cli_flags / sizeof cli_flags[0]);

const void *cli_getopt_options(void)
{
    static struct option opts[sizeof cli_flags / sizeof cli_flags[0] + 1];
    for (int i = 0; i < cli_nflags; i++)
        opts[i] = (struct option){ cli_flags[i].name, cli_flags[i].arg ? required_argument : no_argument,
                                   NULL, cli_flags[i].val };
    return opts;
}

const char *cli_getopt_short(void)
{
    static char s[2 * sizeof cli_flags / sizeof cli_flags[0] + 1];
    size_t n = 0;
    for (int i = 0; i < cli_nflags; i++) {
        if (cli_flags[i].val >= 256)
            continue;
        s[n++] = (char)cli_flags[i].val;
        if (cli_flags[i].arg)
            s[n++] = ':';
    }
    s[n] = 0;
    return s;
}

static void flag_synopsis(const struct cli_flag *f, char *buf, size_t len)
{
    if (f->val < 256)
        snprintf(buf, len, "-%c, --%s%s%s", f->val, f->name, f->arg ? " " : "", f->arg ? f->arg : "");
    else
        snprintf(buf, len, "    --%s%s%s", f->name, f->arg ? " " : "", f->arg ? f->arg : "");
}

/* Prints text from column col on, wrapping at word breaks before column 79 onto lines
 * indented by indent columns. */
static void wrapped(FILE *out, int col, int indent, const char *text)
{
    const char *s = text;
    while (*s) {
        size_t word = strcspn(s, " ");
        /* columns, not bytes: the euro sign is three bytes and one column */
        int cols = 0;
        for (size_t i = 0; i < word; i++)
            cols += ((unsigned char)s[i] & 0xC0) != 0x80;
        if (col > indent && col + 1 + cols > 79) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', out);
            col++;
        }
        fwrite(s, 1, word, out);
        col += cols;
        s += word;
        s += strspn(s, " ");
    }
    fputc('\n', out);
}

void cli_usage(FILE *out)
{
    fprintf(out, "Usage: till [options]\n"
                 "A terminal point of sale. With no config file it opens the demo store.\n\n");
    for (int i = 0; i < cli_nflags; i++) {
        char syn[64];
        flag_synopsis(&cli_flags[i], syn, sizeof syn);
        char help[400];
        snprintf(help, sizeof help, "%s%s%s%s", cli_flags[i].help, cli_flags[i].key ? " (" : "",
                 cli_flags[i].key ? cli_flags[i].key : "", cli_flags[i].key ? ")" : "");
        fprintf(out, "  %-26s ", syn);
        wrapped(out, 29, 29, help);
    }
    fprintf(out, "\nSettings: in the config file as \"[section]\" then \"key = value\", or\n"
                 "--set section.key=value.  NAME, CODE and NN stand for a terminal's name (from\n"
                 "payment.terminals), a tax class code and a prefix 20..29.\n");
    const char *section = "";
    for (size_t i = 0; i < config_nkeys; i++) {
        const struct config_key *k = &config_keys[i];
        size_t sl = strcspn(k->key, ".");
        if (strncmp(section, k->key, sl) != 0 || section[sl] != '.') {
            fprintf(out, "\n");
            section = k->key;
        }
        char head[300];
        snprintf(head, sizeof head, "%s = %s%s%s%s%s%s%s", k->key, k->type, k->def ? "  (default " : "",
                 k->def ? k->def : "", k->def ? ")" : "", k->kind ? "  [" : "", k->kind ? k->kind : "",
                 k->kind ? " terminals]" : "");
        fputs("  ", out);
        wrapped(out, 2, 6, head);
        fputs("      ", out);
        wrapped(out, 6, 6, k->help);
    }
    fprintf(out, "\nThe manual page till(1) says more; till.conf.example is a commented example.\n");
}

/* Text for roff: backslashes and hyphens escaped (a '-' in a flag must stay a
 * hyphen-minus), a leading dot or quote made literal, the euro sign named. */
static void roff(FILE *out, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", out);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", out);
        else if (*s == '-')
            fputs("\\-", out);
        else if (strncmp(s, "\xe2\x82\xac", 3) == 0) {
            fputs("\\[Eu]", out);
            s += 2;
        } else
            fputc(*s, out);
    }
}

static void man_flags(FILE *out)
{
    fputs(".SH OPTIONS\n", out);
    for (int i = 0; i < cli_nflags; i++) {
        const struct cli_flag *f = &cli_flags[i];
        fputs(".TP\n", out);
        if (f->val < 256)
            fprintf(out, "\\fB\\-%c\\fR, ", f->val);
        fputs("\\fB\\-\\-", out);
        roff(out, f->name);
        fputs("\\fR", out);
        if (f->arg) {
            fputs(" \\fI", out);
            roff(out, f->arg);
            fputs("\\fR", out);
        }
        fputs("\n", out);
        roff(out, f->help);
        if (f->key) {
            fputs("; sets \\fB", out);
            roff(out, f->key);
            fputs("\\fR", out);
        }
        fputs(".\n", out);
    }
}

static void man_settings(FILE *out)
{
    fputs(".SH SETTINGS\n"
          "The configuration file is INI\\-style: a \\fB[section]\\fR line, then \\fBkey = value\\fR lines; "
          "a \\fB#\\fR after a space starts a comment.  Below, each setting is written \\fIsection.key\\fR "
          "as \\fB\\-\\-set\\fR takes it.  Later sources win: the file, then the flags in their order.  "
          "A key that is not listed here is an error naming its file and line (or its flag) and the "
          "nearest known key.\n"
          ".PP\n"
          "Families: \\fBtax.\\fICODE\\fR is one tax class per key; \\fBbarcode.variable.\\fINN\\fR one "
          "layout per prefix 20 to 29; \\fBpayment.\\fINAME\\fB.\\fIkey\\fR holds the keys of the terminal "
          "\\fINAME\\fR from \\fBpayment.terminals\\fR, which depend on its kind (\\fBsim\\fR or \\fBzvt\\fR); "
          "a section for a terminal not listed there has the keys of any kind, and one whose name is a "
          "letter or two off a listed terminal's is taken for a typo.\n",
          out);
    const char *section = "";
    for (size_t i = 0; i < config_nkeys; i++) {
        const struct config_key *k = &config_keys[i];
        size_t sl = strcspn(k->key, ".");
        if (strncmp(section, k->key, sl) != 0 || section[sl] != '.') {
            fputs(".SS [", out);
            fprintf(out, "%.*s", (int)sl, k->key);
            fputs("]\n", out);
            section = k->key;
        }
        fputs(".TP\n\\fB", out);
        roff(out, k->key);
        fputs("\\fR = \\fI", out);
        roff(out, k->type);
        fputs("\\fR\n", out);
        roff(out, k->help);
        fputs(".", out);
        if (k->kind) {
            fputs(" For ", out);
            roff(out, k->kind);
            fputs(" terminals.", out);
        }
        if (k->def) {
            fputs(" Default: ", out);
            roff(out, k->def);
            fputs(".", out);
        }
        fputs("\n", out);
    }
}

void cli_man(FILE *out)
{
    fputs(".\\\" Generated by `till --man` from the tables of main/cli.c and src/config_keys.c.\n", out);
    fprintf(out, ".TH TILL 1 \"\" \"till %s\" \"User Commands\"\n", TILL_VERSION);
    fputs(".SH NAME\n"
          "till \\- a terminal point of sale\n"
          ".SH SYNOPSIS\n"
          ".B till\n"
          "[\\fIoptions\\fR]\n"
          ".SH DESCRIPTION\n"
          "\\fBtill\\fR is a full\\-screen point of sale for a text terminal: it sells from a local "
          "SQLite catalog, takes cash, card (through a payment terminal) and vouchers, prints "
          "receipts to a spool directory, and keeps working without a network; a store server "
          "(\\fBtill\\-server\\fR(1)) receives the sales and sends catalog and stock changes "
          "when one is configured.\n"
          ".PP\n"
          "Without a configuration file it opens a built\\-in demo store.\n",
          out);
    man_flags(out);
    man_settings(out);
    fputs(".SH FILES\n"
          ".TP\n.I $XDG_CONFIG_HOME/till/till.conf\n"
          "The configuration read when \\fB\\-\\-config\\fR is not given (\\fI~/.config/till/till.conf\\fR).\n"
          ".TP\n.I $XDG_DATA_HOME/till/till.db\n"
          "The database unless \\fBpaths.database\\fR says otherwise (\\fI~/.local/share/till/till.db\\fR); "
          "receipts go to \\fIspool/\\fR next to it.\n",
          out);
    /* where `make install` puts them; PREFIX is not compiled in, so say it in words */
    fputs(".TP\n.I PREFIX/share/doc/till/examples/till.conf.example\n"
          "A commented example configuration (PREFIX is \\fI/usr\\fR for a package, "
          "\\fI/usr/local\\fR by default).\n"
          ".TP\n.I /lib/udev/rules.d/60\\-till\\-scanner.rules\n"
          "Lets the seat's user (and group plugdev) open a USB scanner read directly "
          "(\\fBscanner.kind = usb\\fR); for another scanner model, put its VID and PID in a copy in "
          "\\fI/etc/udev/rules.d/\\fR, which overrides the file of the same name.\n"
          ".SH ENVIRONMENT\n"
          ".TP\n.B XDG_CONFIG_HOME\nWhere the configuration is looked for.\n"
          ".TP\n.B XDG_DATA_HOME\nWhere the database and the receipts are kept by default.\n"
          ".SH EXIT STATUS\n"
          "0 on success; 1 when the configuration, the database or a command failed; 2 for a bad flag.\n"
          ".SH SEE ALSO\n"
          "\\fBtill\\-server\\fR(1)\n",
          out);
}
