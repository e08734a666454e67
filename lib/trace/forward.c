/*
 * forward.c - the forward trace: the units (and classes of goods by
 * quantity) a scope covers, and where each one is now.
 *
 *   scope                   units                      classes
 *   ----------------------  -------------------------  --------------------
 *   a unit                  itself                     -
 *   a container (SSCC...)   every unit ever packed in  childQuantityList
 *                           it, at any depth           classes
 *   batch /01/{g}/10/{lot}  epcList units of GTIN g    the batch code
 *                           and that lot, of the
 *                           ObjectEvent ADDs posting
 *                           the batch code (role
 *                           BATCH)
 *   product /01/{g}         epcList units of GTIN g    each quantityList
 *                           of the ObjectEvent ADDs    class of GTIN g in
 *                           posting the product code   them, and the
 *                           (role BATCH)               product code
 *   producer (a USCC)       units of every ObjectEvent ADD whose producer
 *                           (tr_producer) is the party: a scan of those
 *                           events, not an index look-up
 *
 * Then each unit's custody is read from its row of the custody state
 * (state.c), or, as of a time, for units transformed and for rows marked
 * for replay, replayed (one yima_store_events() each); each class's
 * balances are replayed; units whose custody ended in a transformation
 * are counted apart and the transformation's outputs listed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_int.h"

#define GS1_01     "https://id.gs1.org/01/"
#define EPS        1e-9
#define PACK_DEPTH 8 /* container levels expanded */

typedef struct scope {
    tr_map seen; /* units and classes already listed */
    tr_vec units, classes;
} scope;

typedef struct holder {
    const char *party;
    const char *uom; /* NULL: units */
    double n;
} holder;

typedef struct tally {
    tr_map at;      /* party or party + uom -> holder */
    tr_vec holders; /* holder */
    long consumers, unaccounted, transformed;
    tr_vec sold;    /* holder with party NULL: quantities sold */
    tr_vec outputs; /* codes */
    json_t *over;   /* over-shipping events */
    bool any;       /* some unit or class has events */
} tally;

static int add(tr_ctx *c, scope *s, tr_vec *v, const char *code)
{
    char key[YIMA_CODE_URI_MAX + 2];

    snprintf(key, sizeof key, "%c%s", v == &s->units ? 'u' : 'c', code);
    if (tr_map_get(&s->seen, key))
        return 0;
    if (s->units.n + s->classes.n >= YIMA_TRACE_UNITS_MAX)
        return yima_error_set(c->err, YIMA_ETOOBIG, 0,
                              "trace: more than %d units in scope",
                              YIMA_TRACE_UNITS_MAX);
    if (tr_map_put(c, &s->seen, key, (void *)code) != 0 ||
        tr_vec_push(v, (void *)code) != 0)
        return YIMA_ENOMEM;
    return 0;
}

/* Does canonical code carry GTIN gtin (14 digits)? */
static bool of_gtin(const char *code, const char *gtin)
{
    size_t n = strlen(GS1_01);

    return strncmp(code, GS1_01, n) == 0 && strncmp(code + n, gtin, 14) == 0 &&
           (code[n + 14] == '\0' || code[n + 14] == '/');
}

/* Events of a query on one code in role(s) roles, of type type, ADD. */
static int query(tr_ctx *c, const char *code, unsigned roles, unsigned type,
                 tr_list *out)
{
    static const char *const add_action[] = {"ADD"};
    yima_query q;

    yima_query_init(&q);
    q.types = 1u << type;
    q.actions = (yima_query_values){add_action, 1};
    if (code) {
        q.codes[0] = (yima_query_codes){roles, NULL, {&code, 1}};
        q.n_codes = 1;
    }
    return tr_load_query(c, &q, out);
}

