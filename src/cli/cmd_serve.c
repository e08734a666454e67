/*
 * cmd_serve.c - `yima serve --db PATH --listen HOST:PORT [--log FILE]
 * [--workers N] [--request-timeout MS] [--idle-timeout MS]
 * [--notify-interval SECONDS] [--notify-backoff SECONDS]
 * [--notify-cafile FILE]`
 *
 * Reads the options and the ledger's signer key beside the store, then
 * hands over to the server (src/server/). Prints one JSON line when it
 * listens, logs one JSON line per request (standard error, or --log), and
 * exits 0 after SIGTERM or SIGINT once the requests in flight are answered.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "yima/risk.h"

#include "../server/server.h"
#include "cli.h"

static const char help[] =
    "usage: yima serve --db PATH [--listen HOST:PORT] [--log FILE]\n"
    "                  [--workers N] [--request-timeout MS] "
    "[--idle-timeout MS]\n"
    "                  [--notify-interval SECONDS] [--notify-backoff "
    "SECONDS]\n"
    "                  [--notify-cafile FILE]\n"
    "\n"
    "  --listen HOST:PORT    address to listen on (default 127.0.0.1:8080;\n"
    "                        port 0 takes a free port, printed at start)\n"
    "  --log FILE            access log, one JSON line per request\n"
    "                        (default: standard error)\n"
    "  --workers N           event loops, one per core by default\n"
    "  --request-timeout MS  a request must arrive whole within MS (10000)\n"
    "  --idle-timeout MS     keep-alive connections idle this long close\n"
    "                        (5000)\n"
    "\n"
    "recall notices (webhooks to the holders' subscriptions):\n"
    "  --notify-interval SECONDS  send the notices that are due this often\n"
    "                        (5); each attempt has 5 s to be answered\n"
    "  --notify-backoff SECONDS   retry a failed notice after this long,\n"
    "                        twice as long each time, 8 attempts (60)\n"
    "  --notify-cafile FILE  PEM certificates trusted for https webhooks\n"
    "                        besides the system's\n";

static int number(const char *opt, const char *s, long max, int *out)
{
    long v;

    if (!s)
        return CLI_OK;
    if (!cli_parse_int(s, 1, max, &v))
        return cli_usage_error("serve: %s needs a number from 1 to %ld, not "
                               "'%s'",
                               opt, max, s);
    *out = (int)v;
    return CLI_OK;
}

int cmd_serve(int argc, char **argv)
{
    const char *workers = NULL, *rto = NULL, *ito = NULL, *nint = NULL,
               *nback = NULL;
    yima_risk_notify_config nc = {0, NULL};
    int interval_s = 0, backoff_s = 0;
    yima_error err;
    server_opts o;
    yima_buf skey;
    yima_store *st = NULL;
    char keypath[4096];
    int status = CLI_OK;

    memset(&o, 0, sizeof o);
    o.listen = "127.0.0.1:8080";
    const cli_opt opts[] = {
        {"--db", &o.db, NULL},
        {"--listen", &o.listen, NULL},
        {"--log", &o.log_path, NULL},
        {"--workers", &workers, NULL},
        {"--request-timeout", &rto, NULL},
        {"--idle-timeout", &ito, NULL},
        {"--notify-interval", &nint, NULL},
        {"--notify-backoff", &nback, NULL},
        {"--notify-cafile", &nc.cafile, NULL},
        {NULL, NULL, NULL},
    };
    if (!cli_options(argc, argv, opts, "serve", help, &status))
        return status;
    if (!o.db)
        return cli_usage_error("serve needs --db PATH\n%s", help);
    if ((status = number("--workers", workers, YIMA_HTTP_WORKERS_MAX,
                         &o.workers)) != CLI_OK ||
        (status = number("--request-timeout", rto, 3600000,
                         &o.request_timeout_ms)) != CLI_OK ||
        (status = number("--idle-timeout", ito, 3600000, &o.idle_timeout_ms)) !=
            CLI_OK ||
        (status = number("--notify-interval", nint, 86400, &interval_s)) !=
            CLI_OK ||
        (status = number("--notify-backoff", nback, 86400, &backoff_s)) !=
            CLI_OK)
        return status;
    o.notify_interval_ms = interval_s * 1000;
    nc.backoff_ms = (int64_t)backoff_s * 1000;
    if (yima_risk_notify_setup(&nc, &err) != 0) {
        fprintf(stderr, "yima: serve: %s\n", err.msg);
        return CLI_INVALID;
    }
    /* fail early, with the CLI's message, when the store is not there */
    if ((status = cli_store_open(o.db, &st)) != CLI_OK)
        return status;
    yima_store_close(st);
    yima_buf_init(&skey, 4096);
    cli_key_path(o.db, keypath, sizeof keypath);
    if (access(keypath, R_OK) == 0 && cli_key_read(o.db, &skey) == 0)
        o.skey = skey.data;
    status = server_run(&o) == 0 ? CLI_OK : CLI_INVALID;
    yima_buf_free(&skey);
    return status;
}
