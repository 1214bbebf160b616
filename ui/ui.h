/* The ncurses front end: draws the app's state and turns keys into app actions. */
#ifndef TILL_UI_H
#define TILL_UI_H

#include <stddef.h>

struct app;
struct config;

struct ui;

/* Takes over the terminal and joins stdin, SIGWINCH and the clock to the app's loop;
 * NULL (and err) when it cannot.  ui_stop gives the terminal back and frees the ui. */
struct ui *ui_start(struct app *app, char *err, size_t errlen);
void ui_stop(struct ui *ui);
/* The front end's own settings (keys.sale), for --check-config: 0, or -1 with err. */
int ui_check_config(const struct config *cfg, char *err, size_t errlen);

#endif
