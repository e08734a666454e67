/*
 * fuzz_gs1.c - fuzz target: the GS1 parser alone (element strings, Digital
 * Link, EPC URNs, bare keys) with every company-prefix length, so the EPC
 * URN writer runs too (see fuzz_scheme.h).
 */
#include "fuzz_scheme.h"

FUZZ_SCHEME(code_parse_gs1(
    s, n, &(yima_code_opts){.gcp_length = size ? 6 + data[0] % 7 : 0}, &out,
    &err))
