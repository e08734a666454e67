/*
 * gs1_int.h - private to lib/code/: the GS1 Application Identifier table and
 * the rules it carries, shared by the GS1 form parsers.
 *
 * The table is generated from the GS1 Barcode Syntax Dictionary
 * (data/gs1/gs1-syntax-dictionary.txt) by tools/gen-gs1-table.awk into
 * gs1_ai_table.c; nothing in it is typed by hand. Ranges in the dictionary
 * ("3100-3105", "91-99") are expanded to one entry per AI.
 *
 * Who does what:
 *   gs1_ai.c       look-up, value validation against the format components
 *   gs1_lint.c     the dictionary's linters (csum, yymmd0, iso3166, ...)
 *   gs1_pairs.c    req= / ex= association rules across the AIs of one code
 *   gs1_element.c  element strings: bracketed, raw (GS or '^'), symbology ids
 *   gs1_dl.c       GS1 Digital Link URIs: parse, write, canonical form
 *   gs1_epc.c      EPC URNs (sgtin, sscc, sgln, lgtin): parse and write
 *   gs1_quick.c    the common shapes of EPCIS codes, canonical form only
 *   gs1.c          code_parse_gs1(): picks the form, then fills every rendering
 */
#ifndef YIMA_GS1_INT_H
#define YIMA_GS1_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "code_int.h"

#define GS1_DL_STEM  "https://id.gs1.org" /* the canonical form's host */
#define GS1_COMP_MAX 5 /* most components in one AI format (AI 423) */
#define GS1_LINT_MAX 3 /* most linters on one component */

/* The dictionary's linters. GS1_LINT_NONE is 0 so zeroed slots are empty. */
typedef enum gs1_linter {
    GS1_LINT_NONE = 0,
    GS1_LINT_CSUM,
    GS1_LINT_CSUMALPHA,
    GS1_LINT_GCPPOS1,
    GS1_LINT_GCPPOS2,
    GS1_LINT_HASNONDIGIT,
    GS1_LINT_HH,
    GS1_LINT_HHMI,
    GS1_LINT_HYPHEN,
    GS1_LINT_IBAN,
    GS1_LINT_IMPORTERIDX,
    GS1_LINT_ISO3166,
    GS1_LINT_ISO3166999,
    GS1_LINT_ISO3166ALPHA2,
    GS1_LINT_ISO4217,
    GS1_LINT_ISO5218,
    GS1_LINT_LATITUDE,
    GS1_LINT_LONGITUDE,
    GS1_LINT_MEDIATYPE,
    GS1_LINT_MI,
    GS1_LINT_NONZERO,
    GS1_LINT_NOZEROPREFIX,
    GS1_LINT_PACKAGETYPE,
    GS1_LINT_PCENC,
    GS1_LINT_PIECEOFTOTAL,
    GS1_LINT_POSINSEQSLASH,
    GS1_LINT_SS,
    GS1_LINT_WINDING,
    GS1_LINT_YESNO,
    GS1_LINT_YYMMD0,
    GS1_LINT_YYMMDD,
    GS1_LINT_YYYYMMDD,
    GS1_LINT_ZERO,
    GS1_LINT_COUPONCODE,
    GS1_LINT_COUPONPOSOFFER,
    GS1_LINT_COUNT_
} gs1_linter;

/* One component of an AI's data field, e.g. "N13,csum,gcppos1" or "[X..17]". */
typedef struct gs1_component {
    char type; /* 'N' digits, 'X' CSET 82, 'Y' CSET 39, 'Z' base64url */
    unsigned char min, max;           /* length bounds; min == max when fixed */
    bool optional;                    /* written in [brackets] */
    unsigned char lint[GS1_LINT_MAX]; /* gs1_linter values, 0 = unused */
} gs1_component;

/* One Application Identifier, as the dictionary describes it. */
typedef struct gs1_ai_def {
    char ai[5];      /* "01", "3103", ... NUL-terminated */
    bool predefined; /* flag '*': fixed length, no FNC1 separator after */
    bool dl_attr;    /* flag '?': allowed as a Digital Link query attribute */
    unsigned char n_comp;
    gs1_component comp[GS1_COMP_MAX];
    /* Attribute text as written in the dictionary, NULL when absent:
     * req:    each "req=" instance separated by ' ', e.g. "01,02 37"
     * ex:     the "ex=" list(s) joined by ',', e.g. "01,03,37" or "310n"
     * dlpkey: "" for "dlpkey" alone, else "22,10,21|235" */
    const char *req;
    const char *ex;
    const char *dlpkey;
    const char *title;
} gs1_ai_def;

/* The whole table, sorted by AI string; gs1_ai_count entries. */
extern const gs1_ai_def gs1_ai_table[];
extern const size_t gs1_ai_count;

