/*
 * test_ledger.c - unit tests for lib/ledger: RFC 9162 roots and proofs
 * against tests/data/merkle/rfc9162-vectors.json, C2SP signed notes and
 * checkpoints against tests/data/signed-note/vectors.json, tlog-tiles output
 * re-read by an independent verifier, append cost, and malformed input.
 *
 * Run from the repository root (the vectors are read at run time). The JSON
 * is read by a small test-only parser below.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "yima/ledger.h"
#include "yima/utf8.h"

#define HL YIMA_LEDGER_HASH_LEN

/* ---- A minimal JSON reader (test only) ---------------------------------- */

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jv {
    jtype t;
    char *s; /* J_STR: decoded, NUL-terminated */
    size_t slen;
    uint64_t num; /* J_NUM: non-negative integers; J_BOOL: 0 or 1 */
    struct jv *kid;
    char **key; /* J_OBJ: member names */
    size_t n;
} jv;

static const char *jws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    return p;
}

static void put_utf8(char *out, size_t *n, uint32_t c)
{
    if (c < 0x80) {
        out[(*n)++] = (char)c;
    } else if (c < 0x800) {
        out[(*n)++] = (char)(0xc0 | c >> 6);
        out[(*n)++] = (char)(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        out[(*n)++] = (char)(0xe0 | c >> 12);
        out[(*n)++] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[(*n)++] = (char)(0x80 | (c & 0x3f));
    } else {
        out[(*n)++] = (char)(0xf0 | c >> 18);
        out[(*n)++] = (char)(0x80 | ((c >> 12) & 0x3f));
        out[(*n)++] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[(*n)++] = (char)(0x80 | (c & 0x3f));
    }
}

static const char *jhex4(const char *p, uint32_t *c)
{
    *c = 0;
    for (int i = 0; i < 4; i++) {
        int d = yima_hex_digit(p[i]);

        if (d < 0)
            return NULL;
        *c = *c << 4 | (uint32_t)d;
    }
    return p + 4;
}

/* p at the opening quote; returns past the closing one. */
static const char *jstr(const char *p, char **out, size_t *len)
{
    const char *q = p + 1;
    size_t n = 0;
    char *s;

    while (*q && *q != '"')
        q += *q == '\\' && q[1] ? 2 : 1;
    if (*q != '"')
        return NULL;
    s = malloc((size_t)(q - p) * 2 + 1);
    assert_non_null(s);
    for (q = p + 1; *q != '"'; q++) {
        uint32_t c, lo;
        if (*q != '\\') {
            s[n++] = *q;
            continue;
        }
        switch (*++q) {
        case 'n': s[n++] = '\n'; break;
        case 't': s[n++] = '\t'; break;
        case 'r': s[n++] = '\r'; break;
        case 'b': s[n++] = '\b'; break;
        case 'f': s[n++] = '\f'; break;
        case 'u':
            if (!(q = jhex4(q + 1, &c)))
                goto bad;
            if (c >= 0xd800 && c < 0xdc00 && q[0] == '\\' && q[1] == 'u' &&
                jhex4(q + 2, &lo) && lo >= 0xdc00 && lo < 0xe000) {
                c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
                q += 6;
            }
            put_utf8(s, &n, c);
            q--;
            break;
        default: s[n++] = *q;
        }
    }
    s[n] = '\0';
    *out = s;
    *len = n;
    return q + 1;
bad:
    free(s);
    return NULL;
}

static const char *jparse(const char *p, jv *v)
{
    memset(v, 0, sizeof *v);
    p = jws(p);
    if (*p == '"') {
        v->t = J_STR;
        return jstr(p, &v->s, &v->slen);
    }
    if (*p >= '0' && *p <= '9') {
        v->t = J_NUM;
        while (*p >= '0' && *p <= '9')
            v->num = v->num * 10 + (uint64_t)(*p++ - '0');
        return p;
    }
    if (strncmp(p, "true", 4) == 0 || strncmp(p, "null", 4) == 0) {
        v->t = *p == 't' ? J_BOOL : J_NULL;
        v->num = *p == 't';
        return p + 4;
    }
    if (strncmp(p, "false", 5) == 0) {
        v->t = J_BOOL;
        return p + 5;
    }
    if (*p == '[' || *p == '{') {
        bool obj = *p == '{';
        char close = obj ? '}' : ']';

        v->t = obj ? J_OBJ : J_ARR;
        p = jws(p + 1);
        if (*p == close)
            return p + 1;
        for (;;) {
            char *k = NULL;
            size_t kl;

            if (obj) {
                p = jws(p);
                if (*p != '"' || !(p = jstr(p, &k, &kl)))
                    return NULL;
                p = jws(p);
                if (*p++ != ':') {
                    free(k);
                    return NULL;
                }
            }
            v->kid = realloc(v->kid, (v->n + 1) * sizeof *v->kid);
            v->key = realloc(v->key, (v->n + 1) * sizeof *v->key);
            assert_non_null(v->kid);
            assert_non_null(v->key);
            v->key[v->n] = k;
            if (!(p = jparse(p, &v->kid[v->n++])))
                return NULL;
            p = jws(p);
            if (*p == ',') {
                p++;
                continue;
            }
            if (*p == close)
                return p + 1;
            return NULL;
        }
    }
    return NULL;
}

static void jfree(jv *v)
{
    for (size_t i = 0; i < v->n; i++) {
        jfree(&v->kid[i]);
        free(v->key[i]);
    }
    free(v->kid);
    free(v->key);
    free(v->s);
}

static const jv *jget(const jv *v, const char *key)
{
    assert_int_equal(v->t, J_OBJ);
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->key[i], key) == 0)
            return &v->kid[i];
    fail_msg("JSON member '%s' missing", key);
    return NULL;
}

static const char *jgets(const jv *v, const char *key)
{
    const jv *s = jget(v, key);
    assert_int_equal(s->t, J_STR);
    return s->s;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0, r;

    if (!f)
        return NULL;
    do {
        if (cap - n < 4096) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap + 1);
            assert_non_null(buf);
        }
        r = fread(buf + n, 1, cap - n, f);
        n += r;
    } while (r > 0);
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static void load_json(const char *path, jv *v)
{
    char *text = slurp(path, NULL);
    const char *end;

    if (!text)
        fail_msg("cannot read %s (run the tests from the repository root)",
                 path);
    end = jparse(text, v);
    if (!end || *jws(end) != '\0')
        fail_msg("%s: not JSON this reader understands", path);
    free(text);
}

/* ---- Helpers ------------------------------------------------------------ */

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = strlen(s) / 2;
    assert_true(n <= cap);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

static void hash_from_hex(const char *s, uint8_t h[HL])
{
    assert_int_equal(strlen(s), 2 * HL);
    unhex(s, h, HL);
}

/* An in-memory ledger and its store. */
typedef struct mem {
    yima_ledger_memstore *ms;
    yima_ledger *lg;
} mem;

static void mem_open(mem *m)
{
    yima_ledger_store st;

    assert_int_equal(yima_ledger_memstore_open(&m->ms), 0);
    yima_ledger_memstore_bind(m->ms, &st);
    assert_int_equal(yima_ledger_open(&st, &m->lg), 0);
}

static void mem_close(mem *m)
{
    yima_ledger_close(m->lg);
    yima_ledger_memstore_close(m->ms);
}

/* The vector tree: the 40 leaves of rfc9162-vectors.json. */
typedef struct vectors {
    jv doc;
    uint8_t leaf[64][64];
    size_t leaf_len[64];
    size_t nleaf;
    uint8_t root[64][HL];
    size_t nroot;
} vectors;

static vectors *load_merkle(void)
{
    vectors *v = calloc(1, sizeof *v);
    const jv *leaves, *roots;

    assert_non_null(v);
    load_json("tests/data/merkle/rfc9162-vectors.json", &v->doc);
    leaves = jget(&v->doc, "leaves_hex");
    assert_int_equal(leaves->t, J_ARR);
    assert_int_equal(leaves->n, 40);
    for (size_t i = 0; i < leaves->n; i++)
        v->leaf_len[i] = unhex(leaves->kid[i].s, v->leaf[i], 64);
    v->nleaf = leaves->n;
    roots = jget(&v->doc, "roots");
    assert_int_equal(roots->n, 41);
    for (size_t i = 0; i < roots->n; i++) {
        char key[32];
        snprintf(key, sizeof key, "%zu", i);
        hash_from_hex(jgets(roots, key), v->root[i]);
    }
    v->nroot = roots->n;
    return v;
}

