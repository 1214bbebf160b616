#include "src/pin.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static int ready(void)
{
    /* sodium_init is safe to call more than once; < 0 only when no randomness */
    return sodium_init() >= 0;
}

int pin_check_format(const char *pin, char *err, size_t errlen)
{
    size_t n = strlen(pin);
    if (n < PIN_MIN_DIGITS || n > PIN_MAX_DIGITS || strspn(pin, "0123456789") != n) {
        snprintf(err, errlen, "a PIN is %d to %d digits", PIN_MIN_DIGITS, PIN_MAX_DIGITS);
        return -1;
    }
    return 0;
}

int pin_hash(const char *pin, const struct pin_params *p, char out[PIN_HASH_MAX])
{
    if (!ready())
        return -1;
    _Static_assert(PIN_HASH_MAX >= crypto_pwhash_STRBYTES, "PIN_HASH_MAX too small");
    return crypto_pwhash_str_alg(out, pin, strlen(pin), p->opslimit, p->memlimit,
                                 crypto_pwhash_ALG_ARGON2ID13) == 0 ? 0 : -1;
}

/* The parameters are bounded too: a hash from outside asking for gigabytes or minutes
 * would stall the till at every sign-on. */
int pin_hash_is_valid(const char *hash)
{
    size_t n = strlen(hash);
    unsigned m = 0, t = 0, par = 0;
    int used = 0;
    if (n <= 30 || n >= PIN_HASH_MAX ||
        strspn(hash, "$=,+/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != n ||
        sscanf(hash, "$argon2id$v=19$m=%u,t=%u,p=%u$%n", &m, &t, &par, &used) != 3 || !used)
        return 0;
    return m >= 8 && m <= (256u << 10) && t >= 1 && t <= 16 && par == 1;
}

int pin_verify(const char *hash, const char *pin)
{
    if (!ready() || !pin_hash_is_valid(hash))
        return -1;
    return crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0 ? 0 : 1;
}

int pin_needs_rehash(const char *hash, const struct pin_params *p)
{
    if (!ready())
        return 0;
    return crypto_pwhash_str_needs_rehash(hash, p->opslimit, p->memlimit) != 0;
}
