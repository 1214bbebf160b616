/* Whole-file replacement: temp file, fsync, rename, fsync of the directory (atomic_file.h). */
#include "src/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int sys_open(const char *path, int flags, mode_t mode)
{
    return open(path, flags, mode);
}

static struct atomic_file_syscalls sys = { sys_open, write, fsync, close, rename, unlink, fchmod };

#ifdef TILL_TEST_HOOKS
static const struct atomic_file_syscalls real = { sys_open, write, fsync, close, rename, unlink, fchmod };

void atomic_file_set_syscalls(const struct atomic_file_syscalls *calls)
{
    sys = calls ? *calls : real;
}
#endif

/* The directory part of path ("." for a bare name), in buf. */
static void dir_of(const char *path, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(buf, len, ".");
    else if (slash == path)
        snprintf(buf, len, "/");
    else
        snprintf(buf, len, "%.*s", (int)(slash - path), path);
}

int atomic_file_sync_dir(const char *path, char *err, size_t errlen)
{
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    int fd = sys.open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open the directory %s: %s", dir, strerror(errno));
        return -1;
    }
    /* a file system that cannot sync a directory says EINVAL (as PostgreSQL's fsync_fname
     * knows): nothing more can be done there, and its renames are as durable as it allows */
    if (sys.fsync(fd) && errno != EINVAL) {
        int e = errno;
        sys.close(fd);
        snprintf(err, errlen, "cannot sync the directory %s: %s", dir, strerror(e));
        return -1;
    }
    sys.close(fd);
    return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = sys.write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int atomic_file_write(const char *path, const void *data, size_t len, mode_t mode, char *err, size_t errlen)
{
    char tmp[4200];
    const char *step;
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
        snprintf(err, errlen, "cannot write %s: the name is too long", path);
        return -1;
    }
    int fd = sys.open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    /* the mode asked for, whatever the umask (and whatever an old temp file had) */
    if (sys.fchmod(fd, mode))
        step = "set the mode of";
    else if (write_all(fd, data, len))
        step = "write";
    else if (sys.fsync(fd))
        step = "sync";
    else
        step = NULL;
    if (step) {
        int e = errno;
        sys.close(fd);
        sys.unlink(tmp);
        snprintf(err, errlen, "cannot %s %s: %s", step, tmp, strerror(e));
        return -1;
    }
    if (sys.close(fd)) {
        int e = errno;
        sys.unlink(tmp);
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(e));
        return -1;
    }
    if (sys.rename(tmp, path)) {
        int e = errno;
        sys.unlink(tmp);
        snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(e));
        return -1;
    }
    /* the new contents are complete on disk; the rename is durable once the directory is */
    return atomic_file_sync_dir(path, err, errlen);
}

int atomic_file_write_text(const char *path, const char *text, mode_t mode, char *err, size_t errlen)
{
    return atomic_file_write(path, text, strlen(text), mode, err, errlen);
}

int atomic_file_open_append(const char *path, mode_t mode, char *err, size_t errlen)
{
    int fd = sys.open(path, O_WRONLY | O_APPEND | O_CLOEXEC, 0);
    if (fd >= 0 || errno != ENOENT) {
        if (fd < 0)
            snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return fd;
    }
    fd = sys.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    /* a new file's name is only durable once its directory is synced */
    if (sys.fsync(fd)) {
        snprintf(err, errlen, "cannot sync %s: %s", path, strerror(errno));
        sys.close(fd);
        return -1;
    }
    if (atomic_file_sync_dir(path, err, errlen)) {
        sys.close(fd);
        return -1;
    }
    return fd;
}
