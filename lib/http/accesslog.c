/*
 * accesslog.c - one JSON object per answered request (the fields are in
 * yima/http.h). A line is built whole and written with one write() under
 * the server's log lock, so lines of different workers never interleave,
 * even on a pipe.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "http_int.h"

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* a log that cannot be written must not stop serving */
        p += w;
        n -= (size_t)w;
    }
}

void http_log_request(http_conn *c, int status, size_t bytes,
                      uint64_t duration_us)
{
    http_server *s = c->w->srv;
    yima_http_req *req = &c->req;
    const char *path = req->path ? req->path : req->target.data;
    size_t plen = path ? strcspn(path, "?#") : 0;
    struct tm tm;
    yima_buf b;

    if (s->cfg.log_fd < 0)
        return;
    gmtime_r(&req->start_real.tv_sec, &tm);
    yima_buf_init(&b, HTTP_LOG_PATH_MAX * 6 + 1024);
    yima_buf_printf(&b,
                    "{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\","
                    "\"method\":",
                    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                    tm.tm_min, tm.tm_sec, req->start_real.tv_nsec / 1000000);
    yima_buf_json_str(&b, req->method, strlen(req->method));
    yima_buf_puts(&b, ",\"path\":");
    if (plen > HTTP_LOG_PATH_MAX) {
        yima_buf b2;
        yima_buf_init(&b2, HTTP_LOG_PATH_MAX + 4);
        yima_buf_add(&b2, path, HTTP_LOG_PATH_MAX);
        yima_buf_puts(&b2, "...");
        yima_buf_json_str(&b, b2.data, b2.len);
        yima_buf_free(&b2);
    } else {
        yima_buf_json_str(&b, path ? path : "", plen);
    }
    yima_buf_printf(&b,
                    ",\"status\":%d,\"bytes\":%zu,\"duration_us\":%llu,"
                    "\"remote\":",
                    status, bytes, (unsigned long long)duration_us);
    yima_buf_json_str(&b, c->remote, strlen(c->remote));
    if (req->party[0]) {
        yima_buf_puts(&b, ",\"party\":");
        yima_buf_json_str(&b, req->party, strlen(req->party));
    }
    yima_buf_puts(&b, "}\n");
    if (!b.failed) {
        pthread_mutex_lock(&s->log_lock);
        write_all(s->cfg.log_fd, b.data, b.len);
        pthread_mutex_unlock(&s->log_lock);
    }
    yima_buf_free(&b);
}
