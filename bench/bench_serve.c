/*
 * bench_serve.c - `yima serve` under load, each figure next to a baseline
 * measured in the same run on the same machine.
 *
 * Everything lives in a fresh mkdtemp directory under /tmp (removed at the
 * end): a store made with the real CLI (`yima init`, `yima import` of the
 * demo master data and supply chain, `yima party add` of a producer with its
 * own GS1 company prefix, `yima token create` for it), `yima serve` on
 * 127.0.0.1 port 0, and nginx with a generated configuration.
 *
 *   scan     wrk -t2 -c64 -d5s --latency against a GS1 Digital Link of a
 *            demo unit (GET /01/{gtin}/21/{serial}, Accept:
 *            application/json), then against nginx serving a static file
 *            holding the very bytes of that answer. Baseline: nginx.
 *   capture  CAPTURE_EVENTS generated EPCIS 2.0 ObjectEvents (commissioning
 *            of SGTINs, unique event times) in documents of DOC_EVENTS,
 *            POSTed one after the other on one keep-alive connection to
 *            /epcis/capture with the producer's token and
 *            GS1-Capture-Error-Behaviour: rollback; each must answer 202
 *            with a Location, and every job must report running=false,
 *            success=true; /healthz's ledger_size must grow by exactly the
 *            events sent. Timed from the first POST to the last job done.
 *            Baseline: `yima import` of the same files into a fresh store
 *            with the same master data, timed as a whole process.
 *
 * Output (key=value, for scripts):
 *
 *   bench serve_scan path=P body_bytes=B rate=R/s p99_ms=L nginx_rate=N/s
 *       nginx_p99_ms=M ratio=R/N floor=0.25 ok|BELOW
 *   bench serve_capture events=N docs=D doc_events=E bytes_per_event=B
 *       rate=R/s import_rate=I/s ratio=R/I floor=0.20 ok|BELOW
 *
 * Exit 1 when a part cannot run (an endpoint missing or failing, a command
 * failing, a count that does not add up) or a ratio is under its floor; both
 * parts run either way. Knobs: YIMA_BENCH_SECONDS (wrk's duration, default
 * 5), YIMA_BENCH_CAPTURE_EVENTS (default 40000).
 *
 * Every process started here is stopped by its PID on every path out (and
 * on SIGINT/SIGTERM/SIGHUP); children also get PR_SET_PDEATHSIG.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "yima/buf.h"
#include "bench_util.h"

/* A unit of the demo supply chain (data/demo/supply-chain.jsonld). */
#ifndef SCAN_PATH
#define SCAN_PATH "/01/06901234000016/21/1002"
#endif

/* The capture part's producer: a valid USCC and its own company prefix. */
#define BENCH_USCC "91330100MA27XK9G81"
#define BENCH_GCP  "6912345"

/*
 * The floors (bench/README.md has the runs behind them). A repeated scan is
 * served from the worker's cache while the store is unchanged (one version
 * check), 0.6-0.7 x nginx sending a cached file; built from scratch it is
 * about 0.1 x. 0.25 fires when the cache stops working, or on an
 * order-of-magnitude fault (a store opened per request, a global lock).
 * Capture
 * and import share the library: about 1.2 x import today, so 0.20 fires on a
 * commit per event or the like, not on a busy neighbour.
 */
#define SCAN_FLOOR     0.25
#define CAPTURE_FLOOR  0.20
#define DOC_EVENTS     2000
#define EPCS_PER_EVENT 4
#define CAPTURE_EVENTS 40000
#define WRK_SECONDS    5
#define KIDS_MAX       8
#define OUT_MAX        (64u << 20) /* any child's output, any HTTP body */

typedef struct bench {
    char dir[64];
    char yima[PATH_MAX];
    char served_db[PATH_MAX];
    pid_t server;
    int server_out; /* its standard output, kept open while it runs */
    int port;
    pid_t nginx;
    int nginx_port;
    char token[256];
    int seconds;
    long events;
} bench;

/* A buffer's text: "" before anything was appended. */
static const char *txt(const yima_buf *b)
{
    return b->data ? b->data : "";
}

/* Up to 300 bytes of an answer's body on one line, for messages. */
static const char *gist(const yima_buf *b)
{
    static char out[301];
    size_t n = 0;

    for (const char *p = txt(b); *p && n < sizeof out - 1; p++)
        out[n++] = *p == '\n' || *p == '\r' ? ' ' : *p;
    while (n && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    return out;
}

/* ---- Children ------------------------------------------------------------ */

static volatile pid_t kids[KIDS_MAX];
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
    for (int i = 0; i < KIDS_MAX; i++)
        if (kids[i] > 0)
            kill(kids[i], SIGTERM);
}

