/*
 * mkdict.c - how dictionary 2 of packed events (lib/store/pack_dict2.c)
 * was made. `make pack-dict` runs it and checks that it still makes that
 * file byte for byte; it never replaces the file, whose bytes every row
 * packed with them needs.
 *
 * The dictionary is trained with zstd's trainer (ZDICT_trainFromBuffer) on
 * the canonical JSON of events from the benchmark's synthetic supply chain
 * (bench/supply_chain.c), SAMPLES_PER_SEED events from each of SEEDS
 * seeds. Before training, every digit of every sample is replaced by a
 * pseudo-random one and the letters of the producers' own Digital Link
 * hosts by others: what the dictionary learns is the shape of an EPCIS
 * event (member names, the @context, CBV words, identifier prefixes, how
 * times and numbers are written) and the statistics of its bytes, not the
 * company prefixes, serial numbers and host names of the benchmark, which
 * real data would not share.
 *
 * Packed rows name their dictionary, so a new one never replaces this one:
 * it gets a new tag, and rows packed with this one stay readable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zdict.h>

#include "yima/epcis.h"

#include "supply_chain.c"

#define SEEDS            4
#define SAMPLES_PER_SEED 10000
#define DICT_BYTES       16384

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static unsigned next(unsigned range)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % range);
}

/* Digits to other digits; a Digital Link host's "dl.<name>" to other
 * letters and digits (the same length). */
static void scrub(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= '0' && s[i] <= '9')
            s[i] = (char)('0' + next(10));
    for (char *h = s; (h = strstr(h, "https://dl.")) != NULL; h += 11)
        for (char *q = h + 11; *q && *q != '.' && *q != '/'; q++)
            *q = *q >= '0' && *q <= '9' ? (char)('0' + next(10))
                                        : (char)('a' + next(26));
}

int main(void)
{
    static size_t sizes[SEEDS * SAMPLES_PER_SEED];
    yima_buf text, samples;
    size_t n = 0;
    char *dict = malloc(DICT_BYTES);
    size_t len;

    yima_buf_init(&samples, SIZE_MAX);
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        sc_gen *g = sc_new(seed);
        yima_event_batch *b;
        yima_error err;

        yima_buf_init(&text, SIZE_MAX);
        for (int i = 0; g && i < SAMPLES_PER_SEED; i++)
            sc_next(g, &text);
        if (!g || text.failed ||
            yima_epcis_read_ndjson(text.data, text.len, 0, &b, &err) != 0) {
            fprintf(stderr, "mkdict: seed %llu: %s\n", (unsigned long long)seed,
                    g ? err.msg : "no memory");
            return 1;
        }
        for (size_t i = 0; i < yima_event_batch_count(b); i++) {
            const yima_event *ev = yima_event_batch_get(b, i);
            size_t at = samples.len;

            yima_buf_add(&samples, ev->json, ev->json_len);
            if (samples.failed)
                return 1;
            scrub(samples.data + at, ev->json_len);
            sizes[n++] = ev->json_len;
        }
        yima_event_batch_free(b);
        yima_buf_free(&text);
        sc_free(g);
    }
    len = ZDICT_trainFromBuffer(dict, DICT_BYTES, samples.data, sizes,
                                (unsigned)n);
    if (!dict || ZDICT_isError(len)) {
        fprintf(stderr, "mkdict: %s\n",
                dict ? ZDICT_getErrorName(len) : "no memory");
        return 1;
    }
    printf("/*\n"
           " * pack_dict2.c - dictionary 2 of packed events, made by "
           "tools/mkdict.c\n"
           " * (make pack-dict). NEVER CHANGE A BYTE: every row packed with "
           "tag\n"
           " * PACK_JSON_2 needs exactly these bytes to be read.\n"
           " */\n"
           "#include \"store_int.h\"\n\n"
           "/* clang-format off */\n"
           "const unsigned char store_dict2[%zu] = {",
           len);
    for (size_t i = 0; i < len; i++)
        printf("%s%u,", i % 16 ? " " : "\n    ", (unsigned char)dict[i]);
    printf("\n};\n/* clang-format on */\n\n"
           "const size_t store_dict2_len = sizeof store_dict2;\n");
    yima_buf_free(&samples);
    free(dict);
    return 0;
}
