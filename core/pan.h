/* Card numbers (PANs) in text from outside: whatever a payment terminal sends (print lines,
 * text blocks, display texts, status fields) passes through pan_mask_text() before Till
 * stores, prints, logs or shows it.  Pure: no I/O. */
#ifndef TILL_CORE_PAN_H
#define TILL_CORE_PAN_H

#include <stddef.h>

/* Masks, in place, every card-number-like run in the NUL-terminated text s:
 * - 13 to 19 digits that pass the Luhn check, written together or in groups separated by
 *   one space or dash ("4111 1111 1111 1111"): every digit but the last four becomes '*',
 *   the separators stay, so a receipt keeps its layout.  Groups count when written as a
 *   card number is: not starting with 0, every group but the last 4 to 6 digits long;
 * - track-2 style data, 12 to 19 digits then a 'D' or '=' separator then at least four
 *   digits (expiry, service code, discretionary data): the whole token becomes
 *   "************" and the last four digits before the separator (the text gets shorter).
 * Returns how many runs it masked. */
int pan_mask_text(char *s);

/* 1 if the n digits at p (ASCII '0'..'9' only) pass the Luhn check. */
int pan_luhn_ok(const char *digits, size_t n);

#endif
