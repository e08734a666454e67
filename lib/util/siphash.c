/*
 * siphash.c - SipHash-2-4 (see yima/siphash.h), written from the paper's
 * description: four 64-bit lanes, two compression rounds per 8-byte word,
 * the length in the last word's top byte, four finalisation rounds.
 */
#include "yima/siphash.h"

static uint64_t rotl(uint64_t x, int b)
{
    return x << b | x >> (64 - b);
}

/* Little-endian 64-bit word at p. */
static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

typedef struct sip {
    uint64_t v0, v1, v2, v3;
} sip;

static void round1(sip *s)
{
    s->v0 += s->v1;
    s->v1 = rotl(s->v1, 13) ^ s->v0;
    s->v0 = rotl(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = rotl(s->v3, 16) ^ s->v2;
    s->v0 += s->v3;
    s->v3 = rotl(s->v3, 21) ^ s->v0;
    s->v2 += s->v1;
    s->v1 = rotl(s->v1, 17) ^ s->v2;
    s->v2 = rotl(s->v2, 32);
}

static void absorb(sip *s, uint64_t m)
{
    s->v3 ^= m;
    round1(s);
    round1(s);
    s->v0 ^= m;
}

uint64_t yima_siphash(const uint8_t key[YIMA_SIPHASH_KEY_LEN], const void *p,
                      size_t n)
{
    const uint8_t *in = p;
    uint64_t k0 = le64(key), k1 = le64(key + 8), last;
    sip s = {k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
             k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL};
    size_t i = 0;

    for (; i + 8 <= n; i += 8)
        absorb(&s, le64(in + i));
    last = (uint64_t)(n & 0xff) << 56;
    for (size_t k = 0; i + k < n; k++)
        last |= (uint64_t)in[i + k] << (8 * k);
    absorb(&s, last);
    s.v2 ^= 0xff;
    for (int r = 0; r < 4; r++)
        round1(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
