#include "src/config_keys.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* In the order of assets/till.conf.example.  Defaults are as the code that reads each key
 * has them (tests/test_config.c compares the ones it can). */
const struct config_key config_keys[] = {
    { "store.name", "text", "Till", "store name on the screen and the receipts", NULL },
    { "store.terminal_id", "text", "T1", "this till's id, unique per till: part of every sale's idempotency key", NULL },
    { "store.cashier", "text", "cashier", "cashier name on the receipts", NULL },
    { "store.currency", "ISO 4217 code", "EUR", "EUR, USD, GBP, CHF, JPY, SEK, DKK, NOK, PLN, CZK, HUF, CAD, AUD, KWD, BHD, ISK", NULL },
    { "store.money_style", "eu | us", "eu", "how amounts, quantities and rates are written: eu 1.234,50 € and 1,250 kg; us $1,234.50 and 1.250 kg", NULL },
    { "store.tax_mode", "inclusive | exclusive", "inclusive", "inclusive: shelf prices include the tax (EU); exclusive: tax is added (US)", NULL },
    { "store.tax_rounding", "per_total | per_line", "per_total", "per_total: tax rounded once per tax class on the sum; per_line: on each line, then summed", NULL },

    { "tax.CODE", "RATE [NAME]", NULL, "a tax class: rate in percent (up to 4 decimals), then its name, e.g. std = 19 Standard rate; products name their class by CODE; at least one", NULL },

    { "paths.database", "path", "$XDG_DATA_HOME/till/till.db", "the SQLite database (XDG_DATA_HOME defaults to ~/.local/share)", NULL },
    { "paths.spool", "path", "spool beside the database", "where receipts are written, one file per sale (default: the directory spool in the database's directory)", NULL },

    { "catalog.demo", "yes | no", "no", "yes: import the demo catalog into an empty database", NULL },

    { "sale.confirm_qty_above", "quantity", "100", "a quantity typed above this (pieces or kg) asks first; 0 = never", NULL },
    { "sale.confirm_line_total_above", "amount", "1000", "a line whose total would be above this amount (in the store's currency) asks first; 0 = never", NULL },

    { "ui.alert", "bell | flash | none", "bell", "what the screen does when an error appears: the terminal's bell, a flash, or nothing", NULL },

    { "receipt.width", "number 24..80", "42", "receipt columns: 42 or 48 for 80 mm paper (56 small font), 32 for 58 mm", NULL },
    { "receipt.header", "lines, | between", NULL, "lines under the store name (address, VAT number)", NULL },
    { "receipt.footer", "lines, | between", "Thank you!", "lines at the bottom of the receipt", NULL },
    { "receipt.code", "code128 | qr | none", "code128", "the receipt's number as a barcode, scanned to reprint it", NULL },

    { "printer.driver", "file | usb | tcp | device | none", "file", "the receipt printer: ESC/POS appended to a file (build/escpos-view shows it), USB printer class, network port 9100, a character device", NULL },
    { "printer.file.path", "path", "the spool directory's printer.escpos", "where the file printer appends", NULL },
    { "printer.usb.vid_pid", "VID:PID", NULL, "the USB printer, in hex as lsusb shows it; unset: the first USB printer", NULL },
    { "printer.tcp.host", "address", NULL, "the network printer (a name is resolved once, at start)", NULL },
    { "printer.tcp.port", "number 1..65535", "9100", "the network printer's raw port", NULL },
    { "printer.device.path", "path", "/dev/usb/lp0", "the printer's character device", NULL },
    { "printer.codepage", "pc858 | pc850 | pc437 | wpc1252", "pc858", "the printer's character table (pc858 has the euro sign)", NULL },
    { "printer.codepage_number", "number 0..255", "the table's usual number", "ESC t n for that table, if the printer's manual says otherwise", NULL },
    { "printer.cut", "partial | full | none", "partial", "how the receipt is cut off", NULL },
    { "printer.feed_lines", "number 0..20", "4", "lines fed before the cut", NULL },
    { "printer.status", "yes | no", "yes (device: no)", "ask the printer for paper and cover state (DLE EOT) around each receipt", NULL },
    { "printer.timeout_ms", "number 100..600000", "5000", "a printer silent this long fails the attempt; the receipt stays queued", NULL },
    { "printer.retry_ms", "number 100..600000", "2000", "how often a waiting receipt asks the printer again", NULL },

    { "display.driver", "pole | none", "none", "a 2x20 customer display (ESC/POS line display)", NULL },
    { "display.device.path", "path", NULL, "the display's serial or USB CDC device, e.g. /dev/ttyACM0", NULL },
    { "display.tcp.host", "address", NULL, "a display on the network, instead of a device", NULL },
    { "display.tcp.port", "number 1..65535", "9100", "the network display's port", NULL },
    { "display.codepage", "pc858 | pc850 | pc437 | wpc1252", "pc858", "the display's character table", NULL },
    { "display.welcome", "text", "the store's name", "what the display says between customers", NULL },
    { "display.retry_ms", "number 100..600000", "5000", "how often a missing display is looked for", NULL },

    { "scanner.kind", "wedge | usb | none", "none", "wedge or none: the scanner types like a keyboard; usb: Till reads the scanner directly", NULL },
    { "scanner.driver", "wedge | usb | none", "none", "the older name of scanner.kind", NULL },
    { "scanner.wedge_max_gap_ms", "number 1..1000", "50", "keys closer together than this are a scan, not typing", NULL },
    { "scanner.wedge_min_length", "number 1..64", "4", "shorter bursts of keys are typing, not a scan", NULL },
    { "scanner.usb.vid_pid", "VID:PID", NULL, "the USB scanner, in hex as lsusb shows it, e.g. 05e0:1200", NULL },
    { "scanner.usb.match", "boot-keyboard | pos", NULL, "which HID interface: the keyboard mode, or HID POS (scans carry their symbology id); unset: the first", NULL },
    { "scanner.usb.layout", "us | de", "us", "keyboard mode only: the layout the scanner is set to type", NULL },
    { "scanner.usb.retry_ms", "number 10..600000", "1000", "how often to look for an unplugged scanner", NULL },

    { "barcode.variable.NN", "layout", "21: item:5,weight:5/3; 22: item:5,price:5/2; others none",
      "variable-measure EAN-13 layout for prefix NN (20..29): item:N, check, weight:N/D or price:N/D; or none", NULL },

    { "payment.terminals", "list of NAME:KIND", NULL, "card terminals in priority order, NAME:KIND or just KIND (kinds: sim, zvt); each has its [payment.NAME] section", NULL },
    { "payment.cash_rounding", "number 1..100000", "1", "cash is rounded to this many minor units (5 for CHF 0.05 rounding)", NULL },
    { "payment.cash_confirm_multiple", "number 0..1000000", "10", "cash tendered above this multiple of the amount due asks first (a slip on the keypad); 0 = never", NULL },
    { "payment.cash_confirm_above", "amount", "100", "... but only when the cash is also above this amount (a note of 100 on a small sale is normal); 0 = always by the multiple", NULL },
    { "payment.NAME.host", "IP address", "127.0.0.1", "the ZVT terminal's address (not a host name: a DNS lookup could block the till)", "zvt" },
    { "payment.NAME.port", "number 1..65535", "20007", "the ZVT terminal's TCP port", "zvt" },
    { "payment.NAME.password", "6 digits", "000000", "the ZVT terminal's password", "zvt" },
    { "payment.NAME.connect_timeout_ms", "number 1..", "3000", "how long to wait for the connection", "zvt" },
    { "payment.NAME.timeout_ms", "number 1..", "120000", "how long to wait for the terminal's answer", "zvt" },
    { "payment.NAME.code_page", "cp437, latin1, latin9, cp1252 or utf8", "cp437", "the character set the ZVT terminal prints and displays in (cp437 is the ZVT default)", "zvt" },
    { "payment.NAME.state_file", "path", NULL, "the ZVT driver's memory of the terminal's last receipt number, for recovery after a crash (default: the database path + .NAME-zvt)", "zvt" },
    { "payment.NAME.script", "behaviours", "approve", "the simulated terminal's behaviour per payment, comma-separated, the last repeating: approve, decline, partial:AMOUNT, timeout, disconnect, unreachable, abort", "sim" },
    { "payment.NAME.script_file", "path", NULL, "a file with one behaviour per line, instead of script", "sim" },
    { "payment.NAME.latency_ms", "number 0..600000", "1500", "how long the simulated customer takes", "sim" },
    { "payment.NAME.timeout_ms", "number 1..600000", "30000", "how long to wait for the simulated terminal's answer", "sim" },
    { "payment.NAME.device_file", "path", NULL, "the simulated terminal's memory of its transactions (default: the database path + .sim-terminal for a terminal named sim, + .NAME.sim-terminal otherwise)", "sim" },
    { "payment.NAME.end_of_day", "totals | none | hang", "totals", "the simulated terminal's end-of-day at the Z: the totals of what it approved since the last one, none (a terminal without one), or hang (never answers)", "sim" },

    { "drawer.driver", "sim | printer", "sim", "the cash drawer's driver: simulated, or on the receipt printer's drawer port", NULL },
    { "drawer.close_after_ms", "number 0..", "3000", "the simulated drawer reports closed again after this long", NULL },
    { "drawer.no_sale", "yes | no", "yes", "F7 \"no sale\" opens the drawer between sales (audited)", NULL },
    { "drawer.pin", "2 | 5", "2", "printer drawer: the connector pin of the kick pulse", NULL },
    { "drawer.pulse_ms", "number 2..510", "100", "printer drawer: the kick pulse's length", NULL },
    { "drawer.open_level", "high | low", "high", "printer drawer: the level of pin 3 (DLE EOT 1) when the drawer is open", NULL },
    { "drawer.poll_ms", "number 50..60000", "1000", "printer drawer: how often an open drawer is asked about", NULL },
    { "scale.driver", "none | dialog06 | ncr | sim", "none", "the checkout scale: none (weights are typed), dialog06 (legal-for-trade POS scale), ncr (scanner-scale, NCR/SASI commands) or sim (simulated, on a pseudo-terminal)", NULL },
    { "scale.device", "path", "/dev/ttyUSB0", "the scale's serial port (dialog06, ncr)", NULL },
    { "scale.baud", "1200 | 2400 | 4800 | 9600 | 19200 | 38400 | 57600 | 115200", "9600", "the serial port's speed, as set on the scale", NULL },
    { "scale.format", "7E1 | 7O1 | 8N1", "7E1", "data bits, parity and stop bits, as set on the scale", NULL },
    { "scale.timeout_ms", "number 50..60000", "1000", "an answer later than this is \"the scale does not answer\"", NULL },
    { "scale.poll_ms", "number 10..10000", "200", "how often a scale in motion (or empty) is asked again", NULL },
    { "scale.min_g", "number 0..99999", "0", "ncr: a stable weight under this many grams is refused as below minimum (dialog06 scales refuse it themselves)", NULL },
    { "scale.checksum_table", "path", NULL, "dialog06: the checksum table the scale's maker issued for this till (256 lines of 16 characters), for scales that ask for the checksum dialogue", NULL },
    { "scale.sim_protocol", "dialog06 | ncr", "dialog06", "sim: the protocol the simulated scale speaks", NULL },
    { "scale.sim_script", "steps", "stable=1000", "sim: what the simulated scale does, e.g. motion/300,stable=1234 (states: stable=G, motion, under_zero, overload, below_min, empty, silent, garbage, checksum, unplug; /ms: for how long)", NULL },

    { "returns.reasons", "list of codes", "faulty,unwanted,wrong_item,damaged", "reason codes a returned line is recorded with (F2 in the return dialog)", NULL },
    { "returns.supervisor_pin", "text", NULL, "the PIN that allows overrides (a return without a receipt, a discount above the limit, cash back for a card sale) until staff logins exist; unset: overrides are refused", NULL },
    { "discount.reasons", "list of codes", "damaged,price_match,staff,goodwill", "reason codes of the cashier's discounts (F2 in the discount dialog)", NULL },
    { "discount.limit_percent", "number 0..100", "20", "a discount above this percentage needs a supervisor", NULL },
    { "discount.limit_amount", "minor units", "1000", "a discount taking off more than this needs a supervisor", NULL },
    { "suspend.max_age_hours", "number 1..8760", "24", "parked sales older than this are flagged OLD in the list", NULL },
    { "staff.idle_lock_s", "number 0..86400", "300", "the screen locks after this many seconds without a key (0: never); the open sale is kept for its owner", NULL },
    { "shift.eod_timeout_ms", "number 100..600000", "60000", "the Z waits this long for the payment terminal's end-of-day, then closes with \"terminal did not answer\"", NULL },
    { "staff.demo", "yes | no", "no", "yes: the demo's staff (cashier 1, supervisor 2, manager 9; PINs 1111, 2222, 9999) and an open shift", NULL },

    { "permissions.void_after_subtotal", "roles", "supervisor, manager", "who may void a line once the sale was totalled (others need an override)", NULL },
    { "permissions.cancel_sale", "roles", "supervisor, manager", "who may cancel a sale", NULL },
    { "permissions.price_override", "roles", "supervisor, manager", "who may override a price", NULL },
    { "permissions.discount_over_limit", "roles", "manager", "who may give a discount over the limit", NULL },
    { "permissions.refund", "roles", "supervisor, manager", "who may refund", NULL },
    { "permissions.no_sale", "roles", "supervisor, manager", "who may open the drawer without a sale", NULL },
    { "permissions.paid_in_out", "roles", "supervisor, manager", "who may pay in, pay out and drop cash to the safe", NULL },
    { "permissions.x_report", "roles", "cashier, supervisor, manager", "who may print an X report", NULL },
    { "permissions.z_report", "roles", "manager", "who may close the shift with a Z report", NULL },
    { "permissions.stock_count", "roles", "supervisor, manager", "who may count stock", NULL },
    { "permissions.parked_sales", "roles", "supervisor, manager", "who may see parked sales", NULL },
    { "permissions.kiosk_attendant", "roles", "supervisor, manager", "who may open a kiosk's attendant menu with their staff id and PIN", NULL },
    { "age.default_min_age", "number 1..99", "18", "the minimum age of an age-restricted item whose catalog row says 1 (not an age of its own)", NULL },

    { "sync.url", "http:// or https:// URL", NULL, "the central store API; unset: Till runs standalone", NULL },
    { "sync.token_file", "path", NULL, "this terminal's bearer token, one line; must not be readable by other users (chmod 600)", NULL },
    { "sync.ca_file", "path", NULL, "CA bundle for the server's certificate (unset: the system's)", NULL },
    { "sync.pinned_pubkey", "sha256//BASE64", NULL, "optional public-key pinning, curl's syntax", NULL },
    { "sync.location", "letters, digits, - and _", "store-1", "this store's stock location on the server", NULL },
    { "sync.batch", "number 1..500", "100", "sales per upload", NULL },
    { "sync.page_size", "number 1..5000", "2000", "products per catalog page", NULL },
    { "sync.pull_interval_ms", "number 100..86400000", "30000", "how often catalog and stock are asked for changes", NULL },
    { "sync.backoff_base_ms", "number 10..600000", "1000", "first retry delay, doubling with jitter (a server's Retry-After wins)", NULL },
    { "sync.backoff_max_ms", "number 10..3600000", "60000", "longest retry delay", NULL },
    { "sync.max_response_bytes", "number 1024..1073741824", "16777216", "largest answer accepted from the server", NULL },
    { "sync.connect_timeout_ms", "number 100..600000", "5000", "how long to wait for a connection", NULL },
    { "sync.timeout_ms", "number 100..3600000", "30000", "how long one request may take", NULL },
    { "sync.insecure_tls", "0 | 1", "0", "tests only: 1 turns certificate verification off (Till warns at every start, on screen and in the log); never in a store", NULL },
    { "sync.allow_plain_http", "yes | no", "no", "yes allows an http:// sync.url to another machine: the token and every sale then cross the network unencrypted (http:// to localhost, 127.x or [::1] is always allowed)", NULL },
    { "sync.now_deadline_s", "number 1..86400", "600", "till --sync-now retries with backoff until done or this many seconds have passed", NULL },
    { "sync.snapshot", "0 | 1", "1", "a new or far-behind till loads the catalog from the server's snapshot (0: pages of changes only)", NULL },
    { "sync.snapshot_pause_ms", "number 0..10000", "0", "tests only: a pause between the snapshot loader's slices", NULL },
    { "sync.backend", "native | vendure", "native", "the store server: Till's own API (till-server) or a Vendure Admin API (sync.url = its /admin-api URL)", NULL },
    { "sync.reconcile_interval_ms", "number 0..604800000", "3600000", "vendure: how often the whole catalog is compared, to retire deleted products (0 = never)", NULL },
    { "vendure.auth", "bearer | api_key", "bearer", "what sync.token_file holds: a Vendure session token, or an API key (Vendure checks a key with bcrypt on every request: ~0.4 s each)", NULL },
    { "vendure.channel_token", "text", NULL, "the channel's token (vendure-token header); unset: the default channel", NULL },
    { "vendure.tax_classes", "CATEGORY=CLASS; ...", NULL, "Vendure tax categories to Till tax classes, e.g. Standard Tax=std; Reduced Tax=red", NULL },
    { "vendure.stock_location", "text", NULL, "the Vendure stock location of this store; unset: all locations summed", NULL },
    { "vendure.shipping_method", "code", "till-pickup", "the shipping method till sales get (Vendure needs one before payment)", NULL },
    { "vendure.customer_email", "email", "walk-in@till.invalid", "the walk-in customer till sales belong to", NULL },
    { "vendure.plugin", "auto | on | off", "auto", "Till's batch-import plugin (offline/vendure-plugin): auto uses it when the server has it", NULL },
    { "vendure.overlap_s", "number 0..86400", "300", "each catalog round starts this many seconds back, for changes committed late (at most 60 with the plugin)", NULL },
    { "vendure.draft_cleanup_s", "number 0..2592000", "600", "without the plugin: empty draft orders without a till key this old are deleted (an attempt cut off after createDraftOrder)", NULL },

    { "count.zones", "list of zones", NULL, "stock locations a manager may count besides this store's own (sync.location), comma-separated, e.g. backroom, cooler; any other may be typed", NULL },
    { "kiosk.enabled", "yes | no", "no", "yes: run as a self-checkout kiosk for customers (as till --kiosk does)", NULL },
    { "kiosk.lane", "text", "kiosk", "this self-checkout lane's name: the cashier of its sales, so they reach the server tagged with it", NULL },
    { "kiosk.attendant_pin", "4..15 digits", NULL, "the attendant's PIN for the kiosk's attendant menu; required in kiosk mode on a till without staff (with staff, the attendant types staff id * PIN)", NULL },
    { "kiosk.attendant_hook", "shell command", NULL, "run without waiting when the customer or an item calls the attendant, as sh -c HOOK till-kiosk REASON LANE (REASON: help, age, quantity, payment, unfinished-payment, not-saved)", NULL },
    { "keys.sale", "COMMAND:KEY, ...", NULL, "the cashier's keys on the sale screen moved, e.g. cancel-sale:F8, stock-lookup:Ctrl-L (commands: quantity, void-line, search, pay, printer, no-sale, cancel-sale, stock-count, manager, discount, return, park, customer, price, quit, stock-lookup, lock, help; keys F1..F12, Ctrl-A..Ctrl-Z)", NULL },
    { "kiosk.keys", "ACTION:KEY, ...", "ok:1, back:2, help:3, staff:0, language:4", "the customer's keys on a small keypad: ok, back, help, staff (the attendant) and language (the welcome screen's language key), each a digit or letter, Enter, Space or F1..F12", NULL },
    { "kiosk.languages", "codes", "en de", "the languages the customer may choose on the welcome screen (its language key cycles through them); each but en needs its translation, assets/po/CODE.po", NULL },
    { "kiosk.language", "code", "the first of kiosk.languages", "the language every sale starts in and returns to when it ends", NULL },
    { "kiosk.locale_dir", "path", "locale/ beside the program, or ../share/locale", "where the translations are (CODE/LC_MESSAGES/till.mo): build/locale when run from the source tree, PREFIX/share/locale when installed", NULL },
    { "kiosk.max_quantity", "number 1..9999", "20", "more pieces of one item than this in a sale need the attendant's approval", NULL },
    { "kiosk.idle_warning_s", "seconds 1..3600", "60", "after this long without a key or scan during a sale, a countdown warns the customer", NULL },
    { "kiosk.idle_countdown_s", "seconds 1..600", "30", "the countdown's length; then an unpaid sale is cancelled (recorded in the audit log); a sale with money taken calls the attendant instead", NULL },
    { "kiosk.receipt_s", "seconds 1..600", "10", "how long the receipt screen stays", NULL },
    { "kiosk.thanks_s", "seconds 1..600", "4", "how long the thank-you screen stays before the welcome screen", NULL },
    { "kiosk.staff_idle_s", "seconds 5..3600", "60", "the PIN entry or attendant menu left alone this long returns to the customer's screen", NULL },
    { "kiosk.pin_attempts", "number 1..20", "3", "wrong attendant PINs in a row before PIN entry locks", NULL },
    { "kiosk.pin_lock_s", "seconds 1..86400", "60", "how long PIN entry stays locked", NULL },

    { "fiscal.country", "DE", NULL, "Germany's KassenSichV: every transaction signed by a TSE, its data and QR code on the receipt, the DSFinV-K export; unset: none of it", NULL },
    { "fiscal.tse", "sim | fiskaly", "sim", "the TSE driver: fiskaly (SIGN DE v2, the cloud TSE) or sim (simulated, signs for real but is not certified: demos and tests only)", NULL },
    { "fiscal.fiskaly_url", "URL", "https://kassensichv-middleware.fiskaly.com/api/v2", "fiskaly's SIGN DE API", NULL },
    { "fiscal.fiskaly_tss_id", "UUID", NULL, "the fiskaly TSS (set up and initialised in fiskaly's dashboard or API)", NULL },
    { "fiscal.fiskaly_client_id", "UUID", NULL, "this till as a client of that TSS (registered with the till's serial number)", NULL },
    { "fiscal.fiskaly_credentials", "path", NULL, "a file only its owner may read with api_key = ... and api_secret = ... lines", NULL },
    { "fiscal.fiskaly_retry_ms", "milliseconds", "1000", "a fiskaly request that got no answer or a 5xx is asked again after this long", NULL },
    { "fiscal.fiskaly_attempts", "number 1..100", "3", "how often a fiskaly request is tried before the transaction counts as the TSE failing", NULL },
    { "fiscal.till_serial", "text", "store.terminal_id", "the till's serial number as registered with the TSE and the tax office (client id, Kassen-Seriennummer)", NULL },
    { "fiscal.sim_state", "path", "the database path + .tse", "the simulated TSE's counters (its key and log beside it, + .key and + .log)", NULL },
    { "fiscal.company", "text", "store.name", "the company's name in the DSFinV-K export (Stamm_Abschluss NAME)", NULL },
    { "fiscal.street", "text", NULL, "the company's street and number (DSFinV-K STRASSE, LOC_STRASSE)", NULL },
    { "fiscal.postcode", "text", NULL, "the company's postcode (DSFinV-K PLZ)", NULL },
    { "fiscal.city", "text", NULL, "the company's town (DSFinV-K ORT)", NULL },
    { "fiscal.tax_number", "text", NULL, "the company's tax number (Steuernummer, DSFinV-K STNR)", NULL },
    { "fiscal.vat_id", "text", NULL, "the company's VAT id (USt-IdNr., DSFinV-K USTID)", NULL },
    { "fiscal.sim_control", "path", NULL, "a file whose one word scripts the simulated TSE: ok, fail, full, refuse, slow:MS", NULL },

    { "log.file", "path", NULL, "sync errors and other events worth a look (unset: the database path + .log)", NULL },
};
const size_t config_nkeys = sizeof config_keys / sizeof config_keys[0];

