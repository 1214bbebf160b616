/* The command table and its one door (see app/commands.h). */
#include "app/commands.h"

#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/authorize.h"
#include "app/reject_dismiss.h"

/* ------------------------------------------------------------- checks --- */

static int sale_open(struct app *app, const char *arg)
{
    if (app->sale->cart.nlines)
        return 0;
    app_set_message(app, 1, "No open sale to cancel");
    return -1;
}

static int staff_on(struct app *app, const char *arg)
{
    if (app->staff.enabled && app->staff.signed_on)
        return 0;
    app_set_message(app, 1, "The manager menu needs staff signed on");
    return -1;
}

static int between_sales(struct app *app, const char *arg)
{
    if (app->mode != MODE_SALE && app->mode != MODE_MANAGER) {
        app_set_message(app, 1, "Finish the open dialog first (Esc)");
        return -1;
    }
    if (app->sale->cart.nlines) {
        app_set_message(app, 1, "Finish or cancel the open sale before counting stock");
        return -1;
    }
    return 0;
}

static int void_perm_now(const struct app *app, const char *arg)
{
    /* before the total was shown a void is a correction; after it, it needs permission */
    return app->sale->subtotaled ? PERM_VOID_AFTER_SUBTOTAL : CMD_NO_PERM;
}

static void void_describe(const struct app *app, const char *arg, char *buf, size_t len)
{
    const struct sale_session *sale = app->sale;
    snprintf(buf, len, "void %.60s after subtotal", sale->cart.lines[sale->selected].product.name);
}

/* No sale: a till without staff has no shift and no permission (drawer.no_sale decides). */
static int no_sale_perm_now(const struct app *app, const char *arg)
{
    return app->staff.enabled ? PERM_NO_SALE : CMD_NO_PERM;
}

/* A refused sync row is the store manager's (the Z's permission) in the menu; at the CLI,
 * with nobody signed on, whoever runs till on the database may, as with --outbox-retry
 * (so the table says CMD_NO_PERM and the menu's permission comes from here). */
static int reject_dismiss_perm_now(const struct app *app, const char *arg)
{
    return app->staff.enabled && app->staff.signed_on ? PERM_Z_REPORT : CMD_NO_PERM;
}

/* -------------------------------------------------------------- table --- */

