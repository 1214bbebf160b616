/* The sale screen: header, cart lines, totals, message, input line, footer. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <ctype.h>
#include <stdlib.h>
#include <strings.h>

#include "app/app_fiscal.h"
#include "app/app.h"
#include "app/app_print.h"
#include "ui/screen.h"

static void draw_header(const struct app *app)
{
    char left[160], right[320], clock[16];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(clock, sizeof clock, "%H:%M", &tm);
    const struct app_sync *st = &app->sync;
    snprintf(left, sizeof left, " %s | Till %s | Cashier %s", app->s.store_name,
             app->s.terminal_id, app_cashier_name(app));
    const char *net = !st->configured ? "standalone" : st->online ? "online" : "OFFLINE";
    const char *scanner = app->scanner.status;
    const char *tse = app_fiscal_status(app);   /* Germany's TSE: "TSE ok" / "TSE ausgefallen" */
    char tse_part[64] = "";
    if (tse)
        snprintf(tse_part, sizeof tse_part, "%.40s | ", tse);
    snprintf(right, sizeof right, "%s%s%s%s%s%s | %s ", st->catalog, st->catalog[0] ? " | " : "", scanner,
             scanner[0] ? " | " : "", tse_part, net, clock);
    attron(COLOR_PAIR(COLOR_HEADER) | A_BOLD);
    mvhline(0, 0, ' ', COLS);
    draw_text(0, 0, COLS - text_columns(right) - 1, left);
    draw_text_right(0, COLS, right);
    attroff(COLOR_PAIR(COLOR_HEADER) | A_BOLD);
}

/* Cart columns, right-aligned numbers as wide as the widest of the sale, so a long total
 * never runs into the price; the name gets the rest.  Too narrow for all: no Price. */
struct columns {
    int name_w, qty_end, price_end, total_end;   /* x_end: one past the last column */
    int qty_w, price_w;
};

static void line_cells(const struct app *app, const struct cart_line *l, char *qty, size_t qlen,
                       char *price, size_t plen, char *total, size_t tlen)
{
    money_format_qty(l->qty, l->product.unit == UNIT_KG, &app->s.fmt, qty, qlen);
    if (l->product.unit == UNIT_KG)
        strncat(qty, " kg", qlen - strlen(qty) - 1);
    money_format(l->unit_price, &app->s.fmt, 0, price, plen);
    money_format(l->line_total, &app->s.fmt, 0, total, tlen);
}

static struct columns layout_columns(const struct app *app)
{
    int qty_w = 10, price_w = 11, total_w = 11;
    for (int i = 0; i < app->sale->cart.nlines; i++) {
        char q[48], p[48], t[48];
        line_cells(app, &app->sale->cart.lines[i], q, sizeof q, p, sizeof p, t, sizeof t);
        if (text_columns(q) > qty_w)
            qty_w = text_columns(q);
        if (text_columns(p) > price_w)
            price_w = text_columns(p);
        if (text_columns(t) > total_w)
            total_w = text_columns(t);
    }
    struct columns c;
    c.total_end = COLS - 1;
    c.price_w = price_w;
    c.price_end = c.total_end - total_w - 2;
    c.qty_w = qty_w;
    c.qty_end = c.price_end - price_w - 2;
    c.name_w = c.qty_end - qty_w - 2 - 4;
    if (c.name_w < 12) {   /* a name needs room more than the unit price does */
        c.price_w = 0;
        c.qty_end = c.price_end;
        c.name_w = c.qty_end - qty_w - 2 - 4;
    }
    return c;
}