static void free_merkle(vectors *v)
{
    jfree(&v->doc);
    free(v);
}

static void mem_fill(mem *m, const vectors *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t idx;
        assert_int_equal(
            yima_ledger_append(m->lg, v->leaf[i], v->leaf_len[i], &idx), 0);
        assert_int_equal(idx, i);
    }
}

static void proof_from_json(const jv *arr, yima_ledger_proof *p)
{
    assert_int_equal(arr->t, J_ARR);
    assert_true(arr->n <= YIMA_LEDGER_PROOF_MAX);
    p->n = arr->n;
    for (size_t i = 0; i < arr->n; i++)
        hash_from_hex(arr->kid[i].s, p->hash[i]);
}

static void assert_proof_equal(const yima_ledger_proof *a,
                               const yima_ledger_proof *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        assert_memory_equal(a->hash[i], b->hash[i], HL);
}

/* ---- Hashes and roots --------------------------------------------------- */

static void test_hashes(void **state)
{
    uint8_t h[HL], want[HL], l[HL], r[HL];
    (void)state;

    /* RFC 9162: the empty leaf and the empty tree. */
    assert_int_equal(yima_ledger_leaf_hash(NULL, 0, h), 0);
    hash_from_hex(
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        want);
    assert_memory_equal(h, want, HL);
    /* node hash of the first two leaves is the root of size 2 */
    assert_int_equal(yima_ledger_leaf_hash(NULL, 0, l), 0);
    assert_int_equal(yima_ledger_leaf_hash("\x00", 1, r), 0);
    assert_int_equal(yima_ledger_node_hash(l, r, l), 0); /* aliasing */
    hash_from_hex(
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        want);
    assert_memory_equal(l, want, HL);
}

static void test_stored_index(void **state)
{
    /* The table in yima/ledger.h. */
    static const struct {
        unsigned level;
        uint64_t k, index;
    } t[] = {{0, 0, 0}, {0, 1, 1}, {1, 0, 2}, {0, 2, 3}, {0, 3, 4}, {1, 1, 5},
             {2, 0, 6}, {0, 4, 7}, {0, 5, 8}, {1, 2, 9}, {0, 6, 10}};
    (void)state;

    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        assert_int_equal(yima_ledger_stored_index(t[i].level, t[i].k),
                         t[i].index);
    assert_int_equal(yima_ledger_stored_count(0), 0);
    assert_int_equal(yima_ledger_stored_count(1), 1);
    assert_int_equal(yima_ledger_stored_count(4), 7);
    assert_int_equal(yima_ledger_stored_count(13), 23);
    /* Every (level, k) of a big tree has a distinct index below the count. */
    for (uint64_t size = 1; size <= 600; size++) {
        uint64_t count = yima_ledger_stored_count(size);
        for (unsigned level = 0; (size >> level) > 0; level++) {
            uint64_t k = (size >> level) - 1;
            assert_true(yima_ledger_stored_index(level, k) < count);
        }
        assert_int_equal(yima_ledger_stored_index(0, size - 1),
                         yima_ledger_stored_count(size - 1));
    }
}

static void test_roots(void **state)
{
    vectors *v = load_merkle();
    uint8_t h[HL];
    uint64_t size;
    yima_error err;
    mem m;
    (void)state;

    mem_open(&m);
    assert_int_equal(yima_ledger_root(m.lg, 0, h, NULL), 0);
    assert_memory_equal(h, v->root[0], HL);
    for (size_t i = 0; i < v->nleaf; i++) {
        assert_int_equal(
            yima_ledger_append(m.lg, v->leaf[i], v->leaf_len[i], NULL), 0);
        assert_int_equal(yima_ledger_size(m.lg, &size), 0);
        assert_int_equal(size, i + 1);
        assert_int_equal(yima_ledger_root(m.lg, size, h, NULL), 0);
        assert_memory_equal(h, v->root[i + 1], HL);
    }
    /* Every earlier root, from the full tree. */
    for (size_t s = 0; s < v->nroot; s++) {
        assert_int_equal(yima_ledger_root(m.lg, s, h, NULL), 0);
        assert_memory_equal(h, v->root[s], HL);
    }
    assert_int_equal(yima_ledger_root(m.lg, 41, h, &err), YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "beyond"));
    mem_close(&m);
    free_merkle(v);
}

/* Appending in batches stores exactly what single appends store. */
static void test_batch_append(void **state)
{
    vectors *v = load_merkle();
    uint8_t leaf[40][HL], h[HL];
    uint64_t first, writes;
    mem m;
    size_t done = 0, step = 1;
    (void)state;

    for (size_t i = 0; i < 40; i++)
        assert_int_equal(
            yima_ledger_leaf_hash(v->leaf[i], v->leaf_len[i], leaf[i]), 0);
    mem_open(&m);
    assert_int_equal(yima_ledger_append_leaf_hashes(m.lg, leaf, 0, &first), 0);
    assert_int_equal(first, 0);
    while (done < 40) {
        size_t n = step < 40 - done ? step : 40 - done;
        assert_int_equal(
            yima_ledger_append_leaf_hashes(m.lg, leaf + done, n, &first), 0);
        assert_int_equal(first, done);
        done += n;
        step = step * 2 + 1; /* 1, 3, 7, 15, ... odd sizes on odd edges */
        assert_int_equal(yima_ledger_root(m.lg, done, h, NULL), 0);
        assert_memory_equal(h, v->root[done], HL);
    }
    yima_ledger_memstore_stats(m.ms, NULL, &writes);
    assert_int_equal(writes, yima_ledger_stored_count(40));
    for (size_t s = 0; s <= 40; s++) {
        assert_int_equal(yima_ledger_root(m.lg, s, h, NULL), 0);
        assert_memory_equal(h, v->root[s], HL);
    }
    mem_close(&m);
    free_merkle(v);
}

/* Each append writes 1 + trailing ones(n) hashes and reads as many - 1. */
static void test_append_cost(void **state)
{
    uint64_t r0, w0, r1, w1, n;
    unsigned max_w = 0;
    mem m;
    (void)state;

    mem_open(&m);
    for (n = 0; n < 20000; n++) {
        uint64_t e = n * 2654435761u;
        unsigned log2n = n ? 64 - (unsigned)__builtin_clzll(n) : 0;

        yima_ledger_memstore_stats(m.ms, &r0, &w0);
        assert_int_equal(yima_ledger_append(m.lg, &e, sizeof e, NULL), 0);
        yima_ledger_memstore_stats(m.ms, &r1, &w1);
        assert_int_equal(w1 - w0, 1 + (unsigned)__builtin_ctzll(~n));
        assert_int_equal(r1 - r0, (unsigned)__builtin_ctzll(~n));
        assert_true(w1 - w0 <= 1 + log2n);
        if (w1 - w0 > max_w)
            max_w = (unsigned)(w1 - w0);
    }
    assert_int_equal(w1, yima_ledger_stored_count(n));
    assert_int_equal(max_w, 15); /* leaf 16383 completes 14 subtrees */
    mem_close(&m);
}

/* ---- Proofs ------------------------------------------------------------- */

/*
 * verify must accept p and reject every single change to it. A wrong size is
 * paired with the root of that size (roots[0..nroot)): the tree size only
 * shapes the path, and a proof is bound to a size through its root.
 */
