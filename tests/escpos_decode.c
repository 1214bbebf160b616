#include "tests/escpos_decode.h"

#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct dec {
    struct escpos_decoded *d;
    size_t cap;
    int annotate;
    int bold, width_mul;
    int at_line_start;     /* nothing printed on this line yet */
    int in_indent;         /* only spaces printed on this line so far */
    int codepage;
    int align;             /* ESC a: 0 left, 1 centre, 2 right */
    int columns;           /* the paper's width, for centred and right-aligned lines */
    char line[2048];       /* the line being printed, UTF-8 */
    size_t line_len;
    int line_cols;
};

static void out(struct dec *x, const char *s, size_t n)
{
    struct escpos_decoded *d = x->d;
    if (d->len + n + 1 > x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 4096;
        while (cap < d->len + n + 1)
            cap *= 2;
        char *p = realloc(d->text, cap);
        if (!p)
            abort();
        d->text = p;
        x->cap = cap;
    }
    memcpy(d->text + d->len, s, n);
    d->len += n;
    d->text[d->len] = 0;
}

static void newline(struct dec *x);
static void note(struct dec *x, const char *f, ...) __attribute__((format(printf, 2, 3)));
static void note(struct dec *x, const char *f, ...)
{
    if (!x->annotate)
        return;
    char buf[300];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    if (!x->at_line_start)
        newline(x);
    out(x, buf, strlen(buf));
    out(x, "\n", 1);
    x->at_line_start = 1;
    x->in_indent = 1;
}

static const char *iconv_name(int n)
{
    switch (n) {
    case 0: return "CP437";
    case 2: return "CP850";
    case 16: return "CP1252";
    case 19: return "CP858";
    default: return NULL;
    }
}

/* Ends the line: out it goes, placed as ESC a says. */
static void newline(struct dec *x)
{
    int pad = x->align == 1 ? (x->columns - x->line_cols) / 2 : x->align == 2 ? x->columns - x->line_cols : 0;
    for (int i = 0; i < pad; i++)
        out(x, " ", 1);
    out(x, x->line, x->line_len);
    out(x, "\n", 1);
    x->line_len = 0;
    x->line_cols = 0;
    x->at_line_start = 1;
    x->in_indent = 1;
}

static void line_put(struct dec *x, const char *s, size_t n)
{
    if (x->line_len + n < sizeof x->line) {
        memcpy(x->line + x->line_len, s, n);
        x->line_len += n;
    }
}

static void printable(struct dec *x, unsigned char c)
{
    char utf8[8];
    char *op = utf8;
    if (c < 0x80) {
        *op++ = (char)c;
    } else {
        const char *cs = iconv_name(x->codepage);
        iconv_t cd = iconv_open("UTF-8", cs ? cs : "CP437");
        char in[1] = { (char)c }, *ip = in;
        size_t il = 1, ol = sizeof utf8;
        if (cd == (iconv_t)-1 || iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
            op = utf8;
            *op++ = '#';
        }
        if (cd != (iconv_t)-1)
            iconv_close(cd);
    }
    if (c == ' ' && x->in_indent && x->width_mul > 1) {
        line_put(x, " ", 1);
        x->line_cols++;
    }
    if (c != ' ')
        x->in_indent = 0;
    line_put(x, utf8, (size_t)(op - utf8));
    x->line_cols++;
    x->at_line_start = 0;
    x->d->bold_bytes += x->bold && c != ' ';
    x->d->double_bytes += x->width_mul > 1 && c != ' ';
}

static void add_code(struct dec *x, const char *kind, const unsigned char *data, size_t n)
{
    struct escpos_decoded *d = x->d;
    char s[1024];
    size_t k = n < sizeof s - 1 ? n : sizeof s - 1;
    memcpy(s, data, k);
    s[k] = 0;
    if (d->ncodes < DEC_MAX_CODES) {
        snprintf(d->code_kinds[d->ncodes], sizeof d->code_kinds[0], "%s", kind);
        snprintf(d->codes[d->ncodes++], sizeof d->codes[0], "%s", s);
    }
    note(x, "[%s %s]", kind, s);
}

/* CODE128 data as sent: "{B" then the text, with "{{" for a '{'. */
static void code128(struct dec *x, const unsigned char *p, size_t n)
{
    unsigned char text[256];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '{' && i + 1 < n) {
            if (p[i + 1] == '{')
                text[k++] = '{';
            i++;   /* a code set switch ({A {B {C) or the escaped brace */
            continue;
        }
        text[k++] = p[i];
    }
    add_code(x, "CODE128", text, k);
    if (x->annotate)
        return;
    /* the human-readable text the printer puts under the bars */
    for (size_t i = 0; i < k; i++)
        printable(x, text[i]);
    newline(x);
}

