/*
 * note.c - Ed25519 keys in the C2SP signed-note text form, and signing and
 * verifying signed notes (formats in yima/ledger.h). Ed25519 comes from
 * OpenSSL (EVP_PKEY_ED25519); randomness from OpenSSL's CSPRNG.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ledger_int.h"
#include "yima/utf8.h"

#define KEY_LEN     32  /* Ed25519 seed and public key */
#define SIG_LEN     64  /* Ed25519 signature */
#define ALG_ED25519 1   /* the signature type byte */
#define NOTE_SIGS   100 /* most signature lines read */
#define SKEY_PREFIX "PRIVATE+KEY+"
#define EM_DASH_SP  "\xe2\x80\x94 " /* U+2014 and a space: 4 bytes */

/* A parsed key. name points into the caller's string. */
typedef struct key {
    const char *name;
    size_t name_len;
    uint32_t id;
    uint8_t seed[KEY_LEN]; /* signer keys only */
    uint8_t pub[KEY_LEN];
} key;

/* Unicode White_Space, which a key name may not contain. */
static bool is_uspace(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 ||
           c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

/* What is wrong with character c (k bytes) in a key name, or NULL. */
static const char *name_flaw(size_t k, uint32_t c)
{
    if (k == 0)
        return "invalid UTF-8";
    if (c == '+')
        return "a '+'";
    if (is_uspace(c))
        return "a space";
    if (c < 0x20 || c == 0x7f)
        return "a control character";
    return NULL;
}

/* C2SP: a key name is non-empty UTF-8 with no spaces and no '+'. */
static int name_check(const char *what, const char *s, size_t n,
                      yima_error *err)
{
    const unsigned char *p = (const unsigned char *)s;

    if (n == 0)
        return yima_error_set(err, YIMA_EINVAL, 0, "%s: empty key name", what);
    for (size_t i = 0; i < n;) {
        uint32_t c = 0;
        size_t k = ledger_utf8(p + i, n - i, &c);
        const char *flaw = name_flaw(k, c);

        if (flaw)
            return yima_error_set(err, YIMA_EINVAL, 0,
                                  "%s: key name '%.*s' has %s at byte %zu "
                                  "(no spaces, '+' or control characters)",
                                  what, (int)n, s, flaw, i + 1);
        i += k;
    }
    return 0;
}

/* SHA-256(name || '\n' || 0x01 || pub)[:4], big-endian. */
static int key_id(const char *name, size_t n, const uint8_t pub[KEY_LEN],
                  uint32_t *id)
{
    static const uint8_t sep[2] = {'\n', ALG_ED25519};
    uint8_t h[HASH_LEN];
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int rc = YIMA_ENOMEM;

    if (!md)
        return YIMA_ENOMEM;
    if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(md, name, n) != 1 ||
        EVP_DigestUpdate(md, sep, 2) != 1 ||
        EVP_DigestUpdate(md, pub, KEY_LEN) != 1 ||
        EVP_DigestFinal_ex(md, h, NULL) != 1)
        goto out;
    *id = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 |
          h[3];
    rc = 0;
out:
    EVP_MD_CTX_free(md);
    return rc;
}

static int pub_from_seed(const uint8_t seed[KEY_LEN], uint8_t pub[KEY_LEN])
{
    EVP_PKEY *pk;
    size_t len = KEY_LEN;
    int ok;

    pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, KEY_LEN);
    if (!pk)
        return YIMA_ENOMEM;
    ok = EVP_PKEY_get_raw_public_key(pk, pub, &len) == 1 && len == KEY_LEN;
    EVP_PKEY_free(pk);
    return ok ? 0 : YIMA_ENOMEM;
}

