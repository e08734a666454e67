/*
 * parse.c - the http-parser callbacks: copy the request line, fields and
 * body out of the read buffer while holding them to their limits, then
 * check the body's JSON depth, route and call the handler.
 *
 * A callback that finds a limit broken records the answer in
 * req->early_status and returns -1, which stops the parser; worker.c then
 * sends the answer and closes. on_message_complete pauses the parser once
 * the answer is queued, so pipelined requests wait their turn.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "http_int.h"

static http_conn *conn_of(http_parser *p)
{
    return p->data;
}

static int refuse(yima_http_req *req, int status, const char *error,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int refuse(yima_http_req *req, int status, const char *error,
                  const char *fmt, ...)
{
    va_list ap;

    req->early_status = status;
    snprintf(req->early_error, sizeof req->early_error, "%s", error);
    va_start(ap, fmt);
    vsnprintf(req->early_detail, sizeof req->early_detail, fmt, ap);
    va_end(ap);
    return -1;
}

static int count_head(http_conn *c, size_t n)
{
    const yima_http_config *cfg = &c->w->srv->cfg;

    c->req.head_bytes += n;
    if (c->req.head_bytes > cfg->header_max)
        return refuse(&c->req, 431, "request header fields too large",
                      "the request line and header fields are larger than "
                      "%zu bytes",
                      cfg->header_max);
    return 0;
}

static int on_message_begin(http_parser *p)
{
    http_conn_start_request(conn_of(p));
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t n)
{
    http_conn *c = conn_of(p);

    if (yima_buf_add(&c->req.target, at, n) != 0)
        return refuse(&c->req, 414, "uri too long",
                      "the request target is longer than %zu bytes",
                      c->w->srv->cfg.target_max);
    return count_head(c, n);
}

static int on_header_field(http_parser *p, const char *at, size_t n)
{
    http_conn *c = conn_of(p);
    yima_http_req *req = &c->req;

    if (req->in_value) {
        yima_buf_putc(&req->head, '\0');
        req->nheaders++;
        req->in_value = false;
    }
    yima_buf_add(&req->head, at, n);
    return count_head(c, n + 4); /* ": " and CRLF count too */
}

static int on_header_value(http_parser *p, const char *at, size_t n)
{
    http_conn *c = conn_of(p);
    yima_http_req *req = &c->req;

    if (!req->in_value) {
        yima_buf_putc(&req->head, '\0');
        req->in_value = true;
    }
    yima_buf_add(&req->head, at, n);
    return count_head(c, n);
}

/* Turn "name\0value\0"... into req->headers. */
static int resolve_headers(yima_http_req *req)
{
    const char *h = req->head.data;
    size_t at = 0;

    if (req->in_value) {
        yima_buf_putc(&req->head, '\0');
        req->nheaders++;
        req->in_value = false;
        h = req->head.data;
    }
    if (req->head.failed)
        return refuse(req, 431, "request header fields too large",
                      "the header fields do not fit in memory");
    req->headers =
        http_arena_alloc(&req->arena, (req->nheaders + 1) * sizeof(http_kv));
    if (!req->headers)
        return refuse(req, 431, "request header fields too large",
                      "too many header fields (%zu)", req->nheaders);
    for (size_t i = 0; i < req->nheaders; i++) {
        char *v;
        size_t vlen;
        req->headers[i].name = h + at;
        at += strlen(h + at) + 1;
        v = (char *)h + at;
        vlen = strlen(v);
        at += vlen + 1;
        while (*v == ' ' || *v == '\t')
            v++, vlen--;
        while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
            v[--vlen] = '\0';
        req->headers[i].value = v;
    }
    return 0;
}

static int on_headers_complete(http_parser *p)
{
    http_conn *c = conn_of(p);
    yima_http_req *req = &c->req;
    http_server *s = c->w->srv;
    const char *expect;
    int path_route;

    snprintf(req->method, sizeof req->method, "%s",
             http_method_str((enum http_method)p->method));
    c->head_only = p->method == HTTP_HEAD;
    if (resolve_headers(req) != 0 || http_req_parse_target(req) != 0)
        return -1; /* 1 would mean "no body" to http-parser */
    req->route =
        http_route_find(s->cfg.routes, s->cfg.nroutes, req, &path_route);
    req->allowed = path_route;
    req->body_max = s->cfg.body_max;
    if (req->route >= 0 && s->cfg.routes[req->route].body_max)
        req->body_max = s->cfg.routes[req->route].body_max;
    yima_buf_init(&req->body, req->body_max);
    if (p->content_length != ULLONG_MAX && p->content_length > req->body_max)
        return refuse(req, 413, "content too large",
                      "the body is %llu bytes, more than the %zu allowed",
                      (unsigned long long)p->content_length, req->body_max);
    expect = yima_http_req_header(req, "Expect");
    if (expect && !strcasecmp(expect, "100-continue")) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        /* a fresh socket's buffer takes 25 bytes; if not, the client
         * sends the body after its own short wait anyway */
        if (send(c->fd, cont, sizeof cont - 1, MSG_NOSIGNAL) < 0) {
            /* nothing to do */
        }
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
    http_conn *c = conn_of(p);

    if (yima_buf_add(&c->req.body, at, n) != 0)
        return refuse(&c->req, 413, "content too large",
                      "the body is larger than the %zu bytes allowed",
                      c->req.body_max);
    return 0;
}

