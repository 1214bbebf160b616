/* core/textbuf.c: lines, bytes and formatted text of any length in one string; an empty
 * buffer hands out ""; a failed buffer is reported once, at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/textbuf.h"

static void test_lines_bytes_and_formats(void **state)
{
    struct textbuf b = { 0 };
    textbuf_line(&b, "X REPORT");
    textbuf_add(&b, "ab,cd", 2);
    textbuf_puts(&b, ",");
    textbuf_printf(&b, "%lld items, %s\n", 12LL, "ok");
    char *out;
    assert_int_equal(textbuf_take(&b, &out), 0);
    assert_string_equal(out, "X REPORT\nab,12 items, ok\n");
    assert_null(b.p);
    free(out);
}

static void test_grows_past_any_first_size(void **state)
{
    struct textbuf b = { 0 };
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    for (int i = 0; i < 10; i++)
        textbuf_printf(&b, "%s|%d\n", big, i);
    char *out;
    assert_int_equal(textbuf_take(&b, &out), 0);
    assert_int_equal(strlen(out), 10 * (sizeof big - 1 + 3));
    assert_non_null(strstr(out, "|9\n"));
    free(out);
}

static void test_empty_and_failed(void **state)
{
    struct textbuf b = { 0 };
    char *out = NULL;
    assert_int_equal(textbuf_take(&b, &out), 0);
    assert_string_equal(out, "");
    free(out);
    textbuf_line(&b, "kept until the end");
    b.failed = 1; /* as after a failed allocation */
    textbuf_line(&b, "ignored");
    assert_int_equal(textbuf_take(&b, &out), -1);
    assert_null(b.p);
    /* a size that would overflow fails the buffer instead of wrapping */
    textbuf_add(&b, "x", SIZE_MAX - 1);
    assert_int_equal(b.failed, 1);
    textbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_bytes_and_formats),
        cmocka_unit_test(test_grows_past_any_first_size),
        cmocka_unit_test(test_empty_and_failed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
