/*
 * state.c - the custody state: where every unit and container is now,
 * kept in the store (yima/store.h, "Custody state") so a forward trace
 * reads one row per unit, and the capture rule a party's events must
 * obey (yima_trace_admit).
 *
 * The state is derived from the sealed events by the same rules as the
 * replay in custody.c, applied event by event in ledger order:
 *
 *   - every code an event names (epcList, parentID, childEPCs, inputs,
 *     outputs) and everything packed in it, at any depth, takes the
 *     event's moves: the origin when nobody holds it yet (ObjectEvent ADD,
 *     transformation output), else the source when nobody holds it, the
 *     destination, a retail sale;
 *   - a transformation input (and its contents) is transformed: its row
 *     stays, and the trace replays it for the outputs;
 *   - AggregationEvent ADD sets its children's container, DELETE clears
 *     it (all of the parent's when it lists no children).
 *
 * Moving a container's contents row by row (not resolving through the
 * container at read time) costs a write per unit per hand-over, but keeps
 * every row the whole answer for its unit. An event older (eventTime) than
 * the last one applied to a code breaks ledger order for it: its row is
 * marked ST_REPLAY and that unit is replayed from its events when traced,
 * so late events never give a wrong answer, only a slower one.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_int.h"

#define CHUNK      16384 /* events read and applied at once */
#define TX_EVENTS  65536 /* events per transaction when catching up alone */
#define KIDS_DEPTH 8     /* container levels, as in the store's queries */
#define UPTO_KEY   "custody_upto"

/* ---- rows ---------------------------------------------------------------- */

int tr_state_get(tr_ctx *c, const char *code, yima_store_custody *row)
{
    yima_error e;
    int rc = yima_store_custody_get(c->st, code, row, &e);

    if (rc == YIMA_ENOTFOUND) {
        memset(row, 0, sizeof *row);
        row->state = ST_NONE;
        return 0;
    }
    tr_fail(c, rc, &e);
    return rc;
}

/* The row of code, read once per context and kept in c->rows; NULL with
 * c->rc set on failure. */
static tr_row *row_of(tr_ctx *c, const char *code)
{
    yima_store_custody r;
    tr_row *w = tr_map_get(&c->rows, code);

    if (w)
        return w;
    if (tr_state_get(c, code, &r) != 0 || !(w = tr_alloc(c, sizeof *w)))
        return NULL;
    w->code = tr_strdup(c, code);
    w->holder = r.holder[0] ? tr_strdup(c, r.holder) : NULL;
    w->container = r.container[0] ? tr_strdup(c, r.container) : NULL;
    w->state = r.state;
    w->t = r.t;
    if (!w->code || tr_map_put(c, &c->rows, w->code, w) != 0)
        return c->rc = YIMA_ENOMEM, NULL;
    return w;
}

static int touch(tr_ctx *c, tr_row *w)
{
    if (w->dirty)
        return 0;
    w->dirty = true;
    if (tr_vec_push(&c->dirty, w) != 0)
        return c->rc = YIMA_ENOMEM;
    return 0;
}

int tr_state_flush(tr_ctx *c)
{
    yima_store_custody *r = malloc(sizeof *r);
    yima_error e;
    int rc = 0;

    if (!r)
        return c->rc = YIMA_ENOMEM;
    for (size_t i = 0; i < c->dirty.n && rc == 0; i++) {
        tr_row *w = c->dirty.v[i];

        snprintf(r->holder, sizeof r->holder, "%s", w->holder ? w->holder : "");
        snprintf(r->container, sizeof r->container, "%s",
                 w->container ? w->container : "");
        r->state = w->state;
        r->t = w->t;
        rc = yima_store_custody_put(c->st, w->code, r, &e);
        tr_fail(c, rc, &e);
        w->dirty = false;
    }
    c->dirty.n = 0;
    for (size_t i = 0; c->packed.key && i <= c->packed.mask; i++)
        if (c->packed.key[i])
            ((tr_vec *)c->packed.val[i])->n = 0;
    free(r);
    return rc;
}

static void set_holder(tr_row *w, const char *party)
{
    if (party && (!w->holder || strcmp(w->holder, party) != 0))
        w->holder = party; /* the trace's own strings: they outlive w */
}

