/*
 * fuzz_pack.c - fuzz target: the store's packed columns (lib/store/pack.c).
 * Unpacking reads bytes from the database file, which anyone holding the
 * file may have written: it must fail cleanly, never overrun. Packing must
 * give back exactly what went in, and sealing ahead must give the leaf hash
 * of the entry the store would build.
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
    static const unsigned char tags[] = {PACK_JSON_1, PACK_JSON_2,
                                         PACK_CODES_FRONT};
    yima_buf in, out;

    if (!p && !(p = yima_packer_new()))
        abort();
    yima_buf_init(&in, SIZE_MAX);
    yima_buf_init(&out, PACK_MAX);
    /* The bytes as a stored value of either column (JSON of either
     * dictionary). */
    for (size_t t = 0; t < sizeof tags; t++) {
        yima_buf_reset(&in);
        yima_buf_putc(&in, (char)tags[t]);
        yima_buf_add(&in, data, size);
        if (store_unpack(p, in.data, in.len, &out) == 0 && out.len > PACK_MAX)
            abort();
    }
    /* The bytes as codes (cut at NULs, roles from the bytes) and as an
     * event's JSON to store: back as they went. */
    if (size <= PACK_MAX / 2) {
        yima_event_code codes[64];
        yima_event ev = {.codes = codes};
        char *copy = malloc(size + 1);
        yima_buf plain;
        size_t at = 0;

        if (!copy)
            abort();
        memcpy(copy, data, size);
        copy[size] = '\0';
        yima_buf_init(&plain, SIZE_MAX);
        while (at <= size && ev.n_codes < 64) {
            size_t n = strlen(copy + at);

            codes[ev.n_codes].role = (yima_code_role)(1 + (n % 11));
            codes[ev.n_codes++].code = copy + at;
            yima_buf_putc(&plain, (char)(1 + (n % 11)));
            yima_buf_add(&plain, copy + at, n + 1);
            at += n + 1;
        }
        yima_buf_reset(&in);
        if (store_pack_codes(p, &ev, &in) != 0 ||
            !store_packed_codes(in.data, in.len) ||
            store_unpack(p, in.data, in.len, &out) != 0 ||
            out.len != plain.len || memcmp(out.data, plain.data, out.len) != 0)
            abort();
        yima_buf_free(&plain);
        free(copy);
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
    /* Sealed ahead (yima_packer_seal): the leaf hash of the very entry the
     * store would build for the bytes as JSON, for a recordTime from the
     * first bytes. */
    if (size >= 5 && size <= YIMA_EVENT_JSON_MAX) {
        yima_event ev = {.event_id = "urn:uuid:fuzz",
                         .json = (const char *)data,
                         .json_len = size};
        uint8_t leaf[YIMA_LEDGER_HASH_LEN];
        yima_store_packed pk;
        int64_t ms = 0;

        for (int i = 0; i < 5; i++)
            ms = ms << 8 | data[i]; /* up to 2004 */
        memcpy(ev.hash_id, "ni:///sha-256;", 14);
        memset(ev.hash_id + 14, 'a', 64);
        memcpy(ev.hash_id + 78, "?ver=CBV2.0", 12);
        yima_packer_seal(p, ms + 1);
        yima_buf_reset(&in);
        if (yima_store_pack(p, &ev, 1, &in, &pk) != 0 ||
            pk.record_time_ms != ms + 1 ||
            store_entry_make(&out, ev.json, size, ms + 1) != 0 ||
            yima_ledger_leaf_hash(out.data, out.len, leaf) != 0 ||
            memcmp(leaf, pk.leaf, sizeof leaf) != 0)
            abort();
        yima_packer_seal(p, 0);
    }
    yima_buf_free(&in);
    yima_buf_free(&out);
    return 0;
}
