/* Age checks (see age_check.h). */
#include "app/age_check.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "app/deposit.h"

int app_age_configure(struct app *app, char *err, size_t errlen)
{
    long long v;
    if (config_get_int(app->cfg, "age.default_min_age", 18, &v) || v < 1 || v > 99) {
        snprintf(err, errlen, "config age.default_min_age must be an age from 1 to 99");
        return -1;
    }
    app->age.default_min_age = (int)v;
    app->age.line = -1;
    return 0;
}

void app_age_reset(struct app *app)
{
    app->age.line = -1;
    app->age.proven = 0;
    app->age.proven_how[0] = 0;
}

int app_age_required(const struct app *app, const struct product *p)
{
    if (p->age_restricted <= 0)
        return 0;
    return p->age_restricted == 1 ? app->age.default_min_age : p->age_restricted;
}

static void audit_check(struct app *app, int line, const char *outcome)
{
    const struct cart_line *l = &app->sale->cart.lines[line];
    char detail[200];
    snprintf(detail, sizeof detail, "%s line %d %s needs %d: %s", app->sale->uuid, line + 1,
             l->product.sku, app_age_required(app, &l->product), outcome);
    app_audit(app, "age_check", detail);
}

int app_age_ask(struct app *app, int line)
{
    const struct cart_line *l = &app->sale->cart.lines[line];
    int need = app_age_required(app, &l->product);
    if (!need || app->kiosk)
        return 0;
    if (app->age.proven >= need) {
        char how[40];
        snprintf(how, sizeof how, "earlier: %.30s", app->age.proven_how);
        cart_set_line_age_check(&app->sale->cart, line, how);
        audit_check(app, line, how);
        return 0;
    }
    app->age.line = line;
    app->age.min_age = need;
    app->age.back = app->mode == MODE_AGE_CHECK ? MODE_SALE : (int)app->mode;
    app->mode = MODE_AGE_CHECK;
    app_set_message(app, 1, "%s: only for customers of %d or older. Y: looks over %d; or date of"
                    " birth + Enter; N: refuse", l->product.name, need, need);
    return 1;
}

/* The check passed: the line records how, and the sale remembers the age shown. */
static int passed(struct app *app, int age, const char *how)
{
    int line = app->age.line;
    cart_set_line_age_check(&app->sale->cart, line, how);
    audit_check(app, line, how);
    if (age > app->age.proven) {
        app->age.proven = age;
        snprintf(app->age.proven_how, sizeof app->age.proven_how, "%s", how);
    }
    app->age.line = -1;
    app->mode = (enum app_mode)app->age.back;
    app_set_message(app, 0, "Age checked (%s): %s", how, app->sale->cart.lines[line].product.name);
    return 0;
}

void app_age_record(struct app *app, int line, const char *how)
{
    if (line < 0 || line >= app->sale->cart.nlines)
        return;
    int need = app_age_required(app, &app->sale->cart.lines[line].product);
    cart_set_line_age_check(&app->sale->cart, line, how);
    audit_check(app, line, how);
    if (need > app->age.proven) {
        app->age.proven = need;
        snprintf(app->age.proven_how, sizeof app->age.proven_how, "%s", how);
    }
}

int app_age_looks_over(struct app *app)
{
    if (app->age.line < 0)
        return -1;
    char how[40];
    snprintf(how, sizeof how, "looks over %d", app->age.min_age);
    return passed(app, app->age.min_age, how);
}

/* A date of birth as typed: DD.MM.YYYY, YYYY-MM-DD or DDMMYYYY; 0 and y/m/d when valid. */
static int parse_birth_date(const char *t, int *y, int *m, int *d)
{
    char rest;
    if (sscanf(t, "%d.%d.%d%c", d, m, y, &rest) != 3 && sscanf(t, "%d-%d-%d%c", y, m, d, &rest) != 3) {
        if (strlen(t) != 8 || strspn(t, "0123456789") != 8 || sscanf(t, "%2d%2d%4d", d, m, y) != 3)
            return -1;
    }
    static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (*y < 1900 || *m < 1 || *m > 12 || *d < 1 || *d > days[*m - 1])
        return -1;
    return 0;
}

int app_age_birth_date(struct app *app, const char *text)
{
    if (app->age.line < 0)
        return -1;
    int y, m, d;
    if (parse_birth_date(text, &y, &m, &d)) {
        app_set_message(app, 1, "'%.20s' is not a date of birth: type e.g. 24.12.1990", text);
        return -1;
    }
    time_t now = (time_t)loop_wall_time();
    struct tm tm;
    localtime_r(&now, &tm);
    int ty = tm.tm_year + 1900, tmo = tm.tm_mon + 1;
    int age = ty - y - (tmo < m || (tmo == m && tm.tm_mday < d));
    if (age < 0 || age > 130) {
        app_set_message(app, 1, "%02d.%02d.%04d cannot be a customer's date of birth", d, m, y);
        return -1;
    }
    char how[40];
    snprintf(how, sizeof how, "born %04d-%02d-%02d, %d", y, m, d, age);
    if (age < app->age.min_age) {
        audit_check(app, app->age.line, how);
        app_age_refuse(app);
        app_set_message(app, 1, "Born %02d.%02d.%04d: %d, under %d. Not sold: the item is taken out",
                        d, m, y, age, app->age.min_age);
        return 1;
    }
    return passed(app, age, how);
}

int app_age_refuse(struct app *app)
{
    int line = app->age.line;
    if (line < 0)
        return -1;
    struct cart *cart = &app->sale->cart;
    char name[96];
    snprintf(name, sizeof name, "%s", cart->lines[line].product.name);
    audit_check(app, line, "refused");
    /* its deposit goes with it, then the line itself */
    int dep = app_deposit_line_of(app, line);
    if (dep >= 0)
        cart_remove_line(cart, dep);
    cart_remove_line(cart, line);
    app->sale->selected = cart->nlines - 1;
    app->age.line = -1;
    app->mode = (enum app_mode)app->age.back;
    app_set_message(app, 1, "Age not confirmed: %s taken out of the sale", name);
    return 0;
}
