/* Self-checkout kiosk mode: the customer flow over the app's sale session and card
 * controller.  The pure flow (core/kiosk_flow.c) decides steps, idle and PIN lockout; this
 * file does what it decides: scans, card payments, cancelling, the attendant's hook
 * command and the audit log. */
#include "app/kiosk.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/app.h"
#include "app/app_print.h"
#include "src/i18n.h"

extern char **environ;

#define KIOSK_TICK_MS 250

static int64_t now_ms(const struct app *app)
{
    return loop_now_ms(app->loop);
}

/* In the attendant's menu the audit names the staff member who opened it (with staff). */
static void audit(struct app *app, const char *event, const char *detail)
{
    const struct kiosk *k = app->kiosk;
    const char *who = k->flow.step == KIOSK_ATTENDANT && k->attendant_id[0] ? k->attendant_id : k->lane;
    store_audit(app->store, loop_wall_time(), app->s.terminal_id, who, event, detail);
}

static void notice(struct app *app, int is_error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void notice(struct app *app, int is_error, const char *fmt, ...)
{
    struct kiosk *k = app->kiosk;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(k->notice, sizeof k->notice, fmt, ap);
    va_end(ap);
    k->notice_is_error = is_error;
    app->dirty = 1;
}

static void go(struct app *app, enum kiosk_step step)
{
    kiosk_flow_go(&app->kiosk->flow, step, now_ms(app));
    app->dirty = 1;
}

/* --- configuration --- */

static const char *const key_action_names[KIOSK_NKEYS] = { "ok", "back", "help", "staff", "language" };

static int parse_key(const char *s, size_t n, struct kiosk_key *out)
{
    memset(out, 0, sizeof *out);
    char name[sizeof out->name];
    if (n == 0 || n >= sizeof name)
        return -1;
    memcpy(name, s, n);
    name[n] = 0;
    if (n == 1 && name[0] > ' ' && name[0] < 127 && name[0] != ',' && name[0] != ':') {
        out->ch = name[0];
    } else if (strcasecmp(name, "enter") == 0) {
        out->ch = '\r';
        snprintf(name, sizeof name, "Enter");
    } else if (strcasecmp(name, "space") == 0) {
        out->ch = ' ';
        snprintf(name, sizeof name, "Space");
    } else if ((name[0] == 'F' || name[0] == 'f') && n <= 3) {
        char *end;
        long f = strtol(name + 1, &end, 10);
        if (*end || f < 1 || f > 12)
            return -1;
        out->fn = (int)f;
        name[0] = 'F';
    } else {
        return -1;
    }
    snprintf(out->name, sizeof out->name, "%s", name);
    return 0;
}

/* Another action is on the same key as action a. */
static int key_taken(const struct kiosk *k, int a)
{
    for (int b = 0; b < KIOSK_NKEYS; b++)
        if (b != a && k->keys[a].ch == k->keys[b].ch && k->keys[a].fn == k->keys[b].fn)
            return 1;
    return 0;
}

/* kiosk.keys = ok:1, back:2, help:3, staff:0, language:4 (any subset; the rest keep their
 * defaults). */
static int parse_keys(struct kiosk *k, const char *text, char *err, size_t errlen)
{
    static const char *const defaults[KIOSK_NKEYS] = { "1", "2", "3", "0", "4" };
    int language_set = 0;
    for (int a = 0; a < KIOSK_NKEYS; a++)
        parse_key(defaults[a], 1, &k->keys[a]);
    const char *p = text;
    while (*p) {
        p += strspn(p, " \t,");
        if (!*p)
            break;
        size_t n = strcspn(p, ",");
        const char *colon = memchr(p, ':', n);
        int a = -1;
        for (int i = 0; colon && i < KIOSK_NKEYS; i++)
            if ((size_t)(colon - p) == strlen(key_action_names[i]) && strncmp(p, key_action_names[i], (size_t)(colon - p)) == 0)
                a = i;
        size_t kn = colon ? n - (size_t)(colon - p) - 1 : 0;
        const char *ks = colon ? colon + 1 : p;
        while (kn && (*ks == ' ' || *ks == '\t'))
            ks++, kn--;
        while (kn && (ks[kn - 1] == ' ' || ks[kn - 1] == '\t'))
            kn--;
        if (a == KIOSK_KEY_LANGUAGE)
            language_set = 1;
        if (a < 0 || parse_key(ks, kn, &k->keys[a])) {
            snprintf(err, errlen, "kiosk.keys: '%.*s' is not ACTION:KEY (actions ok, back, help, staff, language;"
                     " keys a digit or letter, Enter, Space or F1..F12)", (int)n, p);
            return -1;
        }
        p += n;
    }
    /* the language key came later than the others: a map from before it that put another
     * action on 4 keeps working, the language key moving to the first free digit */
    for (char d = '4'; !language_set && d <= '9' && key_taken(k, KIOSK_KEY_LANGUAGE); d++)
        parse_key(&d, 1, &k->keys[KIOSK_KEY_LANGUAGE]);
    for (int a = 0; a < KIOSK_NKEYS; a++)
        for (int b = a + 1; b < KIOSK_NKEYS; b++)
            if (k->keys[a].ch == k->keys[b].ch && k->keys[a].fn == k->keys[b].fn) {
                snprintf(err, errlen, "kiosk.keys: %s and %s are both on key %s", key_action_names[a],
                         key_action_names[b], k->keys[a].name);
                return -1;
            }
    return 0;
}

/* kiosk.languages = en de: the languages offered, each with its catalog; kiosk.language
 * (default the first) is where every sale starts. */
static int read_languages(struct kiosk *k, const struct config *cfg, char *err, size_t errlen)
{
    const char *p = config_get(cfg, "kiosk.languages", "en de");
    k->nlanguages = 0;
    while (*p) {
        p += strspn(p, " \t,");
        size_t n = strcspn(p, " \t,");
        if (!n)
            break;
        if (k->nlanguages == KIOSK_MAX_LANGUAGES || n >= sizeof k->languages[0]) {
            snprintf(err, errlen, "kiosk.languages: at most %d languages, each a code like de or pt_BR", KIOSK_MAX_LANGUAGES);
            return -1;
        }
        char *lang = k->languages[k->nlanguages];
        memcpy(lang, p, n);
        lang[n] = 0;
        if (!i18n_valid_code(lang)) {
            snprintf(err, errlen, "kiosk.languages: '%s' is not a language code (like en, de, pt_BR)", lang);
            return -1;
        }
        k->nlanguages++;
        p += n;
    }
    if (k->nlanguages == 0) {
        snprintf(err, errlen, "kiosk.languages: name at least one language (like en de)");
        return -1;
    }
    const char *def = config_get(cfg, "kiosk.language", k->languages[0]);
    k->default_language = -1;
    for (int i = 0; i < k->nlanguages; i++)
        if (strcmp(k->languages[i], def) == 0)
            k->default_language = i;
    if (k->default_language < 0) {
        snprintf(err, errlen, "kiosk.language: '%s' is not one of kiosk.languages", def);
        return -1;
    }
    k->language = k->default_language;
    char dir[1024];
    if (i18n_find_dir(config_get(cfg, "kiosk.locale_dir", ""), dir, sizeof dir, err, errlen) ||
        i18n_open(dir, err, errlen))
        return -1;
    for (int i = 0; i < k->nlanguages; i++)
        if (!i18n_has_catalog(dir, k->languages[i])) {
            snprintf(err, errlen, "kiosk.languages: no translation for '%s' in %s (assets/po/%s.po, built by make)",
                     k->languages[i], dir, k->languages[i]);
            return -1;
        }
    return 0;
}

static int get_seconds(const struct config *cfg, const char *key, long long def, long long lo, long long hi,
                       int64_t *ms, char *err, size_t errlen)
{
    long long v;
    if (config_get_int(cfg, key, def, &v) || v < lo || v > hi) {
        snprintf(err, errlen, "%s must be a whole number of seconds, %lld..%lld", key, lo, hi);
        return -1;
    }
    *ms = v * 1000;
    return 0;
}

static int read_config(struct kiosk *k, const struct config *cfg, int staff_enabled, char *err, size_t errlen)
{
    struct kiosk_timing t;
    long long v;
    if (get_seconds(cfg, "kiosk.idle_warning_s", 60, 1, 3600, &t.idle_warn_ms, err, errlen) ||
        get_seconds(cfg, "kiosk.idle_countdown_s", 30, 1, 600, &t.idle_cancel_ms, err, errlen) ||
        get_seconds(cfg, "kiosk.receipt_s", 10, 1, 600, &t.receipt_ms, err, errlen) ||
        get_seconds(cfg, "kiosk.thanks_s", 4, 1, 600, &t.thanks_ms, err, errlen) ||
        get_seconds(cfg, "kiosk.staff_idle_s", 60, 5, 3600, &t.staff_idle_ms, err, errlen) ||
        get_seconds(cfg, "kiosk.pin_lock_s", 60, 1, 86400, &t.pin_lock_ms, err, errlen))
        return -1;
    if (config_get_int(cfg, "kiosk.pin_attempts", 3, &v) || v < 1 || v > 20) {
        snprintf(err, errlen, "kiosk.pin_attempts must be 1..20");
        return -1;
    }
    t.pin_attempts = (int)v;
    if (config_get_int(cfg, "kiosk.max_quantity", 20, &v) || v < 1 || v > 9999) {
        snprintf(err, errlen, "kiosk.max_quantity must be 1..9999 pieces");
        return -1;
    }
    k->max_pieces = v;
    /* a kiosk stands unattended in the shop: a server that anyone on the network can pose
     * as would take its sales and card outcomes (issue 10) */
    if (config_get_int(cfg, "sync.insecure_tls", 0, &v) || v != 0) {
        snprintf(err, errlen, "kiosk mode refuses sync.insecure_tls: the store server's certificate must be "
                              "checked on an unattended lane; remove sync.insecure_tls");
        return -1;
    }
    const char *pin = config_get(cfg, "kiosk.attendant_pin", "");
    size_t pn = strlen(pin);
    if (staff_enabled && !pn) {
        /* staff ids and PINs open the attendant's menu */
    } else if (pn < 4 || pn >= sizeof k->pin || strspn(pin, "0123456789") != pn) {
        snprintf(err, errlen, "kiosk.attendant_pin must be set to 4..15 digits: without it nobody could leave kiosk mode");
        return -1;
    }
    snprintf(k->pin, sizeof k->pin, "%s", pin);
    const char *lane = config_get(cfg, "kiosk.lane", "kiosk");
    if (!lane[0] || strlen(lane) >= sizeof k->lane) {
        snprintf(err, errlen, "kiosk.lane must be 1..%zu characters", sizeof k->lane - 1);
        return -1;
    }
    snprintf(k->lane, sizeof k->lane, "%s", lane);
    const char *hook = config_get(cfg, "kiosk.attendant_hook", "");
    if (strlen(hook) >= sizeof k->hook) {
        snprintf(err, errlen, "kiosk.attendant_hook is longer than %zu characters", sizeof k->hook - 1);
        return -1;
    }
    snprintf(k->hook, sizeof k->hook, "%s", hook);
    if (parse_keys(k, config_get(cfg, "kiosk.keys", ""), err, errlen) || read_languages(k, cfg, err, errlen))
        return -1;
    kiosk_flow_init(&k->flow, &t, 0);
    return 0;
}

static int enabled(const struct config *cfg)
{
    const char *v = config_get(cfg, "kiosk.enabled", "no");
    return strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
}

/* --- the attendant --- */

/* Constant time, so the time taken says nothing about how much of a guess was right. */
static int pin_equal(const char *want, const char *pin)
{
    size_t wn = strlen(want), pn = strlen(pin);
    unsigned diff = (unsigned)(wn ^ pn);
    for (size_t i = 0; i < wn; i++)
        diff |= (unsigned char)want[i] ^ (unsigned char)(i < pn ? pin[i] : 0);
    return diff == 0;
}

/* The one place an attendant is authorised.  On a till without staff: the configured
 * kiosk.attendant_pin.  With staff: "ID*PIN", checked by the staff module (a wrong PIN
 * counts towards that person's lockout) and allowed when their role holds
 * PERM_KIOSK_ATTENDANT; their id goes into k->attendant_id for the audit.  A PIN alone is
 * refused there: it would have to be tried against everyone's hash, and a wrong guess
 * could not count against anyone's lockout. */
static int attendant_authorized(struct app *app, const char *entry)
{
    struct kiosk *k = app->kiosk;
    k->attendant_id[0] = 0;
    if (!app->staff.enabled)
        return pin_equal(k->pin, entry);
    const char *star = strchr(entry, '*');
    size_t idn = star ? (size_t)(star - entry) : 0;
    if (!star || idn == 0 || idn >= sizeof k->attendant_id)
        return 0;
    /* the typed id stays for the audit of a wrong entry */
    snprintf(k->attendant_id, sizeof k->attendant_id, "%.*s", (int)idn, entry);
    struct staff_member who;
    int64_t locked_for = 0;
    if (staff_check_pin(app->store, k->attendant_id, star + 1, loop_wall_time(), &who, &locked_for) != STAFF_PIN_OK)
        return 0;
    if (!perm_allows(&app->staff.perms, PERM_KIOSK_ATTENDANT, who.role)) {
        store_audit(app->store, loop_wall_time(), app->s.terminal_id, who.id, "kiosk_attendant_refused",
                    staff_role_name(who.role));
        return 0;
    }
    return 1;
}

/* Runs kiosk.attendant_hook as `sh -c HOOK till-kiosk REASON LANE` without waiting: a slow
 * hook (a light on a serial line) never holds the loop.  Its output goes nowhere near the
 * screen; the tick reaps it. */
static void run_hook(struct app *app, const char *reason)
{
    struct kiosk *k = app->kiosk;
    if (!k->hook[0])
        return;
    if (k->nhooks == KIOSK_MAX_HOOKS) {
        app_log(app, "kiosk: attendant hook not run for %s: %d still running", reason, KIOSK_MAX_HOOKS);
        return;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    for (int fd = 0; fd <= 2; fd++)
        posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd ? O_WRONLY : O_RDONLY, 0);
    char *argv[] = { "/bin/sh", "-c", k->hook, "till-kiosk", (char *)reason, k->lane, NULL };
    pid_t pid;
    int rc = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc) {
        app_log(app, "kiosk: cannot run the attendant hook: %s", strerror(rc));
        return;
    }
    k->hooks[k->nhooks++] = pid;
}

