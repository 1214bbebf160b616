/* A ZVT payment terminal simulator for tests, written from the specification's message
 * flows (PA00P015 chapter 2), not from our client: Registration -> 80 00 + Completion;
 * Authorization -> 80 00, intermediate status (04 FF), print lines (06 D1), status
 * information (04 0F), completion (06 0F); failures end with Abort (06 1E).
 * Every message to the ECR waits for its 80 00 acknowledgement.
 * Behaviours (one per authorization, the last repeats): approve, approve_slow (pauses at "insert card"),
 * approve_pan (like approve_slow, and prints the full card number on a receipt line, as
 * some terminals do), decline, partial:N,
 * slow (waits 2 s for an ECR abort), drop (closes after acknowledging the request),
 * drop_after_approve (charged, then closes before completion), refuse (84 83),
 * malformed (a broken status information), silent (never answers).
 * Repeat Receipt (06 20) sends the status information and receipt of the last payment again
 * (spec 2.20), or aborts with 06 1E if there was none.
 * End-of-Day (06 50) sends the batch since the last one, as a real terminal does (spec 2.16):
 * status information with the total (BMP 04) and the individual totals (BMP 60: its
 * approvals are Visa, refunds taken off that), then closes the batch.
 * It writes what it charged to a journal file: "APPROVED <amount> <receipt>",
 * "REVERSED <receipt>", "REFUNDED <amount>". */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct zsim {
    const char *behaviours;
    const char *journal;
    int next;
    unsigned receipt;
    int has_last;            /* the last payment, for Repeat Receipt */
    uint64_t last_amount;
    int last_approved;
    int64_t batch_total;     /* since the last end-of-day */
    unsigned batch_count;
};

static int zs_read_full(int fd, uint8_t *p, size_t n, int timeout_ms)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd pf = { fd, POLLIN, 0 };
        if (poll(&pf, 1, timeout_ms) <= 0)
            return -1;
        ssize_t r = read(fd, p + got, n - got);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

/* Reads one APDU into buf (data at *data, length *len). */
static int zs_read_apdu(int fd, uint8_t *buf, size_t cap, uint8_t **data, size_t *len, int timeout_ms)
{
    if (zs_read_full(fd, buf, 3, timeout_ms))
        return -1;
    size_t l = buf[2], hdr = 3;
    if (buf[2] == 0xFF) {
        if (zs_read_full(fd, buf + 3, 2, timeout_ms))
            return -1;
        l = (size_t)buf[3] | (size_t)buf[4] << 8;
        hdr = 5;
    }
    if (hdr + l > cap || zs_read_full(fd, buf + hdr, l, timeout_ms))
        return -1;
    *data = buf + hdr;
    *len = l;
    return 0;
}

static int zs_send(int fd, uint8_t cls, uint8_t ins, const uint8_t *d, size_t n)
{
    uint8_t b[600];
    size_t h = 3;
    b[0] = cls;
    b[1] = ins;
    if (n >= 0xFF) {
        b[2] = 0xFF;
        b[3] = (uint8_t)(n & 0xFF);
        b[4] = (uint8_t)(n >> 8);
        h = 5;
    } else {
        b[2] = (uint8_t)n;
    }
    if (h + n > sizeof b)
        return -1;
    if (n)
        memcpy(b + h, d, n);
    return write(fd, b, h + n) == (ssize_t)(h + n) ? 0 : -1;
}

/* Sends a message and waits for the ECR's 80 00 00. */
static int zs_send_acked(int fd, uint8_t cls, uint8_t ins, const uint8_t *d, size_t n)
{
    uint8_t buf[64], *data;
    size_t len;
    if (zs_send(fd, cls, ins, d, n) || zs_read_apdu(fd, buf, sizeof buf, &data, &len, 5000))
        return -1;
    return buf[0] == 0x80 && buf[1] == 0x00 ? 0 : -1;
}

static void zs_bcd(uint64_t v, int n, uint8_t *out)
{
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (uint8_t)(v % 10);
        v /= 10;
        out[i] |= (uint8_t)((v % 10) << 4);
        v /= 10;
    }
}

