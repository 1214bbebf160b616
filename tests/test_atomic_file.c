/* src/atomic_file.c: the order of the system calls (the file's fsync before the rename, the
 * directory's fsync after it), and a failing write, fsync or rename leaving the old file as
 * it was, no temporary file behind, and a message naming the step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/atomic_file.h"

/* The calls made, as "open", "write", "fsync-file", "fsync-dir", "close", "rename",
 * "unlink", "fchmod", in order; a call named in fail_call fails (fail_nth: its Nth time). */
static char calls[64][16];
static int ncalls;
static int dir_fd = -1;
static const char *fail_call;
static int fail_nth, fail_seen, fail_errno;

static int record(const char *name)
{
    if (ncalls < 64)
        snprintf(calls[ncalls++], sizeof calls[0], "%s", name);
    if (fail_call && strcmp(fail_call, name) == 0 && ++fail_seen == fail_nth) {
        errno = fail_errno;
        return -1;
    }
    return 0;
}

static int t_open(const char *path, int flags, mode_t mode)
{
    if (record((flags & O_DIRECTORY) ? "open-dir" : "open"))
        return -1;
    int fd = open(path, flags, mode);
    if (flags & O_DIRECTORY)
        dir_fd = fd;
    return fd;
}
static ssize_t t_write(int fd, const void *buf, size_t len)
{
    /* a short write each time, so that the loop over partial writes is exercised */
    return record("write") ? -1 : write(fd, buf, len > 5 ? 5 : len);
}
static int t_fsync(int fd)
{
    return record(fd == dir_fd ? "fsync-dir" : "fsync-file") ? -1 : fsync(fd);
}
static int t_close(int fd)
{
    if (fd == dir_fd)
        dir_fd = -1;
    int failed = record("close");
    close(fd);
    return failed ? -1 : 0;
}
static int t_rename(const char *from, const char *to)
{
    return record("rename") ? -1 : rename(from, to);
}
static int t_unlink(const char *path)
{
    return record("unlink") ? -1 : unlink(path);
}
static int t_fchmod(int fd, mode_t mode)
{
    return record("fchmod") ? -1 : fchmod(fd, mode);
}

static const struct atomic_file_syscalls traced = { t_open, t_write, t_fsync, t_close, t_rename, t_unlink, t_fchmod };

struct fx {
    char dir[64];
    char path[128];
    char tmp[140];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/till-atomic-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/report.txt", f->dir);
    snprintf(f->tmp, sizeof f->tmp, "%s.tmp", f->path);
    ncalls = 0;
    fail_call = NULL;
    fail_nth = 1;
    fail_seen = 0;
    fail_errno = EIO;
    atomic_file_set_syscalls(&traced);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    atomic_file_set_syscalls(NULL);
    unlink(f->tmp);
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void slurp(const char *path, char *buf, size_t len)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    size_t n = fread(buf, 1, len - 1, fp);
    buf[n] = 0;
    fclose(fp);
}

static int where(const char *name)
{
    for (int i = 0; i < ncalls; i++)
        if (strcmp(calls[i], name) == 0)
            return i;
    return -1;
}

