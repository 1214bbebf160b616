#include "src/loop.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

struct loop_fd {
    int fd;
    short events;
    int removed;
    loop_fd_cb cb;
    void *ctx;
};

struct loop_timer {
    uint64_t id;
    int64_t due_ms;
    loop_timer_cb cb;
    void *ctx;
};

struct loop_signal {
    int signo;
    loop_signal_cb cb;
    void *ctx;
};

struct loop_prepare {
    loop_prepare_cb cb;
    void *ctx;
};

struct loop {
    struct loop_fd *fds;
    size_t nfds, capfds;
    struct loop_timer *timers;
    size_t ntimers, captimers;
    uint64_t next_timer_id;
    struct loop_signal signals[8];
    size_t nsignals;
    sigset_t sigmask;
    int sigfd;
    struct loop_prepare prepares[8];
    size_t nprepares;
    struct pollfd *pfds;
    size_t cappfds;
    int64_t now_ms;
    int stopped;
    int64_t longest_busy_us;    /* the longest any iteration ran its callbacks */
    int64_t longest_busy_cpu_us;/* the loop thread's CPU time in that iteration */
    long longest_busy_waits[2]; /* and its voluntary (it blocked) and involuntary (it was
                                   preempted) context switches */
};

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t loop_wall_time(void)
{
    return (int64_t)time(NULL);
}

struct loop *loop_new(void)
{
    struct loop *loop = calloc(1, sizeof *loop);
    if (!loop)
        return NULL;
    loop->sigfd = -1;
    loop->next_timer_id = 1;
    sigemptyset(&loop->sigmask);
    loop->now_ms = monotonic_ms();
    return loop;
}

void loop_free(struct loop *loop)
{
    if (!loop)
        return;
    if (loop->sigfd >= 0)
        close(loop->sigfd);
    free(loop->fds);
    free(loop->timers);
    free(loop->pfds);
    free(loop);
}

int64_t loop_now_ms(struct loop *loop)
{
    return loop->now_ms;
}

int loop_watch_fd(struct loop *loop, int fd, short events, loop_fd_cb cb, void *ctx)
{
    for (size_t i = 0; i < loop->nfds; i++) {
        if (loop->fds[i].fd == fd && !loop->fds[i].removed) {
            loop->fds[i].events = events;
            loop->fds[i].cb = cb;
            loop->fds[i].ctx = ctx;
            return 0;
        }
    }
    if (loop->nfds == loop->capfds) {
        size_t cap = loop->capfds ? loop->capfds * 2 : 16;
        struct loop_fd *n = realloc(loop->fds, cap * sizeof *n);
        if (!n)
            return -1;
        loop->fds = n;
        loop->capfds = cap;
    }
    loop->fds[loop->nfds++] = (struct loop_fd){ fd, events, 0, cb, ctx };
    return 0;
}

/* Removal only marks the slot: a callback may unwatch fds while we dispatch. */
void loop_unwatch_fd(struct loop *loop, int fd)
{
    for (size_t i = 0; i < loop->nfds; i++)
        if (loop->fds[i].fd == fd)
            loop->fds[i].removed = 1;
}

static void compact_fds(struct loop *loop)
{
    size_t j = 0;
    for (size_t i = 0; i < loop->nfds; i++)
        if (!loop->fds[i].removed)
            loop->fds[j++] = loop->fds[i];
    loop->nfds = j;
}

uint64_t loop_add_timer(struct loop *loop, int64_t delay_ms, loop_timer_cb cb, void *ctx)
{
    if (loop->ntimers == loop->captimers) {
        size_t cap = loop->captimers ? loop->captimers * 2 : 16;
        struct loop_timer *n = realloc(loop->timers, cap * sizeof *n);
        if (!n)
            return 0;
        loop->timers = n;
        loop->captimers = cap;
    }
    uint64_t id = loop->next_timer_id++;
    loop->timers[loop->ntimers++] =
        (struct loop_timer){ id, monotonic_ms() + (delay_ms < 0 ? 0 : delay_ms), cb, ctx };
    return id;
}

void loop_cancel_timer(struct loop *loop, uint64_t id)
{
    for (size_t i = 0; i < loop->ntimers; i++) {
        if (loop->timers[i].id == id) {
            loop->timers[i] = loop->timers[--loop->ntimers];
            return;
        }
    }
}

int loop_watch_signal(struct loop *loop, int signo, loop_signal_cb cb, void *ctx)
{
    if (loop->nsignals == sizeof loop->signals / sizeof loop->signals[0])
        return -1;
    sigaddset(&loop->sigmask, signo);
    if (sigprocmask(SIG_BLOCK, &loop->sigmask, NULL) < 0)
        return -1;
    int fd = signalfd(loop->sigfd, &loop->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0)
        return -1;
    loop->sigfd = fd;
    loop->signals[loop->nsignals++] = (struct loop_signal){ signo, cb, ctx };
    return 0;
}

int loop_add_prepare(struct loop *loop, loop_prepare_cb cb, void *ctx)
{
    if (loop->nprepares == sizeof loop->prepares / sizeof loop->prepares[0])
        return -1;
    loop->prepares[loop->nprepares++] = (struct loop_prepare){ cb, ctx };
    return 0;
}

