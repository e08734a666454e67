/*
 * store.c - the public store API over a backend (store_int.h): opening and
 * closing, the group-commit append (duplicates, record times, sealing, leaf
 * hashes, the ledger append, all in one transaction), queries, entries,
 * checkpoints and settings.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yima/code.h"
#include "yima/epcis.h"
#include "store_int.h"

/* ---- The ledger's hash store: the backend, write-guarded ---------------- */

static int lg_size(void *ctx, uint64_t *size)
{
    yima_store *st = ctx;

    return st->ops->size(st->be, size);
}

static int lg_read(void *ctx, const uint64_t *index, size_t n,
                   uint8_t (*out)[YIMA_LEDGER_HASH_LEN])
{
    yima_store *st = ctx;

    return st->ops->read(st->be, index, n, out);
}

static int lg_append(void *ctx, uint64_t old_size, uint64_t new_size,
                     uint64_t first,
                     const uint8_t (*hash)[YIMA_LEDGER_HASH_LEN], size_t n)
{
    yima_store *st = ctx;

    if (!st->appending) /* only yima_store_append may grow the tree */
        return YIMA_EUSAGE;
    return st->ops->append(st->be, old_size, new_size, first, hash, n);
}

/* ---- Opening ------------------------------------------------------------ */

int yima_store_create(const char *path, yima_error *err)
{
    assert(path);
    yima_error_clear(err);
    return sq_create(path, err);
}

int yima_store_open(const char *path, yima_store **out, yima_error *err)
{
    yima_ledger_store ls;
    yima_store *st;
    int rc;

    assert(path && out);
    yima_error_clear(err);
    *out = NULL;
    st = calloc(1, sizeof *st);
    if (!st)
        return yima_error_set(err, YIMA_ENOMEM, 0, "store: out of memory");
    st->ops = &sq_ops;
    yima_buf_init(&st->entry, YIMA_STORE_ENTRY_MAX);
    if ((rc = sq_open(path, &st->be, err)) != 0)
        goto out;
    ls.ctx = st;
    ls.size = lg_size;
    ls.read = lg_read;
    ls.append = lg_append;
    if ((rc = yima_ledger_open(&ls, &st->ledger)) != 0 ||
        !(st->md = EVP_MD_CTX_new()) ||
        !(st->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL))) {
        rc = yima_error_set(err, YIMA_ENOMEM, 0, "store: out of memory");
        goto out;
    }
    *out = st;
    st = NULL;
out:
    yima_store_close(st);
    return rc;
}

void yima_store_close(yima_store *st)
{
    if (!st)
        return;
    yima_ledger_close(st->ledger);
    if (st->be)
        st->ops->close(st->be);
    EVP_MD_CTX_free(st->md);
    EVP_MD_free(st->sha256);
    yima_buf_free(&st->entry);
    free(st->leaf);
    free(st->hash);
    free(st->slot);
    free(st);
}

yima_ledger *yima_store_ledger(yima_store *st)
{
    assert(st);
    return st->ledger;
}

int yima_store_version(yima_store *st, uint64_t *version, yima_error *err)
{
    assert(st && version);
    return st->ops->version(st->be, version, err);
}

int yima_store_size(yima_store *st, uint64_t *size, yima_error *err)
{
    int rc;

    assert(st && size);
    if ((rc = st->ops->size(st->be, size)) != 0)
        return yima_error_set(err, rc, 0, "store: ledger size: %s",
                              yima_strerror(rc));
    return 0;
}

/* ---- Appending ---------------------------------------------------------- */

/* Check what the schema cannot, before any work is done; set hash (from
 * the hash ID, or from pk when it was sealed ahead, which parsed it). */
