#include "offline/json_thread.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/loop.h"

struct json_job {
    struct loop *loop;
    json_parsed_cb done;
    void *ctx;
    char *text;
    size_t len;
    cJSON *doc;
    int pipe[2];
    pthread_t thread;
};

static void *parse_thread(void *arg)
{
    struct json_job *j = arg;
    /* a batch job for the scheduler, like the catalog's writer: it never preempts the loop
     * when a key wakes it, yet is not starved on a busy machine (nice 10 was: the pages
     * of a delta then waited here, behind every other program) */
    struct sched_param sp = { 0 };
    pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
    j->doc = cJSON_ParseWithLength(j->text, j->len);
    ssize_t w = write(j->pipe[1], "p", 1);
    (void)w; /* the pipe is empty: one byte always fits */
    return NULL;
}

/* After the thread was joined. */
static void job_free(struct json_job *j)
{
    loop_unwatch_fd(j->loop, j->pipe[0]);
    close(j->pipe[0]);
    close(j->pipe[1]);
    free(j->text);
    free(j);
}

static void on_parsed(struct loop *loop, int fd, short revents, void *ctx)
{
    struct json_job *j = ctx;
    (void)loop;
    (void)fd;
    (void)revents;
    /* it has written its byte and touches nothing more: not joined, since waiting for it
     * to end could wait for a CPU it has yet to get */
    pthread_detach(j->thread);
    cJSON *doc = j->doc;
    json_parsed_cb done = j->done;
    void *dctx = j->ctx;
    job_free(j);
    done(dctx, doc);
}

struct json_job *json_parse_async(struct loop *loop, const char *text, size_t len, json_parsed_cb done, void *ctx)
{
    struct json_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->loop = loop;
    j->done = done;
    j->ctx = ctx;
    j->len = len;
    j->text = malloc(len + 1);
    if (!j->text || pipe2(j->pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        free(j->text);
        free(j);
        return NULL;
    }
    memcpy(j->text, text, len);
    j->text[len] = 0;
    if (loop_watch_fd(loop, j->pipe[0], POLLIN, on_parsed, j) != 0 ||
        pthread_create(&j->thread, NULL, parse_thread, j) != 0) {
        loop_unwatch_fd(loop, j->pipe[0]);
        close(j->pipe[0]);
        close(j->pipe[1]);
        free(j->text);
        free(j);
        return NULL;
    }
    return j;
}

void json_job_cancel(struct json_job *j)
{
    if (!j)
        return;
    pthread_join(j->thread, NULL);
    cJSON_Delete(j->doc);
    j->doc = NULL;
    job_free(j);
}
