/*
 * notify.c - recall notifications to holders' webhooks (yima/risk.h):
 * which are due, a claim so one sender makes each attempt, one signed POST
 * over http or https, every attempt recorded, retried with exponential
 * back-off.
 *
 * State is derived from the rows, never updated in place: a notification
 * (kind "notification") is delivered when one of its attempts (kind
 * "attempt", key its id) is; else it is due when it has no attempt yet, or
 * when backoff x 2^(attempts-1) (at most a day) has passed since its last,
 * until YIMA_RISK_NOTIFY_TRIES attempts failed. A claim (kind "claim")
 * newer than the last attempt holds it back until the claim's "until".
 *
 * The sender speaks just enough HTTP/1.1 to POST a small JSON body and
 * read the status line. Every step runs on a non-blocking socket polled
 * with the attempt's deadline and the caller's stop descriptor, so a
 * server stopping is never held up by a slow or silent receiver. Names
 * are looked up by a short-lived detached thread for the same reason:
 * getaddrinfo cannot be interrupted, and an abandoned lookup just ends on
 * its own and frees what it holds.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "yima/risk.h"

#include "risk_int.h"

#define DUMP_FLAGS  (JSON_COMPACT | JSON_PRESERVE_ORDER)
#define DAY_MS      (24 * 3600 * 1000LL)
#define URL_MAX     1000 /* as yima_risk_subscription_add allows */
#define ANSWER_HEAD 256  /* bytes read for the status line */

static struct {
    int64_t backoff_ms;
    char cafile[PATH_MAX];
} config = {YIMA_RISK_BACKOFF_MS, ""};

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- URLs --------------------------------------------------------------- */

typedef struct url {
    bool tls, ip;        /* https; the host is an IP address */
    char host[256];      /* as looked up: IPv6 without its brackets */
    char port[6];        /* decimal */
    char authority[300]; /* the Host header: as in the URL */
    char path[URL_MAX + 2];
} url;

/* Split http[s]://HOST[:PORT][/PATH][?QUERY][#FRAGMENT]; false and why
 * when the sender cannot use it. */
static bool url_split(const char *s, url *u, char *why, size_t whysz)
{
    const char *a, *end, *h, *he, *p;
    size_t n = strlen(s);

    memset(u, 0, sizeof *u);
    if (n > URL_MAX) {
        snprintf(why, whysz, "longer than %d bytes", URL_MAX);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f) {
            snprintf(why, whysz,
                     "with a space, a control character or a byte "
                     "beyond ASCII at byte %zu (percent-encode it)",
                     i + 1);
            return false;
        }
    if (!strncmp(s, "https://", 8))
        u->tls = true, a = s + 8;
    else if (!strncmp(s, "http://", 7))
        a = s + 7;
    else {
        snprintf(why, whysz, "not an http or https URL");
        return false;
    }
    end = a + strcspn(a, "/?#");
    if (memchr(a, '@', (size_t)(end - a))) {
        snprintf(why, whysz, "with credentials (not supported)");
        return false;
    }
    if (*a == '[') { /* an IPv6 address */
        h = a + 1;
        he = memchr(h, ']', (size_t)(end - h));
        if (!he) {
            snprintf(why, whysz, "without the ']' after its IPv6 address");
            return false;
        }
        p = he + 1;
    } else {
        h = a;
        he = memchr(a, ':', (size_t)(end - a));
        if (!he)
            he = end;
        p = he;
    }
    if (he == h || (size_t)(he - h) >= sizeof u->host) {
        snprintf(why, whysz,
                 he == h ? "without a host" : "with a host too long");
        return false;
    }
    memcpy(u->host, h, (size_t)(he - h));
    if (p < end && *p == ':') {
        long v = 0;
        const char *d = p + 1;

        for (; d < end && *d >= '0' && *d <= '9' && v <= 65535; d++)
            v = v * 10 + (*d - '0');
        if (d == p + 1 || d != end || v < 1 || v > 65535) {
            snprintf(why, whysz,
                     "with a port that is not a number from 1 to 65535");
            return false;
        }
        snprintf(u->port, sizeof u->port, "%ld", v);
    } else if (p != end) {
        snprintf(why, whysz, "with an unexpected '%c' after the host", *p);
        return false;
    } else {
        snprintf(u->port, sizeof u->port, "%s", u->tls ? "443" : "80");
    }
    snprintf(u->authority, sizeof u->authority, "%.*s", (int)(end - a), a);
    n = strcspn(end, "#"); /* the fragment is the client's alone */
    snprintf(u->path, sizeof u->path, "%s%.*s", *end == '/' ? "" : "/", (int)n,
             end);
    {
        unsigned char addr[16];

        u->ip = inet_pton(AF_INET, u->host, addr) == 1 ||
                inet_pton(AF_INET6, u->host, addr) == 1;
    }
    if (*a == '[' && !u->ip) {
        snprintf(why, whysz, "with '%.100s', not an IPv6 address", u->host);
        return false;
    }
    return true;
}

