#include "ui/kiosk_draw.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "src/i18n.h"

void kiosk_draw_init_colors(void)
{
    if (!has_colors())
        return;
    init_pair(KIOSK_PAIR_BANNER, COLOR_WHITE, COLOR_BLUE);
    init_pair(KIOSK_PAIR_HELP, COLOR_BLACK, COLOR_YELLOW);
    init_pair(KIOSK_PAIR_ALERT, COLOR_WHITE, COLOR_RED);
    init_pair(KIOSK_PAIR_GOOD, COLOR_BLACK, COLOR_GREEN);
    init_pair(KIOSK_PAIR_KEY, COLOR_BLACK, COLOR_WHITE);
}

void kiosk_draw_center(int y, int attr, const char *text)
{
    int w = text_columns(text);
    int x = w < COLS ? (COLS - w) / 2 : 0;
    attron(attr);
    draw_text(y, x, COLS - x, text);
    attroff(attr);
}

int kiosk_draw_frame(const struct app *app)
{
    const struct kiosk *k = app->kiosk;
    char left[160], right[64];
    /* TRANSLATORS: the banner's left end, before the store's name */
    snprintf(left, sizeof left, " %s  %s", _("SELF-CHECKOUT"), app->s.store_name);
    snprintf(right, sizeof right, _("Lane %s"), k->lane);
    snprintf(right + strlen(right), sizeof right - strlen(right), " ");
    attron(COLOR_PAIR(KIOSK_PAIR_BANNER) | A_BOLD);
    mvhline(0, 0, ' ', COLS);
    draw_text(0, 0, COLS - text_columns(right) - 1, left);
    draw_text_right(0, COLS, right);
    attroff(COLOR_PAIR(KIOSK_PAIR_BANNER) | A_BOLD);
    if (k->flow.help_called) {
        attron(COLOR_PAIR(KIOSK_PAIR_HELP) | A_BOLD);
        mvhline(1, 0, ' ', COLS);
        attroff(COLOR_PAIR(KIOSK_PAIR_HELP) | A_BOLD);
        kiosk_draw_center(1, COLOR_PAIR(KIOSK_PAIR_HELP) | A_BOLD, _("HELP IS ON THE WAY - staff has been called"));
    }
    return 3;
}

/* 3x5 glyphs: '#' is a full block. */
static const char *glyph(char c)
{
    static const char *const digits[10] = {
        "###" "# #" "# #" "# #" "###", " # " "## " " # " " # " "###", "###" "  #" "###" "#  " "###",
        "###" "  #" "###" "  #" "###", "# #" "# #" "###" "  #" "  #", "###" "#  " "###" "  #" "###",
        "###" "#  " "###" "# #" "###", "###" "  #" "  #" "  #" "  #", "###" "# #" "###" "# #" "###",
        "###" "# #" "###" "  #" "###",
    };
    if (c >= '0' && c <= '9')
        return digits[c - '0'];
    if (c == '-')
        return "   " "   " "###" "   " "   ";
    return NULL;
}

static int is_separator(char c)
{
    return c == ',' || c == '.';
}

/* Columns one UTF-8 character takes in the big text. */
static int big_char_width(const char *s, size_t *bytes)
{
    unsigned char c = (unsigned char)*s;
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    for (size_t i = 1; i < n; i++)
        if (!s[i]) {
            n = i;
            break;
        }
    *bytes = n;
    if (glyph(*s))
        return 4;
    if (is_separator(*s))
        return 2;
    return *s == ' ' ? 1 : 2;
}

int kiosk_big_width(const char *text)
{
    int w = 0;
    size_t n;
    for (const char *s = text; *s; s += n)
        w += big_char_width(s, &n);
    return w;
}

void kiosk_draw_big(int y, int x_center, const char *text)
{
    int x = x_center - kiosk_big_width(text) / 2;
    if (x < 0)
        x = 0;
    size_t n;
    for (const char *s = text; *s; s += n) {
        int w = big_char_width(s, &n);
        const char *g = glyph(*s);
        if (g) {
            for (int r = 0; r < KIOSK_BIG_ROWS; r++)
                for (int c = 0; c < 3; c++)
                    if (g[r * 3 + c] == '#')
                        mvaddstr(y + r, x + c, "\xe2\x96\x88");   /* full block */
        } else if (is_separator(*s)) {
            mvaddstr(y + KIOSK_BIG_ROWS - 1, x, *s == ',' ? "\xe2\x96\x8c" : "\xe2\x96\x84");
        } else if (*s != ' ') {
            mvaddnstr(y + 2, x, s, (int)n);
        }
        x += w;
    }
}

void kiosk_draw_big_money(const struct app *app, int y, int x_center, const char *label, int64_t amount)
{
    char a[48];
    money_format(amount, &app->s.fmt, 1, a, sizeof a);
    attron(A_BOLD);
    int lw = text_columns(label);
    draw_text(y, x_center - lw / 2, COLS, label);
    kiosk_draw_big(y + 1, x_center, a);
    attroff(A_BOLD);
    /* the same in plain text, for a screen reader's eye and a quick glance */
    char plain[96];
    snprintf(plain, sizeof plain, "%s %s", label, a);
    draw_text(y + 1 + KIOSK_BIG_ROWS, x_center - text_columns(plain) / 2, COLS, plain);
}