/* Batch (lot non-NULL) or product scope, or (gtin NULL) producer scope. */
static int made(tr_ctx *c, scope *s, const char *code, const char *gtin,
                const char *lot, const char *producer)
{
    tr_list l;
    int rc;

    if ((rc = query(c, producer ? NULL : code, 1u << YIMA_ROLE_BATCH,
                    YIMA_EVENT_OBJECT, &l)) != 0)
        return rc;
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        const tr_event *e = l.v[i];

        for (size_t k = 0; k < e->epcs.n && rc == 0; k++) {
            const char *u = e->epcs.v[k], *p;
            if (producer ? !(p = tr_producer(c, u)) || strcmp(p, producer)
                         : !of_gtin(u, gtin) ||
                               (lot && (!e->lots.v[k] ||
                                        strcmp(e->lots.v[k], lot) != 0)))
                continue;
            rc = add(c, s, &s->units, u);
        }
        for (size_t k = 0; !lot && k < e->qty.n && rc == 0; k++) {
            const char *q = e->qty.v[k].cls, *p;
            if (producer ? !(p = tr_producer(c, q)) || strcmp(p, producer)
                         : !of_gtin(q, gtin))
                continue;
            rc = add(c, s, &s->classes, q);
        }
    }
    tr_list_free(&l);
    if (rc == 0 && !producer)
        rc = add(c, s, &s->classes, code);
    return rc ? rc : c->rc;
}

/* A container's contents at any depth, or the unit itself. */
static int contents(tr_ctx *c, scope *s, const char *code, int depth)
{
    char key[YIMA_CODE_URI_MAX + 2];
    tr_list l;
    size_t kids = 0;
    int rc;

    snprintf(key, sizeof key, "p%s", code); /* each container once */
    if (tr_map_get(&s->seen, key))
        return 0;
    if ((rc = tr_map_put(c, &s->seen, key, (void *)code)) != 0)
        return rc;
    if ((rc = query(c, code, 1u << YIMA_ROLE_PARENT, YIMA_EVENT_AGGREGATION,
                    &l)) != 0)
        return rc;
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        const tr_event *e = l.v[i];
        if (!e->parent || strcmp(e->parent, code) != 0)
            continue;
        for (size_t k = 0; k < e->children.n && rc == 0; k++, kids++)
            if (depth < PACK_DEPTH)
                rc = contents(c, s, e->children.v[k], depth + 1);
        for (size_t k = 0; k < e->qty.n && rc == 0; k++, kids++)
            rc = add(c, s, &s->classes, e->qty.v[k].cls);
    }
    tr_list_free(&l);
    if (rc == 0 && kids == 0)
        rc = add(c, s, &s->units, code);
    return rc;
}

/* The holder entry of party (in uom, or units when uom is NULL). */
static holder *hold(tr_ctx *c, tally *t, tr_vec *list, const char *party,
                    const char *uom)
{
    char key[YIMA_CODE_URI_MAX * 2];
    holder *h;

    snprintf(key, sizeof key, "%s|%s|%s", list == &t->sold ? "s" : "h",
             party ? party : "", uom ? uom : "");
    if ((h = tr_map_get(&t->at, key)) != NULL)
        return h;
    if (!(h = tr_alloc(c, sizeof *h)))
        return NULL;
    h->party = party;
    h->uom = uom;
    if (tr_map_put(c, &t->at, key, h) != 0 || tr_vec_push(list, h) != 0)
        return NULL;
    return h;
}

static int outputs_of(tally *t, const tr_event *e)
{
    int rc = 0;

    for (size_t k = 0; k < e->outputs.n && rc == 0; k++)
        if (!tr_vec_has(&t->outputs, e->outputs.v[k]))
            rc = tr_vec_push(&t->outputs, (void *)e->outputs.v[k]);
    for (size_t k = 0; k < e->out_qty.n && rc == 0; k++)
        if (!tr_vec_has(&t->outputs, e->out_qty.v[k].cls))
            rc = tr_vec_push(&t->outputs, (void *)e->out_qty.v[k].cls);
    return rc;
}

