/* Screens and dialogs as descriptors: each draws the app's state and handles keys by
 * calling app actions.  One table (ui/keys.c) maps function keys to actions. */
#ifndef TILL_UI_SCREEN_H
#define TILL_UI_SCREEN_H

#include <stddef.h>
#include <wchar.h>

struct app;

enum { KEY_IGNORED = 0, KEY_HANDLED = 1 };

/* An input event: a character (is_key = 0) or an ncurses KEY_* code (is_key = 1). */
struct ui_key {
    wint_t code;
    int is_key;
};

struct screen {
    const char *name;
    void (*draw)(const struct app *app);
    int (*key)(struct app *app, struct ui_key k);
};

extern const struct screen screen_sale;
extern const struct screen screen_payment;
extern const struct screen screen_search;
extern const struct screen screen_prompt;   /* quantity and weight */
extern const struct screen screen_confirm;  /* cancel sale, quit */
extern const struct screen screen_receipt;
extern const struct screen screen_help;
extern const struct screen screen_recover;

/* Actions bound to function keys, shown in the footer. */
enum ui_action {
    ACT_NONE, ACT_HELP, ACT_QTY, ACT_VOID, ACT_SEARCH, ACT_PAY, ACT_CANCEL, ACT_QUIT,
};
enum ui_action keys_action_for(struct ui_key k);
/* "F1 Help  F2 Qty ..." for the footer. */
const char *keys_footer(void);
/* Runs a function-key action on the app; KEY_HANDLED if k was bound. */
int keys_dispatch(struct app *app, struct ui_key k);

/* Drawing helpers (ui/draw.c). */
enum { COLOR_HEADER = 1, COLOR_ERROR, COLOR_OK, COLOR_SELECTED, COLOR_DIALOG, COLOR_TOTAL };
void draw_text(int y, int x, int width, const char *s);
void draw_text_right(int y, int x_end, const char *s);
/* A framed box centred on the screen; returns its top-left corner. */
void draw_dialog(int h, int w, const char *title, int *top, int *left);
void draw_field(int y, int x, int width, const char *label, const char *value);
/* Line editing on app->input: printable characters append, Backspace deletes. */
int field_edit(char *buf, size_t len, struct ui_key k);
int key_is_enter(struct ui_key k);
int key_is_escape(struct ui_key k);
int text_columns(const char *s);

#endif
