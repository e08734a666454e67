/*
 * notify.c - recall notifications to holders' webhooks (yima/risk.h):
 * which are due, one POST each, every attempt recorded, retried with
 * exponential back-off.
 *
 * State is derived from the rows, never updated in place: a notification
 * (kind "notification") is delivered when one of its attempts (kind
 * "attempt", key its id) is; else it is due when it has no attempt yet, or
 * when YIMA_RISK_BACKOFF_MS x 2^(attempts-1) (at most a day) has passed
 * since its last, until YIMA_RISK_NOTIFY_TRIES attempts failed.
 *
 * The sender speaks just enough HTTP/1.1 to POST a small JSON body and
 * read the status line. It reaches only http://127.0.0.1: other URLs fail
 * their attempt with a reason (no traffic leaves the machine from here).
 */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "yima/risk.h"

#include "risk_int.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)
#define DAY_MS     (24 * 3600 * 1000LL)

/* ---- The sender --------------------------------------------------------- */

/* Split http://127.0.0.1[:port][/path] into port and path. */
static bool loopback_url(const char *url, int *port, const char **path)
{
    static const char prefix[] = "http://127.0.0.1";
    const char *p = url + sizeof prefix - 1;
    long v = 80;

    if (strncmp(url, prefix, sizeof prefix - 1) != 0)
        return false;
    if (*p == ':') {
        char *end;

        errno = 0;
        v = strtol(p + 1, &end, 10);
        if (end == p + 1 || errno || v < 1 || v > 65535)
            return false;
        p = end;
    }
    if (*p != '\0' && *p != '/')
        return false;
    *port = (int)v;
    *path = *p ? p : "/";
    return true;
}

/* POST body to url; *status gets the HTTP status, or 0 with why. */
static void post(const char *url, const char *body, size_t len, int timeout_ms,
                 int *status, char *why, size_t whysz)
{
    struct sockaddr_in sa = {0};
    struct timeval tv = {timeout_ms / 1000, timeout_ms % 1000 * 1000};
    char head[1400], answer[256];
    const char *path;
    size_t got = 0;
    int fd = -1, port, n, major, minor, code;

    *status = 0;
    why[0] = '\0';
    if (!loopback_url(url, &port, &path)) {
        snprintf(why, whysz,
                 "only http://127.0.0.1 URLs are reached from "
                 "this server");
        return;
    }
    n = snprintf(head, sizeof head,
                 "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                 "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                 "User-Agent: yima-recall\r\nConnection: close\r\n\r\n",
                 path, port, len);
    if (n < 0 || (size_t)n >= sizeof head) {
        snprintf(why, whysz, "URL too long");
        return;
    }
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
        connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        snprintf(why, whysz, "connect: %s", strerror(errno));
        goto out;
    }
    for (int part = 0; part < 2; part++) {
        const char *p = part ? body : head;
        size_t left = part ? len : (size_t)n;

        while (left > 0) {
            ssize_t w = send(fd, p, left, MSG_NOSIGNAL);

            if (w <= 0) {
                snprintf(why, whysz, "send: %s",
                         w < 0 ? strerror(errno) : "closed");
                goto out;
            }
            p += w;
            left -= (size_t)w;
        }
    }
    while (got < sizeof answer - 1 && !memchr(answer, '\n', got)) {
        ssize_t r = recv(fd, answer + got, sizeof answer - 1 - got, 0);

        if (r <= 0)
            break;
        got += (size_t)r;
    }
    answer[got] = '\0';
    if (sscanf(answer, "HTTP/%d.%d %3d", &major, &minor, &code) == 3 &&
        code >= 100 && code <= 599)
        *status = code;
    else
        snprintf(why, whysz, "no HTTP answer");
out:
    if (fd >= 0)
        close(fd);
}

/* ---- Which are due ------------------------------------------------------ */

typedef struct attempts {
    size_t n;
    bool delivered;
    int64_t last_ms;
    json_t *last; /* the last attempt's record */
} attempts;

static int attempt_row(void *arg, const yima_store_risk_row *row)
{
    attempts *a = arg;

    a->n++;
    a->last_ms = row->created_ms;
    if (row->tag && !strcmp(row->tag, "delivered"))
        a->delivered = true;
    json_decref(a->last);
    a->last = json_loads(row->json, 0, NULL);
    return 0;
}

/* The attempts of notification id so far (caller decrefs a->last). */
static void attempts_of(yima_store *st, int64_t id, attempts *a)
{
    char key[32];

    memset(a, 0, sizeof *a);
    snprintf(key, sizeof key, "%" PRId64, id);
    yima_store_risk_list(st, "attempt", key, 0, attempt_row, a, NULL);
}

/* When the next attempt is due (ms), or -1 when none will be made. */
static int64_t next_due(const attempts *a, int64_t created_ms)
{
    int64_t wait = YIMA_RISK_BACKOFF_MS;

    if (a->delivered || a->n >= YIMA_RISK_NOTIFY_TRIES)
        return -1;
    if (a->n == 0)
        return created_ms;
    for (size_t i = 1; i < a->n && wait < DAY_MS; i++)
        wait *= 2;
    return a->last_ms + (wait < DAY_MS ? wait : DAY_MS);
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- Delivery ----------------------------------------------------------- */

typedef struct due {
    int64_t id, created;
    char *recall, *json;
} due;

typedef struct due_list {
    due *v;
    size_t n, cap;
    int64_t recall; /* only this recall's (0: all) */
} due_list;

static int due_row(void *arg, const yima_store_risk_row *row)
{
    due_list *l = arg;

    if (l->recall > 0 && strtoll(row->key, NULL, 10) != l->recall)
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        due *v = realloc(l->v, cap * sizeof *v);

        if (!v)
            return YIMA_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n] =
        (due){row->id, row->created_ms, strdup(row->key), strdup(row->json)};
    if (!l->v[l->n].recall || !l->v[l->n].json) {
        free(l->v[l->n].recall);
        free(l->v[l->n].json);
        return YIMA_ENOMEM;
    }
    l->n++;
    return 0;
}

