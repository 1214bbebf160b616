/* store.terminal_id is the name every queued document and audit row carries to the server,
 * whose token speaks for that one terminal.  The database remembers the id it was used with
 * (meta store.terminal_id); a changed id is refused while anything of the old one waits to
 * be sent, and otherwise taken with an audited terminal_id_changed row. */
#ifndef TILL_APP_TERMINAL_ID_H
#define TILL_APP_TERMINAL_ID_H

#include <stddef.h>

struct app;

/* At start, before anything is audited: 0, or -1 with why in err (the till does not start). */
int app_terminal_id_check(struct app *app, char *err, size_t errlen);

#endif
