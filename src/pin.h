/* PINs: argon2id hashes through libsodium (crypto_pwhash_str), in the PHC string form
 * "$argon2id$v=19$m=...,t=...,p=1$salt$hash", which carries its own parameters: a hash
 * made with older parameters still verifies, and can be replaced after a right PIN.
 * A PIN itself is never stored, logged or kept after the call. */
#ifndef TILL_PIN_H
#define TILL_PIN_H

#include <stddef.h>

#define PIN_HASH_MAX 128      /* crypto_pwhash_STRBYTES */
#define PIN_MIN_DIGITS 4
#define PIN_MAX_DIGITS 12

/* The parameters for new hashes (stored in the database's meta table, see src/staff.h).
 * Defaults measured in bench/bench_pin.c: verification ~45 ms on the 2-core CI machine. */
struct pin_params {
    unsigned long long opslimit;  /* passes */
    size_t memlimit;              /* bytes */
};
#define PIN_DEFAULT_OPSLIMIT 2ULL
#define PIN_DEFAULT_MEMLIMIT ((size_t)19 << 20)   /* 19 MiB (OWASP's argon2id minimum) */

/* 4 to 12 digits: 0, else -1 with why in err. */
int pin_check_format(const char *pin, char *err, size_t errlen);
/* Hashes pin into out (PIN_HASH_MAX bytes): 0, or -1 (out of memory, bad parameters). */
int pin_hash(const char *pin, const struct pin_params *p, char out[PIN_HASH_MAX]);
/* 0: the PIN is right; 1: wrong; -1: the hash is not an argon2id hash we can check. */
int pin_verify(const char *hash, const char *pin);
/* 1 when hash was made with other parameters than p (a right PIN re-hashes it). */
int pin_needs_rehash(const char *hash, const struct pin_params *p);
/* A hash looks like an argon2id PHC string (checked on every staff record synced down). */
int pin_hash_is_valid(const char *hash);

#endif