/* Note that w was packed in container since the last flush (kids_of). */
static int packed_in(tr_ctx *c, const char *container, tr_row *w)
{
    tr_vec *v = tr_map_get(&c->packed, container);

    if (!v && (!(v = calloc(1, sizeof *v)) ||
               tr_map_put(c, &c->packed, container, v) != 0)) {
        free(v);
        return c->rc = YIMA_ENOMEM;
    }
    return tr_vec_push(v, w) != 0 ? (c->rc = YIMA_ENOMEM) : 0;
}

typedef struct kids_list {
    tr_ctx *c;
    const char *container;
    tr_vec rows;
} kids_list;

static bool listed(const tr_vec *v, const tr_row *w)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->v[i] == w)
            return true;
    return false;
}

static int stored_kid(void *arg, const char *code)
{
    kids_list *k = arg;
    tr_row *w = row_of(k->c, code);

    if (!w)
        return k->c->rc;
    if (w->container && strcmp(w->container, k->container) == 0 &&
        tr_vec_push(&k->rows, w) != 0)
        return k->c->rc = YIMA_ENOMEM;
    return 0; /* else it was unpacked since the rows were written */
}

/* Call fn for each code packed in container now: the store's rows as the
 * last flush left them, as this context changed them since. */
static int kids_of(tr_ctx *c, const char *container,
                   int (*fn)(void *arg, const char *code), void *arg)
{
    kids_list k = {c, container, {0}};
    tr_vec *v = tr_map_get(&c->packed, container);
    yima_error e;
    int rc;

    rc = yima_store_custody_kids(c->st, container, stored_kid, &k, &e);
    tr_fail(c, rc, &e);
    for (size_t i = 0; rc == 0 && v && i < v->n; i++) {
        tr_row *w = v->v[i];

        if (w->container && strcmp(w->container, container) == 0 &&
            !listed(&k.rows, w) && tr_vec_push(&k.rows, w) != 0)
            rc = c->rc = YIMA_ENOMEM;
    }
    for (size_t i = 0; rc == 0 && i < k.rows.n; i++)
        rc = fn(arg, ((tr_row *)k.rows.v[i])->code);
    tr_vec_free(&k.rows);
    return rc;
}

/* ---- applying one event -------------------------------------------------- */

/* How an event reaches a code. */
enum reach {
    R_NAMED,  /* the event names it (not as a transformation input) */
    R_INSIDE, /* it is packed in a code the event names */
    R_INPUT   /* a transformation input, or packed in one */
};

static int apply_code(tr_ctx *c, const tr_event *ev, const char *code,
                      enum reach how, int depth);

typedef struct kids_arg {
    tr_ctx *c;
    const tr_event *ev;
    enum reach how;
    int depth;
} kids_arg;

static int kid(void *arg, const char *code)
{
    kids_arg *a = arg;

    return apply_code(a->c, a->ev, code, a->how, a->depth);
}

static int apply_code(tr_ctx *c, const tr_event *ev, const char *code,
                      enum reach how, int depth)
{
    tr_row *w = row_of(c, code);
    int state;

    if (!w)
        return c->rc;
    state = w->state & ST_MASK;
    if (state == ST_TRANSFORMED)
        return 0; /* its story ended: custody.c stops there too */
    if (how == R_INSIDE && ev->type == YIMA_EVENT_TRANSFORMATION)
        return 0; /* inside an output: the event is not its own */
    if (state != ST_NONE && ev->t < w->t) {
        state = ST_REPLAY; /* out of eventTime order for this code */
    } else if (state != ST_REPLAY) {
        bool none = !w->holder;

        w->t = ev->t;
        if (how == R_INPUT) {
            state = ST_TRANSFORMED;
        } else {
            if (none && (ev->type == YIMA_EVENT_TRANSFORMATION ||
                         (ev->type == YIMA_EVENT_OBJECT && ev->action == 'A')))
                set_holder(w, tr_origin(c, ev, code));
            else if (none && ev->src)
                set_holder(w, tr_party(c, ev->src));
            if (ev->dst)
                set_holder(w, tr_party(c, ev->dst));
            if (ev->sale)
                set_holder(w, TR_CONSUMER);
            state = !w->holder                            ? ST_UNKNOWN
                    : strcmp(w->holder, TR_CONSUMER) == 0 ? ST_SOLD
                                                          : ST_HELD;
        }
    }
    if (c->rc)
        return c->rc;
    w->state = state | (w->state & ST_PARENT);
    if (touch(c, w) != 0)
        return c->rc;
    if ((w->state & ST_PARENT) && depth < KIDS_DEPTH) {
        kids_arg a = {c, ev, how == R_INPUT ? R_INPUT : R_INSIDE, depth + 1};

        return kids_of(c, code, kid, &a);
    }
    return 0;
}

