/*
 * batch.c - a set of events read from one input: the events, the rejects,
 * and one arena that holds every string and code list they point to, so a
 * batch is freed in one call and no field is freed on its own.
 */
#include <assert.h>
#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "epcis_int.h"
#include "yima/mem.h"

#define BLOCK_BYTES 65536 /* a block, header included */
#define SLAB_MAX    32    /* huge pages cut into blocks: 64 MiB */

/* One block of the arena; memory follows the header. */
typedef struct block {
    struct block *next;
    size_t used, size;
    bool kept; /* cut from a slab: back to the spare list when freed */
    alignas(max_align_t) unsigned char mem[];
} block;

#define BLOCK_SIZE (BLOCK_BYTES - offsetof(block, mem))

/*
 * Blocks of freed batches, kept for the next batches to fill. An import
 * reads batch after batch of a few megabytes each; freed, their blocks went
 * back to the system, and every page of the next batch's blocks cost a
 * page fault when first written (a fifth of a reader's time on a virtual
 * machine). Kept, they are written warm. The kept blocks are cut from huge
 * pages (yima/mem.h), so even the first batches fault once per 2 MB, not
 * once per 4 KB; SLAB_MAX of them at most, for the life of the process.
 * Past that, blocks come from malloc() and go back to it. Shared by every
 * thread.
 */
static pthread_mutex_t spare_mu = PTHREAD_MUTEX_INITIALIZER;
static block *spare;
static unsigned char *slab; /* the huge page being cut */
static size_t slab_used, n_slabs;

/* Event arrays of freed batches, for the next batches (spare_mu): a piece
 * of an import holds about a thousand events, 176 KB of array grown by
 * realloc() into fresh memory, every page a fault, for every piece. */
#define SPARE_EV     8    /* arrays kept */
#define SPARE_EV_MAX 4096 /* events an array kept holds at most */
static struct {
    yima_event *v;
    size_t cap;
} spare_ev[SPARE_EV];
static size_t n_spare_ev;

/* A block cut from a slab, or NULL (spare_mu held). */
static block *block_cut(void)
{
    block *k;

    if (!slab || slab_used == YIMA_HUGE_PAGE) {
        if (n_slabs == SLAB_MAX || !(slab = yima_mem_huge(YIMA_HUGE_PAGE)))
            return NULL;
        n_slabs++;
        slab_used = 0;
    }
    k = (block *)(slab + slab_used);
    slab_used += BLOCK_BYTES;
    k->kept = true;
    return k;
}

static block *block_new(size_t size)
{
    block *k = NULL;

    if (size == BLOCK_SIZE) {
        pthread_mutex_lock(&spare_mu);
        if ((k = spare) != NULL)
            spare = k->next;
        else
            k = block_cut();
        pthread_mutex_unlock(&spare_mu);
    }
    if (!k) {
        if (!(k = malloc(offsetof(block, mem) + size)))
            return NULL;
        k->kept = false;
    }
    k->used = 0;
    k->size = size;
    return k;
}

/* Free a chain of blocks: those cut from slabs are kept for later
 * batches. */
static void blocks_free(block *k)
{
    block *next;

    pthread_mutex_lock(&spare_mu);
    for (; k; k = next) {
        next = k->next;
        if (k->kept) {
            k->next = spare;
            spare = k;
        } else {
            free(k);
        }
    }
    pthread_mutex_unlock(&spare_mu);
}

struct yima_event_batch {
    block *blocks; /* the newest first */
    yima_event *ev;
    size_t n, cap;
    yima_epcis_reject *rej;
    size_t nrej, caprej;
};

yima_event_batch *epcis_batch_new(void)
{
    return calloc(1, sizeof(yima_event_batch));
}