static void zs_journal(struct zsim *s, const char *line)
{
    FILE *f = s->journal ? fopen(s->journal, "a") : NULL;
    if (f) {
        fprintf(f, "%s\n", line);
        fclose(f);
    }
}

static const char *zs_behaviour(struct zsim *s, char *out, size_t cap)
{
    const char *p = s->behaviours;
    int i = 0;
    for (;;) {
        const char *e = strchr(p, ',');
        if (i == s->next || !e) {
            size_t n = e ? (size_t)(e - p) : strlen(p);
            if (n >= cap)
                n = cap - 1;
            memcpy(out, p, n);
            out[n] = 0;
            if (e)
                s->next++;
            return out;
        }
        p = e + 1;
        i++;
    }
}

static int zs_print_line(int fd, const char *text)
{
    uint8_t d[64];
    size_t n = strlen(text);
    d[0] = 0x00; /* attribute: normal text */
    memcpy(d + 1, text, n);
    return zs_send_acked(fd, 0x06, 0xD1, d, n + 1);
}

/* Status information for an approved payment (BMP layout as in spec 3.2.1). */
static int zs_status_approved(int fd, struct zsim *s, uint64_t amount)
{
    uint8_t d[128];
    size_t n = 0;
    d[n++] = 0x27; d[n++] = 0x00;                                  /* result: success */
    d[n++] = 0x04; zs_bcd(amount, 6, d + n); n += 6;               /* amount */
    d[n++] = 0x0B; zs_bcd(s->receipt, 3, d + n); n += 3;           /* trace */
    d[n++] = 0x0C; d[n++] = 0x12; d[n++] = 0x30; d[n++] = 0x00;     /* time 12:30:00 */
    d[n++] = 0x0D; d[n++] = 0x11; d[n++] = 0x25;                    /* date 11-25 */
    d[n++] = 0x22; d[n++] = 0xF0; d[n++] = 0xF8;                    /* PAN, masked by the PT */
    for (int i = 0; i < 6; i++)
        d[n++] = 0xEE;
    d[n++] = 0x42; d[n++] = 0x42;
    d[n++] = 0x29; d[n++] = 0x52; d[n++] = 0x50; d[n++] = 0x00; d[n++] = 0x01; /* TID */
    d[n++] = 0x3B; memcpy(d + n, "A1B2C3  ", 8); n += 8;            /* approval code */
    d[n++] = 0x87; zs_bcd(s->receipt, 2, d + n); n += 2;           /* receipt number */
    d[n++] = 0x8A; d[n++] = 0x0A;                                   /* card type */
    d[n++] = 0x8B; d[n++] = 0xF0; d[n++] = 0xF4; memcpy(d + n, "VISA", 4); n += 4;
    return zs_send_acked(fd, 0x04, 0x0F, d, n);
}

/* Waits up to ms for an ECR abort (06 B0); returns 1 if it came. */
static int zs_wait_abort(int fd, int ms)
{
    uint8_t buf[64], *data;
    size_t len;
    if (zs_read_apdu(fd, buf, sizeof buf, &data, &len, ms))
        return 0;
    return buf[0] == 0x06 && buf[1] == 0xB0;
}