static void check_inclusion(const uint8_t leaf[HL], uint64_t index,
                            uint64_t size, const yima_ledger_proof *p,
                            const uint8_t (*roots)[HL], size_t nroot)
{
    const uint8_t *root = roots[size];
    yima_ledger_proof bad;
    uint8_t x[HL];
    yima_error err;

    assert_int_equal(
        yima_ledger_verify_inclusion(leaf, index, size, p, root, &err), 0);
    for (size_t i = 0; i < p->n; i++)
        for (size_t b = 0; b < HL; b++) {
            bad = *p;
            bad.hash[i][b] ^= 0x01;
            assert_int_equal(yima_ledger_verify_inclusion(leaf, index, size,
                                                          &bad, root, NULL),
                             YIMA_EINVAL);
        }
    for (size_t b = 0; b < HL; b++) {
        memcpy(x, leaf, HL);
        x[b] ^= 0x80;
        assert_int_equal(
            yima_ledger_verify_inclusion(x, index, size, p, root, NULL),
            YIMA_EINVAL);
        memcpy(x, root, HL);
        x[b] ^= 0x80;
        assert_int_equal(
            yima_ledger_verify_inclusion(leaf, index, size, p, x, NULL),
            YIMA_EINVAL);
    }
    /* wrong index or size */
    if (index > 0)
        assert_int_equal(
            yima_ledger_verify_inclusion(leaf, index - 1, size, p, root, NULL),
            YIMA_EINVAL);
    assert_int_equal(
        yima_ledger_verify_inclusion(leaf, index + 1, size, p, root, NULL),
        YIMA_EINVAL);
    for (uint64_t s = index + 1; s < nroot; s++)
        if (s != size)
            assert_int_equal(
                yima_ledger_verify_inclusion(leaf, index, s, p, roots[s], NULL),
                YIMA_EINVAL);
    /* shorter, longer */
    if (p->n > 0) {
        bad = *p;
        bad.n--;
        assert_int_equal(
            yima_ledger_verify_inclusion(leaf, index, size, &bad, root, NULL),
            YIMA_EINVAL);
    }
    bad = *p;
    memcpy(bad.hash[bad.n++], root, HL);
    assert_int_equal(
        yima_ledger_verify_inclusion(leaf, index, size, &bad, root, &err),
        YIMA_EINVAL);
}

static void test_inclusion_vectors(void **state)
{
    vectors *v = load_merkle();
    const jv *inc = jget(&v->doc, "inclusion");
    yima_ledger_proof want, got;
    uint8_t leaf[HL];
    yima_error err;
    mem m;
    (void)state;

    mem_open(&m);
    mem_fill(&m, v, v->nleaf);
    assert_true(inc->n >= 30);
    for (size_t i = 0; i < inc->n; i++) {
        const jv *c = &inc->kid[i];
        uint64_t index = jget(c, "index")->num, size = jget(c, "size")->num;

        proof_from_json(jget(c, "path"), &want);
        assert_int_equal(
            yima_ledger_prove_inclusion(m.lg, index, size, &got, NULL), 0);
        assert_proof_equal(&got, &want);
        assert_int_equal(
            yima_ledger_leaf_hash(v->leaf[index], v->leaf_len[index], leaf), 0);
        check_inclusion(leaf, index, size, &want, v->root, v->nroot);
    }
    /* bad requests */
    assert_int_equal(yima_ledger_prove_inclusion(m.lg, 5, 5, &got, &err),
                     YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "not below"));
    assert_int_equal(yima_ledger_prove_inclusion(m.lg, 0, 41, &got, &err),
                     YIMA_EINVAL);
    assert_int_equal(
        yima_ledger_verify_inclusion(leaf, 3, 3, &want, v->root[3], &err),
        YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "not below"));
    mem_close(&m);
    free_merkle(v);
}

/* As check_inclusion(), for a consistency proof between m and n. */
static void check_consistency(uint64_t m, uint64_t n,
                              const yima_ledger_proof *p,
                              const uint8_t (*roots)[HL], size_t nroot)
{
    const uint8_t *r1 = roots[m], *r2 = roots[n];
    yima_ledger_proof bad;
    uint8_t x[HL];

    assert_int_equal(yima_ledger_verify_consistency(m, n, r1, r2, p, NULL), 0);
    for (size_t i = 0; i < p->n; i++)
        for (size_t b = 0; b < HL; b++) {
            bad = *p;
            bad.hash[i][b] ^= 0x01;
            assert_int_equal(
                yima_ledger_verify_consistency(m, n, r1, r2, &bad, NULL),
                YIMA_EINVAL);
        }
    for (size_t b = 0; b < HL; b++) {
        memcpy(x, r1, HL);
        x[b] ^= 0x40;
        assert_int_equal(yima_ledger_verify_consistency(m, n, x, r2, p, NULL),
                         YIMA_EINVAL);
        memcpy(x, r2, HL);
        x[b] ^= 0x40;
        assert_int_equal(yima_ledger_verify_consistency(m, n, r1, x, p, NULL),
                         YIMA_EINVAL);
    }
    /* any other pair of sizes, with their roots */
    for (uint64_t a = 1; a < nroot; a++)
        for (uint64_t b = a; b < nroot; b++)
            if ((a != m || b != n) && (a != b || p->n > 0))
                assert_int_equal(yima_ledger_verify_consistency(
                                     a, b, roots[a], roots[b], p, NULL),
                                 YIMA_EINVAL);
    if (p->n > 0) {
        bad = *p;
        bad.n--;
        assert_int_equal(
            yima_ledger_verify_consistency(m, n, r1, r2, &bad, NULL),
            YIMA_EINVAL);
    }
    bad = *p;
    memcpy(bad.hash[bad.n++], r2, HL);
    assert_int_equal(yima_ledger_verify_consistency(m, n, r1, r2, &bad, NULL),
                     YIMA_EINVAL);
}

static void test_consistency_vectors(void **state)
{
    vectors *v = load_merkle();
    const jv *con = jget(&v->doc, "consistency");
    yima_ledger_proof want, got;
    yima_error err;
    mem m;
    (void)state;

    mem_open(&m);
    mem_fill(&m, v, v->nleaf);
    assert_true(con->n >= 11);
    for (size_t i = 0; i < con->n; i++) {
        const jv *c = &con->kid[i];
        uint64_t a = jget(c, "first")->num, b = jget(c, "second")->num;

        proof_from_json(jget(c, "proof"), &want);
        assert_int_equal(yima_ledger_prove_consistency(m.lg, a, b, &got, NULL),
                         0);
        assert_proof_equal(&got, &want);
        check_consistency(a, b, &want, v->root, v->nroot);
    }
    assert_int_equal(yima_ledger_prove_consistency(m.lg, 0, 5, &got, &err),
                     YIMA_EINVAL);
    assert_int_equal(yima_ledger_prove_consistency(m.lg, 6, 5, &got, &err),
                     YIMA_EINVAL);
    assert_int_equal(yima_ledger_prove_consistency(m.lg, 5, 41, &got, &err),
                     YIMA_EINVAL);
    assert_int_equal(yima_ledger_verify_consistency(0, 5, v->root[0],
                                                    v->root[5], &want, &err),
                     YIMA_EINVAL);
    /* equal sizes: empty proof and equal roots only */
    got.n = 0;
    assert_int_equal(yima_ledger_verify_consistency(7, 7, v->root[7],
                                                    v->root[7], &got, NULL),
                     0);
    assert_int_equal(yima_ledger_verify_consistency(7, 7, v->root[7],
                                                    v->root[8], &got, &err),
                     YIMA_EINVAL);
    /* a non-empty proof is needed for different sizes */
    assert_int_equal(yima_ledger_verify_consistency(4, 8, v->root[4],
                                                    v->root[8], &got, &err),
                     YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "empty"));
    mem_close(&m);
    free_merkle(v);
}

/* Every proof of every pair in a tree of 70 leaves verifies. */
static void test_all_proofs(void **state)
{
    uint8_t root[71][HL], leaf[70][HL];
    yima_ledger_proof p;
    mem m;
    (void)state;

    mem_open(&m);
    assert_int_equal(yima_ledger_root(m.lg, 0, root[0], NULL), 0);
    for (uint64_t i = 0; i < 70; i++) {
        assert_int_equal(yima_ledger_append(m.lg, &i, sizeof i, NULL), 0);
        assert_int_equal(yima_ledger_leaf_hash(&i, sizeof i, leaf[i]), 0);
        assert_int_equal(yima_ledger_root(m.lg, i + 1, root[i + 1], NULL), 0);
    }
    for (uint64_t n = 1; n <= 70; n++)
        for (uint64_t i = 0; i < n; i++) {
            assert_int_equal(yima_ledger_prove_inclusion(m.lg, i, n, &p, NULL),
                             0);
            assert_int_equal(
                yima_ledger_verify_inclusion(leaf[i], i, n, &p, root[n], NULL),
                0);
            assert_int_equal(
                yima_ledger_prove_consistency(m.lg, i + 1, n, &p, NULL), 0);
            assert_int_equal(yima_ledger_verify_consistency(
                                 i + 1, n, root[i + 1], root[n], &p, NULL),
                             0);
        }
    mem_close(&m);
}