/* 8 hex digits (either case) to a key ID. */
static bool parse_hex32(const char *s, size_t n, uint32_t *out)
{
    uint32_t v = 0;

    if (n != 8)
        return false;
    for (size_t i = 0; i < 8; i++) {
        int d = yima_hex_digit(s[i]);

        if (d < 0)
            return false;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return true;
}

/*
 * Parse "[PRIVATE+KEY+]<name>+<keyid>+<base64(0x01 || key)>". The base64
 * may itself hold '+', so only the first two '+' split.
 */
static int parse_key(const char *s, bool secret, key *k, yima_error *err)
{
    const char *what = secret ? "signer key" : "verifier key";
    const char *p = s, *plus1, *plus2;
    uint8_t raw[KEY_LEN + 1];
    uint32_t id;
    long n;
    int rc;

    memset(k, 0, sizeof *k);
    if (secret) {
        if (strncmp(s, SKEY_PREFIX, strlen(SKEY_PREFIX)) != 0)
            return yima_error_set(err, YIMA_EINVAL, 1,
                                  "signer key: does not start with "
                                  "'" SKEY_PREFIX "'");
        p += strlen(SKEY_PREFIX);
    }
    plus1 = strchr(p, '+');
    plus2 = plus1 ? strchr(plus1 + 1, '+') : NULL;
    if (!plus2)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "%s: expected <name>+<key ID>+<key>", what);
    k->name = p;
    k->name_len = (size_t)(plus1 - p);
    if ((rc = name_check(what, k->name, k->name_len, err)) != 0)
        return rc;
    if (!parse_hex32(plus1 + 1, (size_t)(plus2 - plus1 - 1), &k->id))
        return yima_error_set(err, YIMA_EINVAL,
                              ledger_char_pos(s, (size_t)(plus1 + 1 - s)),
                              "%s: key ID '%.*s' is not 8 hex digits", what,
                              (int)(plus2 - plus1 - 1), plus1 + 1);
    n = ledger_b64_decode(plus2 + 1, strlen(plus2 + 1), raw, sizeof raw);
    if (n != KEY_LEN + 1)
        return yima_error_set(err, YIMA_EINVAL,
                              ledger_char_pos(s, (size_t)(plus2 + 1 - s)),
                              "%s: the key is not base64 of 33 bytes", what);
    if (raw[0] != ALG_ED25519)
        return yima_error_set(err, YIMA_EINVAL,
                              ledger_char_pos(s, (size_t)(plus2 + 1 - s)),
                              "%s: algorithm %u is not supported (only "
                              "Ed25519, 1)",
                              what, raw[0]);
    if (secret) {
        memcpy(k->seed, raw + 1, KEY_LEN);
        rc = pub_from_seed(k->seed, k->pub);
    } else {
        memcpy(k->pub, raw + 1, KEY_LEN);
    }
    OPENSSL_cleanse(raw, sizeof raw);
    if (rc != 0 || (rc = key_id(k->name, k->name_len, k->pub, &id)) != 0)
        return rc;
    if (id != k->id)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "%s: key ID %08" PRIx32 " does not match the "
                              "name and key (expected %08" PRIx32 ")",
                              what, k->id, id);
    return 0;
}

/* Append "[PRIVATE+KEY+]<name>+<keyid>+<base64(0x01 || raw)>". */
static int put_key(yima_buf *out, bool secret, const key *k,
                   const uint8_t raw[KEY_LEN])
{
    uint8_t b[KEY_LEN + 1];
    int rc;

    b[0] = ALG_ED25519;
    memcpy(b + 1, raw, KEY_LEN);
    if (secret)
        yima_buf_puts(out, SKEY_PREFIX);
    yima_buf_add(out, k->name, k->name_len);
    yima_buf_printf(out, "+%08" PRIx32 "+", k->id);
    rc = ledger_b64_encode(out, b, sizeof b);
    OPENSSL_cleanse(b, sizeof b);
    return rc;
}

int yima_ledger_keygen(const char *name, yima_buf *skey, yima_buf *vkey,
                       yima_error *err)
{
    key k;
    int rc;

    assert(name && skey && vkey);
    memset(&k, 0, sizeof k);
    k.name = name;
    k.name_len = strlen(name);
    if ((rc = name_check("key", name, k.name_len, err)) != 0)
        return rc;
    if (RAND_priv_bytes(k.seed, KEY_LEN) != 1) {
        rc = yima_error_set(err, YIMA_EIO, 0, "key: no randomness");
        goto out;
    }
    if ((rc = pub_from_seed(k.seed, k.pub)) != 0 ||
        (rc = key_id(k.name, k.name_len, k.pub, &k.id)) != 0 ||
        (rc = put_key(skey, true, &k, k.seed)) != 0)
        goto out;
    rc = put_key(vkey, false, &k, k.pub);
out:
    OPENSSL_cleanse(&k, sizeof k);
    return rc;
}

