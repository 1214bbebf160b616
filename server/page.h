/*
 * The one writer of the server's paged feeds (catalog, stock, staff, promotions,
 * customers): {"ARRAY":[rows...],"next_cursor":SEQ,"has_more":BOOL}.  The caller reads
 * limit + 1 rows by seq, so has_more needs no second query, and for each row calls
 * page_row, which opens the row's object with its seq; the caller appends the row's
 * other fields and its closing brace.
 */
#ifndef TILL_SERVER_PAGE_H
#define TILL_SERVER_PAGE_H

#include <stdint.h>

#include "server/strbuf.h"

struct page {
    struct strbuf *out;
    int limit, n, has_more;
    int64_t cursor;
};

void page_begin(struct page *p, struct strbuf *out, const char *array, int64_t since, int limit);
/* 1: the row is opened ({"seq":SEQ), write the rest; 0: the page is full (stop reading) */
int page_row(struct page *p, int64_t seq);
/* Closes the answer; 0 when it was written whole. */
int page_end(struct page *p);

#endif
