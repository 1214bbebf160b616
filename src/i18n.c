/* The kiosk's languages through gettext (see i18n.h). */
#include "src/i18n.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* glibc's count of loaded catalogs: a translation cached under another count is looked up
 * again.  Changing LANGUAGE alone does not change it (the cache is keyed by the locale,
 * not by LANGUAGE), so i18n_use bumps it, as GNU gettext's manual advises. */
extern int _nl_msg_cat_cntr;

static int is_utf8(const char *locale)
{
    return locale && (strstr(locale, "UTF-8") || strstr(locale, "utf8") || strstr(locale, "UTF8") ||
                      strstr(locale, "utf-8"));
}

void i18n_setlocale(void)
{
    const char *l = setlocale(LC_ALL, "");
    if (!l || !is_utf8(setlocale(LC_CTYPE, NULL)))
        setlocale(LC_ALL, "C.UTF-8");
    const char *m = setlocale(LC_MESSAGES, NULL);
    if (!m || strcmp(m, "C") == 0 || strcmp(m, "POSIX") == 0)
        setlocale(LC_MESSAGES, "C.UTF-8");
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int i18n_find_dir(const char *dir, char *out, size_t outlen, char *err, size_t errlen)
{
    if (dir && dir[0]) {
        if (!is_dir(dir)) {
            snprintf(err, errlen, "kiosk.locale_dir: %s is not a folder", dir);
            return -1;
        }
        snprintf(out, outlen, "%s", dir);
        return 0;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        snprintf(err, errlen, "cannot tell where the program is to find its translations: set kiosk.locale_dir");
        return -1;
    }
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = 0;
    /* build/till -> build/locale; build/asan/till -> build/locale; bin/till -> share/locale */
    static const char *const tails[] = { "/locale", "/../locale", "/../share/locale" };
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
        char path[PATH_MAX + 32];
        snprintf(path, sizeof path, "%s%s", exe, tails[i]);
        if (is_dir(path)) {
            char real[PATH_MAX];
            snprintf(out, outlen, "%s", realpath(path, real) ? real : path);
            return 0;
        }
    }
    snprintf(err, errlen, "no translations beside %s (locale/ or ../share/locale/): run make, or set kiosk.locale_dir", exe);
    return -1;
}

int i18n_open(const char *dir, char *err, size_t errlen)
{
    if (!bindtextdomain(I18N_DOMAIN, dir) || !bind_textdomain_codeset(I18N_DOMAIN, "UTF-8")) {
        snprintf(err, errlen, "cannot use the translations in %s", dir);
        return -1;
    }
    return 0;
}

int i18n_has_catalog(const char *dir, const char *lang)
{
    if (strcmp(lang, I18N_SOURCE_LANGUAGE) == 0)
        return 1;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s/LC_MESSAGES/%s.mo", dir, lang, I18N_DOMAIN);
    return access(path, R_OK) == 0;
}

void i18n_use(const char *lang)
{
    setenv("LANGUAGE", lang, 1);
    ++_nl_msg_cat_cntr;
}

const char *i18n_language_name(const char *lang)
{
    static const struct { const char *code, *name; } names[] = {
        { "en", "English" }, { "de", "Deutsch" }, { "fr", "Français" }, { "it", "Italiano" },
        { "es", "Español" }, { "nl", "Nederlands" }, { "pl", "Polski" }, { "cs", "Čeština" },
        { "da", "Dansk" }, { "sv", "Svenska" }, { "nb", "Norsk" }, { "fi", "Suomi" },
        { "pt", "Português" }, { "tr", "Türkçe" }, { "uk", "Українська" }, { "ru", "Русский" },
        { "hu", "Magyar" }, { "ro", "Română" }, { "el", "Ελληνικά" },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].code, lang) == 0)
            return names[i].name;
    return lang;
}

int i18n_valid_code(const char *lang)
{
    size_t n = strlen(lang), a = strspn(lang, "abcdefghijklmnopqrstuvwxyz");
    if (a < 2 || a > 3)
        return 0;
    if (a == n)
        return 1;
    /* a region: pt_BR */
    return n == a + 3 && lang[a] == '_' && strspn(lang + a + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 2;
}
