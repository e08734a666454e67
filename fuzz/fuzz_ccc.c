/* fuzz_ccc.c - fuzz target: the ccc parser alone (see fuzz_scheme.h). */
#include "fuzz_scheme.h"

FUZZ_SCHEME(code_parse_ccc(s, n, &out, &err))