static void reap_hooks(struct kiosk *k)
{
    for (int i = 0; i < k->nhooks;) {
        int st;
        pid_t r = waitpid(k->hooks[i], &st, WNOHANG);
        if (r == k->hooks[i] || (r < 0 && errno == ECHILD))
            k->hooks[i] = k->hooks[--k->nhooks];
        else
            i++;
    }
}

int kiosk_call_help(struct app *app, const char *reason)
{
    struct kiosk *k = app->kiosk;
    /* a customer pressing help again and again rings once */
    if (k->flow.help_called && strcmp(k->help_reason, reason) == 0)
        return 0;
    k->flow.help_called = 1;
    snprintf(k->help_reason, sizeof k->help_reason, "%s", reason);
    audit(app, "kiosk_help", reason);
    run_hook(app, reason);
    app->dirty = 1;
    return 0;
}

/* --- the sale --- */

static void forget_sale_approvals(struct kiosk *k)
{
    k->age_verified = 0;
    k->napproved = 0;
    k->pay = KIOSK_PAY_NONE;
    k->pay_reason[0] = 0;
    k->hold_item[0] = 0;
    kiosk_flow_release(&k->flow);
}

static int sale_open(const struct app *app)
{
    return app->sale->cart.nlines > 0;
}

static int payment_busy(const struct app *app)
{
    return app->card->state != CARD_IDLE;
}

