#include "core/escpos_status.h"

#include <stdio.h>
#include <string.h>

void escpos_status_reset(struct escpos_status_reader *r)
{
    memset(r, 0, sizeof *r);
}

int escpos_status_expect(struct escpos_status_reader *r, int n)
{
    if (n < 1 || n > 4 || r->npending >= ESCPOS_STATUS_MAX_PENDING)
        return -1;
    r->pending[r->npending++] = (uint8_t)n;
    return 0;
}

int escpos_status_decode(int n, uint8_t b, struct printer_status *st)
{
    if ((b & 0x93) != 0x12 || n < 1 || n > 4)
        return -1;
    switch (n) {
    case 1:
        st->drawer_pin3_high = !!(b & 0x04);
        st->offline = !!(b & 0x08);
        break;
    case 2:
        st->cover_open = !!(b & 0x04);
        st->feed_button = !!(b & 0x08);
        st->paper_stop = !!(b & 0x20);
        st->error = !!(b & 0x40);
        break;
    case 3:
        st->cutter_error = !!(b & 0x04);
        st->unrecoverable = !!(b & 0x08);
        st->auto_recoverable = !!(b & 0x20);
        break;
    case 4:
        /* Each condition has two bits; some printers set only one of them. */
        st->paper_near_end = !!(b & 0x0C);
        st->paper_out = !!(b & 0x60);
        break;
    }
    st->answered |= 1u << n;
    return 0;
}

int escpos_status_feed(struct escpos_status_reader *r, const uint8_t *buf, size_t len)
{
    int answers = 0;
    for (size_t i = 0; i < len; i++) {
        if (r->npending == 0 || escpos_status_decode(r->pending[0], buf[i], &r->st)) {
            r->skipped++;
            continue;
        }
        memmove(r->pending, r->pending + 1, (size_t)(r->npending - 1));
        r->npending--;
        answers++;
    }
    return answers;
}

int printer_status_can_print(const struct printer_status *st)
{
    return !st->offline && !st->cover_open && !st->paper_stop && !st->paper_out &&
           !st->error && !st->cutter_error && !st->unrecoverable && !st->auto_recoverable;
}

static void add(char *buf, size_t len, size_t *used, const char *what)
{
    if (*used >= len)
        return;
    int n = snprintf(buf + *used, len - *used, "%s%s", *used ? ", " : "", what);
    if (n > 0)
        *used += (size_t)n;
}

void printer_status_describe(const struct printer_status *st, char *buf, size_t len)
{
    size_t used = 0;
    if (len)
        buf[0] = 0;
    if (st->paper_out || st->paper_stop)
        add(buf, len, &used, "paper out");
    if (st->cover_open)
        add(buf, len, &used, "cover open");
    if (st->cutter_error)
        add(buf, len, &used, "cutter jammed");
    if (st->unrecoverable)
        add(buf, len, &used, "printer error (switch it off and on)");
    if (st->auto_recoverable)
        add(buf, len, &used, "printer cooling down");
    if (st->error && !st->cutter_error && !st->unrecoverable && !st->auto_recoverable)
        add(buf, len, &used, "printer error");
    if (st->offline && !used)
        add(buf, len, &used, "printer offline");
    if (st->paper_near_end && !st->paper_out && !st->paper_stop)
        add(buf, len, &used, "paper near end");
    if (!used)
        add(buf, len, &used, "ok");
}
