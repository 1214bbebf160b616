#include "app/sale_session.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

void app_new_uuid(char out[40])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        /* getrandom cannot fail for 16 bytes after boot; fall back to time and pid */
        uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
        for (int i = 0; i < 16; i++)
            b[i] = (unsigned char)(t >> (i % 8 * 8)) ^ (unsigned char)(i * 37);
    }
    b[6] = (b[6] & 0x0f) | 0x40; /* version 4 */
    b[8] = (b[8] & 0x3f) | 0x80;
    snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

void sale_session_init(struct sale_session *s, const struct tax_config *tax, int64_t cash_increment)
{
    memset(s, 0, sizeof *s);
    cart_init(&s->cart, tax);
    s->tender.cash_increment = cash_increment;
    s->selected = -1;
}

void sale_session_begin(struct sale_session *s, int64_t now)
{
    cart_clear(&s->cart);
    app_new_uuid(s->uuid);
    s->started_at = now;
    tender_init(&s->tender, 0, s->tender.cash_increment);
    s->selected = -1;
    s->pending_qty = 0;
    s->subtotaled = 0;
}

void sale_session_free(struct sale_session *s)
{
    cart_free(&s->cart);
}

int sale_session_locked(const struct sale_session *s)
{
    return s->tender.n > 0;
}

int sale_session_has_card_payments(const struct sale_session *s)
{
    for (int i = 0; i < s->tender.n; i++)
        if (s->tender.payments[i].tender == TENDER_CARD)
            return 1;
    return 0;
}
