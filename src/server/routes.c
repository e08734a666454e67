/*
 * routes.c - the routing table of `yima serve`: method, path pattern,
 * handler, and the body limit when a route needs more than the default
 * (yima/http.h explains patterns; literal lines go before parameter lines).
 * An endpoint is one line here and one handler in an h_*.c file.
 */
#include "server.h"

const yima_http_route server_routes[] = {
    {"GET", "/healthz", h_healthz, 0},
    {"GET", "/metrics", h_metrics, 0},
    {"GET", "/ledger/checkpoint", h_ledger_checkpoint, 0},
    /* the EPCIS 2.0 REST binding (h_epcis.c) */
    {"POST", "/epcis/capture", h_epcis_capture, YIMA_EPCIS_DOC_MAX},
    {"GET", "/epcis/capture/{captureID}", h_epcis_capture_job, 0},
    {"POST", "/epcis/events", h_epcis_event_post, 0},
    {"GET", "/epcis/events", h_epcis_events, 0},
    {"GET", "/epcis/events/{eventID...}", h_epcis_event, 0},
    {"GET", "/epcis/epcs/{epc...}", h_epcis_epc_events, 0},
    /* the public ledger, the native API, scanning (h_ledger.c, h_api.c,
     * h_scan.c) */
    {"GET", "/ledger/tile/{path...}", h_ledger_tile, 0},
    {"GET", "/api/v1/ledger/proof", h_ledger_proof, 0},
    {"GET", "/api/v1/scan", h_scan, 0},
    {"GET", "/api/v1/trace", h_trace, 0},
    {"POST", "/api/v1/parties", h_parties_post, 0},
    {"GET", "/api/v1/parties/{uscc}", h_party_get, 0},
    {"POST", "/api/v1/products", h_products_post, 0},
    {"GET", "/api/v1/products/{code...}", h_product_get, 0},
    {"POST", "/api/v1/batches", h_batches_post, 0},
    {"GET", "/api/v1/batches/{product}/{lot}", h_batch_get, 0},
    {"POST", "/api/v1/codes", h_codes_post, 0},
    {"GET", "/api/v1/codes/{code}/history", h_code_history, 0},
    {"POST", "/api/v1/events", h_events_post, 16u << 20},
    {"GET", "/api/v1/events", h_events_get, 0},
    /* risk and recall (h_risk.c) */
    {"POST", "/api/v1/inspections", h_inspections_post, 0},
    {"GET", "/api/v1/inspections", h_inspections_get, 0},
    {"POST", "/api/v1/reports", h_reports_post, 0},
    {"GET", "/api/v1/risks", h_risks_get, 0},
    {"POST", "/api/v1/recalls", h_recalls_post, 0},
    {"POST", "/api/v1/subscriptions", h_subscriptions_post, 0},
    {"GET", "/api/v1/recalls/{id}", h_recall_get, 0},
    {"POST", "/api/v1/recalls/{id}/returns", h_recall_returns_post, 0},
    /* GS1 Digital Link paths on this host, one line per primary key */
    {"GET", "/01/{dl...}", h_scan_dl, 0},
    {"GET", "/00/{dl...}", h_scan_dl, 0},
    {"GET", "/253/{dl...}", h_scan_dl, 0},
    {"GET", "/255/{dl...}", h_scan_dl, 0},
    {"GET", "/401/{dl...}", h_scan_dl, 0},
    {"GET", "/402/{dl...}", h_scan_dl, 0},
    {"GET", "/414/{dl...}", h_scan_dl, 0},
    {"GET", "/417/{dl...}", h_scan_dl, 0},
    {"GET", "/8003/{dl...}", h_scan_dl, 0},
    {"GET", "/8004/{dl...}", h_scan_dl, 0},
    {"GET", "/8006/{dl...}", h_scan_dl, 0},
    {"GET", "/8010/{dl...}", h_scan_dl, 0},
    {"GET", "/8013/{dl...}", h_scan_dl, 0},
    {"GET", "/8017/{dl...}", h_scan_dl, 0},
    {"GET", "/8018/{dl...}", h_scan_dl, 0},
};

const size_t server_nroutes = sizeof server_routes / sizeof server_routes[0];
