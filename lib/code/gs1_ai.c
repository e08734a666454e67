/*
 * gs1_ai.c - look-up in the GS1 AI table and validation of one AI value
 * against its format: components, character sets, then linters.
 *
 * A value is split into components the way the GS1 Barcode Syntax
 * Dictionary says: each component takes a prefix of its prescribed length
 * (a variable-length one, always the last, takes the rest), and optional
 * components may be left out once the data is used up.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "gs1_int.h"

/* strncmp for 2..4 byte keys, inline: this is the scan path's hottest
 * comparison and a libc call per probe cost more than the search. */
static int cmp_ai(const char *e, const char *ai, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (e[i] != ai[i])
            return (unsigned char)e[i] - (unsigned char)ai[i];
    return 0;
}

const gs1_ai_def *gs1_ai_find(const char *ai, size_t len)
{
    size_t lo, hi, p;

    assert(ai != NULL);
    if (len < 2 || len > 4 || ai[0] < '0' || ai[0] > '9' || ai[1] < '0' ||
        ai[1] > '9')
        return NULL; /* every AI in the table is 2 to 4 digits */
    /* Only the AIs sharing the first two digits can match. */
    p = (size_t)(ai[0] - '0') * 10 + (size_t)(ai[1] - '0');
    lo = gs1_ai_start[p];
    hi = gs1_ai_start[p + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *e = gs1_ai_table[mid].ai;
        int r = cmp_ai(e, ai, len);

        if (r == 0 && e[len] != '\0')
            r = 1; /* the table's AI is longer, so it sorts after */
        if (r == 0)
            return &gs1_ai_table[mid];
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const gs1_ai_def *gs1_ai_prefix(const char *s, size_t n)
{
    size_t len;

    assert(s != NULL);
    for (len = 2; len <= 4 && len <= n; len++) {
        const gs1_ai_def *d = gs1_ai_find(s, len);
        if (d != NULL)
            return d;
    }
    return NULL;
}

size_t gs1_ai_min_len(const gs1_ai_def *d)
{
    size_t i, sum = 0;

    assert(d != NULL);
    for (i = 0; i < d->n_comp; i++)
        if (!d->comp[i].optional)
            sum += d->comp[i].min;
    return sum;
}

size_t gs1_ai_max_len(const gs1_ai_def *d)
{
    size_t i, sum = 0;

    assert(d != NULL);
    for (i = 0; i < d->n_comp; i++)
        sum += d->comp[i].max;
    return sum;
}

/* GS1 AI encodable character set 82. */
static bool cset82(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
           (ch >= '%' && ch <= '?') || ch == '!' || ch == '"' || ch == '_';
}

/* GS1 AI encodable character set 39. */
static bool cset39(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '#' ||
           ch == '-' || ch == '/';
}

/* base64url (RFC 4648, section 5) without the padding character. */
static bool cset64(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
           (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

/* A printable rendering of one byte: 'A' or byte 0x1D. */
static void show(char *buf, size_t sz, char ch)
{
    unsigned char u = (unsigned char)ch;

    if (u >= 0x20 && u < 0x7f)
        snprintf(buf, sz, "'%c'", ch);
    else
        snprintf(buf, sz, "byte 0x%02X", u);
}

/*
 * The characters of one component. For base64url, '=' padding is allowed
 * only at the very end of the component, at most two of them, and then the
 * padded length must be a multiple of four.
 */
static int check_chars(const gs1_ai_def *d, const gs1_component *cp,
                       const char *c, size_t n, size_t off, yima_error *err)
{
    size_t i, len = n;
    char buf[16];

    if (cp->type == 'Z') {
        size_t pad = 0;
        while (pad < len && c[len - 1 - pad] == '=')
            pad++;
        if (pad > 2 || (pad > 0 && n % 4 != 0))
            return code_fail(err, off + len - pad,
                             "AI (%s): bad base64url padding", d->ai);
        len -= pad;
    }
    for (i = 0; i < len; i++) {
        char ch = c[i];
        const char *set = NULL;

        switch (cp->type) {
        case 'N':
            if (!(ch >= '0' && ch <= '9'))
                set = "a digit";
            break;
        case 'X':
            if (!cset82(ch))
                set = "in GS1 CSET 82";
            break;
        case 'Y':
            if (!cset39(ch))
                set = "in GS1 CSET 39";
            break;
        case 'Z':
            if (!cset64(ch))
                set = "base64url";
            break;
        default:
            return code_fail(err, off + i, "AI (%s): unknown type %c", d->ai,
                             cp->type);
        }
        if (set != NULL) {
            show(buf, sizeof buf, ch);
            return code_fail(err, off + i, "AI (%s): %s is not %s", d->ai, buf,
                             set);
        }
    }
    return 0;
}

int gs1_ai_check_value(const gs1_ai_def *d, const char *v, size_t n, size_t off,
                       yima_error *err)
{
    size_t min, max, pos = 0, i, j;

    assert(d != NULL && (v != NULL || n == 0));
    min = gs1_ai_min_len(d);
    max = gs1_ai_max_len(d);
    if (n == 0)
        return code_fail(err, off, "AI (%s): value is empty", d->ai);
    if (n > max)
        return code_fail(err, off + max,
                         "AI (%s): value is %zu characters, at most %zu "
                         "allowed",
                         d->ai, n, max);
    if (n < min) {
        if (min == max)
            return code_fail(err, off + n,
                             "AI (%s): value is %zu characters, expected %zu",
                             d->ai, n, min);
        return code_fail(err, off + n,
                         "AI (%s): value is %zu characters, at least %zu "
                         "required",
                         d->ai, n, min);
    }

    for (i = 0; i < d->n_comp; i++) {
        const gs1_component *cp = &d->comp[i];
        size_t left = n - pos, len;
        int rc;

        if (left == 0 && cp->optional)
            break;
        if (left < cp->min)
            return code_fail(err, off + n,
                             "AI (%s): part %zu needs %u characters, only "
                             "%zu left",
                             d->ai, i + 1, (unsigned)cp->min, left);
        len = left < cp->max ? left : cp->max;
        if ((rc = check_chars(d, cp, v + pos, len, off + pos, err)) != 0)
            return rc;
        for (j = 0; j < GS1_LINT_MAX && cp->lint[j] != GS1_LINT_NONE; j++) {
            char why[160];
            size_t bad = 0;

            rc = gs1_lint_run((gs1_linter)cp->lint[j], v + pos, len, why,
                              sizeof why, &bad);
            if (rc != 0)
                return code_fail(err, off + pos + (bad < len ? bad : len),
                                 "AI (%s): %s", d->ai, why);
        }
        pos += len;
    }
    if (pos != n)
        return code_fail(err, off + pos,
                         "AI (%s): %zu unexpected characters at the end", d->ai,
                         n - pos);
    return 0;
}
