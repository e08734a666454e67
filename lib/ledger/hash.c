/*
 * hash.c - RFC 9162 leaf and node hashes: SHA-256 through OpenSSL's EVP
 * interface, with a context the caller may keep between calls.
 */
#include <assert.h>
#include <string.h>

#include "ledger_int.h"

/* SHA-256(prefix || a || b) into out. */
static int sha256_3(EVP_MD_CTX *md, uint8_t prefix, const void *a, size_t an,
                    const void *b, size_t bn, uint8_t out[HASH_LEN])
{
    EVP_MD_CTX *own = NULL;
    unsigned int len = 0;
    int rc = YIMA_ENOMEM;

    if (!md && !(md = own = EVP_MD_CTX_new()))
        return YIMA_ENOMEM;
    if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(md, &prefix, 1) != 1 ||
        (an && EVP_DigestUpdate(md, a, an) != 1) ||
        (bn && EVP_DigestUpdate(md, b, bn) != 1) ||
        EVP_DigestFinal_ex(md, out, &len) != 1 || len != HASH_LEN)
        goto out;
    rc = 0;
out:
    EVP_MD_CTX_free(own);
    return rc;
}

int ledger_leaf_hash(EVP_MD_CTX *md, const void *data, size_t len,
                     uint8_t out[HASH_LEN])
{
    assert(data || len == 0);
    return sha256_3(md, 0x00, data, len, NULL, 0, out);
}

int ledger_node_hash(EVP_MD_CTX *md, const uint8_t left[HASH_LEN],
                     const uint8_t right[HASH_LEN], uint8_t out[HASH_LEN])
{
    uint8_t l[HASH_LEN], r[HASH_LEN];

    /* Copy first so out may alias an input. */
    memcpy(l, left, HASH_LEN);
    memcpy(r, right, HASH_LEN);
    return sha256_3(md, 0x01, l, HASH_LEN, r, HASH_LEN, out);
}

int yima_ledger_leaf_hash(const void *data, size_t len,
                          uint8_t out[YIMA_LEDGER_HASH_LEN])
{
    return ledger_leaf_hash(NULL, data, len, out);
}

int yima_ledger_node_hash(const uint8_t left[YIMA_LEDGER_HASH_LEN],
                          const uint8_t right[YIMA_LEDGER_HASH_LEN],
                          uint8_t out[YIMA_LEDGER_HASH_LEN])
{
    return ledger_node_hash(NULL, left, right, out);
}