/* Set (or, with parent NULL, clear when it is `from`) code's container. */
static int contain(tr_ctx *c, const char *code, const char *parent,
                   const char *from)
{
    tr_row *w = row_of(c, code);

    if (!w)
        return c->rc;
    if (parent) {
        w->container = parent;
        if (packed_in(c, parent, w) != 0)
            return c->rc;
    } else if (w->container && strcmp(w->container, from) == 0) {
        w->container = NULL;
    } else {
        return 0;
    }
    if ((w->state & ST_MASK) == ST_NONE)
        w->state = ST_UNKNOWN | (w->state & ST_PARENT);
    return touch(c, w);
}

static int unpack_kid(void *arg, const char *code)
{
    void **a = arg;

    return contain(a[0], code, NULL, a[1]);
}

/* A container nobody holds yet is held by whoever holds what is packed
 * into it (a distributor's own case): the capture rule asks who may ship
 * it. Its contents' rows are not affected, nor is any trace: a container
 * with contents is traced through them. */
static int adopt(tr_ctx *c, const tr_event *ev, tr_row *parent)
{
    for (size_t k = 0; k < ev->children.n; k++) {
        tr_row *w = row_of(c, ev->children.v[k]);

        if (!w)
            return c->rc;
        if (!w->holder)
            continue;
        set_holder(parent, w->holder);
        if ((parent->state & ST_MASK) == ST_UNKNOWN)
            parent->state =
                (strcmp(w->holder, TR_CONSUMER) == 0 ? ST_SOLD : ST_HELD) |
                (parent->state & ST_PARENT);
        return touch(c, parent);
    }
    return 0;
}

/* AggregationEvent ADD / DELETE: the containers. */
static int pack(tr_ctx *c, const tr_event *ev)
{
    tr_row *p;
    int rc = 0;

    if (ev->type != YIMA_EVENT_AGGREGATION || !ev->parent)
        return 0;
    if (ev->action == 'A' && ev->children.n) {
        if (!(p = row_of(c, ev->parent)))
            return c->rc;
        if (!(p->state & ST_PARENT)) {
            if ((p->state & ST_MASK) == ST_NONE)
                p->state = ST_UNKNOWN;
            p->state |= ST_PARENT;
            if ((rc = touch(c, p)) != 0)
                return rc;
        }
        for (size_t k = 0; k < ev->children.n && rc == 0; k++)
            rc = contain(c, ev->children.v[k], ev->parent, NULL);
        if (rc == 0 && !p->holder)
            rc = adopt(c, ev, p);
    } else if (ev->action == 'D') {
        void *a[2] = {c, (void *)ev->parent};

        for (size_t k = 0; k < ev->children.n && rc == 0; k++)
            rc = contain(c, ev->children.v[k], NULL, ev->parent);
        if (rc == 0 && ev->children.n == 0)
            rc = kids_of(c, ev->parent, unpack_kid, a);
    }
    return rc;
}

/* The canonical batch code of unit (a GTIN's Digital Link) with lot, as
 * yima_code_parse writes it (what a trace of the batch is asked with), or
 * NULL when unit has no GTIN or lot is no valid AI (10) value. */
static const char *batch_of(tr_ctx *c, const char *unit, const char *lot)
{
    static const char dl[] = "https://id.gs1.org/01/";
    static const yima_code_opts o = {0, true};
    char key[YIMA_CODE_URI_MAX], *b;
    const char *v;
    size_t n = strlen(dl), k;

    if (!lot || strncmp(unit, dl, n) != 0 || strlen(unit) < n + 14)
        return NULL;
    snprintf(key, sizeof key, "%.14s|%s", unit + n, lot);
    if ((v = tr_map_get(&c->batches, key)) != NULL)
        return v[0] ? v : NULL;
    /* the lot percent-encoded, all but the unreserved characters */
    k = (size_t)snprintf(key, sizeof key, "%s%.14s/10/", dl, unit + n);
    for (const unsigned char *p = (const unsigned char *)lot;
         *p && k + 4 < sizeof key; p++)
        k += (size_t)(isalnum(*p) || strchr("-._~", *p)
                          ? snprintf(key + k, sizeof key - k, "%c", *p)
                          : snprintf(key + k, sizeof key - k, "%%%02X", *p));
    v = yima_code_parse(key, k, &o, &c->code, NULL) == 0 ? c->code.canonical
                                                         : "";
    snprintf(key, sizeof key, "%.14s|%s", unit + n, lot);
    if (!(b = tr_strdup(c, v)) || tr_map_put(c, &c->batches, key, b) != 0)
        return c->rc = YIMA_ENOMEM, NULL;
    return b[0] ? b : NULL;
}

