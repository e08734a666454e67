/*
 * worker.c - one worker: an epoll loop over the shared listener, its own
 * connections and a wake-up eventfd.
 *
 * A connection is reading (EPOLLIN) until a whole request is parsed and
 * answered, then writing (EPOLLOUT only while the socket is full) until the
 * answer is out; it reads nothing while it writes, so a client that sends
 * requests without reading answers holds at most one read buffer of them.
 * A connection that must close after its answer shuts its write side and
 * reads to EOF for a moment (a "lingering close"), so a client still sending
 * a refused body gets the answer instead of a reset.
 *
 * Timeouts are looked at every HTTP_TICK_MS by a walk over the worker's
 * connections: cheap next to the traffic that thousands of connections
 * make, and with no timer structure to keep in step.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "http_int.h"

#define ACCEPT_BATCH    64
#define LINGER_MS       2000
#define ACCEPT_PAUSE_MS 100 /* out of file descriptors: try again later */
#define OUT_CAP         (64u << 10)

/* epoll tags for the two descriptors that are not connections */
char http_tag_listen, http_tag_wake;

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t http_now_ms(void)
{
    return now_ns() / 1000000;
}

int64_t http_now_us(void)
{
    return now_ns() / 1000;
}

static void watch(http_conn *c, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = c};

    if (c->events != events &&
        epoll_ctl(c->w->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
        c->events = events;
}

static void conn_close(http_conn *c)
{
    http_worker *w = c->w;

    close(c->fd);
    if (c->prev)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    w->nconns--;
    atomic_fetch_sub(&w->srv->metrics.conns_open, 1);
    yima_buf_free(&c->req.target);
    yima_buf_free(&c->req.head);
    yima_buf_free(&c->req.body);
    http_arena_free(&c->req.arena);
    yima_buf_free(&c->res.headers);
    yima_buf_free(&c->res.body);
    yima_buf_free(&c->out);
    yima_buf_free(&c->pending);
    free(c);
}

static void peer_name(const struct sockaddr_storage *ss, socklen_t len,
                      char *out, size_t size)
{
    char host[64], port[8]; /* numeric: INET6_ADDRSTRLEN and 5 digits */

    if (getnameinfo((const struct sockaddr *)ss, len, host, sizeof host, port,
                    sizeof port, NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        snprintf(out, size, "?");
    else if (ss->ss_family == AF_INET6)
        snprintf(out, size, "[%s]:%s", host, port);
    else
        snprintf(out, size, "%s:%s", host, port);
}

static void accept_pause(http_worker *w, bool pause)
{
    struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE,
                             .data.ptr = &http_tag_listen};

    if (pause)
        epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->srv->listen_fd, NULL);
    else
        epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->srv->listen_fd, &ev);
}

static _Thread_local int64_t resume_at; /* 0: accepting */

static void conn_accept(http_worker *w)
{
    const yima_http_config *cfg = &w->srv->cfg;

    for (int i = 0; i < ACCEPT_BATCH; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        struct epoll_event ev;
        http_conn *c;
        int one = 1;
        int fd = accept4(w->srv->listen_fd, (struct sockaddr *)&ss, &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
                errno == ENOMEM) {
                accept_pause(w, true);
                resume_at = http_now_ms() + ACCEPT_PAUSE_MS;
            }
            return;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (!(c = calloc(1, sizeof *c))) {
            close(fd);
            return;
        }
        c->w = w;
        c->fd = fd;
        peer_name(&ss, len, c->remote, sizeof c->remote);
        http_parser_init(&c->parser, HTTP_REQUEST);
        c->parser.data = c;
        http_conn_reset_request(c);
        yima_buf_init(&c->out, OUT_CAP);
        yima_buf_init(&c->pending, HTTP_READ_CHUNK);
        c->deadline_ms = http_now_ms() + cfg->idle_timeout_ms;
        c->events = EPOLLIN;
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close(fd);
            free(c);
            return;
        }
        c->next = w->conns;
        if (w->conns)
            w->conns->prev = c;
        w->conns = c;
        w->nconns++;
        atomic_fetch_add(&w->srv->metrics.conns_total, 1);
        atomic_fetch_add(&w->srv->metrics.conns_open, 1);
    }
}

/* Give n bytes to the parser. Leaves a queued answer (c->writing) or
 * waits for more; bytes after an answered request are kept in pending. */
static void conn_feed(http_conn *c, const char *data, size_t n)
{
    size_t used = http_parser_execute(&c->parser, &http_settings, data, n);
    enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
    char detail[200];

    c->fed += used;
    if (e == HPE_PAUSED) {
        yima_buf_reset(&c->pending);
        yima_buf_add(&c->pending, data + used, n - used);
        return;
    }
    if (e == HPE_OK)
        return;
    if (c->req.early_status) {
        http_conn_error(c, c->req.early_status, c->req.early_error,
                        c->req.early_detail, true);
        return;
    }
    snprintf(detail, sizeof detail, "malformed request: %s, at byte %llu",
             http_errno_description(e),
             (unsigned long long)(c->fed - c->req_off + 1));
    http_conn_error(c, 400, "bad request", detail, true);
}

