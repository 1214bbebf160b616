/* Permissions and the manager override (see app/authorize.h). */
#include "app/authorize.h"

#include <stdio.h>
#include <string.h>

#include "src/config.h"
#include "src/store.h"

int app_load_permissions(const struct config *cfg, struct perm_table *t, char *err, size_t errlen)
{
    perm_table_defaults(t);
    for (int p = 0; p < PERM_COUNT; p++) {
        char key[64], why[160];
        snprintf(key, sizeof key, "permissions.%s", perm_name((enum perm)p));
        const char *v = config_get(cfg, key, NULL);
        if (v && perm_parse_roles(v, &t->roles[p], why, sizeof why)) {
            snprintf(err, errlen, "config %s: %s", key, why);
            return -1;
        }
    }
    return 0;
}

int app_has_permission(const struct app *app, enum perm p)
{
    if (!app->staff.enabled)
        return 1;
    return app->staff.signed_on && perm_allows(&app->staff.perms, p, app->staff.who.role);
}

int app_authorize(struct app *app, enum perm p, const char *what, app_granted_fn granted, void *ctx)
{
    if (app_has_permission(app, p)) {
        granted(app, NULL, ctx);
        return 1;
    }
    if (!app->staff.signed_on) {
        app_set_message(app, 1, "Sign on first");
        return -1;
    }
    if (!app->staff.perms.roles[p]) {
        app_set_message(app, 1, "Nobody may %s on this till (permissions.%s)", perm_label(p), perm_name(p));
        return -1;
    }
    struct app_approval *o = &app->approval;
    o->perm = p;
    snprintf(o->what, sizeof o->what, "%s", what && *what ? what : perm_label(p));
    o->granted = granted;
    o->ctx = ctx;
    o->approver_id[0] = 0;
    /* over the mode it was asked from, where it returns (one approval at a time) */
    if (app->mode != MODE_APPROVAL)
        app_mode_push(app, MODE_APPROVAL);
    app_set_message(app, 0, "%s may not %s: someone allowed types their staff id and PIN",
                    app->staff.who.name, perm_label(p));
    return 0;
}

void app_approval_back(struct app *app)
{
    struct app_approval *o = &app->approval;
    if (o->approver_id[0]) {
        o->approver_id[0] = 0;
        app->dirty = 1;
        return;
    }
    app_mode_pop(app);
    o->granted = NULL;
    app_set_message(app, 0, "Not approved: %s", o->what);
}

static void audit_override(struct app *app, const struct staff_member *approver)
{
    char detail[256];
    snprintf(detail, sizeof detail, "%s by %s approved by %s: %s", perm_name(app->approval.perm),
             app->staff.who.id, approver->id, app->approval.what);
    store_audit(app->store, loop_wall_time(), app->s.terminal_id, app->staff.who.id, "override", detail);
}

int app_approval_submit(struct app *app, const char *text)
{
    struct app_approval *o = &app->approval;
    app->dirty = 1;
    if (!o->approver_id[0]) {
        if (!text[0] || strlen(text) >= sizeof o->approver_id) {
            app_set_message(app, 1, "Type the staff id of someone who may %s", perm_label(o->perm));
            return -1;
        }
        snprintf(o->approver_id, sizeof o->approver_id, "%s", text);
        struct staff_member m;
        snprintf(o->approver_name, sizeof o->approver_name, "%s",
                 staff_get(app->store, text, &m) == STORE_OK ? m.name : "");
        return 0;
    }
    struct staff_member approver;
    int64_t locked_for = 0;
    enum staff_pin_result r = staff_check_pin(app->store, o->approver_id, text, loop_wall_time(), &approver,
                                              &locked_for);
    if (r != STAFF_PIN_OK) {
        if (r == STAFF_PIN_LOCKED || (r == STAFF_PIN_WRONG && locked_for))
            app_set_message(app, 1, "Staff %s is locked for %lld s after wrong PINs", o->approver_id,
                            (long long)locked_for);
        else if (r == STAFF_PIN_ERROR)
            app_set_message(app, 1, "Cannot check the PIN: %s", store_errmsg(app->store));
        else
            app_set_message(app, 1, "Unknown staff id or wrong PIN");
        o->approver_id[0] = 0;
        return -1;
    }
    if (!perm_can_approve(&app->staff.perms, o->perm, approver.role, approver.active, approver.id,
                          app->staff.who.id)) {
        app_set_message(app, 1, "%s (%s) may not approve: %s", approver.name, staff_role_name(approver.role),
                        perm_label(o->perm));
        o->approver_id[0] = 0;
        return -1;
    }
    audit_override(app, &approver);
    app_granted_fn granted = o->granted;
    o->granted = NULL;
    app_mode_pop(app);
    if (granted)
        granted(app, &approver, o->ctx);
    return 0;
}
