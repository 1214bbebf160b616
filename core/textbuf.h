/* A growable text: reports and receipts are built line by line into one NUL-terminated
 * string.  A failed allocation (or a size that would overflow) marks the buffer failed;
 * later additions do nothing and textbuf_take reports it, so callers check once at the
 * end.  The one text buffer of the core. */
#ifndef TILL_TEXTBUF_H
#define TILL_TEXTBUF_H

#include <stddef.h>

struct textbuf {
    char *p;        /* NUL-terminated once anything was added; NULL before */
    size_t len, cap;
    int failed;
};

/* Appends the n bytes of s. */
void textbuf_add(struct textbuf *b, const char *s, size_t n);
/* Appends the string s. */
void textbuf_puts(struct textbuf *b, const char *s);
/* Appends the string s and a newline. */
void textbuf_line(struct textbuf *b, const char *s);
/* Appends a formatted text (any length). */
void textbuf_printf(struct textbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the text to the caller (who frees it; "" when nothing was added): 0, or -1 when
 * the buffer failed (then it is freed).  The buffer is empty afterwards. */
int textbuf_take(struct textbuf *b, char **out);
/* Frees the text. */
void textbuf_free(struct textbuf *b);

#endif