void *epcis_batch_alloc(yima_event_batch *b, size_t n)
{
    const size_t align = alignof(max_align_t);
    block *k;

    assert(b);
    n = (n + align - 1) / align * align;
    if (n == 0)
        n = align;
    k = b->blocks;
    if (!k || k->size - k->used < n) {
        if (!(k = block_new(n > BLOCK_SIZE ? n : BLOCK_SIZE)))
            return NULL;
        k->next = b->blocks;
        b->blocks = k;
    }
    k->used += n;
    return k->mem + k->used - n;
}

char *epcis_batch_strdup(yima_event_batch *b, const char *s, size_t n)
{
    char *p;

    assert(b && (s || n == 0));
    if (n == SIZE_MAX || !(p = epcis_batch_alloc(b, n + 1)))
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* Make room for one more item of size sz in *v (n used of *cap). */
static int grow(void **v, size_t n, size_t *cap, size_t sz)
{
    void *nv;
    size_t c;

    if (n < *cap)
        return 0;
    c = *cap ? *cap * 2 : 16;
    if (!(nv = realloc(*v, c * sz)))
        return YIMA_ENOMEM;
    *v = nv;
    *cap = c;
    return 0;
}

/* Room for one more event in b: a kept array first. */
static int grow_ev(yima_event_batch *b)
{
    if (b->cap == 0) {
        pthread_mutex_lock(&spare_mu);
        if (n_spare_ev > 0) {
            n_spare_ev--;
            b->ev = spare_ev[n_spare_ev].v;
            b->cap = spare_ev[n_spare_ev].cap;
        }
        pthread_mutex_unlock(&spare_mu);
    }
    return grow((void **)&b->ev, b->n, &b->cap, sizeof *b->ev);
}

/* Keep b's event array for a later batch, or free it. */
static void drop_ev(yima_event_batch *b)
{
    if (b->cap && b->cap <= SPARE_EV_MAX) {
        pthread_mutex_lock(&spare_mu);
        if (n_spare_ev < SPARE_EV) {
            spare_ev[n_spare_ev].v = b->ev;
            spare_ev[n_spare_ev].cap = b->cap;
            n_spare_ev++;
            b->ev = NULL;
        }
        pthread_mutex_unlock(&spare_mu);
    }
    free(b->ev);
}

int epcis_batch_add(yima_event_batch *b, const yima_event *ev)
{
    assert(b && ev);
    if (grow_ev(b) != 0)
        return YIMA_ENOMEM;
    b->ev[b->n++] = *ev;
    return 0;
}

int epcis_batch_reject(yima_event_batch *b, size_t index, size_t line,
                       const epcis_fault *f, const char *msg)
{
    yima_epcis_reject *r;

    assert(b && f && msg);
    if (grow((void **)&b->rej, b->nrej, &b->caprej, sizeof *b->rej) != 0)
        return YIMA_ENOMEM;
    r = &b->rej[b->nrej];
    r->index = index;
    r->line = line;
    r->code = f->code;
    r->field = epcis_batch_strdup(b, f->field, strlen(f->field));
    r->reason = epcis_batch_strdup(b, f->reason, strlen(f->reason));
    r->msg = epcis_batch_strdup(b, msg, strlen(msg));
    if (!r->field || !r->reason || !r->msg)
        return YIMA_ENOMEM;
    b->nrej++;
    return 0;
}

size_t yima_event_batch_count(const yima_event_batch *b)
{
    return b ? b->n : 0;
}

const yima_event *yima_event_batch_get(const yima_event_batch *b, size_t i)
{
    return b && i < b->n ? &b->ev[i] : NULL;
}

size_t yima_event_batch_rejects(const yima_event_batch *b,
                                const yima_epcis_reject **out)
{
    assert(out);
    *out = b && b->nrej ? b->rej : NULL;
    return b ? b->nrej : 0;
}

void yima_event_batch_free(yima_event_batch *b)
{
    if (!b)
        return;
    blocks_free(b->blocks);
    drop_ev(b);
    free(b->rej);
    free(b);
}
