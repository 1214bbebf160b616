/* The kill loop: starts the real till in a pty again and again, sells, and SIGKILLs it at a
 * moment chosen at random among three windows:
 *   commit   - 0 to 12 ms after the Enter that pays: inside the sale's commit, its fsyncs,
 *              the receipt's write and rename;
 *   receipt  - 0 to 30 ms after the receipt is on screen: marking the receipt, sync pushing;
 *   start-up - 0 to 15 ms after exec: WAL recovery, the integrity check, writing the
 *              receipts a previous kill left unwritten.
 * It writes the receipt numbers the screen showed as complete (one per line) to a file, so
 * the caller can check each of them was saved.
 * usage: kill-loop KILLS SEED SEEN_FILE TILL [ARGS...] */
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 18];
static size_t blen;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Reads pty output until needle appears in what was read since the last call; -1 on
 * timeout or when the till is gone. */
static int wait_for(int fd, const char *needle, int timeout_ms)
{
    double end = now_ms() + timeout_ms;
    size_t nl = strlen(needle);
    while (now_ms() < end) {
        if (memmem(buf, blen, needle, nl))
            return 0;
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, 50) <= 0)
            continue;
        if (blen > sizeof buf - 8192) {
            memmove(buf, buf + blen - 4096, 4096);
            blen = 4096;
        }
        ssize_t n = read(fd, buf + blen, sizeof buf - blen - 1);
        if (n <= 0)
            return -1;
        blen += (size_t)n;
        buf[blen] = 0;
    }
    return memmem(buf, blen, needle, nl) ? 0 : -1;
}

static void forget(void)
{
    blen = 0;
    buf[0] = 0;
}

static int send_keys(int fd, const char *s)
{
    size_t n = strlen(s);
    return write(fd, s, n) == (ssize_t)n ? 0 : -1;
}

/* "Sale 12 complete." on the status line: the receipt number the cashier saw. */
static long long receipt_shown(void)
{
    const char *p = memmem(buf, blen, "Sale ", 5);
    while (p) {
        char *end;
        long long no = strtoll(p + 5, &end, 10);
        if (end != p + 5 && strncmp(end, " complete", 9) == 0)
            return no;
        p = memmem(p + 1, blen - (size_t)(p + 1 - buf), "Sale ", 5);
    }
    return -1;
}

static void kill_now(pid_t pid, int master)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(master);
}

/* Start-up done: an empty sale, or the open sale a kill left behind (restored, app/open_cart.c),
 * which is cancelled first as a cashier would, or the receipt of a sale a kill left
 * unannounced ("Sale N was completed before the restart", over the empty sale), which the
 * cashier closes with Enter.  -1 on timeout. */
static int wait_ready(int fd, int timeout_ms)
{
    double end = now_ms() + timeout_ms;
    while (now_ms() < end) {
        int sale = wait_for(fd, "Empty sale", 200) == 0;
        if (sale || memmem(buf, blen, "Sale complete", 13)) {
            /* the receipt dialog ("Sale complete") comes in the same frame as the empty sale
             * beneath it; only the cells that change are drawn, so its own title is the sign */
            if (!memmem(buf, blen, "Sale complete", 13) && wait_for(fd, "Sale complete", 100) != 0)
                return 0;
            forget();
            if (send_keys(fd, "\r") || wait_for(fd, "Next customer. Scan", 5000))
                return -1;
            return 0;
        }
        if (memmem(buf, blen, "restored after a restart", 24)) {
            forget();
            if (send_keys(fd, "\033[19~") || wait_for(fd, "Cancel the whole sale?", 5000) || send_keys(fd, "y"))
                return -1;
        }
    }
    return -1;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: kill-loop KILLS SEED SEEN_FILE TILL [ARGS...]\n");
        return 2;
    }
    int kills = atoi(argv[1]);
    srand((unsigned)strtoul(argv[2], NULL, 10));
    FILE *seen = fopen(argv[3], "w");
    if (!seen)
        return 1;
    int in_commit = 0, after_receipt = 0, at_start = 0, failed_starts = 0, shown = 0;
    double t0 = now_ms();
    for (int i = 0; i < kills; i++) {
        struct winsize ws = { .ws_row = 30, .ws_col = 100 };
        int m;
        pid_t pid = forkpty(&m, NULL, NULL, &ws);
        if (pid < 0)
            return 1;
        if (pid == 0) {
            setenv("TERM", "xterm", 1);
            execv(argv[4], argv + 4);
            _exit(127);
        }
        forget();
        int window = rand() % 10;
        if (window == 0) {
            usleep((useconds_t)(rand() % 15000));
            kill_now(pid, m);
            at_start++;
            continue;
        }
        if (wait_ready(m, 20000)) {
            fprintf(stderr, "kill-loop: round %d: the till did not start:\n%.2000s\n", i, buf);
            kill_now(pid, m);
            if (++failed_starts > 3)
                return 1;
            continue;
        }
        forget();
        if (send_keys(m, "4010433218190\r") || wait_for(m, "Whole Milk", 5000) ||
            send_keys(m, "\033[15~") || wait_for(m, "F6", 5000)) {
            fprintf(stderr, "kill-loop: round %d: the sale did not go through:\n%.2000s\n", i, buf);
            kill_now(pid, m);
            return 1;
        }
        forget();
        send_keys(m, "\r");
        if (window < 6) {
            usleep((useconds_t)(rand() % 12000));
            in_commit++;
        } else {
            if (wait_for(m, "CHANGE DUE", 10000) == 0)
                usleep((useconds_t)(rand() % 30000));
            after_receipt++;
        }
        /* whatever the screen showed before the kill counts as shown */
        struct pollfd p = { m, POLLIN, 0 };
        while (poll(&p, 1, 0) > 0 && blen < sizeof buf - 1) {
            ssize_t n = read(m, buf + blen, sizeof buf - blen - 1);
            if (n <= 0)
                break;
            blen += (size_t)n;
        }
        kill_now(pid, m);
        long long no = memmem(buf, blen, "CHANGE DUE", 10) ? receipt_shown() : -1;
        if (no > 0) {
            fprintf(seen, "%lld\n", no);
            shown++;
        }
    }
    fclose(seen);
    printf("%d kills in %.1f s: %d in the commit window, %d after the receipt, %d at start-up;"
           " %d sales shown complete\n", kills, (now_ms() - t0) / 1000, in_commit, after_receipt, at_start,
           shown);
    return 0;
}
