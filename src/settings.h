/* Typed settings for the app, read from the config with every value checked once at start,
 * so a typo in till.conf is a clear message before the sale screen opens. */
#ifndef TILL_SETTINGS_H
#define TILL_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "core/barcode.h"
#include "src/config.h"
#include "core/money.h"
#include "core/product.h"
#include "core/tax.h"

#define SETTINGS_MAX_TAX 8

/* What the screen does when an error message appears ([ui] alert). */
enum settings_alert { ALERT_BELL, ALERT_FLASH, ALERT_NONE };

/* When Till asks before going on (0 = never): a line above a quantity or total, cash far
 * above what is due (a slip of the finger on the keypad). */
struct settings_confirm {
    int64_t qty_above;           /* thousandths: pieces or kg typed by the cashier */
    int64_t line_total_above;    /* minor units */
    int64_t cash_multiple;       /* cash above this multiple of the amount due ... */
    int64_t cash_above;          /* ... and above this amount (minor units) */
};

struct settings {
    char store_name[64];
    char terminal_id[32];
    char cashier[32];
    struct money_format fmt;
    struct tax_config tax;
    struct tax_class tax_classes[SETTINGS_MAX_TAX];
    int ntax;
    char db_path[512];
    char spool_dir[512];
    int load_demo_catalog;
    int receipt_width;
    int wedge_max_gap_ms;
    int wedge_min_length;
    struct barcode_rules barcode;  /* variable-measure layouts (barcode.variable.NN) */
    struct settings_confirm confirm;
    enum settings_alert alert;
};

int settings_from_config(const struct config *cfg, struct settings *out, char *err, size_t errlen);
/* $XDG_DATA_HOME/till, or ~/.local/share/till. */
int settings_default_data_dir(char *buf, size_t len);

#endif
