/*
 * fuzz_scheme.h - shared body of the per-scheme fuzz targets: feeds the
 * bytes, NUL-terminated as code.c would, straight to one scheme parser so
 * the fuzzer's effort is not spent on the dispatcher's choices.
 */
#ifndef YIMA_FUZZ_SCHEME_H
#define YIMA_FUZZ_SCHEME_H

#include <stdint.h>
#include <string.h>

#include "code/code_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_SCHEME(CALL)                                                      \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)               \
    {                                                                          \
        char s[YIMA_CODE_INPUT_MAX + 1];                                       \
        yima_code out;                                                         \
        yima_error err;                                                        \
        size_t n = size > YIMA_CODE_INPUT_MAX ? YIMA_CODE_INPUT_MAX : size;    \
        memcpy(s, data, n);                                                    \
        s[n] = '\0';                                                           \
        n = strlen(s);                                                         \
        memset(&out, 0, sizeof out);                                           \
        (void)(CALL);                                                          \
        return 0;                                                              \
    }

#endif /* YIMA_FUZZ_SCHEME_H */
