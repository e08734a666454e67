/*
 * verify.c - checking a store from its entries up: every entry's leaf hash,
 * a tree rebuilt in memory against every stored hash and the stored size,
 * and every stored checkpoint's root; plus the checkpoint text check that
 * yima_store_checkpoint_put also uses.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "store_int.h"

#define PROGRESS_EVERY 65536

/* The length of the line at p (up to '\n'), or -1 when there is none. */
static long line(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));

    return nl ? nl - p : -1;
}

int store_checkpoint_check(yima_ledger *lg, const char *note, size_t len,
                           uint64_t *size, yima_error *err)
{
    uint8_t root[YIMA_LEDGER_HASH_LEN];
    unsigned char b64[4 * ((YIMA_LEDGER_HASH_LEN + 2) / 3) + 1];
    const char *p = note, *end = note + len;
    uint64_t v = 0, cur;
    long n;
    int rc;

    /* <origin>\n<size>\n<base64 root>\n, then anything (yima/ledger.h) */
    if ((n = line(p, end)) <= 0)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "checkpoint: no origin line");
    p += n + 1;
    if ((n = line(p, end)) <= 0 || n > 19 || (p[0] == '0' && n > 1))
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "checkpoint: second line is not a tree size");
    for (long i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return yima_error_set(err, YIMA_EINVAL, 0,
                                  "checkpoint: second line is not a tree "
                                  "size");
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    p += n + 1;
    if ((n = line(p, end)) < 0)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "checkpoint at size %llu: no root line",
                              (unsigned long long)v);
    *size = v;
    if ((rc = yima_ledger_size(lg, &cur)) != 0)
        return yima_error_set(err, rc, 0, "checkpoint: ledger size: %s",
                              yima_strerror(rc));
    if (v > cur)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "checkpoint at size %llu: beyond the ledger's "
                              "%llu entries",
                              (unsigned long long)v, (unsigned long long)cur);
    if ((rc = yima_ledger_root(lg, v, root, err)) != 0)
        return rc;
    EVP_EncodeBlock(b64, root, YIMA_LEDGER_HASH_LEN);
    if ((size_t)n != strlen((const char *)b64) ||
        memcmp(p, b64, (size_t)n) != 0)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "checkpoint at size %llu: root differs",
                              (unsigned long long)v);
    return 0;
}

typedef struct verifier {
    yima_store *st;
    yima_ledger *mem;     /* the tree rebuilt from the entries */
    yima_ledger_store ms; /* its hashes */
    uint64_t next, size;  /* next index expected; stored size */
    yima_store_progress_fn progress;
    void *arg;
    yima_error *err;
} verifier;

