/*
 * h_ops.c - what operators ask of a running server: GET /healthz and
 * GET /metrics.
 *
 * /healthz answers 200 {"status":"ok","ledger_size":N} when the worker's
 * store answers, 503 with the reason when it does not.
 *
 * /metrics is the engine's HTTP metrics (yima/http.h) followed by the
 * platform's own:
 *
 *   name                        type     meaning
 *   --------------------------  -------  ------------------------------------
 *   yima_events_ingested_total  counter  events stored through this server
 *   yima_ledger_size            gauge    entries in the ledger
 *   yima_store_bytes            gauge    the store's database and WAL files
 */
#include <stdio.h>
#include <sys/stat.h>

#include "server.h"

static off_t file_size(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0 ? sb.st_size : 0;
}

int h_healthz(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    uint64_t size;
    yima_error err;

    if (yima_store_size(sw->st, &size, &err) != 0)
        return yima_http_res_error(res, 503, "store unavailable", "%s",
                                   err.msg);
    yima_buf_printf(yima_http_res_body(res),
                    "{\"status\":\"ok\",\"ledger_size\":%llu}\n",
                    (unsigned long long)size);
    return 0;
}

int h_metrics(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    yima_buf *out = yima_http_res_body(res);
    char wal[4096];
    uint64_t size = 0;
    yima_error err;

    yima_http_res_type(res, "text/plain; version=0.0.4; charset=utf-8");
    yima_http_metrics_write(req, out);
    snprintf(wal, sizeof wal, "%s-wal", sw->app->opts->db);
    if (yima_store_size(sw->st, &size, &err) != 0)
        size = 0;
    yima_buf_printf(
        out,
        "# HELP yima_events_ingested_total Events stored and sealed through "
        "this server.\n"
        "# TYPE yima_events_ingested_total counter\n"
        "yima_events_ingested_total %llu\n"
        "# HELP yima_ledger_size Entries in the ledger.\n"
        "# TYPE yima_ledger_size gauge\n"
        "yima_ledger_size %llu\n"
        "# HELP yima_store_bytes Bytes of the store's database and "
        "write-ahead log files.\n"
        "# TYPE yima_store_bytes gauge\n"
        "yima_store_bytes %lld\n",
        (unsigned long long)server_events_ingested_total(),
        (unsigned long long)size,
        (long long)(file_size(sw->app->opts->db) + file_size(wal)));
    return 0;
}