static void use_language(struct app *app, int i)
{
    struct kiosk *k = app->kiosk;
    if (i != k->language) {
        k->language = i;
        app->dirty = 1;
    }
    i18n_use(k->languages[i]);
}

/* Back to the welcome screen with a fresh sale (or the closed lane), in the store's own
 * language: the next customer starts where every customer does. */
static void to_welcome(struct app *app)
{
    struct kiosk *k = app->kiosk;
    use_language(app, k->default_language);
    forget_sale_approvals(k);
    k->notice[0] = 0;
    k->idle_seconds = 0;
    go(app, k->flow.lane_closed ? KIOSK_CLOSED : KIOSK_WELCOME);
}

/* Pieces of this item in the cart (a line by weight counts one). */
static int64_t pieces_of(const struct cart *c, const char *sku)
{
    int64_t n = 0;
    for (int i = 0; i < c->nlines; i++) {
        const struct cart_line *l = &c->lines[i];
        if (!l->voided && strcmp(l->product.sku, sku) == 0)
            n += l->product.unit == UNIT_EACH ? l->qty / QTY_ONE : 1;
    }
    return n;
}

static int quantity_approved(const struct kiosk *k, const char *sku)
{
    for (int i = 0; i < k->napproved; i++)
        if (strcmp(k->approved_sku[i], sku) == 0)
            return 1;
    return 0;
}

