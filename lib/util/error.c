/*
 * error.c - the yima_error helpers shared by every subsystem.
 */
#include <stdarg.h>
#include <stdio.h>

#include "yima/error.h"

const char *yima_strerror(int code)
{
    switch (code) {
    case YIMA_OK: return "success";
    case YIMA_EINVAL: return "invalid input";
    case YIMA_ENOMEM: return "out of memory";
    case YIMA_ETOOBIG: return "input too large";
    case YIMA_EIO: return "input/output error";
    case YIMA_EUSAGE: return "usage error";
    case YIMA_ENOTFOUND: return "not found";
    default: return "unknown error";
    }
}

int yima_error_set(yima_error *err, int code, size_t pos, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        err->pos = pos;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void yima_error_clear(yima_error *err)
{
    if (err) {
        err->code = YIMA_OK;
        err->pos = 0;
        err->msg[0] = '\0';
    }
}
