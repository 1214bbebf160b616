/* HID boot-keyboard and HID POS scanner reports to scans; see hid_decode.h. */
#include "drivers/hid_decode.h"

#include <string.h>
#include <strings.h>

#define KEY_ENTER        0x28
#define KEY_TAB          0x2B
#define KEY_KP_ENTER     0x58
#define KEY_KP_1         0x59
#define KEY_KP_0         0x62
#define KEY_ERR_ROLLOVER 0x01
#define NKEYS            0x65

/* One table per layout and shift level, indexed by keyboard usage; NULL: no character.
 * Strings, not chars, because a DE keyboard types UTF-8 characters such as "ß". */
struct key_table {
    const char *plain[NKEYS];
    const char *shift[NKEYS];
    const char *altgr[NKEYS];
};

#define LETTERS(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z) \
    [0x04] = a, [0x05] = b, [0x06] = c, [0x07] = d, [0x08] = e, [0x09] = f, [0x0A] = g,      \
    [0x0B] = h, [0x0C] = i, [0x0D] = j, [0x0E] = k, [0x0F] = l, [0x10] = m, [0x11] = n,      \
    [0x12] = o, [0x13] = p, [0x14] = q, [0x15] = r, [0x16] = s, [0x17] = t, [0x18] = u,      \
    [0x19] = v, [0x1A] = w, [0x1B] = x, [0x1C] = y, [0x1D] = z
#define DIGITS(k1, k2, k3, k4, k5, k6, k7, k8, k9, k0)                                       \
    [0x1E] = k1, [0x1F] = k2, [0x20] = k3, [0x21] = k4, [0x22] = k5, [0x23] = k6,            \
    [0x24] = k7, [0x25] = k8, [0x26] = k9, [0x27] = k0
/* The keypad types the same on both layouts (NumLock on), except its decimal key. */
#define KEYPAD(dec)                                                                          \
    [0x54] = "/", [0x55] = "*", [0x56] = "-", [0x57] = "+", [0x59] = "1", [0x5A] = "2",     \
    [0x5B] = "3", [0x5C] = "4", [0x5D] = "5", [0x5E] = "6", [0x5F] = "7", [0x60] = "8",     \
    [0x61] = "9", [0x62] = "0", [0x63] = dec

static const struct key_table layout_us = {
    .plain = {
        LETTERS("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
                "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z"),
        DIGITS("1", "2", "3", "4", "5", "6", "7", "8", "9", "0"),
        [0x2C] = " ", [0x2D] = "-", [0x2E] = "=", [0x2F] = "[", [0x30] = "]", [0x31] = "\\",
        [0x32] = "#", [0x33] = ";", [0x34] = "'", [0x35] = "`", [0x36] = ",", [0x37] = ".",
        [0x38] = "/", [0x64] = "\\",
        KEYPAD("."),
    },
    .shift = {
        LETTERS("A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O",
                "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z"),
        DIGITS("!", "@", "#", "$", "%", "^", "&", "*", "(", ")"),
        [0x2C] = " ", [0x2D] = "_", [0x2E] = "+", [0x2F] = "{", [0x30] = "}", [0x31] = "|",
        [0x32] = "~", [0x33] = ":", [0x34] = "\"", [0x35] = "~", [0x36] = "<", [0x37] = ">",
        [0x38] = "?", [0x64] = "|",
        KEYPAD("."),
    },
    .altgr = { [0] = NULL },
};

/* German QWERTZ: Y and Z swapped, Shift+digits differ, AltGr gives @ { [ ] } \ ~ |.
 * The dead keys (^ ´ `) type their character at once: scanners never compose. */
static const struct key_table layout_de = {
    .plain = {
        LETTERS("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
                "p", "q", "r", "s", "t", "u", "v", "w", "x", "z", "y"),
        DIGITS("1", "2", "3", "4", "5", "6", "7", "8", "9", "0"),
        [0x2C] = " ", [0x2D] = "ß", [0x2E] = "´", [0x2F] = "ü", [0x30] = "+", [0x31] = "#",
        [0x32] = "#", [0x33] = "ö", [0x34] = "ä", [0x35] = "^", [0x36] = ",", [0x37] = ".",
        [0x38] = "-", [0x64] = "<",
        KEYPAD(","),
    },
    .shift = {
        LETTERS("A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O",
                "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Z", "Y"),
        DIGITS("!", "\"", "§", "$", "%", "&", "/", "(", ")", "="),
        [0x2C] = " ", [0x2D] = "?", [0x2E] = "`", [0x2F] = "Ü", [0x30] = "*", [0x31] = "'",
        [0x32] = "'", [0x33] = "Ö", [0x34] = "Ä", [0x35] = "°", [0x36] = ";", [0x37] = ":",
        [0x38] = "_", [0x64] = ">",
        KEYPAD(","),
    },
    .altgr = {
        [0x14] = "@", [0x08] = "€", [0x10] = "µ", [0x1F] = "²", [0x20] = "³", [0x24] = "{",
        [0x25] = "[", [0x26] = "]", [0x27] = "}", [0x2D] = "\\", [0x30] = "~", [0x64] = "|",
    },
};