int yima_ledger_vkey_from_skey(const char *skey, yima_buf *vkey,
                               yima_error *err)
{
    key k;
    int rc;

    assert(skey && vkey);
    if ((rc = parse_key(skey, true, &k, err)) == 0)
        rc = put_key(vkey, false, &k, k.pub);
    OPENSSL_cleanse(&k, sizeof k);
    return rc;
}

static int ed25519_sign(const key *k, const char *text, size_t len,
                        uint8_t sig[SIG_LEN])
{
    EVP_PKEY *pk;
    EVP_MD_CTX *md = NULL;
    size_t sl = SIG_LEN;
    int rc = YIMA_ENOMEM;

    pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, k->seed, KEY_LEN);
    if (!pk || !(md = EVP_MD_CTX_new()))
        goto out;
    if (EVP_DigestSignInit(md, NULL, NULL, NULL, pk) != 1 ||
        EVP_DigestSign(md, sig, &sl, (const unsigned char *)text, len) != 1 ||
        sl != SIG_LEN)
        goto out;
    rc = 0;
out:
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pk);
    return rc;
}

/* 1 when sig is k's signature of text, 0 when not, or YIMA_ENOMEM. */
static int ed25519_verify(const key *k, const char *text, size_t len,
                          const uint8_t *sig, size_t sig_len)
{
    EVP_PKEY *pk;
    EVP_MD_CTX *md = NULL;
    int rc = YIMA_ENOMEM;

    if (sig_len != SIG_LEN)
        return 0;
    pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, k->pub, KEY_LEN);
    if (!pk || !(md = EVP_MD_CTX_new()))
        goto out;
    if (EVP_DigestVerifyInit(md, NULL, NULL, NULL, pk) != 1)
        goto out;
    rc = EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)text, len) ==
         1;
out:
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pk);
    return rc;
}

int yima_ledger_note_sign(const char *skey, const char *text, size_t len,
                          yima_buf *out, yima_error *err)
{
    uint8_t blob[4 + SIG_LEN];
    key k;
    int rc;

    assert(skey && (text || len == 0) && out);
    if ((rc = parse_key(skey, true, &k, err)) != 0)
        goto out;
    if (len == 0 || text[len - 1] != '\n') {
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "note: the text must end with a newline");
        goto out;
    }
    /* text, blank line, dash, name, space, base64 of 68 bytes, newline */
    if (len > YIMA_LEDGER_NOTE_MAX ||
        k.name_len + 99 > YIMA_LEDGER_NOTE_MAX - len) {
        rc = yima_error_set(err, YIMA_ETOOBIG, 0,
                            "note: text of %zu bytes is too long", len);
        goto out;
    }
    if ((rc = ledger_text_check("note", text, len, err)) != 0)
        goto out;
    blob[0] = (uint8_t)(k.id >> 24);
    blob[1] = (uint8_t)(k.id >> 16);
    blob[2] = (uint8_t)(k.id >> 8);
    blob[3] = (uint8_t)k.id;
    if ((rc = ed25519_sign(&k, text, len, blob + 4)) != 0)
        goto out;
    yima_buf_add(out, text, len);
    yima_buf_puts(out, "\n" EM_DASH_SP);
    yima_buf_add(out, k.name, k.name_len);
    yima_buf_putc(out, ' ');
    ledger_b64_encode(out, blob, sizeof blob);
    rc = yima_buf_putc(out, '\n');
out:
    OPENSSL_cleanse(&k, sizeof k);
    return rc;
}

long ledger_note_split(const char *note, size_t len)
{
    for (size_t i = len; i-- > 1;)
        if (note[i] == '\n' && note[i - 1] == '\n')
            return (long)(i - 1);
    return -1;
}

