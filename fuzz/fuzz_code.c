/*
 * fuzz_code.c - fuzz target: yima_code_parse on any bytes, then the JSON
 * writer on the result. Catches crashes, overflows and UB in every scheme
 * parser reached through the dispatcher.
 */
#include <stdint.h>
#include <stddef.h>

#include "yima/code.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    yima_code code;
    yima_error err;
    yima_code_opts opts = {.gcp_length = size ? 6 + data[0] % 7 : 0};
    yima_buf out;
    int rc;

    rc = yima_code_parse((const char *)data, size, &opts, &code, &err);
    yima_buf_init(&out, 1 << 16);
    yima_code_to_json(&out, (const char *)data, size, &code,
                      rc == 0 ? NULL : &err);
    yima_buf_free(&out);
    return 0;
}