int hid_layout_from_name(const char *name, enum hid_layout *out)
{
    if (!name)
        return -1;
    if (strcasecmp(name, "us") == 0)
        *out = HID_LAYOUT_US;
    else if (strcasecmp(name, "de") == 0)
        *out = HID_LAYOUT_DE;
    else
        return -1;
    return 0;
}

void hid_kbd_init(struct hid_kbd_decoder *d, enum hid_layout layout, hid_scan_cb on_scan, void *ctx)
{
    memset(d, 0, sizeof *d);
    d->layout = layout;
    d->on_scan = on_scan;
    d->ctx = ctx;
    d->alt_code = -1;
}

void hid_kbd_reset(struct hid_kbd_decoder *d)
{
    hid_kbd_init(d, d->layout, d->on_scan, d->ctx);
}

static void append(char *buf, size_t *len, int *overflow, const char *s, size_t n)
{
    if (*overflow || *len + n > HID_SCAN_MAX) {
        *overflow = 1;
        return;
    }
    memcpy(buf + *len, s, n);
    *len += n;
    buf[*len] = 0;
}

/* Ends the scan being collected; an empty or oversized one is not a scan. */
static int finish_kbd_scan(struct hid_kbd_decoder *d)
{
    int done = 0;
    if (d->overflow)
        d->dropped++;
    else if (d->len > 0 && d->on_scan) {
        d->buf[d->len] = 0;
        d->on_scan(d->ctx, d->buf);
        done = 1;
    } else if (d->len > 0)
        done = 1;
    d->len = 0;
    d->buf[0] = 0;
    d->overflow = 0;
    return done;
}

static int is_end_of_scan(uint8_t key)
{
    return key == KEY_ENTER || key == KEY_KP_ENTER || key == KEY_TAB;
}

/* A control character from Ctrl+key: Ctrl+letter is 0x01..0x1A; Ctrl+] (the key right of
 * P on both layouts, usage 0x30) is GS, the GS1 field separator. */
static int ctrl_char(uint8_t key)
{
    if (key >= 0x04 && key <= 0x1D)
        return key - 0x04 + 1;
    if (key == 0x30)
        return 0x1D;
    return -1;
}

static int press_key(struct hid_kbd_decoder *d, uint8_t key, uint8_t mods)
{
    int shift = (mods & (HID_MOD_LSHIFT | HID_MOD_RSHIFT)) != 0;
    int ctrl = (mods & (HID_MOD_LCTRL | HID_MOD_RCTRL)) != 0;
    int alt = (mods & HID_MOD_LALT) != 0;
    int altgr = (mods & HID_MOD_RALT) != 0;

    if (is_end_of_scan(key))
        return finish_kbd_scan(d);
    /* Alt held: keypad digits build a character code (Alt+0029 = GS) typed on Alt release. */
    if (alt && !ctrl && key >= KEY_KP_1 && key <= KEY_KP_0) {
        int digit = key == KEY_KP_0 ? 0 : key - KEY_KP_1 + 1;
        d->alt_code = d->alt_code < 0 ? digit : (d->alt_code * 10 + digit) % 1000;
        return 0;
    }
    if (key >= NKEYS)
        return 0;
    if (ctrl && !altgr) {
        int c = ctrl_char(key);
        if (c == '\r' || c == '\n' || c == '\t')
            return finish_kbd_scan(d);
        if (c > 0) {
            char ch = (char)c;
            append(d->buf, &d->len, &d->overflow, &ch, 1);
        }
        return 0;
    }
    const struct key_table *t = d->layout == HID_LAYOUT_DE ? &layout_de : &layout_us;
    const char *s = altgr ? t->altgr[key] : shift ? t->shift[key] : t->plain[key];
    if (s)
        append(d->buf, &d->len, &d->overflow, s, strlen(s));
    return 0;
}

static int release_alt(struct hid_kbd_decoder *d)
{
    int code = d->alt_code;
    d->alt_code = -1;
    if (code == '\r' || code == '\n' || code == '\t')
        return finish_kbd_scan(d);
    /* Only ASCII: codes above 127 depend on a code page the scanner does not tell us. */
    if (code > 0 && code < 128) {
        char ch = (char)code;
        append(d->buf, &d->len, &d->overflow, &ch, 1);
    }
    return 0;
}