static void draw_line(const struct app *app, const struct columns *c, int y, int i)
{
    const struct cart_line *l = &app->sale->cart.lines[i];
    char qty[48], price[48], total[48], name[420];
    line_cells(app, l, qty, sizeof qty, price, sizeof price, total, sizeof total);
    char off[128] = "";
    if (l->discount > 0) {
        char d[48];
        money_format(-l->discount, &app->s.fmt, 0, d, sizeof d);
        snprintf(off, sizeof off, "  %s %s", d, l->discount_label);
    }
    int sel = i == app->sale->selected;
    char stock[96] = "";
    if (sel && app->stock.known && strcmp(app->stock.sku, l->product.sku) == 0) {
        char q[32], when[16] = "never";
        money_format_qty(app->stock.on_hand, l->product.unit == UNIT_KG, &app->s.fmt, q, sizeof q);
        if (app->stock.synced_at) {
            time_t t = (time_t)app->stock.synced_at;
            struct tm tm;
            strftime(when, sizeof when, "%H:%M", localtime_r(&t, &tm));
        }
        /* selling on is allowed: the server counts it as oversold */
        snprintf(stock, sizeof stock, "  [stock %s%s, synced %s]", q, app->stock.on_hand <= 0 ? " OUT" : "", when);
    }
    snprintf(name, sizeof name, "%s%s%s%s%s%s", l->voided ? "VOID " : "", l->qty < 0 ? "RETURN " : "",
             l->product.name, l->expired ? " (EXPIRED)" : "", off, stock);
    if (sel)
        attron(COLOR_PAIR(COLOR_SELECTED));
    if (l->voided)
        attron(A_DIM);
    mvhline(y, 0, ' ', COLS);
    mvprintw(y, 0, "%3d ", i + 1);
    draw_text(y, 4, c->name_w, name);
    draw_text_right(y, c->qty_end, qty);
    if (c->price_w)
        draw_text_right(y, c->price_end, price);
    draw_text_right(y, c->total_end, total);
    if (l->voided) {
        /* a rule after the name marks the line as struck out, as on paper */
        int from = 4 + text_columns(name) + 1, to = c->qty_end - c->qty_w - 1;
        if (to > from)
            mvhline(y, from, ACS_HLINE, to - from);
        attroff(A_DIM);
    }
    if (sel)
        attroff(COLOR_PAIR(COLOR_SELECTED));
}

static void draw_totals(const struct app *app, int y)
{
    const struct tax_totals *t = &app->sale->cart.totals;
    char buf[256], amount[48], rate[32], total[80];
    money_format(t->total, &app->s.fmt, 1, amount, sizeof amount);
    snprintf(total, sizeof total, "TOTAL %s", amount);
    size_t n = 0;
    if (app->customer.name[0])
        n = (size_t)snprintf(buf, sizeof buf, "Customer %.24s%s%s%s  ", app->customer.name,
                             app->sale->cart.customer_segment[0] ? " (" : "", app->sale->cart.customer_segment,
                             app->sale->cart.customer_segment[0] ? ")" : "");
    n += (size_t)snprintf(buf + n, sizeof buf - n, "Items %lld  %s", (long long)cart_item_count(&app->sale->cart),
                          app->s.tax.mode == TAX_INCLUSIVE ? "incl. tax" : "tax");
    for (int i = 0; i < t->nclasses && n < sizeof buf; i++) {
        money_format(t->classes[i].tax, &app->s.fmt, 0, amount, sizeof amount);
        money_format_rate(t->classes[i].rate_ppm, &app->s.fmt, rate, sizeof rate);
        n += (size_t)snprintf(buf + n, sizeof buf - n, "  %s %s %s", t->classes[i].code, rate, amount);
    }
    mvhline(y - 1, 0, ACS_HLINE, COLS);
    /* the tax summary gives way to the total, never the other way round */
    draw_text(y, 1, COLS - 1 - text_columns(total) - 3, buf);
    attron(A_BOLD | COLOR_PAIR(COLOR_TOTAL));
    draw_text_right(y, COLS - 1, total);
    attroff(A_BOLD | COLOR_PAIR(COLOR_TOTAL));
}

