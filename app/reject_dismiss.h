/* A row the sync refused and parked (src/sync_rejects.h) waits for a manager.  Once they
 * have dealt with it (fixed the record on the server, or decided it does not matter) they
 * dismiss it: `till --sync-rejects --dismiss ID`, or R in the manager menu (the newest open
 * one), both through the command door (app/commands.c: sync-reject-dismiss).  The row is
 * closed like a superseded one and the dismissal audited (sync_reject_dismissed) in the
 * same transaction. */
#ifndef TILL_APP_REJECT_DISMISS_H
#define TILL_APP_REJECT_DISMISS_H

struct app;
struct cmd_args;

/* arg: the reject's id, "" the newest open one.  0 dismissed, 1 none such (a message),
 * -1 error. */
int cmd_sync_reject_dismiss(struct app *app, const struct cmd_args *a);

#endif
