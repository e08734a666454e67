/*
 * auth.c - bearer tokens to callers, and the role check (see auth.h).
 */
#include <string.h>
#include <strings.h>

#include "auth.h"

static unsigned role_bit(const char *role)
{
    static const char *const names[] = {"producer", "seller", "regulator",
                                        "auditor"};

    for (unsigned i = 0; i < 4; i++)
        if (strcmp(role, names[i]) == 0)
            return 1u << i;
    return 0;
}

static bool unauthorized(yima_http_res *res, const char *error,
                         const char *detail)
{
    yima_http_res_header(res, "WWW-Authenticate", "Bearer realm=\"yima\"");
    yima_http_res_error(res, 401, error, "%s", detail);
    return false;
}

bool server_caller_get(yima_http_req *req, yima_http_res *res,
                       server_caller *who)
{
    server_worker *sw = yima_http_req_ctx(req);
    const char *h = yima_http_req_header(req, "Authorization");
    yima_error err;
    int rc;

    memset(who, 0, sizeof *who);
    if (!h)
        return true;
    if (strncasecmp(h, "Bearer ", 7) != 0)
        return unauthorized(res, "bad authorization",
                            "the Authorization header must be "
                            "\"Bearer <token>\"");
    h += 7;
    while (*h == ' ')
        h++;
    rc = yima_store_token_check(sw->st, h, &who->tok, &err);
    if (rc == YIMA_EINVAL || rc == YIMA_ENOTFOUND || rc == YIMA_EUSAGE)
        return unauthorized(
            res, rc == YIMA_EUSAGE ? "token revoked" : "bad token", err.msg);
    if (rc != 0) {
        yima_http_res_error(res, 500, "token check failed", "%s", err.msg);
        return false;
    }
    who->authed = true;
    who->role = role_bit(who->tok.role);
    yima_http_req_set_party(req, who->tok.party);
    return true;
}

bool server_allow(yima_http_req *req, yima_http_res *res,
                  const server_caller *who, unsigned roles, const char *what)
{
    (void)req;
    if (!who->authed)
        return unauthorized(res, "token required",
                            what ? what : "this needs a bearer token");
    if (!(who->role & roles)) {
        yima_http_res_error(res, 403, "not allowed", "a %s token may not %s",
                            who->tok.role, what ? what : "do this");
        return false;
    }
    return true;
}

bool server_authorize(yima_http_req *req, yima_http_res *res,
                      server_caller *who, unsigned roles, const char *what)
{
    return server_caller_get(req, res, who) &&
           server_allow(req, res, who, roles, what);
}