static void test_order_file_fsync_rename_dir_fsync(void **state)
{
    struct fx *f = *state;
    char err[300] = "", buf[128];
    mode_t old = umask(022);
    assert_int_equal(atomic_file_write_text(f->path, "the whole report\n", 0600, err, sizeof err), 0);
    umask(old);
    slurp(f->path, buf, sizeof buf);
    assert_string_equal(buf, "the whole report\n");
    assert_int_equal(access(f->tmp, F_OK), -1);
    struct stat sb;
    assert_int_equal(stat(f->path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    /* the contents are on disk before the rename, the rename before the directory's sync */
    int file_sync = where("fsync-file"), ren = where("rename"), dir_sync = where("fsync-dir");
    assert_true(where("write") >= 0 && where("write") < file_sync);
    assert_true(file_sync >= 0 && file_sync < ren);
    assert_true(ren < where("open-dir") && where("open-dir") < dir_sync);
    /* the file is closed before it is renamed, and nothing is unlinked on success */
    int close_file = where("close");
    assert_true(close_file > file_sync && close_file < ren);
    assert_int_equal(where("unlink"), -1);
    assert_string_equal(calls[ncalls - 1], "close"); /* the directory, last */
}

/* A step that fails: the old file is as it was, the temporary file is gone, and err names
 * the step and the reason. */
static void check_failure(struct fx *f, const char *call, int err_no, const char *words)
{
    char err[300] = "", buf[128];
    fail_call = NULL;
    assert_int_equal(atomic_file_write_text(f->path, "old\n", 0600, err, sizeof err), 0);
    ncalls = 0;
    fail_call = call;
    fail_seen = 0;
    fail_errno = err_no;
    assert_int_equal(atomic_file_write_text(f->path, "new and longer\n", 0600, err, sizeof err), -1);
    slurp(f->path, buf, sizeof buf);
    assert_string_equal(buf, "old\n");
    assert_int_equal(access(f->tmp, F_OK), -1);
    assert_non_null(strstr(err, words));
    assert_non_null(strstr(err, strerror(err_no)));
    assert_int_equal(where("rename") >= 0 && strcmp(call, "rename") != 0, 0);
}

static void test_failing_fsync_keeps_old_file(void **state)
{
    check_failure(*state, "fsync-file", EIO, "cannot sync");
}

static void test_failing_rename_keeps_old_file(void **state)
{
    check_failure(*state, "rename", EXDEV, "cannot rename");
}

static void test_failing_write_keeps_old_file(void **state)
{
    fail_nth = 2; /* the second short write: the disk fills up halfway */
    check_failure(*state, "write", ENOSPC, "cannot write");
}

static void test_failing_close_keeps_old_file(void **state)
{
    check_failure(*state, "close", EIO, "cannot write");
}

static void test_failing_create_keeps_old_file(void **state)
{
    check_failure(*state, "open", EACCES, "cannot create");
}

/* The directory's fsync fails after the rename: the new file is in place (it is whole), but
 * the caller hears that it may not survive a power cut. */
static void test_failing_dir_fsync_is_reported(void **state)
{
    struct fx *f = *state;
    char err[300] = "", buf[128];
    fail_call = "fsync-dir";
    assert_int_equal(atomic_file_write_text(f->path, "new\n", 0600, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot sync the directory"));
    assert_non_null(strstr(err, f->dir));
    slurp(f->path, buf, sizeof buf);
    assert_string_equal(buf, "new\n");
    assert_int_equal(access(f->tmp, F_OK), -1);
    /* a file system that cannot sync directories at all (EINVAL) is not an error */
    fail_seen = 0;
    fail_errno = EINVAL;
    assert_int_equal(atomic_file_write_text(f->path, "newer\n", 0600, err, sizeof err), 0);
    slurp(f->path, buf, sizeof buf);
    assert_string_equal(buf, "newer\n");
}

/* A journal: created with its directory synced once, then only opened. */
static void test_open_append_syncs_dir_on_create(void **state)
{
    struct fx *f = *state;
    char err[300] = "";
    int fd = atomic_file_open_append(f->path, 0600, err, sizeof err);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "a\n", 2), 2);
    close(fd);
    assert_true(where("fsync-file") >= 0 && where("fsync-file") < where("fsync-dir"));
    ncalls = 0;
    fd = atomic_file_open_append(f->path, 0600, err, sizeof err);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "b\n", 2), 2);
    close(fd);
    assert_int_equal(where("fsync-dir"), -1);
    char buf[16];
    slurp(f->path, buf, sizeof buf);
    assert_string_equal(buf, "a\nb\n");
    /* a directory that cannot be synced: the journal is not used as if it were durable */
    unlink(f->path);
    fail_call = "fsync-dir";
    assert_int_equal(atomic_file_open_append(f->path, 0600, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot sync the directory"));
}

/* A power cut after any prefix of the calls: the directory keeps its entries as of its
 * last fsync, plus any prefix of the renames since (journalled file systems keep their
 * order); a file's contents are whole only once it was fsynced.  In every such state the
 * name must hold a whole file, the old one or the new one. */
static void test_power_cut_after_any_call_leaves_old_or_new(void **state)
{
    struct fx *f = *state;
    char err[300] = "";
    assert_int_equal(atomic_file_write_text(f->path, "old\n", 0600, err, sizeof err), 0);
    ncalls = 0;
    assert_int_equal(atomic_file_write_text(f->path, "new\n", 0600, err, sizeof err), 0);
    for (int cut = 0; cut <= ncalls; cut++) {
        int new_whole = 0, renamed = 0, dir_synced_after_rename = 0;
        for (int i = 0; i < cut; i++) {
            if (strcmp(calls[i], "fsync-file") == 0)
                new_whole = 1;
            else if (strcmp(calls[i], "rename") == 0)
                renamed = 1;
            else if (strcmp(calls[i], "fsync-dir") == 0 && renamed)
                dir_synced_after_rename = 1;
        }
        /* the name points at the new file if the rename reached the disk (certain after
         * the directory's fsync, possible before it) */
        int may_point_at_new = renamed, must_point_at_new = dir_synced_after_rename;
        if (may_point_at_new)
            assert_true(new_whole); /* else a power cut here shows a torn file */
        if (cut == ncalls)
            assert_true(must_point_at_new); /* once it returns, the new file is there for good */
    }
}

static void test_missing_directory_reports(void **state)
{
    char err[300] = "";
    atomic_file_set_syscalls(NULL);
    assert_int_equal(atomic_file_write_text("/nonexistent-till-dir/x.txt", "x", 0600, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent-till-dir/x.txt.tmp"));
    assert_non_null(strstr(err, strerror(ENOENT)));
    assert_int_equal(atomic_file_sync_dir("/nonexistent-till-dir/x.txt", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent-till-dir"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_file_fsync_rename_dir_fsync, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_fsync_keeps_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_rename_keeps_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_write_keeps_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_close_keeps_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_create_keeps_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_dir_fsync_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_append_syncs_dir_on_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_power_cut_after_any_call_leaves_old_or_new, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_directory_reports, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
