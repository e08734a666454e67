/*
 * custody.c - the custody replay of one unit (rules in yima/trace.h): who
 * held it from its commissioning on, which containers it rode in, and how
 * its story ended (held, sold, transformed, unknown).
 *
 * The events come from yima_store_events(), which already adds a
 * container's events while the unit is packed in it, so the replay does
 * not follow containers itself: it only notes them. Several rules may
 * apply to one event, in this order: it brings the unit into being, it
 * names a destination, it is a retail sale.
 */
#include <stdlib.h>
#include <string.h>

#include "trace_int.h"

int tr_chain_push(tr_chain *ch, const char *party, const tr_event *ev)
{
    if (ch->n == ch->cap) {
        size_t cap = ch->cap ? ch->cap * 2 : 8;
        tr_step *v = realloc(ch->v, cap * sizeof *v);
        if (!v)
            return YIMA_ENOMEM;
        ch->v = v;
        ch->cap = cap;
    }
    ch->v[ch->n++] = (tr_step){.party = party, .ev = ev};
    return 0;
}

void tr_chain_free(tr_chain *ch)
{
    free(ch->v);
    free(ch->bal);
    tr_vec_free(&ch->containers);
    tr_vec_free(&ch->made_by);
    memset(ch, 0, sizeof *ch);
}

static const char *last(const tr_chain *ch)
{
    return ch->n ? ch->v[ch->n - 1].party : NULL;
}

/* Move custody to party, unless it already has it. */
static int move(tr_chain *ch, const char *party, const tr_event *ev)
{
    const char *now = last(ch);

    if (!party || (now && strcmp(now, party) == 0))
        return 0;
    return tr_chain_push(ch, party, ev);
}

/* Does list name any of the codes tracked (the unit, its containers)? */
static bool names_any(const tr_strs *list, const tr_vec *tracked)
{
    for (size_t i = 0; i < tracked->n; i++)
        if (tr_strs_has(list, tracked->v[i]))
            return true;
    return false;
}

/* AggregationEvents: note the containers the unit (or its container) is
 * packed into, and forget them when unpacked. */
static int pack(tr_chain *ch, tr_vec *tracked, const tr_event *ev)
{
    const char *p = ev->parent;
    int rc = 0;

    if (ev->type != YIMA_EVENT_AGGREGATION || !p)
        return 0;
    if (ev->action == 'A' && names_any(&ev->children, tracked) &&
        !tr_vec_has(tracked, p)) {
        if ((rc = tr_vec_push(tracked, (void *)p)) == 0 &&
            !tr_vec_has(&ch->containers, p))
            rc = tr_vec_push(&ch->containers, (void *)p);
    } else if (ev->action == 'D' && tr_vec_has(tracked, p) &&
               (ev->children.n == 0 || names_any(&ev->children, tracked))) {
        for (size_t i = 1; i < tracked->n; i++) /* [0] is the unit */
            if (strcmp(tracked->v[i], p) == 0)
                tracked->v[i] = tracked->v[--tracked->n];
    }
    return rc;
}

int tr_custody(tr_ctx *c, const char *code, const tr_list *events, tr_chain *ch)
{
    tr_vec tracked = {0};
    int rc;

    memset(ch, 0, sizeof *ch);
    if ((rc = tr_vec_push(&tracked, (void *)code)) != 0)
        goto out;
    for (size_t i = 0; i < events->n && ch->end != TR_TRANSFORMED; i++) {
        const tr_event *ev = events->v[i];

        if ((rc = pack(ch, &tracked, ev)) != 0)
            goto out;
        if (ev->type == YIMA_EVENT_TRANSFORMATION) {
            if (names_any(&ev->inputs, &tracked)) {
                ch->end = TR_TRANSFORMED;
                ch->end_ev = ev;
                continue;
            }
            if (!tr_strs_has(&ev->outputs, code))
                continue;
            if ((rc = tr_vec_push(&ch->made_by, (void *)ev)) != 0)
                goto out;
        }
        if (ch->n == 0 &&
            (ev->type == YIMA_EVENT_TRANSFORMATION ||
             (ev->type == YIMA_EVENT_OBJECT && ev->action == 'A')))
            rc = move(ch, tr_origin(c, ev, code), ev);
        else if (ch->n == 0 && ev->src)
            rc = move(ch, tr_party(c, ev->src), ev);
        if (rc == 0 && ev->dst)
            rc = move(ch, tr_party(c, ev->dst), ev);
        if (rc == 0 && ev->sale)
            rc = move(ch, TR_CONSUMER, ev);
        if (rc != 0)
            goto out;
    }
    if (ch->end != TR_TRANSFORMED)
        ch->end = !last(ch)                            ? TR_UNKNOWN
                  : strcmp(last(ch), TR_CONSUMER) == 0 ? TR_SOLD
                                                       : TR_HELD;
out:
    tr_vec_free(&tracked);
    if (rc == 0 && c->rc)
        rc = c->rc;
    return rc;
}
