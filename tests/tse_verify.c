/* Verifies a receipt's QR code (DSFinV-K V0) the way a tax auditor's tool does: rebuilds the
 * TSE's FinishTransaction log message (BSI TR-03151, core/fiscal.h) from the code's fields,
 * takes the TSE serial as the SHA-256 of the public key in the code, and checks the
 * ecdsa-plain-SHA384 signature with OpenSSL.  Included by tests/test_tse_sim.c; with
 * -DTSE_VERIFY_MAIN it is build/tse-verify, which reads one QR text per line on stdin and
 * prints "ok" or "bad: why" for each (exit 1 if any is bad). */
#include <stdio.h>
#include <string.h>

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/fiscal.h"

/* SubjectPublicKeyInfo header for an uncompressed P-384 point (id-ecPublicKey, secp384r1). */
static const unsigned char p384_spki_head[] = {
    0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
    0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00,
};

/* Verifies sig (r || s, 96 bytes) over dtbs with the uncompressed P-384 point pub. */
static int tse_verify_raw(const unsigned char *pub, size_t publen, const unsigned char *dtbs, size_t dlen,
                          const unsigned char *sig, size_t siglen)
{
    if (publen != 97 || siglen != 96)
        return -1;
    unsigned char spki[sizeof p384_spki_head + 97];
    memcpy(spki, p384_spki_head, sizeof p384_spki_head);
    memcpy(spki + sizeof p384_spki_head, pub, publen);
    const unsigned char *p = spki;
    EVP_PKEY *key = d2i_PUBKEY(NULL, &p, (long)sizeof spki);
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 48, NULL), *s = BN_bin2bn(sig + 48, 48, NULL);
    unsigned char *der = NULL;
    int derlen = -1, ok = 0;
    if (key && es && r && s && ECDSA_SIG_set0(es, r, s)) {
        r = s = NULL;
        derlen = i2d_ECDSA_SIG(es, &der);
    }
    if (derlen > 0) {
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        ok = md && EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, key) == 1 &&
             EVP_DigestVerify(md, der, (size_t)derlen, dtbs, dlen) == 1;
        EVP_MD_CTX_free(md);
    }
    OPENSSL_free(der);
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    EVP_PKEY_free(key);
    return ok ? 0 : -1;
}

static int tse_verify_qr(const char *text, char *why, size_t len)
{
    struct fiscal_qr q;
    if (fiscal_qr_parse(text, &q)) {
        snprintf(why, len, "not a V0 QR code");
        return -1;
    }
    if (strcmp(q.sig_alg, FISCAL_SIG_ALG) != 0 || strcmp(q.time_format, FISCAL_TIME_FORMAT) != 0) {
        snprintf(why, len, "unexpected algorithm or time format");
        return -1;
    }
    unsigned char pub[128], sig[128], serial[32], dtbs[2048];
    size_t publen, siglen, dlen;
    if (fiscal_base64_decode(q.public_key, pub, sizeof pub, &publen) ||
        fiscal_base64_decode(q.signature, sig, sizeof sig, &siglen)) {
        snprintf(why, len, "bad Base64");
        return -1;
    }
    unsigned int hl = 0;
    EVP_Digest(pub, publen, serial, &hl, EVP_sha256(), NULL);
    struct fiscal_log m = {
        .op = FISCAL_OP_FINISH, .client_id = q.client_id, .process_type = q.process_type,
        .process_data = (const unsigned char *)q.process_data, .process_data_len = strlen(q.process_data),
        .tx_number = q.tx_number, .serial = serial, .serial_len = sizeof serial,
        .sig_counter = q.sig_counter, .log_time = q.log_ms / 1000,
    };
    if (fiscal_log_dtbs(&m, dtbs, sizeof dtbs, &dlen) || tse_verify_raw(pub, publen, dtbs, dlen, sig, siglen)) {
        snprintf(why, len, "signature does not verify");
        return -1;
    }
    return 0;
}

#ifdef TSE_VERIFY_MAIN
int main(void)
{
    char line[FISCAL_QR_MAX + 2], why[96];
    int bad = 0, n = 0;
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0])
            continue;
        n++;
        if (tse_verify_qr(line, why, sizeof why)) {
            printf("bad: %s\n", why);
            bad = 1;
        } else {
            printf("ok\n");
        }
    }
    return bad || n == 0;
}
#endif
