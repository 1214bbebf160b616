/* Modes as descriptors (in the spirit of tmux's window modes): what each mode of the app
 * does with a scan and with Enter on its input line, and a stack so a dialog returns to
 * whatever it was opened over.  app_scan and app_submit_input dispatch through the top
 * mode's descriptor instead of an if-chain over the modes.
 *
 * Not yet (issue 21, step 2): each mode's private state still lives in struct app. */
#ifndef TILL_APP_MODES_H
#define TILL_APP_MODES_H

struct app;

struct app_mode_ops {
    const char *name;
    /* a complete scan in this mode; NULL: refused with a message (finish the dialog) */
    int (*scan)(struct app *app, const char *code);
    /* Enter on the input line with text; NULL: the sale's (a barcode, or 3*BARCODE) */
    int (*submit)(struct app *app, const char *text);
};

/* The descriptor of mode (an enum app_mode); never NULL. */
const struct app_mode_ops *app_mode_ops(int mode);

#define APP_MODE_STACK 8

/* The modes below the one shown (struct app's mode is the top). */
struct app_mode_stack {
    int below[APP_MODE_STACK];
    int depth;
};

/* Opens mode over the current one. */
void app_mode_push(struct app *app, int mode);
/* Closes the top mode: back to the one below (the home mode when there is none). */
void app_mode_pop(struct app *app);
/* Forgets the modes below (a new sale, a sign-off: nothing to return to). */
void app_mode_reset(struct app *app);

#endif
