/* Permissions: "may the signed-on person do this?", and the approval when not.
 *
 * FOR OTHER MODES (returns, discounts, stock counts, the kiosk attendant, ...): do not keep
 * PINs of your own and do not call app_authorize on a key.  Name your action's permission
 * in core/staff_policy.h (enum perm, its name and default roles in core/staff_policy.c, a
 * config row permissions.NAME in src/config_keys.c), then make the action a command: a row
 * in app/commands.c naming the permission and a handler
 *
 *     int cmd_refund(struct app *app, const struct cmd_args *a)
 *     {
 *         ... do it; a->approver is NULL when the signed-on person holds the permission,
 *         else the one whose PIN approved it (its id goes into your audit row) ...
 *     }
 *
 * and have every key, menu item or scan name it: app_command(app, "refund", arg, door).
 * The door calls app_authorize, which runs the handler at once when the signed-on role
 * holds the permission (and on a till without staff, where everything is allowed as
 * before).  Otherwise it opens the override dialog (MODE_APPROVAL: staff id, then PIN, of
 * someone whose role holds it; wrong PINs count towards that person's lockout), records
 * the override in the audit log with both staff ids, and calls back only when it is
 * granted.  Esc abandons it and returns to the mode it was opened over (app/modes.h); the
 * callback is then never called.
 *
 * app_has_permission answers without asking anyone, e.g. to grey out a menu item. */
#ifndef TILL_APP_AUTHORIZE_H
#define TILL_APP_AUTHORIZE_H

#include "app/app.h"
#include "core/staff_policy.h"
#include "src/staff.h"

typedef void (*app_granted_fn)(struct app *app, const struct staff_member *approver, void *ctx);

/* 1 when the signed-on person's role holds p (always 1 on a till without staff). */
int app_has_permission(const struct app *app, enum perm p);
/* 1: granted now (granted was called with approver NULL); 0: the override dialog is open
 * and granted will be called if someone allowed approves; -1: refused (nobody signed on,
 * or no role holds p), with a message. */
int app_authorize(struct app *app, enum perm p, const char *what, app_granted_fn granted, void *ctx);

/* The override dialog's Enter: the approver's staff id first, then their PIN. */
int app_approval_submit(struct app *app, const char *text);
/* Esc: back to the staff id, or (at the id) abandon the action. */
void app_approval_back(struct app *app);

/* Reads permissions.NAME (role lists) over the defaults; 0, or -1 with err. */
int app_load_permissions(const struct config *cfg, struct perm_table *t, char *err, size_t errlen);

#endif
