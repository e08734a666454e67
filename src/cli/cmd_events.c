/*
 * cmd_events.c - `yima events --db PATH [--code CODE]`
 *
 * Prints stored events as EPCIS 2.0 JSON, one per line, in ledger order,
 * each with the recordTime the store sealed it with. With --code, only the
 * events of that code (any printed form: it is normalised first), including
 * those of the containers it was packed in while packed. With --document,
 * one EPCIS 2.0 EPCISDocument holding them instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "yima/code.h"
#include "yima/epcis.h"

static const char help[] =
    "usage: yima events --db PATH [--code CODE] [--document]\n"
    "Prints stored events as EPCIS 2.0 JSON, one per line.\n"
    "  --document  one EPCIS 2.0 document (EPCISDocument) instead\n";

/* What print_event() writes to: one line per event, or collected events
 * for one document. */
typedef struct sink {
    yima_buf line;
    bool document;
    yima_buf events; /* --document: the events, each NUL-terminated */
    size_t n;
} sink;

static void put_time(yima_buf *b, int64_t ms)
{
    char when[YIMA_STORE_TIME_LEN + 1];

    if (yima_store_time_format(ms, when) == 0)
        yima_buf_puts(b, when);
}

static int print_event(void *arg, uint64_t index, int64_t record_time_ms,
                       const char *json, size_t len)
{
    sink *k = arg;
    yima_buf *line = &k->line;

    (void)index;
    if (len < 2 || json[len - 1] != '}')
        return YIMA_EINVAL;
    yima_buf_reset(line);
    yima_buf_add(line, json, len - 1);
    yima_buf_puts(line, len > 2 ? ",\"recordTime\":\"" : "\"recordTime\":\"");
    put_time(line, record_time_ms);
    yima_buf_puts(line, "\"}\n");
    if (line->failed)
        return YIMA_ETOOBIG;
    if (k->document) {
        k->n++;
        yima_buf_add(&k->events, line->data, line->len - 1);
        yima_buf_putc(&k->events, '\0');
        return k->events.failed ? YIMA_ETOOBIG : 0;
    }
    fwrite(line->data, 1, line->len, stdout);
    return 0;
}

/* The collected events as one EPCISDocument. */
static int print_document(sink *k)
{
    const char **json = calloc(k->n ? k->n : 1, sizeof *json);
    size_t *lens = calloc(k->n ? k->n : 1, sizeof *lens);
    yima_buf doc;
    int rc = YIMA_ENOMEM;

    yima_buf_init(&doc, 1u << 31);
    if (json && lens) {
        const char *p = k->events.data;
        for (size_t i = 0; i < k->n; i++) {
            json[i] = p;
            lens[i] = strlen(p);
            p += lens[i] + 1;
        }
        rc = yima_epcis_write_document(&doc, json, lens, k->n);
    }
    if (rc == 0) {
        fwrite(doc.data, 1, doc.len, stdout);
        putchar('\n');
    } else
        fprintf(stderr, "yima: cannot write the document: %s\n",
                yima_strerror(rc));
    yima_buf_free(&doc);
    free(json);
    free(lens);
    return rc;
}

int cmd_events(int argc, char **argv)
{
    const char *db = NULL, *code = NULL;
    yima_store *st;
    sink k = {.document = false};
    yima_error err;
    yima_code parsed;
    int rc;
    const cli_opt opts[] = {{"--db", &db, NULL},
                            {"--code", &code, NULL},
                            {"--document", NULL, &k.document},
                            {NULL, NULL, NULL}};

    if (!cli_options(argc, argv, opts, "events", help, &rc))
        return rc;
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
    yima_buf_init(&k.line, 1 << 20);
    yima_buf_init(&k.events, 1u << 30);
    yima_error_set(&err, YIMA_EINVAL, 0, "an event could not be printed");
    rc = yima_store_events(st, code, print_event, &k, &err);
    if (rc != 0)
        fprintf(stderr, "yima: %s\n", err.msg);
    else if (k.document)
        rc = print_document(&k);
    yima_buf_free(&k.line);
    yima_buf_free(&k.events);
    yima_store_close(st);
    return rc == 0 && fflush(stdout) == 0 ? CLI_OK : CLI_INVALID;
}