bool risk_url_ok(const char *s, char *why, size_t whysz)
{
    url u;

    return url_split(s, &u, why, whysz);
}

/* ---- One connection, within a deadline ---------------------------------- */

typedef struct conn {
    int fd, stop_fd;
    SSL *ssl;
    int64_t deadline; /* mono_ms */
    int timeout_ms;
    bool stopped; /* stop_fd turned readable */
    char *why;    /* the reason of a failure */
    size_t whysz;
} conn;

/* Wait until fd is ready for events: 0, or -1 with c->why set (the step
 * timed out) or c->stopped. */
static int wait_fd(conn *c, int fd, short events, const char *step)
{
    for (;;) {
        struct pollfd p[2] = {{fd, events, 0}, {c->stop_fd, POLLIN, 0}};
        int64_t left = c->deadline - mono_ms();
        int r;

        if (left <= 0) {
            snprintf(c->why, c->whysz, "timed out after %d ms %s",
                     c->timeout_ms, step);
            return -1;
        }
        r = poll(p, 2, (int)(left > 1000 ? 1000 : left));
        if (r < 0 && errno != EINTR) {
            snprintf(c->why, c->whysz, "poll: %s", strerror(errno));
            return -1;
        }
        if (r > 0 && p[1].revents) {
            c->stopped = true;
            return -1;
        }
        if (r > 0 && p[0].revents)
            return 0;
    }
}

/* A name lookup shared by the waiter and its thread; the last to let go
 * frees it. */
typedef struct lookup {
    pthread_mutex_t mu;
    int refs, rc, pipe[2];
    struct addrinfo *res;
    char host[256], port[6];
} lookup;

static void lookup_drop(lookup *l)
{
    bool last;

    pthread_mutex_lock(&l->mu);
    last = --l->refs == 0;
    pthread_mutex_unlock(&l->mu);
    if (!last)
        return;
    if (l->res)
        freeaddrinfo(l->res);
    close(l->pipe[0]);
    close(l->pipe[1]);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

static void *lookup_main(void *arg)
{
    lookup *l = arg;
    struct addrinfo hints = {0}, *res = NULL;
    int rc;

    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
    rc = getaddrinfo(l->host, l->port, &hints, &res);
    pthread_mutex_lock(&l->mu);
    l->rc = rc;
    l->res = res;
    pthread_mutex_unlock(&l->mu);
    if (write(l->pipe[1], "", 1) < 0) {
        /* a full pipe cannot be: one byte, written once */
    }
    lookup_drop(l);
    return NULL;
}

/* The addresses of u (caller frees with freeaddrinfo), or NULL. */
static struct addrinfo *resolve(conn *c, const url *u)
{
    struct addrinfo hints = {0}, *res = NULL;
    pthread_attr_t attr;
    pthread_t th;
    lookup *l;
    int rc;

    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    if ((rc = getaddrinfo(u->host, u->port, &hints, &res)) == 0)
        return res;
    if (rc != EAI_NONAME) {
        snprintf(c->why, c->whysz, "lookup of %.100s: %s", u->host,
                 gai_strerror(rc));
        return NULL;
    }
    if (!(l = calloc(1, sizeof *l)) || pipe2(l->pipe, O_CLOEXEC) != 0) {
        snprintf(c->why, c->whysz, "lookup of %.100s: %s", u->host,
                 l ? strerror(errno) : "out of memory");
        free(l);
        return NULL;
    }
    pthread_mutex_init(&l->mu, NULL);
    l->refs = 2;
    snprintf(l->host, sizeof l->host, "%s", u->host);
    snprintf(l->port, sizeof l->port, "%s", u->port);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &attr, lookup_main, l) != 0) {
        pthread_attr_destroy(&attr);
        snprintf(c->why, c->whysz, "lookup of %.100s: no thread", u->host);
        l->refs = 1;
        lookup_drop(l);
        return NULL;
    }
    pthread_attr_destroy(&attr);
    if (wait_fd(c, l->pipe[0], POLLIN, "looking up the host") == 0) {
        pthread_mutex_lock(&l->mu);
        rc = l->rc;
        res = l->res;
        l->res = NULL;
        pthread_mutex_unlock(&l->mu);
        if (rc != 0)
            snprintf(c->why, c->whysz, "lookup of %.100s: %s", u->host,
                     gai_strerror(rc));
    }
    lookup_drop(l);
    return res;
}