/* An ObjectEvent ADD makes units of a batch (the forward trace of a batch
 * reads them by it, as forward.c's made() finds them in the events). */
static int made_of(tr_ctx *c, const tr_event *ev)
{
    yima_error e;
    int rc = 0;

    if (ev->type != YIMA_EVENT_OBJECT || ev->action != 'A')
        return 0;
    for (size_t k = 0; k < ev->epcs.n && rc == 0; k++) {
        const char *b = batch_of(c, ev->epcs.v[k], ev->lots.v[k]);

        if (b) {
            rc = yima_store_batch_unit_put(c->st, b, ev->epcs.v[k], &e);
            tr_fail(c, rc, &e);
        }
    }
    return rc ? rc : c->rc;
}

static int apply_list(tr_ctx *c, const tr_event *ev, const tr_strs *l,
                      enum reach how)
{
    int rc = 0;

    for (size_t k = 0; k < l->n && rc == 0; k++)
        rc = apply_code(c, ev, l->v[k], how, 0);
    return rc;
}

int tr_state_apply(tr_ctx *c, const tr_event *ev)
{
    int rc;

    if (ev->type == YIMA_EVENT_TRANSFORMATION) {
        if ((rc = apply_list(c, ev, &ev->inputs, R_INPUT)) == 0)
            rc = apply_list(c, ev, &ev->outputs, R_NAMED);
        return rc;
    }
    if (ev->parent && (rc = apply_code(c, ev, ev->parent, R_NAMED, 0)) != 0)
        return rc;
    if ((rc = apply_list(c, ev, &ev->epcs, R_NAMED)) != 0 ||
        (rc = apply_list(c, ev, &ev->children, R_NAMED)) != 0 ||
        (rc = made_of(c, ev)) != 0)
        return rc;
    return pack(c, ev);
}

/* ---- catching up --------------------------------------------------------- */

static int upto_get(yima_store *st, uint64_t *upto, yima_error *err)
{
    yima_buf b;
    int rc;

    yima_buf_init(&b, 64);
    rc = yima_store_meta_get(st, UPTO_KEY, &b, err);
    *upto = 0;
    if (rc == 0 && yima_buf_putc(&b, '\0') == 0)
        *upto = strtoull((const char *)b.data, NULL, 10);
    else if (rc == YIMA_ENOTFOUND)
        rc = 0;
    yima_buf_free(&b);
    return rc;
}

static int upto_put(yima_store *st, uint64_t upto, yima_error *err)
{
    char v[24];

    snprintf(v, sizeof v, "%" PRIu64, upto);
    return yima_store_meta_put(st, UPTO_KEY, v, err);
}

typedef struct chunk {
    tr_ctx *c;
    tr_event **v;
    size_t n;
} chunk;

static int take(void *arg, uint64_t index, int64_t record_time_ms,
                const char *json, size_t len)
{
    chunk *k = arg;
    tr_event *e = tr_event_get(k->c, index, json, len);

    (void)record_time_ms;
    if (!e)
        return k->c->rc ? k->c->rc : YIMA_ENOMEM;
    k->v[k->n++] = e;
    return 0;
}

/* Apply the events [*upto, end) in chunks, inside the open transaction;
 * at most `most` of them. */
