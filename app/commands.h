/* Commands: every action a person can take, in one table (app/commands.c), each entry
 * naming its permission, the audit event its handler writes (who is signed on, and the
 * approver when someone approved), whether it asks "are you sure?" and its handler -- in
 * the spirit of tmux's cmd_entry tables.
 *
 * There is one door: app_command().  Keys (cashier and kiosk), the manager menu, scans,
 * the quit path and main()'s CLI one-shots only name a command; the state check, the
 * permission (or a supervisor's approval, app/authorize.h), the confirmation and the run
 * happen here, in that order, whichever door it came through.  A check on a key instead
 * of on the command would be missed by the next door (F8 refused, F10 and "y" cancelled).
 *
 * To add an action: a handler `int cmd_NAME(struct app *, const struct cmd_args *)` in the
 * feature's module (it does the work and writes its audit row with args->approver), a
 * row in cmd_table (app/commands.c), and a binding that names it (ui/). */
#ifndef TILL_APP_COMMANDS_H
#define TILL_APP_COMMANDS_H

#include <stddef.h>

#include "core/staff_policy.h"
#include "src/staff.h"

struct app;

/* No permission needed (enum perm otherwise). */
#define CMD_NO_PERM (-1)

/* How a command reached the door (for the messages and the tests). */
enum cmd_door { DOOR_KEY, DOOR_MENU, DOOR_SCAN, DOOR_QUIT, DOOR_CLI, DOOR_KIOSK, DOOR_COUNT };

enum {
    CMD_CONFIRM_FIRST = 1 << 0,  /* asks before the permission (quitting: "quit?" then approval) */
    CMD_SAY_ARG = 1 << 1,        /* the approver is shown the argument ("Price of Milk from ...") */
    CMD_KIOSK = 1 << 2,          /* the kiosk attendant's: allowed by their PIN (tests/e2e_kiosk.sh) */
};

/* What a handler is given. */
struct cmd_args {
    const char *arg;                      /* the scanned code, the typed text, ... ("" none) */
    const struct staff_member *approver;  /* who approved it; NULL: the signed-on person may */
    enum cmd_door door;
};

struct cmd_entry {
    const char *name;           /* "cancel-sale": what bindings, the menu and the CLI name */
    const char *label;          /* people's words, for the approval dialog: "cancel the sale" */
    int perm;                   /* enum perm, or CMD_NO_PERM */
    /* NULL: perm always; else the permission needed now (a void after subtotal, say) */
    int (*perm_now)(const struct app *app, const char *arg);
    /* NULL: label; else what the approver is shown ("void Basmati Rice 1kg after subtotal") */
    void (*describe)(const struct app *app, const char *arg, char *buf, size_t len);
    const char *audit;          /* the audit event the handler writes, NULL: none */
    int confirm_mode;           /* enum app_mode of the yes/no question, 0: none */
    unsigned flags;             /* CMD_* */
    /* may it run now (an open sale to cancel, an open shift)?  0, or -1 with a message */
    int (*check)(struct app *app, const char *arg);
    /* does it: 0 done (or a dialog opened), -1 refused with a message */
    int (*exec)(struct app *app, const struct cmd_args *args);
};

/* A command waiting at the door: for an approver, or for the yes/no answer. */
struct app_command {
    const struct cmd_entry *entry;   /* NULL: none waiting */
    char arg[128];
    enum cmd_door door;
    int confirmed;
    int approved;                    /* approver below is set */
    struct staff_member approver;
    int rc;                          /* the handler's result, when it ran inside the door */
};

extern const struct cmd_entry cmd_table[];
extern const size_t cmd_table_n;

/* The entry named name, or NULL. */
const struct cmd_entry *cmd_find(const char *name);

/* The one door: 0 when the command ran (or is waiting for an approver or a yes), -1 when
 * it was refused (with a message: unknown, not now, nobody may).  A question or an
 * approval opens over the current mode (app/modes.h) and returns to it. */
int app_command(struct app *app, const char *name, const char *arg, enum cmd_door door);
/* The yes/no question of a waiting command: yes runs it (after the permission, if it
 * asked first), no drops it and returns to the mode it was asked from. */
int app_command_yes(struct app *app);
void app_command_no(struct app *app);
/* The command waiting for its yes/no, or NULL. */
const struct cmd_entry *app_command_waiting(const struct app *app);
/* Who approved the command running now (or last run): its id, "" when nobody had to. */
const char *app_command_approver(const struct app *app);

/* State checks before the permission (their modules define them). */
int cmd_check_void(struct app *app, const char *arg);
int cmd_check_shift(struct app *app, const char *arg);
int cmd_check_z(struct app *app, const char *arg);
int cmd_check_no_sale(struct app *app, const char *arg);
int cmd_check_unsaved(struct app *app, const char *arg);
int cmd_check_kiosk_menu(struct app *app, const char *arg);
int cmd_kiosk_attendant_perm(const struct app *app, const char *arg);

/* Handlers (their modules define them). */
int cmd_sell(struct app *app, const struct cmd_args *a);
int cmd_quantity(struct app *app, const struct cmd_args *a);
int cmd_void_line(struct app *app, const struct cmd_args *a);
int cmd_search(struct app *app, const struct cmd_args *a);
int cmd_pay(struct app *app, const struct cmd_args *a);
int cmd_cancel_sale(struct app *app, const struct cmd_args *a);
int cmd_quit(struct app *app, const struct cmd_args *a);
int cmd_quit_cancel_sale(struct app *app, const struct cmd_args *a);
int cmd_help(struct app *app, const struct cmd_args *a);
int cmd_printer(struct app *app, const struct cmd_args *a);
int cmd_manager(struct app *app, const struct cmd_args *a);
int cmd_discount(struct app *app, const struct cmd_args *a);
int cmd_return(struct app *app, const struct cmd_args *a);
int cmd_park(struct app *app, const struct cmd_args *a);
int cmd_customer(struct app *app, const struct cmd_args *a);
int cmd_price(struct app *app, const struct cmd_args *a);
int cmd_stock_lookup(struct app *app, const struct cmd_args *a);
int cmd_stock_count(struct app *app, const struct cmd_args *a);
int cmd_count_submit(struct app *app, const struct cmd_args *a);
int cmd_sign_off(struct app *app, const struct cmd_args *a);
int cmd_no_sale(struct app *app, const struct cmd_args *a);
int cmd_paid_in(struct app *app, const struct cmd_args *a);
int cmd_paid_out(struct app *app, const struct cmd_args *a);
int cmd_drop(struct app *app, const struct cmd_args *a);
int cmd_x_report(struct app *app, const struct cmd_args *a);
int cmd_z_report(struct app *app, const struct cmd_args *a);
int cmd_open_shift(struct app *app, const struct cmd_args *a);
int cmd_override(struct app *app, const struct cmd_args *a);
int cmd_outbox_retry(struct app *app, const struct cmd_args *a);
int cmd_cancel_unsaved(struct app *app, const struct cmd_args *a);
int cmd_kiosk_approve(struct app *app, const struct cmd_args *a);
int cmd_kiosk_void(struct app *app, const struct cmd_args *a);
int cmd_kiosk_cancel_sale(struct app *app, const struct cmd_args *a);
int cmd_kiosk_reprint(struct app *app, const struct cmd_args *a);
int cmd_kiosk_lane(struct app *app, const struct cmd_args *a);
int cmd_kiosk_exit(struct app *app, const struct cmd_args *a);

#endif
