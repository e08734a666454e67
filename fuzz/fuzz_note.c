/*
 * fuzz_note.c - fuzz target: signed-note and checkpoint verification, the
 * parsers an auditor points at text fetched from anywhere.
 */
#include <stdint.h>
#include <stddef.h>

#include "yima/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char vkey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t text_len;
    uint64_t tree_size;
    uint8_t root[YIMA_LEDGER_HASH_LEN];
    yima_error err;
    int level;
    uint64_t n;
    unsigned width;

    yima_ledger_note_verify(vkey, (const char *)data, size, &text_len, &err);
    yima_ledger_checkpoint_open(vkey, "example.com/ledger", (const char *)data,
                                size, &tree_size, root, &err);
    yima_ledger_tile_parse_path((const char *)data, size, &level, &n, &width);
    return 0;
}
