#include <curses.h>

#include "app/app.h"
#include "ui/screen.h"

/* The one place function keys are bound (shown in the footer and in help). */
static const struct binding {
    int key;
    enum ui_action action;
} bindings[] = {
    { KEY_F(1), ACT_HELP }, { KEY_F(2), ACT_QTY }, { KEY_F(3), ACT_VOID },
    { KEY_F(4), ACT_SEARCH }, { KEY_F(5), ACT_PAY }, { KEY_F(8), ACT_CANCEL },
    { KEY_F(10), ACT_QUIT },
};

enum ui_action keys_action_for(struct ui_key k)
{
    if (!k.is_key)
        return k.code == 3 ? ACT_QUIT : ACT_NONE; /* Ctrl-C */
    for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
        if ((wint_t)bindings[i].key == k.code)
            return bindings[i].action;
    return ACT_NONE;
}

const char *keys_footer(void)
{
    return "F1 Help  F2 Qty  F3 Void  F4 Search  F5 Pay  F8 Cancel sale  F10 Quit";
}

int keys_dispatch(struct app *app, struct ui_key k)
{
    switch (keys_action_for(k)) {
    case ACT_NONE: return KEY_IGNORED;
    case ACT_HELP: app_open_mode(app, MODE_HELP); break;
    case ACT_QTY: app_open_mode(app, MODE_QTY); break;
    case ACT_VOID: app_void_selected(app); break;
    case ACT_SEARCH: app_open_mode(app, MODE_SEARCH); break;
    case ACT_PAY: app_open_mode(app, MODE_PAY); break;
    case ACT_CANCEL: app_open_mode(app, MODE_CONFIRM_CANCEL); break;
    case ACT_QUIT: app_request_quit(app); break;
    }
    return KEY_HANDLED;
}
