/*
 * cmd_import.c - `yima import --db PATH [--proceed] FILE...`
 *
 * Each FILE is, by its name: an EPCIS 2.0 JSON-LD document (.json,
 * .jsonld), NDJSON events (.ndjson, .jsonl), or CSV master data (.csv).
 * A file is all or nothing: one bad event and none of the file is stored.
 * With --proceed the valid events of a bad file are kept and the bad ones
 * listed. A file is read on every core and stored and sealed in the ledger
 * in one transaction (yima/ingest.h): durable before any of it counts, and
 * nothing of it stored when anything fails; a signed checkpoint closes the
 * import, and the custody state (yima/trace.h) is brought up to date.
 *
 * Output: a progress bar on a terminal (stderr), then a summary on stdout:
 *   accepted N, duplicates N, rejected N
 * and one line per rejected event: "rejected: FILE: event N: field: why".
 * With --acks, "ack INDEX EVENT-ID" for every event as soon as its file
 * is durable (a line counts only once its newline is out: an importer
 * killed while printing may leave the last line cut short). Exit 0 when nothing
 * was rejected, 1 otherwise, 2 on a usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "yima/epcis.h"
#include "yima/ingest.h"
#include "yima/ledger.h"
#include "yima/trace.h"

static const char help[] =
    "usage: yima import --db PATH [--proceed] FILE...\n"
    "Imports EPCIS 2.0 documents (.json, .jsonld), NDJSON events (.ndjson,\n"
    ".jsonl) and CSV master data (.csv). A bad file is stored not at all;\n"
    "  --proceed  keep the valid events of a bad file\n"
    "  --acks     print \"ack INDEX EVENT-ID\" for each event once it is\n"
    "             durable (for integrations and crash tests)\n";

typedef struct tally {
    const char *path; /* the file being imported */
    size_t accepted, duplicates, rejected, master;
    bool progress; /* stderr is a terminal */
    bool acks;     /* --acks: print each event once its file is durable */
} tally;

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static void show_progress(const tally *t, const char *path, size_t done,
                          size_t total)
{
    int width = 30, fill = total ? (int)(done * (size_t)width / total) : width;

    if (!t->progress)
        return;
    fprintf(stderr, "\r%-24.24s [%.*s%*s] %zu/%zu", path, fill,
            "##############################", width - fill, "", done, total);
    if (done == total)
        fputc('\n', stderr);
}

static void reject(tally *t, const char *path, const char *msg)
{
    t->rejected++;
    printf("rejected: %s: %s\n", path, msg);
}

/* A file of events being read (started) and then stored (finished). */
typedef struct file_job {
    const char *path;
    yima_buf text;
    yima_ingest in;
    yima_ingest_job *job;
    tally *t;
} file_job;

static void progress(void *arg, size_t done, size_t total)
{
    const file_job *f = arg;

    show_progress(f->t, f->path, done, total);
}

static void stored(void *arg, const yima_event *ev,
                   const yima_store_result *res)
{
    (void)arg;
    printf("ack %llu %s\n", (unsigned long long)res->index, ev->event_id);
}

/* Start reading f's events on every core (f->text holds the file). */
static void start_events(yima_store *st, file_job *f, bool proceed)
{
    f->in = (yima_ingest){.flags = proceed ? YIMA_EPCIS_PROCEED : 0,
                          .ndjson = ends_with(f->path, ".ndjson") ||
                                    ends_with(f->path, ".jsonl"),
                          .stored = f->t->acks ? stored : NULL,
                          .progress = progress,
                          .arg = f};
    f->job = yima_ingest_start(st, f->text.data, f->text.len, &f->in);
}

/* Store the events f started with, in one transaction; free f's text. */
static int finish_events(yima_store *st, file_job *f)
{
    tally *t = f->t;
    yima_error err;
    int rc;

    rc = yima_ingest_finish(st, f->job, &err);
    f->job = NULL;
    for (size_t i = 0; i < f->in.n_rejects; i++)
        reject(t, f->path, f->in.rejects[i].msg);
    if (rc == YIMA_EINVAL || rc == YIMA_ETOOBIG) {
        if (f->in.n_rejects == 0)
            reject(t, f->path, err.msg); /* the input as a whole */
    } else if (rc != 0) {
        fprintf(stderr, "\nyima: %s: %s\n", f->path, err.msg);
    }
    if (t->acks)
        fflush(stdout);
    if (f->in.accepted + f->in.duplicates + f->in.n_rejects == 0 && rc == 0)
        show_progress(t, f->path, 0, 0);
    t->accepted += f->in.accepted;
    t->duplicates += f->in.duplicates;
    yima_ingest_free(&f->in);
    yima_buf_free(&f->text);
    return rc;
}

int cmd_import(int argc, char **argv)
{
    const char *db = NULL;
    bool proceed = false;
    yima_store *st = NULL;
    yima_buf note;
    yima_error err;
    tally t = {0};
    file_job f[2] = {{0}};
    int i, rc, status = CLI_OK;

    for (i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            return CLI_OK;
        } else if (!strcmp(argv[i], "--db") && i + 1 < argc)
            db = argv[++i];
        else if (!strcmp(argv[i], "--proceed"))
            proceed = true;
        else if (!strcmp(argv[i], "--acks"))
            t.acks = true;
        else if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("import: unknown option '%s'\n%s", argv[i],
                                   help);
        else
            break;
    }
    if (!db || i >= argc)
        return cli_usage_error("import needs --db PATH and a FILE\n%s", help);
    if ((rc = cli_store_open(db, &st)) != CLI_OK)
        return rc;
    t.progress = isatty(STDERR_FILENO);
    /* Files are stored in order; the next file of events is read while
     * the one before is stored (two in flight: f[k % 2]). */
    for (size_t k = 0; i <= argc; i++) {
        file_job *cur = &f[k % 2], *prev = &f[(k + 1) % 2];
        const char *path = i < argc ? argv[i] : NULL;
        bool csv = path && ends_with(path, ".csv");

        if (path && cli_read_file(path, YIMA_EPCIS_DOC_MAX, &cur->text) != 0) {
            reject(&t, path, "cannot be read");
            continue;
        }
        if (path && !csv) {
            cur->path = path;
            cur->t = &t;
            start_events(st, cur, proceed);
            k++;
        }
        if (prev->job && finish_events(st, prev) != 0 && t.rejected == 0)
            status = CLI_INVALID; /* a store failure, already reported */
        if (csv) {                /* master data: after the events before it */
            char why[512];
            size_t rows = 0;
            if (cli_import_csv(st, cur->text.data, cur->text.len, &rows, why,
                               sizeof why) != 0)
                reject(&t, path, why);
            t.master += rows;
            yima_buf_free(&cur->text);
        }
    }
    yima_buf_init(&note, YIMA_LEDGER_NOTE_MAX);
    if (cli_checkpoint_current(db, st, &note) != 0)
        status = CLI_INVALID;
    if (t.accepted && yima_trace_catch_up(st, &err) != 0) {
        fprintf(stderr, "import: custody state: %s\n", err.msg);
        status = CLI_INVALID; /* the events are stored: a trace retries */
    }
    yima_buf_free(&note);
    yima_store_close(st);
    printf("accepted %zu, duplicates %zu, rejected %zu, master data rows %zu\n",
           t.accepted, t.duplicates, t.rejected, t.master);
    return t.rejected ? CLI_INVALID : status;
}