/* Connect to the first of u's addresses that answers: 0, or -1. */
static int connect_to(conn *c, const url *u)
{
    struct addrinfo *res = resolve(c, u);

    if (!res)
        return -1;
    for (struct addrinfo *ai = res; ai && c->fd < 0 && !c->stopped;
         ai = ai->ai_next) {
        int fd = socket(ai->ai_family,
                        ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                        ai->ai_protocol);
        int soerr = 0;
        socklen_t sl = sizeof soerr;

        if (fd < 0) {
            snprintf(c->why, c->whysz, "socket: %s", strerror(errno));
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            if (errno != EINPROGRESS)
                soerr = errno;
            else if (wait_fd(c, fd, POLLOUT, "connecting") != 0) {
                close(fd);
                break;
            } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
                soerr = errno;
        }
        if (soerr) {
            snprintf(c->why, c->whysz, "connect: %s", strerror(soerr));
            close(fd);
            continue;
        }
        c->fd = fd;
        c->why[0] = '\0';
    }
    freeaddrinfo(res);
    return c->fd >= 0 ? 0 : -1;
}

/* Why the TLS connection failed, when nothing more precise was said. */
static void tls_why(conn *c, int e)
{
    long v = SSL_get_verify_result(c->ssl);
    unsigned long code = ERR_peek_last_error();
    char buf[200];

    if (v != X509_V_OK) {
        snprintf(c->why, c->whysz, "TLS: certificate not accepted: %s",
                 X509_verify_cert_error_string(v));
    } else if (code) {
        ERR_error_string_n(code, buf, sizeof buf);
        snprintf(c->why, c->whysz, "TLS: %s", buf);
    } else if (e == SSL_ERROR_SYSCALL && errno) {
        snprintf(c->why, c->whysz, "TLS: %s", strerror(errno));
    } else {
        snprintf(c->why, c->whysz, "TLS: the server closed the connection");
    }
}

/* After an SSL call returned r: wait as it asks (0: call again), or -1. */
static int tls_wait(conn *c, int r, const char *step)
{
    int e = SSL_get_error(c->ssl, r);

    if (e == SSL_ERROR_WANT_READ)
        return wait_fd(c, c->fd, POLLIN, step);
    if (e == SSL_ERROR_WANT_WRITE)
        return wait_fd(c, c->fd, POLLOUT, step);
    tls_why(c, e);
    return -1;
}

/* The TLS handshake on the connected socket, checking u's name. */
static int tls_start(conn *c, SSL_CTX *ctx, const url *u)
{
    X509_VERIFY_PARAM *vp;
    int r;

    if (!(c->ssl = SSL_new(ctx)) || SSL_set_fd(c->ssl, c->fd) != 1) {
        snprintf(c->why, c->whysz, "TLS: out of memory");
        return -1;
    }
    vp = SSL_get0_param(c->ssl);
    if (u->ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, u->host) != 1
              : SSL_set_tlsext_host_name(c->ssl, u->host) != 1 ||
                    SSL_set1_host(c->ssl, u->host) != 1) {
        snprintf(c->why, c->whysz, "TLS: cannot check the name %.100s",
                 u->host);
        return -1;
    }
    SSL_set_verify(c->ssl, SSL_VERIFY_PEER, NULL);
    for (;;) {
        ERR_clear_error();
        if ((r = SSL_connect(c->ssl)) == 1)
            return 0;
        if (tls_wait(c, r, "in the TLS handshake") != 0)
            return -1;
    }
}