static void kid_set(pid_t old, pid_t pid)
{
    for (int i = 0; i < KIDS_MAX; i++)
        if (kids[i] == old) {
            kids[i] = pid;
            return;
        }
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/*
 * Start argv (argv[0] a path or a name found in PATH) with standard input
 * from /dev/null, standard output to a pipe handed back in *out (out NULL:
 * to out_path, or /dev/null), standard error to err_path (NULL: ours).
 * Returns the PID, or -1.
 */
static pid_t spawn(char *const argv[], int *out, const char *out_path,
                   const char *err_path)
{
    int p[2] = {-1, -1};
    pid_t parent = getpid(), pid;

    if (out && pipe2(p, O_CLOEXEC) != 0) {
        fprintf(stderr, "bench: pipe: %s\n", strerror(errno));
        return -1;
    }
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "bench: fork: %s\n", strerror(errno));
        if (out) {
            close(p[0]);
            close(p[1]);
        }
        return -1;
    }
    if (pid == 0) {
        int fd;

        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        if ((fd = open("/dev/null", O_RDONLY)) >= 0)
            dup2(fd, 0);
        if (out)
            dup2(p[1], 1);
        else if ((fd = open(out_path ? out_path : "/dev/null",
                            O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0)
            dup2(fd, 1);
        if (err_path &&
            (fd = open(err_path, O_WRONLY | O_CREAT | O_APPEND, 0644)) >= 0)
            dup2(fd, 2);
        execvp(argv[0], argv);
        fprintf(stderr, "bench: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    kid_set(0, pid);
    if (out) {
        close(p[1]);
        *out = p[0];
    }
    return pid;
}

/* Wait for pid: its wait status, -1 on error, -2 after timeout_ms (< 0:
 * no timeout). */
static int reap(pid_t pid, int timeout_ms)
{
    for (int waited = 0;; waited += 10) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);

        if (r == pid) {
            kid_set(pid, 0);
            return st;
        }
        if (r < 0 && errno != EINTR) {
            kid_set(pid, 0);
            return -1;
        }
        if (timeout_ms >= 0 && waited >= timeout_ms)
            return -2;
        sleep_ms(10);
    }
}

/* Stop a child of ours: SIGTERM, 10 s to go, then SIGKILL. */
static void stop(pid_t *pid)
{
    if (*pid <= 0)
        return;
    kill(*pid, SIGTERM);
    if (reap(*pid, 10000) == -2) {
        kill(*pid, SIGKILL);
        reap(*pid, -1);
    }
    *pid = 0;
}

/*
 * Run argv to its end, its standard output appended to out (NULL: dropped),
 * standard error to ours. Returns its exit code, or -1 (killed, or could not
 * run).
 */
static int run(char *const argv[], yima_buf *out)
{
    char tmp[65536];
    int fd, st;
    pid_t pid = spawn(argv, &fd, NULL, NULL);

    if (pid < 0)
        return -1;
    for (;;) {
        ssize_t n = read(fd, tmp, sizeof tmp);

        if (n > 0) {
            if (out)
                yima_buf_add(out, tmp, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR && !interrupted)
            continue;
        break;
    }
    close(fd);
    if (interrupted) {
        stop(&pid);
        return -1;
    }
    st = reap(pid, -1);
    if (st < 0 || !WIFEXITED(st))
        return -1;
    if (out && out->failed) {
        fprintf(stderr, "bench: %s printed more than we keep\n", argv[0]);
        return -1;
    }
    return WEXITSTATUS(st);
}

/* Run argv and say what failed when it does not exit 0. */
static int run_ok(char *const argv[], yima_buf *out)
{
    int rc = run(argv, out);

    if (rc != 0 && !interrupted) {
        fprintf(stderr, "bench: `%s %s` failed (exit %d)\n", argv[0],
                argv[1] ? argv[1] : "", rc);
        return -1;
    }
    return 0;
}

/* ---- Files -----------------------------------------------------------------
 */

static int write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");

    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    return 0;
}

/* Print the last bytes of a log of a child (a server that failed). */
static void show_tail(const char *what, const char *path)
{
    char tmp[2048];
    FILE *f = fopen(path, "rb");
    long size;
    size_t n;

    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, size > (long)sizeof tmp - 1 ? size - (long)sizeof tmp + 1 : 0,
          SEEK_SET);
    n = fread(tmp, 1, sizeof tmp - 1, f);
    fclose(f);
    tmp[n] = '\0';
    if (n)
        fprintf(stderr, "bench: %s said:\n%s\n", what, tmp);
}

static int rm_one(const char *path, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    if (remove(path) != 0)
        fprintf(stderr, "bench: cannot remove %s: %s\n", path, strerror(errno));
    return 0;
}

/* ---- A small blocking HTTP/1.1 client --------------------------------------
 */

typedef struct http_res {
    int status;
    char location[512];
    bool close;
    yima_buf body;
} http_res;

