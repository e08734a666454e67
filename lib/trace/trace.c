/*
 * trace.c - yima_trace_json(): check the code and the time, run the trace
 * in the asked direction, write its JSON.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "yima/epcis.h"

#include "trace_int.h"

int yima_trace_json(yima_store *st, const char *code, yima_trace_direction dir,
                    const char *at, yima_buf *out, yima_error *err)
{
    static const yima_code_opts o = {0, true};
    yima_error e;
    tr_ctx *c = NULL;
    json_t *res = NULL;
    char *text = NULL;
    int64_t at_ms = INT64_MAX;
    bool snap = false;
    int rc;

    assert(st && code && out);
    yima_error_clear(err);
    if (dir != YIMA_TRACE_BACKWARD && dir != YIMA_TRACE_FORWARD)
        return yima_error_set(err, YIMA_EUSAGE, 0, "trace: no direction");
    if (at && yima_epcis_time_ms(at, strlen(at), &at_ms) != 0)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "at: '%.64s' is not an RFC 3339 date-time with "
                              "a time zone (2026-03-05T12:00:00+08:00)",
                              at);
    if (!(c = malloc(sizeof *c)))
        return yima_error_set(err, YIMA_ENOMEM, 0, "out of memory");
    tr_ctx_init(c, st, at_ms, err);
    if (yima_code_parse(code, strlen(code), &o, &c->code, &e) == 0) {
        code = tr_strdup(c, c->code.canonical);
    } else if (c->code.scheme != YIMA_SCHEME_UNKNOWN) {
        rc = yima_error_set(err, YIMA_EINVAL, e.pos, "code: %s", e.msg);
        goto out;
    } else {
        code = tr_strdup(c, code); /* an identifier no scheme knows */
    }
    if (!code) {
        rc = YIMA_ENOMEM;
        goto out;
    }
    if (dir == YIMA_TRACE_FORWARD && !at &&
        (rc = yima_trace_catch_up(st, err)) != 0)
        goto out;
    if ((rc = yima_store_snapshot_begin(st, &snap, err)) != 0)
        goto out;
    rc = dir == YIMA_TRACE_BACKWARD ? tr_backward(c, code, &res)
                                    : tr_forward(c, code, &res);
    yima_store_snapshot_end(st, snap);
    if (rc == 0 && !(text = json_dumps(res, JSON_COMPACT)))
        rc = YIMA_ENOMEM;
    if (rc == 0 && (rc = yima_buf_puts(out, text)) != 0)
        yima_error_set(err, rc, 0, "trace: the answer is too big");
out:
    if (rc == YIMA_ENOMEM)
        yima_error_set(err, rc, 0, "out of memory");
    else if (rc != 0 && err && !err->msg[0])
        yima_error_set(err, rc, 0, "trace: %s", yima_strerror(rc));
    free(text);
    json_decref(res);
    tr_ctx_free(c);
    free(c);
    return rc;
}