/* ---- A store that fails on demand --------------------------------------- */

typedef struct flaky {
    yima_ledger_store inner;
    int fail_read, fail_append;
} flaky;

static int fl_size(void *ctx, uint64_t *size)
{
    flaky *f = ctx;
    return f->inner.size(f->inner.ctx, size);
}

static int fl_read(void *ctx, const uint64_t *index, size_t n,
                   uint8_t (*out)[YIMA_LEDGER_HASH_LEN])
{
    flaky *f = ctx;
    if (f->fail_read)
        return YIMA_EIO;
    return f->inner.read(f->inner.ctx, index, n, out);
}

static int fl_append(void *ctx, uint64_t old_size, uint64_t new_size,
                     uint64_t first,
                     const uint8_t (*hash)[YIMA_LEDGER_HASH_LEN], size_t n)
{
    flaky *f = ctx;
    if (f->fail_append)
        return YIMA_EIO;
    return f->inner.append(f->inner.ctx, old_size, new_size, first, hash, n);
}

static void test_store_errors(void **state)
{
    yima_ledger_memstore *ms;
    yima_ledger_store st;
    yima_ledger_proof p;
    yima_ledger *lg;
    flaky f;
    uint8_t h[HL], h7[HL];
    uint64_t size;
    (void)state;

    assert_int_equal(yima_ledger_memstore_open(&ms), 0);
    memset(&f, 0, sizeof f);
    yima_ledger_memstore_bind(ms, &f.inner);
    st.ctx = &f;
    st.size = fl_size;
    st.read = fl_read;
    st.append = fl_append;
    assert_int_equal(yima_ledger_open(&st, &lg), 0);
    for (int i = 0; i < 7; i++)
        assert_int_equal(yima_ledger_append(lg, &i, sizeof i, NULL), 0);
    assert_int_equal(yima_ledger_root(lg, 7, h7, NULL), 0);

    f.fail_append = 1;
    assert_int_equal(yima_ledger_append(lg, "x", 1, NULL), YIMA_EIO);
    assert_int_equal(yima_ledger_size(lg, &size), 0);
    assert_int_equal(size, 7);
    f.fail_append = 0;
    f.fail_read = 1;
    assert_int_equal(yima_ledger_append(lg, "x", 1, NULL), YIMA_EIO);
    assert_int_equal(yima_ledger_root(lg, 7, h, NULL), YIMA_EIO);
    assert_int_equal(yima_ledger_prove_inclusion(lg, 1, 7, &p, NULL), YIMA_EIO);
    f.fail_read = 0;

    /* A rollback in the store is followed without reopening. */
    assert_int_equal(yima_ledger_append(lg, "x", 1, NULL), 0);
    assert_int_equal(yima_ledger_append(lg, "y", 1, NULL), 0);
    assert_int_equal(yima_ledger_memstore_truncate(ms, 7), 0);
    assert_int_equal(yima_ledger_memstore_truncate(ms, 8), YIMA_EINVAL);
    assert_int_equal(yima_ledger_size(lg, &size), 0);
    assert_int_equal(size, 7);
    assert_int_equal(yima_ledger_root(lg, 7, h, NULL), 0);
    assert_memory_equal(h, h7, HL);
    assert_int_equal(yima_ledger_append(lg, "z", 1, &size), 0);
    assert_int_equal(size, 7);

    /* The memory store refuses an append that does not follow its size. */
    {
        uint8_t one[1][HL] = {{0}};
        assert_int_equal(
            f.inner.append(f.inner.ctx, 3, 4, 4, (const uint8_t(*)[HL])one, 1),
            YIMA_EUSAGE);
        uint64_t bad_index = 1000;
        assert_int_equal(f.inner.read(f.inner.ctx, &bad_index, 1, one),
                         YIMA_ENOTFOUND);
    }
    yima_ledger_close(lg);
    yima_ledger_memstore_close(ms);
}

/* ---- Signed notes and keys ---------------------------------------------- */

static void test_note_vectors(void **state)
{
    jv doc;
    const jv *sn, *cp;
    const char *skey, *vkey, *text, *note;
    yima_buf out, vk;
    size_t text_len;
    yima_error err;
    (void)state;

    load_json("tests/data/signed-note/vectors.json", &doc);
    sn = jget(&doc, "signed_note");
    skey = jgets(sn, "private_key");
    vkey = jgets(sn, "verifier_key");
    text = jgets(sn, "text");
    note = jgets(sn, "note");

    /* verify the given note with the given key */
    assert_int_equal(
        yima_ledger_note_verify(vkey, note, strlen(note), &text_len, &err), 0);
    assert_int_equal(text_len, strlen(text));
    assert_memory_equal(note, text, text_len);

    /* signing the same text with the private key gives the same bytes */
    yima_buf_init(&out, 1 << 16);
    assert_int_equal(
        yima_ledger_note_sign(skey, text, strlen(text), &out, &err), 0);
    assert_string_equal(out.data, note);
    assert_non_null(strstr(out.data, jgets(sn, "signature_base64")));

    /* the verifier key follows from the signer key */
    yima_buf_init(&vk, 1024);
    assert_int_equal(yima_ledger_vkey_from_skey(skey, &vk, &err), 0);
    assert_string_equal(vk.data, vkey);

    /* the checkpoint: same seed, key name example.com/ledger */
    cp = jget(&doc, "checkpoint");
    {
        const char *name = jgets(cp, "key_name");
        const char *body = jgets(cp, "body");
        const char *seed64 = skey;
        vectors *v = load_merkle();
        uint8_t root[HL];
        uint64_t size;
        yima_buf sk, ck;
        mem m;
        char want[256];

        /* the key is after the fourth '+' (base64 may hold more) */
        for (int k = 0; k < 4; k++)
            seed64 = strchr(seed64, '+') + 1;
        yima_buf_init(&sk, 1024);
        yima_buf_init(&ck, 4096);
        yima_buf_printf(&sk, "PRIVATE+KEY+%s+%s+%s", name,
                        jgets(cp, "key_id_hex"), seed64);
        yima_buf_reset(&vk);
        assert_int_equal(yima_ledger_vkey_from_skey(sk.data, &vk, &err), 0);
        snprintf(want, sizeof want, "%s+%s+", name, jgets(cp, "key_id_hex"));
        assert_memory_equal(vk.data, want, strlen(want));

        /* the body is the checkpoint of the 8-leaf vector tree */
        mem_open(&m);
        mem_fill(&m, v, 8);
        assert_int_equal(yima_ledger_root(m.lg, 8, root, NULL), 0);
        assert_int_equal(yima_ledger_checkpoint_text(name, 8, root, &ck, &err),
                         0);
        assert_string_equal(ck.data, body);

        yima_buf_reset(&out);
        assert_int_equal(
            yima_ledger_checkpoint_sign(m.lg, name, sk.data, &out, &err), 0);
        assert_memory_equal(out.data, body, strlen(body));
        snprintf(want, sizeof want, "\n\xe2\x80\x94 %s %s\n", name,
                 jgets(cp, "signature_base64"));
        assert_string_equal(out.data + strlen(body), want);

        size = 0;
        memset(root, 0, sizeof root);
        assert_int_equal(yima_ledger_checkpoint_open(vk.data, name, out.data,
                                                     out.len, &size, root,
                                                     &err),
                         0);
        assert_int_equal(size, 8);
        assert_memory_equal(root, v->root[8], HL);
        /* a client expecting another origin refuses it */
        assert_int_equal(yima_ledger_checkpoint_open(vk.data, "other.org/log",
                                                     out.data, out.len, &size,
                                                     root, &err),
                         YIMA_EINVAL);
        assert_non_null(strstr(err.msg, "origin"));
        /* the PeterNeumann key did not sign it */
        assert_int_equal(yima_ledger_checkpoint_open(
                             vkey, NULL, out.data, out.len, &size, root, &err),
                         YIMA_EINVAL);
        assert_non_null(strstr(err.msg, "no signature by key PeterNeumann"));

        mem_close(&m);
        free_merkle(v);
        yima_buf_free(&sk);
        yima_buf_free(&ck);
    }
    yima_buf_free(&vk);
    yima_buf_free(&out);
    jfree(&doc);
}

/* Verify a note built from parts and expect a failure whose message holds
 * `want`. */
