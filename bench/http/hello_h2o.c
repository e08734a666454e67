/*
 * hello_h2o.c - the HTTP candidate libh2o (evloop flavour): one event loop
 * per thread, each on its own SO_REUSEPORT socket, answering GET /hello
 * with a fixed JSON body. Usage: hello_h2o PORT THREADS. Built and run by
 * bench/http/compare.
 */
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const char body[] = "{\"status\":\"ok\",\"ledger_size\":0}\n";
static h2o_globalconf_t config;
static int port;

static int hello(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")))
        return -1;
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   H2O_STRLIT("application/json"));
    h2o_send_inline(req, body, sizeof body - 1);
    return 0;
}

typedef struct loop_ctx {
    h2o_context_t ctx;
    h2o_accept_ctx_t accept;
} loop_ctx;

static void on_accept(h2o_socket_t *listener, const char *err)
{
    loop_ctx *lc = listener->data;
    h2o_socket_t *sock;

    if (err || !(sock = h2o_evloop_socket_accept(listener)))
        return;
    h2o_accept(&lc->accept, sock);
}

static void *run(void *arg)
{
    loop_ctx *lc = calloc(1, sizeof *lc);
    struct sockaddr_in addr;
    h2o_socket_t *sock;
    int fd, one = 1;

    (void)arg;
    h2o_context_init(&lc->ctx, h2o_evloop_create(), &config);
    lc->accept.ctx = &lc->ctx;
    lc->accept.hosts = config.hosts;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(0x7f000001);
    addr.sin_port = htons((uint16_t)port);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) || listen(fd, 1024))
        exit(1);
    sock =
        h2o_evloop_socket_create(lc->ctx.loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    sock->data = lc;
    h2o_socket_read_start(sock, on_accept);
    while (h2o_evloop_run(lc->ctx.loop, INT32_MAX) == 0) {
    }
    return NULL;
}

int main(int argc, char **argv)
{
    h2o_hostconf_t *host;
    h2o_pathconf_t *path;
    h2o_handler_t *h;
    int n;

    if (argc != 3)
        return 2;
    port = atoi(argv[1]);
    n = atoi(argv[2]);
    h2o_config_init(&config);
    host = h2o_config_register_host(
        &config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    path = h2o_config_register_path(host, "/hello", 0);
    h = h2o_create_handler(path, sizeof *h);
    h->on_req = hello;
    for (int i = 1; i < n; i++) {
        pthread_t t;
        pthread_create(&t, NULL, run, NULL);
    }
    run(NULL);
    return 0;
}
