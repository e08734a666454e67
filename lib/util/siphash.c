/*
 * siphash.c - SipHash-2-4 (see yima/siphash.h), written from the paper's
 * description: four 64-bit lanes, two compression rounds per 8-byte word,
 * the length in the last word's top byte, four finalisation rounds.
 *
 * The lanes are locals and a round is a macro, so they stay in registers:
 * the store hashes every code of every event, and a round called through
 * a pointer to the lanes cost twice as much.
 */
#include <endian.h>
#include <string.h>

#include "yima/siphash.h"

#define ROTL(x, b) ((x) << (b) | (x) >> (64 - (b)))

#define ROUND()                                                                \
    do {                                                                       \
        v0 += v1;                                                              \
        v1 = ROTL(v1, 13) ^ v0;                                                \
        v0 = ROTL(v0, 32);                                                     \
        v2 += v3;                                                              \
        v3 = ROTL(v3, 16) ^ v2;                                                \
        v0 += v3;                                                              \
        v3 = ROTL(v3, 21) ^ v0;                                                \
        v2 += v1;                                                              \
        v1 = ROTL(v1, 17) ^ v2;                                                \
        v2 = ROTL(v2, 32);                                                     \
    } while (0)

/* Little-endian 64-bit word at p. */
static uint64_t le64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, 8);
    return le64toh(v);
}

uint64_t yima_siphash(const uint8_t key[YIMA_SIPHASH_KEY_LEN], const void *p,
                      size_t n)
{
    const uint8_t *in = p;
    uint64_t k0 = le64(key), k1 = le64(key + 8), m;
    uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL,
             v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        m = le64(in + i);
        v3 ^= m;
        ROUND();
        ROUND();
        v0 ^= m;
    }
    m = (uint64_t)(n & 0xff) << 56;
    for (size_t k = 0; i + k < n; k++)
        m |= (uint64_t)in[i + k] << (8 * k);
    v3 ^= m;
    ROUND();
    ROUND();
    v0 ^= m;
    v2 ^= 0xff;
    ROUND();
    ROUND();
    ROUND();
    ROUND();
    return v0 ^ v1 ^ v2 ^ v3;
}