static void expect_bad_note(const char *vkey, const char *note, size_t len,
                            const char *want)
{
    yima_error err;

    yima_error_clear(&err);
    if (yima_ledger_note_verify(vkey, note, len, NULL, &err) == 0)
        fail_msg("note accepted, expected '%s'", want);
    if (!strstr(err.msg, want))
        fail_msg("message '%s' does not mention '%s'", err.msg, want);
}

static void test_note_rejects(void **state)
{
    jv doc;
    const jv *sn;
    const char *vkey, *note, *text, *sig;
    yima_buf b, other_sk, other_vk;
    yima_error err;
    char *dup;
    (void)state;

    load_json("tests/data/signed-note/vectors.json", &doc);
    sn = jget(&doc, "signed_note");
    vkey = jgets(sn, "verifier_key");
    note = jgets(sn, "note");
    text = jgets(sn, "text");
    sig = jgets(sn, "signature_base64");
    yima_buf_init(&b, 1 << 16);

    /* every single flipped byte of the note is refused */
    dup = strdup(note);
    assert_non_null(dup);
    for (size_t i = 0; i < strlen(note); i++) {
        char keep = dup[i];
        dup[i] = (char)(keep ^ 0x01);
        assert_int_not_equal(
            yima_ledger_note_verify(vkey, dup, strlen(note), NULL, &err), 0);
        dup[i] = keep;
    }
    free(dup);

    /* a key of another name, or another key of the same name */
    yima_buf_init(&other_sk, 1024);
    yima_buf_init(&other_vk, 1024);
    assert_int_equal(yima_ledger_keygen("Alice", &other_sk, &other_vk, &err),
                     0);
    expect_bad_note(other_vk.data, note, strlen(note),
                    "no signature by key Alice+");
    yima_buf_reset(&other_sk);
    yima_buf_reset(&other_vk);
    assert_int_equal(
        yima_ledger_keygen("PeterNeumann", &other_sk, &other_vk, &err), 0);
    expect_bad_note(other_vk.data, note, strlen(note),
                    "not by the verifier key's");

    /* a signature line by our key that does not verify */
    yima_buf_reset(&b);
    yima_buf_printf(&b, "%sX\n\n\xe2\x80\x94 PeterNeumann %s\n", text, sig);
    expect_bad_note(vkey, b.data, b.len, "does not verify");
    /* ... even when a good one follows */
    yima_buf_reset(&b);
    yima_buf_printf(&b, "%s\n\xe2\x80\x94 PeterNeumann %.8sAAAA%s\n%s", text,
                    sig, sig + 12, strstr(note, "\xe2\x80\x94"));
    expect_bad_note(vkey, b.data, b.len, "does not verify");
    /* unknown signers are ignored */
    yima_buf_reset(&b);
    yima_buf_printf(&b, "%s\n\xe2\x80\x94 Other %s\n%s", text, sig,
                    strstr(note, "\xe2\x80\x94"));
    assert_int_equal(yima_ledger_note_verify(vkey, b.data, b.len, NULL, &err),
                     0);

    /* malformed notes, each with a clear message */
    expect_bad_note(vkey, "", 0, "no signatures");
    expect_bad_note(vkey, text, strlen(text), "no signatures");
    yima_buf_reset(&b);
    yima_buf_printf(&b, "%s\n-- PeterNeumann %s\n", text, sig);
    expect_bad_note(vkey, b.data, b.len, "em dash");
    yima_buf_reset(&b);
    yima_buf_printf(&b, "%s\n\xe2\x80\x94 PeterNeumann %s", text, sig);
    expect_bad_note(vkey, b.data, b.len, "must end with a newline");
    yima_buf_reset(&b);
    yima_buf_printf(&b, "%s\n\xe2\x80\x94 PeterNeumann%s\n", text, sig);
    expect_bad_note(vkey, b.data, b.len, "no space");
    yima_buf_reset(&b);
    yima_buf_printf(&b, "%s\n\xe2\x80\x94 PeterNeumann %s=\n", text, sig);
    expect_bad_note(vkey, b.data, b.len, "not base64");
    yima_buf_reset(&b);
    yima_buf_printf(&b, "%s\n\xe2\x80\x94 PeterNeumann AAAA\n", text);
    expect_bad_note(vkey, b.data, b.len, "not base64");
    yima_buf_reset(&b);
    yima_buf_printf(&b, "bell\a\n\n\xe2\x80\x94 PeterNeumann %s\n", sig);
    expect_bad_note(vkey, b.data, b.len, "control character");
    yima_buf_reset(&b);
    yima_buf_printf(&b, "bad \xff\n\n\xe2\x80\x94 PeterNeumann %s\n", sig);
    expect_bad_note(vkey, b.data, b.len, "not valid UTF-8");
    yima_buf_reset(&b);
    yima_buf_printf(&b, "%s\n\xe2\x80\x94 Peter+Neumann %s\n", text, sig);
    expect_bad_note(vkey, b.data, b.len, "'+'");
    yima_buf_reset(&b);
    yima_buf_printf(&b, "%s\n", text);
    for (int i = 0; i < 101; i++)
        yima_buf_printf(&b, "\xe2\x80\x94 Other%d %s\n", i, sig);
    expect_bad_note(vkey, b.data, b.len, "more than 100");

    /* malformed verifier keys */
    expect_bad_note("PeterNeumann+c74f20a3", note, strlen(note),
                    "expected <name>+<key ID>+<key>");
    expect_bad_note("PeterNeumann+c74f20a4+"
                    "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                    note, strlen(note), "does not match");
    expect_bad_note("PeterNeumann+c74f20a+"
                    "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                    note, strlen(note), "not 8 hex digits");
    expect_bad_note("PeterNeumann+c74f20a3+"
                    "Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                    note, strlen(note), "not supported");
    expect_bad_note("PeterNeumann+c74f20a3+ARpc2QcUPDhMQ", note, strlen(note),
                    "not base64 of 33 bytes");

    yima_buf_free(&other_sk);
    yima_buf_free(&other_vk);
    yima_buf_free(&b);
    jfree(&doc);
}

static void test_keygen(void **state)
{
    static const char *bad_names[] = {"",          "a b",          "a+b",
                                      "tab\there", "nbsp\xc2\xa0", "bad\xff"};
    yima_buf sk, vk, vk2, sk2, vk3, note;
    yima_error err;
    size_t text_len;
    const char *text = "yima.example/log\n3\nAAAA\n";
    (void)state;

    yima_buf_init(&sk, 1024);
    yima_buf_init(&vk, 1024);
    yima_buf_init(&vk2, 1024);
    yima_buf_init(&sk2, 1024);
    yima_buf_init(&vk3, 1024);
    yima_buf_init(&note, 4096);
    assert_int_equal(yima_ledger_keygen("yima.example/log", &sk, &vk, &err), 0);
    assert_true(strncmp(sk.data, "PRIVATE+KEY+yima.example/log+", 29) == 0);
    assert_true(strncmp(vk.data, "yima.example/log+", 17) == 0);
    assert_int_equal(sk.len, 29 + 8 + 1 + 44);
    assert_int_equal(vk.len, 17 + 8 + 1 + 44);
    /* the same key ID in both */
    assert_memory_equal(sk.data + 29, vk.data + 17, 8);
    assert_int_equal(yima_ledger_vkey_from_skey(sk.data, &vk2, &err), 0);
    assert_string_equal(vk.data, vk2.data);

    assert_int_equal(
        yima_ledger_note_sign(sk.data, text, strlen(text), &note, &err), 0);
    assert_int_equal(
        yima_ledger_note_verify(vk.data, note.data, note.len, &text_len, &err),
        0);
    assert_int_equal(text_len, strlen(text));
    /* two keys are different */
    assert_int_equal(yima_ledger_keygen("yima.example/log", &sk2, &vk3, &err),
                     0);
    assert_string_not_equal(sk.data, sk2.data);
    assert_int_equal(
        yima_ledger_note_verify(vk3.data, note.data, note.len, NULL, &err),
        YIMA_EINVAL);

    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        yima_buf_reset(&sk2);
        yima_buf_reset(&vk3);
        assert_int_equal(yima_ledger_keygen(bad_names[i], &sk2, &vk3, &err),
                         YIMA_EINVAL);
        assert_int_equal(sk2.len, 0);
    }

    /* what may be signed */
    yima_buf_reset(&note);
    assert_int_equal(
        yima_ledger_note_sign(sk.data, "no newline", 10, &note, &err),
        YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "newline"));
    assert_int_equal(yima_ledger_note_sign(sk.data, "", 0, &note, &err),
                     YIMA_EINVAL);
    assert_int_equal(yima_ledger_note_sign(sk.data, "a\rb\n", 4, &note, &err),
                     YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "control"));
    /* malformed signer keys */
    assert_int_equal(yima_ledger_note_sign(vk.data, "a\n", 2, &note, &err),
                     YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "PRIVATE+KEY+"));
    {
        char *broken = strdup(sk.data);
        assert_non_null(broken);
        broken[30] = broken[30] == '0' ? '1' : '0'; /* key ID digit */
        assert_int_equal(yima_ledger_note_sign(broken, "a\n", 2, &note, &err),
                         YIMA_EINVAL);
        assert_non_null(strstr(err.msg, "does not match"));
        free(broken);
    }
    assert_int_equal(note.len, 0);

    yima_buf_free(&sk);
    yima_buf_free(&vk);
    yima_buf_free(&vk2);
    yima_buf_free(&sk2);
    yima_buf_free(&vk3);
    yima_buf_free(&note);
}