/* Every action a person can take.  The approval dialog says "Alex may not <label>". */
const struct cmd_entry cmd_table[] = {
    { .name = "sell", .label = "sell an item", .perm = CMD_NO_PERM, .exec = cmd_sell },
    { .name = "quantity", .label = "change a quantity", .perm = CMD_NO_PERM, .exec = cmd_quantity },
    { .name = "void-line", .label = "void a line", .perm = PERM_VOID_AFTER_SUBTOTAL, .perm_now = void_perm_now,
      .describe = void_describe, .audit = "line_void", .check = cmd_check_void, .exec = cmd_void_line },
    { .name = "search", .label = "search a product", .perm = CMD_NO_PERM, .exec = cmd_search },
    { .name = "pay", .label = "take payment", .perm = CMD_NO_PERM, .exec = cmd_pay },
    { .name = "cancel-sale", .label = "cancel the sale", .perm = PERM_CANCEL_SALE, .audit = "sale_cancelled",
      .confirm_mode = MODE_CONFIRM_CANCEL, .check = sale_open, .exec = cmd_cancel_sale },
    { .name = "cancel-unsaved", .label = "cancel the sale", .perm = PERM_CANCEL_SALE,
      .audit = "sale_cancelled_unsaved", .check = cmd_check_unsaved, .exec = cmd_cancel_unsaved },
    { .name = "quit", .label = "quit", .perm = CMD_NO_PERM, .exec = cmd_quit },
    { .name = "quit-cancel-sale", .label = "cancel the sale", .perm = PERM_CANCEL_SALE, .audit = "sale_cancelled",
      .confirm_mode = MODE_CONFIRM_QUIT, .flags = CMD_CONFIRM_FIRST, .check = sale_open,
      .exec = cmd_quit_cancel_sale },
    { .name = "help", .label = "show the keys", .perm = CMD_NO_PERM, .exec = cmd_help },
    { .name = "printer", .label = "retry, skip or reprint a receipt", .perm = CMD_NO_PERM, .audit = "reprint",
      .exec = cmd_printer },
    { .name = "discount", .label = "give a discount", .perm = CMD_NO_PERM, .audit = "discount",
      .exec = cmd_discount },
    { .name = "return", .label = "take a return", .perm = CMD_NO_PERM, .audit = "return_line", .exec = cmd_return },
    { .name = "park", .label = "park or resume a sale", .perm = CMD_NO_PERM, .audit = "sale_parked",
      .exec = cmd_park },
    { .name = "customer", .label = "set the sale's customer", .perm = CMD_NO_PERM, .audit = "sale_customer",
      .exec = cmd_customer },
    { .name = "price", .label = "change a line's price", .perm = CMD_NO_PERM, .exec = cmd_price },
    /* what a supervisor allows (app/override.c opens them with the dialog's values) */
    { .name = "price-override", .label = "override a price", .perm = PERM_PRICE_OVERRIDE,
      .audit = "price_override", .flags = CMD_SAY_ARG, .exec = cmd_override },
    { .name = "discount-over-limit", .label = "give a discount over the limit", .perm = PERM_DISCOUNT_OVER_LIMIT,
      .audit = "override", .flags = CMD_SAY_ARG, .exec = cmd_override },
    { .name = "return-no-receipt", .label = "take a return without a receipt", .perm = PERM_REFUND,
      .audit = "override", .flags = CMD_SAY_ARG, .exec = cmd_override },
    { .name = "refund-cash", .label = "refund in cash", .perm = PERM_REFUND, .audit = "override",
      .flags = CMD_SAY_ARG, .exec = cmd_override },
    { .name = "stock-lookup", .label = "look up stock", .perm = CMD_NO_PERM, .exec = cmd_stock_lookup },
    { .name = "stock-count", .label = "count stock", .perm = PERM_STOCK_COUNT, .audit = "count_start",
      .check = between_sales, .exec = cmd_stock_count },
    { .name = "count-submit", .label = "submit a stock count", .perm = PERM_STOCK_COUNT, .audit = "count_submit",
      .exec = cmd_count_submit },
    { .name = "manager", .label = "open the manager menu", .perm = CMD_NO_PERM, .check = staff_on,
      .exec = cmd_manager },
    { .name = "sign-off", .label = "sign off", .perm = CMD_NO_PERM, .audit = "signoff", .exec = cmd_sign_off },
    { .name = "lock", .label = "lock the screen", .perm = CMD_NO_PERM, .audit = "signoff", .exec = cmd_sign_off },
    { .name = "no-sale", .label = "open the drawer (no sale)", .perm = PERM_NO_SALE, .perm_now = no_sale_perm_now,
      .audit = "no_sale", .check = cmd_check_no_sale, .exec = cmd_no_sale },
    { .name = "paid-in", .label = "pay cash in", .perm = PERM_PAID_IN_OUT, .audit = "paid_in",
      .check = cmd_check_shift, .exec = cmd_paid_in },
    { .name = "paid-out", .label = "pay cash out", .perm = PERM_PAID_IN_OUT, .audit = "paid_out",
      .check = cmd_check_shift, .exec = cmd_paid_out },
    { .name = "drop", .label = "drop cash to the safe", .perm = PERM_PAID_IN_OUT, .audit = "drop",
      .check = cmd_check_shift, .exec = cmd_drop },
    { .name = "x-report", .label = "print an X report", .perm = PERM_X_REPORT, .audit = "x_report",
      .check = cmd_check_shift, .exec = cmd_x_report },
    { .name = "z-report", .label = "close the shift (Z report)", .perm = PERM_Z_REPORT, .audit = "z_report",
      .check = cmd_check_z, .exec = cmd_z_report },
    { .name = "open-shift", .label = "open a shift", .perm = CMD_NO_PERM, .audit = "shift_open",
      .check = staff_on, .exec = cmd_open_shift },
    /* the self-checkout attendant's menu (app/kiosk.c) */
    { .name = "kiosk-approve", .label = "approve an item at the kiosk", .perm = PERM_KIOSK_ATTENDANT,
      .perm_now = cmd_kiosk_attendant_perm, .audit = "kiosk_approved", .flags = CMD_KIOSK,
      .check = cmd_check_kiosk_menu, .exec = cmd_kiosk_approve },
    { .name = "kiosk-void", .label = "void a line at the kiosk", .perm = PERM_KIOSK_ATTENDANT,
      .perm_now = cmd_kiosk_attendant_perm, .audit = "line_void", .flags = CMD_KIOSK,
      .check = cmd_check_kiosk_menu, .exec = cmd_kiosk_void },
    { .name = "kiosk-cancel-sale", .label = "cancel the kiosk's sale", .perm = PERM_KIOSK_ATTENDANT,
      .perm_now = cmd_kiosk_attendant_perm, .audit = "kiosk_staff_cancel", .flags = CMD_KIOSK,
      .check = cmd_check_kiosk_menu, .exec = cmd_kiosk_cancel_sale },
    { .name = "kiosk-reprint", .label = "reprint the last receipt", .perm = PERM_KIOSK_ATTENDANT,
      .perm_now = cmd_kiosk_attendant_perm, .audit = "reprint", .flags = CMD_KIOSK,
      .check = cmd_check_kiosk_menu, .exec = cmd_kiosk_reprint },
    { .name = "kiosk-lane", .label = "open or close the lane", .perm = PERM_KIOSK_ATTENDANT,
      .perm_now = cmd_kiosk_attendant_perm, .audit = "kiosk_lane_closed", .flags = CMD_KIOSK,
      .check = cmd_check_kiosk_menu, .exec = cmd_kiosk_lane },
    { .name = "kiosk-exit", .label = "leave kiosk mode", .perm = PERM_KIOSK_ATTENDANT,
      .perm_now = cmd_kiosk_attendant_perm, .audit = "kiosk_exit", .flags = CMD_KIOSK,
      .check = cmd_check_kiosk_menu, .exec = cmd_kiosk_exit },
    { .name = "sync-reject-dismiss", .label = "dismiss a refused sync row", .perm = CMD_NO_PERM,
      .perm_now = reject_dismiss_perm_now, .audit = "sync_reject_dismissed", .exec = cmd_sync_reject_dismiss },
    { .name = "outbox-retry", .label = "send a rejected sale again", .perm = CMD_NO_PERM, .audit = "outbox_retry",
      .exec = cmd_outbox_retry },
};
const size_t cmd_table_n = sizeof cmd_table / sizeof cmd_table[0];