static int apply_range(yima_store *st, uint64_t *upto, uint64_t end,
                       uint64_t most, yima_error *err)
{
    tr_event **v = malloc(CHUNK * sizeof *v);
    int rc = 0;

    if (!v)
        return yima_error_set(err, YIMA_ENOMEM, 0, "out of memory");
    while (rc == 0 && *upto < end && most > 0) {
        tr_ctx c;
        chunk k = {&c, v, 0};
        yima_query q;
        uint64_t n = end - *upto;

        if (n > CHUNK)
            n = CHUNK;
        if (n > most)
            n = most;
        yima_query_init(&q);
        q.from = *upto;
        q.limit = (size_t)n;
        tr_ctx_init(&c, st, INT64_MAX, err);
        rc = yima_store_query(st, &q, take, &k, NULL, err);
        for (size_t i = 0; i < k.n && rc == 0; i++)
            rc = tr_state_apply(&c, k.v[i]);
        if (rc == 0)
            rc = tr_state_flush(&c);
        if (rc == 0 && c.rc)
            rc = c.rc;
        if (rc == 0 && k.n != n)
            rc = yima_error_set(err, YIMA_EIO, 0,
                                "trace: custody: events %" PRIu64 "..%" PRIu64
                                " are not all stored",
                                *upto, *upto + n - 1);
        tr_ctx_free(&c);
        if (rc == 0) {
            *upto += n;
            most -= n;
            rc = upto_put(st, *upto, err);
        }
    }
    free(v);
    return rc;
}

int yima_trace_catch_up(yima_store *st, yima_error *err)
{
    uint64_t upto, size;
    bool own = !yima_store_in_batch(st);
    int rc;

    yima_error_clear(err);
    /* Up to date already (the common case for a reader): no write lock. */
    if (own && (rc = upto_get(st, &upto, err)) == 0 &&
        (rc = yima_store_size(st, &size, err)) == 0 && upto >= size)
        return 0;
    do {
        if (own && (rc = yima_store_batch_begin(st, err)) != 0)
            return rc;
        if ((rc = upto_get(st, &upto, err)) == 0 &&
            (rc = yima_store_size(st, &size, err)) == 0)
            rc =
                apply_range(st, &upto, size, own ? TX_EVENTS : UINT64_MAX, err);
        if (!own)
            return rc;
        if (rc == 0)
            rc = yima_store_batch_commit(st, err);
        else
            yima_store_batch_rollback(st);
    } while (rc == 0 && upto < size);
    return rc;
}

/* ---- the capture rule ---------------------------------------------------- */

static bool receiving(const tr_event *ev)
{
    return ev->step && (strcmp(ev->step, "receiving") == 0 ||
                        strcmp(ev->step, "arriving") == 0 ||
                        strcmp(ev->step, "accepting") == 0);
}

/* Who holds code now: its row, replayed when the row cannot tell, or, for
 * a code no event has placed yet, its producer. NULL when nobody is known;
 * *how says what became of it. */
static const char *holder_of(tr_ctx *c, const char *code, tr_end *how)
{
    tr_row *w = row_of(c, code);
    int state;

    if (!w)
        return NULL;
    state = w->state & ST_MASK;
    if (state == ST_REPLAY) {
        tr_list l;
        tr_chain ch;
        const char *p = NULL;

        if (tr_load_code(c, code, &l) != 0)
            return NULL;
        if (tr_custody(c, code, &l, &ch) == 0 && ch.n)
            p = ch.v[ch.n - 1].party;
        *how = ch.end;
        tr_chain_free(&ch);
        tr_list_free(&l);
        return p;
    }
    *how = state == ST_TRANSFORMED ? TR_TRANSFORMED
           : state == ST_SOLD      ? TR_SOLD
           : w->holder             ? TR_HELD
                                   : TR_UNKNOWN;
    if (*how == TR_TRANSFORMED)
        return NULL;
    if (w->holder)
        return w->holder;
    if ((*how = tr_producer(c, code) ? TR_HELD : TR_UNKNOWN) == TR_HELD)
        return tr_producer(c, code);
    return NULL;
}

static int refuse(yima_trace_refusal *r, int status, size_t i, const char *code,
                  yima_error *err, const char *fmt, const char *a,
                  const char *b)
{
    r->status = status;
    r->event = i;
    snprintf(r->code, sizeof r->code, "%s", code);
    return yima_error_set(err, YIMA_EINVAL, 0, fmt, a, b);
}

/* Does every unit ev names (epcList, parentID, childEPCs) sit with party?
 * Refuses the first that does not. */
