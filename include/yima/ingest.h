/*
 * yima/ingest.h - taking in one input of events (an EPCIS 2.0 document or
 * NDJSON text) the way `yima import` and the server's capture do: read on
 * every core, stored and sealed in input order, all or nothing.
 *
 * NDJSON is cut at line boundaries into pieces of `batch` events; reader
 * threads take pieces in turn and read them (yima/epcis.h) while the calling
 * thread appends the pieces already read, in order, to the store - all in
 * one transaction (yima_store_batch_begin), committed once at the end. So
 * reading and storing overlap on a machine with two or more cores, and the
 * input is stored whole or not at all: a faulty event (without
 * YIMA_EPCIS_PROCEED) or a store failure anywhere leaves nothing of it.
 * An EPCIS document is read by one thread (it is one JSON text), then
 * stored the same way.
 *
 * Messages of rejected events are those of the sequential readers: "line
 * 7: epcList[1]: ..." (NDJSON, lines of the whole input) or "event 3: ...".
 */
#ifndef YIMA_INGEST_H
#define YIMA_INGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "yima/epcis.h"
#include "yima/store.h"

#define YIMA_INGEST_BATCH 1000 /* events per piece and per append */

/* An event that was not stored. */
typedef struct yima_ingest_reject {
    size_t index; /* its number in the input, from 1 */
    size_t line;  /* NDJSON: its line, from 1; documents: 0 */
    char *msg;    /* "line 7: epcList[1]: AI (01): ..." */
} yima_ingest_reject;

typedef struct yima_ingest {
    /* In. */
    int flags;     /* YIMA_EPCIS_PROCEED, YIMA_EPCIS_DUP_KEYS */
    bool ndjson;   /* NDJSON text, else an EPCIS document */
    int threads;   /* readers; 0: one per online core */
    /* Called once the input is durable, for every event stored or found a
     * duplicate, in input order. May be NULL. */
    void (*stored)(void *arg, const yima_event *ev,
                   const yima_store_result *res);
    /* Called now and then with events read and stored so far, and the
     * input's events (0 while unknown). May be NULL. */
    void (*progress)(void *arg, size_t done, size_t total);
    void *arg;

    /* Out (zeroed by yima_ingest_text). */
    size_t accepted, duplicates;
    yima_ingest_reject *rejects; /* in input order */
    size_t n_rejects;
} yima_ingest;

/*
 * Read and store the events of text (len bytes). Returns 0 when the input
 * was stored (with YIMA_EPCIS_PROCEED: its valid events; in->rejects lists
 * the others). Without it, a faulty event fails the call with YIMA_EINVAL
 * or YIMA_ETOOBIG and in->rejects holds that first fault; *err says the
 * same. The input as a whole being wrong (not JSON, too big, too many
 * events) fails either way, as does a store failure (YIMA_EIO, with *err
 * naming the event). Nothing is stored when the call fails.
 * Free in->rejects with yima_ingest_free().
 */
int yima_ingest_text(yima_store *st, const char *text, size_t len,
                     yima_ingest *in, yima_error *err);

/*
 * The same in two steps, so that the next input is read while this one is
 * stored and made durable: yima_ingest_start() cuts text and starts its
 * readers (which also pack the events and compute their index keys for st),
 * and returns at once (NULL only when out of memory); text and `in` must
 * stay valid until yima_ingest_finish() on the same st, which stores the
 * input (on the calling thread, with its transaction and commit), returns
 * what yima_ingest_text() would, and frees the job. Every started job must
 * be finished. An importer of many files starts file N+1, then finishes file
 * N: the commit of one and the first pieces of the next no longer leave
 * the cores idle.
 */
typedef struct yima_ingest_job yima_ingest_job;

yima_ingest_job *yima_ingest_start(yima_store *st, const char *text,
                                   size_t len, yima_ingest *in);
int yima_ingest_finish(yima_store *st, yima_ingest_job *job, yima_error *err);

/* Free what yima_ingest_text left in `in` (its rejects). */
void yima_ingest_free(yima_ingest *in);

#endif /* YIMA_INGEST_H */
