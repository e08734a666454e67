/*
 * server.c - server_run(): configure the HTTP engine for the platform and
 * run it. Each worker opens its own store handle (its own SQLite
 * connection), so handlers on different cores read in parallel and
 * writers take turns inside SQLite; the handles are closed after the
 * workers have drained.
 *
 * Beside the workers one timer thread, with a store handle of its own,
 * sends the recall notices that are due (yima_risk_notify_run) every
 * --notify-interval, so a retry does not wait for someone to read the
 * recall. It stops, even in the middle of a delivery, as soon as a byte
 * arrives on its stop pipe after the workers have drained.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "yima/risk.h"

#include "server.h"

#define NOTIFY_INTERVAL_MS 5000
#define NOTIFY_TIMEOUT_MS  5000 /* one delivery attempt, whole */

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

/* ---- The notice timer -------------------------------------------------- */

typedef struct notifier {
    yima_store *st;
    int interval_ms;
    int stop[2]; /* a byte written to stop[1] ends the thread */
    pthread_t thread;
    bool running;
} notifier;

/* Wait one period: true when it passed, false when told to stop. */
static bool notifier_wait(const notifier *n)
{
    struct pollfd p = {n->stop[0], POLLIN, 0};
    int r = poll(&p, 1, n->interval_ms);

    return r == 0 || (r < 0 && errno == EINTR);
}

static void *notifier_main(void *arg)
{
    notifier *n = arg;
    yima_risk_notify_opts o = {0, NOTIFY_TIMEOUT_MS, n->stop[0]};
    char said[YIMA_ERROR_MSG_MAX] = "";
    yima_error err;

    do {
        /* a store error is said once, not every period */
        if (yima_risk_notify_run(n->st, &o, NULL, &err) != 0 &&
            strcmp(err.msg, said) != 0) {
            fprintf(stderr, "yima: serve: recall notices: %s\n", err.msg);
            snprintf(said, sizeof said, "%s", err.msg);
        }
    } while (notifier_wait(n));
    return NULL;
}

/* Open the timer's store handle and start it, with the signals the
 * engine takes (SIGTERM, SIGINT) and SIGPIPE blocked in it. */
static int notifier_start(notifier *n, const server_opts *o, yima_error *err)
{
    sigset_t block, old;
    int rc;

    n->interval_ms =
        o->notify_interval_ms > 0 ? o->notify_interval_ms : NOTIFY_INTERVAL_MS;
    if ((rc = yima_store_open(o->db, &n->st, err)) != 0)
        return rc;
    if (pipe2(n->stop, O_CLOEXEC) != 0)
        return yima_error_set(err, YIMA_EIO, 0, "notify timer: %s",
                              strerror(errno));
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    n->running = pthread_create(&n->thread, NULL, notifier_main, n) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!n->running)
        return yima_error_set(err, YIMA_EIO, 0, "notify timer: no thread");
    return 0;
}

static void notifier_stop(notifier *n)
{
    if (n->running) {
        if (write(n->stop[1], "", 1) < 0) {
            /* cannot be: an empty pipe takes a byte */
        }
        pthread_join(n->thread, NULL);
    }
    if (n->stop[0] >= 0) {
        close(n->stop[0]);
        close(n->stop[1]);
    }
    yima_store_close(n->st);
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
    notifier timer = {NULL, 0, {-1, -1}, 0, false};
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
    if ((rc = notifier_start(&timer, o, &err)) == 0)
        rc = yima_http_serve(&cfg, &err);
    notifier_stop(&timer);
    if (rc != 0)
        fprintf(stderr, "yima: serve: %s\n", err.msg);
    if (log_fd != STDERR_FILENO)
        close(log_fd);
    return rc == 0 ? 0 : 1;
}
