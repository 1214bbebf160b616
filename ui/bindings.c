/* Key bindings: the one place a key is matched to what it does, and the footer, help and
 * dialog hints generated from the same tables. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "ui/screen.h"

static int binding_matches(const struct binding *b, struct ui_key k)
{
    /* Enter arrives as CR, LF or KEY_ENTER depending on the terminal and the scanner */
    if (!b->is_key && b->code == '\r')
        return key_is_enter(k);
    return b->is_key == k.is_key && b->code == k.code;
}

int bindings_dispatch(struct bindings b, struct ui *ui, struct app *app, struct ui_key k)
{
    for (size_t i = 0; i < b.n; i++) {
        const struct binding *bd = &b.keys[i];
        if (!binding_matches(bd, k))
            continue;
        if (bd->run)
            return bd->run(ui, app) | UI_HANDLED;
        app_command(app, bd->command, NULL, DOOR_KEY);
        return UI_HANDLED | UI_REDRAW | (app->quit ? UI_QUIT : 0);
    }
    return UI_IGNORED;
}

static void join(struct bindings b, const char *between, const char *sep, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = 0;
    for (size_t i = 0; i < b.n && n < len; i++) {
        const struct binding *k = &b.keys[i];
        if (!k->key_name || !k->label)
            continue;
        int w = snprintf(buf + n, len - n, "%s", n ? sep : "");
        if (w > 0)
            n += (size_t)w;
        if (n >= len)
            break;
        w = snprintf(buf + n, len - n, "%s%s%s", k->key_name, between, k->label);
        if (w > 0)
            n += (size_t)w;
    }
}

void bindings_footer(struct bindings b, char *buf, size_t len)
{
    join(b, " ", "  ", buf, len);
}

void bindings_hint_line(struct bindings b, char *buf, size_t len)
{
    join(b, ": ", "   ", buf, len);
}

int bindings_help_count(struct bindings b)
{
    int n = 0;
    for (size_t i = 0; i < b.n; i++)
        n += b.keys[i].key_name && b.keys[i].help;
    return n;
}

int draw_bindings_help(struct bindings b, int y, int x, int width, int key_width)
{
    int rows = 0;
    for (size_t i = 0; i < b.n; i++) {
        const struct binding *k = &b.keys[i];
        if (!k->key_name || !k->help)
            continue;
        char line[256];
        if (key_width > 0)
            snprintf(line, sizeof line, "%-*s %s", key_width, k->key_name, k->help);
        else
            snprintf(line, sizeof line, "%s: %s", k->key_name, k->help);
        draw_text(y + rows++, x, width, line);
    }
    return rows;
}
