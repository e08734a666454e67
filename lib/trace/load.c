/*
 * load.c - the events of a code (or of a query) as the custody replay
 * reads them: parsed, at or before the trace's time, sorted by eventTime
 * with ties in ledger order (the order they were sealed in).
 */
#include <stdlib.h>
#include <string.h>

#include "trace_int.h"

static int take(void *arg, uint64_t index, int64_t record_time_ms,
                const char *json, size_t len)
{
    void **a = arg;
    tr_ctx *c = a[0];
    tr_list *l = a[1];
    tr_event *e;

    (void)record_time_ms;
    if (!(e = tr_event_get(c, index, json, len)))
        return c->rc ? c->rc : YIMA_ENOMEM;
    if (e->t > c->at)
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        tr_event **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return c->rc = YIMA_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = e;
    return 0;
}

static int by_time(const void *a, const void *b)
{
    const tr_event *x = *(tr_event *const *)a, *y = *(tr_event *const *)b;

    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Sort, and say what failed. */
static int finish(tr_ctx *c, tr_list *l, int rc, yima_error *e)
{
    if (rc == 0) {
        if (l->n > 1)
            qsort(l->v, l->n, sizeof *l->v, by_time);
        return 0;
    }
    if (c->rc) /* the message is already in c->err */
        return c->rc;
    c->rc = rc;
    if (c->err)
        *c->err = *e;
    return rc;
}

int tr_load_code(tr_ctx *c, const char *code, tr_list *out)
{
    void *a[2] = {c, out};
    yima_error e;

    memset(out, 0, sizeof *out);
    return finish(c, out, yima_store_events(c->st, code, take, a, &e), &e);
}

int tr_load_query(tr_ctx *c, const yima_query *q, tr_list *out)
{
    void *a[2] = {c, out};
    yima_error e;

    memset(out, 0, sizeof *out);
    return finish(c, out, yima_store_query(c->st, q, take, a, NULL, &e), &e);
}

void tr_list_free(tr_list *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}