static int http_connect(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct timeval tv = {120, 0};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

        if (w < 0 && errno == EINTR && !interrupted)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The value of header name in the header section head (NUL-terminated,
 * lines ending CRLF) copied to out, or false. */
static bool header_get(const char *head, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);

    for (const char *l = strstr(head, "\r\n"); l && l[2];
         l = strstr(l + 2, "\r\n")) {
        const char *v = l + 2, *end;

        if (strncasecmp(v, name, nl) != 0 || v[nl] != ':')
            continue;
        v += nl + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        end = strstr(v, "\r\n");
        if (!end)
            end = v + strlen(v);
        while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        snprintf(out, n, "%.*s", (int)(end - v), v);
        return true;
    }
    return false;
}

/*
 * One request on *fd (connected to port first when -1); extra holds whole
 * header lines ("Name: value\r\n..."). Fills res (its body is reset first).
 * The connection is closed and *fd set to -1 when the server says so or on
 * any failure. Returns 0 or -1 (with a message).
 */
static int http_do(int *fd, int port, const char *method, const char *target,
                   const char *extra, const char *body, size_t blen,
                   http_res *res)
{
    yima_buf in;
    char head[65536], v[64];
    size_t have = 0, hlen = 0, clen = 0;
    char *end = NULL;
    int rc = -1;

    yima_buf_init(&in, 1u << 20);
    yima_buf_reset(&res->body);
    res->status = 0;
    res->location[0] = '\0';
    res->close = false;
    if (*fd < 0 && (*fd = http_connect(port)) < 0) {
        fprintf(stderr, "bench: connect 127.0.0.1:%d: %s\n", port,
                strerror(errno));
        goto out;
    }
    yima_buf_printf(&in, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s", method,
                    target, port, extra ? extra : "");
    if (body)
        yima_buf_printf(&in, "Content-Length: %zu\r\n", blen);
    yima_buf_puts(&in, "\r\n");
    if (in.failed || send_all(*fd, in.data, in.len) != 0 ||
        (body && send_all(*fd, body, blen) != 0)) {
        fprintf(stderr, "bench: %s %s: send: %s\n", method, target,
                strerror(errno));
        goto out;
    }
    /* The header section. */
    while (!end) {
        ssize_t n;

        if (have == sizeof head - 1) {
            fprintf(stderr, "bench: %s %s: header section too large\n", method,
                    target);
            goto out;
        }
        n = recv(*fd, head + have, sizeof head - 1 - have, 0);
        if (n < 0 && errno == EINTR && !interrupted)
            continue;
        if (n <= 0) {
            fprintf(stderr, "bench: %s %s: %s\n", method, target,
                    n == 0 ? "connection closed before an answer"
                           : strerror(errno));
            goto out;
        }
        have += (size_t)n;
        head[have] = '\0';
        end = strstr(head, "\r\n\r\n");
    }
    hlen = (size_t)(end - head) + 4;
    end[2] = '\0'; /* keep the last CRLF for header_get */
    if (sscanf(head, "HTTP/1.%*d %d", &res->status) != 1) {
        fprintf(stderr, "bench: %s %s: no status line\n", method, target);
        goto out;
    }
    if (header_get(head, "Transfer-Encoding", v, sizeof v)) {
        fprintf(stderr, "bench: %s %s: chunked answers are not read here\n",
                method, target);
        goto out;
    }
    if (header_get(head, "Content-Length", v, sizeof v))
        clen = strtoul(v, NULL, 10);
    if (header_get(head, "Connection", v, sizeof v) &&
        strcasecmp(v, "close") == 0)
        res->close = true;
    header_get(head, "Location", res->location, sizeof res->location);
    if (clen > OUT_MAX) {
        fprintf(stderr, "bench: %s %s: body of %zu bytes\n", method, target,
                clen);
        goto out;
    }
    /* The body: what came with the header section, then the rest. */
    yima_buf_add(&res->body, head + hlen,
                 have - hlen < clen ? have - hlen : clen);
    while (res->body.len < clen) {
        char tmp[65536];
        size_t want = clen - res->body.len;
        ssize_t n = recv(*fd, tmp, want < sizeof tmp ? want : sizeof tmp, 0);

        if (n < 0 && errno == EINTR && !interrupted)
            continue;
        if (n <= 0) {
            fprintf(stderr, "bench: %s %s: body cut short\n", method, target);
            goto out;
        }
        yima_buf_add(&res->body, tmp, (size_t)n);
    }
    rc = res->body.failed ? -1 : 0;
out:
    if ((rc != 0 || res->close) && *fd >= 0) {
        close(*fd);
        *fd = -1;
    }
    yima_buf_free(&in);
    return rc;
}

