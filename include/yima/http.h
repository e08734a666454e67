/*
 * yima/http.h - the HTTP/1.1 server engine under `yima serve`: workers,
 * limits, routing, request accessors, response helpers, the access log and
 * the HTTP metrics. It knows nothing of events or stores; the application
 * (src/server/) hands it a route table and per-worker state.
 *
 * Model: one event loop (epoll) per worker thread, one worker per core by
 * default, all accepting from one shared listening socket (EPOLLEXCLUSIVE),
 * so a worker busy in a slow handler takes no new connections while the
 * others do. A handler runs to completion on its worker's thread and may use
 * that worker's state (a store handle) without locks. Requests are parsed by
 * the packaged http-parser library; every size and time from outside is
 * capped, and a request that breaks a limit is refused before it is routed:
 *
 *   limit               default    answer
 *   ------------------  ---------  -------------------------------------------
 *   request target      8 KiB      414 URI Too Long
 *   header section      16 KiB     431 Request Header Fields Too Large
 *   body                1 MiB      413 Content Too Large (a route may raise it)
 *   whole request       10 s       408 Request Timeout, from its first byte
 *   idle keep-alive     5 s        the connection is closed, no answer
 *   JSON nesting        64         400, with the byte, line and column
 *   malformed request   -          400 naming what and where
 *   unknown path        -          404; known path, other method: 405 + Allow
 *
 * Every error answer is JSON: {"error":"<what>","detail":"<why and where>"};
 * after a 400/408/413/414/431 the connection is closed, since the rest of
 * the stream can no longer be trusted.
 *
 * JSON nesting is checked for every body whose Content-Type is JSON
 * (application/json, application/ld+json, any +json), before any parser sees
 * it; yima_http_json_depth() does the same for other bodies (NDJSON lines).
 *
 * Access log: one JSON object per line, written whole (one write per line
 * under a lock, so lines never interleave):
 *
 *   field        type     meaning
 *   -----------  -------  ----------------------------------------------------
 *   time         string   request start, RFC 3339 UTC with milliseconds
 *   method       string   as received (at most 16 bytes)
 *   path         string   the target's path, not decoded, query left out
 *                         (at most 1024 bytes, then "...")
 *   status       number   the status sent
 *   bytes        number   response body bytes
 *   duration_us  number   first byte of the request to the response queued
 *   remote       string   peer "address:port"
 *   party        string   the caller's party, when the handler set one
 *
 * Graceful shutdown (SIGTERM or SIGINT): every worker stops accepting, closes
 * idle connections, lets requests in flight finish (their answers carry
 * "Connection: close"), and stops when its last connection is closed or the
 * drain timeout passes; then the application closes each worker's state and
 * yima_http_serve() returns 0.
 *
 * Thread safety: the accessors and helpers below are for the handler's own
 * request, on the worker thread that called it.
 */
#ifndef YIMA_HTTP_H
#define YIMA_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yima/buf.h"
#include "yima/error.h"

typedef struct yima_http_req yima_http_req;
typedef struct yima_http_res yima_http_res;

/*
 * A handler fills res for req. It runs on a worker thread; what it returns
 * is ignored today (return 0). A handler that sets no status answers 200.
 */
typedef int (*yima_http_handler)(yima_http_req *req, yima_http_res *res);

/*
 * One line of the routing table. pattern is a path of literal segments and
 * parameters: "{name}" matches one non-empty segment, "{name...}" (last only)
 * the rest of the path, slashes included. Literal segments are compared with
 * the raw path; parameters are given percent-decoded. The first matching
 * line wins, so put literal lines before parameter lines. A GET line answers
 * HEAD too. The route's pattern is its label in the metrics.
 */
typedef struct yima_http_route {
    const char *method;  /* "GET", "POST", ... */
    const char *pattern; /* "/01/{gtin}/21/{serial}" */
    yima_http_handler handler;
    size_t body_max; /* largest body in bytes; 0: the server's */
} yima_http_route;

/* Defaults of yima_http_config's limits (a 0 field takes these). */
#define YIMA_HTTP_TARGET_MAX      (8u << 10)
#define YIMA_HTTP_HEADER_MAX      (16u << 10)
#define YIMA_HTTP_BODY_MAX        (1u << 20)
#define YIMA_HTTP_JSON_DEPTH_MAX  64
#define YIMA_HTTP_REQUEST_TIMEOUT 10000 /* ms */
#define YIMA_HTTP_IDLE_TIMEOUT    5000  /* ms */
#define YIMA_HTTP_DRAIN_TIMEOUT   10000 /* ms */
#define YIMA_HTTP_WORKERS_MAX     256
#define YIMA_HTTP_PARAMS_MAX      16 /* path parameters of one route */

typedef struct yima_http_config {
    const char *listen; /* "HOST:PORT", "[::1]:PORT"; port 0: any */
    int workers;        /* 0: one per online core */
    size_t target_max, header_max, body_max;
    int json_depth_max;
    int request_timeout_ms, idle_timeout_ms, drain_timeout_ms;
    int log_fd; /* access log; -1: none */
    const yima_http_route *routes;
    size_t nroutes;

    /* The application: app is passed back to every callback. */
    void *app;
    /* Make worker i's state (called on the main thread before the workers
     * start); *ctx is what yima_http_req_ctx() returns on that worker.
     * Return 0 or a YIMA_E* code with *err filled: the server does not
     * start. May be NULL. */
    int (*worker_open)(void *app, int i, void **ctx, yima_error *err);
    /* Free a worker's state after the worker stopped. May be NULL. */
    void (*worker_close)(void *app, void *ctx);
    /* Called once the socket listens, with its address "HOST:PORT" (the
     * real port when 0 was asked) and the number of workers. May be NULL. */
    void (*ready)(void *app, const char *addr, int workers);
} yima_http_config;

