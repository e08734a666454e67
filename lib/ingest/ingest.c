/*
 * ingest.c - one input of events read on every core and stored in order,
 * all or nothing (see yima/ingest.h).
 *
 * The calling thread cuts NDJSON into pieces, starts the readers, and then
 * stores: it waits for piece 0, appends it, waits for piece 1, and so on,
 * while the readers run ahead. Pieces are read with YIMA_EPCIS_PROCEED
 * always, so a piece reports all its faults; without the flag the first
 * fault in input order ends the whole input. Readers also pack and seal
 * each event for the store (yima_store_pack, for the recordTime the input
 * was started at), so the storing thread, which sets the pace, only
 * inserts.
 *
 * Readers run at most AHEAD pieces ahead of the storing thread, and a piece
 * is freed once stored (unless the caller wants its events back after the
 * commit), so memory is bounded by the pieces in flight, not by the size of
 * the input; their arena blocks (lib/epcis/batch.c) and packing buffers
 * (kept here) are used again by the next pieces. Memory the process has not
 * touched before costs a page fault a page, several microseconds each on a
 * virtual machine: once a fifth of the CPU an event took.
 *
 * Readers run at a lower priority (READER_NICE) than the storing thread.
 * There are as many readers as cores, so at equal priority the storing
 * thread got a share of a core, fell behind, and readers stopped at AHEAD
 * while it caught up alone, a core idle (more so where one input ends and
 * the next one's readers are already AHEAD). Ahead of them, it stores as
 * soon as a piece is read and the readers take the rest of the machine.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "yima/ingest.h"

#define THREADS_MAX 16
#define READER_NICE 5 /* readers' nice value above the caller's */
/* Pieces read ahead of the one being stored: enough for the readers to go
 * on through a commit, few enough that what they hold is reused warm
 * (AHEAD_MAX: about 80 MB). A commit of a 20,000-event input writes 12 MB
 * of WAL and syncs it: 20-60 ms here, in which two readers read about ten
 * pieces; at 8 a reader (17 for two) they often ran out of room first. */
#define AHEAD_MAX 32
#define AHEAD(nth)                                                             \
    (16 * (size_t)(nth) + 1 < AHEAD_MAX ? 16 * (size_t)(nth) + 1 : AHEAD_MAX)
#define SPARE_BUFS 32 /* packing buffers kept for later pieces */
/* ... of at most SPARE_MAX bytes: a piece of YIMA_INGEST_BATCH events packs
 * to about half a megabyte, a whole document may pack to far more. */
#define SPARE_MAX (4u << 20)

/* A run of lines of the input, and what reading it gave. */
typedef struct piece {
    size_t off, len; /* in the text */
    size_t lines_before, events_before;
    yima_event_batch *b;
    yima_buf packs;         /* the packed forms of its events, */
    yima_store_packed *pk;  /* one per event (NULL: the store packs) */
    yima_store_result *res; /* one per event, once stored */
    int rc;
    yima_error err;
    bool read;
} piece;

typedef struct job {
    const char *text;
    piece *p;
    size_t n;
    int flags;
    bool ndjson;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next;   /* the next piece a reader takes */
    size_t stored; /* pieces stored: readers stay within AHEAD of it */
    size_t ahead;
    /* When it was started: the recordTime its events are sealed for.
     * Inputs are started in order, so their times do not go back (pieces
     * are not: the next input's are taken up while this one's are). */
    int64_t started_ms;
    bool stop;
} job;

/* Packing buffers of stored pieces, kept warm for the next ones (one that
 * grew past SPARE_MAX is freed, not kept for the life of the process). */
static pthread_mutex_t spare_mu = PTHREAD_MUTEX_INITIALIZER;
static yima_buf spare[SPARE_BUFS];
static size_t n_spare;

static void buf_take(yima_buf *b)
{
    pthread_mutex_lock(&spare_mu);
    if (n_spare > 0)
        *b = spare[--n_spare];
    else
        yima_buf_init(b, SIZE_MAX);
    pthread_mutex_unlock(&spare_mu);
    yima_buf_reset(b);
}

static void buf_give(yima_buf *b)
{
    pthread_mutex_lock(&spare_mu);
    if (b->data && !b->failed && b->size <= SPARE_MAX &&
        n_spare < SPARE_BUFS) {
        spare[n_spare++] = *b;
        yima_buf_init(b, SIZE_MAX);
    }
    pthread_mutex_unlock(&spare_mu);
    yima_buf_free(b);
}

