/* The shopper's language for the kiosk's words (GNU gettext, text domain "till").  The
 * msgids are English (I18N_SOURCE_LANGUAGE needs no catalog); the other languages are
 * assets/po/LANG.po, compiled by make into build/locale/LANG/LC_MESSAGES/till.mo and
 * installed under $(PREFIX)/share/locale.  The language is chosen with the LANGUAGE
 * variable, which glibc honours in any locale but plain "C": i18n_setlocale keeps
 * LC_MESSAGES off "C".  Cashier screens do not translate. */
#ifndef TILL_I18N_H
#define TILL_I18N_H

#include <libintl.h>
#include <stddef.h>

#define I18N_DOMAIN "till"
#define I18N_SOURCE_LANGUAGE "en"

/* Translated now, in the language in use. */
#define _(msgid) dgettext(I18N_DOMAIN, msgid)
/* One form of two by the count n (German and English: n == 1 or not). */
#define P_(msgid, plural, n) dngettext(I18N_DOMAIN, msgid, plural, n)
/* Marks a msgid for the catalog that is translated later, where it is shown. */
#define N_(msgid) msgid

/* The terminal's locale from the environment (C.UTF-8 when that is not UTF-8), with
 * LC_MESSAGES never plain "C", where LANGUAGE would be ignored. */
void i18n_setlocale(void);

/* Where the catalogs are: dir when given (kiosk.locale_dir), else the first that exists of
 * locale/ beside the program or one folder up (build/locale from the tree) and
 * ../share/locale from the program's folder (installed). */
int i18n_find_dir(const char *dir, char *out, size_t outlen, char *err, size_t errlen);

/* Binds the text domain to dir.  Nothing is translated until i18n_use. */
int i18n_open(const char *dir, char *err, size_t errlen);

/* 1 when lang can be shown: the source language, or its catalog is in dir. */
int i18n_has_catalog(const char *dir, const char *lang);

/* From now on _() answers in lang ("en", "de"); glibc's cache of translations is
 * dropped, so the very next call already does. */
void i18n_use(const char *lang);

/* A language's name in that language ("Deutsch"), for the button that switches to it;
 * the code itself for a language the table does not know. */
const char *i18n_language_name(const char *lang);

/* 1 when lang looks like a language code: "de", "pt_BR". */
int i18n_valid_code(const char *lang);

#endif
