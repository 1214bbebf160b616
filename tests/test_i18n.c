/* src/i18n.c: the kiosk's languages through gettext, on the catalogs make builds into
 * build/locale.  Above all that a switch of language takes effect at once, both ways,
 * although glibc caches translations (the catalog counter bump), and that the locale is
 * kept off plain "C", where LANGUAGE would be ignored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "src/i18n.h"

#define LOCALE_DIR "build/locale"

static int setup(void **state)
{
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    setenv("LANG", "C", 1);   /* the worst start: plain C everywhere */
    i18n_setlocale();
    char err[256];
    if (i18n_open(LOCALE_DIR, err, sizeof err))
        fail_msg("%s", err);
    return 0;
}

static void test_locale_is_never_plain_c_for_messages(void **state)
{
    const char *m = setlocale(LC_MESSAGES, NULL);
    assert_non_null(m);
    assert_string_not_equal(m, "C");
    assert_string_not_equal(m, "POSIX");
}

static void test_switching_takes_effect_at_once_both_ways(void **state)
{
    i18n_use("de");
    assert_string_equal(_("TOTAL"), "SUMME");
    i18n_use("en");
    assert_string_equal(_("TOTAL"), "TOTAL");          /* not the cached German */
    i18n_use("de");
    assert_string_equal(_("TOTAL"), "SUMME");
    assert_string_equal(_("Pay by card"), "Mit Karte zahlen");
    /* UTF-8 whatever the terminal's codeset */
    assert_string_equal(_("PLEASE WAIT FOR STAFF"), "BITTE WARTEN SIE AUF DAS PERSONAL");
    assert_string_equal(_("Please use another checkout. Thank you."), "Bitte nutzen Sie eine andere Kasse. Vielen Dank.");
    assert_string_equal(_("Hold each barcode under the scanner until it beeps."),
                        "Halten Sie jeden Strichcode unter den Scanner, bis es piept.");
    i18n_use("en");
}

static void test_plurals_follow_the_language(void **state)
{
    i18n_use("de");
    assert_string_equal(P_("%d second", "%d seconds", 1), "%d Sekunde");
    assert_string_equal(P_("%d second", "%d seconds", 2), "%d Sekunden");
    i18n_use("en");
    assert_string_equal(P_("%d second", "%d seconds", 2), "%d seconds");
}

/* Words from outside (a terminal's prompt) pass through when the catalog has none. */
static void test_unknown_words_pass_through(void **state)
{
    i18n_use("de");
    assert_string_equal(_("Insert or tap card"), "Karte einstecken oder auflegen");
    assert_string_equal(_("a prompt no catalog knows"), "a prompt no catalog knows");
    i18n_use("xx");   /* a language without a catalog: the English msgids */
    assert_string_equal(_("TOTAL"), "TOTAL");
    i18n_use("en");
}

static void test_catalogs_and_codes(void **state)
{
    assert_true(i18n_has_catalog(LOCALE_DIR, "en"));   /* the msgids' own language */
    assert_true(i18n_has_catalog(LOCALE_DIR, "de"));
    assert_false(i18n_has_catalog(LOCALE_DIR, "fr"));
    assert_true(i18n_valid_code("de"));
    assert_true(i18n_valid_code("pt_BR"));
    assert_false(i18n_valid_code("d"));
    assert_false(i18n_valid_code("de_de"));
    assert_false(i18n_valid_code("../de"));
    assert_false(i18n_valid_code("de/x"));
    assert_string_equal(i18n_language_name("de"), "Deutsch");
    assert_string_equal(i18n_language_name("en"), "English");
    assert_string_equal(i18n_language_name("xx"), "xx");
}

static void test_find_dir(void **state)
{
    char dir[1024], err[256];
    assert_int_equal(i18n_find_dir(LOCALE_DIR, dir, sizeof dir, err, sizeof err), 0);
    assert_string_equal(dir, LOCALE_DIR);
    assert_int_equal(i18n_find_dir("/nonexistent/locale", dir, sizeof dir, err, sizeof err), -1);
    assert_non_null(strstr(err, "kiosk.locale_dir"));
    /* beside the program: build/asan/tests/test_i18n finds nothing of its own, and says so
     * or finds a folder named locale; either way an answer, never a crash */
    int rc = i18n_find_dir("", dir, sizeof dir, err, sizeof err);
    assert_true(rc == 0 || strstr(err, "kiosk.locale_dir") != NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_locale_is_never_plain_c_for_messages),
        cmocka_unit_test(test_switching_takes_effect_at_once_both_ways),
        cmocka_unit_test(test_plurals_follow_the_language),
        cmocka_unit_test(test_unknown_words_pass_through),
        cmocka_unit_test(test_catalogs_and_codes),
        cmocka_unit_test(test_find_dir),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
