/*
 * bench_trace.c - forward and backward trace on a large store, next to a
 * plain indexed look-up of one code on the same store in the same run.
 *
 * Workload: a store of YIMA_BENCH_TRACE_EVENTS (default 10000000) events of
 * a deep supply chain (trace_chain.h: producer -> distributor -> regional
 * wholesaler -> retail store -> consumer, cases and pallets packed and
 * unpacked on the way), with one batch whose units end at
 * tc_batch_cases() stores (10500 at the default size). The store is built
 * once, through yima_ingest_text() in pieces of CHUNK_EVENTS events, in
 * YIMA_BENCH_TRACE_DIR (default build/bench/trace-store), and reused while
 * its "complete" file names the same generator version and size.
 *
 * Timed on that store (one thread, one handle), after
 * yima_trace_catch_up() (timed apart):
 *
 *   trace_lookup    yima_store_events() of each of a sample of the store's
 *                   units, once (cold) and WARM_PASSES times more (warm):
 *                   what one EPCIS query of one code costs, and the unit of
 *                   every ratio
 *   trace_backward  yima_trace_json(BACKWARD) of BACKWARD_SAMPLES units of
 *                   the batch, once (cold) and once more (warm)
 *   trace_forward   yima_trace_json(FORWARD) of the batch, repeated while
 *                   the time allows (FORWARD_MIN..FORWARD_MAX runs); its
 *                   JSON must list at least min(10000, the batch's cases)
 *                   holders
 *   trace_peer      a client of the standard EPCIS query interface has no
 *                   transitive trace: it asks once for the batch's
 *                   commissioning events, then once per unit and once per
 *                   container (case, pallet, mixed pallet) the units rode
 *                   in. Those queries times the look-up median.
 *
 * Ratios are to the warm look-up median of the same run. Exit 1 when the run
 * fails or the forward trace finds too few holders; the ratios are
 * reported, not judged (bench/README.md gives the figures seen).
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "yima/ingest.h"
#include "yima/store.h"
#include "yima/trace.h"
#include "bench_util.h"

#include "supply_chain.h"
#include "supply_chain.c"
#include "trace_chain.h"
#include "trace_chain.c"

#define DEFAULT_EVENTS   10000000ULL
#define MAX_EVENTS       100000000ULL
#define DEFAULT_DIR      "build/bench/trace-store"
#define SEED             0x74726163ULL /* "trac" */
#define CHUNK_EVENTS     50000         /* events per yima_ingest_text() */
#define PROGRESS_EVENTS  500000        /* a progress line this often */
#define WARM_PASSES      2 /* look-ups of each sampled unit after the first */
#define BACKWARD_SAMPLES 200
#define FORWARD_MIN      3
#define FORWARD_MAX      15
#define FORWARD_SECONDS  60.0 /* runs after FORWARD_MIN stop past this */
#define HOLDERS_GOAL     10000
#define TRACE_OUT_MAX    (256u << 20) /* bytes of one trace's JSON */
#define MARKER_MAGIC     "yima bench_trace store"

/* What the complete file says about the store it sits next to. */
typedef struct built {
    uint64_t version, events;
    tc_batch batch;
    char (*units)[TC_ID_MAX];  /* a sample of the store's units */
    char (*bunits)[TC_ID_MAX]; /* a sample of the batch's units */
    size_t n_units, n_bunits;
    double build_s; /* 0 when the store was reused */
} built;

typedef struct paths {
    char dir[PATH_MAX / 2];
    char db[PATH_MAX], marker[PATH_MAX];
} paths;

/* mkdir -p */
static int make_dirs(const char *dir)
{
    char p[PATH_MAX];
    size_t n = strlen(dir);

    if (n == 0 || n >= sizeof p)
        return -1;
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++)
        if (p[i] == '/' || p[i] == '\0') {
            char c = p[i];

            p[i] = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST) {
                fprintf(stderr, "bench: mkdir %s: %s\n", p, strerror(errno));
                return -1;
            }
            p[i] = c;
        }
    return 0;
}

static void built_free(built *b)
{
    free(b->units);
    free(b->bunits);
    memset(b, 0, sizeof *b);
}

/* ---- The complete file ---------------------------------------------------
 *
 *   yima bench_trace store
 *   version=<TC_VERSION>
 *   events=<N>
 *   batch=<code>  producer=<USCC>  cases= units= pallets= mixed= holders=
 *   sold= batch_events=   (one key=value a line)
 *   unit=<code>           a sample of the store's units, one a line
 *   batch_unit=<code>     a sample of the batch's units
 */

