/* The growable text of the core (textbuf.h). */
#include "core/textbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for n more bytes and the NUL; 0, or -1 with the buffer marked failed. */
static int reserve(struct textbuf *b, size_t n)
{
    if (b->failed)
        return -1;
    if (n > SIZE_MAX / 2 - b->len) {
        b->failed = 1;
        return -1;
    }
    if (b->len + n + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + n + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void textbuf_add(struct textbuf *b, const char *s, size_t n)
{
    if (reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void textbuf_puts(struct textbuf *b, const char *s)
{
    textbuf_add(b, s, strlen(s));
}

void textbuf_line(struct textbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (reserve(b, n + 1))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len++] = '\n';
    b->p[b->len] = 0;
}

void textbuf_printf(struct textbuf *b, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        b->failed = 1;
    else if (reserve(b, (size_t)n) == 0) {
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
}

int textbuf_take(struct textbuf *b, char **out)
{
    if (!b->failed && !b->p)
        reserve(b, 0);
    if (b->failed) {
        textbuf_free(b);
        return -1;
    }
    b->p[b->len] = 0;
    *out = b->p;
    b->p = NULL;
    b->len = b->cap = 0;
    return 0;
}

void textbuf_free(struct textbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}