static int send_all(conn *c, const char *p, size_t left)
{
    while (left > 0) {
        ssize_t w;

        if (c->ssl) {
            int r;

            ERR_clear_error();
            r = SSL_write(c->ssl, p, left > INT_MAX ? INT_MAX : (int)left);
            if (r <= 0) {
                if (tls_wait(c, r, "sending") != 0)
                    return -1;
                continue;
            }
            w = r;
        } else if ((w = send(c->fd, p, left, MSG_NOSIGNAL)) < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                snprintf(c->why, c->whysz, "send: %s", strerror(errno));
                return -1;
            }
            if (errno == EAGAIN && wait_fd(c, c->fd, POLLOUT, "sending") != 0)
                return -1;
            continue;
        }
        p += w;
        left -= (size_t)w;
    }
    return 0;
}

/* Read some of the answer: bytes read, 0 at its end, -1 on failure. */
static ssize_t recv_some(conn *c, char *buf, size_t cap)
{
    for (;;) {
        ssize_t r;

        if (c->ssl) {
            int n, e;

            ERR_clear_error();
            if ((n = SSL_read(c->ssl, buf, (int)cap)) > 0)
                return n;
            e = SSL_get_error(c->ssl, n);
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
                return 0; /* closed, cleanly or not: judge what came */
            if (tls_wait(c, n, "waiting for the answer") != 0)
                return -1;
            continue;
        }
        if ((r = recv(c->fd, buf, cap, 0)) >= 0)
            return r;
        if (errno == ECONNRESET)
            return 0;
        if (errno != EAGAIN && errno != EINTR) {
            snprintf(c->why, c->whysz, "recv: %s", strerror(errno));
            return -1;
        }
        if (errno == EAGAIN &&
            wait_fd(c, c->fd, POLLIN, "waiting for the answer") != 0)
            return -1;
    }
}

/* The client side of TLS for this run, made on first use. */
static SSL_CTX *tls_ctx(const char *cafile, char *why, size_t whysz)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

    if (!ctx) {
        snprintf(why, whysz, "TLS: out of memory");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (SSL_CTX_set_default_verify_paths(ctx) != 1 ||
        (cafile[0] && SSL_CTX_load_verify_locations(ctx, cafile, NULL) != 1)) {
        snprintf(why, whysz, "TLS: the CA certificates%s%s could not be loaded",
                 cafile[0] ? " of " : "", cafile);
        SSL_CTX_free(ctx);
        ERR_clear_error();
        return NULL;
    }
    return ctx;
}

/*
 * Send head and body to u. Returns false when stopped (nothing to record);
 * else true with *status the answer's HTTP status, or 0 and why.
 */
static bool post(const url *u, SSL_CTX **ctx, const char *head, size_t hlen,
                 const char *body, size_t len, int timeout_ms, int stop_fd,
                 int *status, char *why, size_t whysz)
{
    conn c = {-1,         stop_fd, NULL, mono_ms() + timeout_ms,
              timeout_ms, false,   why,  whysz};
    char answer[ANSWER_HEAD];
    size_t got = 0;
    int major, minor, code;

    *status = 0;
    why[0] = '\0';
    if (u->tls && !*ctx && !(*ctx = tls_ctx(config.cafile, why, whysz)))
        goto out;
    if (connect_to(&c, u) != 0 || (u->tls && tls_start(&c, *ctx, u) != 0) ||
        send_all(&c, head, hlen) != 0 || send_all(&c, body, len) != 0)
        goto out;
    while (got < sizeof answer - 1 && !memchr(answer, '\n', got)) {
        ssize_t r = recv_some(&c, answer + got, sizeof answer - 1 - got);

        if (r <= 0) {
            if (r < 0)
                goto out;
            break;
        }
        got += (size_t)r;
    }
    answer[got] = '\0';
    if (sscanf(answer, "HTTP/%d.%d %3d", &major, &minor, &code) == 3 &&
        code >= 100 && code <= 599)
        *status = code;
    else
        snprintf(why, whysz, "no HTTP answer");
out:
    if (c.ssl)
        SSL_free(c.ssl);
    if (c.fd >= 0)
        close(c.fd);
    ERR_clear_error();
    return !c.stopped;
}

/* ---- Which are due ------------------------------------------------------ */

/* A notification's attempts and claims so far. */
typedef struct state {
    size_t n;                 /* attempts */
    int64_t last_id, last_ms; /* the latest attempt */
    int64_t delivered_ms;     /* its first delivery; 0: none */
    int64_t claim_id, claim_until;
    json_t *error; /* the latest failed attempt's reason, or NULL */
} state;