/* GET target on a fresh connection. */
static int http_get(int port, const char *target, const char *extra,
                    http_res *res)
{
    int fd = -1, rc = http_do(&fd, port, "GET", target, extra, NULL, 0, res);

    if (fd >= 0)
        close(fd);
    return rc;
}

/* A free TCP port on 127.0.0.1 (free now; nginx takes it right after). */
static int free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* ---- The store and the servers ---------------------------------------------
 */

/* A store with the demo data and the bench's producer: the served one, and
 * the import baseline's. */
static int make_store(bench *bm, const char *db)
{
    char master[PATH_MAX], chain[PATH_MAX];
    char *init[] = {bm->yima, "init", "--db", (char *)db, NULL};
    char *import[] = {bm->yima, "import", "--db", (char *)db,
                      master,   chain,    NULL};
    char *party[] = {bm->yima,   "party",    "add",
                     "--db",     (char *)db, "--uscc",
                     BENCH_USCC, "--name",   "闽侯电缆试验有限公司",
                     "--role",   "producer", "--gcp",
                     BENCH_GCP,  NULL};

    snprintf(master, sizeof master, "%s/demo/master.csv", YIMA_DATADIR);
    snprintf(chain, sizeof chain, "%s/demo/supply-chain.jsonld", YIMA_DATADIR);
    return run_ok(init, NULL) || run_ok(import, NULL) || run_ok(party, NULL)
               ? -1
               : 0;
}

/* The bench producer's bearer token: the last line `token create` prints. */
static int make_token(bench *bm, const char *db)
{
    char *argv[] = {bm->yima,  "token",    "create", "--db",     (char *)db,
                    "--party", BENCH_USCC, "--role", "producer", NULL};
    yima_buf out;
    const char *last;
    int rc = -1;

    yima_buf_init(&out, 1u << 16);
    if (run_ok(argv, &out) != 0)
        goto out;
    while (out.len &&
           (out.data[out.len - 1] == '\n' || out.data[out.len - 1] == '\r'))
        out.data[--out.len] = '\0';
    last = strrchr(txt(&out), '\n');
    last = last ? last + 1 : txt(&out);
    if (!*last || strlen(last) >= sizeof bm->token) {
        fprintf(stderr, "bench: token create printed no token\n");
        goto out;
    }
    snprintf(bm->token, sizeof bm->token, "%s", last);
    rc = 0;
out:
    yima_buf_free(&out);
    return rc;
}

/* Start `yima serve` on port 0 and read the port from its first line. */
static int serve_start(bench *bm)
{
    char log[PATH_MAX], err[PATH_MAX], line[512];
    char *argv[] = {bm->yima,      "serve", "--db", bm->served_db, "--listen",
                    "127.0.0.1:0", "--log", log,    NULL};
    size_t have = 0;
    json_t *j = NULL;
    const char *addr, *colon;
    double t0 = bench_now();

    snprintf(log, sizeof log, "%s/access.log", bm->dir);
    snprintf(err, sizeof err, "%s/serve.err", bm->dir);
    if ((bm->server = spawn(argv, &bm->server_out, NULL, err)) < 0)
        return -1;
    while (!memchr(line, '\n', have)) {
        struct pollfd p = {.fd = bm->server_out, .events = POLLIN};
        int left = 15000 - (int)((bench_now() - t0) * 1000), ready;
        ssize_t n;

        if (interrupted || left <= 0 || have == sizeof line - 1)
            break;
        if ((ready = poll(&p, 1, left)) < 0 && errno != EINTR)
            break;
        if (ready <= 0)
            continue;
        n = read(bm->server_out, line + have, sizeof line - 1 - have);
        if (n == 0)
            break;
        if (n > 0)
            have += (size_t)n;
    }
    line[have] = '\0';
    if (!strchr(line, '\n') || !(j = json_loads(line, 0, NULL)) ||
        !(addr = json_string_value(json_object_get(j, "listening"))) ||
        !(colon = strrchr(addr, ':')) ||
        (bm->port = (int)strtol(colon + 1, NULL, 10)) <= 0) {
        fprintf(stderr, "bench: yima serve did not say where it listens%s%s\n",
                have ? ": " : "", line);
        show_tail("yima serve", err);
        json_decref(j);
        return -1;
    }
    json_decref(j);
    return 0;
}

/* Start nginx serving body as /scan.json on a free port; wait until it
 * answers with those bytes. */