static int check_event(const yima_event *ev, const yima_store_packed *pk,
                       size_t i, uint8_t hash[YIMA_LEDGER_HASH_LEN],
                       yima_error *err)
{
    const char *why = NULL;

    assert(ev->json && ev->event_id && (ev->codes || ev->n_codes == 0));
    if (ev->type < YIMA_EVENT_OBJECT || ev->type > YIMA_EVENT_ASSOCIATION)
        why = "unknown event type";
    else if (pk && pk->record_time_ms)
        /* Sealed ahead: yima_packer_seal() parsed the hash ID and checked
         * the length when it sealed (it seals nothing it would refuse). */
        memcpy(hash, pk->hash, YIMA_LEDGER_HASH_LEN);
    else if (!memchr(ev->hash_id, '\0', sizeof ev->hash_id) ||
             store_hash_id_parse(ev->hash_id, hash) != 0)
        why = "hash ID is not a CBV 2.0 hash ID (ni:///sha-256;...)";
    else if (ev->json_len > YIMA_EVENT_JSON_MAX)
        return yima_error_set(err, YIMA_ETOOBIG, 0,
                              "store: event %zu of the batch (%.80s): "
                              "canonical JSON is %zu bytes, over %d",
                              i + 1, ev->event_id, ev->json_len,
                              YIMA_EVENT_JSON_MAX);
    for (size_t k = 0; !why && k < ev->n_codes; k++)
        if (!ev->codes[k].code || !ev->codes[k].code[0])
            why = "an empty code";
        else if (ev->codes[k].role < YIMA_ROLE_EPC ||
                 ev->codes[k].role > YIMA_ROLE_BATCH)
            why = "a code with an unknown role";
    if (why)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "store: event %zu of the batch (%.80s): %s",
                              i + 1, ev->event_id, why);
    return 0;
}

/* Prefix err's message with the event that caused it. */
static void blame(yima_error *err, size_t i, const yima_event *ev)
{
    char msg[YIMA_ERROR_MSG_MAX];
    const char *m;

    if (!err)
        return;
    m = err->msg;
    if (strncmp(m, "store: ", 7) == 0)
        m += 7;
    snprintf(msg, sizeof msg, "%s", m);
    yima_error_set(err, err->code, 0,
                   "store: event %zu of the batch (%.80s): %s", i + 1,
                   ev->event_id, msg);
}

/* Make room for a batch of n in the handle's arrays. */
static int reserve(yima_store *st, size_t n)
{
    void *p;

    if (n <= st->alloc)
        return 0;
    if (n > SIZE_MAX / sizeof *st->hash)
        return YIMA_ENOMEM;
    if (!(p = realloc(st->leaf, n * sizeof *st->leaf)))
        return YIMA_ENOMEM;
    st->leaf = p;
    if (!(p = realloc(st->hash, n * sizeof *st->hash)))
        return YIMA_ENOMEM;
    st->hash = p;
    st->alloc = n;
    return 0;
}

/* Duplicates within the batch: each hash's `first` is the position of its
 * first occurrence, found through an open-addressed table of positions
 * keyed by the hash's first and last bytes. A sort by hash did this
 * before, and was a fifth of the storing thread's own work. */
static int mark_firsts(yima_store *st, size_t n)
{
    size_t size = 64, mask;

    while (size < 2 * n)
        size *= 2;
    if (size > st->slot_alloc) {
        uint32_t *p = realloc(st->slot, size * sizeof *p);

        if (!p)
            return YIMA_ENOMEM;
        st->slot = p;
        st->slot_alloc = size;
    }
    mask = size - 1;
    memset(st->slot, 0, size * sizeof *st->slot);
    for (size_t i = 0; i < n; i++) {
        store_hash *h = &st->hash[i];
        uint64_t k, tail;
        size_t j;

        memcpy(&k, h->hash, sizeof k);
        memcpy(&tail, h->hash + sizeof h->hash - sizeof tail, sizeof tail);
        k ^= tail; /* both ends: any hash, not only SHA-256's, spreads */
        h->first = i;
        for (j = (size_t)k & mask; st->slot[j]; j = (j + 1) & mask) {
            const store_hash *o = &st->hash[st->slot[j] - 1];

            if (memcmp(o->hash, h->hash, sizeof h->hash) == 0) {
                h->first = o->first;
                break;
            }
        }
        if (!st->slot[j])
            st->slot[j] = (uint32_t)(i + 1);
    }
    return 0;
}

int yima_store_append(yima_store *st, const yima_event *ev, size_t n,
                      yima_store_result *results, yima_error *err)
{
    return yima_store_append_packed(st, ev, NULL, n, results, err);
}

/* The recordTime every event of the batch was sealed for ahead, if they
 * all were for one and it is not before `last`; else 0. */