static void draw_status(const struct app *app, int y)
{
    char buf[256];
    const struct app_sync *st = &app->sync;
    if (st->configured) {
        char when[16] = "never";
        if (st->last_sync_at) {
            time_t t = (time_t)st->last_sync_at;
            struct tm tm;
            localtime_r(&t, &tm);
            strftime(when, sizeof when, "%H:%M:%S", &tm);
        }
        int n = snprintf(buf, sizeof buf, "Queued sales: %lld  Last sync: %s", (long long)st->queued, when);
        if (st->parked && n > 0 && (size_t)n < sizeof buf)
            n += snprintf(buf + n, sizeof buf - (size_t)n, "  REJECTED by the server: %lld (manager: till --outbox)",
                          (long long)st->parked);
        if (st->refused[0] && n > 0 && (size_t)n < sizeof buf)
            n += snprintf(buf + n, sizeof buf - (size_t)n, "  %s", st->refused);
        if (!st->online && st->error[0] && n > 0 && (size_t)n < sizeof buf)
            snprintf(buf + n, sizeof buf - (size_t)n, "  (%.120s)", st->error);
    } else {
        snprintf(buf, sizeof buf, "Queued sales: %lld (no store server configured)", (long long)st->queued);
    }
    size_t n = strlen(buf);
    /* the printer, when it has something to say: a problem, receipts waiting, the drawer */
    const struct app_printing *pr = &app->printing;
    n = strlen(buf);
    if ((pr->problem || pr->queued || strstr(pr->status, "DRAWER")) && n < sizeof buf)
        snprintf(buf + n, sizeof buf - n, "  | %s, %lld to print (F6)", pr->status, (long long)pr->queued);
    /* receipts left from before a restart, written in the background: first, so a long
     * sync line does not cut it off */
    char line[sizeof buf + sizeof app->catch_up.status + 4];
    snprintf(line, sizeof line, "%s%s%s", app->catch_up.status, app->catch_up.status[0] ? " | " : "", buf);
    attron(pr->problem ? COLOR_PAIR(COLOR_ERROR) | A_BOLD : A_DIM);
    draw_text_fit(y, 1, COLS - 2, line, " ");   /* "connection refused", never "connection refu" */
    attroff(COLOR_PAIR(COLOR_ERROR) | A_BOLD | A_DIM);
}

/* Cart rows: from row 2 to above the totals' rule. */
static int cart_rows(void)
{
    return LINES - 6 - 2;
}

static int sale_draw(const struct ui *ui, const struct app *app)
{
    const struct sale_session *sale = app->sale;
    struct columns c = layout_columns(app);
    draw_header(app);
    attron(A_BOLD);
    mvprintw(1, 0, "  # Item");
    draw_text_right(1, c.qty_end, "Qty");
    if (c.price_w)
        draw_text_right(1, c.price_end, "Price");
    draw_text_right(1, c.total_end, "Total");
    attroff(A_BOLD);

    int top_row = 2, rows = cart_rows();
    int first = 0;
    int focus = sale->selected >= 0 ? sale->selected : sale->cart.nlines - 1;
    if (focus >= rows)
        first = focus - rows + 1;
    if (sale->cart.nlines == 0) {
        attron(A_DIM);
        mvprintw(top_row + 1, 4, "Empty sale. Scan an item or type its barcode and press Enter.");
        mvprintw(top_row + 2, 4, "No barcode at hand? F4 finds a product by name.");
        mvprintw(top_row + 3, 4, "Type 3* before a scan to sell three.  F1 shows all keys.");
        mvprintw(top_row + 4, 4, "Ctrl-R takes a return, Ctrl-P resumes a parked sale.");
        attroff(A_DIM);
    }
    for (int i = first; i < sale->cart.nlines && i - first < rows; i++)
        draw_line(app, &c, top_row + i - first, i);

    draw_totals(app, LINES - 5);
    /* lines out of view are counted on the rules around the cart, never over a line */
    int below = sale->cart.nlines - first - rows;
    char more[64];
    attron(A_BOLD);
    if (first > 0) {
        snprintf(more, sizeof more, "^ %d more above (PgUp)", first);
        draw_text(1, 10, c.name_w - 6, more);
    }
    if (below > 0) {
        snprintf(more, sizeof more, " v %d more below (PgDn) ", below);
        draw_text(LINES - 6, 3, COLS - 6, more);
    }
    attroff(A_BOLD);
    if (app->message[0]) {
        attron(app->message_is_error ? COLOR_PAIR(COLOR_ERROR) | A_BOLD : COLOR_PAIR(COLOR_OK));
        draw_text_fit(LINES - 4, 1, COLS - 2, app->message, " ");   /* never mid-word */
        attroff(COLOR_PAIR(COLOR_ERROR) | COLOR_PAIR(COLOR_OK) | A_BOLD);
    }
    draw_status(app, LINES - 2);
    if (app->mode != MODE_SALE)
        return 0;
    char label[64];
    if (sale->pending_qty) {
        char q[32];
        money_format_qty(sale->pending_qty, 0, &app->s.fmt, q, sizeof q);
        snprintf(label, sizeof label, "Barcode (x%s):", q);
    } else {
        snprintf(label, sizeof label, "Barcode:");
    }
    draw_field(LINES - 3, 1, COLS - 2, label, ui->input);
    return 1;
}