/* Free what reading piece p made (its results stay). */
static void piece_release(piece *p)
{
    yima_event_batch_free(p->b);
    p->b = NULL;
    buf_give(&p->packs);
    free(p->pk);
    p->pk = NULL;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/* Cut NDJSON into pieces of YIMA_INGEST_BATCH events; sets *events. */
static int cut(const char *text, size_t len, piece **out, size_t *n,
               size_t *events)
{
    size_t pos = 0, lines = 0, count = 0, alloc = 0, in_piece = 0;
    piece *p = NULL;

    *n = 0;
    while (pos < len) {
        const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
        size_t k = nl ? (size_t)(nl - s) : len - pos;

        if (in_piece == 0 && !blank(s, k)) {
            if (*n == alloc) {
                size_t a = alloc ? alloc * 2 : 16;
                piece *q = realloc(p, a * sizeof *q);

                if (!q) {
                    free(p);
                    return YIMA_ENOMEM;
                }
                p = q;
                alloc = a;
            }
            p[*n] = (piece){
                .off = pos, .lines_before = lines, .events_before = count};
            (*n)++;
        }
        pos += k + (nl != NULL);
        lines++;
        if (!blank(s, k)) {
            count++;
            if (++in_piece == YIMA_INGEST_BATCH) {
                p[*n - 1].len = pos - p[*n - 1].off;
                in_piece = 0;
            }
        }
    }
    if (in_piece)
        p[*n - 1].len = len - p[*n - 1].off;
    *out = p;
    *events = count;
    return 0;
}

/* Now, in milliseconds since the epoch. */
static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read piece p, and pack its events with pk (may be NULL: not packed),
 * sealed for the time the input was started. */
static void read_piece(job *j, piece *p, yima_packer *pk)
{
    int flags = j->flags | YIMA_EPCIS_PROCEED;
    size_t n;

    p->rc = j->ndjson ? yima_epcis_read_ndjson(j->text + p->off, p->len, flags,
                                               &p->b, &p->err)
                      : yima_epcis_read(j->text + p->off, p->len, flags, &p->b,
                                        &p->err);
    n = yima_event_batch_count(p->b);
    if (p->rc != 0 || !pk || n == 0 || !(p->pk = malloc(n * sizeof *p->pk)))
        return;
    buf_take(&p->packs);
    yima_packer_seal(pk, j->started_ms);
    /* The events are consecutive in the batch. */
    if (yima_store_pack(pk, yima_event_batch_get(p->b, 0), n, &p->packs,
                        p->pk) != 0) {
        free(p->pk); /* the store packs them, then */
        p->pk = NULL;
    }
}

/* A reader thread: the job, and the packer it packs with (its own). */
typedef struct reader_arg {
    job *j;
    yima_packer *pk;
} reader_arg;

static void *reader(void *arg)
{
    job *j = ((reader_arg *)arg)->j;
    yima_packer *pk = ((reader_arg *)arg)->pk;
    id_t self = (id_t)gettid();
    int nice;

    /* Raising one's own nice value needs no privilege; failing to, the
     * reader just runs at the caller's priority. */
    errno = 0;
    if ((nice = getpriority(PRIO_PROCESS, self)) != -1 || errno == 0)
        (void)setpriority(PRIO_PROCESS, self, nice + READER_NICE);
    pthread_mutex_lock(&j->mu);
    while (!j->stop && j->next < j->n) {
        piece *p;

        if (j->next >= j->stored + j->ahead) { /* far enough ahead */
            pthread_cond_wait(&j->cv, &j->mu);
            continue;
        }
        p = &j->p[j->next++];
        pthread_mutex_unlock(&j->mu);
        read_piece(j, p, pk);
        pthread_mutex_lock(&j->mu);
        p->read = true;
        pthread_cond_broadcast(&j->cv);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

static int add_reject(yima_ingest *in, size_t index, size_t line,
                      const char *msg)
{
    yima_ingest_reject *r;

    r = realloc(in->rejects, (in->n_rejects + 1) * sizeof *r);
    if (!r)
        return YIMA_ENOMEM;
    in->rejects = r;
    r += in->n_rejects;
    if (!(r->msg = strdup(msg)))
        return YIMA_ENOMEM;
    r->index = index;
    r->line = line;
    in->n_rejects++;
    return 0;
}

/* Record piece p's faults with their numbers in the whole input; the
 * first one fails the input unless YIMA_EPCIS_PROCEED. */
static int faults(yima_ingest *in, const piece *p, bool ndjson, yima_error *err)
{
    const yima_epcis_reject *r;
    size_t n = yima_event_batch_rejects(p->b, &r);
    char msg[YIMA_ERROR_MSG_MAX * 2];

    for (size_t i = 0; i < n; i++) {
        size_t line = ndjson ? r[i].line + p->lines_before : 0;

        /* The same words as the sequential reader, renumbered. */
        if (ndjson)
            snprintf(msg, sizeof msg, "line %zu: %s%s%s", line, r[i].field,
                     r[i].field[0] ? ": " : "", r[i].reason);
        else
            snprintf(msg, sizeof msg, "%s", r[i].msg);
        if (add_reject(in, r[i].index + p->events_before, line, msg) != 0)
            return yima_error_set(err, YIMA_ENOMEM, 0, "out of memory");
        if (!(in->flags & YIMA_EPCIS_PROCEED))
            return yima_error_set(err, r[i].code, 0, "%s", msg);
    }
    return 0;
}

/* Append piece p's events in slices of YIMA_INGEST_BATCH. */
static int store_piece(yima_store *st, yima_ingest *in, piece *p,
                       yima_event *ev, yima_error *err)
{
    size_t n = yima_event_batch_count(p->b);
    int rc;

    if (n && !(p->res = calloc(n, sizeof *p->res)))
        return yima_error_set(err, YIMA_ENOMEM, 0, "out of memory");
    for (size_t at = 0; at < n; at += YIMA_INGEST_BATCH) {
        size_t k = n - at < YIMA_INGEST_BATCH ? n - at : YIMA_INGEST_BATCH;

        for (size_t i = 0; i < k; i++)
            ev[i] = *yima_event_batch_get(p->b, at + i);
        if ((rc = yima_store_append_packed(st, ev, p->pk ? p->pk + at : NULL, k,
                                           p->res + at, err)) != 0)
            return rc;
        for (size_t i = 0; i < k; i++)
            if (p->res[at + i].status == YIMA_STORE_ADDED)
                in->accepted++;
            else
                in->duplicates++;
    }
    return 0;
}

static int threads_wanted(const yima_ingest *in, size_t pieces)
{
    long n = in->threads > 0 ? in->threads : sysconf(_SC_NPROCESSORS_ONLN);

    if (n < 1)
        n = 1;
    if (n > THREADS_MAX)
        n = THREADS_MAX;
    if ((size_t)n > pieces)
        n = (long)pieces;
    return (int)n;
}

/* An input being read: what yima_ingest_start() began. */
struct yima_ingest_job {
    job j;
    yima_store *st;
    pthread_t th[THREADS_MAX];
    reader_arg arg[THREADS_MAX];
    int nth;
    size_t events; /* in the input, 0 while unknown */
    yima_ingest *in;
    int rc; /* the input as a whole could not be started: */
    yima_error err;
};

/* Stop the readers and free what the job holds. */
static void job_free(yima_ingest_job *jb)
{
    job *j = &jb->j;

    if (jb->nth || j->p) {
        pthread_mutex_lock(&j->mu);
        j->stop = true;
        pthread_cond_broadcast(&j->cv); /* readers waiting for room */
        pthread_mutex_unlock(&j->mu);
    }
    for (int t = 0; t < jb->nth; t++)
        pthread_join(jb->th[t], NULL);
    for (int t = 0; t < THREADS_MAX; t++)
        yima_packer_free(jb->arg[t].pk);
    for (size_t i = 0; i < j->n; i++) {
        piece_release(&j->p[i]);
        free(j->p[i].res);
    }
    if (j->p) {
        pthread_cond_destroy(&j->cv);
        pthread_mutex_destroy(&j->mu);
    }
    free(j->p);
    free(jb);
}

yima_ingest_job *yima_ingest_start(yima_store *st, const char *text, size_t len,
                                   yima_ingest *in)
{
    yima_ingest_job *jb = calloc(1, sizeof *jb);
    job *j;

    assert((text || len == 0) && in);
    in->accepted = in->duplicates = in->n_rejects = 0;
    in->rejects = NULL;
    if (!jb)
        return NULL;
    jb->st = st;
    jb->in = in;
    j = &jb->j;
    *j = (job){.text = text,
               .flags = in->flags,
               .ndjson = in->ndjson,
               .started_ms = now_ms()};
    yima_error_clear(&jb->err);
    if (len > YIMA_EPCIS_DOC_MAX) {
        jb->rc = yima_error_set(&jb->err, YIMA_ETOOBIG, 0,
                                "input is %zu bytes, the limit is %u", len,
                                YIMA_EPCIS_DOC_MAX);
        return jb;
    }
    if (in->ndjson) {
        if (cut(text, len, &j->p, &j->n, &jb->events) != 0) {
            jb->rc = yima_error_set(&jb->err, YIMA_ENOMEM, 0, "out of memory");
            return jb;
        }
        if (jb->events > YIMA_EPCIS_EVENTS_MAX) {
            jb->rc = yima_error_set(&jb->err, YIMA_ETOOBIG, 0,
                                    "%zu events, the limit is %d per input",
                                    jb->events, YIMA_EPCIS_EVENTS_MAX);
            free(j->p);
            j->p = NULL;
            j->n = 0;
            return jb;
        }
    } else if ((j->p = calloc(1, sizeof *j->p)) != NULL) {
        j->p->len = len;
        j->n = 1;
    } else {
        jb->rc = yima_error_set(&jb->err, YIMA_ENOMEM, 0, "out of memory");
        return jb;
    }
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    j->ahead = AHEAD(threads_wanted(in, j->n));
    for (int want = threads_wanted(in, j->n); jb->nth < want; jb->nth++) {
        /* Made here, where st may be used: a packer without keys (out of
         * memory) leaves the keys to the store, none leaves it all. */
        jb->arg[jb->nth] = (reader_arg){j, yima_store_packer(st)};
        if (pthread_create(&jb->th[jb->nth], NULL, reader, &jb->arg[jb->nth]) !=
            0)
            break;
    }
    return jb;
}

int yima_ingest_finish(yima_store *st, yima_ingest_job *jb, yima_error *err)
{
    yima_ingest *in;
    yima_event *ev = NULL;
    size_t done = 0;
    bool tx = false;
    job *j;
    int rc;

    yima_error_clear(err);
    if (!jb)
        return yima_error_set(err, YIMA_ENOMEM, 0, "out of memory");
    assert(st && st == jb->st);
    in = jb->in;
    j = &jb->j;
    if (jb->rc != 0) {
        *err = jb->err;
        rc = jb->rc;
        job_free(jb);
        return rc;
    }
    if (!(ev = calloc(YIMA_INGEST_BATCH, sizeof *ev))) {
        job_free(jb);
        return yima_error_set(err, YIMA_ENOMEM, 0, "out of memory");
    }

    /* The write lock is taken once the first piece is read, not while the
     * readers start (at a lower priority, under load, that can be long
     * for other writers waiting). */
    if (jb->nth > 0 && j->n > 0) {
        pthread_mutex_lock(&j->mu);
        while (!j->p[0].read)
            pthread_cond_wait(&j->cv, &j->mu);
        pthread_mutex_unlock(&j->mu);
    }
    rc = yima_store_batch_begin(st, err);
    tx = rc == 0;
    for (size_t i = 0; rc == 0 && i < j->n; i++) {
        piece *p = &j->p[i];

        if (jb->nth == 0) { /* no thread at all: read it here */
            j->next++;
            read_piece(j, p, NULL);
            p->read = true;
        }
        pthread_mutex_lock(&j->mu);
        while (!p->read)
            pthread_cond_wait(&j->cv, &j->mu);
        pthread_mutex_unlock(&j->mu);
        if (p->rc != 0) { /* the input as a whole is wrong */
            *err = p->err;
            rc = p->rc;
            break;
        }
        if ((rc = faults(in, p, in->ndjson, err)) != 0 ||
            (rc = store_piece(st, in, p, ev, err)) != 0)
            break;
        done += yima_event_batch_count(p->b);
        if (!in->stored) /* nothing needs its events after the commit */
            piece_release(p);
        pthread_mutex_lock(&j->mu);
        j->stored = i + 1;
        pthread_cond_broadcast(&j->cv);
        pthread_mutex_unlock(&j->mu);
        if (in->progress)
            in->progress(in->arg, done, jb->events);
    }
    if (rc == 0 && (rc = yima_store_batch_commit(st, err)) == 0) {
        tx = false;
        for (size_t i = 0; in->stored && i < j->n; i++)
            for (size_t k = 0; k < yima_event_batch_count(j->p[i].b); k++)
                in->stored(in->arg, yima_event_batch_get(j->p[i].b, k),
                           &j->p[i].res[k]);
    }
    if (tx)
        yima_store_batch_rollback(st);
    if (rc != 0)
        in->accepted = in->duplicates = 0;
    job_free(jb);
    free(ev);
    return rc;
}

int yima_ingest_text(yima_store *st, const char *text, size_t len,
                     yima_ingest *in, yima_error *err)
{
    assert(st && (text || len == 0) && in);
    return yima_ingest_finish(st, yima_ingest_start(st, text, len, in), err);
}

void yima_ingest_free(yima_ingest *in)
{
    for (size_t i = 0; in && i < in->n_rejects; i++)
        free(in->rejects[i].msg);
    if (in) {
        free(in->rejects);
        in->rejects = NULL;
        in->n_rejects = 0;
    }
}
