/*
 * fuzz_epcis_read.c - fuzz target: the EPCIS 2.0 readers (document and
 * NDJSON, strict and --proceed) with the validator and canonical writer
 * behind them, on any bytes.
 */
#include <stdint.h>
#include <stddef.h>

#include "yima/epcis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    yima_event_batch *b = NULL;
    yima_error err;
    int flags = size ? data[0] & 3 : 0;

    if (yima_epcis_read((const char *)data, size, flags, &b, &err) == 0) {
        /* what was read must write back */
        size_t n = yima_event_batch_count(b);
        yima_buf out;
        yima_buf_init(&out, 1 << 24);
        for (size_t i = 0; i < n; i++) {
            const yima_event *e = yima_event_batch_get(b, i);
            yima_epcis_write_ndjson(&out, &e->json, &e->json_len, 1);
        }
        yima_buf_free(&out);
    }
    yima_event_batch_free(b);
    b = NULL;
    if (yima_epcis_read_ndjson((const char *)data, size, flags, &b, &err) == 0)
        yima_event_batch_free(b);
    return 0;
}
