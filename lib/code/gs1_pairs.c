/*
 * gs1_pairs.c - the association rules between the AIs of one code, as the
 * GS1 Barcode Syntax Dictionary writes them:
 *
 *   ex=01,394n     this AI may not appear with (01) nor any (394n); an AI
 *                  never excludes itself, even when it matches a pattern
 *   req=01+21,02   this AI needs (01) together with (21), or (02); each
 *                  req= instance (space-separated in the table) must hold
 *
 * In a pattern, 'n' stands for any digit. Exclusions are checked first,
 * over the whole code, then requirements.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "gs1_int.h"

/* Does AI `ai` match the pattern p[0..plen)? One pass, no strlen(): every
 * code runs this for each pattern against each of its AIs. */
static bool match(const char *p, size_t plen, const char *ai)
{
    size_t i;

    for (i = 0; i < plen; i++)
        if (ai[i] == '\0' ||
            (p[i] != ai[i] && !(p[i] == 'n' && ai[i] >= '0' && ai[i] <= '9')))
            return false;
    return ai[plen] == '\0';
}

/* Does some AI of code other than the one at index `self` match p? */
static bool present(const yima_code *code, int self, const char *p, size_t plen)
{
    int i;

    for (i = 0; i < code->n_ai; i++)
        if (i != self && match(p, plen, code->ai[i].ai))
            return true;
    return false;
}

/* Is the alternative a[0..alen), e.g. "01+21", fully present? */
static bool alternative_holds(const yima_code *code, int self, const char *a,
                              size_t alen)
{
    const char *end = a + alen;

    while (a < end) {
        const char *plus = memchr(a, '+', (size_t)(end - a));
        const char *stop = plus ? plus : end;

        if (!present(code, self, a, (size_t)(stop - a)))
            return false;
        a = plus ? plus + 1 : end;
    }
    return true;
}

/* Append to buf (always NUL-terminated, truncating). */
static void append(char *buf, size_t sz, const char *s, size_t n)
{
    size_t have = strlen(buf);

    if (have + 1 >= sz)
        return;
    if (n > sz - 1 - have)
        n = sz - 1 - have;
    memcpy(buf + have, s, n);
    buf[have + n] = '\0';
}

/* "(01), (03) with (21) or (8006)" for one req= instance. */
static void describe(char *buf, size_t sz, const char *r, size_t rlen)
{
    const char *end = r + rlen, *a = r;
    size_t nalt = 1, k = 0, i;

    for (i = 0; i < rlen; i++)
        if (r[i] == ',')
            nalt++;
    buf[0] = '\0';
    while (a < end) {
        const char *comma = memchr(a, ',', (size_t)(end - a));
        const char *stop = comma ? comma : end;
        const char *p = a;

        if (k > 0)
            append(buf, sz, k + 1 == nalt ? " or " : ", ",
                   k + 1 == nalt ? 4 : 2);
        while (p < stop) {
            const char *plus = memchr(p, '+', (size_t)(stop - p));
            const char *pe = plus ? plus : stop;

            if (p != a)
                append(buf, sz, " with ", 6);
            append(buf, sz, "(", 1);
            append(buf, sz, p, (size_t)(pe - p));
            append(buf, sz, ")", 1);
            p = plus ? plus + 1 : stop;
        }
        k++;
        a = comma ? comma + 1 : end;
    }
}

/* Check AI number i's ex= list. */
static int check_ex(const yima_code *code, int i, const gs1_ai_def *d,
                    yima_error *err)
{
    const char *p = d->ex, *end;
    int j;

    if (p == NULL)
        return 0;
    end = p + strlen(p);
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        size_t plen = (size_t)((comma ? comma : end) - p);

        for (j = 0; j < code->n_ai; j++) {
            const char *other = code->ai[j].ai;

            if (j == i || gs1_ai_eq(other, d->ai))
                continue;
            if (match(p, plen, other))
                return code_fail(err, CODE_NOPOS,
                                 "AI (%s) cannot be used with AI (%s)", d->ai,
                                 other);
        }
        p = comma ? comma + 1 : end;
    }
    return 0;
}

/* Check AI number i's req= instances. */
static int check_req(const yima_code *code, int i, const gs1_ai_def *d,
                     yima_error *err)
{
    const char *r = d->req, *end;

    if (r == NULL)
        return 0;
    end = r + strlen(r);
    while (r < end) {
        const char *space = memchr(r, ' ', (size_t)(end - r));
        const char *rend = space ? space : end;
        const char *a = r;
        bool ok = false;

        while (a < rend && !ok) {
            const char *comma = memchr(a, ',', (size_t)(rend - a));
            const char *aend = comma ? comma : rend;

            ok = alternative_holds(code, i, a, (size_t)(aend - a));
            a = comma ? comma + 1 : rend;
        }
        if (!ok) {
            char want[160];

            describe(want, sizeof want, r, (size_t)(rend - r));
            return code_fail(err, CODE_NOPOS, "AI (%s) requires %s", d->ai,
                             want);
        }
        r = space ? space + 1 : end;
    }
    return 0;
}

int gs1_check_pairs(const yima_code *code, yima_error *err)
{
    const gs1_ai_def *defs[YIMA_GS1_AI_MAX];
    int i, rc;

    assert(code != NULL);
    assert(code->n_ai >= 0 && code->n_ai <= YIMA_GS1_AI_MAX);
    for (i = 0; i < code->n_ai; i++) {
        const char *ai = code->ai[i].ai;

        /* Also proves every AI is NUL-terminated for the checks below. */
        defs[i] = gs1_ai_find(ai, strnlen(ai, sizeof code->ai[i].ai));
        if (defs[i] == NULL)
            return code_fail(err, CODE_NOPOS,
                             "AI (%.4s) is not a known Application Identifier",
                             ai);
    }
    for (i = 0; i < code->n_ai; i++)
        if ((rc = check_ex(code, i, defs[i], err)) != 0)
            return rc;
    for (i = 0; i < code->n_ai; i++)
        if ((rc = check_req(code, i, defs[i], err)) != 0)
            return rc;
    return 0;
}