static int64_t sealed_at(const yima_store_packed *packed, size_t n,
                         int64_t last)
{
    if (!packed || packed[0].record_time_ms < last ||
        packed[0].record_time_ms <= 0)
        return 0;
    for (size_t i = 1; i < n; i++)
        if (packed[i].record_time_ms != packed[0].record_time_ms)
            return 0;
    return packed[0].record_time_ms;
}

int yima_store_append_packed(yima_store *st, const yima_event *ev,
                             const yima_store_packed *packed, size_t n,
                             yima_store_result *results, yima_error *err)
{
    uint64_t size, first, added = 0;
    bool in_tx = false;
    int64_t now, last, sealed;
    size_t i = 0;
    int rc;

    assert(st && (ev || n == 0));
    yima_error_clear(err);
    if (n == 0)
        return 0;
    if (reserve(st, n) != 0)
        return yima_error_set(err, YIMA_ENOMEM, 0,
                              "store: out of memory for %zu events", n);
    for (i = 0; i < n; i++) {
        if ((rc = check_event(&ev[i], packed ? &packed[i] : NULL, i,
                              st->hash[i].hash, err)) != 0)
            return rc;
        st->hash[i].event_time_ms = ev[i].event_time_ms;
    }
    if (n > UINT32_MAX - 1 || mark_firsts(st, n) != 0)
        return yima_error_set(err, YIMA_ENOMEM, 0,
                              "store: out of memory for %zu events", n);

    /* In a batch (yima_store_batch_begin) its transaction is the one. */
    if (!st->batch) {
        if ((rc = st->ops->begin(st->be, err)) != 0)
            return rc;
        in_tx = true;
    }
    if ((rc = st->ops->size(st->be, &size)) != 0) {
        yima_error_set(err, rc, 0, "store: ledger size: %s", yima_strerror(rc));
        goto out;
    }
    if ((rc = st->ops->last_record_time(st->be, &last, err)) != 0)
        goto out;
    /* Duplicates of stored events. */
    if ((rc = st->ops->find(st->be, st->hash, n, err)) != 0)
        goto out;
    /* One recordTime for the batch, never before the last one stored: the
     * one it was sealed for ahead, if it was, else the clock's. */
    now = store_now_ms();
    if (now < last)
        now = last;
    if ((sealed = sealed_at(packed, n, last)) != 0)
        now = sealed;

    for (i = 0; i < n; i++) {
        store_hash *h = &st->hash[i];
        store_row row = {.ev = &ev[i],
                         .hash = h->hash,
                         .index = size + added,
                         .pos = i,
                         .record_time_ms = now,
                         .recorder = st->recorder[0] ? st->recorder : NULL,
                         .packed = packed ? &packed[i] : NULL};

        if (h->stored || h->first != i) {
            const store_hash *d = h->stored ? h : &st->hash[h->first];

            if (results)
                results[i] = (yima_store_result){YIMA_STORE_DUPLICATE, d->index,
                                                 d->record_time_ms};
            continue;
        }
        for (size_t k = 0; k < ev[i].n_codes; k++) {
            if (ev[i].codes[k].role == YIMA_ROLE_CHILD)
                row.children++;
            else if (ev[i].codes[k].role == YIMA_ROLE_PARENT && !row.parent)
                row.parent = ev[i].codes[k].code;
        }
        if ((rc = st->ops->put_event(st->be, &row, err)) != 0) {
            blame(err, i, &ev[i]);
            goto out;
        }
        if (sealed) {
            memcpy(st->leaf[added], packed[i].leaf, YIMA_LEDGER_HASH_LEN);
        } else if ((rc = store_entry_build(&st->entry, &ev[i], now)) != 0 ||
                   (rc = store_leaf_hash(st->md, st->sha256, st->entry.data,
                                         st->entry.len, NULL, 0,
                                         st->leaf[added])) !=
                       0) {
            yima_error_set(err, rc, 0, "store: cannot seal: %s",
                           yima_strerror(rc));
            blame(err, i, &ev[i]);
            goto out;
        }
        h->index = row.index; /* for later duplicates in the batch */
        h->record_time_ms = now;
        if (results)
            results[i] = (yima_store_result){YIMA_STORE_ADDED, row.index, now};
        added++;
    }

    st->appending = true;
    rc = yima_ledger_append_leaf_hashes(
        st->ledger, (const uint8_t(*)[YIMA_LEDGER_HASH_LEN])st->leaf,
        (size_t)added, &first);
    st->appending = false;
    if (rc != 0 || first != size) {
        if (rc == 0)
            rc = YIMA_EIO;
        yima_error_set(err, rc, 0, "store: ledger append: %s",
                       st->ops->reason(st->be)[0] ? st->ops->reason(st->be)
                                                  : yima_strerror(rc));
        goto out;
    }
    if (in_tx && (rc = st->ops->commit(st->be, err)) != 0)
        goto out;
    in_tx = false;
out:
    if (in_tx)
        st->ops->rollback(st->be);
    return rc;
}