static int attempt_row(void *arg, const yima_store_risk_row *row)
{
    state *s = arg;

    s->n++;
    s->last_id = row->id;
    s->last_ms = row->created_ms;
    if (row->tag && !strcmp(row->tag, "delivered")) {
        if (!s->delivered_ms)
            s->delivered_ms = row->created_ms;
    } else {
        json_t *o = json_loads(row->json, 0, NULL);
        json_t *e = json_object_get(o, "error");

        if (json_is_string(e)) {
            json_decref(s->error);
            s->error = json_incref(e);
        }
        json_decref(o);
    }
    return 0;
}

static int claim_row(void *arg, const yima_store_risk_row *row)
{
    state *s = arg;
    json_t *o = json_loads(row->json, 0, NULL);

    s->claim_id = row->id;
    s->claim_until = json_integer_value(json_object_get(o, "until"));
    json_decref(o);
    return 0;
}

/* The state of notification id (caller decrefs s->error). */
static int state_of(yima_store *st, int64_t id, state *s)
{
    char key[32];
    int rc;

    memset(s, 0, sizeof *s);
    snprintf(key, sizeof key, "%" PRId64, id);
    rc = yima_store_risk_list(st, "attempt", key, 0, attempt_row, s, NULL);
    if (rc == 0)
        rc = yima_store_risk_list(st, "claim", key, 0, claim_row, s, NULL);
    return rc;
}

/* When the next attempt is due (ms), or -1 when none will be made. */
static int64_t next_due(const state *s, int64_t created_ms)
{
    int64_t wait = config.backoff_ms, due;

    if (s->delivered_ms || s->n >= YIMA_RISK_NOTIFY_TRIES)
        return -1;
    for (size_t i = 1; i < s->n && wait < DAY_MS; i++)
        wait *= 2;
    due = s->n == 0 ? created_ms : s->last_ms + (wait < DAY_MS ? wait : DAY_MS);
    if (s->claim_id > s->last_id && s->claim_until > due)
        due = s->claim_until; /* someone is at it, or was until then */
    return due;
}

typedef struct claim {
    int64_t id, created;
} claim;

/* Inside the claim's write transaction: is notification c->id still due? */
static int claim_check(void *arg, yima_store *st)
{
    const claim *c = arg;
    state s;
    int rc = state_of(st, c->id, &s);
    int64_t due = next_due(&s, c->created);

    json_decref(s.error);
    if (rc < 0)
        return rc;
    return due >= 0 && due <= now_ms() ? 0 : 1;
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

static void due_list_free(due_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].recall);
        free(l->v[i].json);
    }
    free(l->v);
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

static int secret_row(void *arg, const yima_store_risk_row *row)
{
    char *secret = arg;
    json_t *o = json_loads(row->json, 0, NULL);
    const char *s = json_string_value(json_object_get(o, "secret"));

    if (s)
        snprintf(secret, 128, "%s", s);
    json_decref(o);
    return 1;
}

/* "X-Yima-Signature: sha256=HEX\r\n" for body under subscription sub's
 * secret, or "" when it has none. */
static void signature(yima_store *st, json_t *sub, const char *body, size_t len,
                      char out[128])
{
    char secret[128] = "";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    int n;

    out[0] = '\0';
    if (!json_is_integer(sub) ||
        yima_store_risk_list(st, "subscription", NULL, json_integer_value(sub),
                             secret_row, secret, NULL) < 0 ||
        !secret[0] ||
        !HMAC(EVP_sha256(), secret, (int)strlen(secret),
              (const unsigned char *)body, len, md, &mdlen))
        return;
    n = snprintf(out, 128, "X-Yima-Signature: sha256=");
    for (unsigned int i = 0; i < mdlen && n + 2 < 126; i++)
        n += snprintf(out + n, 128 - (size_t)n, "%02x", md[i]);
    snprintf(out + n, 128 - (size_t)n, "\r\n");
}

/* Record the outcome of an attempt at notification id. */
static int record(yima_store *st, int64_t id, int status, const char *why,
                  yima_error *err)
{
    json_t *rec = json_object();
    bool ok = status >= 200 && status <= 299;
    char key[32], *text;
    int rc;

    json_object_set_new(rec, "status",
                        status ? json_integer(status) : json_null());
    if (!ok)
        json_object_set_new(rec, "error", json_string(why));
    text = json_dumps(rec, DUMP_FLAGS);
    json_decref(rec);
    if (!text)
        return yima_error_set(err, YIMA_ENOMEM, 0, "out of memory");
    snprintf(key, sizeof key, "%" PRId64, id);
    yima_store_risk_row row = {0, "attempt", key, ok ? "delivered" : "failed",
                               0, text};
    rc = yima_store_risk_put(st, &row, 1, NULL, NULL, err);
    free(text);
    return rc;
}

