/*
 * h_trace.c - GET /api/v1/trace?code=CODE&direction=backward|forward[&at=T]:
 * where a unit, case, batch, product or producer's goods came from and went
 * (yima/trace.h), the same JSON `yima trace` prints.
 *
 * Who may ask: a regulator or an auditor about anything; a producer about
 * its own codes (its products, company prefixes, platform codes issued to
 * it) or about itself. Sellers and the public may not: a trace names every
 * holder, which is commercial data of many parties.
 */
#include <string.h>

#include "yima/trace.h"

#include "api.h"
#include "auth.h"

int h_trace(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    const char *code = yima_http_req_query(req, "code");
    const char *dir = yima_http_req_query(req, "direction");
    const char *at = yima_http_req_query(req, "at");
    yima_code *c = yima_http_req_alloc(req, sizeof *c);
    yima_trace_direction d;
    server_caller who;
    yima_error err;
    yima_buf out;
    int rc;

    if (!server_authorize(req, res, &who, ROLE_PRODUCER | ROLE_READ_ALL,
                          "trace codes (regulators, auditors, and producers "
                          "for their own)"))
        return 0;
    if (!c)
        return yima_http_res_error(res, 500, "out of memory", "trace");
    if (!code || !*code)
        return yima_http_res_error(res, 400, "bad code",
                                   "code: missing; give ?code=<any printed "
                                   "form>&direction=backward|forward");
    if (!dir || (strcmp(dir, "backward") && strcmp(dir, "forward")))
        return yima_http_res_error(res, 400, "bad direction",
                                   "direction: '%.40s' is not backward or "
                                   "forward",
                                   dir ? dir : "");
    d = dir[0] == 'b' ? YIMA_TRACE_BACKWARD : YIMA_TRACE_FORWARD;
    if (!api_code(res, "code", code, 0, true, c))
        return 0;
    if (who.role == ROLE_PRODUCER && strcmp(c->canonical, who.tok.party) != 0 &&
        !api_owns(sw->st, who.tok.party, c))
        return yima_http_res_error(res, 403, "not allowed",
                                   "%s is not a code of %s: a producer "
                                   "traces only its own",
                                   c->canonical, who.tok.party);
    yima_buf_init(&out, 64u << 20);
    rc = yima_trace_json(sw->st, code, d, at && *at ? at : NULL, &out, &err);
    if (rc == 0) {
        yima_buf_putc(&out, '\n');
        rc =
            yima_http_res_send(res, 200, "application/json", out.data, out.len);
    } else if (rc == YIMA_ETOOBIG) {
        rc = yima_http_res_error(res, 413, "trace too big", "%s", err.msg);
    } else {
        rc = api_store_fail(res, rc, &err, "trace");
    }
    yima_buf_free(&out);
    return rc;
}