static int nginx_start(bench *bm, const yima_buf *body)
{
    char path[PATH_MAX], conf[PATH_MAX], err[PATH_MAX];
    char *argv[] = {
        "/usr/sbin/nginx", "-p", bm->dir, "-e", err, "-c", conf, NULL};
    yima_buf c;
    http_res res = {0};
    int rc = -1;

    snprintf(conf, sizeof conf, "%s/nginx.conf", bm->dir);
    snprintf(err, sizeof err, "%s/nginx-error.log", bm->dir);
    snprintf(path, sizeof path, "%s/www", bm->dir);
    if (mkdir(path, 0755) != 0) {
        fprintf(stderr, "bench: mkdir %s: %s\n", path, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s/www/scan.json", bm->dir);
    if (write_file(path, body->data, body->len) != 0 ||
        (bm->nginx_port = free_port()) < 0)
        return -1;
    yima_buf_init(&c, 1u << 16);
    yima_buf_init(&res.body, OUT_MAX);
    /* nginx's workers may run as another user: they read www/ only. */
    yima_buf_printf(&c,
                    "# generated by bench_serve\n"
                    "worker_processes auto;\n"
                    "daemon off;\n"
                    "pid %s/nginx.pid;\n"
                    "error_log %s;\n"
                    "events { worker_connections 1024; }\n"
                    "http {\n"
                    "    access_log off;\n"
                    "    default_type application/json;\n"
                    "    client_body_temp_path %s/nginx-body;\n"
                    "    server {\n"
                    "        listen 127.0.0.1:%d;\n"
                    "        root %s/www;\n"
                    "    }\n"
                    "}\n",
                    bm->dir, err, bm->dir, bm->nginx_port, bm->dir);
    if (c.failed || write_file(conf, c.data, c.len) != 0)
        goto out;
    if ((bm->nginx = spawn(argv, NULL, NULL, err)) < 0)
        goto out;
    for (int i = 0; i < 100 && !interrupted; i++) {
        int fd = http_connect(bm->nginx_port);

        if (fd >= 0) {
            close(fd);
            break;
        }
        if (reap(bm->nginx, 0) != -2) {
            bm->nginx = 0;
            break;
        }
        sleep_ms(50);
    }
    if (bm->nginx <= 0 || http_get(bm->nginx_port, "/scan.json", NULL, &res) ||
        res.status != 200 || res.body.len != body->len ||
        memcmp(txt(&res.body), body->data, body->len) != 0) {
        fprintf(stderr, "bench: nginx did not serve the file (status %d)\n",
                res.status);
        show_tail("nginx", err);
        goto out;
    }
    rc = 0;
out:
    yima_buf_free(&c);
    yima_buf_free(&res.body);
    return rc;
}

/* ---- Scan ------------------------------------------------------------------
 */

typedef struct wrk_run {
    double rate, p99_ms;
    long requests, non2xx;
} wrk_run;

/* A latency as wrk prints it ("812.00us", "3.21ms", "1.02s") in ms. */
static double wrk_ms(const char *s)
{
    char *end;
    double v = strtod(s, &end);

    if (end == s)
        return -1;
    if (strncmp(end, "us", 2) == 0)
        return v / 1000;
    if (strncmp(end, "ms", 2) == 0)
        return v;
    if (*end == 's')
        return v * 1000;
    if (*end == 'm')
        return v * 60000;
    if (*end == 'h')
        return v * 3600000;
    return -1;
}

static int wrk(bench *bm, const char *name, int port, const char *target,
               wrk_run *w)
{
    char url[256], dur[32];
    char *argv[] = {"wrk",
                    "-t2",
                    "-c64",
                    dur,
                    "--latency",
                    "-H",
                    "Accept: application/json",
                    url,
                    NULL};
    yima_buf out;
    const char *p;
    int rc = -1;

    memset(w, 0, sizeof *w);
    w->p99_ms = -1;
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, target);
    snprintf(dur, sizeof dur, "-d%ds", bm->seconds);
    yima_buf_init(&out, 1u << 20);
    if (run_ok(argv, &out) != 0)
        goto out;
    for (p = txt(&out); p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, "Requests/sec:", 13) == 0)
            w->rate = strtod(p + 13, NULL);
        else if (strncmp(p, "99%", 3) == 0)
            w->p99_ms = wrk_ms(p + 3 + strspn(p + 3, " \t"));
        else if (strncmp(p, "Non-2xx or 3xx responses:", 25) == 0)
            w->non2xx = strtol(p + 25, NULL, 10);
        else if (*p >= '0' && *p <= '9' && strstr(p, " requests in "))
            w->requests = strtol(p, NULL, 10);
    }
    if (w->rate <= 0 || w->p99_ms < 0 || w->requests <= 0) {
        fprintf(stderr, "bench: cannot read wrk's output for %s:\n%s\n", name,
                txt(&out));
        goto out;
    }
    if (w->non2xx) {
        fprintf(stderr,
                "bench: %s answered %ld of %ld requests with a non-2xx "
                "status\n",
                name, w->non2xx, w->requests);
        goto out;
    }
    rc = 0;
out:
    yima_buf_free(&out);
    return rc;
}