/* Write what is queued. 1: all written; 0: the socket is full; -1: the
 * connection is gone (closed here). */
static int conn_flush(http_conn *c)
{
    for (;;) {
        struct iovec iov[2];
        struct msghdr mh;
        size_t n = 0;
        ssize_t w;

        if (c->out_off < c->out.len) {
            iov[n].iov_base = c->out.data + c->out_off;
            iov[n++].iov_len = c->out.len - c->out_off;
        }
        if (c->body_off < c->res.body.len) {
            iov[n].iov_base = c->res.body.data + c->body_off;
            iov[n++].iov_len = c->res.body.len - c->body_off;
        }
        if (n == 0)
            return 1;
        memset(&mh, 0, sizeof mh);
        mh.msg_iov = iov;
        mh.msg_iovlen = n;
        w = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            c->deadline_ms = http_now_ms() + c->w->srv->cfg.request_timeout_ms;
            watch(c, EPOLLOUT);
            return 0;
        }
        if (w < 0) {
            conn_close(c);
            return -1;
        }
        size_t head = c->out.len - c->out_off;
        if ((size_t)w <= head) {
            c->out_off += (size_t)w;
        } else {
            c->out_off = c->out.len;
            c->body_off += (size_t)w - head;
        }
    }
}

static void conn_linger(http_conn *c)
{
    shutdown(c->fd, SHUT_WR);
    c->lingering = true;
    c->writing = false;
    c->deadline_ms = http_now_ms() + LINGER_MS;
    watch(c, EPOLLIN);
}

/* Write answers and parse kept bytes until the connection needs the
 * network again. */
static void conn_progress(http_conn *c)
{
    for (;;) {
        yima_buf kept;

        if (c->writing) {
            if (conn_flush(c) <= 0)
                return;
            if (c->closing) {
                conn_linger(c);
                return;
            }
            http_conn_reset_request(c);
            http_parser_pause(&c->parser, 0);
            c->deadline_ms = http_now_ms() + c->w->srv->cfg.idle_timeout_ms;
            watch(c, EPOLLIN);
        }
        if (c->pending.len == 0) {
            if (c->w->draining)
                conn_close(c); /* idle now, and nobody waits for it */
            return;
        }
        kept = c->pending;
        yima_buf_init(&c->pending, HTTP_READ_CHUNK);
        conn_feed(c, kept.data, kept.len);
        yima_buf_free(&kept);
        if (!c->writing)
            return;
    }
}

static void conn_read(http_conn *c)
{
    ssize_t n = recv(c->fd, c->w->rbuf, HTTP_READ_CHUNK, 0);

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0 || c->lingering) {
        if (n <= 0)
            conn_close(c);
        return; /* lingering: what comes now is thrown away */
    }
    conn_feed(c, c->w->rbuf, (size_t)n);
    conn_progress(c);
}

static void tick(http_worker *w)
{
    int64_t now = http_now_ms();
    http_conn *c = w->conns, *next;

    if (resume_at && now >= resume_at && !w->draining) {
        resume_at = 0;
        accept_pause(w, false);
    }
    for (; c; c = next) {
        next = c->next;
        if (w->draining && !c->in_request && !c->writing && !c->lingering) {
            conn_close(c);
        } else if (now < c->deadline_ms) {
            continue;
        } else if (c->writing || c->lingering || !c->in_request) {
            conn_close(c);
        } else {
            char detail[120];
            snprintf(detail, sizeof detail,
                     "the whole request did not arrive within %d ms",
                     w->srv->cfg.request_timeout_ms);
            http_conn_error(c, 408, "request timeout", detail, true);
            conn_progress(c);
        }
    }
}

static void drain(http_worker *w)
{
    uint64_t v;

    if (read(w->evfd, &v, sizeof v) < 0) {
        /* nothing: the flag below is what counts */
    }
    if (w->draining)
        return;
    w->draining = true;
    w->drain_deadline_ms = http_now_ms() + w->srv->cfg.drain_timeout_ms;
    if (!resume_at)
        accept_pause(w, true);
    resume_at = 0;
    tick(w);
}

void *http_worker_main(void *arg)
{
    http_worker *w = arg;
    struct epoll_event ev[64];
    int64_t last_tick = http_now_ms();

    resume_at = 0;
    while (!w->draining ||
           (w->nconns > 0 && http_now_ms() < w->drain_deadline_ms)) {
        int n = epoll_wait(w->epfd, ev, 64, HTTP_TICK_MS);
        for (int i = 0; i < n; i++) {
            void *p = ev[i].data.ptr;
            http_conn *c = p;
            if (p == &http_tag_listen) {
                if (!w->draining)
                    conn_accept(w);
            } else if (p == &http_tag_wake) {
                drain(w);
            } else if (c->writing) {
                conn_progress(c); /* writable, or an error to find */
            } else if (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                conn_read(c);
            }
        }
        if (http_now_ms() - last_tick >= HTTP_TICK_MS) {
            tick(w);
            last_tick = http_now_ms();
        }
    }
    while (w->conns)
        conn_close(w->conns);
    return NULL;
}
