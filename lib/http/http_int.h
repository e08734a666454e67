/*
 * http_int.h - private to lib/http/: the server, its workers, connections,
 * and the request and response behind the opaque handles of yima/http.h.
 *
 *   file          owns
 *   ------------  -----------------------------------------------------------
 *   serve.c       yima_http_serve(): defaults, listener, workers, signals,
 *                 the drain and the order of shutdown
 *   listen.c      "HOST:PORT" to a listening socket
 *   worker.c      one epoll loop: accept, read, write, timeouts, drain
 *   parse.c       http-parser callbacks: limits while reading, then dispatch
 *   router.c      route patterns: checking them, matching a path, Allow
 *   request.c     the request accessors, target and query splitting, arena
 *   response.c    response helpers and the status line and headers on the wire
 *   metrics.c     counters and histograms, the Prometheus text
 *   accesslog.c   the JSON access log line
 *   json_depth.c  yima_http_json_depth()
 *   decode.c      yima_http_decode()
 *
 * Ownership: the server owns the workers; a worker owns its connections
 * (a doubly linked list) and the state worker_open made; a connection owns
 * one request and one response at a time, reset between requests of a
 * keep-alive connection. Everything a request allocates lives in its arena
 * and goes when the response has been written.
 */
#ifndef YIMA_HTTP_INT_H
#define YIMA_HTTP_INT_H

#include <http_parser.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "yima/http.h"

#define HTTP_RES_BODY_MAX (64u << 20)
#define HTTP_ARENA_EXTRA  (1u << 20) /* arena room beyond header + body */
#define HTTP_READ_CHUNK   (64u << 10)
#define HTTP_LOG_PATH_MAX 1024
#define HTTP_TICK_MS      250 /* how often timeouts are looked at */

/* ---- arena (request.c) ---- */
typedef struct http_chunk {
    struct http_chunk *next;
    size_t used, size;
    max_align_t data[]; /* size bytes */
} http_chunk;

typedef struct http_arena {
    http_chunk *head;
    size_t total, cap; /* bytes handed out so far, and the most allowed */
} http_arena;

void *http_arena_alloc(http_arena *a, size_t n);
char *http_arena_strndup(http_arena *a, const char *s, size_t n);
void http_arena_free(http_arena *a);

typedef struct http_kv {
    const char *name, *value;
} http_kv;

/* ---- request and response ---- */
struct yima_http_req {
    struct http_conn *conn;
    char method[17];
    yima_buf target;   /* raw request target, capped at target_max */
    yima_buf head;     /* header fields as "name\0value\0"... */
    size_t head_bytes; /* request line and fields counted so far */
    bool in_value;     /* the last header callback was a value */
    size_t nheaders;
    http_kv *headers; /* resolved when the header section is complete */
    const char *path; /* raw path, without query */
    http_kv *query;
    size_t nquery;
    http_kv params[YIMA_HTTP_PARAMS_MAX];
    size_t nparams;
    yima_buf body;
    size_t body_max;
    int route;        /* index in the table, or -1 */
    int allowed;      /* for a 405: the route whose path matched, or -1 */
    int early_status; /* a limit or syntax error found while reading */
    char early_error[48];
    char early_detail[400];
    http_arena arena;
    int64_t start_us; /* monotonic */
    struct timespec start_real;
    char party[128];
};

struct yima_http_res {
    int status;
    char type[128];
    yima_buf headers; /* "Name: value\r\n"... */
    yima_buf body;
};

/* ---- server, workers, connections ---- */
typedef struct http_metrics {
    size_t nroutes;           /* table lines + 1 for unrouted requests */
    _Atomic uint64_t *codes;  /* [nroutes][500]: status 100..599 */
    _Atomic uint64_t *hist;   /* [nroutes][HTTP_BUCKETS] not cumulative */
    _Atomic uint64_t *sum_us; /* [nroutes] */
    _Atomic uint64_t conns_total;
    _Atomic int64_t conns_open;
} http_metrics;

typedef struct http_server {
    yima_http_config cfg; /* with defaults filled */
    int listen_fd;
    char addr[96];
    http_metrics metrics;
    atomic_bool stopping;
    pthread_mutex_t log_lock;
    struct http_worker *workers;
    int nworkers;
} http_server;

typedef struct http_worker {
    http_server *srv;
    int id;
    int epfd, evfd;
    pthread_t thread;
    bool started;
    void *ctx;
    struct http_conn *conns;
    size_t nconns;
    bool draining;
    int64_t drain_deadline_ms;
    char date[40]; /* "Date: ..." line for the current second */
    time_t date_sec;
    char *rbuf; /* HTTP_READ_CHUNK bytes */
} http_worker;

typedef struct http_conn {
    http_worker *w;
    struct http_conn *prev, *next;
    int fd;
    http_parser parser;
    char remote[80];
    yima_http_req req;
    yima_http_res res;
    bool in_request;  /* a byte of the current request arrived */
    bool writing;     /* a response is being written */
    bool closing;     /* close once the response is written */
    bool head_only;   /* HEAD: headers without the body */
    bool lingering;   /* answer sent, write side shut: reading to EOF */
    uint32_t events;  /* what epoll watches for now */
    uint64_t fed;     /* bytes given to the parser on this connection */
    uint64_t req_off; /* fed when the current request began */
    yima_buf out;     /* status line and headers of the response */
    size_t out_off, body_off;
    yima_buf pending; /* bytes read but not parsed, kept over a response */
    int64_t deadline_ms;
} http_conn;

/* worker.c */
void *http_worker_main(void *arg);
int64_t http_now_ms(void);
int64_t http_now_us(void);

/* parse.c: feed bytes to the connection's parser; answers go to c->out. */
extern const http_parser_settings http_settings;
void http_conn_start_request(http_conn *c);
void http_conn_reset_request(http_conn *c);
/* Queue an error answer for the request in c (closing the connection after
 * when close is true). */
void http_conn_error(http_conn *c, int status, const char *error,
                     const char *detail, bool close);
/* Serialise c->res into c->out, log and count it. */
void http_conn_respond(http_conn *c);

/* router.c */
int http_routes_check(const yima_http_route *r, size_t n, yima_error *err);
/* The index of the line for method and path, with its parameters in req;
 * -1 when none. *path_route is set to a line whose path matched (for 405)
 * or -1. */
int http_route_find(const yima_http_route *r, size_t n, yima_http_req *req,
                    int *path_route);
/* Append "GET, HEAD, POST" - every method whose line matches path. */
void http_route_allow(const yima_http_route *r, size_t n, const char *path,
                      yima_buf *out);

/* request.c: split req->target into path and query (decoded into the
 * arena). Returns 0 or fills early_* with a 400 and returns -1. */
int http_req_parse_target(yima_http_req *req);

/* metrics.c */
int http_metrics_init(http_metrics *m, size_t nroutes);
void http_metrics_free(http_metrics *m);
void http_metrics_count(http_metrics *m, int route, int status,
                        uint64_t duration_us);

/* accesslog.c */
void http_log_request(http_conn *c, int status, size_t bytes,
                      uint64_t duration_us);

/* listen.c */
int http_listen(const char *spec, int *fd, char *addr, size_t addrsz,
                yima_error *err);

#endif /* YIMA_HTTP_INT_H */
