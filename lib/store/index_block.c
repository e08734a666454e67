/*
 * index_block.c - the bytes of a code-index run's block (index_blocks.data):
 * writing postings in run order, and reading them back in either format
 * (index.h, "Run blocks").
 */
#include <string.h>

#include "index.h"

/* ---- Format 1: 16 bytes a posting --------------------------------------- */

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

/* ---- Format 2: deltas as varints ----------------------------------------- */

static size_t put_varint(uint8_t *out, uint64_t v)
{
    size_t n = 0;

    for (; v >= 0x80; v >>= 7)
        out[n++] = (uint8_t)(v | 0x80);
    out[n++] = (uint8_t)v;
    return n;
}

/* The varint at *p (before end), or false when it is cut short or does not
 * fit in 64 bits. */
static bool get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;

    for (unsigned shift = 0; *p < end && shift < 64; shift += 7) {
        uint8_t b = *(*p)++;

        if (shift == 63 && b > 1)
            return false;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return true;
        }
    }
    return false;
}

void ix_block_start(ix_block_writer *w, uint64_t first_key)
{
    w->key = first_key;
    w->idx_role = 0;
}

size_t ix_block_put(ix_block_writer *w, const ix_post *p,
                    uint8_t out[IX_POST_MAX])
{
    size_t n;

    if (p->key != w->key)
        w->idx_role = 0;
    n = put_varint(out, p->key - w->key);
    n += put_varint(out + n, p->idx_role - w->idx_role);
    w->key = p->key;
    w->idx_role = p->idx_role;
    return n;
}

/* ---- Reading either ------------------------------------------------------ */

bool ix_block_open(ix_block_reader *r, int format, uint64_t first_key,
                   const void *data, size_t len)
{
    *r = (ix_block_reader){.p = data,
                           .end = (const uint8_t *)data + len,
                           .format = format,
                           .key = first_key};
    if (len == 0)
        return false;
    if (format == IX_FORMAT_FIXED)
        return len % 16 == 0;
    return format == IX_FORMAT_DELTA;
}

int ix_block_next(ix_block_reader *r, ix_post *p)
{
    uint64_t dk, dr;

    if (r->p == r->end)
        return 0;
    if (r->format == IX_FORMAT_FIXED) {
        if (r->end - r->p < 16)
            return -1;
        ix_post_decode(r->p, p);
        r->p += 16;
        return 1;
    }
    if (!get_varint(&r->p, r->end, &dk) || !get_varint(&r->p, r->end, &dr))
        return -1;
    if (dk) {
        r->idx_role = 0;
        if (dk >= ((uint64_t)1 << 63) - r->key)
            return -1; /* past the largest key */
        r->key += dk;
    }
    if (dr > UINT64_MAX - r->idx_role)
        return -1;
    r->idx_role += dr;
    p->key = r->key;
    p->idx_role = r->idx_role;
    return 1;
}
