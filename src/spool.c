#include "src/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int write_all(int fd, const char *text, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        off += (size_t)w;
    }
    return 0;
}

int spool_write(const char *dir, int64_t receipt_no, const char *uuid, const char *text,
                char *err, size_t errlen)
{
    char path[700], tmp[720];
    snprintf(path, sizeof path, "%s/receipt-%06lld-%s.txt", dir, (long long)receipt_no, uuid);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    /* owner-only whatever the umask: a receipt names the cashier and card details */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        goto fail;
    if (write_all(fd, text, strlen(text)) || fsync(fd)) {
        int e = errno;
        close(fd);
        unlink(tmp);
        errno = e;
        goto fail;
    }
    if (close(fd) || rename(tmp, path)) {
        int e = errno;
        unlink(tmp);
        errno = e;
        goto fail;
    }
    /* the rename itself survives a power cut once the directory is synced */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
fail:
    snprintf(err, errlen, "%s", strerror(errno));
    return -1;
}

int spool_remove_stale(const char *dir, int *removed)
{
    *removed = 0;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, "receipt-", 8) != 0 || n < 12 || strcmp(e->d_name + n - 4, ".tmp") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) == 0)
            (*removed)++;
    }
    closedir(d);
    return 0;
}
