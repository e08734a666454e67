/*
 * fuzz_epcis_hash.c - fuzz target: the EPCIS document walk and the CBV 2.0
 * pre-hash builder on any bytes.
 */
#include <stdint.h>
#include <stddef.h>

#include "yima/epcis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int each(void *arg, size_t index, const char *prehash, size_t len,
                const char *event_id)
{
    (void)arg, (void)index, (void)prehash, (void)len, (void)event_id;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    yima_error err;

    yima_epcis_hash_document((const char *)data, size, each, NULL, &err);
    return 0;
}