/* Count a unit whose custody row says state (and party, when held); *done
 * false when the row cannot tell (transformed: the outputs are wanted;
 * marked for replay), and the unit must be replayed. */
static int tally_row(tr_ctx *c, tally *t, const char *party, int state,
                     bool *done)
{
    holder *h;

    *done = true;
    switch (state & ST_MASK) {
    case ST_NONE: t->unaccounted++; return 0; /* no event names it */
    case ST_UNKNOWN: t->unaccounted++; break;
    case ST_SOLD: t->consumers++; break;
    case ST_HELD:
        if (!party || !(h = hold(c, t, &t->holders, tr_strdup(c, party), NULL)))
            return YIMA_ENOMEM;
        h->n++;
        break;
    default: *done = false; return 0;
    }
    t->any = true;
    return 0;
}

/* A unit from its custody row (state.c), when the row tells. Returns 0
 * and sets *done, or the store's error. */
static int unit_row(tr_ctx *c, tally *t, const char *code, bool *done)
{
    yima_store_custody row;
    int rc;

    *done = false;
    if (c->at != INT64_MAX)
        return 0; /* as of a time: replay */
    if ((rc = tr_state_get(c, code, &row)) != 0)
        return rc;
    return tally_row(c, t, row.holder, row.state, done);
}

static int unit(tr_ctx *c, tally *t, const char *code)
{
    tr_list l;
    tr_chain ch;
    holder *h;
    bool done;
    int rc;

    if ((rc = unit_row(c, t, code, &done)) != 0 || done)
        return rc;
    if ((rc = tr_load_code(c, code, &l)) != 0)
        return rc;
    t->any |= l.n > 0;
    if ((rc = tr_custody(c, code, &l, &ch)) == 0) {
        switch (ch.end) {
        case TR_HELD:
            if (!(h = hold(c, t, &t->holders, ch.v[ch.n - 1].party, NULL)))
                rc = YIMA_ENOMEM;
            else
                h->n++;
            break;
        case TR_SOLD: t->consumers++; break;
        case TR_TRANSFORMED:
            t->transformed++;
            rc = outputs_of(t, ch.end_ev);
            break;
        default: t->unaccounted++;
        }
    }
    tr_chain_free(&ch);
    tr_list_free(&l);
    return rc;
}

static int found(void *arg, uint64_t index, int64_t record_time_ms,
                 const char *json, size_t len)
{
    (void)index, (void)record_time_ms, (void)json, (void)len;
    *(bool *)arg = true;
    return 0;
}

/* Does any event name code as a quantity's epcClass? One index look-up:
 * a batch of serialised units has none, and its events need not be read
 * a second time. */
static int is_class(tr_ctx *c, const char *code, bool *yes)
{
    yima_query q;
    yima_error e;
    int rc;

    *yes = false;
    yima_query_init(&q);
    q.codes[0] = (yima_query_codes){1u << YIMA_ROLE_CLASS, NULL, {&code, 1}};
    q.n_codes = 1;
    q.limit = 1;
    rc = yima_store_query(c->st, &q, found, yes, NULL, &e);
    tr_fail(c, rc, &e);
    return rc;
}

static int class(tr_ctx *c, tally *t, const char *code)
{
    tr_list l;
    tr_chain ch = {0};
    bool quantity;
    int rc;

    if ((rc = is_class(c, code, &quantity)) != 0 || !quantity)
        return rc;
    if ((rc = tr_load_code(c, code, &l)) != 0)
        return rc;
    t->any |= l.n > 0;
    if (!tr_is_quantity(&l, code))
        goto out;
    if ((rc = tr_quantity(c, code, &l, &ch)) != 0)
        goto out;
    for (size_t i = 0; i < ch.nbal && rc == 0; i++) {
        const tr_bal *b = &ch.bal[i];
        holder *h;
        if (b->q <= EPS)
            continue;
        if (!(h = hold(c, t, b->party ? &t->holders : &t->sold, b->party,
                       b->uom)))
            rc = YIMA_ENOMEM;
        else
            h->n += b->q;
    }
    for (size_t i = 0; i < ch.n && rc == 0; i++)
        if (ch.v[i].over) {
            json_t *o = json_object();
            json_object_set_new(o, "event", json_string(ch.v[i].ev->id));
            json_object_set_new(o, "reason", json_string(ch.v[i].over));
            json_array_append_new(t->over, o);
        }
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        const tr_event *e = l.v[i];
        for (size_t k = 0; k < e->in_qty.n && rc == 0; k++)
            if (strcmp(e->in_qty.v[k].cls, code) == 0)
                rc = outputs_of(t, e);
    }