int yima_ledger_note_verify(const char *vkey, const char *note, size_t len,
                            size_t *text_len, yima_error *err)
{
    const char *sigs, *end;
    uint8_t *raw = NULL;
    bool found = false, other_id = false;
    uint32_t seen_id = 0;
    size_t text_n;
    key k;
    long split;
    int rc, line = 0;

    assert(vkey && (note || len == 0));
    if ((rc = parse_key(vkey, false, &k, err)) != 0)
        return rc;
    if (len > YIMA_LEDGER_NOTE_MAX)
        return yima_error_set(err, YIMA_ETOOBIG, 0,
                              "note: %zu bytes is too long", len);
    if ((rc = ledger_text_check("note", note, len, err)) != 0)
        return rc;
    split = ledger_note_split(note, len);
    if (split < 0)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "note: no signatures (expected the text, a "
                              "blank line, then signature lines)");
    text_n = (size_t)split + 1;
    sigs = note + text_n + 1;
    end = note + len;
    if (sigs == end || end[-1] != '\n')
        return yima_error_set(err, YIMA_EINVAL, len,
                              "note: the signature lines must end with a "
                              "newline");
    if (!(raw = malloc(len)))
        return YIMA_ENOMEM;

    for (const char *p = sigs; p < end; line++) {
        const char *eol = memchr(p, '\n', (size_t)(end - p)), *name, *sp;
        size_t off = (size_t)(p - note), name_n;
        uint32_t id;
        long n;

        if (line == NOTE_SIGS) {
            rc =
                yima_error_set(err, YIMA_EINVAL, ledger_char_pos(note, off),
                               "note: more than %d signature lines", NOTE_SIGS);
            goto out;
        }
        if ((size_t)(eol - p) < 4 || memcmp(p, EM_DASH_SP, 4) != 0) {
            rc = yima_error_set(err, YIMA_EINVAL, ledger_char_pos(note, off),
                                "note: signature line %d does not start "
                                "with an em dash (U+2014) and a space",
                                line + 1);
            goto out;
        }
        name = p + 4;
        sp = memchr(name, ' ', (size_t)(eol - name));
        if (!sp) {
            rc = yima_error_set(err, YIMA_EINVAL, ledger_char_pos(note, off),
                                "note: signature line %d has no space "
                                "between key name and signature",
                                line + 1);
            goto out;
        }
        name_n = (size_t)(sp - name);
        if ((rc = name_check("note", name, name_n, err)) != 0) {
            if (err)
                err->pos = ledger_char_pos(note, off);
            goto out;
        }
        n = ledger_b64_decode(sp + 1, (size_t)(eol - sp - 1), raw, len);
        if (n < 5) {
            rc = yima_error_set(err, YIMA_EINVAL,
                                ledger_char_pos(note, (size_t)(sp + 1 - note)),
                                "note: signature line %d: the signature is "
                                "not base64 of a key ID and a signature",
                                line + 1);
            goto out;
        }
        id = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
             (uint32_t)raw[2] << 8 | raw[3];
        if (name_n == k.name_len && memcmp(name, k.name, name_n) == 0) {
            if (id != k.id) {
                other_id = true;
                seen_id = id;
            } else if (!found) { /* later copies are ignored */
                rc = ed25519_verify(&k, note, text_n, raw + 4, (size_t)n - 4);
                if (rc < 0)
                    goto out;
                if (rc == 0) {
                    rc = yima_error_set(
                        err, YIMA_EINVAL, ledger_char_pos(note, off),
                        "note: signature line %d by %.*s+%08" PRIx32
                        " does not verify",
                        line + 1, (int)k.name_len, k.name, k.id);
                    goto out;
                }
                found = true;
            }
        }
        p = eol + 1;
    }
    if (!found) {
        if (other_id)
            rc = yima_error_set(err, YIMA_EINVAL, 0,
                                "note: signed by %.*s with key ID %08" PRIx32
                                ", not by the verifier key's %08" PRIx32,
                                (int)k.name_len, k.name, seen_id, k.id);
        else
            rc = yima_error_set(err, YIMA_EINVAL, 0,
                                "note: no signature by key %.*s+%08" PRIx32,
                                (int)k.name_len, k.name, k.id);
        goto out;
    }
    if (text_len)
        *text_len = text_n;
    rc = 0;
out:
    free(raw);
    return rc;
}
