/*
 * index_tail.c - the code index's in-memory tail (see index.h): postings
 * in the order added (in run order after a sort), chained per key from a
 * power-of-two hash table, so adding one is a store and finding a key's
 * postings reads only them. The chains are linked at the first look-up after
 * postings were added: an import adds millions and looks up none, and linking
 * each as it came cost two cache misses a posting on the thread that stores.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "yima/error.h"
#include "yima/mem.h"
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

        /* Past a huge page, straight to room for a flush's worth: memory
         * not yet written costs nothing, each copy of the array did (a
         * bulk import copied 32 MB on the way to its first flush). */
        if (alloc * sizeof *post > YIMA_HUGE_PAGE &&
            alloc < IX_FLUSH + IX_FLUSH / 4)
            alloc = IX_FLUSH + IX_FLUSH / 4;

        if (t->n >= TAIL_MAX)
            return YIMA_ENOMEM;
        if (alloc > TAIL_MAX)
            alloc = TAIL_MAX;
        if (!(post = yima_mem_grow(t->post, t->n * sizeof *post,
                                   alloc * sizeof *post)))
            return YIMA_ENOMEM;
        t->post = post;
        if (!(prev = yima_mem_grow(t->prev, t->linked * sizeof *prev,
                                   alloc * sizeof *prev)))
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

