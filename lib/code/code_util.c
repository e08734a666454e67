/*
 * code_util.c - small helpers the scheme parsers share (see code_int.h).
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "code_int.h"

int code_fail(yima_error *err, size_t off, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = YIMA_EINVAL;
        err->pos = off == CODE_NOPOS ? 0 : off + 1;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return YIMA_EINVAL;
}

void code_part_add(yima_code *out, const char *name, const char *value,
                   size_t n)
{
    yima_code_part *p;

    assert(out && name && value);
    if (out->n_part >= YIMA_CODE_PART_MAX)
        return;
    p = &out->part[out->n_part++];
    p->name = name;
    if (n >= sizeof p->value)
        n = sizeof p->value - 1;
    memcpy(p->value, value, n);
    p->value[n] = '\0';
}

void code_set_urn(yima_code *out, yima_scheme scheme, const char *value)
{
    snprintf(out->canonical, sizeof out->canonical, "urn:yima:%s:%s",
             yima_scheme_name(scheme), value);
}

char code_gs1_check_digit(const char *s, size_t n)
{
    unsigned sum = 0;
    size_t i;

    /* Weights 3,1,3,1,... from the right-most digit before the check. */
    for (i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[n - 1 - i] - '0');
        sum += (i % 2 == 0) ? 3 * d : d;
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

const char *yima_scheme_name(yima_scheme scheme)
{
    switch (scheme) {
    case YIMA_SCHEME_GS1: return "gs1";
    case YIMA_SCHEME_USCC: return "uscc";
    case YIMA_SCHEME_CCC: return "ccc";
    case YIMA_SCHEME_ECODE: return "ecode";
    case YIMA_SCHEME_HANDLE: return "handle";
    case YIMA_SCHEME_DIC: return "dic";
    default: return "unknown";
    }
}