static int marker_write(const paths *p, const built *b)
{
    char tmp[PATH_MAX + 8];
    const tc_batch *t = &b->batch;
    FILE *f;
    int rc = 0;

    snprintf(tmp, sizeof tmp, "%s.tmp", p->marker);
    if (!(f = fopen(tmp, "w"))) {
        fprintf(stderr, "bench: %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    fprintf(f,
            MARKER_MAGIC "\nversion=%llu\nevents=%llu\nbatch=%s\n"
                         "producer=%s\ncases=%llu\nunits=%llu\npallets=%llu\n"
                         "mixed=%llu\nholders=%llu\nsold=%llu\n"
                         "batch_events=%llu\n",
            (unsigned long long)b->version, (unsigned long long)b->events,
            t->code, t->producer, (unsigned long long)t->cases,
            (unsigned long long)t->units, (unsigned long long)t->pallets,
            (unsigned long long)t->mixed, (unsigned long long)t->holders,
            (unsigned long long)t->sold, (unsigned long long)t->events);
    for (size_t i = 0; i < b->n_units; i++)
        fprintf(f, "unit=%s\n", b->units[i]);
    for (size_t i = 0; i < b->n_bunits; i++)
        fprintf(f, "batch_unit=%s\n", b->bunits[i]);
    if (ferror(f) || fflush(f) != 0 || fsync(fileno(f)) != 0)
        rc = -1;
    if (fclose(f) != 0 || rc != 0 || rename(tmp, p->marker) != 0) {
        fprintf(stderr, "bench: %s: %s\n", p->marker, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

static int num(const char *v, uint64_t *out)
{
    char *end;

    errno = 0;
    *out = strtoull(v, &end, 10);
    return errno || end == v || *end ? -1 : 0;
}

/* Append code to a list of at most TC_SAMPLE. */
static int sample_add(char (**v)[TC_ID_MAX], size_t *n, const char *code)
{
    if (!*v && !(*v = calloc(TC_SAMPLE, sizeof **v)))
        return -1;
    if (*n < TC_SAMPLE)
        snprintf((*v)[(*n)++], TC_ID_MAX, "%s", code);
    return 0;
}

/* Read the complete file: 0 when it describes a whole store, -1 when it is
 * missing or not one. */
static int marker_read(const paths *p, built *b)
{
    static const char *const keys[] = {"version", "events",  "cases",
                                       "units",   "pallets", "mixed",
                                       "holders", "sold",    "batch_events"};
    uint64_t *dst[] = {&b->version,       &b->events,        &b->batch.cases,
                       &b->batch.units,   &b->batch.pallets, &b->batch.mixed,
                       &b->batch.holders, &b->batch.sold,    &b->batch.events};
    char line[TC_ID_MAX + 64];
    FILE *f = fopen(p->marker, "r");
    int rc = 0;

    memset(b, 0, sizeof *b);
    if (!f)
        return -1;
    if (!fgets(line, sizeof line, f) || strcmp(line, MARKER_MAGIC "\n") != 0)
        rc = -1;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        char *eq = strchr(line, '='), *nl = strchr(line, '\n');
        size_t k;

        if (!eq || !nl) {
            rc = -1;
            break;
        }
        *eq++ = '\0';
        *nl = '\0';
        for (k = 0; k < sizeof keys / sizeof keys[0]; k++)
            if (strcmp(line, keys[k]) == 0)
                break;
        if (k < sizeof keys / sizeof keys[0])
            rc = num(eq, dst[k]);
        else if (strcmp(line, "batch") == 0)
            snprintf(b->batch.code, sizeof b->batch.code, "%s", eq);
        else if (strcmp(line, "producer") == 0)
            snprintf(b->batch.producer, sizeof b->batch.producer, "%s", eq);
        else if (strcmp(line, "unit") == 0)
            rc = sample_add(&b->units, &b->n_units, eq);
        else if (strcmp(line, "batch_unit") == 0)
            rc = sample_add(&b->bunits, &b->n_bunits, eq);
    }
    fclose(f);
    if (rc != 0 || !b->batch.code[0] || !b->n_units || !b->n_bunits) {
        built_free(b);
        return -1;
    }
    b->batch.done = true;
    return 0;
}

/* ---- Building the store ------------------------------------------------- */

static int put_master(void *arg, int kind, const char *json)
{
    yima_store *st = arg;
    yima_error err;

    if (yima_store_master_put(st, (yima_store_kind)kind, json, strlen(json),
                              &err) != 0) {
        fprintf(stderr, "bench: master data %s: %s\n", json, err.msg);
        return -1;
    }
    return 0;
}

/* Store one chunk of NDJSON: all of it, no duplicates, no rejects. */
static int ingest_chunk(yima_store *st, const yima_buf *text)
{
    yima_ingest in = {.ndjson = true};
    yima_error err;
    int rc = yima_ingest_text(st, text->data, text->len, &in, &err);

    if (rc != 0 || in.duplicates || in.n_rejects) {
        fprintf(
            stderr, "bench: ingest: %s (%zu duplicates, %zu rejected%s%s)\n",
            rc ? err.msg : "", in.duplicates, in.n_rejects,
            in.n_rejects ? ": " : "", in.n_rejects ? in.rejects[0].msg : "");
        rc = -1;
    }
    yima_ingest_free(&in);
    return rc;
}

/* Samples of the batch's units: TC_SAMPLE spread over all of them. */
static int batch_samples(const tc_gen *g, built *b)
{
    char code[TC_ID_MAX];
    uint64_t units = b->batch.units;

    for (uint64_t i = 0; i < TC_SAMPLE && i < units; i++) {
        uint64_t k = units <= TC_SAMPLE ? i : i * units / TC_SAMPLE + i % 7;

        tc_batch_unit(g, k < units ? k : units - 1, code);
        if (sample_add(&b->bunits, &b->n_bunits, code) != 0)
            return -1;
    }
    return 0;
}

static void remove_store(const paths *p)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    char f[PATH_MAX + 16];

    unlink(p->marker);
    for (size_t k = 0; k < sizeof suffix / sizeof suffix[0]; k++) {
        snprintf(f, sizeof f, "%s%s", p->db, suffix[k]);
        unlink(f);
    }
}

static int build(const paths *p, uint64_t n, built *b)
{
    yima_store *st = NULL;
    yima_error err;
    yima_buf text;
    tc_gen *g = NULL;
    uint64_t done = 0, next_line = PROGRESS_EVENTS;
    double t_gen = 0;
    const char(*sample)[TC_ID_MAX];
    size_t n_sample;
    double t0 = bench_now();
    int rc = -1;

    fprintf(stderr,
            "bench: building a trace store of %llu events in %s "
            "(once; reused while %s says it is complete)\n",
            (unsigned long long)n, p->dir, p->marker);
    remove_store(p);
    yima_buf_init(&text, 256u << 20);
    if (!(g = tc_new(SEED, n))) {
        fprintf(stderr, "bench: out of memory\n");
        goto out;
    }
    if (yima_store_create(p->db, &err) != 0 ||
        yima_store_open(p->db, &st, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        goto out;
    }
    while (done < n) {
        uint64_t k = n - done < CHUNK_EVENTS ? n - done : CHUNK_EVENTS;

        double t1 = bench_now();

        yima_buf_reset(&text);
        for (uint64_t i = 0; i < k; i++)
            if (tc_next(g, &text) != 0) {
                fprintf(stderr, "bench: generating event %llu failed\n",
                        (unsigned long long)(done + i + 1));
                goto out;
            }
        t_gen += bench_now() - t1;
        if (ingest_chunk(st, &text) != 0)
            goto out;
        done += k;
        if (done >= next_line || done == n) {
            double t = bench_now() - t0;

            fprintf(stderr,
                    "bench: trace store %llu/%llu events, %.0f/s (%.0f s "
                    "generating), %.0f s left\n",
                    (unsigned long long)done, (unsigned long long)n,
                    (double)done / t, t_gen,
                    (double)(n - done) * t / (double)done);
            next_line += PROGRESS_EVENTS;
        }
    }
    b->batch = *tc_batch_get(g);
    if (!b->batch.done) {
        fprintf(stderr,
                "bench: the batch's flow did not end within %llu events\n",
                (unsigned long long)n);
        goto out;
    }
    if (yima_store_master_begin(st, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        goto out;
    }
    if (tc_master(g, put_master, st) != 0) {
        yima_store_master_rollback(st);
        goto out;
    }
    if (yima_store_master_commit(st, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        goto out;
    }
    yima_store_close(st); /* its last index flush */
    st = NULL;
    sample = tc_sample(g, &n_sample);
    for (size_t i = 0; i < n_sample; i++)
        if (sample_add(&b->units, &b->n_units, sample[i]) != 0)
            goto out;
    if (batch_samples(g, b) != 0)
        goto out;
    b->version = TC_VERSION;
    b->events = n;
    b->build_s = bench_now() - t0;
    rc = marker_write(p, b);
out:
    if (rc != 0)
        fprintf(stderr, "bench: building the trace store failed\n");
    yima_store_close(st);
    yima_buf_free(&text);
    tc_free(g);
    return rc;
}

/* ---- Timing ------------------------------------------------------------- */

typedef struct stats {
    double median_ms, p99_ms;
} stats;

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Median and 99th percentile (nearest rank) of n times in seconds. */
static stats summarize(double *t, size_t n)
{
    size_t r99 = (n * 99 + 99) / 100;

    qsort(t, n, sizeof *t, by_value);
    return (stats){(n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2) * 1e3,
                   t[r99 > 0 ? r99 - 1 : 0] * 1e3};
}

static int count_event(void *arg, uint64_t index, int64_t record_time_ms,
                       const char *json, size_t len)
{
    (void)index;
    (void)record_time_ms;
    (void)json;
    (void)len;
    (*(uint64_t *)arg)++;
    return 0;
}

/* One look-up of code: the events yima_store_events() gives. */
static int lookup(yima_store *st, const char *code, uint64_t *events)
{
    yima_error err;

    if (yima_store_events(st, code, count_event, events, &err) != 0) {
        fprintf(stderr, "bench: events of %s: %s\n", code, err.msg);
        return -1;
    }
    return 0;
}

/* Look up each sampled unit once (cold: the first touch of its pages),
 * then WARM_PASSES times more (warm). */
static int time_lookups(yima_store *st, const built *b, stats *cold,
                        stats *warm, double *events_each)
{
    static double tc[TC_SAMPLE], tw[TC_SAMPLE * WARM_PASSES];
    size_t n = b->n_units, k = 0;
    uint64_t events = 0;

    for (size_t pass = 0; pass <= WARM_PASSES; pass++)
        for (size_t i = 0; i < n; i++) {
            const char *code = b->units[i];
            uint64_t before = events;
            double t0 = bench_now(), t;

            if (lookup(st, code, &events) != 0)
                return -1;
            t = bench_now() - t0;
            if (events == before) {
                fprintf(stderr, "bench: no event names %s\n", code);
                return -1;
            }
            if (pass == 0)
                tc[i] = t;
            else
                tw[k++] = t;
        }
    *cold = summarize(tc, n);
    *warm = summarize(tw, k);
    *events_each = (double)events / (double)(n + k);
    return 0;
}

/* One trace into out; its time in *secs. */
static int trace(yima_store *st, const char *code, yima_trace_direction dir,
                 yima_buf *out, double *secs)
{
    yima_error err;
    double t0;

    yima_buf_reset(out);
    t0 = bench_now();
    if (yima_trace_json(st, code, dir, NULL, out, &err) != 0) {
        fprintf(stderr, "bench: %s trace of %s: %s\n",
                dir == YIMA_TRACE_FORWARD ? "forward" : "backward", code,
                err.msg);
        return -1;
    }
    *secs = bench_now() - t0;
    return 0;
}

/* Backward traces of BACKWARD_SAMPLES units of the batch: each once
 * (cold), then once again (warm). */
static int time_backward(yima_store *st, const built *b, yima_buf *out,
                         stats *cold, stats *warm)
{
    static double t[2][BACKWARD_SAMPLES];
    size_t n = b->n_bunits < BACKWARD_SAMPLES ? b->n_bunits : BACKWARD_SAMPLES;

    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            /* Spread over the sample, itself spread over the batch. */
            const char *code = b->bunits[i * b->n_bunits / n];

            if (trace(st, code, YIMA_TRACE_BACKWARD, out, &t[pass][i]) != 0)
                return -1;
            if (!strstr(out->data, "\"custody\"")) {
                fprintf(stderr,
                        "bench: backward trace of %s: no custody: %.200s\n",
                        code, out->data);
                return -1;
            }
        }
    *cold = summarize(t[0], n);
    *warm = summarize(t[1], n);
    return 0;
}

/* What a forward trace found. */
typedef struct found {
    size_t holders;
    uint64_t units_held, consumers, unaccounted;
} found;

static int forward_found(const yima_buf *out, found *f)
{
    json_error_t je;
    json_t *o = json_loadb(out->data, out->len, 0, &je), *h, *v;
    size_t i;

    if (!o || !json_is_array(h = json_object_get(o, "holders"))) {
        fprintf(stderr, "bench: forward trace: no holders list: %s\n",
                o ? "" : je.text);
        json_decref(o);
        return -1;
    }
    memset(f, 0, sizeof *f);
    f->holders = json_array_size(h);
    json_array_foreach(h, i, v)
    {
        f->units_held +=
            (uint64_t)json_number_value(json_object_get(v, "units"));
    }
    f->consumers =
        (uint64_t)json_integer_value(json_object_get(o, "consumers"));
    f->unaccounted =
        (uint64_t)json_integer_value(json_object_get(o, "unaccounted"));
    json_decref(o);
    return 0;
}

static int time_forward(yima_store *st, const built *b, yima_buf *out,
                        stats *res, double *first_ms, size_t *runs, found *f)
{
    static double t[FORWARD_MAX];
    double t0 = bench_now(), elapsed = 0;
    size_t n = 0;

    while (n < FORWARD_MAX && (n < FORWARD_MIN || elapsed < FORWARD_SECONDS) &&
           !(n >= 1 && elapsed >= 4 * FORWARD_SECONDS)) {
        found g;

        if (trace(st, b->batch.code, YIMA_TRACE_FORWARD, out, &t[n]) != 0 ||
            forward_found(out, &g) != 0)
            return -1;
        if (n == 0)
            *f = g;
        else if (g.holders != f->holders || g.consumers != f->consumers) {
            fprintf(stderr, "bench: forward trace %zu differs from the first\n",
                    n + 1);
            return -1;
        }
        fprintf(stderr, "bench: forward trace %zu: %.3f s, %zu holders\n",
                n + 1, t[n], g.holders);
        n++;
        elapsed = bench_now() - t0;
    }
    *runs = n;
    *first_ms = t[0] * 1e3;
    *res = summarize(t, n);
    return 0;
}

/* ---- The run ------------------------------------------------------------ */

static int open_store(const paths *p, uint64_t n, built *b, yima_store **st)
{
    yima_error err;
    uint64_t size = 0;

    if (marker_read(p, b) != 0 || b->version != TC_VERSION || b->events != n) {
        built_free(b);
        if (build(p, n, b) != 0)
            return -1;
    } else {
        fprintf(stderr, "bench: reusing the trace store in %s (%llu events)\n",
                p->dir, (unsigned long long)n);
    }
    if (yima_store_open(p->db, st, &err) != 0 ||
        yima_store_size(*st, &size, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return -1;
    }
    if (size != n) {
        fprintf(stderr,
                "bench: %s holds %llu events, expected %llu: remove %s to "
                "build it again\n",
                p->db, (unsigned long long)size, (unsigned long long)n,
                p->marker);
        return -1;
    }
    return 0;
}

/* Bring the custody state (yima/trace.h) up to the ledger before anything
 * else is timed: all of the store after a build, nothing on reuse. */
static int catch_up(yima_store *st)
{
    yima_error err;
    double t0 = bench_now();

    if (yima_trace_catch_up(st, &err) != 0) {
        fprintf(stderr, "bench: trace catch-up: %s\n", err.msg);
        return -1;
    }
    printf("bench trace_catch_up catch_up_s=%.3f\n", bench_now() - t0);
    return 0;
}

int main(void)
{
    static paths p;
    const char *dir = getenv("YIMA_BENCH_TRACE_DIR");
    built b = {0};
    yima_store *st = NULL;
    yima_buf out;
    stats look_cold, look, back_cold, back, fwd;
    found f = {0};
    size_t runs = 0;
    double events_each, first_ms;
    uint64_t n, need, queries, bytes;
    int rc = 1;

    yima_buf_init(&out, TRACE_OUT_MAX);
    if (bench_env_u64("YIMA_BENCH_TRACE_EVENTS", DEFAULT_EVENTS, 1000,
                      MAX_EVENTS, &n) != 0)
        goto out;
    snprintf(p.dir, sizeof p.dir, "%s", dir && *dir ? dir : DEFAULT_DIR);
    snprintf(p.db, sizeof p.db, "%s/store.db", p.dir);
    snprintf(p.marker, sizeof p.marker, "%s/complete", p.dir);
    if (make_dirs(p.dir) != 0 || open_store(&p, n, &b, &st) != 0)
        goto out;
    bytes = bench_db_bytes(p.db, NULL);
    need = b.batch.holders < HOLDERS_GOAL ? b.batch.holders : HOLDERS_GOAL;
    printf(
        "bench trace_data events=%llu store=%s bytes_per_event=%.0f "
        "build_s=%.0f batch=%s batch_events=%llu batch_units=%llu "
        "batch_cases=%llu pallets=%llu mixed_pallets=%llu "
        "holders_promised=%llu\n",
        (unsigned long long)n, b.build_s > 0 ? "built" : "reused",
        (double)bytes / (double)n, b.build_s, b.batch.code,
        (unsigned long long)b.batch.events, (unsigned long long)b.batch.units,
        (unsigned long long)b.batch.cases, (unsigned long long)b.batch.pallets,
        (unsigned long long)b.batch.mixed, (unsigned long long)b.batch.holders);
    fflush(stdout);
    if (catch_up(st) != 0 ||
        time_lookups(st, &b, &look_cold, &look, &events_each) != 0)
        goto out;
    printf("bench trace_lookup units=%zu events_per_lookup=%.1f "
           "cold_median_ms=%.3f cold_p99_ms=%.3f median_ms=%.3f "
           "p99_ms=%.3f\n",
           b.n_units, events_each, look_cold.median_ms, look_cold.p99_ms,
           look.median_ms, look.p99_ms);
    fflush(stdout);
    if (time_backward(st, &b, &out, &back_cold, &back) != 0)
        goto out;
    printf("bench trace_backward units=%zu cold_median_ms=%.3f "
           "cold_p99_ms=%.3f median_ms=%.3f p99_ms=%.3f ratio=%.1f\n",
           b.n_bunits < BACKWARD_SAMPLES ? b.n_bunits : BACKWARD_SAMPLES,
           back_cold.median_ms, back_cold.p99_ms, back.median_ms, back.p99_ms,
           back.median_ms / look.median_ms);
    fflush(stdout);
    if (time_forward(st, &b, &out, &fwd, &first_ms, &runs, &f) != 0)
        goto out;
    /* The batch's commissioning events, then each unit and container. */
    queries =
        1 + b.batch.units + b.batch.cases + b.batch.pallets + b.batch.mixed;
    printf("bench trace_forward holders=%zu required=%llu units_held=%llu "
           "consumers=%llu unaccounted=%llu runs=%zu first_ms=%.1f "
           "median_ms=%.1f p99_ms=%.1f ratio=%.0f %s\n",
           f.holders, (unsigned long long)need,
           (unsigned long long)f.units_held, (unsigned long long)f.consumers,
           (unsigned long long)f.unaccounted, runs, first_ms, fwd.median_ms,
           fwd.p99_ms, fwd.median_ms / look.median_ms,
           f.holders >= need ? "ok" : "MISSED");
    printf("bench trace_peer queries=%llu peer_estimate_ms=%.1f "
           "ratio_to_peer=%.4f peer_estimate_cold_ms=%.1f "
           "ratio_to_peer_cold=%.4f\n",
           (unsigned long long)queries, (double)queries * look.median_ms,
           fwd.median_ms / ((double)queries * look.median_ms),
           (double)queries * look_cold.median_ms,
           fwd.median_ms / ((double)queries * look_cold.median_ms));
    if (f.units_held + f.consumers + f.unaccounted != b.batch.units)
        fprintf(
            stderr,
            "bench: note: the forward trace accounts for %llu units of "
            "the batch's %llu\n",
            (unsigned long long)(f.units_held + f.consumers + f.unaccounted),
            (unsigned long long)b.batch.units);
    if (f.holders < need) {
        fprintf(stderr,
                "bench: the forward trace of %s found %zu holders, expected "
                "at least %llu\n",
                b.batch.code, f.holders, (unsigned long long)need);
        goto out;
    }
    rc = 0;
out:
    yima_store_close(st);
    yima_buf_free(&out);
    built_free(&b);
    return rc;
}
