/*
 * cmd_events.c - `yima events --db PATH [--code CODE]`
 *
 * Prints stored events as EPCIS 2.0 JSON, one per line, in ledger order,
 * each with the recordTime the store sealed it with. With --code, only the
 * events of that code (any printed form: it is normalised first), including
 * those of the containers it was packed in while packed.
 */
#include <stdio.h>
#include <time.h>
#include <string.h>

#include "cli.h"
#include "yima/code.h"

static const char help[] =
    "usage: yima events --db PATH [--code CODE]\n"
    "Prints stored events as EPCIS 2.0 JSON, one per line.\n";

static void put_time(yima_buf *b, int64_t ms)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    char when[32];

    gmtime_r(&s, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    yima_buf_printf(b, "%s.%03dZ", when, (int)(ms % 1000));
}

static int print_event(void *arg, uint64_t index, int64_t record_time_ms,
                       const char *json, size_t len)
{
    yima_buf *line = arg;

    (void)index;
    if (len < 2 || json[len - 1] != '}')
        return YIMA_EINVAL;
    yima_buf_reset(line);
    yima_buf_add(line, json, len - 1);
    yima_buf_puts(line, len > 2 ? ",\"recordTime\":\"" : "\"recordTime\":\"");
    put_time(line, record_time_ms);
    yima_buf_puts(line, "\"}\n");
    fwrite(line->data, 1, line->len, stdout);
    return line->failed ? YIMA_ETOOBIG : 0;
}

int cmd_events(int argc, char **argv)
{
    const char *db = NULL, *code = NULL;
    yima_store *st;
    yima_buf line;
    yima_error err;
    yima_code parsed;
    int rc;

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            return CLI_OK;
        } else if (!strcmp(argv[i], "--db") && i + 1 < argc)
            db = argv[++i];
        else if (!strcmp(argv[i], "--code") && i + 1 < argc)
            code = argv[++i];
        else
            return cli_usage_error("events: unexpected '%s'\n%s", argv[i],
                                   help);
    }
    if (code) {
        rc = yima_code_parse(code, strlen(code), NULL, &parsed, &err);
        if (rc == 0)
            code = parsed.canonical;
        else if (parsed.scheme != YIMA_SCHEME_UNKNOWN) {
            /* a known scheme with a mistake: say so rather than find nothing */
            fprintf(stderr, "yima: --code: %s\n", err.msg);
            return CLI_INVALID;
        }
    }
    if ((rc = cli_store_open(db, &st)) != CLI_OK)
        return rc;
    yima_buf_init(&line, 1 << 20);
    yima_error_set(&err, YIMA_EINVAL, 0, "an event could not be printed");
    rc = yima_store_events(st, code, print_event, &line, &err);
    if (rc != 0)
        fprintf(stderr, "yima: %s\n", err.msg);
    yima_buf_free(&line);
    yima_store_close(st);
    return rc == 0 && fflush(stdout) == 0 ? CLI_OK : CLI_INVALID;
}