static int zs_authorization(int fd, struct zsim *s, const uint8_t *data, size_t len)
{
    char b[32], line[96];
    if (len < 7 || data[0] != 0x04)
        return zs_send(fd, 0x84, 0x83, NULL, 0); /* malformed request: refused */
    uint64_t amount = 0;
    for (int i = 1; i <= 6; i++)
        amount = amount * 100 + (uint64_t)(data[i] >> 4) * 10 + (data[i] & 0x0F);
    const char *beh = zs_behaviour(s, b, sizeof b);
    if (strcmp(beh, "refuse") == 0)
        return zs_send(fd, 0x84, 0x83, NULL, 0);
    if (zs_send(fd, 0x80, 0x00, NULL, 0))
        return -1;
    if (strcmp(beh, "drop") == 0 || strcmp(beh, "silent") == 0) {
        if (strcmp(beh, "silent") == 0)
            sleep(30);
        return -1;
    }
    uint8_t st = 0x0A; /* insert card */
    if (zs_send_acked(fd, 0x04, 0xFF, &st, 1))
        return -1;
    if (strcmp(beh, "approve_slow") == 0 || strcmp(beh, "approve_pan") == 0)
        usleep(500 * 1000); /* the customer takes a while: the till shows the status */
    if (strcmp(beh, "slow") == 0 && zs_wait_abort(fd, 2000)) {
        uint8_t rc = 0x6C;
        zs_send(fd, 0x80, 0x00, NULL, 0);
        return zs_send_acked(fd, 0x06, 0x1E, &rc, 1);
    }
    st = 0x01; /* watch the PIN pad */
    if (zs_send_acked(fd, 0x04, 0xFF, &st, 1))
        return -1;
    if (strcmp(beh, "decline") == 0) {
        uint8_t d[2] = { 0x27, 0x05 };
        uint8_t rc = 0x05;
        if (zs_send_acked(fd, 0x04, 0x0F, d, 2))
            return -1;
        return zs_send_acked(fd, 0x06, 0x1E, &rc, 1);
    }
    if (strcmp(beh, "malformed") == 0) {
        uint8_t d[4] = { 0x27, 0x00, 0x22, 0xF9 }; /* LLVAR length cut off */
        zs_send(fd, 0x04, 0x0F, d, 4);
        return -1;
    }
    if (strncmp(beh, "partial:", 8) == 0 && (uint64_t)atoll(beh + 8) < amount)
        amount = (uint64_t)atoll(beh + 8);
    s->receipt++;
    snprintf(line, sizeof line, "APPROVED %llu %04u", (unsigned long long)amount, s->receipt);
    zs_journal(s, line);
    if (zs_print_line(fd, "   KARTENZAHLUNG") || zs_print_line(fd, "VISA ************4242"))
        return -1;
    snprintf(line, sizeof line, "BETRAG EUR %llu.%02llu", (unsigned long long)amount / 100,
             (unsigned long long)amount % 100);
    if (zs_print_line(fd, line) || zs_print_line(fd, "Zahlung erfolgt"))
        return -1;
    if (strcmp(beh, "approve_pan") == 0 && zs_print_line(fd, "Karte 4111 1111 1111 1111"))
        return -1;
    s->batch_total += (int64_t)amount;
    s->batch_count++;
    s->has_last = 1;
    s->last_amount = amount;
    s->last_approved = 1;
    if (zs_status_approved(fd, s, amount))
        return -1;
    if (strcmp(beh, "drop_after_approve") == 0)
        return -1;
    return zs_send_acked(fd, 0x06, 0x0F, NULL, 0);
}

/* 06 20: the last payment's status information and receipt again. */
static int zs_repeat_receipt(int fd, struct zsim *s)
{
    if (zs_send(fd, 0x80, 0x00, NULL, 0))
        return -1;
    if (!s->has_last) {
        uint8_t rc = 0x83; /* function not possible: nothing to repeat */
        return zs_send_acked(fd, 0x06, 0x1E, &rc, 1);
    }
    if (zs_print_line(fd, "   KARTENZAHLUNG (KOPIE)") || zs_status_approved(fd, s, s->last_amount))
        return -1;
    return zs_send_acked(fd, 0x06, 0x0F, NULL, 0);
}

static int zs_simple(int fd, struct zsim *s, const char *record, uint64_t amount)
{
    if (zs_send(fd, 0x80, 0x00, NULL, 0))
        return -1;
    uint8_t d[16];
    size_t n = 0;
    d[n++] = 0x27; d[n++] = 0x00;
    if (amount) {
        d[n++] = 0x04;
        zs_bcd(amount, 6, d + n);
        n += 6;
    }
    if (record)
        zs_journal(s, record);
    if (zs_print_line(fd, "   ZVT SIMULATOR") || zs_send_acked(fd, 0x04, 0x0F, d, n))
        return -1;
    return zs_send_acked(fd, 0x06, 0x0F, NULL, 0);
}