static int submit(struct ui *ui, struct app *app)
{
    char text[UI_INPUT_MAX];
    snprintf(text, sizeof text, "%s", ui->input);
    ui->input[0] = 0;
    app_submit_input(app, text);
    return UI_REDRAW;
}

static int select_up(struct ui *ui, struct app *app) { app_select_line(app, -1); return UI_REDRAW; }
static int select_down(struct ui *ui, struct app *app) { app_select_line(app, +1); return UI_REDRAW; }
/* A page is what the cart shows; the selection leads and the view follows it. */
static int page_up(struct ui *ui, struct app *app) { app_select_line(app, -cart_rows()); return UI_REDRAW; }
static int page_down(struct ui *ui, struct app *app) { app_select_line(app, +cart_rows()); return UI_REDRAW; }
static int first_line(struct ui *ui, struct app *app) { app_select_line(app, -CART_MAX_LINES); return UI_REDRAW; }
static int last_line(struct ui *ui, struct app *app) { app_select_line(app, +CART_MAX_LINES); return UI_REDRAW; }

static int clear_input(struct ui *ui, struct app *app)
{
    ui->input[0] = 0;
    app_clear_pending_qty(app);
    return UI_REDRAW;
}

/* The sale screen's keys: one table; each action names its command (app/commands.c),
 * whose door checks its permission.  The footer shows the function keys (the line is full
 * at 80 columns); everything is in F1's help.  BIND_STAFF keys only where staff sign on,
 * BIND_NO_STAFF only where they do not (F9 is then the stock count). */
