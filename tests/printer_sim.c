#include "tests/printer_sim.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "src/loop.h"

static void on_conn(struct loop *loop, int fd, short revents, void *ctx);

static void conn_close(struct printer_sim *sim, struct sim_conn *c)
{
    if (c->fd < 0)
        return;
    loop_unwatch_fd(sim->loop, c->fd);
    close(c->fd);
    c->fd = -1;
    if (c->len > 0)
        sim->partial++;  /* the paper shows half a receipt; it does not count as printed */
    free(c->job);
    c->job = NULL;
    c->len = c->cap = 0;
    c->npend = 0;
}

static void job_put(struct sim_conn *c, unsigned char b)
{
    if (c->len == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 4096;
        c->job = realloc(c->job, c->cap);
        if (!c->job)
            abort();
    }
    c->job[c->len++] = b;
}

static void paper_put(struct printer_sim *sim, const unsigned char *p, size_t n)
{
    if (sim->paper_len + n > sim->paper_cap) {
        sim->paper_cap = (sim->paper_cap ? sim->paper_cap * 2 : 8192) + n;
        sim->paper = realloc(sim->paper, sim->paper_cap);
        if (!sim->paper)
            abort();
    }
    memcpy(sim->paper + sim->paper_len, p, n);
    sim->paper_len += n;
    if (sim->out) {
        fwrite(p, 1, n, sim->out);
        fflush(sim->out);
    }
}

/* The answer to DLE EOT n, from the printer's state. */
static unsigned char status_byte(struct printer_sim *sim, int n)
{
    unsigned char b = 0x12;
    switch (n) {
    case 1: b |= (sim->drawer_open ? 0x04 : 0) | (sim->paper_out || sim->cover_open ? 0x08 : 0); break;
    case 2: b |= (sim->cover_open ? 0x04 : 0) | (sim->paper_out ? 0x20 : 0); break;
    case 3: break;
    case 4: b |= sim->paper_out ? 0x60 : 0; break;
    }
    return b;
}

/* Reads ESC p (a kick) and GS V (a cut: the job is printed) as they pass. */
static void job_byte(struct printer_sim *sim, struct sim_conn *c, unsigned char b)
{
    job_put(c, b);
    c->received++;
    size_t n = c->len;
    if (n >= 5 && c->job[n - 5] == 0x1B && c->job[n - 4] == 'p' && n == 5) {
        sim->kicks++;   /* a job that is only the kick */
        paper_put(sim, c->job, c->len);
        c->len = 0;
        return;
    }
    if (n >= 3 && c->job[n - 3] == 0x1D && c->job[n - 2] == 'V') {
        sim->printed++;
        for (size_t i = 0; i + 4 < n; i++)
            sim->kicks += c->job[i] == 0x1B && c->job[i + 1] == 'p';
        paper_put(sim, c->job, c->len);
        c->len = 0;
    }
}

static void feed(struct printer_sim *sim, struct sim_conn *c, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n && c->fd >= 0; i++) {
        unsigned char b = p[i];
        if (c->npend > 0 || b == 0x10) {
            c->pend[c->npend++] = b;
            if (c->npend == 2 && c->pend[1] != 0x04) {
                /* not DLE EOT: both bytes are job bytes */
                job_byte(sim, c, c->pend[0]);
                job_byte(sim, c, c->pend[1]);
                c->npend = 0;
            } else if (c->npend == 3) {
                unsigned char a = status_byte(sim, c->pend[2]);
                c->npend = 0;
                if (send(c->fd, &a, 1, MSG_NOSIGNAL) == 1)
                    sim->status_answers++;
            }
            continue;
        }
        job_byte(sim, c, b);
        if (sim->close_after > 0 && c->received >= (size_t)sim->close_after) {
            sim->close_after = 0;
            conn_close(sim, c);
        }
    }
}

static void watch(struct printer_sim *sim, struct sim_conn *c)
{
    if (sim->stalled)
        loop_unwatch_fd(sim->loop, c->fd);
    else
        loop_watch_fd(sim->loop, c->fd, POLLIN, on_conn, sim);
}

static void on_conn(struct loop *loop, int fd, short revents, void *ctx)
{
    struct printer_sim *sim = ctx;
    struct sim_conn *c = NULL;
    for (int i = 0; i < SIM_MAX_CONNS; i++)
        if (sim->conns[i].fd == fd)
            c = &sim->conns[i];
    if (!c)
        return;
    unsigned char buf[512];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0)
        feed(sim, c, buf, (size_t)n);
    else if (n == 0 || (errno != EAGAIN && errno != EINTR))
        conn_close(sim, c);
}

static void on_accept(struct loop *loop, int fd, short revents, void *ctx)
{
    struct printer_sim *sim = ctx;
    int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c < 0)
        return;
    for (int i = 0; i < SIM_MAX_CONNS; i++) {
        if (sim->conns[i].fd < 0) {
            sim->conns[i].fd = c;
            sim->conns[i].received = 0;
            sim->connections++;
            watch(sim, &sim->conns[i]);
            return;
        }
    }
    close(c);
}

