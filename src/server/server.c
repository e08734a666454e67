/*
 * server.c - server_run(): configure the HTTP engine for the platform and
 * run it. Each worker opens its own store handle (its own SQLite
 * connection), so handlers on different cores read in parallel and
 * writers take turns inside SQLite; the handles are closed after the
 * workers have drained.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server.h"

static _Atomic uint64_t events_ingested;

void server_events_ingested(uint64_t n)
{
    atomic_fetch_add_explicit(&events_ingested, n, memory_order_relaxed);
}

uint64_t server_events_ingested_total(void)
{
    return atomic_load_explicit(&events_ingested, memory_order_relaxed);
}

static int worker_open(void *arg, int i, void **ctx, yima_error *err)
{
    server_app *app = arg;
    server_worker *sw = calloc(1, sizeof *sw);
    int rc;

    (void)i;
    if (!sw)
        return yima_error_set(err, YIMA_ENOMEM, 0, "out of memory");
    sw->app = app;
    if ((rc = yima_store_open(app->opts->db, &sw->st, err)) != 0) {
        free(sw);
        return rc;
    }
    *ctx = sw;
    return 0;
}

static void worker_close(void *arg, void *ctx)
{
    server_worker *sw = ctx;

    (void)arg;
    scan_cache_free(sw->scans);
    yima_store_close(sw->st);
    free(sw);
}

static void ready(void *arg, const char *addr, int workers)
{
    (void)arg;
    printf("{\"listening\":\"%s\",\"workers\":%d}\n", addr, workers);
    fflush(stdout);
}

int server_run(const server_opts *o)
{
    server_app app = {.opts = o};
    yima_http_config cfg;
    yima_error err;
    int log_fd = STDERR_FILENO, rc;

    if (o->log_path) {
        log_fd =
            open(o->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (log_fd < 0) {
            fprintf(stderr, "yima: serve: --log %s: %s\n", o->log_path,
                    strerror(errno));
            return 1;
        }
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.listen = o->listen;
    cfg.workers = o->workers;
    cfg.request_timeout_ms = o->request_timeout_ms;
    cfg.idle_timeout_ms = o->idle_timeout_ms;
    cfg.log_fd = log_fd;
    cfg.routes = server_routes;
    cfg.nroutes = server_nroutes;
    cfg.app = &app;
    cfg.worker_open = worker_open;
    cfg.worker_close = worker_close;
    cfg.ready = ready;
    rc = yima_http_serve(&cfg, &err);
    if (rc != 0)
        fprintf(stderr, "yima: serve: %s\n", err.msg);
    if (log_fd != STDERR_FILENO)
        close(log_fd);
    return rc == 0 ? 0 : 1;
}