/* Returns the length of the command at p (n bytes left), or 0 if it is cut short. */
static size_t command(struct dec *x, const unsigned char *p, size_t n)
{
    struct escpos_decoded *d = x->d;
#define NEED(k) do { if (n < (k)) return 0; } while (0)
    if (p[0] == 0x1B) {
        NEED(2);
        switch (p[1]) {
        case '@':
            if (!x->at_line_start)
                newline(x);
            d->inits++;
            x->bold = 0;
            x->width_mul = 1;
            x->align = 0;
            note(x, "[init]");
            return 2;
        case 't': NEED(3); x->codepage = p[2]; d->codepage = p[2]; note(x, "[codepage %d]", p[2]); return 3;
        case 'E': NEED(3); x->bold = p[2] & 1; return 3;
        case 'a':
            NEED(3);
            x->align = p[2] == 1 || p[2] == 49 ? 1 : p[2] == 2 || p[2] == 50 ? 2 : 0;
            note(x, "[align %s]", x->align == 1 ? "center" : x->align == 2 ? "right" : "left");
            return 3;
        case 'd':
            NEED(3);
            note(x, "[feed %d]", p[2]);
            if (!x->annotate)
                for (int i = 0; i < p[2]; i++)
                    newline(x);
            return 3;
        case 'p':
            NEED(5);
            d->kicks++;
            d->kick_pin = p[2] & 1 ? 5 : 2;
            d->kick_on_ms = p[3] * 2;
            d->kick_off_ms = p[4] * 2;
            note(x, "[drawer kick pin %d, %d ms on, %d ms off]", d->kick_pin, d->kick_on_ms, d->kick_off_ms);
            if (!x->annotate) {
                if (!x->at_line_start)
                    newline(x);
                out(x, "[drawer opened]\n", 16);
            }
            return 5;
        default:
            d->unknown++;
            note(x, "[ESC 0x%02x]", p[1]);
            return 2;
        }
    }
    if (p[0] == 0x1D) {
        NEED(2);
        switch (p[1]) {
        case '!':
            NEED(3);
            x->width_mul = (p[2] >> 4) + 1;
            return 3;
        case 'V':
            NEED(3);
            d->cuts++;
            note(x, "[cut %s]", p[2] == 0 || p[2] == 48 ? "full" : "partial");
            if (!x->annotate) {
                if (!x->at_line_start)
                    newline(x);
                out(x, "--- cut ---\n", 12);
                x->align = 0;
            }
            if (p[2] == 65 || p[2] == 66)
                return n < 4 ? 0 : 4;
            return 3;
        case 'h': case 'w': case 'H': case 'f':
            NEED(3);
            return 3;
        case 'k': {
            NEED(4);
            if (p[2] < 65) {          /* function A: NUL-terminated data */
                const unsigned char *e = memchr(p + 3, 0, n - 3);
                if (!e)
                    return 0;
                add_code(x, "BARCODE", p + 3, (size_t)(e - p - 3));
                return (size_t)(e - p) + 1;
            }
            size_t len = p[3];
            NEED(4 + len);
            if (p[2] == 73)
                code128(x, p + 4, len);
            else
                add_code(x, "BARCODE", p + 4, len);
            return 4 + len;
        }
        case '(': {
            NEED(5);
            size_t len = (size_t)p[3] | (size_t)p[4] << 8;
            NEED(5 + len);
            if (p[2] == 'k' && len >= 3 && p[5] == 49 && p[6] == 80)
                add_code(x, "QR", p + 8, len - 3);
            return 5 + len;
        }
        default:
            d->unknown++;
            note(x, "[GS 0x%02x]", p[1]);
            return 2;
        }
    }
    if (p[0] == 0x10) {
        NEED(3);
        if (p[1] == 0x04) {
            d->status_requests++;
            note(x, "[status request %d]", p[2]);
            return 3;
        }
        if (p[1] == 0x14) {   /* DLE DC4 fn ...: real-time pulse is 5 bytes */
            NEED(5);
            d->kicks++;
            note(x, "[drawer kick (real time)]");
            return 5;
        }
        d->unknown++;
        return 2;
    }
    return 1;
#undef NEED
}

int escpos_decode(const unsigned char *p, size_t n, int columns, int annotate, struct escpos_decoded *d)
{
    memset(d, 0, sizeof *d);
    static struct dec zero;
    struct dec x = zero;
    x.d = d;
    x.annotate = annotate;
    x.width_mul = 1;
    x.at_line_start = 1;
    x.in_indent = 1;
    x.columns = columns;
    out(&x, "", 0);
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c == '\n') {
            newline(&x);
            i++;
        } else if (c == 0x1B || c == 0x1D || c == 0x10) {
            size_t k = command(&x, p + i, n - i);
            if (k == 0) {
                d->truncated = 1;
                break;
            }
            i += k;
        } else if (c < 0x20) {
            d->unknown++;  /* CR, HT and the like are not in our receipts */
            i++;
        } else {
            printable(&x, c);
            i++;
        }
    }
    if (!x.at_line_start)
        newline(&x);   /* text not yet ended by a line feed still shows */
    return 0;
}

void escpos_decoded_free(struct escpos_decoded *d)
{
    free(d->text);
    d->text = NULL;
}

#ifdef ESCPOS_VIEW_MAIN
/* build/escpos-view FILE: what the file printer (or a capture) would put on paper. */
int main(int argc, char **argv)
{
    int codes = argc == 3 && strcmp(argv[1], "--codes") == 0;
    if (argc != 2 && !codes) {
        fprintf(stderr, "usage: escpos-view [--codes] FILE   (the file printer's output, raw ESC/POS;\n"
                        "       --codes: each barcode's kind and data, a line each)\n");
        return 2;
    }
    const char *path = argv[argc - 1];
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0, r;
    do {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
            if (!buf)
                return 1;
        }
        r = fread(buf + len, 1, cap - len, f);
        len += r;
    } while (r > 0);
    fclose(f);
    struct escpos_decoded d;
    escpos_decode(buf, len, 42, 0, &d);
    if (codes)
        for (int i = 0; i < d.ncodes; i++)
            printf("%s %s\n", d.code_kinds[i], d.codes[i]);
    else
        fwrite(d.text, 1, d.len, stdout);
    escpos_decoded_free(&d);
    free(buf);
    return 0;
}
#endif
