/*
 * hello_mhd.c - the HTTP candidate GNU libmicrohttpd: an epoll thread pool
 * (one thread per core) answering GET /hello with a fixed JSON body.
 * Usage: hello_mhd PORT THREADS. Built and run by bench/http/compare.
 */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char body[] = "{\"status\":\"ok\",\"ledger_size\":0}\n";
static struct MHD_Response *response;

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn,
                              const char *url, const char *method,
                              const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)cls, (void)version, (void)upload, (void)upload_size, (void)con_cls;
    if (strcmp(method, "GET") || strcmp(url, "/hello"))
        return MHD_NO;
    return MHD_queue_response(conn, MHD_HTTP_OK, response);
}

int main(int argc, char **argv)
{
    struct MHD_Daemon *d;
    sigset_t set;
    int sig;

    if (argc != 3)
        return 2;
    response = MHD_create_response_from_buffer(sizeof body - 1, (void *)body,
                                               MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(response, "Content-Type", "application/json");
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO,
                         (uint16_t)atoi(argv[1]), NULL, NULL, answer, NULL,
                         MHD_OPTION_THREAD_POOL_SIZE, (unsigned)atoi(argv[2]),
                         MHD_OPTION_CONNECTION_LIMIT, 4096u, MHD_OPTION_END);
    if (!d)
        return 1;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    MHD_destroy_response(response);
    return 0;
}
