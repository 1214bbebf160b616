/* A growing byte buffer for building JSON answers without a tree per row. */
#ifndef TILL_SERVER_STRBUF_H
#define TILL_SERVER_STRBUF_H

#include <stddef.h>
#include <stdint.h>

struct strbuf {
    char *data;
    size_t len;
    size_t cap;
    int failed; /* an allocation failed; later appends are ignored */
};

void strbuf_init(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
/* Hands the buffer (NUL-terminated) to the caller, who frees it; NULL after a failure. */
char *strbuf_take(struct strbuf *sb, size_t *len);
void strbuf_append(struct strbuf *sb, const char *s, size_t n);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_int(struct strbuf *sb, int64_t v);
/* Appends s as a quoted JSON string. */
void strbuf_json_string(struct strbuf *sb, const char *s);

#endif
