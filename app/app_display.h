/* The customer display (display.driver = pole; none by default): the last item scanned
 * and the total while selling, the total and the change after payment, a welcome line
 * between customers.  It follows the app's state like a screen does, so selling code
 * never calls it. */
#ifndef TILL_APP_DISPLAY_H
#define TILL_APP_DISPLAY_H

#include <stddef.h>

struct app;
struct pole_lines;

int app_open_display(struct app *app, char *err, size_t errlen);
void app_close_display(struct app *app);
/* What the display shows for the app's state now (pure over the state). */
void app_display_lines(const struct app *app, const char *welcome, struct pole_lines *out);
/* (out is pole_lines_init'ed by the caller, with the display's code page) */

#endif
