/* fuzz_dic.c - fuzz target: the dic parser alone (see fuzz_scheme.h). */
#include "fuzz_scheme.h"

FUZZ_SCHEME(code_parse_dic(s, n, &out, &err))
