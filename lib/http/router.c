/*
 * router.c - the routing table: method + path pattern -> handler.
 *
 * Patterns are checked once when the server starts, so a typo in the table
 * stops `yima serve` with the line named instead of answering 404 forever.
 * Matching walks the table in order; the table is short and literal
 * segments fail on their first byte, so a linear walk costs less than the
 * request's parse.
 */
#include <assert.h>
#include <string.h>

#include "http_int.h"

typedef struct capture {
    const char *name;
    size_t name_len;
    const char *value;
    size_t len;
} capture;

static bool is_rest(const char *open, const char *close)
{
    return close - open > 4 && !strncmp(close - 3, "...", 3);
}

int http_routes_check(const yima_http_route *r, size_t n, yima_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const char *p = r[i].pattern;
        int params = 0;

        if (!r[i].method || !r[i].method[0] || !p || p[0] != '/' ||
            !r[i].handler)
            return yima_error_set(err, YIMA_EINVAL, 0,
                                  "route %zu: needs a method, a pattern "
                                  "starting with '/' and a handler",
                                  i + 1);
        for (; *p; p++) {
            const char *close;
            if (*p == '}')
                return yima_error_set(err, YIMA_EINVAL, 0,
                                      "route %s %s: '}' without '{'",
                                      r[i].method, r[i].pattern);
            if (*p != '{')
                continue;
            close = strchr(p, '}');
            if (!close || close == p + 1 || memchr(p, '/', close - p) ||
                ++params > YIMA_HTTP_PARAMS_MAX)
                return yima_error_set(err, YIMA_EINVAL, 0,
                                      "route %s %s: bad parameter at byte %zu",
                                      r[i].method, r[i].pattern,
                                      (size_t)(p - r[i].pattern) + 1);
            if (is_rest(p, close) && close[1])
                return yima_error_set(err, YIMA_EINVAL, 0,
                                      "route %s %s: {name...} must be last",
                                      r[i].method, r[i].pattern);
            p = close;
        }
    }
    return 0;
}

static bool match(const char *pat, const char *path, capture *caps,
                  size_t *ncap)
{
    const char *p = pat, *s = path;

    *ncap = 0;
    while (*p) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            bool rest = is_rest(p, close);
            const char *end = rest ? s + strlen(s) : s + strcspn(s, "/");
            if (end == s)
                return false;
            caps[*ncap].name = p + 1;
            caps[*ncap].name_len = (size_t)(close - p - 1) - (rest ? 3 : 0);
            caps[*ncap].value = s;
            caps[*ncap].len = (size_t)(end - s);
            (*ncap)++;
            s = end;
            p = close + 1;
        } else if (*p++ != *s++) {
            return false;
        }
    }
    return *s == '\0';
}

static bool method_ok(const yima_http_route *r, const char *method)
{
    return !strcmp(r->method, method) ||
           (!strcmp(method, "HEAD") && !strcmp(r->method, "GET"));
}

int http_route_find(const yima_http_route *r, size_t n, yima_http_req *req,
                    int *path_route)
{
    capture caps[YIMA_HTTP_PARAMS_MAX];
    size_t ncap;

    assert(req->path);
    *path_route = -1;
    for (size_t i = 0; i < n; i++) {
        if (!match(r[i].pattern, req->path, caps, &ncap))
            continue;
        if (!method_ok(&r[i], req->method)) {
            if (*path_route < 0)
                *path_route = (int)i;
            continue;
        }
        req->nparams = 0;
        for (size_t k = 0; k < ncap; k++) {
            yima_buf b;
            http_kv *kv = &req->params[req->nparams++];
            yima_buf_init(&b, caps[k].len + 1);
            /* the whole path was checked to decode: this cannot fail */
            yima_http_decode(caps[k].value, caps[k].len, false, &b, NULL);
            kv->name =
                http_arena_strndup(&req->arena, caps[k].name, caps[k].name_len);
            kv->value =
                http_arena_strndup(&req->arena, b.data ? b.data : "", b.len);
            yima_buf_free(&b);
            if (!kv->name || !kv->value)
                req->nparams--;
        }
        return (int)i;
    }
    return -1;
}

void http_route_allow(const yima_http_route *r, size_t n, const char *path,
                      yima_buf *out)
{
    capture caps[YIMA_HTTP_PARAMS_MAX];
    size_t ncap;

    for (size_t i = 0; i < n; i++) {
        if (!match(r[i].pattern, path, caps, &ncap))
            continue;
        /* list each method once */
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(r[j].method, r[i].method) &&
                   match(r[j].pattern, path, caps, &ncap);
        if (seen)
            continue;
        if (out->len)
            yima_buf_puts(out, ", ");
        yima_buf_puts(out, r[i].method);
        if (!strcmp(r[i].method, "GET"))
            yima_buf_puts(out, ", HEAD");
    }
}
