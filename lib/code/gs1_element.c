/*
 * gs1_element.c - GS1 element strings, the AI data of a barcode:
 *
 *   bracketed  "(01)09506000134352(10)ABC(21)123", as printed under a
 *              barcode (spaces around elements are allowed; "\(" is a '('
 *              in a value that would otherwise read as the next AI)
 *   raw        "^0109506000134352" "10ABC^21123", as a scanner sends it:
 *              FNC1 is GS (0x1D) or '^', optionally first, optionally after
 *              a symbology identifier ]C1 ]d2 ]Q3 ]e0 ]J1
 *
 * In raw data an AI with the dictionary's '*' flag has a fixed length and
 * needs no FNC1 after it; any other AI runs to the next FNC1 or the end.
 */
#include <assert.h>
#include <string.h>

#include "gs1_int.h"

#define GS 0x1d

static bool is_fnc1(char c)
{
    return c == GS || c == '^';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/*
 * When s[0..n) starts with "(<AI>)" for a known AI, return the AI and set
 * *len to the length of the whole marker; else NULL.
 */
static const gs1_ai_def *ai_marker(const char *s, size_t n, size_t *len)
{
    size_t j = 1;

    if (n < 4 || s[0] != '(')
        return NULL;
    while (j < n && j <= 5 && is_digit(s[j]))
        j++;
    if (j >= n || s[j] != ')' || j - 1 < 2 || j - 1 > 4)
        return NULL;
    *len = j + 1;
    return gs1_ai_find(s + 1, j - 1);
}

/* When s starts with "(<2 to 4 digits>)" that is not a known AI, the number
 * of digits; else 0. */
static int unknown_marker(const char *s, size_t n)
{
    size_t len;

    if (n < 4 || s[0] != '(' || ai_marker(s, n, &len))
        return 0;
    for (len = 1; len < n && len <= 5 && is_digit(s[len]); len++)
        ;
    return len < n && s[len] == ')' && len - 1 >= 2 && len - 1 <= 4
               ? (int)len - 1
               : 0;
}

/* The digits that would make up the AI at s: as many as the AIs sharing
 * its first two digits have, else two, but no more than there are. For
 * messages. */
static int ai_width(const char *s, size_t n)
{
    size_t w = 2, digits = 0;

    while (digits < n && digits < 4 && is_digit(s[digits]))
        digits++;
    if (digits >= 2)
        for (size_t i = 0; i < gs1_ai_count; i++)
            if (memcmp(gs1_ai_table[i].ai, s, 2) == 0) {
                w = strlen(gs1_ai_table[i].ai);
                break;
            }
    return (int)(w < digits ? w : digits);
}

static int parse_bracketed(const char *s, size_t n, yima_code *out,
                           yima_error *err)
{
    size_t i = 0;

    while (i < n) {
        char v[YIMA_GS1_VALUE_MAX + 1];
        size_t map[YIMA_GS1_VALUE_MAX + 1];
        size_t mlen, vn = 0, start, unknown;
        const gs1_ai_def *d;
        int rc;

        while (i < n && s[i] == ' ')
            i++;
        if (i == n)
            break;
        d = ai_marker(s + i, n - i, &mlen);
        if (!d) {
            size_t j = i + 1;
            while (j < n && j - i <= 5 && is_digit(s[j]))
                j++;
            if (s[i] == '(' && j < n && s[j] == ')' && j - i - 1 >= 2 &&
                j - i - 1 <= 4)
                return code_fail(err, i + 1,
                                 "unknown AI (%.*s) at position %zu",
                                 (int)(j - i - 1), s + i + 1, i + 2);
            return code_fail(err, i,
                             "expected an AI in brackets such as (01) at "
                             "position %zu",
                             i + 1);
        }
        i += mlen;
        while (i < n && s[i] == ' ')
            i++;
        start = i;
        unknown = 0;
        /* The value runs to the next "(<known AI>)" that is not "\(". */
        while (i < n) {
            size_t skip;
            if (s[i] == '(' && ai_marker(s + i, n - i, &skip))
                break;
            if (s[i] == '(' && !unknown && unknown_marker(s + i, n - i))
                unknown = i;
            if (s[i] == '\\' && i + 1 < n && s[i + 1] == '(')
                i++;
            if (vn > YIMA_GS1_VALUE_MAX)
                return code_fail(err, start,
                                 "AI (%s): value is longer than %d "
                                 "characters",
                                 d->ai, YIMA_GS1_VALUE_MAX);
            map[vn] = i;
            v[vn++] = s[i++];
        }
        while (vn > 0 && v[vn - 1] == ' ')
            vn--;
        rc = gs1_add_ai(out, d, v, vn, start, map, err);
        if (rc != 0 && unknown) /* "(19)" was more likely meant as an AI */
            return code_fail(err, unknown + 1,
                             "unknown AI (%.*s) at position %zu",
                             unknown_marker(s + unknown, n - unknown),
                             s + unknown + 1, unknown + 2);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int parse_raw(const char *s, size_t n, yima_code *out, yima_error *err)
{
    static const char *const gs1_ids[] = {"C1", "d2", "Q3", "e0", "J1"};
    size_t i = 0;

    if (s[0] == ']') {
        bool ok = false;
        if (n < 3)
            return code_fail(err, 0,
                             "symbology identifier must be ']' and two "
                             "characters");
        for (size_t k = 0; k < sizeof gs1_ids / sizeof gs1_ids[0]; k++)
            ok = ok || memcmp(s + 1, gs1_ids[k], 2) == 0;
        if (!ok && s[1] == 'E')
            return code_fail(err, 0,
                             "symbology identifier ]%.2s (EAN/UPC) must be "
                             "followed by 13 digits (]E0) or 8 (]E4)",
                             s + 1);
        if (!ok)
            return code_fail(err, 0,
                             "symbology identifier ]%.2s is not a GS1 "
                             "symbology (expected ]C1, ]d2, ]Q3, ]e0 or ]J1)",
                             s + 1);
        i = 3;
    }
    if (i < n && is_fnc1(s[i]))
        i++;
    if (i == n)
        return code_fail(err, i, "no AIs in the element string");

    while (i < n) {
        const gs1_ai_def *d = gs1_ai_prefix(s + i, n - i);
        size_t v, end, len;
        int rc;

        if (!d) {
            int w = ai_width(s + i, n - i);
            if (is_fnc1(s[i]))
                return code_fail(err, i, "two FNC1 in a row at position %zu",
                                 i + 1);
            if (w == 0 && s[i] > ' ' && s[i] < 0x7f)
                return code_fail(err, i,
                                 "expected an AI at position %zu, got '%c'",
                                 i + 1, s[i]);
            if (w == 0)
                return code_fail(err, i,
                                 "expected an AI at position %zu, got byte "
                                 "0x%02X",
                                 i + 1, (unsigned char)s[i]);
            return code_fail(err, i, "unknown AI (%.*s) at position %zu", w,
                             s + i, i + 1);
        }
        v = i + strlen(d->ai);
        len = d->predefined ? gs1_ai_max_len(d) : n - v;
        for (end = v; end < n && end - v < len && !is_fnc1(s[end]); end++)
            ;
        if (end - v > YIMA_GS1_VALUE_MAX)
            return code_fail(err, v,
                             "AI (%s): value is longer than %d characters",
                             d->ai, YIMA_GS1_VALUE_MAX);
        rc = gs1_add_ai(out, d, s + v, end - v, v, NULL, err);
        if (rc != 0)
            return rc;
        i = end;
        if (i < n && is_fnc1(s[i]))
            i++; /* the separator, or a redundant one after a fixed AI */
    }
    return 0;
}

int gs1_parse_element(const char *s, size_t n, yima_code *out, yima_error *err)
{
    assert(s && out);
    out->form = "element_string";
    if (n == 0)
        return code_fail(err, CODE_NOPOS, "empty element string");
    if (s[0] == '(')
        return parse_bracketed(s, n, out, err);
    return parse_raw(s, n, out, err);
}