static int listen_on(struct printer_sim *sim, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 8) ||
        getsockname(fd, (struct sockaddr *)&a, &al)) {
        close(fd);
        return -1;
    }
    sim->listen_fd = fd;
    sim->port = ntohs(a.sin_port);
    loop_watch_fd(sim->loop, fd, POLLIN, on_accept, sim);
    return 0;
}

int printer_sim_start(struct printer_sim *sim, struct loop *loop, int port)
{
    FILE *out = sim->out;
    memset(sim, 0, sizeof *sim);
    sim->out = out;
    sim->loop = loop;
    sim->listen_fd = -1;
    for (int i = 0; i < SIM_MAX_CONNS; i++)
        sim->conns[i].fd = -1;
    return listen_on(sim, port);
}

void printer_sim_stop(struct printer_sim *sim)
{
    for (int i = 0; i < SIM_MAX_CONNS; i++)
        conn_close(sim, &sim->conns[i]);
    printer_sim_refuse(sim, 1);
    free(sim->paper);
    sim->paper = NULL;
}

void printer_sim_stall(struct printer_sim *sim, int on)
{
    sim->stalled = on;
    for (int i = 0; i < SIM_MAX_CONNS; i++)
        if (sim->conns[i].fd >= 0)
            watch(sim, &sim->conns[i]);
}

int printer_sim_refuse(struct printer_sim *sim, int on)
{
    sim->refusing = on;
    if (on && sim->listen_fd >= 0) {
        loop_unwatch_fd(sim->loop, sim->listen_fd);
        close(sim->listen_fd);
        sim->listen_fd = -1;
        return 0;
    }
    if (!on && sim->listen_fd < 0)
        return listen_on(sim, sim->port);
    return 0;
}

#ifdef PRINTER_SIM_MAIN
/* build/printer-sim PORTFILE OUTFILE CONTROLFILE: listens on a free port (written to
 * PORTFILE), appends every printed job to OUTFILE, and every 50 ms reads CONTROLFILE,
 * one word: ok, paper_out, stall, refuse, or close_after=N; "drawer_open" may follow.
 * Its counters go to OUTFILE.stats after each change. */
#include <signal.h>
#include <stdio.h>

struct main_ctx {
    struct printer_sim sim;
    const char *control, *stats;
    char last[128];
    char last_stats[256];
};

static void on_tick(struct loop *loop, void *ctx)
{
    struct main_ctx *m = ctx;
    char buf[128] = "";
    FILE *f = fopen(m->control, "r");
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = 0;
        fclose(f);
    }
    if (strcmp(buf, m->last) != 0) {
        snprintf(m->last, sizeof m->last, "%s", buf);
        m->sim.paper_out = strstr(buf, "paper_out") != NULL;
        m->sim.drawer_open = strstr(buf, "drawer_open") != NULL;
        printer_sim_stall(&m->sim, strstr(buf, "stall") != NULL);
        printer_sim_refuse(&m->sim, strstr(buf, "refuse") != NULL);
        const char *ca = strstr(buf, "close_after=");
        m->sim.close_after = ca ? strtol(ca + 12, NULL, 10) : 0;
    }
    char stats[256];
    snprintf(stats, sizeof stats, "printed %d\npartial %d\nkicks %d\nconnections %d\nstatus %d\n",
             m->sim.printed, m->sim.partial, m->sim.kicks, m->sim.connections, m->sim.status_answers);
    if (strcmp(stats, m->last_stats) != 0) {
        char tmp[600];
        snprintf(tmp, sizeof tmp, "%s.tmp", m->stats);
        FILE *s = fopen(tmp, "w");
        if (s) {
            fputs(stats, s);
            fclose(s);
            rename(tmp, m->stats);
            snprintf(m->last_stats, sizeof m->last_stats, "%s", stats);
        }
    }
    loop_add_timer(loop, 50, on_tick, m);
}

static void on_signal(struct loop *loop, int signo, void *ctx)
{
    loop_stop(loop);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: printer-sim PORTFILE OUTFILE CONTROLFILE\n");
        return 2;
    }
    static struct main_ctx m;
    struct loop *loop = loop_new();
    m.sim.out = fopen(argv[2], "ab");
    if (!loop || !m.sim.out || printer_sim_start(&m.sim, loop, 0)) {
        perror("printer-sim");
        return 1;
    }
    m.control = argv[3];
    static char stats[600];
    snprintf(stats, sizeof stats, "%s.stats", argv[2]);
    m.stats = stats;
    FILE *pf = fopen(argv[1], "w");
    if (!pf)
        return 1;
    fprintf(pf, "%d\n", m.sim.port);
    fclose(pf);
    loop_watch_signal(loop, SIGTERM, on_signal, NULL);
    loop_watch_signal(loop, SIGINT, on_signal, NULL);
    on_tick(loop, &m);
    loop_run(loop);
    printer_sim_stop(&m.sim);
    fclose(m.sim.out);
    loop_free(loop);
    return 0;
}
#endif