/* The AIs whose first two digits are p (0..99) are gs1_ai_table[
 * gs1_ai_start[p] .. gs1_ai_start[p + 1]): a look-up searches those few
 * rather than the whole table. */
extern const unsigned short gs1_ai_start[101];

/* Whether AIs a and b (NUL-terminated strings such as "01", "8003") are
 * the same. Inline, unlike strcmp(): the parsers and writers compare AIs
 * many times per code. */
static inline bool gs1_ai_eq(const char *a, const char *b)
{
    size_t i;

    for (i = 0; a[i] && a[i] == b[i]; i++)
        ;
    return a[i] == b[i];
}

/* The entry for exactly this AI (len 2..4 digits), or NULL. */
const gs1_ai_def *gs1_ai_find(const char *ai, size_t len);

/* The entry whose AI is a prefix of s (AIs are prefix-free), or NULL. */
const gs1_ai_def *gs1_ai_prefix(const char *s, size_t n);

/* Shortest and longest total value length the AI's format allows. */
size_t gs1_ai_min_len(const gs1_ai_def *d);
size_t gs1_ai_max_len(const gs1_ai_def *d);

/*
 * Check value v (n bytes) against d's components and linters. On failure
 * fills err via code_fail() with a message that starts "AI (xx): " and
 * points at byte offset `off` + the offending position within v.
 */
int gs1_ai_check_value(const gs1_ai_def *d, const char *v, size_t n, size_t off,
                       yima_error *err);

/*
 * Run linter `lint` over component data c (n bytes). Returns 0 when it
 * passes; otherwise writes a short reason ("check digit is 3, expected 2",
 * "month 13 is not 01..12") to why, and the offset within c at fault to
 * *bad, and returns YIMA_EINVAL.
 */
int gs1_lint_run(gs1_linter lint, const char *c, size_t n, char *why,
                 size_t whysz, size_t *bad);

/* Check req= and ex= rules over all AIs in code (order-independent).
 * Error example: "AI (21) requires (01), (03) or (8006)". */
int gs1_check_pairs(const yima_code *code, yima_error *err);

/* Form parsers: each fills out->ai[] / out->n_ai and out->form, checking
 * every value with gs1_ai_check_value(). gs1.c then calls gs1_finish().
 * The EPC URN parser also writes the URN back, normalised, to out->epc_urn
 * when write_urn is set (it knows the company prefix length; gs1_finish()
 * may not); callers that want only the canonical form leave it unset. */
int gs1_parse_element(const char *s, size_t n, yima_code *out, yima_error *err);
int gs1_parse_dl(const char *s, size_t n, yima_code *out, yima_error *err);
int gs1_parse_epc_urn(const char *s, size_t n, bool write_urn, yima_code *out,
                      yima_error *err);

/* The shapes most codes of an EPCIS document have (gs1_quick.c): fills
 * scheme, form, the AIs, canonical and digital_link exactly as the full
 * parse with canonical_only would, and returns 1; returns 0 (out untouched) for
 * anything else, valid or not, for the full parser to decide. */
int gs1_quick(const char *s, size_t n, yima_code *out);

/* After the AIs are known: check pairs, then write canonical, digital_link,
 * element_string and (when opts->gcp_length is set) epc_urn. */
int gs1_finish(yima_code *out, const yima_code_opts *opts, yima_error *err);

/*
 * Shared by the form parsers (gs1.c): check value v (n bytes) for AI d with
 * gs1_ai_check_value() and append it to out->ai[]. An AI given twice with
 * the same value is kept once; with another value it is an error. Errors
 * point at byte offset off + i of the input for v[i], or at map[i] when map
 * is not NULL (for values that were decoded, padded or assembled).
 */
int gs1_add_ai(yima_code *out, const gs1_ai_def *d, const char *v, size_t n,
               size_t off, const size_t *map, yima_error *err);

/*
 * Writers used by gs1_finish(). gs1_dl_write() (gs1_dl.c) fills
 * out->canonical and out->digital_link ("" when an AI can be neither in the
 * path nor a query attribute), and order[0..n_ai) with the AI indices in
 * conventional order: primary key, its qualifiers, the rest as given; it
 * fails when no AI is a primary key. gs1_epc_write() (gs1_epc.c), called
 * after it, fills out->epc_urn for a company prefix of gcp_length digits,
 * or leaves it "" when no EPC URN names what out->canonical names.
 */
int gs1_dl_write(yima_code *out, int order[YIMA_GS1_AI_MAX], yima_error *err);
void gs1_epc_write(yima_code *out, int gcp_length);

#endif /* YIMA_GS1_INT_H */