void kiosk_draw_notice(const struct app *app, int y)
{
    const struct kiosk *k = app->kiosk;
    if (!k->notice[0])
        return;
    kiosk_draw_center(y, k->notice_is_error ? COLOR_PAIR(KIOSK_PAIR_ALERT) | A_BOLD : A_BOLD, k->notice);
}

/* A key cap: a box with the key in reverse video and its label, 3 rows high. */
static void draw_cap(int y, int x, int w, const char *key, const char *label)
{
    mvhline(y, x + 1, ACS_HLINE, w - 2);
    mvhline(y + 2, x + 1, ACS_HLINE, w - 2);
    mvaddch(y, x, ACS_ULCORNER);
    mvaddch(y, x + w - 1, ACS_URCORNER);
    mvaddch(y + 1, x, ACS_VLINE);
    mvaddch(y + 1, x + w - 1, ACS_VLINE);
    mvaddch(y + 2, x, ACS_LLCORNER);
    mvaddch(y + 2, x + w - 1, ACS_LRCORNER);
    char cap[16];
    snprintf(cap, sizeof cap, " %s ", key);
    attron(COLOR_PAIR(KIOSK_PAIR_KEY) | A_BOLD | A_REVERSE);
    mvaddstr(y + 1, x + 2, cap);
    attroff(COLOR_PAIR(KIOSK_PAIR_KEY) | A_BOLD | A_REVERSE);
    attron(A_BOLD);
    draw_text(y + 1, x + 3 + text_columns(cap), w - 5 - text_columns(cap), label);
    attroff(A_BOLD);
}

void kiosk_draw_keys(const struct app *app, struct bindings b)
{
    const struct kiosk *k = app->kiosk;
    int n = 0;
    for (size_t i = 0; i < b.n; i++)
        n += b.keys[i].key_name && b.keys[i].label;
    if (n > 0) {
        int w = (COLS - 2) / n;
        if (w > 34)
            w = 34;
        int x = (COLS - w * n) / 2;
        for (size_t i = 0; i < b.n; i++) {
            if (!b.keys[i].key_name || !b.keys[i].label)
                continue;
            draw_cap(LINES - 4, x, w - 1, b.keys[i].key_name, b.keys[i].label);
            x += w;
        }
    }
    if (k->flow.step == KIOSK_PIN || k->flow.step == KIOSK_ATTENDANT)
        return;
    char staff[48];
    /* TRANSLATORS: small, bottom right: the key that asks for the attendant's PIN */
    snprintf(staff, sizeof staff, _("%s: staff"), k->keys[KIOSK_KEY_STAFF].name);
    attron(A_DIM);
    draw_text_right(LINES - 1, COLS - 1, staff);
    attroff(A_DIM);
}

const char *kiosk_words(const char *text)
{
    return text[0] ? _(text) : text;   /* gettext("") would be the catalog's header */
}

struct binding kiosk_binding(const struct app *app, enum kiosk_key_action a, const char *label,
                             const char *help, int (*run)(struct ui *ui, struct app *app))
{
    const struct kiosk_key *key = &app->kiosk->keys[a];
    struct binding b = { (wint_t)key->ch, 0, key->name, label, help, run };
    if (key->fn) {
        b.code = (wint_t)KEY_F(key->fn);
        b.is_key = 1;
    }
    return b;
}

int kiosk_run_staff(struct ui *ui, struct app *app)
{
    kiosk_staff_begin(app);
    return UI_REDRAW;
}

int kiosk_run_help(struct ui *ui, struct app *app)
{
    kiosk_call_help(app, "help");
    return UI_REDRAW;
}

static void draw_cart_line(const struct app *app, int y, int x, int w, int i, int selected)
{
    const struct cart_line *l = &app->sale->cart.lines[i];
    char name[160], total[48], qty[32];
    money_format(l->line_total, &app->s.fmt, 1, total, sizeof total);
    qty[0] = 0;
    if (l->product.unit == UNIT_KG) {
        qty_format(l->qty, qty, sizeof qty);
        snprintf(name, sizeof name, "%s kg %s", qty, l->product.name);
    } else if (l->qty != QTY_ONE) {
        qty_format(l->qty, qty, sizeof qty);
        snprintf(name, sizeof name, "%s x %s", qty, l->product.name);
    } else {
        snprintf(name, sizeof name, "%s", l->product.name);
    }
    int attr = selected ? A_REVERSE : l->voided ? A_DIM : 0;
    attron(attr);
    mvhline(y, x, ' ', w);
    draw_text(y, x + 1, w - 16, name);
    /* TRANSLATORS: in place of a voided line's price; at most 12 columns */
    draw_text_right(y, x + w - 1, l->voided ? _("removed") : total);
    attroff(attr);
}

void kiosk_draw_cart(const struct app *app, int y, int x, int w, int rows, int select)
{
    const struct cart *c = &app->sale->cart;
    int focus = select && app->sale->selected >= 0 ? app->sale->selected : c->nlines - 1;
    int first = focus >= rows ? focus - rows + 1 : 0;
    if (c->nlines - first > rows && !select)
        first = c->nlines - rows;
    if (first > 0 && rows > 1) {
        char more[48];
        snprintf(more, sizeof more, _("... %d more above"), first + 1);
        attron(A_DIM);
        draw_text(y, x + 1, w - 2, more);
        attroff(A_DIM);
        first++;
        y++;
        rows--;
    }
    for (int i = first, r = 0; i < c->nlines && r < rows; i++, r++)
        draw_cart_line(app, y + r, x, w, i, select && i == app->sale->selected);
}
