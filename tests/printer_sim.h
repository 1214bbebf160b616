/* A network receipt printer for the tests (raw TCP, port 9100 style), written from the
 * ESC/POS reference, driven by Till's loop: it answers DLE EOT status requests, "prints"
 * each job that ends in a cut, counts drawer kicks, and misbehaves on request: paper out,
 * stall (stops reading and answering), refuse (connections refused), close mid-print.
 * In a unit test it runs in the test's own loop; build/printer-sim runs it alone, steered
 * by a control file (see printer_sim.c). */
#ifndef TILL_TESTS_PRINTER_SIM_H
#define TILL_TESTS_PRINTER_SIM_H

#include <stddef.h>
#include <stdio.h>

struct loop;

#define SIM_MAX_CONNS 32

struct sim_conn {
    int fd;
    unsigned char *job;       /* bytes since the last cut, status requests taken out */
    size_t len, cap;
    unsigned char pend[3];    /* a DLE EOT split across reads */
    size_t npend;
    size_t received;          /* job bytes on this connection */
};

struct printer_sim {
    struct loop *loop;
    int listen_fd;
    int port;
    struct sim_conn conns[SIM_MAX_CONNS];
    /* behaviour */
    int paper_out;
    int cover_open;
    int stalled;
    int refusing;
    long close_after;         /* > 0: drop a connection after this many job bytes, once */
    int drawer_open;          /* what DLE EOT 1 reports on pin 3 */
    /* what happened */
    int printed;              /* jobs that reached their cut */
    int partial;              /* connections that ended inside a job */
    int kicks;
    int connections;
    int status_answers;
    FILE *out;                /* every printed job's bytes, appended (may be NULL) */
    unsigned char *paper;     /* the same, in memory */
    size_t paper_len, paper_cap;
};

/* Listens on 127.0.0.1:port (0: any free port; sim->port says which). */
int printer_sim_start(struct printer_sim *sim, struct loop *loop, int port);
void printer_sim_stop(struct printer_sim *sim);
/* Stall: stop reading; when it ends, what was sent meanwhile is read and answered. */
void printer_sim_stall(struct printer_sim *sim, int on);
/* Refuse: close the listening socket (connections are refused) or listen again. */
int printer_sim_refuse(struct printer_sim *sim, int on);

#endif
