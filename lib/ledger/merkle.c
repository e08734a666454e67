/*
 * merkle.c - the ledger handle over a hash store: the stored-hash numbering,
 * appending leaves, and the root hash at any size.
 *
 * The tree is never held in memory. Appending keeps a "right edge": the
 * hashes of the complete subtrees the new leaves will merge with, which are
 * the lowest ones of the decomposition of the size into powers of two (size
 * 13 = 8 + 4 + 1 is the subtrees over leaves 0..7, 8..11 and 12). Adding a
 * leaf then works like incrementing a binary counter: the new leaf merges
 * with the edge while the edge's last subtree has its height, and every hash
 * made on the way is a new stored hash, in stored-index order.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "ledger_int.h"

uint64_t yima_ledger_stored_count(uint64_t size)
{
    assert(size <= YIMA_LEDGER_SIZE_MAX);
    return 2 * size - (uint64_t)__builtin_popcountll(size);
}

/*
 * The hash at (level, k) is made while appending leaf (k+1)*2^level - 1, as
 * the (level+1)-th hash of that append (the leaf hash is the first).
 */
uint64_t yima_ledger_stored_index(unsigned level, uint64_t k)
{
    assert(level < 63);
    return yima_ledger_stored_count(((k + 1) << level) - 1) + level;
}

uint64_t ledger_split(uint64_t n)
{
    assert(n >= 2);
    return 1ull << (63 - __builtin_clzll(n - 1));
}

int yima_ledger_open(const yima_ledger_store *store, yima_ledger **out)
{
    yima_ledger *lg;

    assert(store && store->size && store->read && store->append && out);
    *out = NULL;
    lg = calloc(1, sizeof *lg);
    if (!lg)
        return YIMA_ENOMEM;
    lg->store = *store;
    lg->md = EVP_MD_CTX_new();
    if (!lg->md) {
        free(lg);
        return YIMA_ENOMEM;
    }
    *out = lg;
    return 0;
}

void yima_ledger_close(yima_ledger *lg)
{
    if (!lg)
        return;
    EVP_MD_CTX_free(lg->md);
    free(lg);
}

int ledger_cur_size(yima_ledger *lg, uint64_t *size)
{
    int rc = lg->store.size(lg->store.ctx, size);

    if (rc == 0 && *size > YIMA_LEDGER_SIZE_MAX)
        return YIMA_EIO; /* the store is corrupt */
    return rc;
}

int yima_ledger_size(yima_ledger *lg, uint64_t *size)
{
    assert(lg && size);
    return ledger_cur_size(lg, size);
}

int ledger_read(yima_ledger *lg, const uint64_t *index, size_t n,
                uint8_t (*out)[HASH_LEN])
{
    assert(n <= YIMA_LEDGER_TILE_WIDTH);
    if (n == 0)
        return 0;
    return lg->store.read(lg->store.ctx, index, n, out);
}

int ledger_range_hash(yima_ledger *lg, uint64_t lo, uint64_t hi,
                      uint8_t out[HASH_LEN])
{
    uint64_t idx[64], n = hi - lo, off = lo;
    uint8_t h[64][HASH_LEN];
    size_t cnt = 0;
    int rc;

    assert(lo <= hi);
    if (n == 0) /* the empty tree: SHA-256 of nothing */
        return EVP_Digest("", 0, out, NULL, EVP_sha256(), NULL) == 1
                   ? 0
                   : YIMA_ENOMEM;
    /* lo is aligned, so each power of two of n, largest first, is a stored
     * subtree. */
    for (int level = 63; level >= 0; level--) {
        if (!(n >> level & 1))
            continue;
        assert((off & ((1ull << level) - 1)) == 0);
        idx[cnt++] = yima_ledger_stored_index((unsigned)level, off >> level);
        off += 1ull << level;
    }
    if ((rc = ledger_read(lg, idx, cnt, h)) != 0)
        return rc;
    /* Fold right to left: the smaller subtrees sit on the right. */
    memcpy(out, h[cnt - 1], HASH_LEN);
    for (size_t i = cnt - 1; i-- > 0;)
        if ((rc = ledger_node_hash(lg->md, h[i], out, out)) != 0)
            return rc;
    return 0;
}

int yima_ledger_append_leaf_hashes(yima_ledger *lg,
                                   const uint8_t (*leaf)[YIMA_LEDGER_HASH_LEN],
                                   size_t n, uint64_t *first)
{
    uint8_t edge[64][HASH_LEN], (*made)[HASH_LEN] = NULL;
    unsigned edge_level[64];
    uint64_t idx[64], size, want;
    size_t depth = 0, nmade = 0;
    int rc;

    assert(lg && (leaf || n == 0));
    if ((rc = ledger_cur_size(lg, &size)) != 0)
        return rc;
    if (first)
        *first = size;
    if (n == 0)
        return 0;
    if (n > YIMA_LEDGER_SIZE_MAX - size)
        return YIMA_ETOOBIG;

    /* The right edge, largest subtree first, but only the subtrees that
     * will merge: the one at `level` does once the leaf count reaches the
     * next multiple of 2^(level+1). Those are always the lowest ones. */
    for (int level = 62; level >= 0; level--) {
        uint64_t next = ((size >> (level + 1)) + 1) << (level + 1);

        if (!(size >> level & 1) || next > size + n)
            continue;
        edge_level[depth] = (unsigned)level;
        idx[depth++] =
            yima_ledger_stored_index((unsigned)level, (size >> level) - 1);
    }
    if ((rc = ledger_read(lg, idx, depth, edge)) != 0)
        return rc;

    want = yima_ledger_stored_count(size + n) - yima_ledger_stored_count(size);
    if (want > SIZE_MAX / sizeof *made)
        return YIMA_ENOMEM;
    made = malloc((size_t)want * sizeof *made);
    if (!made)
        return YIMA_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        unsigned level = 0;

        memcpy(made[nmade++], leaf[i], HASH_LEN);
        while (depth > 0 && edge_level[depth - 1] == level) {
            uint8_t *h = made[nmade];

            rc = ledger_node_hash(lg->md, edge[depth - 1], made[nmade - 1], h);
            if (rc != 0)
                goto out;
            nmade++;
            depth--;
            level++;
        }
        memcpy(edge[depth], made[nmade - 1], HASH_LEN);
        edge_level[depth++] = level;
    }
    assert(nmade == want);
    rc = lg->store.append(lg->store.ctx, size, size + n,
                          yima_ledger_stored_count(size),
                          (const uint8_t(*)[HASH_LEN])made, nmade);
out:
    free(made);
    return rc;
}

int yima_ledger_append(yima_ledger *lg, const void *entry, size_t len,
                       uint64_t *index)
{
    uint8_t h[1][HASH_LEN];
    int rc;

    assert(lg && (entry || len == 0));
    if ((rc = ledger_leaf_hash(lg->md, entry, len, h[0])) != 0)
        return rc;
    return yima_ledger_append_leaf_hashes(lg, (const uint8_t(*)[HASH_LEN])h, 1,
                                          index);
}

int yima_ledger_root(yima_ledger *lg, uint64_t size,
                     uint8_t out[YIMA_LEDGER_HASH_LEN], yima_error *err)
{
    uint64_t cur;
    int rc;

    assert(lg && out);
    if ((rc = ledger_cur_size(lg, &cur)) != 0)
        return rc;
    if (size > cur)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "tree size %llu is beyond the ledger's %llu "
                              "leaves",
                              (unsigned long long)size,
                              (unsigned long long)cur);
    return ledger_range_hash(lg, 0, size, out);
}