/*
 * Listen on cfg->listen, run the workers until SIGTERM or SIGINT, drain,
 * close every worker's state and return 0. Blocks those two signals in the
 * calling thread while it runs. Returns YIMA_EINVAL (a bad listen address or
 * route pattern), YIMA_EIO (socket, thread or epoll failure; *err says
 * which), YIMA_ENOMEM, or worker_open's error.
 */
int yima_http_serve(const yima_http_config *cfg, yima_error *err);

/* ---- The request -------------------------------------------------------- */

/* "GET", "POST", ... as received. */
const char *yima_http_req_method(const yima_http_req *req);

/* The target's path as received (not decoded), without the query. */
const char *yima_http_req_path(const yima_http_req *req);

/* The route parameter `name`, percent-decoded, or NULL. */
const char *yima_http_req_param(const yima_http_req *req, const char *name);

/*
 * The first query parameter called `name` (compared after decoding),
 * percent-decoded with '+' as a space; "" for "?name" with no '='; NULL
 * when absent. Targets with a bad %-escape or an encoded NUL were refused
 * with 400 before routing, so every value is a clean C string.
 */
const char *yima_http_req_query(const yima_http_req *req, const char *name);

/* Number of query parameters, and the i-th (0-based) as name and value,
 * both decoded: for parameter families such as EQ_bizTransaction_*.
 * Returns false when i is out of range. */
size_t yima_http_req_query_count(const yima_http_req *req);
bool yima_http_req_query_at(const yima_http_req *req, size_t i,
                            const char **name, const char **value);

/* The first header called `name` (any case), value without surrounding
 * blanks, or NULL. */
const char *yima_http_req_header(const yima_http_req *req, const char *name);

/* The body (NUL-terminated for convenience, *len bytes; "" when none). */
const char *yima_http_req_body(const yima_http_req *req, size_t *len);

/* The peer as "address:port". */
const char *yima_http_req_remote(const yima_http_req *req);

/* The state worker_open made for the worker running this request. */
void *yima_http_req_ctx(const yima_http_req *req);

/* Name the caller's party in the access log line (copied; at most 127
 * bytes are kept). */
void yima_http_req_set_party(yima_http_req *req, const char *party);

/*
 * Memory that lives until the response is sent: n bytes, or NULL (the
 * request's arena is capped at header_max + body_max + 1 MiB).
 */
void *yima_http_req_alloc(yima_http_req *req, size_t n);

/* ---- The response ------------------------------------------------------- */

/* Set the status (100..599 allowed; default 200). */
void yima_http_res_status(yima_http_res *res, int status);

/*
 * Add a response header such as "Location". Name and value are copied;
 * CR, LF and NUL are refused (YIMA_EINVAL) so a value taken from a request
 * cannot split the response. Content-Length, Content-Type, Connection and
 * Date are the engine's and refused too (YIMA_EUSAGE).
 */
int yima_http_res_header(yima_http_res *res, const char *name,
                         const char *value);

/* Set the Content-Type (copied; default "application/json"). */
void yima_http_res_type(yima_http_res *res, const char *type);

/*
 * The body being built: append to it with the yima_buf functions (capped at
 * 64 MiB). A body that failed to grow is answered as 500.
 */
yima_buf *yima_http_res_body(yima_http_res *res);

/* Set status and Content-Type and replace the body with n bytes of p. */
int yima_http_res_send(yima_http_res *res, int status, const char *type,
                       const void *p, size_t n);

/*
 * Answer with status and the JSON error body
 * {"error":"<error>","detail":"<printf of fmt>"} (both escaped).
 */
int yima_http_res_error(yima_http_res *res, int status, const char *error,
                        const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The standard reason phrase of status ("Not Found"), "Unknown" if none. */
const char *yima_http_reason(int status);

/* ---- Helpers ------------------------------------------------------------ */

/*
 * Check that the JSON text p (n bytes) nests arrays and objects at most max
 * deep, without parsing it (strings and their escapes are skipped). Returns
 * 0, or YIMA_EINVAL with err->pos the 1-based byte of the bracket that went
 * too deep and a message "JSON nests deeper than 64 levels at byte 65 (line
 * 1, column 65)". Not a validator: what is not too deep passes.
 */
int yima_http_json_depth(const char *p, size_t n, int max, yima_error *err);

/*
 * Percent-decode n bytes of s into out ('+' as a space when plus is true).
 * Returns 0, or YIMA_EINVAL with err->pos the 1-based byte of a bad escape
 * or of an escape that decodes to NUL; out's errors are returned as they are.
 */
int yima_http_decode(const char *s, size_t n, bool plus, yima_buf *out,
                     yima_error *err);

/*
 * Append the HTTP metrics in Prometheus text format to out: requests by
 * route, method and status, latency histograms by route, connections. For
 * the application's /metrics handler, which adds its own.
 */
int yima_http_metrics_write(const yima_http_req *req, yima_buf *out);

#endif /* YIMA_HTTP_H */