static void expect_bad_checkpoint(const char *sk, const char *vk,
                                  const char *text, const char *want)
{
    yima_buf note;
    yima_error err;
    uint8_t root[HL];
    uint64_t size;

    yima_buf_init(&note, 4096);
    assert_int_equal(yima_ledger_note_sign(sk, text, strlen(text), &note, &err),
                     0);
    assert_int_equal(yima_ledger_checkpoint_open(vk, NULL, note.data, note.len,
                                                 &size, root, &err),
                     YIMA_EINVAL);
    if (!strstr(err.msg, want))
        fail_msg("message '%s' does not mention '%s'", err.msg, want);
    yima_buf_free(&note);
}

static void test_checkpoint(void **state)
{
    yima_buf sk, vk, cp;
    yima_error err;
    uint8_t root[HL], want[HL];
    uint64_t size;
    mem m;
    (void)state;

    yima_buf_init(&sk, 1024);
    yima_buf_init(&vk, 1024);
    yima_buf_init(&cp, 4096);
    assert_int_equal(yima_ledger_keygen("yima.example/log", &sk, &vk, &err), 0);
    mem_open(&m);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(yima_ledger_append(m.lg, &i, sizeof i, NULL), 0);
    assert_int_equal(yima_ledger_checkpoint_sign(m.lg, "yima.example/log",
                                                 sk.data, &cp, &err),
                     0);
    assert_true(strncmp(cp.data, "yima.example/log\n1000\n", 22) == 0);
    assert_int_equal(yima_ledger_checkpoint_open(vk.data, "yima.example/log",
                                                 cp.data, cp.len, &size, root,
                                                 &err),
                     0);
    assert_int_equal(size, 1000);
    assert_int_equal(yima_ledger_root(m.lg, 1000, want, NULL), 0);
    assert_memory_equal(root, want, HL);

    /* extension lines are read past */
    expect_bad_checkpoint(sk.data, vk.data, "o\n01\nAAAA\n", "leading zeros");
    expect_bad_checkpoint(sk.data, vk.data, "o\n\nAAAA\n", "line 2");
    expect_bad_checkpoint(sk.data, vk.data, "o\n1x\nAAAA\n", "line 2");
    expect_bad_checkpoint(sk.data, vk.data, "o\n99999999999999999999\nAAAA\n",
                          "line 2");
    expect_bad_checkpoint(sk.data, vk.data, "o\n1\n", "line 3 is missing");
    expect_bad_checkpoint(sk.data, vk.data, "o\n", "line 2 is missing");
    expect_bad_checkpoint(sk.data, vk.data, "o\n1\nAAAA\n", "32-byte root");
    expect_bad_checkpoint(
        sk.data, vk.data,
        "o\n1\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\n\n",
        "line 4 is empty");
    /* a good one with an extension line */
    yima_buf_reset(&cp);
    {
        const char *ext =
            "o\n1\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\next\n";
        assert_int_equal(
            yima_ledger_note_sign(sk.data, ext, strlen(ext), &cp, &err), 0);
    }
    assert_int_equal(yima_ledger_checkpoint_open(vk.data, "o", cp.data, cp.len,
                                                 &size, root, &err),
                     0);
    assert_int_equal(size, 1);
    /* bad origins are refused when writing */
    yima_buf_reset(&cp);
    assert_int_equal(yima_ledger_checkpoint_text("", 1, root, &cp, &err),
                     YIMA_EINVAL);
    assert_int_equal(yima_ledger_checkpoint_text("a\nb", 1, root, &cp, &err),
                     YIMA_EINVAL);
    assert_int_equal(cp.len, 0);
    mem_close(&m);
    yima_buf_free(&sk);
    yima_buf_free(&vk);
    yima_buf_free(&cp);
}

/* ---- Tiles -------------------------------------------------------------- */

static void test_tile_paths(void **state)
{
    static const struct {
        int level;
        uint64_t n;
        unsigned width;
        const char *path;
    } t[] = {
        {0, 0, 256, "tile/0/000"},
        {0, 5, 256, "tile/0/005"},
        {1, 999, 256, "tile/1/999"},
        {0, 1000, 256, "tile/0/x001/000"},
        {0, 1234067, 256, "tile/0/x001/x234/067"},
        {2, 1234067, 17, "tile/2/x001/x234/067.p/17"},
        {YIMA_LEDGER_TILE_ENTRIES, 0, 1, "tile/entries/000.p/1"},
        {YIMA_LEDGER_TILE_ENTRIES, 273, 256, "tile/entries/273"},
        {63, 0, 255, "tile/63/000.p/255"},
    };
    static const char *bad[] = {
        "tile/0/1",         "tile/0/0001",
        "tile/0/x000/001",  "tile/0/000.p/0",
        "tile/0/000.p/256", "tile/0/000.p/012",
        "tile/08/000",      "tile/64/000",
        "tile/0/000/",      "tile/0/x001",
        "tile/0/x001/",     "tile/entries/00a",
        "tiles/0/000",      "tile/0/000.p/",
        "tile//000",        "tile/0/x999/x999/x999/x999/x999/x999/x999/999",
    };
    yima_buf b;
    int level;
    uint64_t n;
    unsigned width;
    (void)state;

    yima_buf_init(&b, 256);
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        yima_buf_reset(&b);
        assert_int_equal(
            yima_ledger_tile_path(&b, t[i].level, t[i].n, t[i].width), 0);
        assert_string_equal(b.data, t[i].path);
        assert_int_equal(
            yima_ledger_tile_parse_path(b.data, b.len, &level, &n, &width), 0);
        assert_int_equal(level, t[i].level);
        assert_int_equal(n, t[i].n);
        assert_int_equal(width, t[i].width);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (yima_ledger_tile_parse_path(bad[i], strlen(bad[i]), &level, &n,
                                        &width) != YIMA_EINVAL)
            fail_msg("'%s' was accepted", bad[i]);
    assert_int_equal(yima_ledger_tile_path(&b, 0, 0, 0), YIMA_EUSAGE);
    assert_int_equal(yima_ledger_tile_path(&b, 0, 0, 257), YIMA_EUSAGE);
    assert_int_equal(yima_ledger_tile_path(&b, -2, 0, 1), YIMA_EUSAGE);
    yima_buf_free(&b);
}

/* The entry of leaf i: a few bytes that vary in length. */
static int make_entry(void *ctx, uint64_t i, yima_buf *out)
{
    (void)ctx;
    return yima_buf_printf(out, "event %" PRIu64 "%.*s", i, (int)(i % 7),
                           "-------");
}

static int long_entry(void *ctx, uint64_t i, yima_buf *out)
{
    (void)ctx;
    (void)i;
    for (int k = 0; k < 70000; k++)
        if (yima_buf_putc(out, 'x') != 0)
            return YIMA_ETOOBIG;
    return 0;
}

static void sha256(const void *a, size_t an, const void *b, size_t bn,
                   const void *c, size_t cn, uint8_t out[HL])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_non_null(md);
    assert_int_equal(EVP_DigestInit_ex(md, EVP_sha256(), NULL), 1);
    EVP_DigestUpdate(md, a, an);
    EVP_DigestUpdate(md, b, bn);
    EVP_DigestUpdate(md, c, cn);
    assert_int_equal(EVP_DigestFinal_ex(md, out, NULL), 1);
    EVP_MD_CTX_free(md);
}