static void append(char *err, size_t errlen, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char *err, size_t errlen, size_t *pos, const char *fmt, ...)
{
    if (!err || *pos + 1 >= errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err + *pos, errlen - *pos, fmt, ap);
    va_end(ap);
    if (n > 0)
        *pos = *pos + (size_t)n < errlen ? *pos + (size_t)n : errlen - 1;
}

int config_key_distance(const char *a, const char *b, int cap)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 120 || lb > 120)
        return cap + 1;
    if ((la > lb ? la - lb : lb - la) > (size_t)cap)
        return cap + 1;
    /* three rows of the optimal-string-alignment table */
    int rows[3][121];
    int *pp = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        int best = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int d = prev[j] + 1;
            if (cur[j - 1] + 1 < d)
                d = cur[j - 1] + 1;
            if (prev[j - 1] + cost < d)
                d = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < d)
                d = pp[j - 2] + 1;
            cur[j] = d;
            if (d < best)
                best = d;
        }
        if (best > cap)
            return cap + 1;
        int *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb] > cap ? cap + 1 : prev[lb];
}

/* The terminals of payment.terminals: "name:kind" or "kind" (then the name is the kind). */
struct terminal_names {
    char name[8][32], kind[8][32];
    int n;
};

static void parse_terminals(const struct config *cfg, struct terminal_names *t)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", config_get(cfg, "payment.terminals", ""));
    t->n = 0;
    for (char *p = buf, *next; p && *p && t->n < 8; p = next) {
        next = strchr(p, ',');
        if (next)
            *next++ = 0;
        p += strspn(p, " \t");
        size_t n = strlen(p);
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            p[--n] = 0;
        if (!*p)
            continue;
        char *colon = strchr(p, ':');
        const char *kind = colon ? colon + 1 : p;
        if (colon)
            *colon = 0;
        snprintf(t->name[t->n], sizeof t->name[0], "%s", p);
        snprintf(t->kind[t->n], sizeof t->kind[0], "%s", kind);
        t->n++;
    }
}