static int scan(bench *bm)
{
    static const char accept[] = "Accept: application/json\r\n";
    http_res res = {0};
    wrk_run y, n;
    double ratio;
    int rc = 1;

    yima_buf_init(&res.body, OUT_MAX);
    if (http_get(bm->port, SCAN_PATH, accept, &res) != 0)
        goto out;
    if (res.status == 404) {
        fprintf(stderr,
                "bench: serve_scan: GET %s answers 404 (%s): the scan "
                "endpoint (src/server/h_scan.c) is not in the routing table "
                "yet, or does not know the demo unit\n",
                SCAN_PATH, gist(&res.body));
        goto out;
    }
    if (res.status != 200 || res.body.len == 0 || txt(&res.body)[0] != '{') {
        fprintf(stderr, "bench: serve_scan: GET %s answers %d: %s\n", SCAN_PATH,
                res.status, gist(&res.body));
        goto out;
    }
    if (nginx_start(bm, &res.body) != 0)
        goto out;
    if (wrk(bm, "yima serve", bm->port, SCAN_PATH, &y) != 0 ||
        wrk(bm, "nginx", bm->nginx_port, "/scan.json", &n) != 0)
        goto out;
    stop(&bm->nginx);
    ratio = y.rate / n.rate;
    printf("bench serve_scan path=%s body_bytes=%zu rate=%.0f/s p99_ms=%.2f "
           "nginx_rate=%.0f/s nginx_p99_ms=%.2f ratio=%.3f floor=%.2f %s\n",
           SCAN_PATH, res.body.len, y.rate, y.p99_ms, n.rate, n.p99_ms, ratio,
           SCAN_FLOOR, ratio >= SCAN_FLOOR ? "ok" : "BELOW");
    fflush(stdout);
    if (ratio < SCAN_FLOOR)
        fprintf(stderr, "bench: scan %.0f/s is under %.2f x nginx (%.0f/s)\n",
                y.rate, SCAN_FLOOR, n.rate);
    else
        rc = 0;
out:
    yima_buf_free(&res.body);
    return rc;
}

/* ---- Capture ---------------------------------------------------------------
 */

/* Document d of the capture workload: events [first, first + n). Event
 * times are one second apart, so no two events share a hash ID. */
static void make_doc(yima_buf *b, long first, long n)
{
    const time_t base = 1777593600; /* 2026-05-01T00:00:00Z */

    yima_buf_puts(b, "{\"@context\":[\"https://ref.gs1.org/standards/epcis/"
                     "2.0.0/epcis-context.jsonld\"],\"type\":\"EPCISDocument\","
                     "\"schemaVersion\":\"2.0\",\"creationDate\":"
                     "\"2026-05-02T00:00:00Z\",\"epcisBody\":{\"eventList\":[");
    for (long i = first; i < first + n; i++) {
        time_t t = base + i;
        struct tm tm;
        char when[32];

        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        yima_buf_printf(b,
                        "%s{\"type\":\"ObjectEvent\",\"eventTime\":\"%s\","
                        "\"eventTimeZoneOffset\":\"+08:00\",\"epcList\":[",
                        i > first ? "," : "", when);
        for (int k = 0; k < EPCS_PER_EVENT; k++)
            yima_buf_printf(b,
                            "%s\"urn:epc:id:sgtin:" BENCH_GCP ".000001.%ld\"",
                            k ? "," : "", i * EPCS_PER_EVENT + k + 1);
        yima_buf_printf(b,
                        "],\"action\":\"ADD\",\"bizStep\":\"commissioning\","
                        "\"disposition\":\"active\",\"readPoint\":{\"id\":"
                        "\"urn:epc:id:sgln:" BENCH_GCP ".00001.0\"},"
                        "\"bizLocation\":{\"id\":\"urn:epc:id:sgln:" BENCH_GCP
                        ".00001.0\"},\"ilmd\":{\"cbvmda:lotNumber\":"
                        "\"B%ld\"}}",
                        i / 1000);
    }
    yima_buf_puts(b, "]}}\n");
}

/* /healthz's ledger_size, or -1. */
static long ledger_size(bench *bm)
{
    http_res res = {0};
    json_t *j = NULL;
    long n = -1;

    yima_buf_init(&res.body, 1u << 20);
    if (http_get(bm->port, "/healthz", NULL, &res) == 0 && res.status == 200 &&
        (j = json_loads(txt(&res.body), 0, NULL)) &&
        json_is_integer(json_object_get(j, "ledger_size")))
        n = (long)json_integer_value(json_object_get(j, "ledger_size"));
    else
        fprintf(stderr, "bench: GET /healthz: %d %s\n", res.status,
                gist(&res.body));
    json_decref(j);
    yima_buf_free(&res.body);
    return n;
}

