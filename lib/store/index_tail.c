/*
 * index_tail.c - the code index's in-memory tail (see index.h): postings
 * in the order added, chained per key from a power-of-two hash table, so
 * adding one is a store and finding a key's postings reads only them. The
 * chains are linked at the first look-up after postings were added: an
 * import adds millions and looks up none, and linking each as it came cost
 * two cache misses a posting on the thread that stores.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "yima/error.h"
#include "yima/siphash.h"

#include "index.h"

#define TAIL_MAX (UINT32_MAX - 1) /* prev/head hold positions + 1 */

uint64_t ix_key(const uint8_t secret[16], const char *s, size_t n)
{
    return yima_siphash(secret, s, n) >> 1;
}

void ix_tail_init(ix_tail *t)
{
    memset(t, 0, sizeof *t);
}

void ix_tail_free(ix_tail *t)
{
    free(t->post);
    free(t->prev);
    free(t->head);
    ix_tail_init(t);
}

static size_t slot_of(const ix_tail *t, uint64_t key)
{
    /* Keys are already uniform: fold the high bits in for small tables. */
    return (size_t)(key ^ key >> 29) & t->mask;
}

/* The slot holding key's chain, or the empty slot where it would go. */
static size_t probe(const ix_tail *t, uint64_t key)
{
    size_t i = slot_of(t, key);

    while (t->head[i] && t->post[t->head[i] - 1].key != key)
        i = (i + 1) & t->mask;
    return i;
}

/* Rebuild the hash table for slots (a power of two) from every posting. */
static int rehash(ix_tail *t, size_t slots)
{
    if (t->head && slots == t->mask + 1) {
        memset(t->head, 0, slots * sizeof *t->head); /* no allocation */
    } else {
        uint32_t *head = calloc(slots, sizeof *head);

        if (!head)
            return YIMA_ENOMEM;
        free(t->head);
        t->head = head;
        t->mask = slots - 1;
    }
    for (size_t i = 0; i < t->n; i++) {
        size_t s = probe(t, t->post[i].key);

        t->prev[i] = t->head[s];
        t->head[s] = (uint32_t)(i + 1);
    }
    t->linked = t->n;
    return 0;
}

/* Link the postings added since the last look-up into their chains,
 * keeping the table at most half full (distinct keys are at most n). */
static int link_all(ix_tail *t)
{
    size_t slots = t->head ? t->mask + 1 : 8192;

    if (t->linked == t->n && t->head)
        return 0;
    while (t->n * 2 > slots)
        slots *= 2;
    if (!t->head || slots != t->mask + 1)
        return rehash(t, slots);
    for (size_t i = t->linked; i < t->n; i++) {
        size_t s = probe(t, t->post[i].key);

        t->prev[i] = t->head[s];
        t->head[s] = (uint32_t)(i + 1);
    }
    t->linked = t->n;
    return 0;
}

/* Room for one more posting. */
static int grow(ix_tail *t)
{
    if (t->n == t->alloc) {
        size_t alloc = t->alloc ? t->alloc * 2 : 4096;
        ix_post *post;
        uint32_t *prev;

        if (t->n >= TAIL_MAX)
            return YIMA_ENOMEM;
        if (alloc > TAIL_MAX)
            alloc = TAIL_MAX;
        if (!(post = realloc(t->post, alloc * sizeof *post)))
            return YIMA_ENOMEM;
        t->post = post;
        if (!(prev = realloc(t->prev, alloc * sizeof *prev)))
            return YIMA_ENOMEM;
        t->prev = prev;
        t->alloc = alloc;
    }
    return 0;
}

int ix_tail_add(ix_tail *t, uint64_t key, uint64_t idx, int role)
{
    if (t->n == t->alloc && grow(t) != 0)
        return YIMA_ENOMEM;
    t->post[t->n] = (ix_post){key, idx << 8 | (uint64_t)role};
    t->n++;
    if (idx >= t->upto)
        t->upto = idx + 1;
    return 0;
}

void ix_tail_truncate(ix_tail *t, size_t n)
{
    if (n >= t->n)
        return;
    t->n = n;
    t->upto = n ? IX_IDX(&t->post[n - 1]) + 1 : t->from;
    if (t->linked > n && t->head)
        rehash(t, t->mask + 1); /* same size: allocates nothing */
    if (t->linked > n)
        t->linked = n;
}