/* The verifier's own path spelling, independent of the library's. */
static void tile_file(char *out, size_t cap, const char *dir, int level,
                      uint64_t n)
{
    char num[64], lv[16];
    size_t len = 0;
    unsigned groups[8];
    int ng = 0;

    do {
        groups[ng++] = (unsigned)(n % 1000);
        n /= 1000;
    } while (n);
    while (ng-- > 1)
        len +=
            (size_t)snprintf(num + len, sizeof num - len, "x%03u/", groups[ng]);
    snprintf(num + len, sizeof num - len, "%03u", groups[0]);
    if (level < 0)
        snprintf(lv, sizeof lv, "entries");
    else
        snprintf(lv, sizeof lv, "%d", level);
    snprintf(out, cap, "%s/tile/%s/%s", dir, lv, num);
}

/* Read the tile holding item `item` of row `level` for a tree with `count`
 * items on that row: returns its hashes (or bundle bytes) and width. */
static uint8_t *read_tile(const char *dir, int level, uint64_t item,
                          uint64_t count, size_t *len, unsigned *width)
{
    char path[512];
    uint64_t n = item / 256;
    uint8_t *data;

    tile_file(path, sizeof path, dir, level, n);
    if (n < count / 256) {
        *width = 256;
    } else {
        size_t l = strlen(path);
        *width = (unsigned)(count % 256);
        snprintf(path + l, sizeof path - l, ".p/%u", *width);
    }
    data = (uint8_t *)slurp(path, len);
    if (!data)
        fail_msg("tile %s is missing", path);
    if (level >= 0)
        assert_int_equal(*len, (size_t)*width * HL);
    return data;
}

/* Hash of the subtree at tree level a, position k, from the tiles of tile
 * level L alone (8L <= a <= 8L + 8). */
static void subtree_from_row(const char *dir, uint64_t size, unsigned L,
                             unsigned a, uint64_t k, uint8_t out[HL])
{
    unsigned up = a - 8 * L;
    uint64_t count = size >> (8 * L), first = k << up, span = 1ull << up;
    uint8_t *tile, row[256][HL];
    size_t len;
    unsigned width;

    tile = read_tile(dir, (int)L, first, count, &len, &width);
    assert_true(first % 256 + span <= width);
    memcpy(row, tile + (first % 256) * HL, span * HL);
    free(tile);
    for (; span > 1; span /= 2)
        for (uint64_t i = 0; i < span / 2; i++)
            sha256("\x01", 1, row[2 * i], HL, row[2 * i + 1], HL, row[i]);
    memcpy(out, row[0], HL);
}

/* An independent verifier: the root of `size` from the tile files. */
static void root_from_tiles(const char *dir, uint64_t size, uint8_t out[HL])
{
    uint8_t h[64][HL];
    size_t n = 0;
    uint64_t off = 0;

    if (size == 0) {
        sha256("", 0, "", 0, "", 0, out);
        return;
    }
    for (int a = 62; a >= 0; a--) {
        if (!(size >> a & 1))
            continue;
        subtree_from_row(dir, size, (unsigned)a / 8, (unsigned)a, off >> a,
                         h[n++]);
        off += 1ull << a;
    }
    memcpy(out, h[n - 1], HL);
    for (size_t i = n - 1; i-- > 0;)
        sha256("\x01", 1, h[i], HL, out, HL, out);
}

/* Every level >= 1 tile hash is the hash of the 256 below it, and every
 * entry bundle hashes to its level-0 tile. */
static void check_tile_tree(const char *dir, uint64_t size)
{
    for (int L = 1; (size >> (8 * L)) > 0; L++) {
        uint64_t count = size >> (8 * L);
        for (uint64_t i = 0; i < count; i++) {
            uint8_t want[HL], *tile;
            size_t len;
            unsigned width;

            /* from the full tile of level L-1 below it */
            subtree_from_row(dir, size, (unsigned)L - 1, 8 * (unsigned)L, i,
                             want);
            tile = read_tile(dir, L, i, count, &len, &width);
            assert_memory_equal(tile + (i % 256) * HL, want, HL);
            free(tile);
        }
    }
    for (uint64_t b = 0; b * 256 < size; b++) {
        uint8_t *bundle, *tile, lh[HL];
        size_t blen, tlen, off = 0;
        unsigned bw, tw;
        yima_buf e;

        bundle = read_tile(dir, -1, b * 256, size, &blen, &bw);
        tile = read_tile(dir, 0, b * 256, size, &tlen, &tw);
        assert_int_equal(bw, tw);
        yima_buf_init(&e, 1024);
        for (unsigned i = 0; i < bw; i++) {
            size_t n;
            assert_true(off + 2 <= blen);
            n = (size_t)bundle[off] << 8 | bundle[off + 1];
            off += 2;
            assert_true(off + n <= blen);
            yima_buf_reset(&e);
            make_entry(NULL, b * 256 + i, &e);
            assert_int_equal(n, e.len);
            assert_memory_equal(bundle + off, e.data, n);
            sha256("\x00", 1, bundle + off, n, "", 0, lh);
            assert_memory_equal(lh, tile + i * HL, HL);
            off += n;
        }
        assert_int_equal(off, blen);
        yima_buf_free(&e);
        free(bundle);
        free(tile);
    }
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Publish the tree at its current size and check it from the files. */
static void publish_and_check(mem *m, const char *dir, const char *sk,
                              const char *vk)
{
    yima_buf cp;
    yima_error err;
    uint8_t root[HL], cp_root[HL], want[HL];
    uint64_t size, cp_size;
    char path[512];
    char *text;
    size_t len;

    yima_buf_init(&cp, 4096);
    assert_int_equal(yima_ledger_size(m->lg, &size), 0);
    assert_int_equal(
        yima_ledger_checkpoint_sign(m->lg, "yima.test/log", sk, &cp, &err), 0);
    if (yima_ledger_tiles_write(m->lg, dir, cp.data, cp.len, make_entry, NULL,
                                &err) != 0)
        fail_msg("tiles_write: %s", err.msg);

    /* The verifier: checkpoint file, then tiles, no ledger. */
    snprintf(path, sizeof path, "%s/checkpoint", dir);
    text = slurp(path, &len);
    assert_non_null(text);
    assert_int_equal(len, cp.len);
    assert_int_equal(yima_ledger_checkpoint_open(vk, "yima.test/log", text, len,
                                                 &cp_size, cp_root, &err),
                     0);
    free(text);
    assert_int_equal(cp_size, size);
    root_from_tiles(dir, size, root);
    assert_memory_equal(root, cp_root, HL);
    assert_int_equal(yima_ledger_root(m->lg, size, want, NULL), 0);
    assert_memory_equal(root, want, HL);
    check_tile_tree(dir, size);
    yima_buf_free(&cp);
}

static void check_files(const char *dir, const char **names, size_t n,
                        bool exist)
{
    char path[512];

    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if ((access(path, F_OK) == 0) != exist)
            fail_msg("%s %s", names[i], exist ? "is missing" : "exists");
    }
}

static void test_tiles(void **state)
{
    static const uint64_t sizes[] = {1, 255, 256, 257, 70000};
    yima_buf sk, vk;
    yima_error err;
    (void)state;

    yima_buf_init(&sk, 1024);
    yima_buf_init(&vk, 1024);
    assert_int_equal(yima_ledger_keygen("yima.test/log", &sk, &vk, &err), 0);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        char dir[] = "/tmp/yima-tiles-XXXXXX";
        yima_buf e;
        mem m;

        assert_non_null(mkdtemp(dir));
        mem_open(&m);
        yima_buf_init(&e, 1024);
        for (uint64_t i = 0; i < sizes[s]; i++) {
            yima_buf_reset(&e);
            make_entry(NULL, i, &e);
            assert_int_equal(yima_ledger_append(m.lg, e.data, e.len, NULL), 0);
        }
        yima_buf_free(&e);
        publish_and_check(&m, dir, sk.data, vk.data);
        if (sizes[s] == 70000) {
            /* the tlog-tiles spec's own example of size 70,000 */
            static const char *want[] = {"tile/0/272",
                                         "tile/0/273.p/112",
                                         "tile/1/000",
                                         "tile/1/001.p/17",
                                         "tile/2/000.p/1",
                                         "tile/entries/272",
                                         "tile/entries/273.p/112"};
            static const char *gone[] = {"tile/0/273", "tile/1/001",
                                         "tile/2/000", "tile/3/000.p/1"};
            check_files(dir, want, 7, true);
            check_files(dir, gone, 4, false);
        } else if (sizes[s] == 256) {
            static const char *want[] = {"tile/0/000", "tile/1/000.p/1",
                                         "tile/entries/000"};
            static const char *gone[] = {"tile/0/001.p/1", "tile/0/000.p/255"};
            check_files(dir, want, 3, true);
            check_files(dir, gone, 2, false);
        }
        mem_close(&m);
        rm_tree(dir);
    }
    yima_buf_free(&sk);
    yima_buf_free(&vk);
}

