#include "core/pan.h"

#include <string.h>

#define PAN_MIN 13
#define PAN_MAX 19
#define TRACK2_PAN_MIN 12

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int pan_luhn_ok(const char *digits, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int d = digits[n - 1 - i] - '0';
        if (i % 2) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return n > 0 && sum % 10 == 0;
}

#define RUN_MAX_GROUPS 32

/* A run: digit groups separated by one space or dash.  Records where each group starts
 * and ends in s; returns the number of groups (at most RUN_MAX_GROUPS; a longer run is
 * cut there, and its rest is scanned as a new run). */
static int scan_run(const char *s, size_t i, size_t gstart[], size_t gend[])
{
    int ng = 0;
    while (ng < RUN_MAX_GROUPS && is_digit(s[i])) {
        gstart[ng] = i;
        while (is_digit(s[i]))
            i++;
        gend[ng++] = i;
        if ((s[i] == ' ' || s[i] == '-') && is_digit(s[i + 1]))
            i++;
        else
            break;
    }
    return ng;
}

/* Digits of groups a..b (inclusive) into out; returns their count, or 0 if above PAN_MAX. */
static size_t span_digits(const char *s, const size_t gstart[], const size_t gend[], int a, int b,
                          char out[PAN_MAX])
{
    size_t n = 0;
    for (int g = a; g <= b; g++) {
        if (n + (gend[g] - gstart[g]) > PAN_MAX)
            return 0;
        memcpy(out + n, s + gstart[g], gend[g] - gstart[g]);
        n += gend[g] - gstart[g];
    }
    return n;
}

/* Groups a..b (more than one) written as a card number is: it does not start with 0 (no
 * card number does, zero-padded figures do) and every group but the last has 4 to 6
 * digits (4-4-4-4, 4-6-5, 4-4-4-4-3), unlike amounts, trace and approval numbers printed
 * side by side. */
static int card_layout(const char *s, const size_t gstart[], const size_t gend[], int a, int b)
{
    if (s[gstart[a]] == '0')
        return 0;
    for (int g = a; g < b; g++)
        if (gend[g] - gstart[g] < 4 || gend[g] - gstart[g] > 6)
            return 0;
    return gend[b] - gstart[b] <= 7;
}

/* Track 2: the plain digit run [start, end) followed by D or = and at least four digits.
 * Replaces the token with twelve '*' and the last four digits; returns the new end. */
static size_t mask_track2(char *s, size_t start, size_t end)
{
    size_t after = end + 1, k = after;
    while (is_digit(s[k]) || (s[k] >= 'A' && s[k] <= 'F' && s[k] != 'D'))
        k++;
    size_t tail = 0;
    for (size_t j = after; j < k && is_digit(s[j]); j++)
        tail++;
    if (tail < 4)
        return 0;
    char last4[4];
    memcpy(last4, s + end - 4, 4);
    char masked[16];
    memset(masked, '*', 12);
    memcpy(masked + 12, last4, 4);
    /* the token is at least 12 + 1 + 4 bytes long, so the masked form fits in place */
    memcpy(s + start, masked, 16);
    memmove(s + start + 16, s + k, strlen(s + k) + 1);
    return start + 16;
}

static int mask_pass(char *s)
{
    int masked = 0;
    size_t i = 0;
    while (s[i]) {
        if (!is_digit(s[i]) || (i > 0 && is_digit(s[i - 1]))) {
            i++;
            continue;
        }
        size_t gstart[RUN_MAX_GROUPS], gend[RUN_MAX_GROUPS];
        int ng = scan_run(s, i, gstart, gend);
        /* track 2 ends a run: its last group, right before the D or = */
        size_t last = gend[ng - 1] - gstart[ng - 1], track2_end = 0;
        if (last >= TRACK2_PAN_MIN && last <= PAN_MAX &&
            (s[gend[ng - 1]] == 'D' || s[gend[ng - 1]] == '='))
            track2_end = mask_track2(s, gstart[ng - 1], gend[ng - 1]);
        if (track2_end) {
            masked++;
            ng--;
        }
        /* the longest Luhn-valid span of whole groups, from each group on: a card number
         * printed next to other figures ("Nr 4111 1111 1111 1111 01") is still found */
        int a = 0;
        while (a < ng) {
            int found = -1;
            for (int b = ng - 1; b >= a && found < 0; b--) {
                char digits[PAN_MAX];
                size_t nd = span_digits(s, gstart, gend, a, b, digits);
                if (nd >= PAN_MIN && (a == b || card_layout(s, gstart, gend, a, b)) &&
                    pan_luhn_ok(digits, nd))
                    found = b;
                if (nd)
                    memset(digits, 0, sizeof digits);
            }
            if (found < 0) {
                a++;
                continue;
            }
            size_t nd = 0;
            for (int g = a; g <= found; g++)
                nd += gend[g] - gstart[g];
            size_t left = nd - 4;
            for (size_t j = gstart[a]; j < gend[found] && left; j++)
                if (is_digit(s[j])) {
                    s[j] = '*';
                    left--;
                }
            masked++;
            a = found + 1;
        }
        i = track2_end ? track2_end : gend[ng - 1];
    }
    return masked;
}

/* Passes until nothing is found: the four digits a mask leaves can join the figures after
 * them into a new card-number-like run, and that is masked too. */
int pan_mask_text(char *s)
{
    int total = 0, n;
    while ((n = mask_pass(s)) > 0)
        total += n;
    return total;
}
