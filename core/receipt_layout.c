#include "core/receipt_layout.h"
#include "core/textbuf.h"

#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES (RL_MAX_WIDTH * 4 + 1)

void rl_init(struct receipt_layout *l, int width)
{
    memset(l, 0, sizeof *l);
    l->width = width < RL_MIN_WIDTH ? RL_MIN_WIDTH : width > RL_MAX_WIDTH ? RL_MAX_WIDTH : width;
}

void rl_free(struct receipt_layout *l)
{
    for (int i = 0; i < l->n; i++) {
        free(l->items[i].left);
        free(l->items[i].right);
    }
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

void rl_fold_to(struct receipt_layout *l, enum escpos_codepage cp)
{
    l->fold = 1;
    l->codepage = cp;
}

static char *dup_or_null(const struct receipt_layout *l, const char *s, int *failed)
{
    if (!s)
        return NULL;
    char *d;
    if (l->fold) {
        /* a substitute is at most 3 bytes per code point of at least 1 byte */
        size_t cap = strlen(s) * 3 + 1;
        d = malloc(cap);
        if (d)
            escpos_fold(l->codepage, s, d, cap);
    } else {
        d = strdup(s);
    }
    if (!d)
        *failed = 1;
    return d;
}

static struct rl_item *add(struct receipt_layout *l, enum rl_kind kind, enum rl_align align,
                           unsigned style, const char *left, const char *right)
{
    if (l->failed)
        return NULL;
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 64;
        struct rl_item *p = realloc(l->items, (size_t)cap * sizeof *p);
        if (!p) {
            l->failed = 1;
            return NULL;
        }
        l->items = p;
        l->cap = cap;
    }
    struct rl_item *it = &l->items[l->n];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->align = align;
    it->style = style;
    it->left = dup_or_null(l, left ? left : "", &l->failed);
    it->right = right && *right ? dup_or_null(l, right, &l->failed) : NULL;
    if (l->failed) {
        free(it->left);
        free(it->right);
        return NULL;
    }
    l->n++;
    return it;
}

void rl_text(struct receipt_layout *l, enum rl_align align, unsigned style, const char *text)
{
    add(l, RL_TEXT, align, style, text, NULL);
}

void rl_pair(struct receipt_layout *l, unsigned style, const char *left, const char *right)
{
    add(l, RL_TEXT, RL_LEFT, style, left, right);
}

void rl_rule(struct receipt_layout *l, char fill)
{
    struct rl_item *it = add(l, RL_RULE, RL_LEFT, 0, NULL, NULL);
    if (it)
        it->fill = fill;
}

void rl_code(struct receipt_layout *l, enum rl_kind kind, const char *data)
{
    add(l, kind, RL_CENTER, 0, data, NULL);
}

int rl_text_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

size_t rl_text_prefix(const char *s, int cols)
{
    size_t i = 0;
    int w = 0;
    while (s[i]) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && w++ == cols)
            break;
        i++;
    }
    return i;
}

int rl_columns(const struct receipt_layout *l, const struct rl_item *it)
{
    return it->style & RL_DOUBLE ? l->width / 2 : l->width;
}

struct line {
    char s[LINE_MAX_BYTES];
    size_t len;
};

static void line_put(struct line *ln, const char *s, size_t n)
{
    if (n > sizeof ln->s - 1 - ln->len)
        n = sizeof ln->s - 1 - ln->len;
    memcpy(ln->s + ln->len, s, n);
    ln->len += n;
    ln->s[ln->len] = 0;
}

static void line_spaces(struct line *ln, int n)
{
    for (int i = 0; i < n; i++)
        line_put(ln, " ", 1);
}

static void emit_trimmed(struct line *ln, void (*emit)(void *, const char *), void *ctx)
{
    while (ln->len && ln->s[ln->len - 1] == ' ')
        ln->s[--ln->len] = 0;
    emit(ctx, ln->s);
    ln->len = 0;
    ln->s[0] = 0;
}

/* The next piece of *s that fits in cols columns, broken after a space when the text
 * goes on; *s moves past it and the spaces after it. */
static size_t next_piece(const char **s, int cols)
{
    const char *t = *s;
    size_t n = rl_text_prefix(t, cols);
    if (t[n]) {
        size_t brk = n;
        while (brk > 0 && t[brk] != ' ' && t[brk - 1] != ' ')
            brk--;
        if (brk > 0)
            n = brk;
    }
    size_t piece = n;
    while (piece > 0 && t[piece - 1] == ' ')
        piece--;
    t += n;
    while (*t == ' ')
        t++;
    *s = t;
    return piece;
}