void ix_tail_drop_below(ix_tail *t, uint64_t idx)
{
    size_t k = 0;

    if (idx < t->from)
        idx = t->from;
    for (size_t i = 0; i < t->n; i++)
        if (IX_IDX(&t->post[i]) >= idx)
            t->post[k++] = t->post[i];
    t->n = k;
    t->from = idx;
    if (t->upto < idx)
        t->upto = idx;
    if (t->head)
        rehash(t, t->mask + 1); /* same size: allocates nothing */
    else
        t->linked = 0;
}

int ix_tail_find(ix_tail *t, uint64_t key,
                 int (*fn)(void *arg, const ix_post *p), void *arg)
{
    uint32_t i;
    int rc;

    if (t->n == 0)
        return 0;
    if (link_all(t) != 0)
        return YIMA_ENOMEM;
    for (i = t->head[probe(t, key)]; i; i = t->prev[i - 1])
        if ((rc = fn(arg, &t->post[i - 1])) != 0)
            return rc;
    return 0;
}

int ix_post_cmp(const ix_post *a, const ix_post *b)
{
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->idx_role > b->idx_role) - (a->idx_role < b->idx_role);
}

static int cmp_post(const void *a, const void *b)
{
    return ix_post_cmp(a, b);
}

#define RADIX_BITS 11
#define RADIX      (1u << RADIX_BITS)

/*
 * Sort n postings by key into order, stable, through tmp (room for n):
 * least significant digit first, RADIX_BITS of the 63-bit key a pass. A
 * flush sorts about two million postings, and qsort() with a compare
 * function took a few hundred milliseconds of them, on the thread that
 * stores; six counting passes take a fraction. The sorted postings end in
 * `p` (tmp is scratch).
 */
static void sort_by_key(ix_post *p, ix_post *tmp, size_t n)
{
    size_t *count = calloc(RADIX, sizeof *count);
    ix_post *from = p, *to = tmp;

    if (!count) { /* no room for the counts: qsort() needs none */
        qsort(p, n, sizeof *p, cmp_post);
        return;
    }
    for (unsigned shift = 0; shift < 63; shift += RADIX_BITS) {
        size_t sum = 0;

        memset(count, 0, RADIX * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[from[i].key >> shift & (RADIX - 1)]++;
        for (size_t d = 0; d < RADIX; d++) {
            size_t c = count[d];

            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            to[count[from[i].key >> shift & (RADIX - 1)]++] = from[i];
        from = to;
        to = to == tmp ? p : tmp;
    }
    if (from != p)
        memcpy(p, from, n * sizeof *p);
    free(count);
}

ix_post *ix_tail_sorted(const ix_tail *t, size_t *n)
{
    ix_post *p, *tmp;

    *n = t->n;
    if (t->n == 0 || !(p = malloc(t->n * sizeof *p)))
        return NULL;
    memcpy(p, t->post, t->n * sizeof *p);
    if (!(tmp = malloc(t->n * sizeof *tmp))) {
        qsort(p, t->n, sizeof *p, cmp_post);
        return p;
    }
    sort_by_key(p, tmp, t->n);
    free(tmp);
    /* Postings were added by event, so a key's are by event now; put the
     * roles of one event in order too (and any run that is not, whole). */
    for (size_t i = 0, j; i < t->n; i = j) {
        bool sorted = true;

        for (j = i + 1; j < t->n && p[j].key == p[i].key; j++)
            sorted &= p[j - 1].idx_role <= p[j].idx_role;
        if (!sorted)
            qsort(p + i, j - i, sizeof *p, cmp_post);
    }
    return p;
}

static void put64(uint8_t *out, uint64_t v)
{
    for (int i = 0; i < 8; i++, v >>= 8)
        out[i] = (uint8_t)v;
}

static uint64_t get64(const uint8_t *in)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--)
        v = v << 8 | in[i];
    return v;
}

void ix_post_encode(const ix_post *p, uint8_t out[16])
{
    put64(out, p->key);
    put64(out + 8, p->idx_role);
}

void ix_post_decode(const uint8_t in[16], ix_post *p)
{
    p->key = get64(in);
    p->idx_role = get64(in + 8);
}
