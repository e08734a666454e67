/*
 * fuzz_pack.c - fuzz target: the store's packed columns (lib/store/pack.c).
 * Unpacking reads bytes from the database file, which anyone holding the
 * file may have written: it must fail cleanly, never overrun. Packing must
 * give back exactly what went in.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static yima_packer *p; /* one for the whole run */
    yima_buf in, out;

    if (!p && !(p = yima_packer_new()))
        abort();
    yima_buf_init(&in, SIZE_MAX);
    yima_buf_init(&out, PACK_MAX);
    /* The bytes as a stored value of either column. */
    for (int tag = 0; tag < 2; tag++) {
        yima_buf_reset(&in);
        yima_buf_putc(&in, (char)(tag ? PACK_CODES_1 : PACK_JSON_1));
        yima_buf_add(&in, data, size);
        if (store_unpack(p, in.data, in.len, &out) == 0 && out.len > PACK_MAX)
            abort();
    }
    /* The bytes as an event's JSON to store: back as they went. */
    if (size <= PACK_MAX) {
        yima_buf_reset(&in);
        if (store_pack_json(p, (const char *)data, size, &in) != 0 ||
            !store_packed_json(in.data, in.len) ||
            store_unpack(p, in.data, in.len, &out) != 0 || out.len != size ||
            (size && memcmp(out.data, data, size) != 0))
            abort();
    }
    yima_buf_free(&in);
    yima_buf_free(&out);
    return 0;
}