/* The item just scanned: held for the attendant when it needs an age check or goes over
 * the quantity limit; else the customer scans on. */
static int hold_if_needed(struct app *app, int line)
{
    struct kiosk *k = app->kiosk;
    const struct cart_line *l = &app->sale->cart.lines[line];
    if (l->voided)
        return 0;
    if (l->product.age_restricted && !k->age_verified) {
        snprintf(k->hold_item, sizeof k->hold_item, "%s", l->product.name);
        kiosk_flow_hold(&k->flow, KIOSK_HOLD_AGE, line, now_ms(app));
        notice(app, 1, _("%s needs an age check."), l->product.name);
        kiosk_call_help(app, "age");
        return 1;
    }
    if (pieces_of(&app->sale->cart, l->product.sku) > k->max_pieces && !quantity_approved(k, l->product.sku)) {
        snprintf(k->hold_item, sizeof k->hold_item, "%s", l->product.name);
        kiosk_flow_hold(&k->flow, KIOSK_HOLD_QUANTITY, line, now_ms(app));
        notice(app, 1, _("More than %lld of %s need a check."), (long long)k->max_pieces, l->product.name);
        kiosk_call_help(app, "quantity");
        return 1;
    }
    return 0;
}

static void after_item_added(struct app *app, int line)
{
    const struct cart_line *l = &app->sale->cart.lines[line];
    snprintf(app->kiosk->hold_item, sizeof app->kiosk->hold_item, "%s", l->product.name);
    if (hold_if_needed(app, line))
        return;
    char price[48];
    money_format(l->line_total, &app->s.fmt, 1, price, sizeof price);
    notice(app, 0, _("Added: %s  %s"), l->product.name, price);
    go(app, KIOSK_SCAN);
}

/* The open sale came back after a crash or power cut (app/open_cart.c): the customer is
 * probably still there, so the flow goes on where it can, never past a check: an age
 * check or a quantity over the limit waits for the attendant again (a crash must not be a
 * way around one), money already taken is shown as such.  A customer who left is the
 * idle timer's: the sale is cancelled and recorded like any other. */
static void resume_restored_sale(struct app *app)
{
    struct kiosk *k = app->kiosk;
    const struct sale_session *ss = app->sale;
    char detail[96];
    snprintf(detail, sizeof detail, "%s lines %d payments %d", ss->uuid, ss->cart.nlines, ss->tender.n);
    audit(app, "kiosk_sale_resumed", detail);
    forget_sale_approvals(k);
    k->age_verified = app->age.proven > 0;   /* checked before the restart: it stands */
    for (int i = 0; i < ss->cart.nlines; i++)
        if (hold_if_needed(app, i))
            return;
    if (ss->tender.n > 0) {
        go(app, KIOSK_PAY);
        k->pay = KIOSK_PAY_PARTIAL;
        k->pay_tenders = ss->tender.n;
        if (app_amount_due(app) <= 0)
            app_complete_sale(app);   /* paid in full just before the restart: the receipt */
        return;
    }
    notice(app, 0, "%s", _("Your shopping is still here after a short interruption."));
    go(app, KIOSK_SCAN);
}