/* Writes the row's key with each capitals segment replaced by the key's own segment at
 * that place, so "payment.NAME.host" reads "payment.counter.host" for "payment.counter.hots".
 * Returns 1 when the row is a family (had a capitals segment). */
static int instantiate(const char *pattern, const char *key, char *out, size_t len)
{
    size_t o = 0;
    int family = 0;
    const char *p = pattern, *k = key;
    while (*p && o + 1 < len) {
        size_t pn = strcspn(p, "."), kn = k ? strcspn(k, ".") : 0;
        int caps = pn > 0;
        for (size_t i = 0; i < pn; i++)
            caps &= (p[i] >= 'A' && p[i] <= 'Z');
        const char *src = caps && k && kn ? k : p;
        size_t sn = caps && k && kn ? kn : pn;
        family |= caps;
        if (o + sn + 2 > len)
            break;
        memcpy(out + o, src, sn);
        o += sn;
        p += pn;
        if (k)
            k = k[kn] ? k + kn + 1 : NULL;
        if (*p == '.') {
            out[o++] = '.';
            p++;
        }
    }
    out[o] = 0;
    return family;
}

static int terminal_index(const struct terminal_names *t, const char *name, size_t n)
{
    for (int i = 0; i < t->n; i++)
        if (strlen(t->name[i]) == n && strncmp(t->name[i], name, n) == 0)
            return i;
    return -1;
}

