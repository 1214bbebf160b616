/* Files replaced whole, so that a crash or a power cut leaves the old version or the new
 * one, never half of one and never neither: the text goes to PATH.tmp, which is fsynced,
 * renamed over PATH, and then the directory is fsynced (until then a power cut may undo the
 * rename).  The one implementation for every file Till writes whole: receipts and reports
 * in the spool, count reports, the ZVT terminal's state file.
 *
 * Every system call goes through a table that a test build (TILL_TEST_HOOKS) can replace,
 * as SQLite's aSyscall[] does, so that a unit test sees the order of the calls and can make
 * any one of them fail. */
#ifndef TILL_ATOMIC_FILE_H
#define TILL_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* Replaces path by the len bytes of data (file mode: mode, whatever the umask).  0, or -1
 * with a message in err naming the step and the reason; then path is as it was and the
 * temporary file is removed. */
int atomic_file_write(const char *path, const void *data, size_t len, mode_t mode, char *err, size_t errlen);
/* The same for a NUL-terminated text. */
int atomic_file_write_text(const char *path, const char *text, mode_t mode, char *err, size_t errlen);
/* Makes the creation, rename or removal of path (any name in a directory) survive a power
 * cut: fsyncs the directory that holds it.  0, or -1 with a message in err. */
int atomic_file_sync_dir(const char *path, char *err, size_t errlen);
/* Creates path if it is missing (mode: mode) and makes its directory entry durable when it
 * was created; for a file that is then appended to and fsynced by its owner (a journal).
 * Returns the open descriptor (flags | O_WRONLY | O_CLOEXEC added), or -1 with a message. */
int atomic_file_open_append(const char *path, mode_t mode, char *err, size_t errlen);

/* The system calls used above. */
struct atomic_file_syscalls {
    int (*open)(const char *path, int flags, mode_t mode);
    ssize_t (*write)(int fd, const void *buf, size_t len);
    int (*fsync)(int fd);
    int (*close)(int fd);
    int (*rename)(const char *from, const char *to);
    int (*unlink)(const char *path);
    int (*fchmod)(int fd, mode_t mode);
};
#ifdef TILL_TEST_HOOKS
/* Test builds only: calls replaces the table (NULL restores the real calls). */
void atomic_file_set_syscalls(const struct atomic_file_syscalls *calls);
#endif

#endif