static void aligned(const char *text, size_t n, enum rl_align align, int cols,
                    void (*emit)(void *, const char *), void *ctx)
{
    struct line ln = { .len = 0 };
    char tmp[LINE_MAX_BYTES];
    size_t k = n < sizeof tmp - 1 ? n : sizeof tmp - 1;
    memcpy(tmp, text, k);
    tmp[k] = 0;
    int w = rl_text_width(tmp);
    if (align == RL_CENTER)
        line_spaces(&ln, (cols - w) / 2);
    else if (align == RL_RIGHT)
        line_spaces(&ln, cols - w);
    line_put(&ln, tmp, k);
    emit_trimmed(&ln, emit, ctx);
}

static void wrapped(const char *text, enum rl_align align, int cols,
                    void (*emit)(void *, const char *), void *ctx)
{
    const char *s = text;
    do {
        const char *start = s;
        size_t n = next_piece(&s, cols);
        aligned(start, n, align, cols, emit, ctx);
    } while (*s);
}

static void pair(const char *left, const char *right, int cols,
                 void (*emit)(void *, const char *), void *ctx)
{
    int rw = rl_text_width(right);
    if (rw >= cols) {
        if (*left)
            wrapped(left, RL_LEFT, cols, emit, ctx);
        wrapped(right, RL_RIGHT, cols, emit, ctx);
        return;
    }
    /* Every piece of the left text but the last on its own line; the last shares its
     * line with the right text when both fit. */
    const char *s = left;
    struct line ln = { .len = 0 };
    for (;;) {
        const char *start = s;
        size_t n = next_piece(&s, cols);
        char piece[LINE_MAX_BYTES];
        size_t k = n < sizeof piece - 1 ? n : sizeof piece - 1;
        memcpy(piece, start, k);
        piece[k] = 0;
        if (*s) {
            aligned(piece, k, RL_LEFT, cols, emit, ctx);
            continue;
        }
        int pw = rl_text_width(piece);
        if (pw + 1 + rw > cols) {
            aligned(piece, k, RL_LEFT, cols, emit, ctx);
            pw = 0;
            k = 0;
        }
        line_put(&ln, piece, k);
        line_spaces(&ln, cols - pw - rw);
        line_put(&ln, right, strlen(right));
        emit_trimmed(&ln, emit, ctx);
        return;
    }
}

void rl_item_lines(const struct receipt_layout *l, const struct rl_item *it,
                   void (*emit)(void *ctx, const char *line), void *ctx)
{
    int cols = rl_columns(l, it);
    switch (it->kind) {
    case RL_RULE: {
        struct line ln = { .len = 0 };
        for (int i = 0; i < cols; i++)
            line_put(&ln, &it->fill, 1);
        emit(ctx, ln.s);
        return;
    }
    case RL_CODE128:
    case RL_QR:
        /* a QR code's data can be long (a TSE's V0 text): wrapped, so the screen shows all of it */
        if (it->kind == RL_QR && rl_text_width(it->left) > cols)
            wrapped(it->left, RL_LEFT, cols, emit, ctx);
        else
            aligned(it->left, strlen(it->left), RL_CENTER, cols, emit, ctx);
        return;
    case RL_TEXT:
        if (it->right)
            pair(it->left, it->right, cols, emit, ctx);
        else
            wrapped(it->left, it->align, cols, emit, ctx);
        return;
    }
}

static void text_emit(void *ctx, const char *line)
{
    textbuf_line(ctx, line);
}

/* A double-size line in plain text: its characters stay single, but its indent is
 * doubled, so that a centred title sits where the printer puts it. */
static void text_emit_double(void *ctx, const char *line)
{
    char wide[LINE_MAX_BYTES * 2];
    size_t indent = strspn(line, " ");
    if (indent * 2 + strlen(line + indent) >= sizeof wide) {
        text_emit(ctx, line);
        return;
    }
    memset(wide, ' ', indent * 2);
    memcpy(wide + indent * 2, line + indent, strlen(line + indent) + 1);
    text_emit(ctx, wide);
}

int rl_render_text(const struct receipt_layout *l, char **out)
{
    struct textbuf t = { 0 };
    for (int i = 0; i < l->n && !t.failed; i++)
        rl_item_lines(l, &l->items[i], l->items[i].style & RL_DOUBLE ? text_emit_double : text_emit, &t);
    if (l->failed) {
        textbuf_free(&t);
        return -1;
    }
    return textbuf_take(&t, out);
}
