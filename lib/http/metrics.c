/*
 * metrics.c - request counters and latency histograms by route, in the
 * Prometheus text exposition format (version 0.0.4).
 *
 * Every worker counts into the same arrays with relaxed atomic adds: no
 * lock on the request path, and a scrape sees each counter whole (the
 * counters of one histogram may be a request apart, which Prometheus
 * tolerates). Routes are known when the server starts, so the arrays are
 * sized once: one row per table line plus one for requests refused before
 * routing or matching no line (route="(none)").
 *
 *   name                                   type       labels
 *   -------------------------------------  ---------  ------------------------
 *   yima_http_requests_total               counter    method, route, code
 *   yima_http_request_duration_seconds     histogram  method, route
 *   yima_http_connections_total            counter    -
 *   yima_http_connections_open             gauge      -
 */
#include <stdlib.h>
#include <string.h>

#include "http_int.h"

#define CODES 500 /* 100..599 */

static const uint64_t bucket_us[] = {
    100,   250,    500,    1000,   2500,    5000,    10000,   25000,
    50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000};
#define HTTP_BUCKETS (sizeof bucket_us / sizeof bucket_us[0] + 1)

int http_metrics_init(http_metrics *m, size_t nroutes)
{
    m->nroutes = nroutes + 1;
    m->codes = calloc(m->nroutes * CODES, sizeof *m->codes);
    m->hist = calloc(m->nroutes * HTTP_BUCKETS, sizeof *m->hist);
    m->sum_us = calloc(m->nroutes, sizeof *m->sum_us);
    atomic_init(&m->conns_total, 0);
    atomic_init(&m->conns_open, 0);
    if (!m->codes || !m->hist || !m->sum_us) {
        http_metrics_free(m);
        return YIMA_ENOMEM;
    }
    return 0;
}

void http_metrics_free(http_metrics *m)
{
    free(m->codes);
    free(m->hist);
    free(m->sum_us);
    m->codes = m->hist = m->sum_us = NULL;
}

void http_metrics_count(http_metrics *m, int route, int status,
                        uint64_t duration_us)
{
    size_t r = route < 0 ? m->nroutes - 1 : (size_t)route, b = 0;

    if (status < 100 || status > 599)
        status = 599;
    while (b < HTTP_BUCKETS - 1 && duration_us > bucket_us[b])
        b++;
    atomic_fetch_add_explicit(&m->codes[r * CODES + (size_t)(status - 100)], 1,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&m->hist[r * HTTP_BUCKETS + b], 1,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_us[r], duration_us, memory_order_relaxed);
}

static uint64_t get(_Atomic uint64_t *p)
{
    return atomic_load_explicit(p, memory_order_relaxed);
}

/* method="GET",route="/healthz" */
static void labels(yima_buf *out, const http_server *s, size_t r)
{
    const char *method = "*", *route = "(none)";

    if (r < s->cfg.nroutes) {
        method = s->cfg.routes[r].method;
        route = s->cfg.routes[r].pattern;
    }
    yima_buf_printf(out, "method=\"%s\",route=\"", method);
    for (const char *p = route; *p; p++) {
        if (*p == '"' || *p == '\\')
            yima_buf_putc(out, '\\');
        yima_buf_putc(out, *p == '\n' ? ' ' : *p);
    }
    yima_buf_putc(out, '"');
}

int yima_http_metrics_write(const yima_http_req *req, yima_buf *out)
{
    http_server *s = req->conn->w->srv;
    http_metrics *m = &s->metrics;

    yima_buf_puts(out,
                  "# HELP yima_http_requests_total HTTP requests answered, "
                  "by route and status code.\n"
                  "# TYPE yima_http_requests_total counter\n");
    for (size_t r = 0; r < m->nroutes; r++)
        for (size_t c = 0; c < CODES; c++) {
            uint64_t v = get(&m->codes[r * CODES + c]);
            if (!v)
                continue;
            yima_buf_puts(out, "yima_http_requests_total{");
            labels(out, s, r);
            yima_buf_printf(out, ",code=\"%zu\"} %llu\n", c + 100,
                            (unsigned long long)v);
        }
    yima_buf_puts(out, "# HELP yima_http_request_duration_seconds Time from "
                       "a request's first byte to its answer, by route.\n"
                       "# TYPE yima_http_request_duration_seconds histogram\n");
    for (size_t r = 0; r < m->nroutes; r++) {
        uint64_t cum = 0;
        for (size_t b = 0; b < HTTP_BUCKETS; b++) {
            cum += get(&m->hist[r * HTTP_BUCKETS + b]);
            yima_buf_puts(out, "yima_http_request_duration_seconds_bucket{");
            labels(out, s, r);
            if (b < HTTP_BUCKETS - 1)
                yima_buf_printf(out, ",le=\"%g\"} %llu\n",
                                (double)bucket_us[b] / 1e6,
                                (unsigned long long)cum);
            else
                yima_buf_printf(out, ",le=\"+Inf\"} %llu\n",
                                (unsigned long long)cum);
        }
        yima_buf_puts(out, "yima_http_request_duration_seconds_sum{");
        labels(out, s, r);
        yima_buf_printf(out, "} %.6f\n", (double)get(&m->sum_us[r]) / 1e6);
        yima_buf_puts(out, "yima_http_request_duration_seconds_count{");
        labels(out, s, r);
        yima_buf_printf(out, "} %llu\n", (unsigned long long)cum);
    }
    yima_buf_printf(out,
                    "# HELP yima_http_connections_total Connections accepted.\n"
                    "# TYPE yima_http_connections_total counter\n"
                    "yima_http_connections_total %llu\n"
                    "# HELP yima_http_connections_open Connections open now.\n"
                    "# TYPE yima_http_connections_open gauge\n"
                    "yima_http_connections_open %lld\n",
                    (unsigned long long)atomic_load(&m->conns_total),
                    (long long)atomic_load(&m->conns_open));
    return out->failed ? YIMA_ETOOBIG : 0;
}
