/*
 * hello_yima.c - the HTTP candidate "own epoll loop + http-parser": the
 * engine of yima/http.h answering GET /hello with a fixed JSON body.
 * Usage: hello_yima PORT WORKERS. Built and run by bench/http/compare.
 */
#include <stdio.h>
#include <stdlib.h>

#include "yima/http.h"

static const char body[] = "{\"status\":\"ok\",\"ledger_size\":0}\n";

static int hello(yima_http_req *req, yima_http_res *res)
{
    (void)req;
    return yima_http_res_send(res, 200, "application/json", body,
                              sizeof body - 1);
}

static const yima_http_route routes[] = {{"GET", "/hello", hello, 0}};

int main(int argc, char **argv)
{
    char listen[64];
    yima_http_config cfg = {0};
    yima_error err;

    if (argc != 3)
        return 2;
    snprintf(listen, sizeof listen, "127.0.0.1:%s", argv[1]);
    cfg.listen = listen;
    cfg.workers = atoi(argv[2]);
    cfg.log_fd = -1;
    cfg.routes = routes;
    cfg.nroutes = 1;
    if (yima_http_serve(&cfg, &err) != 0) {
        fprintf(stderr, "hello_yima: %s\n", err.msg);
        return 1;
    }
    return 0;
}
