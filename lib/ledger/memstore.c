/*
 * memstore.c - the in-memory hash store: one growable array indexed by
 * stored-hash index (see yima/ledger.h), with counters of hashes read and
 * written so tests and benchmarks can see what a persistent store would pay.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "ledger_int.h"

struct yima_ledger_memstore {
    uint8_t (*hash)[HASH_LEN];
    uint64_t count; /* hashes stored */
    uint64_t alloc; /* hashes allocated */
    uint64_t size;  /* leaves */
    uint64_t reads, writes;
};

int yima_ledger_memstore_open(yima_ledger_memstore **out)
{
    assert(out);
    *out = calloc(1, sizeof **out);
    return *out ? 0 : YIMA_ENOMEM;
}

void yima_ledger_memstore_close(yima_ledger_memstore *ms)
{
    if (!ms)
        return;
    free(ms->hash);
    free(ms);
}

static int ms_size(void *ctx, uint64_t *size)
{
    yima_ledger_memstore *ms = ctx;

    *size = ms->size;
    return 0;
}

static int ms_read(void *ctx, const uint64_t *index, size_t n,
                   uint8_t (*out)[YIMA_LEDGER_HASH_LEN])
{
    yima_ledger_memstore *ms = ctx;

    for (size_t i = 0; i < n; i++) {
        if (index[i] >= ms->count)
            return YIMA_ENOTFOUND;
        memcpy(out[i], ms->hash[index[i]], HASH_LEN);
    }
    ms->reads += n;
    return 0;
}

static int ms_append(void *ctx, uint64_t old_size, uint64_t new_size,
                     uint64_t first,
                     const uint8_t (*hash)[YIMA_LEDGER_HASH_LEN], size_t n)
{
    yima_ledger_memstore *ms = ctx;
    uint64_t need = ms->count + n;

    if (old_size != ms->size || first != ms->count || new_size < old_size ||
        new_size > YIMA_LEDGER_SIZE_MAX ||
        need != yima_ledger_stored_count(new_size))
        return YIMA_EUSAGE;
    if (need > ms->alloc) {
        uint64_t alloc = ms->alloc ? ms->alloc : 1024;
        void *p;

        while (alloc < need)
            alloc *= 2;
        if (alloc > SIZE_MAX / HASH_LEN ||
            !(p = realloc(ms->hash, (size_t)alloc * HASH_LEN)))
            return YIMA_ENOMEM;
        ms->hash = p;
        ms->alloc = alloc;
    }
    if (n > 0)
        memcpy(ms->hash[ms->count], hash, n * HASH_LEN);
    ms->count = need;
    ms->size = new_size;
    ms->writes += n;
    return 0;
}

void yima_ledger_memstore_bind(yima_ledger_memstore *ms, yima_ledger_store *out)
{
    assert(ms && out);
    out->ctx = ms;
    out->size = ms_size;
    out->read = ms_read;
    out->append = ms_append;
}

int yima_ledger_memstore_truncate(yima_ledger_memstore *ms, uint64_t size)
{
    assert(ms);
    if (size > ms->size)
        return YIMA_EINVAL;
    ms->size = size;
    ms->count = yima_ledger_stored_count(size);
    return 0;
}

void yima_ledger_memstore_stats(const yima_ledger_memstore *ms, uint64_t *reads,
                                uint64_t *writes)
{
    assert(ms);
    if (reads)
        *reads = ms->reads;
    if (writes)
        *writes = ms->writes;
}