static const struct binding sale_keys[] = {
    { KEY_F(1), 1, "F1", "Help", "this help (Esc closes it)", NULL, "help" },
    { KEY_F(2), 1, "F2", "Qty", "change the quantity of the selected line", NULL, "quantity" },
    { KEY_F(3), 1, "F3", "Void", "void the selected line (after F5 it needs the void permission)", NULL,
      "void-line" },
    { KEY_F(4), 1, "F4", "Search", "search a product by name", NULL, "search" },
    { KEY_F(5), 1, "F5", "Pay", "pay: cash, card or voucher, mixed until nothing is due", NULL, "pay" },
    /* the footer is full at 80 columns: the printer's keys are in the help */
    { KEY_F(6), 1, "F6", NULL, "printer: retry or skip a waiting receipt, reprint one", NULL, "printer" },
    { KEY_F(7), 1, "F7", NULL, "no sale: open the cash drawer between sales", NULL, "no-sale" },
    { KEY_F(8), 1, "F8", "Cancel sale", "cancel the whole sale (cancel permission)", NULL, "cancel-sale" },
    { KEY_F(9), 1, "F9", NULL, "stock count: count a zone, variance report, submit", NULL, "stock-count",
      BIND_NO_STAFF },
    { KEY_F(9), 1, "F9", "Manager", "cash in/out, no sale, X and Z reports, shift, stock count, sign off", NULL,
      "manager", BIND_STAFF },
    /* returns, discounts and parking: Ctrl keys (the F keys are taken) */
    { CTRL('D'), 0, "Ctrl-D", NULL, "a discount (10% or 2,50) on the selected line or the sale", NULL, "discount" },
    { CTRL('R'), 0, "Ctrl-R", NULL, "return items: against a receipt, or without one (refund permission)", NULL,
      "return" },
    { CTRL('P'), 0, "Ctrl-P", NULL, "park the sale (with items), or resume a parked one (empty sale)", NULL, "park" },
    { CTRL('K'), 0, "Ctrl-K", NULL, "the sale's customer: by name or card (or scan the loyalty card)", NULL,
      "customer" },
    { CTRL('O'), 0, "Ctrl-O", NULL, "override the selected line's unit price (price override permission)", NULL,
      "price" },
    { KEY_F(10), 1, "F10", "Quit", "quit (a completed sale is always saved; an open one is cancelled)", NULL,
      "quit" },
    { KEY_F(11), 1, "F11", NULL, "stock lookup: scan an item, see its stock (live when online)", NULL,
      "stock-lookup" },
    { KEY_F(12), 1, "F12", NULL, "lock the screen (your open sale is kept for you)", NULL, "lock", BIND_STAFF },
    { '\r', 0, "Enter", NULL, "look up what is typed (a barcode, or 3*BARCODE)", submit },
    { KEY_UP, 1, "Up/Down", NULL, "select a cart line (PgUp/PgDn a page, Home/End the first or last)", select_up },
    { KEY_DOWN, 1, NULL, NULL, NULL, select_down },
    { KEY_PPAGE, 1, NULL, NULL, NULL, page_up },
    { KEY_NPAGE, 1, NULL, NULL, NULL, page_down },
    { KEY_HOME, 1, NULL, NULL, NULL, first_line },
    { KEY_END, 1, NULL, NULL, NULL, last_line },
    { 27, 0, "Esc", NULL, "clear the input line", clear_input },
};

#define NSALE_KEYS (sizeof sale_keys / sizeof sale_keys[0])

/* Keys moved by [keys] sale = COMMAND:KEY, ... (ui_rebind_sale_keys). */
static struct {
    int n;
    struct { const char *command; wint_t code; int is_key; char name[16]; } to[NSALE_KEYS];
} rebound;

static void effective_key(size_t i, wint_t *code, int *is_key, const char **name);

/* The keys of this till: those for a till with or without staff, as rebound. */
static struct bindings sale_bindings(const struct app *app)
{
    static struct binding active[NSALE_KEYS];
    size_t n = 0;
    unsigned skip = app->staff.enabled ? BIND_NO_STAFF : BIND_STAFF;
    for (size_t i = 0; i < NSALE_KEYS; i++) {
        if (sale_keys[i].when == skip)
            continue;
        active[n] = sale_keys[i];
        effective_key(i, &active[n].code, &active[n].is_key, &active[n].key_name);
        n++;
    }
    return (struct bindings){ active, n };
}

/* "F8", "Ctrl-D": 0, or -1. */
static int parse_key(const char *s, wint_t *code, int *is_key, char *name, size_t len)
{
    char *end;
    if ((s[0] == 'F' || s[0] == 'f') && s[1]) {
        long f = strtol(s + 1, &end, 10);
        if (*end || f < 1 || f > 12)
            return -1;
        *code = (wint_t)KEY_F(f);
        *is_key = 1;
        snprintf(name, len, "F%ld", f);
        return 0;
    }
    if (strncasecmp(s, "ctrl-", 5) == 0 && s[5] && !s[6] && isalpha((unsigned char)s[5])) {
        int c = toupper((unsigned char)s[5]);
        /* Ctrl-C quits from every screen, Ctrl-H/I/J/M are Backspace, Tab and Enter, Ctrl-U clears */
        if (strchr("CHIJMU", c))
            return -1;
        *code = (wint_t)CTRL(c);
        *is_key = 0;
        snprintf(name, len, "Ctrl-%c", c);
        return 0;
    }
    return -1;
}

