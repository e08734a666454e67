/*
 * gs1.c - code_parse_gs1(): decide which printed or typed form a GS1 code
 * is in (bare GTIN or SSCC, element string, Digital Link, EPC URN), hand it
 * to that form's parser, then fill every rendering in gs1_finish(). Also
 * gs1_add_ai(), the one place where a parsed AI value is checked and kept.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gs1_int.h"

/* gs1_add_ai() copies an AI with its padding in one go. */
_Static_assert(sizeof((yima_gs1_ai *)0)->ai == sizeof((gs1_ai_def *)0)->ai,
               "AI strings differ in size");

int gs1_add_ai(yima_code *out, const gs1_ai_def *d, const char *v, size_t n,
               size_t off, const size_t *map, yima_error *err)
{
    yima_gs1_ai *a;
    int rc;

    assert(out && d && (v || n == 0));
    if (n > YIMA_GS1_VALUE_MAX)
        return code_fail(err, map && n ? map[0] : off,
                         "AI (%s): value is %zu characters, longest allowed "
                         "is %zu",
                         d->ai, n, gs1_ai_max_len(d));
    if (!map) {
        rc = gs1_ai_check_value(d, v, n, off, err);
    } else {
        rc = gs1_ai_check_value(d, v, n, 0, err);
        if (rc != 0 && err && err->pos > 0) {
            size_t i = err->pos - 1;
            err->pos = 1 + (i < n ? map[i] : n ? map[n - 1] + 1 : off);
        }
    }
    if (rc != 0)
        return rc;

    for (int i = 0; i < out->n_ai; i++) {
        a = &out->ai[i];
        if (!gs1_ai_eq(a->ai, d->ai))
            continue;
        if (strlen(a->value) == n && memcmp(a->value, v, n) == 0)
            return 0; /* the same AI and value again: keep one */
        return code_fail(err, map && n ? map[0] : off,
                         "AI (%s) is given twice with different values, "
                         "'%s' and '%.*s'",
                         d->ai, a->value, (int)n, v);
    }
    if (out->n_ai >= YIMA_GS1_AI_MAX)
        return code_fail(err, map && n ? map[0] : off,
                         "too many AIs: a code may carry at most %d",
                         YIMA_GS1_AI_MAX);
    a = &out->ai[out->n_ai++];
    memcpy(a->ai, d->ai, sizeof a->ai); /* both char[5], NUL-terminated */
    memcpy(a->value, v, n);
    a->value[n] = '\0';
    return 0;
}

/* Whether s starts like a URI of some other scheme: "ftp://", "www://". */
static bool other_uri(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && ((s[i] >= 'a' && s[i] <= 'z') ||
                     (s[i] >= 'A' && s[i] <= 'Z') || (i > 0 && s[i] == '+')))
        i++;
    return i > 0 && n - i >= 3 && memcmp(s + i, "://", 3) == 0;
}

/*
 * A bare GTIN-8/12/13/14 as an EAN/UPC scanner returns it, padded to a
 * GTIN-14, or a bare 18-digit SSCC. `off` is where s starts in the input.
 */
static int parse_bare(const char *s, size_t n, size_t off, yima_code *out,
                      yima_error *err)
{
    char v[18];
    size_t map[18];
    size_t width = n == 18 ? 18 : 14, pad = width - n;
    const gs1_ai_def *d = gs1_ai_find(n == 18 ? "00" : "01", 2);

    assert(d && n <= width);
    out->form = "bare";
    memset(v, '0', pad);
    memcpy(v + pad, s, n);
    for (size_t i = 0; i < width; i++)
        map[i] = off + (i < pad ? 0 : i - pad);
    return gs1_add_ai(out, d, v, width, off, map, err);
}

/* Write the bracketed element string: "(01)09506000134352(21)ABC". A '('
 * in a value that would read as the start of an AI is written "\(". */
