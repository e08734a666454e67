/*
 * quantity.c - goods traced by quantity (cable in metres, steel in tonnes):
 * a balance per party and unit of measure for one class code (an LGTIN
 * batch, or a product class), replayed over its events.
 *
 *   event with the class in ...              balances
 *   ---------------------------------------  --------------------------------
 *   ObjectEvent ADD quantityList, or a        + its origin party (destination,
 *   TransformationEvent outputQuantityList    source, else producer)
 *   a destination party (shipping, ...)       - the source party, + the
 *                                             destination
 *   a retail sale                             - the source, + consumers
 *   TransformationEvent inputQuantityList     - the source (made into outputs)
 *
 * The source is the event's source list (owning, else possessing party);
 * without one, the party holding the most. A party cannot ship more than
 * it holds: such an event is kept (the ledger has it), applied with the
 * source's balance floored at zero, and its step carries the reason, so
 * both traces show it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_int.h"

#define EPS 1e-9

bool tr_is_quantity(const tr_list *events, const char *code)
{
    for (size_t i = 0; i < events->n; i++) {
        const tr_event *e = events->v[i];
        const tr_qtys *l[3] = {&e->qty, &e->in_qty, &e->out_qty};

        for (int k = 0; k < 3; k++)
            for (size_t j = 0; j < l[k]->n; j++)
                if (strcmp(l[k]->v[j].cls, code) == 0)
                    return true;
    }
    return false;
}

/* The balance of party (NULL: consumers) in uom, made when missing. */
static tr_bal *bal(tr_chain *ch, const char *party, const char *uom)
{
    for (size_t i = 0; i < ch->nbal; i++) {
        tr_bal *b = &ch->bal[i];
        if (strcmp(b->uom, uom) == 0 &&
            (party ? b->party && strcmp(b->party, party) == 0 : !b->party))
            return b;
    }
    if (ch->nbal == ch->capbal) {
        size_t cap = ch->capbal ? ch->capbal * 2 : 8;
        tr_bal *v = realloc(ch->bal, cap * sizeof *v);
        if (!v)
            return NULL;
        ch->bal = v;
        ch->capbal = cap;
    }
    ch->bal[ch->nbal] = (tr_bal){party, uom, 0};
    return &ch->bal[ch->nbal++];
}

/* Who gives the goods in ev: its source party, else the biggest holder. */
static const char *giver(tr_ctx *c, tr_chain *ch, const tr_event *ev,
                         const char *uom)
{
    const tr_bal *best = NULL;

    if (ev->src)
        return tr_party(c, ev->src);
    for (size_t i = 0; i < ch->nbal; i++)
        if (ch->bal[i].party && strcmp(ch->bal[i].uom, uom) == 0 &&
            ch->bal[i].q > EPS && (!best || ch->bal[i].q > best->q))
            best = &ch->bal[i];
    return best ? best->party : NULL;
}

static void fmt(char *out, size_t n, double q)
{
    snprintf(out, n, "%.15g", q);
}

/* Take q from party; the reason when it holds less, else NULL. */
static const char *take(tr_ctx *c, tr_chain *ch, const char *party,
                        const tr_qty *q)
{
    char why[YIMA_ERROR_MSG_MAX], a[32], b[32];
    tr_bal *from = party ? bal(ch, party, q->uom) : NULL;

    if (party && !from) {
        c->rc = YIMA_ENOMEM;
        return NULL;
    }
    fmt(a, sizeof a, q->q);
    if (!from) {
        snprintf(why, sizeof why, "%s %s left nobody known to hold them", a,
                 q->uom);
        return tr_strdup(c, why);
    }
    if (from->q + EPS >= q->q) {
        from->q -= q->q;
        return NULL;
    }
    fmt(b, sizeof b, from->q);
    snprintf(why, sizeof why, "%s shipped %s %s but held %s %s", party, a,
             q->uom, b, q->uom);
    from->q = 0;
    return tr_strdup(c, why);
}

/* Add a step that moves q to party (TR_CONSUMER for a sale). */
static int give(tr_ctx *c, tr_chain *ch, const char *party, const tr_qty *q,
                const tr_event *ev, const char *over)
{
    bool sale = strcmp(party, TR_CONSUMER) == 0;
    tr_bal *to = bal(ch, sale ? NULL : party, q->uom);
    tr_step *s;

    if (!to || tr_chain_push(ch, party, ev) != 0)
        return c->rc = YIMA_ENOMEM;
    to->q += q->q;
    s = &ch->v[ch->n - 1];
    s->q = q->q;
    s->uom = q->uom;
    s->over = over;
    return 0;
}

/* Apply one quantity element of class code in ev. */
static int apply(tr_ctx *c, tr_chain *ch, const char *code, const tr_event *ev,
                 const tr_qty *q, int list)
{
    const char *from, *to, *over;

    if (list == 2 ||
        (list == 0 && ev->type == YIMA_EVENT_OBJECT && ev->action == 'A')) {
        to = tr_origin(c, ev, code);
        return to ? give(c, ch, to, q, ev, NULL) : 0;
    }
    if (list == 1) { /* made into the outputs: leaves the balances */
        from = giver(c, ch, ev, q->uom);
        over = take(c, ch, from, q);
        if (over && tr_chain_push(ch, from ? from : "", ev) == 0) {
            ch->v[ch->n - 1].q = q->q;
            ch->v[ch->n - 1].uom = q->uom;
            ch->v[ch->n - 1].over = over;
        }
        return c->rc;
    }
    if (ev->sale)
        to = TR_CONSUMER;
    else if (ev->dst)
        to = tr_party(c, ev->dst);
    else
        return 0; /* observed where it is: nothing moves */
    from = giver(c, ch, ev, q->uom);
    if (to && from && strcmp(from, to) == 0)
        return 0;
    over = take(c, ch, from, q);
    return to ? give(c, ch, to, q, ev, over) : c->rc;
}

int tr_quantity(tr_ctx *c, const char *code, const tr_list *events,
                tr_chain *ch)
{
    int rc = 0;

    memset(ch, 0, sizeof *ch);
    for (size_t i = 0; i < events->n && rc == 0; i++) {
        const tr_event *e = events->v[i];
        const tr_qtys *l[3] = {&e->qty, &e->in_qty, &e->out_qty};

        for (int k = 0; k < 3 && rc == 0; k++)
            for (size_t j = 0; j < l[k]->n && rc == 0; j++)
                if (strcmp(l[k]->v[j].cls, code) == 0 && l[k]->v[j].q > 0)
                    rc = apply(c, ch, code, e, &l[k]->v[j], k);
        for (size_t j = 0; j < e->out_qty.n && rc == 0; j++)
            if (strcmp(e->out_qty.v[j].cls, code) == 0) {
                rc = tr_vec_push(&ch->made_by, (void *)e);
                break;
            }
    }
    ch->end = TR_HELD;
    return rc ? rc : c->rc;
}
