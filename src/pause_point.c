/* Pause points (see pause_point.h): only in builds with TILL_TEST_HOOKS. */
#include "src/pause_point.h"

#ifdef TILL_TEST_HOOKS
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void test_pause_point(const char *name)
{
    const char *at = getenv("TILL_PAUSE_AT"), *file = getenv("TILL_PAUSE_FILE");
    if (!at || strcmp(at, name) != 0)
        return;
    if (file) {
        int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd >= 0) {
            if (write(fd, name, strlen(name)) < 0) {
                /* the test waits for the file and times out: nothing else to do */
            }
            fsync(fd);
            close(fd);
        }
    }
    for (;;)
        pause(); /* until the test's SIGKILL */
}
#else
/* ISO C wants a translation unit to declare something */
typedef int pause_point_unused;
#endif