int yima_store_batch_begin(yima_store *st, yima_error *err)
{
    int rc;

    assert(st && !st->batch);
    yima_error_clear(err);
    if ((rc = st->ops->begin(st->be, err)) == 0)
        st->batch = true;
    return rc;
}

int yima_store_batch_commit(yima_store *st, yima_error *err)
{
    assert(st && st->batch);
    yima_error_clear(err);
    st->batch = false;
    return st->ops->commit(st->be, err);
}

void yima_store_batch_rollback(yima_store *st)
{
    assert(st);
    if (st->batch)
        st->ops->rollback(st->be);
    st->batch = false;
}

/* ---- Reading ------------------------------------------------------------ */

typedef struct query {
    yima_store_event_fn fn;
    void *arg;
    yima_error *err;
} query;

static int query_row(void *arg, uint64_t index, int64_t record_time,
                     const void *entry, size_t len)
{
    query *q = arg;
    const char *json;
    size_t json_len;

    if (yima_store_entry_parse(entry, len, NULL, &json, &json_len) != 0)
        return yima_error_set(q->err, YIMA_EIO, 0,
                              "store: entry %llu is not a sealed event "
                              "entry",
                              (unsigned long long)index);
    return q->fn(q->arg, index, record_time, json, json_len);
}

int yima_store_events(yima_store *st, const char *code, yima_store_event_fn fn,
                      void *arg, yima_error *err)
{
    query q = {fn, arg, err};
    yima_code *c = NULL;
    int rc;

    assert(st && fn);
    yima_error_clear(err);
    /* Any form of a known code finds its canonical form in the index;
     * other identifiers are indexed as given. */
    if (code && (c = malloc(sizeof *c)) &&
        yima_code_parse(code, strlen(code), NULL, c, NULL) == 0)
        code = c->canonical;
    rc = st->ops->events(st->be, code, query_row, &q, err);
    free(c);
    return rc;
}

void yima_query_init(yima_query *q)
{
    memset(q, 0, sizeof *q);
    q->ge_event_time = q->ge_record_time = INT64_MIN;
    q->lt_event_time = q->lt_record_time = INT64_MAX;
}

int yima_store_query(yima_store *st, const yima_query *q,
                     yima_store_event_fn fn, void *arg, uint64_t *next,
                     yima_error *err)
{
    query cb = {fn, arg, err};
    yima_query canon = *q;
    const char **v = NULL;
    yima_code *c = NULL;
    size_t total = 0, at = 0;
    int rc = 0;

    assert(st && q && fn && q->n_codes <= YIMA_QUERY_CODES_MAX);
    yima_error_clear(err);
    /* Every code value in its canonical form, as the index holds it. */
    for (size_t k = 0; k < q->n_codes; k++)
        total += q->codes[k].codes.n;
    if (total &&
        (!(v = calloc(total, sizeof *v)) || !(c = malloc(sizeof *c)))) {
        free(v);
        return yima_error_set(err, YIMA_ENOMEM, 0,
                              "store: out of memory in a query");
    }
    for (size_t k = 0; rc == 0 && k < q->n_codes; k++) {
        canon.codes[k].codes.v = v + at;
        for (size_t i = 0; rc == 0 && i < q->codes[k].codes.n; i++) {
            const char *s = q->codes[k].codes.v[i];
            yima_error ce;

            int known = yima_epcis_code(s, strlen(s), c, &ce);

            if (known == 1)
                v[at] = strdup(c->canonical);
            else if (known < 0)
                rc = yima_error_set(err, YIMA_EINVAL, ce.pos, "%.200s: %s", s,
                                    ce.msg);
            else
                v[at] = strdup(s); /* another URI, indexed as given */
            if (rc == 0 && !v[at++])
                rc = yima_error_set(err, YIMA_ENOMEM, 0,
                                    "store: out of memory in a query");
        }
    }
    if (rc == 0)
        rc = st->ops->query(st->be, &canon, query_row, &cb, next, err);
    for (size_t i = 0; i < total && v; i++)
        free((char *)v[i]);
    free(v);
    free(c);
    return rc;
}

