/* The checkout scale on the loop (app_scale.h). */
#include "app/app_scale.h"

#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/sale_session.h"
#include "drivers/scale.h"
#include "src/config.h"

int app_open_scale(struct app *app, char *err, size_t errlen)
{
    const char *driver = config_get(app->cfg, "scale.driver", "none");
    if (strcmp(driver, "none") == 0)
        return 0;
    return scale_open(driver, app->loop, app->cfg, "scale", &app->scale, err, errlen);
}

void app_close_scale(struct app *app)
{
    scale_close(app->scale);
    app->scale = NULL;
}

int app_scale_configured(const struct app *app)
{
    return app->scale != NULL;
}

static void on_reading(void *ctx, const struct scale_reading *r)
{
    struct app *app = ctx;
    if (app->mode != MODE_WEIGHT) {
        /* the cashier went on: the item is not weighed */
        if (!r->final)
            scale_cancel(app->scale);
        return;
    }
    const char *name = app->sale->weighed.name;
    app->dirty = 1;
    if (!r->final) {
        app_set_message(app, 0, "%s: Weighing… %s", name, r->text);
        return;
    }
    app->mode = MODE_SALE;
    if (r->state != SCALE_STABLE) {
        app_set_message(app, 1, "%s not weighed: %s. Scan it again to weigh again", name, r->text);
        return;
    }
    app_add_weighed(app, r->weight_g);
}

void app_scale_weigh(struct app *app)
{
    const struct product *p = &app->sale->weighed;
    scale_cancel(app->scale);
    if (scale_weigh(app->scale, p->price, 0, p->name, on_reading, app)) {
        app->mode = MODE_SALE;
        app_set_message(app, 1, "%s not weighed: the scale is busy", p->name);
        return;
    }
    if (app->mode == MODE_WEIGHT)
        app_set_message(app, 0, "%s: Weighing… put it on the scale", p->name);
}