/* The listed terminal whose name is a typo away from name[0..n), or -1. */
static int near_terminal(const struct terminal_names *t, const char *name, size_t n)
{
    char given[32];
    snprintf(given, sizeof given, "%.*s", (int)n, name);
    int best = -1, bd = 0;
    for (int i = 0; i < t->n; i++) {
        int cap = strlen(t->name[i]) / 3 > 1 ? (int)strlen(t->name[i]) / 3 : 1;
        int d = config_key_distance(t->name[i], given, cap);
        if (d <= cap && (best < 0 || d < bd)) {
            best = i;
            bd = d;
        }
    }
    return best;
}

/* Is key this row?  Family segments match any one segment.  payment.NAME takes the keys
 * of NAME's kind; a NAME not in payment.terminals (a terminal kept for later) those of
 * any kind, unless NAME is a typo of a listed one. */
static int row_matches(const struct config_key *row, const char *key, const struct terminal_names *t)
{
    char inst[160];
    instantiate(row->key, key, inst, sizeof inst);
    if (strcmp(inst, key) != 0)
        return 0;
    if (!row->kind)
        return 1;
    const char *name = key + strlen("payment.");
    size_t n = strcspn(name, ".");
    int i = terminal_index(t, name, n);
    if (i >= 0)
        return strcmp(t->kind[i], row->kind) == 0;
    return near_terminal(t, name, n) < 0;
}