/* Wait for the capture job at location to finish; 0 when it succeeded. */
static int job_wait(bench *bm, int *fd, const char *location, const char *auth,
                    http_res *res)
{
    const char *target = location;
    double t0 = bench_now();

    if (strncmp(target, "http://", 7) == 0 ||
        strncmp(target, "https://", 8) == 0)
        target = strchr(strchr(target, ':') + 3, '/');
    if (!target || *target != '/') {
        fprintf(stderr, "bench: capture: bad Location \"%s\"\n", location);
        return -1;
    }
    for (;;) {
        json_t *j = NULL;
        json_t *running, *success;

        if (interrupted ||
            http_do(fd, bm->port, "GET", target, auth, NULL, 0, res) != 0)
            return -1;
        if (res->status != 200 || !(j = json_loads(txt(&res->body), 0, NULL))) {
            fprintf(stderr, "bench: GET %s answers %d: %s\n", target,
                    res->status, gist(&res->body));
            return -1;
        }
        running = json_object_get(j, "running");
        success = json_object_get(j, "success");
        if (!json_is_true(running)) {
            bool ok = json_is_true(success);

            if (!ok)
                fprintf(stderr, "bench: capture job %s failed: %s\n", target,
                        gist(&res->body));
            json_decref(j);
            return ok ? 0 : -1;
        }
        json_decref(j);
        if (bench_now() - t0 > 300) {
            fprintf(stderr,
                    "bench: capture job %s still running after "
                    "300 s\n",
                    target);
            return -1;
        }
        sleep_ms(5);
    }
}

/* POST every document, then wait for every job: the capture rate. */
static int capture_http(bench *bm, yima_buf *docs, int ndocs, double *rate)
{
    char extra[512], auth[320];
    char(*loc)[512] = calloc((size_t)ndocs, sizeof *loc);
    http_res res = {0};
    long before, after;
    int fd = -1, rc = -1;
    double t0, t1;

    yima_buf_init(&res.body, OUT_MAX);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", bm->token);
    snprintf(extra, sizeof extra,
             "%s"
             "Content-Type: application/ld+json\r\n"
             "GS1-Capture-Error-Behaviour: rollback\r\n",
             auth);
    if (!loc || (before = ledger_size(bm)) < 0)
        goto out;
    t0 = bench_now();
    for (int d = 0; d < ndocs; d++) {
        if (http_do(&fd, bm->port, "POST", "/epcis/capture", extra,
                    docs[d].data, docs[d].len, &res) != 0)
            goto out;
        if (res.status == 404) {
            fprintf(stderr,
                    "bench: serve_capture: POST /epcis/capture answers 404 "
                    "(%s): the capture endpoint (src/server/h_epcis.c) is "
                    "not in the routing table yet\n",
                    gist(&res.body));
            goto out;
        }
        if (res.status != 202 || !res.location[0]) {
            fprintf(stderr,
                    "bench: serve_capture: POST /epcis/capture of document "
                    "%d answers %d%s: %s\n",
                    d + 1, res.status,
                    res.location[0] ? "" : " without a Location",
                    gist(&res.body));
            goto out;
        }
        snprintf(loc[d], sizeof loc[d], "%s", res.location);
    }
    for (int d = 0; d < ndocs; d++)
        if (job_wait(bm, &fd, loc[d], auth, &res) != 0)
            goto out;
    t1 = bench_now();
    if ((after = ledger_size(bm)) < 0)
        goto out;
    if (after - before != bm->events) {
        fprintf(stderr,
                "bench: serve_capture: the ledger grew by %ld events, "
                "%ld were sent\n",
                after - before, bm->events);
        goto out;
    }
    *rate = (double)bm->events / (t1 - t0);
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    free(loc);
    yima_buf_free(&res.body);
    return rc;
}

/* `yima import` of the same files into a fresh store: the baseline. */
static int capture_import(bench *bm, int ndocs, double *rate)
{
    char db[PATH_MAX];
    char **argv = calloc((size_t)ndocs + 5, sizeof *argv);
    yima_buf out;
    const char *acc;
    double t0, t1;
    int rc = -1;

    yima_buf_init(&out, 1u << 20);
    snprintf(db, sizeof db, "%s/import.db", bm->dir);
    if (!argv || make_store(bm, db) != 0)
        goto out;
    argv[0] = bm->yima;
    argv[1] = "import";
    argv[2] = "--db";
    argv[3] = db;
    for (int d = 0; d < ndocs; d++) {
        char path[PATH_MAX];

        snprintf(path, sizeof path, "%s/capture-%03d.jsonld", bm->dir, d);
        if (!(argv[4 + d] = strdup(path)))
            goto out;
    }
    t0 = bench_now();
    if (run_ok(argv, &out) != 0)
        goto out;
    t1 = bench_now();
    if (!(acc = strstr(txt(&out), "accepted ")) ||
        strtol(acc + 9, NULL, 10) != bm->events) {
        fprintf(stderr, "bench: yima import of %ld events said: %s\n",
                bm->events, txt(&out));
        goto out;
    }
    *rate = (double)bm->events / (t1 - t0);
    rc = 0;
out:
    if (argv)
        for (int d = 0; d < ndocs; d++)
            free(argv[4 + d]);
    free(argv);
    yima_buf_free(&out);
    return rc;
}