void loop_remove_prepare(struct loop *loop, loop_prepare_cb cb, void *ctx)
{
    for (size_t i = 0; i < loop->nprepares; i++) {
        if (loop->prepares[i].cb == cb && loop->prepares[i].ctx == ctx) {
            loop->prepares[i] = loop->prepares[--loop->nprepares];
            return;
        }
    }
}

static void dispatch_signals(struct loop *loop)
{
    struct signalfd_siginfo si;
    while (read(loop->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
        for (size_t i = 0; i < loop->nsignals; i++)
            if (loop->signals[i].signo == (int)si.ssi_signo)
                loop->signals[i].cb(loop, (int)si.ssi_signo, loop->signals[i].ctx);
    }
}

/* Fires the timers due when it starts; a callback may add or cancel timers, so search
 * afresh each time.  A timer added by a callback waits for the next iteration, after
 * poll(): work that reschedules itself at 0 ms (a sync slice) lets a key in between. */
static void dispatch_timers(struct loop *loop)
{
    int64_t now = monotonic_ms();
    uint64_t first_new = loop->next_timer_id;
    for (;;) {
        size_t due = loop->ntimers;
        for (size_t i = 0; i < loop->ntimers; i++)
            if (loop->timers[i].due_ms <= now && loop->timers[i].id < first_new &&
                (due == loop->ntimers || loop->timers[i].due_ms < loop->timers[due].due_ms))
                due = i;
        if (due == loop->ntimers)
            return;
        struct loop_timer t = loop->timers[due];
        loop->timers[due] = loop->timers[--loop->ntimers];
        t.cb(loop, t.ctx);
    }
}

/* The calling thread's CPU time and context switches: an iteration that took long with
 * little CPU either blocked (voluntary switches: a lock, a sleep, I/O) or waited for a CPU
 * (involuntary: preempted), and was not working. */
static int64_t thread_cpu_us(long switches[2])
{
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) != 0)
        return 0;
    switches[0] = ru.ru_nvcsw;
    switches[1] = ru.ru_nivcsw;
    return (int64_t)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec + (int64_t)ru.ru_stime.tv_sec * 1000000 +
           ru.ru_stime.tv_usec;
}

int loop_run_once(struct loop *loop, int max_wait_ms)
{
    loop->now_ms = monotonic_ms();
    int wait = max_wait_ms;
    for (size_t i = 0; i < loop->ntimers; i++) {
        int64_t d = loop->timers[i].due_ms - loop->now_ms;
        if (d < 0)
            d = 0;
        if (wait < 0 || d < wait)
            wait = (int)d;
    }
    for (size_t i = 0; i < loop->nprepares; i++)
        loop->prepares[i].cb(loop, &wait, loop->prepares[i].ctx);

    compact_fds(loop);
    size_t n = loop->nfds + (loop->sigfd >= 0);
    if (n > loop->cappfds) {
        struct pollfd *p = realloc(loop->pfds, n * sizeof *p);
        if (!p)
            return -1;
        loop->pfds = p;
        loop->cappfds = n;
    }
    size_t nfds = loop->nfds;
    for (size_t i = 0; i < nfds; i++)
        loop->pfds[i] = (struct pollfd){ loop->fds[i].fd, loop->fds[i].events, 0 };
    if (loop->sigfd >= 0)
        loop->pfds[nfds] = (struct pollfd){ loop->sigfd, POLLIN, 0 };

    int rc = poll(loop->pfds, n, wait);
    loop->now_ms = monotonic_ms();
    if (rc < 0 && errno != EINTR)
        return -1;
    long sw_from[2], sw_to[2];
    int64_t busy_from = monotonic_us(), cpu_from = thread_cpu_us(sw_from);
    if (rc > 0) {
        if (loop->sigfd >= 0 && (loop->pfds[nfds].revents & POLLIN))
            dispatch_signals(loop);
        /* fds[] may grow during callbacks; pfds[i] still matches fds[i] for i < nfds. */
        for (size_t i = 0; i < nfds; i++) {
            short rev = loop->pfds[i].revents;
            if (!rev || loop->fds[i].removed || loop->fds[i].fd != loop->pfds[i].fd)
                continue;
            loop->fds[i].cb(loop, loop->fds[i].fd, rev, loop->fds[i].ctx);
        }
    }
    dispatch_timers(loop);
    int64_t busy = monotonic_us() - busy_from;
    if (busy > loop->longest_busy_us) {
        loop->longest_busy_us = busy;
        loop->longest_busy_cpu_us = thread_cpu_us(sw_to) - cpu_from;
        loop->longest_busy_waits[0] = sw_to[0] - sw_from[0];
        loop->longest_busy_waits[1] = sw_to[1] - sw_from[1];
    }
    return 0;
}

int64_t loop_longest_busy_cpu_us(const struct loop *loop)
{
    return loop->longest_busy_cpu_us;
}

void loop_longest_busy_switches(const struct loop *loop, long *blocked, long *preempted)
{
    *blocked = loop->longest_busy_waits[0];
    *preempted = loop->longest_busy_waits[1];
}

int64_t loop_longest_busy_us(const struct loop *loop)
{
    return loop->longest_busy_us;
}

void loop_run(struct loop *loop)
{
    while (!loop->stopped)
        if (loop_run_once(loop, -1) < 0)
            break;
}

void loop_stop(struct loop *loop)
{
    loop->stopped = 1;
}

int loop_stopped(const struct loop *loop)
{
    return loop->stopped;
}