int yima_store_event_by_id(yima_store *st, const char *id,
                           yima_store_event_fn fn, void *arg, yima_error *err)
{
    query cb = {fn, arg, err};

    assert(st && id && fn);
    yima_error_clear(err);
    return st->ops->by_id(st->be, id, query_row, &cb, err);
}

int yima_store_entry(yima_store *st, uint64_t index, yima_buf *out,
                     yima_error *err)
{
    assert(st && out);
    yima_error_clear(err);
    return st->ops->entry(st->be, index, out, err);
}

int yima_store_entry_fn(void *ctx, uint64_t index, yima_buf *out)
{
    yima_store *st = ctx;

    return st->ops->entry(st->be, index, out, NULL);
}

/* ---- Checkpoints and settings ------------------------------------------- */

int yima_store_checkpoint_put(yima_store *st, const char *note, size_t len,
                              yima_error *err)
{
    uint64_t size;
    int rc;

    assert(st && (note || len == 0));
    yima_error_clear(err);
    if ((rc = store_checkpoint_check(st->ledger, note, len, &size, err)) != 0)
        return rc;
    return st->ops->checkpoint_put(st->be, size, note, len, err);
}

typedef struct latest {
    uint64_t size;
    yima_buf *out;
    int rc;
} latest;

static int latest_row(void *arg, uint64_t size, const char *note, size_t len)
{
    latest *l = arg;

    l->size = size;
    l->rc = yima_buf_add(l->out, note, len);
    return 1; /* the first row is the largest size: stop */
}

int yima_store_checkpoint_latest(yima_store *st, uint64_t *size, yima_buf *note,
                                 yima_error *err)
{
    latest l = {0, note, YIMA_ENOTFOUND};
    int rc;

    assert(st && note);
    yima_error_clear(err);
    rc = st->ops->checkpoints(st->be, latest_row, &l, err);
    if (rc < 0)
        return rc;
    if (l.rc == YIMA_ENOTFOUND)
        return yima_error_set(err, l.rc, 0, "store: no checkpoint yet");
    if (l.rc != 0)
        return yima_error_set(err, l.rc, 0, "store: checkpoint: %s",
                              yima_strerror(l.rc));
    if (size)
        *size = l.size;
    return 0;
}

int yima_store_checkpoint_current(yima_store *st, const char *skey,
                                  yima_buf *note, yima_error *err)
{
    yima_buf last, origin;
    uint64_t size = 0, latest_size = 0;
    int rc;

    assert(st && note);
    yima_error_clear(err);
    yima_buf_init(&last, YIMA_LEDGER_NOTE_MAX);
    yima_buf_init(&origin, 1024);
    if ((rc = yima_store_size(st, &size, err)) != 0)
        goto out;
    rc = yima_store_checkpoint_latest(st, &latest_size, &last, err);
    if (rc != 0 && rc != YIMA_ENOTFOUND)
        goto out;
    if ((rc == 0 && latest_size == size) || !skey) {
        if (rc == 0)
            rc = yima_buf_add(note, last.data, last.len);
        goto out;
    }
    if ((rc = yima_store_meta_get(st, "origin", &origin, err)) == 0 &&
        (rc = yima_ledger_checkpoint_sign(st->ledger, origin.data, skey, note,
                                          err)) == 0)
        rc = yima_store_checkpoint_put(st, note->data, note->len, err);
out:
    yima_buf_free(&last);
    yima_buf_free(&origin);
    return rc;
}

int yima_store_meta_put(yima_store *st, const char *key, const char *value,
                        yima_error *err)
{
    assert(st && key && value);
    yima_error_clear(err);
    return st->ops->meta_put(st->be, key, value, err);
}

int yima_store_meta_get(yima_store *st, const char *key, yima_buf *out,
                        yima_error *err)
{
    assert(st && key && out);
    yima_error_clear(err);
    return st->ops->meta_get(st->be, key, out, err);
}
