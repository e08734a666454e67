/* fuzz_handle.c - fuzz target: the handle parser alone (see fuzz_scheme.h). */
#include "fuzz_scheme.h"

FUZZ_SCHEME(code_parse_handle(s, n, &out, &err))