/*
 * Attempt notification d if it is due and this sender wins its claim.
 * Returns 0 (*made says whether an attempt was made and recorded), 1 when
 * stopped, or an error.
 */
static int deliver(yima_store *st, const due *d, const yima_risk_notify_opts *o,
                   SSL_CTX **ctx, bool *made, yima_error *err)
{
    json_t *nt = json_loads(d->json, 0, NULL);
    const char *s = json_string_value(json_object_get(nt, "url"));
    char key[32], until[64], sig[128], why[200], *body = NULL, *head = NULL;
    claim cl = {d->id, d->created};
    state now;
    int64_t when;
    url u;
    int rc, status = 0, hlen;

    *made = false;
    if (!s) {
        rc = 0;
        goto out;
    }
    rc = state_of(st, d->id, &now);
    when = next_due(&now, d->created);
    json_decref(now.error);
    if (rc < 0 || when < 0 || when > now_ms())
        goto out;
    /* claim it: of several senders, one passes this check */
    snprintf(key, sizeof key, "%" PRId64, d->id);
    snprintf(until, sizeof until, "{\"until\":%" PRId64 "}",
             now_ms() + o->timeout_ms + YIMA_RISK_CLAIM_MARGIN_MS);
    yima_store_risk_row row = {0, "claim", key, NULL, 0, until};
    if ((rc = yima_store_risk_put_if(st, claim_check, &cl, &row, 1, NULL, NULL,
                                     err)) != 0) {
        rc = rc > 0 ? 0 : rc;
        goto out;
    }
    if (!url_split(s, &u, why, sizeof why)) {
        char bad[sizeof why];

        snprintf(bad, sizeof bad, "%s", why);
        snprintf(why, sizeof why, "the URL is %.180s", bad);
    } else if (!(body = payload(st, d, nt))) {
        snprintf(why, sizeof why, "the recall could not be read");
    } else {
        size_t len = strlen(body);

        signature(st, json_object_get(nt, "subscription"), body, len, sig);
        hlen = asprintf(&head,
                        "POST %s HTTP/1.1\r\nHost: %s\r\n"
                        "Content-Type: application/json\r\n"
                        "Content-Length: %zu\r\nUser-Agent: yima-recall\r\n"
                        "X-Yima-Notification: %" PRId64 "\r\n%s"
                        "Connection: close\r\n\r\n",
                        u.path, u.authority, len, d->id, sig);
        if (hlen < 0) {
            head = NULL;
            rc = yima_error_set(err, YIMA_ENOMEM, 0, "out of memory");
            goto out;
        }
        if (!post(&u, ctx, head, (size_t)hlen, body, len, o->timeout_ms,
                  o->stop_fd, &status, why, sizeof why)) {
            rc = 1; /* stopped: the claim lapses, the next sender tries */
            goto out;
        }
        if (status && (status < 200 || status > 299))
            snprintf(why, sizeof why, "answered %d", status);
    }
    rc = record(st, d->id, status, why, err);
    *made = rc == 0;
out:
    free(head);
    free(body);
    json_decref(nt);
    return rc;
}

/* Has stop_fd turned readable? */
static bool stopping(int stop_fd)
{
    struct pollfd p = {stop_fd, POLLIN, 0};

    return stop_fd >= 0 && poll(&p, 1, 0) > 0;
}

int yima_risk_notify_run(yima_store *st, const yima_risk_notify_opts *o,
                         size_t *made, yima_error *err)
{
    due_list l = {NULL, 0, 0, o->recall};
    SSL_CTX *ctx = NULL;
    size_t count = 0;
    char rk[32];
    int rc;

    assert(st && o && o->timeout_ms > 0);
    yima_error_clear(err);
    snprintf(rk, sizeof rk, "%" PRId64, o->recall);
    rc = yima_store_risk_list(st, "notification", o->recall > 0 ? rk : NULL, 0,
                              due_row, &l, err);
    for (size_t i = 0; rc == 0 && i < l.n && !stopping(o->stop_fd); i++) {
        bool one;

        rc = deliver(st, &l.v[i], o, &ctx, &one, err);
        count += one;
    }
    SSL_CTX_free(ctx);
    due_list_free(&l);
    if (made)
        *made = count;
    if (rc == YIMA_ENOMEM && err && !err->code)
        yima_error_set(err, rc, 0, "out of memory");
    return rc < 0 ? rc : 0;
}

