/* The one event loop: poll() over every file descriptor Till reads (keyboard, USB,
 * network, payment terminals, signals) plus timers.  Nothing registered here may block;
 * work that could stall is a state machine advanced by these callbacks. */
#ifndef TILL_LOOP_H
#define TILL_LOOP_H

#include <stdint.h>

struct loop;

typedef void (*loop_fd_cb)(struct loop *loop, int fd, short revents, void *ctx);
typedef void (*loop_timer_cb)(struct loop *loop, void *ctx);
typedef void (*loop_signal_cb)(struct loop *loop, int signo, void *ctx);
/* Called before every poll(); may shorten the wait (e.g. libusb's next timeout). */
typedef void (*loop_prepare_cb)(struct loop *loop, int *wait_ms, void *ctx);

struct loop *loop_new(void);
void loop_free(struct loop *loop);

/* Watches fd for events (POLLIN/POLLOUT); calling again for the same fd replaces them. */
int loop_watch_fd(struct loop *loop, int fd, short events, loop_fd_cb cb, void *ctx);
void loop_unwatch_fd(struct loop *loop, int fd);

/* One-shot timer; returns an id > 0 for loop_cancel_timer, 0 on failure. */
uint64_t loop_add_timer(struct loop *loop, int64_t delay_ms, loop_timer_cb cb, void *ctx);
void loop_cancel_timer(struct loop *loop, uint64_t id);

/* Delivers signo through the loop (signalfd) instead of an async handler. */
int loop_watch_signal(struct loop *loop, int signo, loop_signal_cb cb, void *ctx);

int loop_add_prepare(struct loop *loop, loop_prepare_cb cb, void *ctx);
void loop_remove_prepare(struct loop *loop, loop_prepare_cb cb, void *ctx);

/* Monotonic milliseconds, read once per iteration. */
int64_t loop_now_ms(struct loop *loop);
/* Wall clock, Unix seconds (for receipts and records). */
int64_t loop_wall_time(void);

/* The longest one iteration ran its callbacks (poll() to poll()): what a key pressed
 * meanwhile could wait at worst, whoever held the loop. */
int64_t loop_longest_busy_us(const struct loop *loop);
/* Of it, the CPU time the loop's thread itself used (the rest it waited for a CPU). */
int64_t loop_longest_busy_cpu_us(const struct loop *loop);
/* ... and how often in it the loop's thread blocked (a lock, a sleep, I/O) or was preempted. */
void loop_longest_busy_switches(const struct loop *loop, long *blocked, long *preempted);

/* Runs one iteration, waiting at most max_wait_ms (-1: until something happens). */
int loop_run_once(struct loop *loop, int max_wait_ms);
void loop_run(struct loop *loop);
void loop_stop(struct loop *loop);
int loop_stopped(const struct loop *loop);

#endif
