/* fuzz_ecode.c - fuzz target: the ecode parser alone (see fuzz_scheme.h). */
#include "fuzz_scheme.h"

FUZZ_SCHEME(code_parse_ecode(s, n, &out, &err))