/* The key entry i is on now (rebound or its own). */
static void effective_key(size_t i, wint_t *code, int *is_key, const char **name)
{
    *code = sale_keys[i].code;
    *is_key = sale_keys[i].is_key;
    *name = sale_keys[i].key_name;
    for (int r = 0; r < rebound.n; r++)
        if (sale_keys[i].command && strcmp(sale_keys[i].command, rebound.to[r].command) == 0) {
            *code = rebound.to[r].code;
            *is_key = rebound.to[r].is_key;
            *name = rebound.to[r].name;
        }
}

/* One COMMAND:KEY of keys.sale. */
static int rebind_one(const char *item, char *err, size_t errlen)
{
    const char *colon = strchr(item, ':');
    if (!colon) {
        snprintf(err, errlen, "keys.sale: '%s' is not COMMAND:KEY (e.g. cancel-sale:F8)", item);
        return -1;
    }
    const char *command = NULL;
    for (size_t i = 0; i < NSALE_KEYS; i++)
        if (sale_keys[i].command && strlen(sale_keys[i].command) == (size_t)(colon - item) &&
            strncmp(sale_keys[i].command, item, (size_t)(colon - item)) == 0)
            command = sale_keys[i].command;
    if (!command) {
        snprintf(err, errlen, "keys.sale: '%.*s' is not a command of the sale screen", (int)(colon - item), item);
        return -1;
    }
    if (rebound.n >= (int)NSALE_KEYS)
        return 0;
    int r = rebound.n;
    if (parse_key(colon + 1, &rebound.to[r].code, &rebound.to[r].is_key, rebound.to[r].name,
                  sizeof rebound.to[r].name)) {
        snprintf(err, errlen, "keys.sale: '%s' is not a key (F1..F12 or Ctrl-A..Ctrl-Z)", colon + 1);
        return -1;
    }
    rebound.to[r].command = command;
    rebound.n++;
    return 0;
}

/* keys.sale = cancel-sale:F8, stock-lookup:Ctrl-L, ... (any subset; the rest keep theirs). */
int ui_rebind_sale_keys(const char *spec, char *err, size_t errlen)
{
    rebound.n = 0;
    const char *p = spec ? spec : "";
    while (*p) {
        size_t n = strcspn(p, ",");
        char item[64];
        const char *a = p, *b = p + n;
        while (a < b && *a == ' ')
            a++;
        while (b > a && b[-1] == ' ')
            b--;
        if (b - a >= (long)sizeof item) {
            snprintf(err, errlen, "keys.sale: '%.*s' is too long", (int)(b - a), a);
            return -1;
        }
        memcpy(item, a, (size_t)(b - a));
        item[b - a] = 0;
        if (item[0] && rebind_one(item, err, errlen))
            return -1;
        p += n + (p[n] == ',');
    }
    /* two actions on one key: the first would hide the second */
    for (size_t i = 0; i < NSALE_KEYS; i++)
        for (size_t j = i + 1; j < NSALE_KEYS; j++) {
            wint_t ci, cj;
            int ki, kj;
            const char *ni, *nj;
            if ((sale_keys[i].when | sale_keys[j].when) == (BIND_STAFF | BIND_NO_STAFF))
                continue;   /* never on the same till */
            effective_key(i, &ci, &ki, &ni);
            effective_key(j, &cj, &kj, &nj);
            if (ci == cj && ki == kj) {
                snprintf(err, errlen, "keys.sale: %s and %s are both on %s",
                         sale_keys[i].command ? sale_keys[i].command : "typing",
                         sale_keys[j].command ? sale_keys[j].command : "typing", ni ? ni : "one key");
                rebound.n = 0;
                return -1;
            }
        }
    return 0;
}

static int sale_key(struct ui *ui, struct app *app, struct ui_key k)
{
    int r = bindings_dispatch(sale_bindings(app), ui, app, k);
    if (r)
        return r;
    return field_edit(ui->input, sizeof ui->input, k);
}

const struct screen screen_sale = {
    .name = "sale",
    .draw = sale_draw,
    .key = sale_key,
    .bindings = sale_bindings,
};