const struct cmd_entry *cmd_find(const char *name)
{
    for (size_t i = 0; name && i < cmd_table_n; i++)
        if (strcmp(cmd_table[i].name, name) == 0)
            return &cmd_table[i];
    return NULL;
}

/* --------------------------------------------------------------- door --- */

/* Runs the waiting command: it is no longer waiting while its handler runs (a handler may
 * name another command). */
static int run(struct app *app)
{
    struct app_command *p = &app->cmd;
    const struct cmd_entry *e = p->entry;
    char arg[sizeof p->arg];
    snprintf(arg, sizeof arg, "%s", p->arg);
    struct cmd_args a = { .arg = arg, .approver = p->approved ? &p->approver : NULL, .door = p->door };
    p->entry = NULL;
    p->rc = e->exec(app, &a);
    app->dirty = 1;
    return p->rc;
}

/* The question, over the mode the command was asked from. */
static void ask(struct app *app)
{
    app_mode_push(app, app->cmd.entry->confirm_mode);
}

static void granted(struct app *app, const struct staff_member *approver, void *ctx)
{
    struct app_command *p = &app->cmd;
    if (!p->entry)
        return;
    if (approver) {
        p->approver = *approver;
        p->approved = 1;
    }
    if (p->entry->confirm_mode && !p->confirmed) {
        p->rc = 0;
        ask(app);
        return;
    }
    run(app);
}