int kiosk_scan(struct app *app, const char *code)
{
    struct kiosk *k = app->kiosk;
    kiosk_touch(app);
    if (k->flow.step == KIOSK_PIN || k->flow.step == KIOSK_ATTENDANT)
        return -1;   /* the attendant's screen takes no scans */
    switch (k->flow.step) {
    case KIOSK_WELCOME:
    case KIOSK_SCAN:
    case KIOSK_REVIEW:
        break;
    case KIOSK_PAY:
        if (payment_busy(app) || app->sale->tender.n > 0) {
            notice(app, 1, _("Please finish paying first."));
            return -1;
        }
        break;
    case KIOSK_RECEIPT:
    case KIOSK_THANKS:
        /* the next customer's first scan: a new sale, whether or not the item is found */
        app_next_sale(app);
        app->mode = MODE_KIOSK;
        to_welcome(app);
        if (k->flow.step == KIOSK_CLOSED)
            return -1;
        break;
    case KIOSK_BLOCKED:
        notice(app, 1, _("Please wait for staff before scanning more."));
        return -1;
    default:
        return -1;   /* the lane is closed */
    }
    int before = app->sale->cart.nlines;
    app->mode = MODE_SALE;
    int rc = app_add_scan(app, code);
    int weighed = app->mode == MODE_WEIGHT;
    /* a cashier's "is that right?" about a typed quantity: a scan of one piece never asks,
     * and a customer is not asked such a thing */
    if (app->mode == MODE_CONFIRM_LARGE)
        app_confirm_no(app);
    app->mode = MODE_KIOSK;
    if (weighed) {
        notice(app, 1, _("This item is sold by weight: please ask for help."));
        return -1;
    }
    if (rc || app->sale->cart.nlines == before) {
        notice(app, 1, _("This item was not recognised. Scan it again, or press %s for help."),
               k->keys[KIOSK_KEY_HELP].name);
        if (k->flow.step == KIOSK_REVIEW || k->flow.step == KIOSK_PAY)
            go(app, KIOSK_SCAN);
        return -1;
    }
    /* the scanned item's line: a deposit (app/deposit.c) may follow it */
    after_item_added(app, before);
    return 0;
}

int kiosk_review(struct app *app)
{
    struct kiosk *k = app->kiosk;
    if (!kiosk_flow_may_pay(&k->flow))
        return -1;
    if (cart_is_empty(&app->sale->cart) || app->sale->cart.totals.total <= 0) {
        notice(app, 1, _("Scan an item first."));
        return -1;
    }
    /* the amount due is what the tender says: from here on it is this cart's total */
    app->sale->tender.total = app->sale->cart.totals.total;
    k->notice[0] = 0;
    go(app, KIOSK_REVIEW);
    return 0;
}

int kiosk_back_to_scan(struct app *app)
{
    struct kiosk *k = app->kiosk;
    if (payment_busy(app) || app->sale->tender.n > 0) {
        notice(app, 1, _("Part of this sale is paid: please pay the rest, or press %s for help."),
               k->keys[KIOSK_KEY_HELP].name);
        return -1;
    }
    k->pay = KIOSK_PAY_NONE;
    k->notice[0] = 0;
    go(app, KIOSK_SCAN);
    return 0;
}

int kiosk_pay(struct app *app)
{
    struct kiosk *k = app->kiosk;
    if ((k->flow.step != KIOSK_REVIEW && k->flow.step != KIOSK_PAY) || !kiosk_flow_may_pay(&k->flow) ||
        payment_busy(app) || cart_is_empty(&app->sale->cart))
        return -1;
    go(app, KIOSK_PAY);
    k->pay = KIOSK_PAY_WAITING;
    k->pay_reason[0] = 0;
    k->last_status[0] = 0;
    k->notice[0] = 0;
    k->pay_tenders = app->sale->tender.n;
    if (app_pay_card(app, "")) {
        k->pay = KIOSK_PAY_DECLINED;
        snprintf(k->pay_reason, sizeof k->pay_reason, "%.127s", app->message);
        return -1;
    }
    return 0;
}

int kiosk_next_language(struct app *app)
{
    struct kiosk *k = app->kiosk;
    if (k->flow.step != KIOSK_WELCOME || k->nlanguages < 2)
        return -1;
    use_language(app, (k->language + 1) % k->nlanguages);
    k->notice[0] = 0;
    return 0;
}

const char *kiosk_next_language_name(const struct app *app)
{
    const struct kiosk *k = app->kiosk;
    if (k->nlanguages < 2)
        return NULL;
    return i18n_language_name(k->languages[(k->language + 1) % k->nlanguages]);
}

void kiosk_done(struct app *app)
{
    struct kiosk *k = app->kiosk;
    if (k->flow.step == KIOSK_RECEIPT) {
        go(app, KIOSK_THANKS);
    } else if (k->flow.step == KIOSK_THANKS) {
        app_next_sale(app);
        app->mode = MODE_KIOSK;
        to_welcome(app);
    }
}

/* Records an unpaid sale the customer left, then cancels it: the cancelled sale and its
 * lines stay in the audit log, so nothing is lost without a trace. */
static void cancel_abandoned(struct app *app)
{
    const struct cart *c = &app->sale->cart;
    char detail[512];
    size_t n = (size_t)snprintf(detail, sizeof detail, "%s total %lld lines", app->sale->uuid,
                                (long long)c->totals.total);
    for (int i = 0; i < c->nlines && n < sizeof detail; i++)
        n += (size_t)snprintf(detail + n, sizeof detail - n, " %s%s", c->lines[i].product.sku,
                              c->lines[i].voided ? "(void)" : "");
    audit(app, "kiosk_idle_cancel", detail);
    app_cancel_sale(app);
    app->mode = MODE_KIOSK;
    to_welcome(app);
}

