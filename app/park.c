/* Parking and resuming sales (see park.h). */
#include "app/park.h"

#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "src/sales.h"

int app_park_configure(struct app *app, char *err, size_t errlen)
{
    long long hours;
    if (config_get_int(app->cfg, "suspend.max_age_hours", 24, &hours) || hours < 1 || hours > 24 * 365) {
        snprintf(err, errlen, "config suspend.max_age_hours must be a whole number from 1 to 8760");
        return -1;
    }
    app->park.max_age_s = hours * 3600;
    return 0;
}

int app_park_is_old(const struct app *app, const struct parked_info *p)
{
    return loop_wall_time() - p->parked_at > app->park.max_age_s;
}

static void load_list(struct app *app)
{
    int n = parked_list(app->store, app->park.list, PARK_LIST_MAX);
    app->park.n = n < 0 ? 0 : n;
    if (app->park.sel >= app->park.n)
        app->park.sel = app->park.n ? app->park.n - 1 : 0;
}

void app_park_open(struct app *app)
{
    if (!cart_is_empty(&app->sale->cart) || app->sale->cart.nlines) {
        if (sale_session_locked(app->sale)) {
            app_set_message(app, 1, "Payments are taken: finish or cancel the sale; it cannot be parked");
            return;
        }
        app->mode = MODE_PARK;
        app_set_message(app, 0, "Park this sale: type a label (e.g. the customer's name), Enter");
        return;
    }
    load_list(app);
    if (app->park.n == 0) {
        app_set_message(app, 1, "No parked sales");
        return;
    }
    app->park.sel = 0;
    app->mode = MODE_RESUME;
    app_set_message(app, 0, "Pick a parked sale (Up/Down), Enter resumes it");
}

int app_park(struct app *app, const char *text)
{
    char label[48];
    snprintf(label, sizeof label, "%s", text[0] ? text : "no label");
    int64_t id;
    struct parked_extra x = { .started_at = app->sale->started_at, .age_proven = app->age.proven };
    snprintf(x.uuid, sizeof x.uuid, "%s", app->sale->uuid);
    snprintf(x.age_proven_how, sizeof x.age_proven_how, "%s", app->age.proven_how);
    if (parked_save(app->store, &app->sale->cart, &x, label, loop_wall_time(), &id)) {
        app_set_message(app, 1, "The sale could not be parked (%s): it stays open", store_errmsg(app->store));
        return -1;
    }
    char detail[120];
    snprintf(detail, sizeof detail, "%s as %lld %s", app->sale->uuid, (long long)id, label);
    app_audit(app, "sale_parked", detail);
    app_next_sale(app);
    app_set_message(app, 0, "Sale parked as %lld (%s). Ctrl-P on an empty sale resumes it.", (long long)id, label);
    return 0;
}

void app_park_select(struct app *app, int delta)
{
    int s = app->park.sel + delta;
    app->park.sel = s < 0 ? 0 : s >= app->park.n ? (app->park.n ? app->park.n - 1 : 0) : s;
    app->dirty = 1;
}

int app_resume_selected(struct app *app)
{
    if (app->park.sel < 0 || app->park.sel >= app->park.n || app->sale->cart.nlines)
        return -1;
    const struct parked_info *p = &app->park.list[app->park.sel];
    struct sale_session *ss = app->sale;
    struct parked_extra x;
    app_next_sale(app);
    if (parked_take(app->store, p->id, &ss->cart, &x)) {
        app_set_message(app, 1, "Parked sale %lld could not be resumed (%s)", (long long)p->id,
                        store_errmsg(app->store));
        load_list(app);
        return -1;
    }
    /* the sale keeps its identity: the same uuid, started when it was */
    snprintf(ss->uuid, sizeof ss->uuid, "%s", x.uuid);
    ss->started_at = x.started_at;
    /* the age the customer showed before the sale was set aside still stands */
    app->age.proven = x.age_proven;
    snprintf(app->age.proven_how, sizeof app->age.proven_how, "%s", x.age_proven_how);
    card_payment_new_sale(app->card, ss->uuid);
    ss->selected = ss->cart.nlines - 1;
    /* returned lines: the receipt again, for the refund's tender */
    for (int i = 0; i < ss->cart.nlines; i++)
        if (ss->cart.lines[i].return_of[0] &&
            sales_find_original(app->store, ss->cart.lines[i].return_of, &app->ret->orig) == STORE_OK) {
            app->ret->have = 1;
            break;
        }
    char detail[120];
    snprintf(detail, sizeof detail, "%s from %lld", x.uuid, (long long)p->id);
    app_audit(app, "sale_resumed", detail);
    app_promotions_for_cart(app);
    app_customer_restore(app);
    app->mode = MODE_SALE;
    app_set_message(app, 0, "Resumed: %s", p->label);
    return 0;
}

int app_park_old_count(struct app *app, int64_t *n)
{
    *n = 0;
    return parked_count_before(app->store, loop_wall_time() - app->park.max_age_s, n);
}