int yima_risk_notify(yima_store *st, int64_t recall, int timeout_ms,
                     size_t *made, yima_error *err)
{
    yima_risk_notify_opts o = {recall, timeout_ms, -1};

    return yima_risk_notify_run(st, &o, made, err);
}

int yima_risk_notify_setup(const yima_risk_notify_config *c, yima_error *err)
{
    yima_risk_notify_config d = {0, NULL};
    char why[200];
    SSL_CTX *ctx;

    yima_error_clear(err);
    if (!c)
        c = &d;
    if (c->backoff_ms < 0)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "notify: the back-off must not be negative");
    if (c->cafile && strlen(c->cafile) >= sizeof config.cafile)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "notify: the CA file's name is too long");
    if (c->cafile) { /* now, so a bad file stops a server at its start */
        if (!(ctx = tls_ctx(c->cafile, why, sizeof why)))
            return yima_error_set(err, YIMA_EINVAL, 0, "notify: %s", why);
        SSL_CTX_free(ctx);
    }
    config.backoff_ms = c->backoff_ms ? c->backoff_ms : YIMA_RISK_BACKOFF_MS;
    snprintf(config.cafile, sizeof config.cafile, "%s",
             c->cafile ? c->cafile : "");
    return 0;
}

/* ---- State for readers -------------------------------------------------- */

static json_t *time_or_null(int64_t ms)
{
    char t[64];

    if (ms < 0)
        return json_null();
    yima_store_time_format(ms, t);
    return json_string(t);
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
        state s;
        int64_t when;

        if (state_of(st, l.v[i].id, &s) != 0 && rc == 0)
            rc = YIMA_EIO;
        when = next_due(&s, l.v[i].created);
        json_object_set_new(o, "id", json_integer(l.v[i].id));
        json_object_set(o, "party", json_object_get(nt, "party"));
        json_object_set(o, "url", json_object_get(nt, "url"));
        json_object_set_new(o, "status",
                            json_string(s.delivered_ms ? "delivered"
                                        : when < 0     ? "failed"
                                                       : "pending"));
        json_object_set_new(o, "attempts", json_integer((json_int_t)s.n));
        json_object_set_new(o, "next_attempt", time_or_null(when));
        json_object_set_new(o, "delivered_at",
                            time_or_null(s.delivered_ms ? s.delivered_ms : -1));
        if (s.error)
            json_object_set_new(o, "last_error", s.error);
        json_decref(nt);
        json_array_append_new(arr, o);
    }
    due_list_free(&l);
    *out = arr;
    return rc < 0 ? YIMA_EIO : 0;
}

json_t *risk_notice_of(json_t *notifications, const char *party)
{
    json_t *n, *sum = NULL, *delivered = json_null(), *error = NULL;
    json_int_t attempts = 0;
    const char *status = "failed";
    size_t i;

    json_array_foreach(notifications, i, n)
    {
        const char *p = json_string_value(json_object_get(n, "party"));
        const char *st = json_string_value(json_object_get(n, "status"));
        json_t *at = json_object_get(n, "delivered_at");

        if (!p || !st || strcmp(p, party) != 0)
            continue;
        sum = sum ? sum : json_object();
        attempts += json_integer_value(json_object_get(n, "attempts"));
        if (!strcmp(st, "delivered"))
            status = st;
        else if (!strcmp(st, "pending") && strcmp(status, "delivered") != 0)
            status = st;
        if (json_is_string(at) &&
            (!json_is_string(delivered) ||
             strcmp(json_string_value(at), json_string_value(delivered)) < 0))
            delivered = at; /* the first delivery: times sort as text */
        if (json_object_get(n, "last_error"))
            error = json_object_get(n, "last_error");
    }
    if (!sum)
        return NULL;
    json_object_set_new(sum, "status", json_string(status));
    json_object_set_new(sum, "attempts", json_integer(attempts));
    json_object_set(sum, "delivered_at", delivered);
    if (error)
        json_object_set(sum, "last_error", error);
    return sum;
}
