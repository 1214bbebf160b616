#include "src/spool.h"

#include "src/atomic_file.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int spool_write(const char *dir, int64_t receipt_no, const char *uuid, const char *text,
                char *err, size_t errlen)
{
    char path[700];
    snprintf(path, sizeof path, "%s/receipt-%06lld-%s.txt", dir, (long long)receipt_no, uuid);
    /* owner-only whatever the umask: a receipt names the cashier and card details */
    return atomic_file_write_text(path, text, 0600, err, errlen);
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