static int capture(bench *bm)
{
    int ndocs = (int)((bm->events + DOC_EVENTS - 1) / DOC_EVENTS), rc = 1;
    long doc_events = bm->events < DOC_EVENTS ? bm->events : DOC_EVENTS;
    yima_buf *docs = calloc((size_t)ndocs, sizeof *docs);
    double rate, import_rate, ratio;

    if (!docs)
        goto out;
    for (int d = 0; d < ndocs; d++) {
        long first = (long)d * DOC_EVENTS;
        long n =
            bm->events - first < DOC_EVENTS ? bm->events - first : DOC_EVENTS;
        char path[PATH_MAX];

        yima_buf_init(&docs[d], OUT_MAX);
        make_doc(&docs[d], first, n);
        snprintf(path, sizeof path, "%s/capture-%03d.jsonld", bm->dir, d);
        if (docs[d].failed || write_file(path, docs[d].data, docs[d].len))
            goto out;
    }
    if (make_token(bm, bm->served_db) != 0 ||
        capture_http(bm, docs, ndocs, &rate) != 0 ||
        capture_import(bm, ndocs, &import_rate) != 0)
        goto out;
    ratio = rate / import_rate;
    printf("bench serve_capture events=%ld docs=%d doc_events=%ld "
           "bytes_per_event=%.0f rate=%.0f/s import_rate=%.0f/s ratio=%.3f "
           "floor=%.2f %s\n",
           bm->events, ndocs, doc_events,
           (double)docs[0].len / (double)doc_events, rate, import_rate, ratio,
           CAPTURE_FLOOR, ratio >= CAPTURE_FLOOR ? "ok" : "BELOW");
    fflush(stdout);
    if (ratio < CAPTURE_FLOOR)
        fprintf(stderr,
                "bench: capture %.0f/s is under %.2f x yima import "
                "(%.0f/s)\n",
                rate, CAPTURE_FLOOR, import_rate);
    else
        rc = 0;
out:
    if (docs)
        for (int d = 0; d < ndocs; d++)
            yima_buf_free(&docs[d]);
    free(docs);
    return rc;
}

/* ---- Main ------------------------------------------------------------------
 */

/* build/yima, next to the folder this bench was built into. */
static int find_yima(bench *bm, const char *argv0)
{
    char self[PATH_MAX], *slash;

    if (!realpath(argv0, self) || !(slash = strrchr(self, '/')))
        return -1;
    *slash = '\0'; /* build/bench */
    if (!(slash = strrchr(self, '/')))
        return -1;
    *slash = '\0'; /* build */
    if (snprintf(bm->yima, sizeof bm->yima, "%.4000s/yima", self) >=
            (int)sizeof bm->yima ||
        access(bm->yima, X_OK) != 0) {
        fprintf(stderr, "bench: no %s (run `make bench`)\n", bm->yima);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static bench bm;
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART */
    uint64_t seconds, events;
    int rc = 1, rc_scan, rc_capture;

    (void)argc;
    bm.server_out = -1;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (bench_env_u64("YIMA_BENCH_SECONDS", WRK_SECONDS, 1, 600, &seconds) ||
        bench_env_u64("YIMA_BENCH_CAPTURE_EVENTS", CAPTURE_EVENTS, 1, 10000000,
                      &events) ||
        find_yima(&bm, argv[0]) != 0)
        return 1;
    bm.seconds = (int)seconds;
    bm.events = (long)events;
    snprintf(bm.dir, sizeof bm.dir, "/tmp/yima-bench-serve-XXXXXX");
    if (!mkdtemp(bm.dir)) {
        fprintf(stderr, "bench: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    /* nginx's workers may run as another user and must reach www/. */
    chmod(bm.dir, 0755);
    snprintf(bm.served_db, sizeof bm.served_db, "%s/served.db", bm.dir);
    if (make_store(&bm, bm.served_db) != 0 || serve_start(&bm) != 0)
        goto out;
    rc_scan = scan(&bm);
    rc_capture = interrupted ? 1 : capture(&bm);
    rc = rc_scan || rc_capture ? 1 : 0;
out:
    stop(&bm.nginx);
    stop(&bm.server);
    if (bm.server_out >= 0)
        close(bm.server_out);
    for (int i = 0; i < KIDS_MAX; i++) /* nothing left, but never leak one */
        if (kids[i] > 0) {
            pid_t p = kids[i];

            stop(&p);
        }
    nftw(bm.dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    if (interrupted)
        fprintf(stderr, "bench: interrupted\n");
    return interrupted ? 1 : rc;
}
