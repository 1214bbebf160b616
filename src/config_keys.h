/* Every configuration key Till reads, in one table: `--check-config` checks a config
 * against it, `--help` lists it and the man page till(1) is generated from it.  A key
 * read anywhere (settings, drivers, sync) has its row here, or the config that sets it
 * is refused as a typo.
 *
 * Some sections are families: a name in capitals stands for any name there.
 *   tax.CODE             one tax class per key
 *   barcode.variable.NN  one layout per prefix 20..29
 *   payment.NAME.KEY     one section per terminal listed in payment.terminals; KEY
 *                        depends on that terminal's kind (the row's `kind`).  A NAME
 *                        not listed (a terminal kept for later) may have any kind's
 *                        keys, unless it is a typo of a listed name. */
#ifndef TILL_CONFIG_KEYS_H
#define TILL_CONFIG_KEYS_H

#include <stddef.h>

#include "src/config.h"

struct config_key {
    const char *key;   /* "store.name", or a family "payment.NAME.host" */
    const char *type;  /* for people: "text", "number 24..80", "eu | us" */
    const char *def;   /* default as written in the file; NULL: none */
    const char *help;  /* one line */
    const char *kind;  /* payment.NAME keys: the terminal kind they belong to, else NULL */
};

extern const struct config_key config_keys[];
extern const size_t config_nkeys;

/* Checks every key set in cfg against the table.  Each unknown key is one line in err
 * naming where it was set ("till.conf:12" or "--set nosuch.key=1") and, when one is
 * close, the key that was probably meant.  Returns the number of unknown keys (0: all
 * known); err holds as many lines as fit. */
int config_check_keys(const struct config *cfg, char *err, size_t errlen);

/* Edit distance (Levenshtein with adjacent transpositions counting one), capped: returns
 * at most cap + 1.  For the "did you mean" of unknown keys. */
int config_key_distance(const char *a, const char *b, int cap);

#endif