/* The body POSTed for notification n: the recall and what party holds. */
static char *payload(yima_store *st, const due *d, json_t *nt)
{
    yima_buf b;
    json_t *rec, *p = json_object(), *h;
    const char *party = json_string_value(json_object_get(nt, "party"));
    char *text = NULL;
    size_t i;

    yima_buf_init(&b, 64u << 20);
    if (yima_risk_recall_json(st, strtoll(d->recall, NULL, 10), &b, NULL) !=
            0 ||
        !(rec = json_loadb(b.data, b.len, 0, NULL))) {
        yima_buf_free(&b);
        json_decref(p);
        return NULL;
    }
    yima_buf_free(&b);
    json_object_set_new(p, "event", json_string("recall"));
    json_object_set_new(p, "notification", json_integer(d->id));
    json_object_set(p, "recall", json_object_get(rec, "id"));
    json_object_set(p, "scope", json_object_get(rec, "scope"));
    json_object_set(p, "action", json_object_get(rec, "action"));
    json_object_set(p, "reason", json_object_get(rec, "reason"));
    json_object_set_new(p, "party", json_string(party ? party : ""));
    json_array_foreach(json_object_get(rec, "holders"), i, h)
    {
        const char *hp = json_string_value(json_object_get(h, "party"));

        if (hp && party && !strcmp(hp, party))
            json_object_set(p, "holds", h);
    }
    text = json_dumps(p, DUMP_FLAGS);
    json_decref(p);
    json_decref(rec);
    return text;
}

int yima_risk_notify(yima_store *st, int64_t recall, int timeout_ms,
                     size_t *made, yima_error *err)
{
    due_list l = {NULL, 0, 0, recall};
    int64_t now = now_ms();
    size_t count = 0;
    char rk[32];
    int rc;

    assert(st);
    yima_error_clear(err);
    snprintf(rk, sizeof rk, "%" PRId64, recall);
    rc = yima_store_risk_list(st, "notification", recall > 0 ? rk : NULL, 0,
                              due_row, &l, err);
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        json_t *nt = json_loads(l.v[i].json, 0, NULL);
        const char *url = json_string_value(json_object_get(nt, "url"));
        attempts a;
        int64_t when;

        attempts_of(st, l.v[i].id, &a);
        when = next_due(&a, l.v[i].created);
        json_decref(a.last);
        if (url && when >= 0 && when <= now) {
            char *body = payload(st, &l.v[i], nt), why[160], key[32];
            json_t *rec = json_object();
            char *text;
            int status = 0;

            if (body)
                post(url, body, strlen(body), timeout_ms, &status, why,
                     sizeof why);
            else
                snprintf(why, sizeof why, "the recall could not be read");
            if (status && (status < 200 || status > 299))
                snprintf(why, sizeof why, "answered %d", status);
            json_object_set_new(rec, "status",
                                status ? json_integer(status) : json_null());
            if (why[0])
                json_object_set_new(rec, "error", json_string(why));
            text = json_dumps(rec, DUMP_FLAGS);
            snprintf(key, sizeof key, "%" PRId64, l.v[i].id);
            if (text) {
                yima_store_risk_row row = {
                    0,
                    "attempt",
                    key,
                    status >= 200 && status <= 299 ? "delivered" : "failed",
                    0,
                    text};

                rc = yima_store_risk_put(st, &row, 1, NULL, NULL, err);
            }
            free(text);
            free(body);
            json_decref(rec);
            count++;
        }
        json_decref(nt);
    }
    for (size_t i = 0; i < l.n; i++) {
        free(l.v[i].recall);
        free(l.v[i].json);
    }
    free(l.v);
    if (made)
        *made = count;
    return rc < 0 ? rc : 0;
}

int risk_notifications(yima_store *st, int64_t recall, json_t **out)
{
    due_list l = {NULL, 0, 0, recall};
    json_t *arr = json_array();
    char rk[32];
    int rc;

    snprintf(rk, sizeof rk, "%" PRId64, recall);
    rc = yima_store_risk_list(st, "notification", rk, 0, due_row, &l, NULL);
    for (size_t i = 0; i < l.n; i++) {
        json_t *nt = json_loads(l.v[i].json, 0, NULL), *o = json_object();
        attempts a;
        int64_t when;
        char t[64];

        attempts_of(st, l.v[i].id, &a);
        when = next_due(&a, l.v[i].created);
        json_object_set_new(o, "id", json_integer(l.v[i].id));
        json_object_set(o, "party", json_object_get(nt, "party"));
        json_object_set(o, "url", json_object_get(nt, "url"));
        json_object_set_new(o, "status",
                            json_string(a.delivered ? "delivered"
                                        : when < 0  ? "failed"
                                                    : "pending"));
        json_object_set_new(o, "attempts", json_integer((json_int_t)a.n));
        if (when >= 0) {
            yima_store_time_format(when, t);
            json_object_set_new(o, "next_attempt", json_string(t));
        } else {
            json_object_set_new(o, "next_attempt", json_null());
        }
        if (a.last && json_object_get(a.last, "error"))
            json_object_set(o, "last_error", json_object_get(a.last, "error"));
        json_decref(a.last);
        json_decref(nt);
        json_array_append_new(arr, o);
        free(l.v[i].recall);
        free(l.v[i].json);
    }
    free(l.v);
    *out = arr;
    return rc;
}
