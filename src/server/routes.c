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
};

const size_t server_nroutes = sizeof server_routes / sizeof server_routes[0];