/* The permission: now, or through an approver (granted runs then). */
static int authorize(struct app *app)
{
    struct app_command *p = &app->cmd;
    const struct cmd_entry *e = p->entry;
    int perm = e->perm_now ? e->perm_now(app, p->arg) : e->perm;
    if (perm == CMD_NO_PERM) {
        granted(app, NULL, NULL);
        return p->rc;
    }
    char what[128];
    if (e->describe)
        e->describe(app, p->arg, what, sizeof what);
    else
        snprintf(what, sizeof what, "%s", (e->flags & CMD_SAY_ARG) && p->arg[0] ? p->arg : e->label);
    p->rc = 0;
    int r = app_authorize(app, (enum perm)perm, what, granted, NULL);
    if (r < 0) {
        p->entry = NULL;
        return -1;
    }
    return r == 1 ? p->rc : 0;
}

int app_command(struct app *app, const char *name, const char *arg, enum cmd_door door)
{
    const struct cmd_entry *e = cmd_find(name);
    if (!e) {
        app_set_message(app, 1, "Unknown command '%s'", name ? name : "");
        return -1;
    }
    if (e->check && e->check(app, arg ? arg : ""))
        return -1;
    struct app_command *p = &app->cmd;
    memset(p, 0, sizeof *p);
    p->entry = e;
    snprintf(p->arg, sizeof p->arg, "%s", arg ? arg : "");
    p->door = door;
    if (e->confirm_mode && (e->flags & CMD_CONFIRM_FIRST)) {
        ask(app);
        return 0;
    }
    return authorize(app);
}

int app_command_yes(struct app *app)
{
    struct app_command *p = &app->cmd;
    if (!p->entry)
        return -1;
    app_mode_pop(app);
    p->confirmed = 1;
    /* the state may have changed while the question was shown */
    if (p->entry->check && p->entry->check(app, p->arg)) {
        p->entry = NULL;
        return -1;
    }
    if (p->entry->flags & CMD_CONFIRM_FIRST)
        return authorize(app);
    return run(app);
}

void app_command_no(struct app *app)
{
    struct app_command *p = &app->cmd;
    app_mode_pop(app);
    p->entry = NULL;
    app->dirty = 1;
}

const struct cmd_entry *app_command_waiting(const struct app *app)
{
    return app->cmd.entry;
}

const char *app_command_approver(const struct app *app)
{
    return app->cmd.approved ? app->cmd.approver.id : "";
}

/* ------------------------------------------- handlers that open a dialog --- */

int cmd_discount(struct app *app, const struct cmd_args *a) { app_discount_open(app); return 0; }
int cmd_return(struct app *app, const struct cmd_args *a) { app_return_open(app); return 0; }
int cmd_park(struct app *app, const struct cmd_args *a) { app_park_open(app); return 0; }
int cmd_customer(struct app *app, const struct cmd_args *a) { app_customer_open(app); return 0; }
int cmd_price(struct app *app, const struct cmd_args *a) { app_price_open(app); return 0; }
int cmd_stock_lookup(struct app *app, const struct cmd_args *a) { app_stock_enter(app); return 0; }
int cmd_sign_off(struct app *app, const struct cmd_args *a) { return app_sign_off(app); }
/* 1: no parked order with that key */
int cmd_outbox_retry(struct app *app, const struct cmd_args *a) { return app_retry_parked(app, a->arg); }
