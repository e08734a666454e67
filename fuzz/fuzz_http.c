/*
 * fuzz_http.c - fuzz target: the parts of lib/http that read request
 * bytes themselves (http-parser reads the rest): the request target split
 * into path and query with percent-decoding, route matching with
 * parameters, and the JSON depth check on the same bytes.
 */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "http/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int nop(yima_http_req *req, yima_http_res *res)
{
    (void)req, (void)res;
    return 0;
}

static const yima_http_route routes[] = {
    {"GET", "/healthz", nop, 0},
    {"GET", "/01/{gtin}/21/{serial}", nop, 0},
    {"GET", "/epcis/events/{id}", nop, 0},
    {"GET", "/ledger/tile/{path...}", nop, 0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    yima_http_req req;
    yima_error err;
    int pr;

    yima_http_json_depth((const char *)data, size, 8, &err);
    memset(&req, 0, sizeof req);
    memcpy(req.method, "GET", 4);
    req.arena.cap = 1 << 20;
    yima_buf_init(&req.target, 1 << 16);
    yima_buf_add(&req.target, data, size);
    if (!req.target.failed && http_req_parse_target(&req) == 0) {
        http_route_find(routes, sizeof routes / sizeof routes[0], &req, &pr);
        for (size_t i = 0; i < yima_http_req_query_count(&req); i++)
            yima_http_req_query_at(&req, i, NULL, NULL);
    }
    yima_buf_free(&req.target);
    http_arena_free(&req.arena);
    return 0;
}