out:
    tr_chain_free(&ch);
    tr_list_free(&l);
    return rc;
}

static int by_party(const void *a, const void *b)
{
    const holder *x = *(holder *const *)a, *y = *(holder *const *)b;
    int d = strcmp(x->party, y->party);

    if (d)
        return d;
    if (!x->uom || !y->uom)
        return !x->uom ? (y->uom ? -1 : 0) : 1;
    return strcmp(x->uom, y->uom);
}

static json_t *result(const char *code, tally *t)
{
    json_t *o = json_object(), *a;

    json_object_set_new(o, "scope", json_string(code));
    json_object_set_new(o, "holders", a = json_array());
    if (t->holders.n > 1)
        qsort(t->holders.v, t->holders.n, sizeof *t->holders.v, by_party);
    for (size_t i = 0; i < t->holders.n; i++) {
        const holder *h = t->holders.v[i];
        json_t *e = json_object();
        json_object_set_new(e, "party", json_string(h->party));
        if (h->uom) {
            json_object_set_new(e, "quantity", tr_number(h->n));
            json_object_set_new(e, "uom", json_string(h->uom));
        } else {
            json_object_set_new(e, "units", tr_number(h->n));
        }
        json_array_append_new(a, e);
    }
    json_object_set_new(o, "consumers", json_integer(t->consumers));
    json_object_set_new(o, "unaccounted", json_integer(t->unaccounted));
    if (t->sold.n) {
        json_object_set_new(o, "consumers_quantity", a = json_array());
        for (size_t i = 0; i < t->sold.n; i++) {
            const holder *h = t->sold.v[i];
            json_t *e = json_object();
            json_object_set_new(e, "quantity", tr_number(h->n));
            json_object_set_new(e, "uom", json_string(h->uom));
            json_array_append_new(a, e);
        }
    }
    if (t->transformed)
        json_object_set_new(o, "transformed", json_integer(t->transformed));
    if (t->outputs.n) {
        json_object_set_new(o, "outputs", a = json_array());
        for (size_t i = 0; i < t->outputs.n; i++)
            json_array_append_new(a, json_string(t->outputs.v[i]));
    }
    if (json_array_size(t->over))
        json_object_set(o, "over_shipped", t->over);
    return o;
}

