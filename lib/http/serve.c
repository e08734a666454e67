/*
 * serve.c - yima_http_serve(): fill in the defaults, check the routes,
 * listen, make each worker's epoll set and application state, start the
 * threads, wait for SIGTERM or SIGINT, then drain and stop in order:
 * workers stop accepting and finish their requests, the threads are
 * joined, the application closes each worker's state, the listener closes.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "http_int.h"

extern char http_tag_listen, http_tag_wake;

static void defaults(yima_http_config *c)
{
    if (!c->target_max)
        c->target_max = YIMA_HTTP_TARGET_MAX;
    if (!c->header_max)
        c->header_max = YIMA_HTTP_HEADER_MAX;
    if (!c->body_max)
        c->body_max = YIMA_HTTP_BODY_MAX;
    if (!c->json_depth_max)
        c->json_depth_max = YIMA_HTTP_JSON_DEPTH_MAX;
    if (!c->request_timeout_ms)
        c->request_timeout_ms = YIMA_HTTP_REQUEST_TIMEOUT;
    if (!c->idle_timeout_ms)
        c->idle_timeout_ms = YIMA_HTTP_IDLE_TIMEOUT;
    if (!c->drain_timeout_ms)
        c->drain_timeout_ms = YIMA_HTTP_DRAIN_TIMEOUT;
    if (c->workers <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        c->workers = n > 0 ? (int)n : 1;
    }
    if (c->workers > YIMA_HTTP_WORKERS_MAX)
        c->workers = YIMA_HTTP_WORKERS_MAX;
}

static int worker_init(http_server *s, http_worker *w, int i, yima_error *err)
{
    struct epoll_event ev;

    w->srv = s;
    w->id = i;
    w->evfd = -1;
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (w->epfd < 0 || (w->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
        return yima_error_set(err, YIMA_EIO, 0, "serve: epoll: %s",
                              strerror(errno));
    if (!(w->rbuf = malloc(HTTP_READ_CHUNK)))
        return yima_error_set(err, YIMA_ENOMEM, 0, "serve: out of memory");
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    ev.data.ptr = &http_tag_listen;
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, s->listen_fd, &ev) != 0)
        return yima_error_set(err, YIMA_EIO, 0, "serve: epoll: %s",
                              strerror(errno));
    ev.events = EPOLLIN;
    ev.data.ptr = &http_tag_wake;
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->evfd, &ev) != 0)
        return yima_error_set(err, YIMA_EIO, 0, "serve: epoll: %s",
                              strerror(errno));
    if (s->cfg.worker_open)
        return s->cfg.worker_open(s->cfg.app, i, &w->ctx, err);
    return 0;
}

static void stop_workers(http_server *s)
{
    uint64_t one = 1;

    atomic_store(&s->stopping, true);
    for (int i = 0; i < s->nworkers; i++)
        if (s->workers[i].evfd >= 0 &&
            write(s->workers[i].evfd, &one, sizeof one) < 0) {
            /* an eventfd write fails only on overflow: already woken */
        }
    for (int i = 0; i < s->nworkers; i++)
        if (s->workers[i].started)
            pthread_join(s->workers[i].thread, NULL);
}

static void wait_for_signal(const sigset_t *set)
{
    int sig = 0;

    while (sigwait(set, &sig) != 0 || (sig != SIGTERM && sig != SIGINT)) {
    }
}

int yima_http_serve(const yima_http_config *cfg, yima_error *err)
{
    http_server *s = calloc(1, sizeof *s);
    sigset_t stop, block, old;
    struct timespec zero = {0, 0};
    int rc = 0;

    if (!s)
        return yima_error_set(err, YIMA_ENOMEM, 0, "serve: out of memory");
    s->cfg = *cfg;
    s->listen_fd = -1;
    defaults(&s->cfg);
    pthread_mutex_init(&s->log_lock, NULL);
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    block = stop;
    sigaddset(&block, SIGPIPE); /* a closed log pipe must not kill us */
    /* blocked before any thread starts, so all of them inherit it */
    pthread_sigmask(SIG_BLOCK, &block, &old);
    if ((rc = http_routes_check(s->cfg.routes, s->cfg.nroutes, err)) != 0)
        goto out;
    if ((rc = http_metrics_init(&s->metrics, s->cfg.nroutes)) != 0) {
        yima_error_set(err, rc, 0, "serve: out of memory");
        goto out;
    }
    if ((rc = http_listen(s->cfg.listen, &s->listen_fd, s->addr, sizeof s->addr,
                          err)) != 0)
        goto out;
    s->workers = calloc((size_t)s->cfg.workers, sizeof *s->workers);
    if (!s->workers) {
        rc = yima_error_set(err, YIMA_ENOMEM, 0, "serve: out of memory");
        goto out;
    }
    for (int i = 0; i < s->cfg.workers; i++) {
        s->nworkers = i + 1;
        if ((rc = worker_init(s, &s->workers[i], i, err)) != 0)
            goto out;
    }
    for (int i = 0; i < s->nworkers; i++) {
        if (pthread_create(&s->workers[i].thread, NULL, http_worker_main,
                           &s->workers[i]) != 0) {
            rc = yima_error_set(err, YIMA_EIO, 0, "serve: no thread");
            goto out;
        }
        s->workers[i].started = true;
    }
    if (s->cfg.ready)
        s->cfg.ready(s->cfg.app, s->addr, s->nworkers);
    wait_for_signal(&stop);
out:
    stop_workers(s);
    for (int i = 0; i < s->nworkers; i++) {
        http_worker *w = &s->workers[i];
        if (w->ctx && s->cfg.worker_close)
            s->cfg.worker_close(s->cfg.app, w->ctx);
        if (w->epfd >= 0)
            close(w->epfd);
        if (w->evfd >= 0)
            close(w->evfd);
        free(w->rbuf);
    }
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    /* a SIGPIPE from the log, still pending, must not fire on unblocking */
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    while (sigtimedwait(&block, NULL, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    http_metrics_free(&s->metrics);
    pthread_mutex_destroy(&s->log_lock);
    free(s->workers);
    free(s);
    return rc;
}