static bool is_json(const char *type)
{
    size_t n;

    if (!type)
        return false;
    n = strcspn(type, "; \t");
    return (n == 16 && !strncasecmp(type, "application/json", n)) ||
           (n >= 5 && !strncasecmp(type + n - 5, "+json", 5));
}

static void dispatch(http_conn *c)
{
    yima_http_req *req = &c->req;
    http_server *s = c->w->srv;
    const yima_http_route *routes = s->cfg.routes;
    yima_error err;

    if (is_json(yima_http_req_header(req, "Content-Type")) &&
        yima_http_json_depth(req->body.data, req->body.len,
                             s->cfg.json_depth_max, &err) != 0) {
        req->route = -1;
        yima_http_res_error(&c->res, 400, "json too deep", "body: %s", err.msg);
    } else if (req->route >= 0) {
        routes[req->route].handler(req, &c->res);
    } else if (req->allowed >= 0) {
        yima_buf allow;
        yima_buf_init(&allow, 256);
        http_route_allow(routes, s->cfg.nroutes, req->path, &allow);
        yima_http_res_error(&c->res, 405, "method not allowed",
                            "%s is not allowed on %s; allowed: %s", req->method,
                            req->path, allow.data);
        yima_http_res_header(&c->res, "Allow", allow.data);
        yima_buf_free(&allow);
    } else {
        yima_http_res_error(&c->res, 404, "not found", "no resource at %s",
                            req->path);
    }
}

static int on_message_complete(http_parser *p)
{
    http_conn *c = conn_of(p);

    if (!http_should_keep_alive(p))
        c->closing = true;
    if (c->req.body.data == NULL)
        yima_buf_add(&c->req.body, "", 0);
    dispatch(c);
    http_conn_respond(c);
    http_parser_pause(p, 1);
    return 0;
}

const http_parser_settings http_settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

void http_conn_error(http_conn *c, int status, const char *error,
                     const char *detail, bool close)
{
    if (close)
        c->closing = true;
    http_conn_start_request(c);
    if (!c->req.method[0])
        snprintf(c->req.method, sizeof c->req.method, "-");
    c->req.route = -1;
    yima_http_res_error(&c->res, status, error, "%s", detail);
    http_conn_respond(c);
}

void http_conn_start_request(http_conn *c)
{
    const yima_http_config *cfg = &c->w->srv->cfg;

    if (c->in_request)
        return;
    c->in_request = true;
    c->req.start_us = http_now_us();
    clock_gettime(CLOCK_REALTIME, &c->req.start_real);
    c->deadline_ms = http_now_ms() + cfg->request_timeout_ms;
}

void http_conn_reset_request(http_conn *c)
{
    const yima_http_config *cfg = &c->w->srv->cfg;
    yima_http_req *req = &c->req;
    yima_http_res *res = &c->res;

    yima_buf_free(&req->target);
    yima_buf_free(&req->head);
    yima_buf_free(&req->body);
    http_arena_free(&req->arena);
    memset(req, 0, sizeof *req);
    req->conn = c;
    req->route = req->allowed = -1;
    yima_buf_init(&req->target, cfg->target_max);
    yima_buf_init(&req->head, cfg->header_max + 1024);
    yima_buf_init(&req->body, cfg->body_max);
    req->arena.cap = cfg->header_max + cfg->body_max + HTTP_ARENA_EXTRA;

    yima_buf_free(&res->headers);
    yima_buf_free(&res->body);
    res->status = 200;
    snprintf(res->type, sizeof res->type, "application/json");
    yima_buf_init(&res->headers, 16u << 10);
    yima_buf_init(&res->body, HTTP_RES_BODY_MAX);

    c->in_request = false;
    c->head_only = false;
    c->req_off = c->fed;
    c->writing = false;
    c->out_off = c->body_off = 0;
}