static int by_code(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool producer_scope(const char *code)
{
    return strncmp(code, "urn:yima:uscc:", 14) == 0;
}

/* Fill s with the units and classes of the scope code. */
static int resolve(tr_ctx *c, const char *code, scope *s)
{
    static const yima_code_opts o = {0, true};
    char gtin[15], lot[YIMA_GS1_VALUE_MAX + 1];
    yima_buf b;
    yima_error e;
    int rc;

    if (yima_code_parse(code, strlen(code), &o, &c->code, &e) != 0)
        return contents(c, s, code, 0);
    if (c->code.scheme == YIMA_SCHEME_USCC) {
        const char *p = code + strlen("urn:yima:uscc:");
        yima_buf_init(&b, 1 << 20);
        rc = yima_store_master_get(c->st, YIMA_STORE_PARTY, code, NULL, &b, &e);
        yima_buf_free(&b);
        if (rc != 0)
            return yima_error_set(c->err, rc, 0, "trace: producer %s: %s", p,
                                  e.msg);
        return made(c, s, code, NULL, NULL, p);
    }
    if (c->code.scheme == YIMA_SCHEME_GS1 && yima_code_ai(&c->code, "01") &&
        !yima_code_ai(&c->code, "21")) {
        snprintf(gtin, sizeof gtin, "%s", yima_code_ai(&c->code, "01"));
        if (yima_code_ai(&c->code, "10")) {
            snprintf(lot, sizeof lot, "%s", yima_code_ai(&c->code, "10"));
            return made(c, s, code, gtin, lot, NULL);
        }
        return made(c, s, code, gtin, NULL, NULL);
    }
    return contents(c, s, code, 0);
}

typedef struct rows_arg {
    tr_ctx *c;
    scope *s;
    tally *t;
    size_t n;
} rows_arg;

static int batch_row(void *arg, const char *code, const char *party, int state)
{
    rows_arg *a = arg;
    bool done;
    int rc;

    if (++a->n > YIMA_TRACE_UNITS_MAX)
        return yima_error_set(a->c->err, YIMA_ETOOBIG, 0,
                              "trace: more than %d units in scope",
                              YIMA_TRACE_UNITS_MAX);
    if ((rc = tally_row(a->c, a->t, party, state, &done)) != 0 || done)
        return rc;
    return add(a->c, a->s, &a->s->units, tr_strdup(a->c, code)); /* replay */
}

/* A batch's units from the custody rows its commissionings marked (one
 * indexed range), tallied as they come; the batch code itself may be
 * goods by quantity. Only with no `at`. */
static int batch_rows(tr_ctx *c, const char *code, scope *s, tally *t)
{
    rows_arg a = {c, s, t, 0};
    yima_error e;
    int rc = yima_store_custody_batch(c->st, code, batch_row, &a, &e);

    if (rc != YIMA_ETOOBIG && rc != YIMA_ENOMEM) /* those said already */
        tr_fail(c, rc, &e);
    return rc ? rc : add(c, s, &s->classes, code);
}

static bool batch_scope(tr_ctx *c, const char *code)
{
    static const yima_code_opts o = {0, true};

    return c->at == INT64_MAX &&
           yima_code_parse(code, strlen(code), &o, &c->code, NULL) == 0 &&
           c->code.scheme == YIMA_SCHEME_GS1 && yima_code_ai(&c->code, "01") &&
           yima_code_ai(&c->code, "10") && !yima_code_ai(&c->code, "21");
}

int tr_forward(tr_ctx *c, const char *code, json_t **out)
{
    scope s = {0};
    tally t = {0};
    int rc;

    *out = NULL;
    t.over = json_array();
    rc = batch_scope(c, code) ? batch_rows(c, code, &s, &t)
                              : resolve(c, code, &s);
    if (rc != 0)
        goto out;
    /* in code order: neighbouring custody rows share pages */
    if (s.units.n > 1)
        qsort(s.units.v, s.units.n, sizeof *s.units.v, by_code);
    for (size_t i = 0; i < s.units.n && rc == 0; i++)
        rc = unit(c, &t, s.units.v[i]);
    for (size_t i = 0; i < s.classes.n && rc == 0; i++)
        rc = class(c, &t, s.classes.v[i]);
    if (rc == 0 && !t.any && !producer_scope(code))
        rc = yima_error_set(c->err, YIMA_ENOTFOUND, 0,
                            "trace: no event names %s%s", code,
                            c->at < INT64_MAX ? " by that time" : "");
    if (rc == 0)
        *out = result(code, &t);
out:
    free(s.seen.key);
    free(s.seen.val);
    tr_vec_free(&s.units);
    tr_vec_free(&s.classes);
    free(t.at.key);
    free(t.at.val);
    tr_vec_free(&t.holders);
    tr_vec_free(&t.sold);
    tr_vec_free(&t.outputs);
    json_decref(t.over);
    return rc ? rc : c->rc;
}