/* --- the card payment, as the customer sees it --- */

/* The terminal's prompt without its name ("front: Enter PIN" -> "Enter PIN"). */
static const char *terminal_words(const char *status)
{
    const char *colon = strstr(status, ": ");
    return colon ? colon + 2 : status;
}

/* Runs from the loop, never inside the terminal driver's own callback: a failover starts
 * a new request on the next terminal. */
static void on_card_check(struct loop *loop, void *ctx)
{
    struct app *app = ctx;
    struct kiosk *k = app->kiosk;
    k->card_timer = 0;
    if (kiosk_flow_customer_step(&k->flow) != KIOSK_PAY)
        return;
    switch (app->card->state) {
    case CARD_WAITING:
        /* a new prompt means the customer is at the terminal */
        if (strcmp(k->last_status, app->card->status) != 0) {
            snprintf(k->last_status, sizeof k->last_status, "%s", app->card->status);
            kiosk_touch(app);
        }
        break;
    case CARD_FAILOVER:
        app_card_failover(app);   /* provably not reached: the next terminal, no question */
        break;
    case CARD_UNKNOWN:
        if (k->pay != KIOSK_PAY_UNKNOWN) {
            k->pay = KIOSK_PAY_UNKNOWN;
            kiosk_call_help(app, "payment");
        }
        break;
    case CARD_REVERSING:
        break;
    case CARD_IDLE:
        if (k->pay == KIOSK_PAY_WAITING || k->pay == KIOSK_PAY_UNKNOWN) {
            int partial = app->sale->tender.n > k->pay_tenders;
            k->pay = partial ? KIOSK_PAY_PARTIAL : KIOSK_PAY_DECLINED;
            snprintf(k->pay_reason, sizeof k->pay_reason, "%.127s", terminal_words(app->card->status));
            kiosk_touch(app);
        }
        break;
    }
    app->dirty = 1;
}

void kiosk_sync(struct app *app)
{
    struct kiosk *k = app->kiosk;
    if (!k)
        return;
    enum kiosk_step customer = kiosk_flow_customer_step(&k->flow);
    int staff = k->flow.step == KIOSK_PIN || k->flow.step == KIOSK_ATTENDANT;
    switch (app->mode) {
    case MODE_KIOSK:
    case MODE_RECOVER:   /* the journal's recovery at start-up keeps its own screen */
        break;
    case MODE_RECEIPT:
        /* the sale is saved: receipt, whoever settled the payment */
        app->mode = MODE_KIOSK;
        k->resume_restored = 0;
        k->pay = KIOSK_PAY_NONE;
        k->flow.help_called = 0;
        go(app, KIOSK_RECEIPT);
        break;
    case MODE_UNSAVED:
        /* paid, but the sale could not be saved (disk full): it is retried on its own
         * timer (app/unsaved_sale.c); meanwhile only the attendant can help */
        app->mode = MODE_KIOSK;
        k->pay = KIOSK_PAY_NOT_SAVED;
        kiosk_call_help(app, "not-saved");
        break;
    case MODE_PAY:
        /* card payments are being reversed before a cancel: cancel_now follows */
        app->mode = MODE_KIOSK;
        break;
    default:
        /* MODE_SALE: the sale was cancelled (after its cards were reversed), or start-up
         * recovery is done */
        app->mode = MODE_KIOSK;
        if (k->resume_restored && !staff) {
            k->resume_restored = 0;
            if (sale_open(app) || app->sale->tender.n > 0)
                resume_restored_sale(app);
        } else if (staff) {
            forget_sale_approvals(k);
            k->flow.resume = KIOSK_WELCOME;
        } else if (customer != KIOSK_WELCOME && customer != KIOSK_CLOSED && !sale_open(app)) {
            to_welcome(app);
        }
        break;
    }
    if (customer == KIOSK_PAY && !k->card_timer)
        k->card_timer = loop_add_timer(app->loop, 0, on_card_check, app);
    app->dirty = 1;
}

/* --- idle, auto-advance, hooks --- */

static void on_tick(struct loop *loop, void *ctx)
{
    struct app *app = ctx;
    struct kiosk *k = app->kiosk;
    int64_t now = now_ms(app);
    int secs = 0;
    reap_hooks(k);
    enum kiosk_due due = kiosk_flow_due(&k->flow, now, payment_busy(app), app->sale->tender.n > 0, &secs);
    if (secs != k->idle_seconds) {
        k->idle_seconds = secs;
        app->dirty = 1;
    }
    switch (due) {
    case KIOSK_DUE_NOTHING:
    case KIOSK_DUE_WARN:
        break;
    case KIOSK_DUE_CANCEL_SALE:
        cancel_abandoned(app);
        break;
    case KIOSK_DUE_CALL_HELP:
        kiosk_call_help(app, "unfinished-payment");
        break;
    case KIOSK_DUE_NEXT:
        kiosk_done(app);
        break;
    case KIOSK_DUE_LEAVE_STAFF:
        kiosk_staff_leave(app);
        break;
    }
    /* a language chosen on the welcome screen by someone who then walked away */
    if (k->flow.step == KIOSK_WELCOME && k->language != k->default_language &&
        now - k->flow.last_activity_ms >= k->flow.t.idle_warn_ms)
        use_language(app, k->default_language);
    /* the PIN lock counts down on screen (and its end shows) */
    if (k->flow.step == KIOSK_PIN && k->pin_message == 2)
        app->dirty = 1;
    k->tick_timer = loop_add_timer(loop, KIOSK_TICK_MS, on_tick, app);
}