static int write_element_string(yima_code *out, const int *order,
                                yima_error *err)
{
    char *p = out->element_string;
    size_t cap = sizeof out->element_string, len = 0;

    for (int k = 0; k < out->n_ai; k++) {
        const yima_gs1_ai *a = &out->ai[order[k]];
        size_t vn = strlen(a->value), an = strlen(a->ai);

        if (an + 2 >= cap - len)
            goto too_long;
        p[len++] = '(';
        memcpy(p + len, a->ai, an);
        len += an;
        p[len++] = ')';
        for (size_t i = 0; i < vn; i++) {
            bool esc = false;
            if (a->value[i] == '(') {
                size_t j = i + 1;
                while (j < vn && j - i <= 4 && a->value[j] >= '0' &&
                       a->value[j] <= '9')
                    j++;
                esc = j < vn && a->value[j] == ')' &&
                      gs1_ai_find(a->value + i + 1, j - i - 1) != NULL;
            }
            if (len + 2 + esc >= cap)
                goto too_long;
            if (esc)
                p[len++] = '\\';
            p[len++] = a->value[i];
        }
        p[len] = '\0';
    }
    return 0;

too_long:
    out->element_string[0] = '\0';
    return code_fail(err, CODE_NOPOS,
                     "GS1: the element string would be longer than %d "
                     "characters",
                     YIMA_CODE_URI_MAX - 1);
}

int gs1_finish(yima_code *out, const yima_code_opts *opts, yima_error *err)
{
    int order[YIMA_GS1_AI_MAX];
    int rc;

    assert(out);
    if ((rc = gs1_check_pairs(out, err)) != 0)
        return rc;
    if ((rc = gs1_dl_write(out, order, err)) != 0)
        return rc;
    if (opts && opts->canonical_only) {
        out->epc_urn[0] = '\0';
        return 0;
    }
    if ((rc = write_element_string(out, order, err)) != 0)
        return rc;
    if (opts && opts->gcp_length)
        gs1_epc_write(out, opts->gcp_length);
    return 0;
}

int code_parse_gs1(const char *s, size_t n, const yima_code_opts *opts,
                   yima_code *out, yima_error *err)
{
    int rc;

    assert(s && out);
    out->scheme = YIMA_SCHEME_GS1;
    out->form = NULL;
    out->n_ai = 0;
    out->canonical[0] = '\0';
    out->digital_link[0] = '\0';
    out->element_string[0] = '\0';
    out->epc_urn[0] = '\0';

    if (n > YIMA_CODE_INPUT_MAX)
        return yima_error_set(err, YIMA_ETOOBIG, 0,
                              "code is %zu bytes long, the limit is %d", n,
                              YIMA_CODE_INPUT_MAX);
    if (n == 0)
        return code_fail(err, CODE_NOPOS, "empty GS1 code");
    if (opts && opts->gcp_length &&
        (opts->gcp_length < 6 || opts->gcp_length > 12))
        return code_fail(err, CODE_NOPOS,
                         "GS1 company prefix length must be 6 to 12 digits, "
                         "got %d",
                         opts->gcp_length);

    if (code_has_prefix_ci(s, n, "http://") ||
        code_has_prefix_ci(s, n, "https://"))
        rc = gs1_parse_dl(s, n, out, err);
    else if (other_uri(s, n))
        rc = code_fail(err, 0,
                       "Digital Link: must start with http:// or https://");
    else if (code_has_prefix_ci(s, n, "urn:epc:"))
        rc = gs1_parse_epc_urn(s, n, !(opts && opts->canonical_only), out, err);
    else if (code_all_digits(s, n) &&
             (n == 8 || n == 12 || n == 13 || n == 14 || n == 18))
        rc = parse_bare(s, n, 0, out, err);
    else if (n == 16 && memcmp(s, "]E0", 3) == 0 && code_all_digits(s + 3, 13))
        rc = parse_bare(s + 3, 13, 3, out, err); /* EAN-13, UPC-A */
    else if (n == 11 && memcmp(s, "]E4", 3) == 0 && code_all_digits(s + 3, 8))
        rc = parse_bare(s + 3, 8, 3, out, err); /* EAN-8 */
    else if ((rc = gs1_parse_element(s, n, out, err)) != 0 &&
             code_all_digits(s, n) && err) {
        /* Digits that are neither a GTIN nor an element string were most
         * likely a GTIN or SSCC mistyped: say both. */
        char why[YIMA_ERROR_MSG_MAX - 96];
        size_t k = strnlen(err->msg, sizeof why - 1);
        memcpy(why, err->msg, k);
        why[k] = '\0';
        snprintf(err->msg, sizeof err->msg,
                 "%zu digits are not a GTIN (8, 12, 13 or 14 digits) or an "
                 "SSCC (18), and as an element string: %s",
                 n, why);
    }
    if (rc != 0)
        return rc;
    return gs1_finish(out, opts, err);
}