static int key_in(const uint8_t *keys, size_t n, uint8_t key)
{
    for (size_t i = 0; i < n; i++)
        if (keys[i] == key)
            return 1;
    return 0;
}

int hid_kbd_feed(struct hid_kbd_decoder *d, const uint8_t *report, size_t len)
{
    if (len < 3)
        return -1;
    size_t nkeys = len - 2 > 6 ? 6 : len - 2;
    const uint8_t *keys = report + 2;
    uint8_t mods = report[0];
    /* ErrorRollOver: too many keys down; the report says nothing about which. */
    int rollover = 1;
    for (size_t i = 0; i < nkeys; i++)
        if (keys[i] != KEY_ERR_ROLLOVER)
            rollover = 0;
    if (rollover)
        return 0;

    int done = 0;
    for (size_t i = 0; i < nkeys; i++) {
        uint8_t k = keys[i];
        if (k <= 0x03 || key_in(d->prev_keys, sizeof d->prev_keys, k) || key_in(keys, i, k))
            continue;
        done += press_key(d, k, mods);
    }
    if ((d->prev_mods & HID_MOD_LALT) && !(mods & HID_MOD_LALT) && d->alt_code >= 0)
        done += release_alt(d);
    memset(d->prev_keys, 0, sizeof d->prev_keys);
    memcpy(d->prev_keys, keys, nkeys);
    d->prev_mods = mods;
    return done;
}

const struct hid_pos_layout hid_pos_layout_default = {
    .report_id = 0x02,
    .length_offset = 1,
    .aim_offset = 2,
    .data_offset = 5,
    .data_max = 56,
    .cont_offset = 63,
    .cont_mask = 0x01,
};

void hid_pos_init(struct hid_pos_decoder *d, const struct hid_pos_layout *layout,
                  hid_scan_cb on_scan, void *ctx)
{
    memset(d, 0, sizeof *d);
    d->layout = layout ? *layout : hid_pos_layout_default;
    d->on_scan = on_scan;
    d->ctx = ctx;
}

void hid_pos_reset(struct hid_pos_decoder *d)
{
    struct hid_pos_layout l = d->layout;
    hid_pos_init(d, &l, d->on_scan, d->ctx);
}

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

int hid_pos_feed(struct hid_pos_decoder *d, const uint8_t *report, size_t len)
{
    const struct hid_pos_layout *l = &d->layout;
    if (len < 1)
        return -1;
    if (l->report_id && report[0] != l->report_id)
        return 0;
    /* Fixed fields must be inside the report; the data may be cut short by it. */
    int need = max_int(max_int(l->aim_offset + 3, l->data_offset), max_int(l->length_offset, l->cont_offset) + 1);
    if (l->data_offset < 0 || (size_t)need > len)
        return -1;
    size_t avail = len - (size_t)l->data_offset;
    size_t n = (size_t)(l->data_max > 0 ? l->data_max : 0);
    if (n > avail)
        n = avail;
    if (l->length_offset >= 0) {
        if (report[l->length_offset] < n)
            n = report[l->length_offset];
    } else {
        while (n > 0 && report[l->data_offset + n - 1] == 0)
            n--;
    }
    /* The AIM identifier comes once, before the first fragment's data. */
    if (l->aim_offset >= 0 && d->len == 0 && !d->overflow && report[l->aim_offset] == ']') {
        for (int i = 0; i < 3 && report[l->aim_offset + i]; i++)
            append(d->buf, &d->len, &d->overflow, (const char *)report + l->aim_offset + i, 1);
    }
    const uint8_t *data = report + l->data_offset;
    /* A scan is a C string: an embedded NUL ends the data. */
    const uint8_t *nul = memchr(data, 0, n);
    if (nul)
        n = (size_t)(nul - data);
    append(d->buf, &d->len, &d->overflow, (const char *)data, n);

    int more = l->cont_offset >= 0 && (report[l->cont_offset] & l->cont_mask);
    if (more)
        return 0;
    int done = 0;
    if (d->overflow)
        d->dropped++;
    else if (d->len > 0) {
        d->buf[d->len] = 0;
        if (d->on_scan)
            d->on_scan(d->ctx, d->buf);
        done = 1;
    }
    d->len = 0;
    d->buf[0] = 0;
    d->overflow = 0;
    return done;
}

/* ---- report descriptor ---- */

#define USAGE(page, id) (((uint32_t)(page) << 16) | (id))
#define U_BYTE_COUNT   USAGE(0x01, 0x3B)
#define U_SYMBOLOGY_1  USAGE(0x8C, 0xFB)
#define U_DECODED_DATA USAGE(0x8C, 0xFE)
#define U_DATA_CONT    USAGE(0x8C, 0xFF)
#define MAX_LOCAL_USAGES 16