int kiosk_open(struct app *app, char *err, size_t errlen)
{
    if (!enabled(app->cfg))
        return 0;
    struct kiosk *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (read_config(k, app->cfg, app->staff.enabled, err, errlen)) {
        free(k);
        return -1;
    }
    app->kiosk = k;
    /* every sale from this lane carries its name (the order's cashier field) */
    snprintf(app->s.cashier, sizeof app->s.cashier, "%s", k->lane);
    snprintf(app->card->cashier, sizeof app->card->cashier, "%s", k->lane);
    use_language(app, k->default_language);
    kiosk_flow_go(&k->flow, KIOSK_WELCOME, now_ms(app));
    k->tick_timer = loop_add_timer(app->loop, KIOSK_TICK_MS, on_tick, app);
    audit(app, "kiosk_start", k->lane);
    /* an open sale saved before a crash is back in the session (app_open_cart_restore):
     * resume it now, or once start-up recovery has settled the card journal */
    int restored = sale_open(app) || app->sale->tender.n > 0;
    if (app->mode == MODE_RECOVER) {
        k->resume_restored = restored;
    } else {
        app->mode = MODE_KIOSK;
        if (restored)
            resume_restored_sale(app);
    }
    return 0;
}

void kiosk_close(struct app *app)
{
    struct kiosk *k = app->kiosk;
    if (!k)
        return;
    if (k->tick_timer)
        loop_cancel_timer(app->loop, k->tick_timer);
    if (k->card_timer)
        loop_cancel_timer(app->loop, k->card_timer);
    free(k);
    app->kiosk = NULL;
}

enum kiosk_step kiosk_step(const struct app *app)
{
    return app->kiosk->flow.step;
}

int kiosk_sale_saved(const struct app *app)
{
    enum kiosk_step s = kiosk_flow_customer_step(&app->kiosk->flow);
    return s == KIOSK_RECEIPT || s == KIOSK_THANKS;
}

void kiosk_touch(struct app *app)
{
    struct kiosk *k = app->kiosk;
    kiosk_flow_touch(&k->flow, now_ms(app));
    if (k->idle_seconds) {
        k->idle_seconds = 0;
        app->dirty = 1;
    }
}

void kiosk_refuse_exit(struct app *app)
{
    kiosk_touch(app);
    app->dirty = 1;
}

/* --- the attendant's menu --- */

void kiosk_staff_begin(struct app *app)
{
    struct kiosk *k = app->kiosk;
    if (k->flow.step == KIOSK_PIN || k->flow.step == KIOSK_ATTENDANT)
        return;
    k->pin_message = 0;
    kiosk_flow_staff_begin(&k->flow, now_ms(app));
    app->dirty = 1;
}

int kiosk_staff_pin(struct app *app, const char *pin)
{
    struct kiosk *k = app->kiosk;
    if (k->flow.step != KIOSK_PIN)
        return -1;
    int wait = 0;
    /* while entry is locked nothing is checked, so no staff member's count grows */
    int ok = kiosk_flow_pin_wait_s(&k->flow, now_ms(app)) > 0 ? 0 : attendant_authorized(app, pin);
    switch (kiosk_flow_pin(&k->flow, ok, now_ms(app), &wait)) {
    case KIOSK_PIN_OK:
        k->pin_message = 0;
        audit(app, "kiosk_staff_login", NULL);
        app_set_message(app, 0, "Attendant menu. The customer's screen returns with 0 or Esc.");
        break;
    case KIOSK_PIN_WRONG:
        k->pin_message = 1;
        audit(app, "kiosk_pin_wrong", k->attendant_id[0] ? k->attendant_id : NULL);
        break;
    case KIOSK_PIN_LOCKED:
        if (k->pin_message != 2)
            audit(app, "kiosk_pin_locked", NULL);
        k->pin_message = 2;
        break;
    }
    app->dirty = 1;
    return k->flow.step == KIOSK_ATTENDANT ? 0 : -1;
}

void kiosk_staff_leave(struct app *app)
{
    struct kiosk *k = app->kiosk;
    if (k->flow.step != KIOSK_PIN && k->flow.step != KIOSK_ATTENDANT)
        return;
    kiosk_flow_staff_end(&k->flow, sale_open(app), now_ms(app));
    if (k->flow.step == KIOSK_WELCOME || k->flow.step == KIOSK_CLOSED)
        to_welcome(app);
    app->dirty = 1;
}

static int in_menu(struct app *app)
{
    return app->kiosk->flow.step == KIOSK_ATTENDANT;
}

/* The attendant's commands run in their menu only: they were let in by their PIN and
 * the kiosk_attendant permission (attendant_authorized), which is the command's. */
int cmd_check_kiosk_menu(struct app *app, const char *arg)
{
    return app->kiosk && in_menu(app) ? 0 : -1;
}

int cmd_kiosk_attendant_perm(const struct app *app, const char *arg)
{
    return app->kiosk && app->kiosk->flow.step == KIOSK_ATTENDANT ? CMD_NO_PERM : PERM_KIOSK_ATTENDANT;
}

