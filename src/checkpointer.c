#include "src/checkpointer.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

struct checkpointer {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    int running;      /* a thread exists (joined by stop) */
    int pending;      /* a kick since the last checkpoint began */
    int stopping;
    int caught_up;    /* the last checkpoint copied the whole log, and no kick since */
    int failed;       /* the thread could not open its connection */
    long runs;
    char path[4096];
};

static void *checkpoint_thread(void *arg)
{
    struct checkpointer *c = arg;
    sqlite3 *db = NULL;
    /* below the loop's thread: a checkpoint can wait, a key cannot */
    setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
    if (sqlite3_open_v2(c->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        db = NULL;
    } else {
        sqlite3_busy_timeout(db, 100);
        /* a connection opens the log only once it has read the file */
        sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
    }
    pthread_mutex_lock(&c->lock);
    c->failed = db == NULL;
    for (;;) {
        while (!c->pending && !c->stopping)
            pthread_cond_wait(&c->wake, &c->lock);
        if (c->stopping)
            break;
        c->pending = 0;
        pthread_mutex_unlock(&c->lock);
        /* PASSIVE: copies what no reader still needs, never waits for the writer */
        int log = -1, done = -2;
        if (db && sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &done) != SQLITE_OK)
            log = -1;
        pthread_mutex_lock(&c->lock);
        c->runs++;
        c->caught_up = !c->pending && log >= 0 && log == done;
    }
    pthread_mutex_unlock(&c->lock);
    sqlite3_close(db);
    return NULL;
}

struct checkpointer *checkpointer_new(const char *path)
{
    struct checkpointer *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (snprintf(c->path, sizeof c->path, "%s", path) >= (int)sizeof c->path) {
        free(c);
        return NULL;
    }
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->wake, NULL);
    return c;
}

int checkpointer_kick(struct checkpointer *c)
{
    pthread_mutex_lock(&c->lock);
    int rc = 0;
    if (!c->running) {
        c->stopping = 0;
        c->running = pthread_create(&c->thread, NULL, checkpoint_thread, c) == 0;
        rc = c->running ? 0 : -1;
    }
    c->pending = 1;
    c->caught_up = 0;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

void checkpointer_stop(struct checkpointer *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    int running = c->running;
    c->stopping = 1;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
    if (running)
        pthread_join(c->thread, NULL);
    pthread_mutex_lock(&c->lock);
    c->running = 0;
    c->pending = 0;
    pthread_mutex_unlock(&c->lock);
}

int checkpointer_lagging(struct checkpointer *c)
{
    pthread_mutex_lock(&c->lock);
    int lag = c->running && !c->failed && !c->caught_up;
    pthread_mutex_unlock(&c->lock);
    return lag;
}

long checkpointer_runs(struct checkpointer *c)
{
    pthread_mutex_lock(&c->lock);
    long n = c->runs;
    pthread_mutex_unlock(&c->lock);
    return n;
}

void checkpointer_free(struct checkpointer *c)
{
    if (!c)
        return;
    checkpointer_stop(c);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->wake);
    free(c);
}