int config_check_keys(const struct config *cfg, char *err, size_t errlen)
{
    struct terminal_names t;
    parse_terminals(cfg, &t);
    size_t pos = 0;
    int bad = 0;
    if (err && errlen)
        err[0] = 0;
    for (int i = 0; i < config_count(cfg); i++) {
        const char *key = config_key_at(cfg, i);
        int known = 0;
        for (size_t r = 0; r < config_nkeys && !known; r++)
            known = row_matches(&config_keys[r], key, &t);
        if (known)
            continue;
        bad++;
        int line = 0;
        const char *origin = config_origin_at(cfg, i, &line);
        if (line)
            append(err, errlen, &pos, "%s:%d: unknown key '%s'", origin, line, key);
        else
            append(err, errlen, &pos, "%s: unknown key '%s'", origin, key);

        /* payment.NAME.x for a NAME a typo away from a listed terminal: say so */
        const char *name = strncmp(key, "payment.", 8) == 0 ? key + 8 : NULL;
        size_t nn = name ? strcspn(name, ".") : 0;
        if (name && name[nn] == '.' && terminal_index(&t, name, nn) < 0 && near_terminal(&t, name, nn) >= 0) {
            append(err, errlen, &pos, ": no terminal '%.*s' in payment.terminals (did you mean payment.%s.%s?)\n",
                   (int)nn, name, t.name[near_terminal(&t, name, nn)], name + nn + 1);
            continue;
        }

        /* a right key for the wrong kind of terminal */
        if (name && name[nn] == '.') {
            const char *kind = NULL;
            for (size_t r = 0; r < config_nkeys && !kind; r++) {
                char inst[160];
                instantiate(config_keys[r].key, key, inst, sizeof inst);
                if (config_keys[r].kind && strcmp(inst, key) == 0)
                    kind = config_keys[r].kind;
            }
            int j = terminal_index(&t, name, nn);
            if (kind && j >= 0) {
                const char *is = t.kind[j];
                append(err, errlen, &pos, ": '%.*s' is a %s terminal; %s is a key of %s terminals\n",
                       (int)nn, name, is, name + nn + 1, kind);
                continue;
            }
        }

        /* the nearest key; a typo is a few edits, so look no further than a third of it */
        int cap = (int)strlen(key) / 3 < 2 ? 2 : (int)strlen(key) / 3;
        if (cap > 4)
            cap = 4;
        int best = cap + 1;
        char suggestion[160] = "";
        for (size_t r = 0; r < config_nkeys; r++) {
            char inst[160];
            instantiate(config_keys[r].key, key, inst, sizeof inst);
            /* a terminal's key is suggested only for a kind it applies to */
            if (config_keys[r].kind && !row_matches(&config_keys[r], inst, &t))
                continue;
            int d = config_key_distance(inst, key, cap);
            /* and the section itself is a near miss: "store.x" is not a typo of "tax.x" */
            char s1[64], s2[64];
            snprintf(s1, sizeof s1, "%.*s", (int)strcspn(inst, "."), inst);
            snprintf(s2, sizeof s2, "%.*s", (int)strcspn(key, "."), key);
            int scap = strlen(s1) / 3 > 1 ? (int)strlen(s1) / 3 : 1;
            if (d < best && config_key_distance(s1, s2, scap) <= scap) {
                best = d;
                snprintf(suggestion, sizeof suggestion, "%s", inst);
            }
        }
        if (suggestion[0])
            append(err, errlen, &pos, " (did you mean %s?)\n", suggestion);
        else
            append(err, errlen, &pos, " (every key: till --help, or man till)\n");
    }
    if (pos && err[pos - 1] == '\n')
        err[pos - 1] = 0;
    return bad;
}