struct field_pos {
    int found;
    int report_id;
    uint32_t bit;      /* from the start of the report, after the id byte */
    uint32_t size, count;
};

struct desc_globals {
    uint32_t usage_page, report_size, report_count, report_id;
};

static uint32_t item_value(const uint8_t *p, size_t n)
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static void note_field(struct field_pos *f, const struct desc_globals *g, uint32_t bit, uint32_t count)
{
    if (f->found)
        return;
    *f = (struct field_pos){ 1, (int)g->report_id, bit, g->report_size, count };
}

int hid_pos_layout_from_descriptor(const uint8_t *desc, size_t len, struct hid_pos_layout *out)
{
    struct desc_globals g = { 0, 0, 0, 0 }, stack[4];
    int depth = 0, have_ids = 0;
    uint32_t usages[MAX_LOCAL_USAGES];
    int nusages = 0;
    static const uint32_t zero_offsets[256];
    uint32_t in_bits[256];
    memcpy(in_bits, zero_offsets, sizeof in_bits);
    struct field_pos count = { 0 }, aim = { 0 }, data = { 0 }, cont = { 0 };

    for (size_t i = 0; i < len;) {
        uint8_t prefix = desc[i];
        if (prefix == 0xFE) { /* long item: never used by scanners, skipped */
            if (i + 1 >= len)
                return -1;
            i += 3 + (size_t)desc[i + 1];
            continue;
        }
        size_t n = (prefix & 3) == 3 ? 4 : (prefix & 3);
        if (i + 1 + n > len)
            return -1;
        uint32_t v = item_value(desc + i + 1, n);
        int type = (prefix >> 2) & 3, tag = prefix >> 4;
        i += 1 + n;
        if (type == 1) { /* global */
            switch (tag) {
            case 0: g.usage_page = v; break;
            case 7: g.report_size = v; break;
            case 8: g.report_id = v & 0xFF; have_ids = 1; break;
            case 9: g.report_count = v; break;
            case 10: if (depth < 4) stack[depth++] = g; break;
            case 11: if (depth > 0) g = stack[--depth]; break;
            default: break;
            }
        } else if (type == 2) { /* local */
            if (tag == 0 && nusages < MAX_LOCAL_USAGES)
                usages[nusages++] = n == 4 ? v : USAGE(g.usage_page, v);
        } else if (type == 0) { /* main */
            if (tag == 8) { /* Input */
                uint32_t base = in_bits[g.report_id];
                /* Sizes from a device: bounded so the offsets cannot wrap. */
                if (g.report_size > 256 || g.report_count > 4096)
                    return -1;
                for (uint32_t f = 0; f < g.report_count && nusages > 0; f++) {
                    uint32_t u = usages[f < (uint32_t)nusages ? f : (uint32_t)nusages - 1];
                    uint32_t bit = base + f * g.report_size;
                    if (u == U_BYTE_COUNT)
                        note_field(&count, &g, bit, 1);
                    else if (u == U_SYMBOLOGY_1)
                        note_field(&aim, &g, bit, 1);
                    else if (u == U_DECODED_DATA)
                        note_field(&data, &g, bit, g.report_count - f);
                    else if (u == U_DATA_CONT)
                        note_field(&cont, &g, bit, 1);
                }
                in_bits[g.report_id] = base + g.report_size * g.report_count;
                if (in_bits[g.report_id] > (1u << 20)) /* a report beyond 128 KiB is nonsense */
                    return -1;
            }
            nusages = 0; /* locals end with every main item */
        }
    }
    if (!data.found || data.size != 8 || data.bit % 8)
        return -1;
    int id_bytes = have_ids ? 1 : 0;
    struct hid_pos_layout l = {
        .report_id = have_ids ? (uint8_t)data.report_id : 0,
        .length_offset = -1, .aim_offset = -1, .cont_offset = -1, .cont_mask = 0,
        .data_offset = id_bytes + (int)(data.bit / 8),
        .data_max = (int)data.count,
    };
    if (count.found && count.report_id == data.report_id && count.size == 8 && count.bit % 8 == 0)
        l.length_offset = id_bytes + (int)(count.bit / 8);
    if (aim.found && aim.report_id == data.report_id && aim.size == 8 && aim.bit % 8 == 0)
        l.aim_offset = id_bytes + (int)(aim.bit / 8);
    if (cont.found && cont.report_id == data.report_id) {
        l.cont_offset = id_bytes + (int)(cont.bit / 8);
        l.cont_mask = (uint8_t)(1u << (cont.bit % 8));
    }
    *out = l;
    return 0;
}
