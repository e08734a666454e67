/*
 * server.h - `yima serve`, the platform's HTTP front door: the routing
 * table, the handlers and the state each worker keeps, on top of the HTTP
 * engine of yima/http.h.
 *
 *   file         owns
 *   -----------  ------------------------------------------------------------
 *   server.c     server_run(): the engine's configuration, one store handle
 *                per worker, the access log file, the "listening" line
 *   routes.c     the routing table: one line per endpoint
 *   h_ops.c      GET /healthz, GET /metrics (the platform's own metrics)
 *   h_ledger.c   GET /ledger/checkpoint
 *
 * A handler finds its worker's state with yima_http_req_ctx(): a
 * server_worker whose store it may use freely (one thread per worker).
 */
#ifndef YIMA_SERVER_H
#define YIMA_SERVER_H

#include <stdint.h>

#include "yima/http.h"
#include "yima/store.h"

typedef struct server_opts {
    const char *db;       /* the store (required) */
    const char *listen;   /* "HOST:PORT" */
    const char *log_path; /* access log file; NULL: standard error */
    const char *skey;     /* the ledger's signer key; NULL: checkpoints are
                             served as stored, never signed here */
    int workers;          /* 0: one per core */
    int request_timeout_ms, idle_timeout_ms; /* 0: the engine's defaults */
} server_opts;

/* What the whole server shares; read-only once the workers run. */
typedef struct server_app {
    const server_opts *opts;
} server_app;

/* One worker's state: its own store handle (SQLite connection). */
typedef struct server_worker {
    const server_app *app;
    yima_store *st;
} server_worker;

/*
 * Serve until SIGTERM or SIGINT. Prints one JSON line on standard output
 * once listening: {"listening":"127.0.0.1:8080","workers":2}. Returns 0
 * after a graceful shutdown, or 1 with "yima: serve: <why>" on stderr.
 */
int server_run(const server_opts *o);

/* Count n events stored through the server (yima_events_ingested_total):
 * for the capture endpoints. Thread-safe. */
void server_events_ingested(uint64_t n);
uint64_t server_events_ingested_total(void);

/* routes.c */
extern const yima_http_route server_routes[];
extern const size_t server_nroutes;

/* handlers */
int h_healthz(yima_http_req *req, yima_http_res *res);
int h_metrics(yima_http_req *req, yima_http_res *res);
int h_ledger_checkpoint(yima_http_req *req, yima_http_res *res);

#endif /* YIMA_SERVER_H */
