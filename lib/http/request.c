/*
 * request.c - what a handler can ask of its request: method, path, route
 * parameters, query parameters, headers, body, peer, worker state; the
 * splitting of the request target; and the per-request arena that holds
 * all of it until the response has been written.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_int.h"

#define CHUNK_MIN 4096

void *http_arena_alloc(http_arena *a, size_t n)
{
    size_t need = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    http_chunk *c = a->head;

    if (need < n || need > a->cap - a->total)
        return NULL;
    if (!c || c->size - c->used < need) {
        size_t size = need > CHUNK_MIN ? need : CHUNK_MIN;
        if (c && c->size * 2 > size && c->size * 2 <= (1u << 20))
            size = c->size * 2;
        c = malloc(sizeof *c + size);
        if (!c)
            return NULL;
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    a->total += need;
    c->used += need;
    return (char *)c->data + c->used - need;
}

char *http_arena_strndup(http_arena *a, const char *s, size_t n)
{
    char *p = http_arena_alloc(a, n + 1);

    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void http_arena_free(http_arena *a)
{
    while (a->head) {
        http_chunk *next = a->head->next;
        free(a->head);
        a->head = next;
    }
    a->total = 0;
}

static int fail(yima_http_req *req, const char *detail, size_t pos)
{
    req->early_status = 400;
    snprintf(req->early_error, sizeof req->early_error, "bad request");
    snprintf(req->early_detail, sizeof req->early_detail,
             "%s at byte %zu of the request target", detail, pos);
    return -1;
}

/* Decode n bytes of s into the arena; pos0 is s's offset in the target. */
static const char *decoded(yima_http_req *req, const char *s, size_t n,
                           bool plus, size_t pos0, int *rc)
{
    yima_buf b;
    yima_error err;
    const char *out = NULL;

    yima_buf_init(&b, n + 1);
    if (yima_http_decode(s, n, plus, &b, &err) != 0) {
        *rc = fail(req, err.msg, pos0 + err.pos);
    } else {
        out = http_arena_strndup(&req->arena, b.data ? b.data : "", b.len);
        if (!out) {
            req->early_status = 500;
            snprintf(req->early_error, sizeof req->early_error,
                     "out of memory");
            snprintf(req->early_detail, sizeof req->early_detail,
                     "no memory for the request target");
            *rc = -1;
        }
    }
    yima_buf_free(&b);
    return out;
}

static int split_query(yima_http_req *req, const char *q, size_t n, size_t pos0)
{
    size_t count = 1, i = 0, k = 0;
    int rc = 0;

    for (size_t j = 0; j < n; j++)
        count += q[j] == '&';
    req->query = http_arena_alloc(&req->arena, count * sizeof *req->query);
    if (!req->query)
        return fail(req, "too many query parameters", pos0);
    while (i <= n && rc == 0) {
        size_t end = i, eq;
        while (end < n && q[end] != '&')
            end++;
        eq = i;
        while (eq < end && q[eq] != '=')
            eq++;
        if (end > i) {
            http_kv *kv = &req->query[k];
            kv->name = decoded(req, q + i, eq - i, true, pos0 + i, &rc);
            kv->value = eq < end ? decoded(req, q + eq + 1, end - eq - 1, true,
                                           pos0 + eq + 1, &rc)
                                 : "";
            if (rc == 0)
                k++;
        }
        i = end + 1;
    }
    req->nquery = k;
    return rc;
}

int http_req_parse_target(yima_http_req *req)
{
    const char *t = req->target.data ? req->target.data : "";
    size_t n = req->target.len, start = 0, end, qend;
    int rc = 0;

    /* absolute-form (RFC 9112 3.2.2): skip scheme and authority */
    if (!strncasecmp(t, "http://", 7) || !strncasecmp(t, "https://", 8)) {
        start = strchr(t, ':') - t + 3;
        while (start < n && t[start] != '/')
            start++;
    }
    if (start >= n || t[start] != '/')
        return fail(req, "the request target must be a path starting with '/'",
                    start + 1);
    end = start;
    while (end < n && t[end] != '?' && t[end] != '#')
        end++;
    req->path = http_arena_strndup(&req->arena, t + start, end - start);
    if (!req->path)
        return fail(req, "no memory for the path", 1);
    /* check the path's escapes once, so parameters decode cleanly */
    decoded(req, t + start, end - start, false, start, &rc);
    if (rc != 0)
        return rc;
    if (end < n && t[end] == '?') {
        qend = end + 1;
        while (qend < n && t[qend] != '#')
            qend++;
        return split_query(req, t + end + 1, qend - end - 1, end + 1);
    }
    return 0;
}

const char *yima_http_req_method(const yima_http_req *req)
{
    assert(req);
    return req->method;
}

const char *yima_http_req_path(const yima_http_req *req)
{
    assert(req);
    return req->path ? req->path : "";
}

const char *yima_http_req_param(const yima_http_req *req, const char *name)
{
    assert(req && name);
    for (size_t i = 0; i < req->nparams; i++)
        if (!strcmp(req->params[i].name, name))
            return req->params[i].value;
    return NULL;
}

const char *yima_http_req_query(const yima_http_req *req, const char *name)
{
    assert(req && name);
    for (size_t i = 0; i < req->nquery; i++)
        if (!strcmp(req->query[i].name, name))
            return req->query[i].value;
    return NULL;
}

size_t yima_http_req_query_count(const yima_http_req *req)
{
    assert(req);
    return req->nquery;
}

bool yima_http_req_query_at(const yima_http_req *req, size_t i,
                            const char **name, const char **value)
{
    assert(req);
    if (i >= req->nquery)
        return false;
    if (name)
        *name = req->query[i].name;
    if (value)
        *value = req->query[i].value;
    return true;
}

const char *yima_http_req_header(const yima_http_req *req, const char *name)
{
    assert(req && name);
    for (size_t i = 0; i < req->nheaders; i++)
        if (!strcasecmp(req->headers[i].name, name))
            return req->headers[i].value;
    return NULL;
}

const char *yima_http_req_body(const yima_http_req *req, size_t *len)
{
    assert(req);
    if (len)
        *len = req->body.len;
    return req->body.data ? req->body.data : "";
}

const char *yima_http_req_remote(const yima_http_req *req)
{
    assert(req && req->conn);
    return req->conn->remote;
}

void *yima_http_req_ctx(const yima_http_req *req)
{
    assert(req && req->conn);
    return req->conn->w->ctx;
}

void yima_http_req_set_party(yima_http_req *req, const char *party)
{
    assert(req);
    snprintf(req->party, sizeof req->party, "%s", party ? party : "");
}

void *yima_http_req_alloc(yima_http_req *req, size_t n)
{
    assert(req);
    return http_arena_alloc(&req->arena, n);
}
