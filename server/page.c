/* The paged-feed writer (see page.h). */
#include "server/page.h"

void page_begin(struct page *p, struct strbuf *out, const char *array, int64_t since, int limit)
{
    *p = (struct page){ .out = out, .limit = limit, .cursor = since };
    strbuf_puts(out, "{\"");
    strbuf_puts(out, array);
    strbuf_puts(out, "\":[");
}

int page_row(struct page *p, int64_t seq)
{
    if (p->n == p->limit) {
        p->has_more = 1;
        return 0;
    }
    p->cursor = seq;
    strbuf_puts(p->out, p->n++ ? ",{\"seq\":" : "{\"seq\":");
    strbuf_int(p->out, seq);
    return 1;
}

int page_end(struct page *p)
{
    strbuf_puts(p->out, "],\"next_cursor\":");
    strbuf_int(p->out, p->cursor);
    strbuf_puts(p->out, p->has_more ? ",\"has_more\":true}" : ",\"has_more\":false}");
    return p->out->failed ? -1 : 0;
}
