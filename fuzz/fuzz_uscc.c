/* fuzz_uscc.c - fuzz target: the uscc parser alone (see fuzz_scheme.h). */
#include "fuzz_scheme.h"

FUZZ_SCHEME(code_parse_uscc(s, n, &out, &err))