/* Publishing again after growth rewrites only what changed. */
static void test_tiles_incremental(void **state)
{
    char dir[] = "/tmp/yima-tiles-XXXXXX", path[512];
    yima_buf sk, vk, e, tile;
    yima_error err;
    struct stat st;
    uint64_t i = 0;
    mem m;
    (void)state;

    yima_buf_init(&sk, 1024);
    yima_buf_init(&vk, 1024);
    yima_buf_init(&e, 1024);
    yima_buf_init(&tile, 1 << 16);
    assert_int_equal(yima_ledger_keygen("yima.test/log", &sk, &vk, &err), 0);
    assert_non_null(mkdtemp(dir));
    mem_open(&m);
    for (uint64_t target = 3; target <= 3000; target = target * 3 + 1) {
        for (; i < target; i++) {
            yima_buf_reset(&e);
            make_entry(NULL, i, &e);
            assert_int_equal(yima_ledger_append(m.lg, e.data, e.len, NULL), 0);
        }
        publish_and_check(&m, dir, sk.data, vk.data);
    }
    /* a full tile on disk is what the ledger serves */
    snprintf(path, sizeof path, "%s/tile/0/001", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 256 * HL);
    assert_int_equal(yima_ledger_tile(m.lg, 0, 1, 256, &tile, &err), 0);
    {
        size_t len;
        char *data = slurp(path, &len);
        assert_non_null(data);
        assert_int_equal(len, tile.len);
        assert_memory_equal(data, tile.data, len);
        free(data);
    }
    /* older partial tiles are still served */
    yima_buf_reset(&tile);
    assert_int_equal(yima_ledger_tile(m.lg, 0, 0, 13, &tile, &err), 0);
    assert_int_equal(tile.len, 13 * HL);
    /* beyond the tree */
    yima_buf_reset(&tile);
    assert_int_equal(yima_ledger_tile(m.lg, 0, 11, 256, &tile, &err),
                     YIMA_ENOTFOUND);
    assert_non_null(strstr(err.msg, "beyond"));
    assert_int_equal(yima_ledger_tile(m.lg, 2, 0, 1, &tile, &err),
                     YIMA_ENOTFOUND);
    assert_int_equal(yima_ledger_tile(m.lg, 40, 0, 1, &tile, &err),
                     YIMA_ENOTFOUND);
    assert_int_equal(yima_ledger_tile(m.lg, 64, 0, 1, &tile, &err),
                     YIMA_EUSAGE);
    /* 2551 leaves: 9 hashes on tile level 1 */
    assert_int_equal(yima_ledger_tile(m.lg, 1, 0, 10, &tile, &err),
                     YIMA_ENOTFOUND);
    assert_int_equal(yima_ledger_tile(m.lg, 1, 0, 9, &tile, &err), 0);
    assert_int_equal(
        yima_ledger_bundle(m.lg, 11, 256, make_entry, NULL, &tile, &err),
        YIMA_ENOTFOUND);
    mem_close(&m);
    rm_tree(dir);
    yima_buf_free(&sk);
    yima_buf_free(&vk);
    yima_buf_free(&e);
    yima_buf_free(&tile);
}

static int wrong_entry(void *ctx, uint64_t i, yima_buf *out)
{
    (void)ctx;
    return yima_buf_printf(out, "not event %" PRIu64, i);
}

static void test_tiles_errors(void **state)
{
    char dir[] = "/tmp/yima-tiles-XXXXXX", path[512];
    yima_buf sk, vk, cp, other_cp, b;
    yima_error err;
    mem m, other;
    (void)state;

    yima_buf_init(&sk, 1024);
    yima_buf_init(&vk, 1024);
    yima_buf_init(&cp, 4096);
    yima_buf_init(&other_cp, 4096);
    yima_buf_init(&b, 1 << 20);
    assert_int_equal(yima_ledger_keygen("yima.test/log", &sk, &vk, &err), 0);
    assert_non_null(mkdtemp(dir));
    mem_open(&m);
    mem_open(&other);
    for (uint64_t i = 0; i < 300; i++) {
        yima_buf_reset(&b);
        make_entry(NULL, i, &b);
        assert_int_equal(yima_ledger_append(m.lg, b.data, b.len, NULL), 0);
        assert_int_equal(yima_ledger_append(other.lg, &i, sizeof i, NULL), 0);
    }
    assert_int_equal(
        yima_ledger_checkpoint_sign(m.lg, "yima.test/log", sk.data, &cp, &err),
        0);
    assert_int_equal(yima_ledger_checkpoint_sign(other.lg, "yima.test/log",
                                                 sk.data, &other_cp, &err),
                     0);
    /* a checkpoint of another tree */
    assert_int_equal(yima_ledger_tiles_write(m.lg, dir, other_cp.data,
                                             other_cp.len, make_entry, NULL,
                                             &err),
                     YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "not the ledger's root"));
    /* not a note, or a checkpoint beyond the tree */
    assert_int_equal(
        yima_ledger_tiles_write(m.lg, dir, "x\n", 2, NULL, NULL, &err),
        YIMA_EINVAL);
    yima_buf_reset(&b);
    yima_buf_puts(&b, "yima.test/log\n301\n"
                      "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\n\n- x\n");
    assert_int_equal(
        yima_ledger_tiles_write(m.lg, dir, b.data, b.len, NULL, NULL, &err),
        YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "beyond"));
    /* entries that do not match the leaves, or are too long */
    assert_int_equal(yima_ledger_tiles_write(m.lg, dir, cp.data, cp.len,
                                             wrong_entry, NULL, &err),
                     YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "does not hash to its leaf"));
    snprintf(path, sizeof path, "%s/checkpoint", dir);
    assert_int_not_equal(access(path, F_OK), 0); /* no checkpoint written */
    yima_buf_reset(&b);
    assert_int_equal(yima_ledger_bundle(m.lg, 0, 5, long_entry, NULL, &b, &err),
                     YIMA_ETOOBIG);
    assert_non_null(strstr(err.msg, "longer than 65535"));
    /* an unwritable directory */
    assert_int_equal(yima_ledger_tiles_write(m.lg, "/proc/yima-no/x", cp.data,
                                             cp.len, NULL, NULL, &err),
                     YIMA_EIO);
    /* without entries only hash tiles and the checkpoint are written */
    assert_int_equal(
        yima_ledger_tiles_write(m.lg, dir, cp.data, cp.len, NULL, NULL, &err),
        0);
    assert_int_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/tile/entries", dir);
    assert_int_not_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/tile/1/000.p/1", dir);
    assert_int_equal(access(path, F_OK), 0);
    mem_close(&m);
    mem_close(&other);
    rm_tree(dir);
    yima_buf_free(&sk);
    yima_buf_free(&vk);
    yima_buf_free(&cp);
    yima_buf_free(&other_cp);
    yima_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hashes),
        cmocka_unit_test(test_stored_index),
        cmocka_unit_test(test_roots),
        cmocka_unit_test(test_batch_append),
        cmocka_unit_test(test_append_cost),
        cmocka_unit_test(test_inclusion_vectors),
        cmocka_unit_test(test_consistency_vectors),
        cmocka_unit_test(test_all_proofs),
        cmocka_unit_test(test_store_errors),
        cmocka_unit_test(test_note_vectors),
        cmocka_unit_test(test_note_rejects),
        cmocka_unit_test(test_keygen),
        cmocka_unit_test(test_checkpoint),
        cmocka_unit_test(test_tile_paths),
        cmocka_unit_test(test_tiles),
        cmocka_unit_test(test_tiles_incremental),
        cmocka_unit_test(test_tiles_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