/* The store fails the check: say where. */
__attribute__((format(printf, 2, 3))) static int bad(verifier *v,
                                                     const char *fmt, ...)
{
    char msg[YIMA_ERROR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return yima_error_set(v->err, YIMA_EINVAL, 0, "%s", msg);
}

#define U(x) ((unsigned long long)(x))

/* Compare the hashes entry `i` added to the rebuilt tree with the store's. */
static int compare_hashes(verifier *v, uint64_t i)
{
    uint8_t mine[64][YIMA_LEDGER_HASH_LEN], theirs[64][YIMA_LEDGER_HASH_LEN];
    uint64_t first = yima_ledger_stored_count(i);
    uint64_t n = yima_ledger_stored_count(i + 1) - first, idx[64];
    bool one_by_one;
    int rc;

    for (uint64_t k = 0; k < n; k++)
        idx[k] = first + k;
    if ((rc = v->ms.read(v->ms.ctx, idx, (size_t)n, mine)) != 0)
        return yima_error_set(v->err, rc, 0, "ledger: %s", yima_strerror(rc));
    /* All at once (one look-up); one by one to say which is missing. */
    rc = v->st->ops->read(v->st->be, idx, (size_t)n, theirs);
    one_by_one = rc == YIMA_ENOTFOUND;
    for (uint64_t k = 0; k < n; k++) {
        if (one_by_one)
            rc = v->st->ops->read(v->st->be, &idx[k], 1, &theirs[k]);
        if (rc == YIMA_ENOTFOUND)
            return bad(v, "ledger: hash %llu (entry %llu) is missing",
                       U(idx[k]), U(i));
        if (rc != 0)
            return yima_error_set(v->err, rc, 0, "ledger: %s",
                                  v->st->ops->reason(v->st->be));
        if (memcmp(mine[k], theirs[k], YIMA_LEDGER_HASH_LEN) != 0)
            return k == 0 ? bad(v,
                                "ledger: entry %llu does not match its leaf "
                                "hash",
                                U(i))
                          : bad(v,
                                "ledger: hash %llu (made by entry %llu) "
                                "differs from the one rebuilt",
                                U(idx[k]), U(i));
    }
    return 0;
}

static int verify_entry(void *arg, uint64_t index, int64_t record_time,
                        const void *entry, size_t len)
{
    verifier *v = arg;
    int64_t sealed;
    int rc;

    /* An entry past the end is reported as itself, not as a gap. */
    if (index >= v->size)
        return bad(v, "ledger: entry %llu is beyond the ledger's size %llu",
                   U(index), U(v->size));
    if (index > v->next)
        return bad(v, "ledger: entry %llu is missing", U(v->next));
    if ((rc = yima_ledger_append(v->mem, entry, len, NULL)) != 0)
        return yima_error_set(v->err, rc, 0, "ledger: rebuilding: %s",
                              yima_strerror(rc));
    if ((rc = compare_hashes(v, index)) != 0)
        return rc;
    if (yima_store_entry_parse(entry, len, &sealed, NULL, NULL) != 0)
        return bad(v, "ledger: entry %llu is not a sealed event entry",
                   U(index));
    if (sealed != record_time)
        return bad(v,
                   "ledger: entry %llu: record_time column differs from "
                   "the sealed entry",
                   U(index));
    v->next = index + 1;
    if (v->progress && v->next % PROGRESS_EVERY == 0)
        v->progress(v->arg, v->next, v->size);
    return 0;
}

static int verify_checkpoint(void *arg, uint64_t size, const char *note,
                             size_t len)
{
    verifier *v = arg;
    uint64_t named;
    int rc;

    rc = store_checkpoint_check(v->mem, note, len, &named, v->err);
    if (rc == 0 && named != size)
        rc = bad(v, "checkpoint at size %llu: the note names size %llu",
                 U(size), U(named));
    return rc;
}

int yima_store_verify(yima_store *st, yima_store_progress_fn progress,
                      void *arg, yima_error *err)
{
    yima_ledger_memstore *ms = NULL;
    verifier v = {.st = st, .progress = progress, .arg = arg, .err = err};
    uint8_t h[1][YIMA_LEDGER_HASH_LEN];
    uint64_t extra;
    int rc;

    assert(st);
    yima_error_clear(err);
    /* One snapshot: a writer appending meanwhile is not seen half-way. */
    if ((rc = st->ops->begin_read(st->be, err)) != 0)
        return rc;
    if ((rc = yima_store_size(st, &v.size, err)) != 0)
        goto out;
    if ((rc = yima_ledger_memstore_open(&ms)) != 0) {
        yima_error_set(err, rc, 0, "ledger: out of memory");
        goto out;
    }
    yima_ledger_memstore_bind(ms, &v.ms);
    if ((rc = yima_ledger_open(&v.ms, &v.mem)) != 0) {
        yima_error_set(err, rc, 0, "ledger: out of memory");
        goto out;
    }

    /* Entries in index order: each must be the next, and rebuild the tree
     * hash for hash. */
    if ((rc = st->ops->events(st->be, NULL, verify_entry, &v, err)) != 0)
        goto out;
    if (v.next < v.size) {
        rc = v.next == 0
                 ? bad(&v, "ledger: all %llu entries are missing", U(v.size))
                 : bad(&v, "ledger: %llu entries missing after %llu",
                       U(v.size - v.next), U(v.next - 1));
        goto out;
    }
    extra = yima_ledger_stored_count(v.size);
    rc = st->ops->read(st->be, &extra, 1, h);
    if (rc == 0) {
        rc = bad(&v, "ledger: hash %llu is beyond the ledger's size %llu",
                 U(extra), U(v.size));
        goto out;
    }
    if (rc != YIMA_ENOTFOUND) {
        yima_error_set(err, rc, 0, "ledger: %s", st->ops->reason(st->be));
        goto out;
    }
    if (progress)
        progress(arg, v.size, v.size);

    /* Every checkpoint against the rebuilt tree. */
    rc = st->ops->checkpoints(st->be, verify_checkpoint, &v, err);
out:
    st->ops->rollback(st->be);
    yima_ledger_close(v.mem);
    yima_ledger_memstore_close(ms);
    return rc;
}
