/* Drawing for the self-checkout screens: read at arm's length, so large block digits for
 * money, big labelled key caps, high-contrast banners, centred sentences that say what to
 * do next.  The step screens (ui/screen_kiosk_*.c) are built from these. */
#ifndef TILL_UI_KIOSK_DRAW_H
#define TILL_UI_KIOSK_DRAW_H

#include "app/kiosk.h"
#include "src/i18n.h"
#include "ui/screen.h"

/* A key cap's label, translated: three caps share 80 columns, so the catalog check
 * (tests/e2e_translations.sh, through xgettext's keyword comment) holds it to 16. */
#define CAP_(label) _(label)

/* Colour pairs of their own, beside ui/screen.h's. */
enum { KIOSK_PAIR_BANNER = 20, KIOSK_PAIR_HELP, KIOSK_PAIR_ALERT, KIOSK_PAIR_GOOD, KIOSK_PAIR_KEY };

#define KIOSK_BIG_ROWS 5

void kiosk_draw_init_colors(void);
/* Header banner (store, "Self-checkout", lane) and, when the attendant is called, the
 * help banner below it.  Returns the first free row. */
int kiosk_draw_frame(const struct app *app);
/* A sentence centred on row y (attr e.g. A_BOLD). */
void kiosk_draw_center(int y, int attr, const char *text);
/* Text in 5-row block digits (digits, separators; other characters drawn small in the
 * middle row) centred on x_center; returns its width. */
int kiosk_big_width(const char *text);
void kiosk_draw_big(int y, int x_center, const char *text);
/* Money due in block digits with a label above it, centred on x_center. */
void kiosk_draw_big_money(const struct app *app, int y, int x_center, const char *label, int64_t amount);
/* The screen's keys as big labelled caps along the bottom (3 rows from LINES-4), and the
 * attendant's key small on the last line. */
void kiosk_draw_keys(const struct app *app, struct bindings b);
/* The cart's lines in rows [y, y + rows) from column x, w wide, newest at the bottom (the
 * selected line kept in view and highlighted when select is set). */
void kiosk_draw_cart(const struct app *app, int y, int x, int w, int rows, int select);
/* The customer's notice (what just happened), centred on row y. */
void kiosk_draw_notice(const struct app *app, int y);

/* Words from elsewhere (the card terminal's prompt, its reason for a decline) in the
 * customer's language when the catalog has them, else as they are. */
const char *kiosk_words(const char *text);

/* A binding for a customer key from kiosk.keys. */
struct binding kiosk_binding(const struct app *app, enum kiosk_key_action a, const char *label,
                             const char *help, int (*run)(struct ui *ui, struct app *app));
/* The staff key, shared by every customer screen. */
int kiosk_run_staff(struct ui *ui, struct app *app);
int kiosk_run_help(struct ui *ui, struct app *app);

#endif
