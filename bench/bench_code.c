/*
 * bench_code.c - how fast the identifier layer turns printed codes into
 * canonical identities.
 *
 * The workload is a mixed corpus of every form a scanner or a system sends:
 * bare GTINs and SSCCs, bracketed and raw element strings with symbology ids,
 * Digital Links with query attributes, EPC URNs, USCCs, CCC numbers, Handles
 * and platform codes, some typed in full width. The figure is a ratio to a
 * baseline measured in the same run over the same bytes (memchr looking for
 * a byte that is not there: the cost of merely touching the input), so it
 * holds on a noisy shared machine where absolute times mean little.
 *
 * Output (one line each, key=value, for scripts):
 *   bench code_parse codes=N rate=R/s baseline_rate=B/s ratio=B/R
 * ratio is how many times longer parsing takes than one memchr pass over
 * the same bytes; the ceiling it must stay under is printed and checked
 * (exit 1 if above).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "yima/code.h"
#include "bench_util.h"

#define ROUNDS  2000
#define CEILING 6000.0 /* parse may cost at most this many memchr passes */

static const char *corpus[] = {
    "09506000134352",
    "9506000134352",
    "95012346",
    "106141411234567897",
    "(01)09506000134352(10)ABC123(21)XYZ-1",
    "(01)80614141123458(17)261231(10)L2026(21)400",
    "]C1010950600013435210ABC123\x1d"
    "21XYZ",
    "]d2010950600013435217251231"
    "10LOT-7",
    "]Q3010950600013435221A1B2C3",
    "(00)106141411234567897",
    "(414)9521234500001(254)A1",
    "https://id.gs1.org/01/09506000134352/21/XYZ%2F1",
    "https://example.com/shop/01/09506000134352/10/ABC/21/"
    "400?17=261231&3103=000195",
    "urn:epc:id:sgtin:0614141.812345.400",
    "urn:epc:id:sscc:0614141.1234567890",
    "urn:epc:class:lgtin:4012345.012345.998877",
    "91350100M000100Y43",
    "2021011104123456",
    "88.118.8688/TYRE-2021-00001",
    " ０９５０６０００１３４３５２ ",
};

int main(void)
{
    enum { NC = sizeof corpus / sizeof corpus[0] };
    size_t lens[NC];
    yima_code code;
    yima_error err;
    yima_code_opts opts = {.gcp_length = 7};
    double t0, t_parse, t_base;
    size_t valid = 0, total;
    volatile size_t touched =
        0; /* keeps the baseline from being optimised away */

    for (size_t i = 0; i < NC; i++)
        lens[i] = strlen(corpus[i]);
    total = (size_t)ROUNDS * NC;

    t0 = bench_now();
    for (int r = 0; r < ROUNDS; r++)
        for (size_t i = 0; i < NC; i++)
            valid +=
                yima_code_parse(corpus[i], lens[i], &opts, &code, &err) == 0;
    t_parse = bench_now() - t0;

    /* Baseline: one memchr pass over all the corpus bytes laid end to end,
     * the least any parser must do. */
    size_t bytes = 0;
    for (size_t i = 0; i < NC; i++)
        bytes += lens[i];
    char *all = malloc(bytes);
    if (!all)
        return 1;
    for (size_t i = 0, at = 0; i < NC; at += lens[i], i++)
        memcpy(all + at, corpus[i], lens[i]);
    t0 = bench_now();
    for (int r = 0; r < ROUNDS * 1000; r++) {
        all[r % bytes] ^= 1; /* so no pass can be skipped as a repeat */
        touched += memchr(all, 0x7f, bytes) == NULL;
    }
    t_base = (bench_now() - t0) / 1000;
    free(all);

    if (valid != total) {
        fprintf(stderr, "bench: %zu of %zu corpus codes did not parse\n",
                total - valid, total);
        for (size_t i = 0; i < NC; i++)
            if (yima_code_parse(corpus[i], lens[i], &opts, &code, &err))
                fprintf(stderr, "  %s: %s\n", corpus[i], err.msg);
        return 1;
    }
    double rate = (double)total / t_parse;
    double base = (double)total / t_base;
    double ratio = base / rate;
    printf("bench code_parse codes=%zu rate=%.0f/s baseline_rate=%.0f/s "
           "ratio=%.1f ceiling=%.0f %s\n",
           total, rate, base, ratio, CEILING, ratio <= CEILING ? "ok" : "OVER");
    return ratio <= CEILING ? 0 : 1;
}
