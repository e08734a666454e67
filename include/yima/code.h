/*
 * yima/code.h - the identifier layer: "one code" (一码).
 *
 * Parses any printed or typed form of a product, location or party code into
 * one canonical identity, validating it on the way:
 *
 *   scheme  forms accepted                                    canonical
 *   ------  ------------------------------------------------
 * ------------------------------ gs1     bare GTIN-8/12/13/14, bare SSCC;
 * element strings   https://id.gs1.org/01/{gtin14}
 *           "(01)..(21).."; raw with GS or '^' as FNC1 and [/21/{serial} |
 * /10/{lot}], symbology ids ]C1 ]d2 ]Q3 ]e0 ...; GS1 Digital     /00/{sscc},
 * /414/{gln}[/254/x], Link URIs on any host; EPC URNs                    ...
 * (constrained Digital Link) uscc    统一社会信用代码 (GB 32100), 18 characters
 * urn:yima:uscc:{value} ccc     CCC certificate number, 16 digits
 * urn:yima:ccc:{value} ecode   物联网标识 Ecode (GB/T 31866): V + NSI + MD
 * urn:yima:ecode:{value} handle  industrial internet
 * identifier 88.xxx.yyy/suffix   urn:yima:handle:{value} dic     platform
 * digital identity code 数字身份码            urn:yima:dic:{value}
 *
 * Every form above, and every canonical form, is accepted as input. Input is
 * normalised the way people type it: surrounding white space is dropped,
 * full-width characters (１２３ＡＢＣ, U+3000) become ASCII, and schemes that
 * are upper case by definition accept lower case.
 *
 * A yima_code is a plain value: no allocation, caller-owned, safe to copy.
 */
#ifndef YIMA_CODE_H
#define YIMA_CODE_H

#include <stdbool.h>
#include <stddef.h>

#include "yima/buf.h"
#include "yima/error.h"

#define YIMA_CODE_INPUT_MAX 2048 /* longest input accepted, in bytes */
#define YIMA_CODE_URI_MAX   1024 /* room for canonical / Digital Link / URN */
#define YIMA_GS1_AI_MAX     32   /* most AIs carried by one code */
#define YIMA_GS1_VALUE_MAX  90   /* longest AI value (X..90) */
#define YIMA_CODE_PART_MAX  8    /* most scheme-specific parts */
#define YIMA_CODE_PART_LEN  64   /* longest scheme-specific part value */

typedef enum yima_scheme {
    YIMA_SCHEME_UNKNOWN = 0,
    YIMA_SCHEME_GS1,
    YIMA_SCHEME_USCC,
    YIMA_SCHEME_CCC,
    YIMA_SCHEME_ECODE,
    YIMA_SCHEME_HANDLE,
    YIMA_SCHEME_DIC
} yima_scheme;

/* One GS1 Application Identifier and its value, both NUL-terminated. */
typedef struct yima_gs1_ai {
    char ai[5];
    char value[YIMA_GS1_VALUE_MAX + 1];
} yima_gs1_ai;

/* One named, scheme-specific part ("region", "year", "nsi", ...). `name`
 * points to a static string. */
typedef struct yima_code_part {
    const char *name;
    char value[YIMA_CODE_PART_LEN];
} yima_code_part;

typedef struct yima_code {
    yima_scheme scheme;
    const char *form; /* static: "bare", "element_string", "digital_link",
                         "epc_urn", "urn" (a yima canonical URN) */
    char canonical[YIMA_CODE_URI_MAX];

    /* GS1 only: the AIs in the order they were given, and the other
     * standard renderings of the same code ("" when not applicable;
     * epc_urn needs the company-prefix length). */
    int n_ai;
    yima_gs1_ai ai[YIMA_GS1_AI_MAX];
    char digital_link[YIMA_CODE_URI_MAX];
    char element_string[YIMA_CODE_URI_MAX];
    char epc_urn[YIMA_CODE_URI_MAX];

    /* Other schemes: their parts, in the order they should be shown. */
    int n_part;
    yima_code_part part[YIMA_CODE_PART_MAX];
} yima_code;

typedef struct yima_code_opts {
    /* Length of the GS1 Company Prefix (6..12), needed to write EPC URNs;
     * 0 when unknown. */
    int gcp_length;
    /* Fill only `canonical` (and the AIs and parts), leaving element_string
     * and epc_urn empty: the ingest path needs nothing else. */
    bool canonical_only;
} yima_code_opts;

/* The scheme's short name as used in URNs and JSON ("gs1", "uscc", ...). */
const char *yima_scheme_name(yima_scheme scheme);

/*
 * Parse and validate one code. `in` need not be NUL-terminated. opts may be
 * NULL. On success fills *out and returns 0. On failure returns YIMA_EINVAL
 * (or YIMA_ETOOBIG for input over YIMA_CODE_INPUT_MAX) and fills *err with a
 * message naming what was wrong and where, e.g.
 * "AI (01): check digit is 3, expected 2"; err->pos is the 1-based character
 * position in `in`. *out is then partly filled (scheme may be known) and
 * must not be used as a valid code.
 */
int yima_code_parse(const char *in, size_t len, const yima_code_opts *opts,
                    yima_code *out, yima_error *err);

/* The value of GS1 AI `ai` ("01", "21", ...) in code, or NULL. */
const char *yima_code_ai(const yima_code *code, const char *ai);

/* The value of the part named `name`, or NULL. */
const char *yima_code_part_get(const yima_code *code, const char *name);

/*
 * Append the JSON object that `yima code parse` prints for one input:
 * input, valid, scheme, canonical, error (only when invalid), then the parts.
 * Pass err == NULL for a valid code, or the error returned by the parse.
 */
int yima_code_to_json(yima_buf *out, const char *in, size_t len,
                      const yima_code *code, const yima_error *err);

/* ---- Platform digital identity codes (数字身份码) ------------------------ */

#define YIMA_DIC_LEN 19 /* characters in a platform code */

/*
 * Issue one new platform code for the producer with USCC `producer`
 * (validated). Writes YIMA_DIC_LEN characters and a NUL to out. Codes are
 * drawn from the kernel's CSPRNG: unguessable and not enumerable.
 * Returns 0, YIMA_EINVAL (bad producer) or YIMA_EIO (no randomness).
 */
int yima_dic_issue(const char *producer, char out[YIMA_DIC_LEN + 1],
                   yima_error *err);

#endif /* YIMA_CODE_H */