int cmd_kiosk_approve(struct app *app, const struct cmd_args *a)
{
    struct kiosk *k = app->kiosk;
    if (!in_menu(app))
        return -1;
    if (k->flow.hold == KIOSK_HOLD_NONE) {
        app_set_message(app, 1, "Nothing waits for approval");
        return -1;
    }
    char detail[160];
    snprintf(detail, sizeof detail, "%s %s %s", app->sale->uuid,
             k->flow.hold == KIOSK_HOLD_AGE ? "age" : "quantity", k->hold_item);
    if (k->flow.hold == KIOSK_HOLD_AGE) {
        k->age_verified = 1;   /* one check per customer covers the rest of the sale */
        app_age_record(app, k->flow.hold_line, "attendant approved");
    } else if (k->napproved < KIOSK_MAX_APPROVED) {
        const struct cart_line *l = &app->sale->cart.lines[k->flow.hold_line];
        snprintf(k->approved_sku[k->napproved++], sizeof k->approved_sku[0], "%s", l->product.sku);
    }
    audit(app, "kiosk_approved", detail);
    kiosk_flow_release(&k->flow);
    app_set_message(app, 0, "Approved: %s", k->hold_item);
    notice(app, 0, _("Approved: %s"), k->hold_item);
    return 0;
}

void kiosk_staff_select(struct app *app, int delta)
{
    if (in_menu(app))
        app_select_line(app, delta);
}

int cmd_kiosk_void(struct app *app, const struct cmd_args *a)
{
    struct kiosk *k = app->kiosk;
    if (!in_menu(app))
        return -1;
    int line = app->sale->selected;
    if (app_void_selected(app))
        return -1;
    /* the item on hold is gone: nothing left to approve */
    if (line == k->flow.hold_line)
        kiosk_flow_release(&k->flow);
    return 0;
}

int cmd_kiosk_cancel_sale(struct app *app, const struct cmd_args *a)
{
    if (!in_menu(app))
        return -1;
    if (!sale_open(app)) {
        app_set_message(app, 1, "No open sale to cancel");
        return -1;
    }
    audit(app, "kiosk_staff_cancel", app->sale->uuid);
    /* a paid sale that could not be saved is cancelled only by handing its tenders back */
    /* (the attendant's own command: cancelling the unsaved sale needs no second door) */
    if (app->unsaved.active ? cmd_cancel_unsaved(app, a) : app_cancel_sale(app)) {
        app->mode = MODE_KIOSK;
        return -1;
    }
    kiosk_sync(app);   /* cancelled now, or once the card payments are reversed */
    return 0;
}

/* A COPY of the last receipt, through the print queue like every receipt. */
int cmd_kiosk_reprint(struct app *app, const struct cmd_args *a)
{
    if (!in_menu(app))
        return -1;
    return app_print_reprint(app, 0);
}

int cmd_kiosk_lane(struct app *app, const struct cmd_args *a)
{
    struct kiosk *k = app->kiosk;
    if (!in_menu(app))
        return -1;
    if (!k->flow.lane_closed && sale_open(app)) {
        app_set_message(app, 1, "Finish or cancel the open sale before closing the lane");
        return -1;
    }
    k->flow.lane_closed = !k->flow.lane_closed;
    audit(app, k->flow.lane_closed ? "kiosk_lane_closed" : "kiosk_lane_opened", NULL);
    app_set_message(app, 0, "Lane %s", k->flow.lane_closed ? "closed: customers see 'closed'" : "open");
    return 0;
}

int cmd_kiosk_exit(struct app *app, const struct cmd_args *a)
{
    if (!in_menu(app))
        return -1;
    if (sale_open(app) || payment_busy(app)) {
        app_set_message(app, 1, "A sale is open: cancel it first (3), then exit");
        return -1;
    }
    audit(app, "kiosk_exit", NULL);
    app->quit = 1;
    return 0;
}

int kiosk_staff_card_enquire(struct app *app)
{
    return in_menu(app) ? app_card_enquire(app) : -1;
}

int kiosk_staff_card_resolve(struct app *app, int approved_on_receipt)
{
    if (!in_menu(app) || app_card_resolve(app, approved_on_receipt))
        return -1;
    kiosk_sync(app);   /* approved: the sale completes (receipt); not: the customer may retry */
    return 0;
}

/* The attendant menu's keys name commands (app/commands.c). */
int kiosk_staff_approve(struct app *app)
{
    return app_command(app, "kiosk-approve", NULL, DOOR_KIOSK);
}

int kiosk_staff_void(struct app *app)
{
    return app_command(app, "kiosk-void", NULL, DOOR_KIOSK);
}

int kiosk_staff_cancel_sale(struct app *app)
{
    return app_command(app, "kiosk-cancel-sale", NULL, DOOR_KIOSK);
}

int kiosk_staff_reprint(struct app *app)
{
    return app_command(app, "kiosk-reprint", NULL, DOOR_KIOSK);
}

int kiosk_staff_toggle_lane(struct app *app)
{
    return app_command(app, "kiosk-lane", NULL, DOOR_KIOSK);
}

int kiosk_staff_exit(struct app *app)
{
    return app_command(app, "kiosk-exit", NULL, DOOR_KIOSK);
}
