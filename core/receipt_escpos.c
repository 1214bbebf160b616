#include "core/receipt_escpos.h"

#include <string.h>

void receipt_escpos_defaults(struct receipt_escpos_options *o)
{
    o->codepage = ESCPOS_PC858;
    o->esc_t = 19;
    o->cut = ESCPOS_CUT_PARTIAL;
    o->feed_lines = 4;
    o->barcode_height = 64;
    o->barcode_module = 2;
    o->qr_module = 6;
}

static void emit_line(void *ctx, const char *line)
{
    struct escpos_buf *b = ctx;
    escpos_text(b, line);
    escpos_newline(b);
}

static void code(struct escpos_buf *b, const struct rl_item *it, const struct receipt_escpos_options *o)
{
    escpos_align(b, ESCPOS_CENTER);
    int rc = it->kind == RL_QR ? escpos_qr(b, it->left, o->qr_module)
                               : escpos_code128(b, it->left, o->barcode_height, o->barcode_module);
    if (rc == 0 && it->kind == RL_QR)
        escpos_newline(b);
    escpos_align(b, ESCPOS_LEFT);
    if (rc) {
        /* data a symbol cannot carry: print it as text rather than lose it */
        escpos_text(b, it->left);
        escpos_newline(b);
    }
}

int receipt_escpos(const struct receipt_layout *l, const struct receipt_escpos_options *o,
                   struct escpos_buf *out)
{
    escpos_initialize(out);
    escpos_select_codepage(out, o->esc_t);
    for (int i = 0; i < l->n; i++) {
        const struct rl_item *it = &l->items[i];
        if (it->kind == RL_CODE128 || it->kind == RL_QR) {
            code(out, it, o);
            continue;
        }
        if (it->style & RL_BOLD)
            escpos_bold(out, 1);
        if (it->style & RL_DOUBLE)
            escpos_size(out, 2, 2);
        rl_item_lines(l, it, emit_line, out);
        if (it->style & RL_DOUBLE)
            escpos_size(out, 1, 1);
        if (it->style & RL_BOLD)
            escpos_bold(out, 0);
    }
    escpos_feed(out, o->feed_lines);
    escpos_cut(out, o->cut);
    return out->failed ? -1 : 0;
}

int receipt_escpos_plain(const char *utf8, const struct receipt_escpos_options *o, struct escpos_buf *out)
{
    escpos_initialize(out);
    escpos_select_codepage(out, o->esc_t);
    char line[512];
    for (const char *p = utf8; *p;) {
        size_t n = strcspn(p, "\n");
        /* a longer line prints in pieces: nothing of it is lost */
        size_t take = n < sizeof line - 1 ? n : sizeof line - 1;
        while (take < n && take > 0 && ((unsigned char)p[take] & 0xC0) == 0x80)
            take--;   /* not inside a UTF-8 character */
        memcpy(line, p, take);
        line[take] = 0;
        escpos_text(out, line);
        p += take;
        if (take == n) {
            escpos_newline(out);
            p += *p == '\n';
        }
    }
    escpos_feed(out, o->feed_lines);
    escpos_cut(out, o->cut);
    return out->failed ? -1 : 0;
}
