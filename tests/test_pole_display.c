/* The pole display: two lines of exactly 20 columns in the display's code page, a long
 * name cut so the amount stays whole, and the driver putting frames on a device (a FIFO
 * here) without blocking, the newest frame winning when the display is slow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/pole_display.h"
#include "core/receipt_layout.h"
#include "drivers/display.h"
#include "src/config.h"
#include "src/loop.h"

static void test_lines_fit_twenty_columns(void **state)
{
    struct pole_lines l;
    pole_lines_init(&l, ESCPOS_PC858);
    pole_line_pair(&l, 0, "Käse Gouda gereift am Stück", "18,90 €");
    pole_line_pair(&l, 1, "TOTAL", "1.234,56 €");
    assert_string_equal(l.line[0], "Käse Gouda g 18,90 €");
    assert_string_equal(l.line[1], "TOTAL     1.234,56 €");
    pole_line_center(&l, 0, "Willkommen – Grüß Gott");
    assert_int_equal(rl_text_width(l.line[0]), 20);
    assert_string_equal(l.line[0], "Willkommen - Grüß Go");
    pole_lines_init(&l, ESCPOS_PC437);
    pole_line_pair(&l, 1, "TOTAL", "5,00 €");    /* no euro in PC437 */
    assert_string_equal(l.line[1], "TOTAL       5,00 EUR");
    struct escpos_buf b;
    escpos_buf_init(&b, ESCPOS_PC858);
    pole_lines_init(&l, ESCPOS_PC858);
    pole_line_pair(&l, 0, "Milch", "1,19 €");
    pole_line_pair(&l, 1, "TOTAL", "1,19 €");
    pole_frame(&l, 19, &b);
    static const unsigned char head[] = { 0x1B, 't', 19, 0x1F, 0x24, 1, 1, 'M' };
    assert_memory_equal(b.p, head, sizeof head);
    assert_int_equal(b.len, 3 + 2 * (4 + 20));
    escpos_buf_free(&b);
}

static void test_driver_writes_frames_to_the_device(void **state)
{
    char dir[] = "/tmp/till-pole-XXXXXX", fifo[300];
    assert_non_null(mkdtemp(dir));
    snprintf(fifo, sizeof fifo, "%s/ttyACM0", dir);
    struct loop *loop = loop_new();
    struct config *cfg = config_new();
    struct display *d;
    char err[256];
    assert_int_equal(display_open("pole", loop, cfg, &d, err, sizeof err), -1);
    assert_non_null(strstr(err, "display.device.path"));
    config_set(cfg, "display.device.path", fifo);
    config_set(cfg, "display.retry_ms", "100");
    assert_int_equal(display_open("pole", loop, cfg, &d, err, sizeof err), 0);
    display_show(d, (const unsigned char *)"lost", 4);   /* no device yet: dropped, no harm */
    assert_int_equal(mkfifo(fifo, 0600), 0);
    int rd = open(fifo, O_RDONLY | O_NONBLOCK);
    assert_true(rd >= 0);
    for (int i = 0; i < 20; i++)
        loop_run_once(loop, 10);   /* past display.retry_ms */
    display_show(d, (const unsigned char *)"first", 5);
    display_show(d, (const unsigned char *)"second", 6);
    display_show(d, (const unsigned char *)"third", 5);
    for (int i = 0; i < 10; i++)
        loop_run_once(loop, 10);
    char buf[64];
    ssize_t n = read(rd, buf, sizeof buf - 1);
    assert_true(n > 0);
    buf[n] = 0;
    /* the newest frame always arrives; the ones in between may be skipped */
    assert_non_null(strstr(buf, "third"));
    assert_null(strstr(buf, "second"));
    display_close(d);
    close(rd);
    unlink(fifo);
    rmdir(dir);
    config_free(cfg);
    loop_free(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_fit_twenty_columns),
        cmocka_unit_test(test_driver_writes_frames_to_the_device),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
