/*
 * fuzz_index_block.c - fuzz target: a code-index run's blocks
 * (lib/store/index_block.c). They are read from the database file, which
 * anyone holding it may have written: reading must stop cleanly, never
 * overrun, and give keys below 2^63 in run order; what it gives, written
 * again, must read back the same.
 *
 * Input: a byte choosing the format (odd: 16-byte postings), 8 bytes of
 * first key, then the block.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { MAX = 4096 };
    static ix_post post[MAX], again;
    static uint8_t blk[MAX * IX_POST_MAX];
    ix_block_reader r;
    ix_block_writer w;
    uint64_t first = 0;
    size_t n = 0, len = 0;
    int format, rc;

    if (size < 9)
        return 0;
    format = data[0] & 1 ? IX_FORMAT_FIXED : IX_FORMAT_DELTA;
    for (int i = 8; i >= 1; i--)
        first = first << 8 | data[i];
    first &= ((uint64_t)1 << 63) - 1;
    if (!ix_block_open(&r, format, first, data + 9, size - 9))
        return 0;
    while (n < MAX && (rc = ix_block_next(&r, &post[n])) == 1) {
        if (format == IX_FORMAT_DELTA &&
            (post[n].key >> 63 ||
             (n && ix_post_cmp(&post[n - 1], &post[n]) > 0)))
            abort(); /* out of range or out of order */
        n++;
    }
    if (format == IX_FORMAT_FIXED || n == 0)
        return 0;
    ix_block_start(&w, post[0].key);
    for (size_t i = 0; i < n; i++)
        len += ix_block_put(&w, &post[i], blk + len);
    if (!ix_block_open(&r, IX_FORMAT_DELTA, post[0].key, blk, len))
        abort();
    for (size_t i = 0; i < n; i++)
        if (ix_block_next(&r, &again) != 1 ||
            memcmp(&again, &post[i], sizeof again) != 0)
            abort();
    if (ix_block_next(&r, &again) != 0)
        abort();
    return 0;
}
