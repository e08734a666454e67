/*
 * codes.c - identifiers as the EPCIS layer sees them: yima_code_parse() for
 * the canonical form only, with a small memory of recent answers.
 *
 * The same identifiers recur across the events of a document (read points,
 * business locations, product classes, parties), and every identifier is
 * looked at twice (validation for the index, then the hash's pre-hash
 * string). Parsing is a pure function of the text, so a direct-mapped table
 * of recent successes (per thread, no locks) answers most look-ups with one
 * hash and one memcmp. Failures are never remembered: their messages must
 * be exact every time.
 */
#include <stdint.h>
#include <string.h>

#include "epcis_int.h"

#define SLOTS     256 /* a power of two */
#define KEY_MAX   120 /* longer identifiers are parsed every time */
#define CANON_MAX 240 /* longer canonical forms are not remembered */

typedef struct slot {
    unsigned char klen; /* 0: empty */
    unsigned char clen;
    yima_scheme scheme;
    char key[KEY_MAX];
    char canon[CANON_MAX];
} slot;

static _Thread_local slot memo[SLOTS];

const yima_code_opts epcis_code_opts = {.canonical_only = true};

/* The slot of key s (n bytes). Eight bytes at a time: the keys are long
 * URIs that differ near the end, and a byte-at-a-time hash was a tenth of
 * the cost of a look-up that hits. The last steps mix every bit of h into
 * the low bits that pick the slot. */
static size_t hash(const char *s, size_t n)
{
    const uint64_t k = 0x9e3779b97f4a7c15u;
    uint64_t h = n, w;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        h = (h ^ w) * k;
        h ^= h >> 31;
    }
    if (i < n) {
        w = 0;
        memcpy(&w, s + i, n - i);
        h = (h ^ w) * k;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    return (size_t)(h & (SLOTS - 1));
}

int epcis_code(const char *s, size_t n, yima_code *code, yima_error *e)
{
    slot *m = NULL;
    size_t k;
    int rc;

    if (n > 0 && n <= KEY_MAX) {
        m = &memo[hash(s, n)];
        if (m->klen == n && memcmp(m->key, s, n) == 0) {
            code->scheme = m->scheme;
            memcpy(code->canonical, m->canon, m->clen);
            code->canonical[m->clen] = '\0';
            return 0;
        }
    }
    rc = yima_code_parse(s, n, &epcis_code_opts, code, e);
    if (rc == 0 && m && (k = strlen(code->canonical)) < CANON_MAX) {
        m->klen = (unsigned char)n;
        memcpy(m->key, s, n);
        m->clen = (unsigned char)k;
        memcpy(m->canon, code->canonical, k);
        m->scheme = code->scheme;
    }
    return rc;
}
