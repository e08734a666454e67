/*
 * response.c - the response helpers handlers use, and the status line and
 * headers the engine puts in front of the body.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http_int.h"

static const struct {
    int status;
    const char *reason;
} reasons[] = {
    {100, "Continue"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {204, "No Content"},
    {206, "Partial Content"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {413, "Content Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {422, "Unprocessable Content"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {503, "Service Unavailable"},
};

const char *yima_http_reason(int status)
{
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (reasons[i].status == status)
            return reasons[i].reason;
    return "Unknown";
}

void yima_http_res_status(yima_http_res *res, int status)
{
    assert(res);
    assert(status >= 100 && status <= 599);
    res->status = status;
}

static bool clean(const char *s)
{
    return s[strcspn(s, "\r\n")] == '\0';
}

int yima_http_res_header(yima_http_res *res, const char *name,
                         const char *value)
{
    static const char *const own[] = {"Content-Length", "Content-Type",
                                      "Connection", "Date",
                                      "Transfer-Encoding"};

    assert(res && name && value);
    if (!name[0] || !clean(name) || !clean(value) || strchr(name, ':'))
        return YIMA_EINVAL;
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        if (!strcasecmp(name, own[i]))
            return YIMA_EUSAGE;
    yima_buf_printf(&res->headers, "%s: %s\r\n", name, value);
    return res->headers.failed ? YIMA_ETOOBIG : 0;
}

void yima_http_res_type(yima_http_res *res, const char *type)
{
    assert(res && type);
    if (clean(type))
        snprintf(res->type, sizeof res->type, "%s", type);
}

yima_buf *yima_http_res_body(yima_http_res *res)
{
    assert(res);
    return &res->body;
}

int yima_http_res_send(yima_http_res *res, int status, const char *type,
                       const void *p, size_t n)
{
    assert(res);
    yima_http_res_status(res, status);
    if (type)
        yima_http_res_type(res, type);
    yima_buf_reset(&res->body);
    return yima_buf_add(&res->body, p, n);
}

int yima_http_res_error(yima_http_res *res, int status, const char *error,
                        const char *fmt, ...)
{
    char detail[512];
    va_list ap;

    assert(res && error && fmt);
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    yima_http_res_status(res, status);
    yima_http_res_type(res, "application/json");
    yima_buf_reset(&res->body);
    yima_buf_puts(&res->body, "{\"error\":");
    yima_buf_json_str(&res->body, error, strlen(error));
    yima_buf_puts(&res->body, ",\"detail\":");
    yima_buf_json_str(&res->body, detail, strlen(detail));
    yima_buf_puts(&res->body, "}\n");
    return res->body.failed ? YIMA_ETOOBIG : 0;
}

/* The Date line, built once a second per worker. */
static const char *date_line(http_worker *w)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
                                       "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
                                         "May", "Jun", "Jul", "Aug",
                                         "Sep", "Oct", "Nov", "Dec"};
    time_t now = time(NULL);
    struct tm tm;

    if (now != w->date_sec) {
        gmtime_r(&now, &tm);
        snprintf(w->date, sizeof w->date,
                 "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n",
                 days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
                 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
        w->date_sec = now;
    }
    return w->date;
}

void http_conn_respond(http_conn *c)
{
    yima_http_res *res = &c->res;
    uint64_t dur = (uint64_t)(http_now_us() - c->req.start_us);

    if (res->body.failed)
        yima_http_res_error(res, 500, "internal error",
                            "the response body grew past its limit");
    if (c->w->draining)
        c->closing = true;
    yima_buf_reset(&c->out);
    yima_buf_printf(&c->out,
                    "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
                    "Content-Length: %zu\r\n%s%s",
                    res->status, yima_http_reason(res->status), res->type,
                    res->body.len, date_line(c->w),
                    c->closing ? "Connection: close\r\n" : "");
    yima_buf_add(&c->out, res->headers.data ? res->headers.data : "",
                 res->headers.len);
    yima_buf_puts(&c->out, "\r\n");
    if (c->head_only)
        c->body_off = res->body.len;
    c->out_off = 0;
    c->writing = true;
    http_metrics_count(&c->w->srv->metrics, c->req.route, res->status, dur);
    http_log_request(c, res->status, res->body.len, dur);
}