static int holds(tr_ctx *c, const tr_event *ev, size_t i, const char *party,
                 yima_trace_refusal *r, yima_error *err)
{
    const tr_strs *lists[] = {&ev->epcs, &ev->children};
    const char *p0 = ev->parent;
    tr_strs parent = {&p0, p0 ? 1 : 0};

    for (size_t l = 0; l < 3; l++) {
        const tr_strs *s = l < 2 ? lists[l] : &parent;

        for (size_t k = 0; k < s->n; k++) {
            tr_end how = TR_UNKNOWN;
            const char *p = holder_of(c, s->v[k], &how);

            if (c->rc)
                return c->rc;
            if (p && strcmp(p, party) == 0)
                continue;
            if (!p && how == TR_UNKNOWN)
                continue; /* nobody's to guard: no event placed it and no
                             producer claims it (as the commissioning
                             rule lets unknown identifiers pass) */
            if (how == TR_SOLD)
                return refuse(r, 422, i, s->v[k], err,
                              "%.300s was sold to a consumer%s", s->v[k], "");
            if (how == TR_TRANSFORMED)
                return refuse(r, 422, i, s->v[k], err,
                              "%.300s no longer exists: a transformation "
                              "used it up%s",
                              s->v[k], "");
            return refuse(r, 422, i, s->v[k], err,
                          "%.300s is not held by you: custody says it is "
                          "with %.80s",
                          s->v[k], p);
        }
    }
    return 0;
}

/* The rule for one event recorded by party (bare USCC). */
static int check(tr_ctx *c, const tr_event *ev, size_t i, const char *party,
                 yima_trace_refusal *r, yima_error *err)
{
    const char *src = ev->src ? tr_party(c, ev->src) : NULL;
    const char *dst = ev->dst ? tr_party(c, ev->dst) : NULL;
    bool creates = ev->type == YIMA_EVENT_TRANSFORMATION ||
                   (ev->type == YIMA_EVENT_OBJECT && ev->action == 'A');

    if (c->rc)
        return c->rc;
    if (receiving(ev)) {
        if (dst && strcmp(dst, party) != 0)
            return refuse(r, 403, i, ev->dst, err,
                          "the destination is %.80s: a party records only "
                          "what it receives itself%s",
                          dst, "");
        return creates ? 0 : holds(c, ev, i, party, r, err);
    }
    if (src && strcmp(src, party) != 0)
        return refuse(r, 403, i, ev->src, err,
                      "the source is %.80s: a party records only what it "
                      "ships itself%s",
                      src, "");
    if (creates)
        return 0; /* the commissioning rule covers new codes */
    if ((dst && strcmp(dst, party) != 0) || src || ev->sale)
        return holds(c, ev, i, party, r, err);
    return 0;
}

int yima_trace_admit(yima_store *st, const char *party, const yima_event *ev,
                     size_t n, const yima_store_result *res,
                     yima_trace_refusal *refusal, yima_error *err)
{
    const char *bare = party;
    uint64_t upto, first = UINT64_MAX, last = 0;
    tr_ctx c;
    int rc;

    yima_error_clear(err);
    memset(refusal, 0, sizeof *refusal);
    if (!yima_store_in_batch(st))
        return yima_error_set(err, YIMA_EUSAGE, 0,
                              "trace: admit needs the batch's transaction");
    for (size_t i = 0; i < n; i++)
        if (res[i].status == YIMA_STORE_ADDED) {
            if (res[i].index < first)
                first = res[i].index;
            if (res[i].index > last)
                last = res[i].index;
        }
    if (first == UINT64_MAX)
        return 0; /* only duplicates: nothing moves */
    if ((rc = upto_get(st, &upto, err)) != 0 ||
        (rc = apply_range(st, &upto, first, UINT64_MAX, err)) != 0)
        return rc;
    if (party && strncmp(party, "urn:yima:uscc:", 14) == 0)
        bare = party + 14;
    tr_ctx_init(&c, st, INT64_MAX, err);
    rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        tr_event *e;

        if (res[i].status != YIMA_STORE_ADDED)
            continue;
        if (!(e = tr_event_get(&c, res[i].index, ev[i].json, ev[i].json_len)))
            rc = c.rc ? c.rc : YIMA_ENOMEM;
        else if (bare && (rc = check(&c, e, i, bare, refusal, err)) == 0)
            rc = tr_state_apply(&c, e);
        else if (!bare)
            rc = tr_state_apply(&c, e);
    }
    if (rc == 0)
        rc = tr_state_flush(&c);
    if (rc == 0 && c.rc)
        rc = c.rc;
    tr_ctx_free(&c);
    if (rc == 0)
        rc = upto_put(st, last + 1, err);
    return rc;
}