/* 06 50: the batch's totals, then it is closed. */
static int zs_end_of_day(int fd, struct zsim *s)
{
    if (zs_send(fd, 0x80, 0x00, NULL, 0))
        return -1;
    uint8_t d[96];
    size_t n = 0;
    uint64_t total = s->batch_total > 0 ? (uint64_t)s->batch_total : 0;
    d[n++] = 0x27; d[n++] = 0x00;
    d[n++] = 0x04; zs_bcd(total, 6, d + n); n += 6;
    d[n++] = 0x60; d[n++] = 0xF0; d[n++] = 0xF5; d[n++] = 0xF3;   /* LLLVAR 053 */
    zs_bcd(s->receipt > s->batch_count ? s->receipt - s->batch_count + 1 : 1, 2, d + n); n += 2;
    zs_bcd(s->receipt, 2, d + n); n += 2;
    for (int slot = 0; slot < 7; slot++) {           /* girocard, JCB, Eurocard, Amex, Visa, ... */
        d[n++] = slot == 4 ? (uint8_t)s->batch_count : 0;
        zs_bcd(slot == 4 ? total : 0, 6, d + n);
        n += 6;
    }
    zs_journal(s, "END_OF_DAY");
    s->batch_total = 0;
    s->batch_count = 0;
    if (zs_print_line(fd, "   KASSENSCHNITT") || zs_send_acked(fd, 0x04, 0x0F, d, n))
        return -1;
    return zs_send_acked(fd, 0x06, 0x0F, NULL, 0);
}

/* Serves one ECR connection until it closes or a command ends the transaction. */
static void zsim_connection(int fd, struct zsim *s)
{
    uint8_t buf[70000], *data;
    size_t len;
    char line[64];
    while (zs_read_apdu(fd, buf, sizeof buf, &data, &len, 10000) == 0) {
        uint16_t cmd = (uint16_t)(buf[0] << 8 | buf[1]);
        int rc = 0;
        switch (cmd) {
        case 0x0600: /* registration: <password:3> <config> [<CC:2>] */
            if (len < 4) {
                zs_send(fd, 0x84, 0x83, NULL, 0);
                return;
            }
            if (zs_send(fd, 0x80, 0x00, NULL, 0) || zs_send_acked(fd, 0x06, 0x0F, NULL, 0))
                return;
            continue;
        case 0x0601:
            rc = zs_authorization(fd, s, data, len);
            break;
        case 0x0630:
            snprintf(line, sizeof line, "REVERSED %02X%02X", len >= 6 ? data[4] : 0, len >= 6 ? data[5] : 0);
            rc = zs_simple(fd, s, line, 0);
            break;
        case 0x0631: {
            uint64_t amount = 0;
            for (size_t i = 4; i < 10 && i < len; i++)
                amount = amount * 100 + (uint64_t)(data[i] >> 4) * 10 + (data[i] & 0x0F);
            snprintf(line, sizeof line, "REFUNDED %llu", (unsigned long long)amount);
            s->batch_total -= (int64_t)amount;
            rc = zs_simple(fd, s, line, amount);
            break;
        }
        case 0x0650:
            rc = zs_end_of_day(fd, s);
            break;
        case 0x0501:
            rc = zs_simple(fd, s, NULL, 0);
            break;
        case 0x0620:
            rc = zs_repeat_receipt(fd, s);
            break;
        default:
            zs_send(fd, 0x84, 0x83, NULL, 0);
            break;
        }
        (void)rc;
        return;
    }
}

/* Accepts connections on lfd, max_conns of them (or forever if 0). */
static void zsim_serve(int lfd, struct zsim *s, int max_conns)
{
    for (int i = 0; max_conns == 0 || i < max_conns; i++) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            return;
        zsim_connection(fd, s);
        close(fd);
    }
}

/* A listening socket on 127.0.0.1 with a free port. */
static int zsim_listen(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)*port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t l = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 4) ||
        getsockname(fd, (struct sockaddr *)&a, &l)) {
        close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

#ifdef ZVT_SIM_MAIN
int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: zvt-sim PORT BEHAVIOURS [JOURNAL]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    struct zsim s = { .behaviours = argv[2], .journal = argc > 3 ? argv[3] : NULL };
    int lfd = zsim_listen(&port);
    if (lfd < 0) {
        perror("listen");
        return 1;
    }
    printf("%d\n", port);
    fflush(stdout);
    zsim_serve(lfd, &s, 0);
    return 0;
}
#endif
