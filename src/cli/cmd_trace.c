/*
 * cmd_trace.c - `yima trace --db PATH CODE --backward|--forward [--at TIME]`
 *
 * Prints one line of JSON: the backward trace of CODE (its custody chain,
 * the containers it rode in, the inputs it was made from) or the forward
 * trace of a unit, container, batch, product or producer (who holds how
 * much of it now, or at TIME). The shapes are in yima/trace.h; GET
 * /api/v1/trace prints the same. Exit 0, 1 when the code is unknown or
 * invalid, 2 on a usage error.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "yima/trace.h"

static const char help[] =
    "usage: yima trace --db PATH CODE --backward|--forward [--at TIME]\n"
    "Prints where CODE came from (--backward: custody from the producer on,\n"
    "containers, transformation inputs) or where it went (--forward: the\n"
    "holders of a unit, container, batch, product or producer (a USCC),\n"
    "units sold to consumers and units unaccounted for), as JSON.\n"
    "  --at TIME  only events up to TIME (RFC 3339, e.g.\n"
    "             2026-03-05T12:00:00+08:00)\n";

int cmd_trace(int argc, char **argv)
{
    const char *db = NULL, *at = NULL, *code = NULL;
    bool back = false, fwd = false;
    yima_store *st;
    yima_error err;
    yima_buf out;
    int rc;

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];

        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(help, stdout);
            return CLI_OK;
        } else if (!strcmp(a, "--backward")) {
            back = true;
        } else if (!strcmp(a, "--forward")) {
            fwd = true;
        } else if ((!strcmp(a, "--db") || !strcmp(a, "--at")) && i + 1 < argc) {
            *(a[2] == 'd' ? &db : &at) = argv[++i];
        } else if (a[0] != '-' && !code) {
            code = a;
        } else {
            return cli_usage_error("trace: unexpected '%s'\n%s", a, help);
        }
    }
    if (!code)
        return cli_usage_error("trace: no CODE given\n%s", help);
    if (back == fwd)
        return cli_usage_error("trace: give one of --backward, --forward\n%s",
                               help);
    if ((rc = cli_store_open(db, &st)) != CLI_OK)
        return rc;
    yima_buf_init(&out, 1u << 30);
    rc = yima_trace_json(st, code,
                         back ? YIMA_TRACE_BACKWARD : YIMA_TRACE_FORWARD, at,
                         &out, &err);
    if (rc == 0) {
        fwrite(out.data, 1, out.len, stdout);
        putchar('\n');
    } else {
        fprintf(stderr, "yima: %s\n", err.msg);
    }
    yima_buf_free(&out);
    yima_store_close(st);
    return rc == 0 && fflush(stdout) == 0 ? CLI_OK : CLI_INVALID;
}