void ix_tail_truncate(ix_tail *t, size_t n, uint64_t upto)
{
    if (n >= t->n)
        return;
    t->n = n;
    t->upto = upto;
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

#define TOP_BITS 11 /* digits of the key sorted by radix, the top one */
#define SUB_BITS 8  /* and the next */
#define SMALL    48 /* postings sorted by insertion */
#define SCRATCH_MIN 65536 /* postings worth a scratch array to sort */

/* Sort n postings nearly in order by insertion, giving up (false) past
 * `budget` moves: the caller then sorts what it left, a permutation. */
static bool settle(ix_post *p, size_t n, size_t budget)
{
    for (size_t i = 1; i < n; i++) {
        ix_post x = p[i];
        size_t j = i;

        for (; j > 0 && ix_post_cmp(&x, &p[j - 1]) < 0; j--)
            p[j] = p[j - 1];
        p[j] = x;
        if (i - j > budget)
            return false;
        budget -= i - j;
    }
    return true;
}

static void insertion_sort(ix_post *p, size_t n)
{
    settle(p, n, SIZE_MAX);
}

/* Count the n postings at p into the buckets of their keys' `bits` bits
 * at `shift`: bucket d will be [start[d], start[d + 1]); next[d] =
 * start[d]. */
static void count_buckets(const ix_post *p, size_t n, unsigned shift,
                          unsigned bits, size_t *start, size_t *next)
{
    const size_t radix = (size_t)1 << bits, mask = radix - 1;

    memset(start, 0, (radix + 1) * sizeof *start);
    for (size_t i = 0; i < n; i++)
        start[(p[i].key >> shift & mask) + 1]++;
    for (size_t d = 0; d < radix; d++) {
        start[d + 1] += start[d];
        next[d] = start[d];
    }
}

/* Put the n postings at p in the buckets of their keys' `bits` bits at
 * `shift`, in place: count, then move every posting straight to its
 * bucket's next free slot, taking the one it displaces along. Bucket d
 * ends as [start[d], start[d + 1]). */
static void distribute(ix_post *p, size_t n, unsigned shift, unsigned bits,
                       size_t *start, size_t *next)
{
    const size_t radix = (size_t)1 << bits, mask = radix - 1;

    count_buckets(p, n, shift, bits, start, next);
    for (size_t d = 0; d < radix; d++)
        while (next[d] < start[d + 1]) {
            ix_post x = p[next[d]];
            size_t b = x.key >> shift & mask;

            while (b != d) {
                ix_post y = p[next[b]];

                p[next[b]++] = x;
                x = y;
                b = x.key >> shift & mask;
            }
            p[next[d]++] = x;
        }
}

/* Sort the n postings at p by comparison: insertion for a few, else
 * qsort() (a large group is nearly always one key's postings). */
static void sort_small(ix_post *p, size_t n)
{
    if (n <= SMALL)
        insertion_sort(p, n);
    else
        qsort(p, n, sizeof *p, cmp_post);
}

void ix_post_sort_in_place(ix_post *post, size_t count)
{
    size_t top[(1u << TOP_BITS) + 1], tnext[1u << TOP_BITS];
    size_t sub[(1u << SUB_BITS) + 1], snext[1u << SUB_BITS];
    const unsigned shift = 63 - TOP_BITS;

    distribute(post, count, shift, TOP_BITS, top, tnext);
    for (size_t d = 0; d < (1u << TOP_BITS); d++) {
        ix_post *p = post + top[d];
        size_t n = top[d + 1] - top[d];

        if (n <= SMALL) {
            insertion_sort(p, n);
            continue;
        }
        distribute(p, n, shift - SUB_BITS, SUB_BITS, sub, snext);
        for (size_t e = 0; e < (1u << SUB_BITS); e++)
            sort_small(p + sub[e], sub[e + 1] - sub[e]);
    }
}

/* Copy the n postings at src to dst by their keys' `bits` bits at `shift`,
 * keeping their order within a bucket; bucket d is [start[d],
 * start[d + 1]) of dst. */
static void spread(const ix_post *src, ix_post *dst, size_t n, unsigned shift,
                   unsigned bits, size_t *start, size_t *next)
{
    const size_t mask = ((size_t)1 << bits) - 1;

    count_buckets(src, n, shift, bits, start, next);
    for (size_t i = 0; i < n; i++)
        dst[next[src[i].key >> shift & mask]++] = src[i];
}

/* One thread's part of a sort through the scratch array (ix_tail_sort):
 * first count the top digits of postings [from, to), then copy them to the
 * scratch array at next[], then sort buckets [d0, d1) back. */
typedef struct sort_part {
    ix_post *post, *scratch;
    size_t from, to;                    /* postings of the first two steps */
    size_t next[(1u << TOP_BITS) + 1];  /* counts, then where to copy to */
    const size_t *top;                  /* the buckets, for the last step */
    size_t d0, d1;
    int step;
} sort_part;

static void *sort_step(void *arg)
{
    sort_part *a = arg;
    const unsigned shift = 63 - TOP_BITS;
    const size_t mask = ((size_t)1 << TOP_BITS) - 1;
    size_t sub[(1u << SUB_BITS) + 1], snext[1u << SUB_BITS];

    switch (a->step) {
    case 0:
        memset(a->next, 0, sizeof a->next);
        for (size_t i = a->from; i < a->to; i++)
            a->next[a->post[i].key >> shift & mask]++;
        break;
    case 1:
        for (size_t i = a->from; i < a->to; i++)
            a->scratch[a->next[a->post[i].key >> shift & mask]++] = a->post[i];
        break;
    default:
        for (size_t d = a->d0; d < a->d1; d++) {
            ix_post *p = a->post + a->top[d];

            spread(a->scratch + a->top[d], p, a->top[d + 1] - a->top[d],
                   shift - SUB_BITS, SUB_BITS, sub, snext);
            for (size_t e = 0; e < (1u << SUB_BITS); e++) {
                size_t n = sub[e + 1] - sub[e];

                if (n > 1 && !settle(p + sub[e], n, 4 * n + SMALL * SMALL))
                    qsort(p + sub[e], n, sizeof *p, cmp_post);
            }
        }
        break;
    }
    return NULL;
}

/* Step `step` of both parts: the second on a thread of its own when one
 * starts (else here), the first here. */
static void both(sort_part *a, sort_part *b, int step)
{
    pthread_t th;
    bool apart;

    a->step = b->step = step;
    apart = pthread_create(&th, NULL, sort_step, b) == 0;
    sort_step(a);
    if (apart)
        pthread_join(th, NULL);
    else
        sort_step(b);
}

/*
 * Sorted most significant digit first, by the key's top TOP_BITS bits
 * into a scratch array, each bucket (about n / 2048 postings, in cache)
 * back by the next SUB_BITS, and what is left by insertion. Both passes
 * keep the order postings were added in, which is by event (an event's
 * roles in the order its codes came): what is left is a few postings of
 * different keys (SipHashes) or one key's many postings of many events
 * (a read point's, a product's), nearly in order either way. A group that
 * is not (keys that share the radix bits, interleaved) is sorted by
 * qsort() once insertion has made too many moves.
 *
 * The scratch array is as large as the tail (32 MB for a flush) and taken
 * in huge pages: in small pages its first writes were most of the sort's
 * time on a virtual machine, and in huge pages they still are a third of
 * it. So two threads share the work (a flush at close has the machine to
 * itself): each counts and copies half of the tail, the second half's
 * postings going after the first's in every bucket (the order stays),
 * then each sorts back the buckets of about half the postings. Without
 * the scratch array (a short tail, or no memory) the tail is sorted in
 * place (ix_post_sort_in_place).
 */
void ix_tail_sort(ix_tail *t)
{
    size_t top[(1u << TOP_BITS) + 1], d = 0;
    sort_part *part = NULL;
    ix_post *scratch = NULL;

    t->linked = 0; /* positions move: chains are relinked when needed */
    if (t->head)
        memset(t->head, 0, (t->mask + 1) * sizeof *t->head);
    if (t->n >= SCRATCH_MIN && (part = calloc(2, sizeof *part)) != NULL)
        scratch = yima_mem_huge(t->n * sizeof *scratch);
    if (!scratch) {
        free(part);
        ix_post_sort_in_place(t->post, t->n);
        return;
    }
    for (int k = 0; k < 2; k++)
        part[k] = (sort_part){.post = t->post,
                              .scratch = scratch,
                              .from = k ? t->n / 2 : 0,
                              .to = k ? t->n : t->n / 2,
                              .top = top};
    both(&part[0], &part[1], 0);
    /* Bucket b: the first half's postings, then the second's. */
    top[0] = 0;
    for (size_t b = 0; b < (1u << TOP_BITS); b++) {
        size_t c0 = part[0].next[b], c1 = part[1].next[b];

        part[0].next[b] = top[b];
        part[1].next[b] = top[b] + c0;
        top[b + 1] = top[b] + c0 + c1;
    }
    both(&part[0], &part[1], 1);
    while (d < (1u << TOP_BITS) && top[d] < t->n / 2)
        d++;
    part[0].d0 = 0;
    part[0].d1 = part[1].d0 = d;
    part[1].d1 = 1u << TOP_BITS;
    both(&part[0], &part[1], 2);
    free(scratch);
    free(part);
}
