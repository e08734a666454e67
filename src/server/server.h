/*
 * server.h - `yima serve`, the platform's HTTP front door: the routing
 * table, the handlers and the state each worker keeps, on top of the HTTP
 * engine of yima/http.h.
 *
 *   file         owns
 *   -----------  ------------------------------------------------------------
 *   server.c     server_run(): the engine's configuration, one store handle
 *                per worker, the access log file, the "listening" line, the
 *                timer thread that sends due recall notices
 *   routes.c     the routing table: one line per endpoint
 *   h_ops.c      GET /healthz, GET /metrics (the platform's own metrics)
 *   h_ledger.c   GET /ledger/checkpoint, /ledger/tile/..., /api/v1/ledger/proof
 *   h_scan.c     scanning: Digital Link paths, GET /api/v1/scan
 *   h_api.c      the native API under /api/v1/
 *   h_trace.c    GET /api/v1/trace: backward and forward traces
 *   h_risk.c     inspections, incident reports, risk cases, recalls
 *   api.c        what h_scan.c, h_api.c and h_ledger.c share (api.h)
 *   h_epcis.c    the EPCIS 2.0 REST binding under /epcis/ (capture, events)
 *   epcis_query.c  EPCIS query parameters to a yima_query (epcis_api.h)
 *
 * A handler finds its worker's state with yima_http_req_ctx(): a
 * server_worker whose store it may use freely (one thread per worker).
 */
#ifndef YIMA_SERVER_H
#define YIMA_SERVER_H

#include <stdint.h>

#include "yima/epcis.h"
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
    int notify_interval_ms; /* the notice timer's period; 0: 5 s */
} server_opts;

/* What the whole server shares; read-only once the workers run. */
typedef struct server_app {
    const server_opts *opts;
} server_app;

/* One worker's state: its own store handle (SQLite connection). */
typedef struct scan_cache scan_cache; /* h_scan.c */

typedef struct server_worker {
    const server_app *app;
    yima_store *st;
    scan_cache *scans; /* recent scan answers, made on first use */
} server_worker;

/* h_scan.c: free a worker's scan cache (NULL is fine). */
void scan_cache_free(scan_cache *c);

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
int h_ledger_tile(yima_http_req *req, yima_http_res *res);
int h_ledger_proof(yima_http_req *req, yima_http_res *res);

/* h_scan.c: the consumer view of a code */
int h_scan(yima_http_req *req, yima_http_res *res);
int h_scan_dl(yima_http_req *req, yima_http_res *res);

/* h_trace.c: GET /api/v1/trace (yima/trace.h) */
int h_trace(yima_http_req *req, yima_http_res *res);

/* h_risk.c: inspections, reports, risk cases, recalls (yima/risk.h) */
int h_inspections_post(yima_http_req *req, yima_http_res *res);
int h_inspections_get(yima_http_req *req, yima_http_res *res);
int h_reports_post(yima_http_req *req, yima_http_res *res);
int h_risks_get(yima_http_req *req, yima_http_res *res);
int h_recalls_post(yima_http_req *req, yima_http_res *res);
int h_recall_get(yima_http_req *req, yima_http_res *res);
int h_recall_returns_post(yima_http_req *req, yima_http_res *res);
int h_subscriptions_post(yima_http_req *req, yima_http_res *res);

/* h_api.c: the native API under /api/v1/ (api.h: what they share) */
int h_parties_post(yima_http_req *req, yima_http_res *res);
int h_party_get(yima_http_req *req, yima_http_res *res);
int h_products_post(yima_http_req *req, yima_http_res *res);
int h_product_get(yima_http_req *req, yima_http_res *res);
int h_batches_post(yima_http_req *req, yima_http_res *res);
int h_batch_get(yima_http_req *req, yima_http_res *res);
int h_codes_post(yima_http_req *req, yima_http_res *res);
int h_events_post(yima_http_req *req, yima_http_res *res);
int h_events_get(yima_http_req *req, yima_http_res *res);
int h_code_history(yima_http_req *req, yima_http_res *res);
int h_epcis_capture(yima_http_req *req, yima_http_res *res);
int h_epcis_capture_job(yima_http_req *req, yima_http_res *res);
int h_epcis_event_post(yima_http_req *req, yima_http_res *res);
int h_epcis_events(yima_http_req *req, yima_http_res *res);
int h_epcis_event(yima_http_req *req, yima_http_res *res);
int h_epcis_epc_events(yima_http_req *req, yima_http_res *res);

#endif /* YIMA_SERVER_H */
