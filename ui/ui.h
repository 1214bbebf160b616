/* The ncurses front end: draws the app's state and turns keys into app actions. */
#ifndef TILL_UI_H
#define TILL_UI_H

#include <stddef.h>

struct app;

/* Takes over the terminal and joins stdin, SIGWINCH and the clock to the app's loop. */
int ui_start(struct app *app, char *err, size_t errlen);
void ui_stop(struct app *app);
/* Redraws if the app's state changed. */
void ui_refresh(struct app *app);

#endif
