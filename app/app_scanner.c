/* The app's side of a directly read scanner (scanner.kind = usb): scans go to app_scan
 * whatever screen is open, connection changes to the status bar.  The keyboard wedge
 * (scanner.kind = none or wedge, the default) needs nothing here: see ui/ui.c. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app/app.h"

static void on_scanner_scan(void *ctx, const char *text)
{
    struct app *app = ctx;
    app_scan(app, text);
    app->dirty = 1;
}

static void on_scanner_status(void *ctx, enum scanner_state state, const char *text)
{
    struct app *app = ctx;
    snprintf(app->scanner.status, sizeof app->scanner.status, "%s", text);
    app->dirty = 1;
}

int app_open_scanner(struct app *app, char *err, size_t errlen)
{
    /* scanner.driver is the older name of the key */
    const char *kind = config_get(app->cfg, "scanner.kind", config_get(app->cfg, "scanner.driver", "none"));
    if (strcasecmp(kind, "none") == 0 || strcasecmp(kind, "wedge") == 0)
        return 0;
    const struct scanner_events ev = { on_scanner_scan, on_scanner_status, app };
    char why[200];
    if (scanner_open(kind, app->loop, app->cfg, &ev, &app->scanner.dev, why, sizeof why)) {
        snprintf(err, errlen, "config scanner: %s", why);
        return -1;
    }
    /* Never fails for a missing device: that arrives as a status. */
    scanner_start(app->scanner.dev);
    return 0;
}

void app_close_scanner(struct app *app)
{
    scanner_close(app->scanner.dev);
    app->scanner.dev = NULL;
}
