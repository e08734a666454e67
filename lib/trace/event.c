/*
 * event.c - a stored event's canonical JSON into a tr_event: codes in
 * canonical form, CBV words bare, the owning (else possessing) party of
 * the source and destination lists. Each event is parsed once per trace
 * (cached by ledger index): the units of a case share its events.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "yima/epcis.h"

#include "trace_int.h"

const char *tr_canon(tr_ctx *c, const char *s, size_t n)
{
    static const yima_code_opts o = {0, true};
    yima_error e;
    char *p;

    if (yima_code_parse(s, n, &o, &c->code, &e) == 0)
        return tr_strdup(c, c->code.canonical);
    if (!(p = tr_alloc(c, n + 1)))
        return NULL;
    memcpy(p, s, n);
    return p;
}

bool tr_strs_has(const tr_strs *s, const char *code)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], code) == 0)
            return true;
    return false;
}

/* The bare CBV word of a bizStep, disposition or source/destination type
 * given as a word, URN, web URI or CURIE. */
static const char *word(const json_t *v, const char *const *prefixes)
{
    const char *s = json_string_value(v);

    if (!s)
        return NULL;
    for (; *prefixes; prefixes++) {
        size_t n = strlen(*prefixes);
        if (strncmp(s, *prefixes, n) == 0)
            return s + n;
    }
    return s;
}

static const char *const step_prefix[] = {
    "https://ref.gs1.org/cbv/BizStep-",
    "urn:epcglobal:cbv:bizstep:", "cbv:BizStep-", NULL};
static const char *const disp_prefix[] = {
    "https://ref.gs1.org/cbv/Disp-", "urn:epcglobal:cbv:disp:", "cbv:Disp-",
    NULL};
static const char *const sdt_prefix[] = {
    "https://ref.gs1.org/cbv/SDT-", "urn:epcglobal:cbv:sdt:", "cbv:SDT-", NULL};

static int codes(tr_ctx *c, const json_t *a, tr_strs *out)
{
    size_t i;
    const json_t *v;

    if (!json_is_array(a) || json_array_size(a) == 0)
        return 0;
    if (!(out->v = tr_alloc(c, json_array_size(a) * sizeof *out->v)))
        return YIMA_ENOMEM;
    json_array_foreach(
        a, i, v) if (json_is_string(v) &&
                     !(out->v[out->n++] =
                           tr_canon(c, json_string_value(v),
                                    json_string_length(v)))) return YIMA_ENOMEM;
    return 0;
}

static int qtys(tr_ctx *c, const json_t *a, tr_qtys *out)
{
    size_t i;
    const json_t *v;

    if (!json_is_array(a) || json_array_size(a) == 0)
        return 0;
    if (!(out->v = tr_alloc(c, json_array_size(a) * sizeof *out->v)))
        return YIMA_ENOMEM;
    json_array_foreach(a, i, v)
    {
        const json_t *cls = json_object_get(v, "epcClass");
        const char *uom = json_string_value(json_object_get(v, "uom"));
        tr_qty *q = &out->v[out->n];

        if (!json_is_string(cls))
            continue;
        q->cls = tr_canon(c, json_string_value(cls), json_string_length(cls));
        q->q = json_number_value(json_object_get(v, "quantity"));
        q->uom = tr_strdup(c, uom ? uom : "");
        if (!q->cls || !q->uom)
            return YIMA_ENOMEM;
        out->n++;
    }
    return 0;
}

/* The owning_party (else possessing_party) of a source or destination
 * list, in canonical form. */
static const char *party_of(tr_ctx *c, const json_t *list, const char *key)
{
    const json_t *best = NULL, *item;
    size_t i;

    json_array_foreach(list, i, item)
    {
        const char *t = word(json_object_get(item, "type"), sdt_prefix);
        const json_t *v = json_object_get(item, key);

        if (!t || !json_is_string(v))
            continue;
        if (strcmp(t, "owning_party") == 0)
            best = v;
        else if (strcmp(t, "possessing_party") == 0 && !best)
            best = v;
    }
    return best ? tr_canon(c, json_string_value(best), json_string_length(best))
                : NULL;
}

/* The lot of each ADD epcList unit: its own AI (10), else the ILMD
 * lotNumber (as lib/epcis/read.c posts the batch codes). */
static int lots(tr_ctx *c, const json_t *ev, tr_event *e)
{
    static const yima_code_opts o = {0, true};
    const json_t *ilmd = json_object_get(ev, "ilmd"), *v;
    const char *ilmd_lot = NULL;
    size_t i;

    if (e->epcs.n == 0)
        return 0;
    if (json_is_object(ilmd)) {
        v = json_object_get(ilmd, "cbvmda:lotNumber");
        if (!json_is_string(v))
            v = json_object_get(ilmd, "lotNumber");
        if (json_is_string(v) && json_string_length(v) > 0)
            ilmd_lot = json_string_value(v);
    }
    if (!(e->lots.v = tr_alloc(c, e->epcs.n * sizeof *e->lots.v)))
        return YIMA_ENOMEM;
    e->lots.n = e->epcs.n;
    json_array_foreach(json_object_get(ev, "epcList"), i, v)
    {
        yima_error err;
        const char *lot = ilmd_lot;

        if (i >= e->lots.n)
            break;
        if (json_is_string(v) &&
            yima_code_parse(json_string_value(v), json_string_length(v), &o,
                            &c->code, &err) == 0 &&
            yima_code_ai(&c->code, "10"))
            lot = yima_code_ai(&c->code, "10");
        if (lot && !(e->lots.v[i] = tr_strdup(c, lot)))
            return YIMA_ENOMEM;
    }
    return 0;
}

static yima_event_type type_of(const char *s)
{
    static const char *const names[] = {"ObjectEvent", "AggregationEvent",
                                        "TransformationEvent",
                                        "TransactionEvent", "AssociationEvent"};

    for (int i = 0; s && i < 5; i++)
        if (strcmp(s, names[i]) == 0)
            return (yima_event_type)(YIMA_EVENT_OBJECT + i);
    return 0;
}

/* Fill e from the parsed event. */
static int fill(tr_ctx *c, const json_t *ev, tr_event *e)
{
    const json_t *v;
    const char *s, *disp;
    int rc;

    e->type = type_of(json_string_value(json_object_get(ev, "type")));
    v = json_object_get(ev, "eventTime");
    if (!json_is_string(v) ||
        yima_epcis_time_ms(json_string_value(v), json_string_length(v),
                           &e->t) != 0)
        return YIMA_EIO;
    e->time = tr_strdup(c, json_string_value(v));
    s = json_string_value(json_object_get(ev, "eventID"));
    e->id = tr_strdup(c, s ? s : "");
    s = json_string_value(json_object_get(ev, "action"));
    e->action = s ? s[0] : 0;
    s = word(json_object_get(ev, "bizStep"), step_prefix);
    e->step = s ? tr_strdup(c, s) : NULL;
    disp = word(json_object_get(ev, "disposition"), disp_prefix);
    e->sale = (s && strcmp(s, "retail_selling") == 0) ||
              (disp && strcmp(disp, "retail_sold") == 0);
    v = json_object_get(json_object_get(ev, "bizLocation"), "id");
    if (!json_is_string(v))
        v = json_object_get(json_object_get(ev, "readPoint"), "id");
    if (json_is_string(v))
        e->place = tr_canon(c, json_string_value(v), json_string_length(v));
    v = json_object_get(ev, "parentID");
    if (json_is_string(v))
        e->parent = tr_canon(c, json_string_value(v), json_string_length(v));
    e->src = party_of(c, json_object_get(ev, "sourceList"), "source");
    e->dst = party_of(c, json_object_get(ev, "destinationList"), "destination");
    if ((rc = codes(c, json_object_get(ev, "epcList"), &e->epcs)) != 0 ||
        (rc = codes(c, json_object_get(ev, "childEPCs"), &e->children)) ||
        (rc = codes(c, json_object_get(ev, "inputEPCList"), &e->inputs)) ||
        (rc = codes(c, json_object_get(ev, "outputEPCList"), &e->outputs)) ||
        (rc = qtys(c, json_object_get(ev, "quantityList"), &e->qty)) ||
        (rc = qtys(c, json_object_get(ev, "inputQuantityList"), &e->in_qty)) ||
        (rc = qtys(c, json_object_get(ev, "outputQuantityList"), &e->out_qty)))
        return rc;
    if (e->qty.n == 0 &&
        (rc = qtys(c, json_object_get(ev, "childQuantityList"), &e->qty)))
        return rc;
    if (e->action == 'A' && e->type == YIMA_EVENT_OBJECT &&
        (rc = lots(c, ev, e)) != 0)
        return rc;
    return c->rc ? c->rc : 0;
}

tr_event *tr_event_get(tr_ctx *c, uint64_t index, const char *json, size_t len)
{
    char key[24];
    tr_event *e;
    json_t *ev;
    int rc;

    snprintf(key, sizeof key, "%" PRIu64, index);
    if ((e = tr_map_get(&c->events, key)) != NULL)
        return e;
    if (!(e = tr_alloc(c, sizeof *e)))
        return NULL;
    e->index = index;
    if (!(ev = json_loadb(json, len, 0, NULL))) {
        rc = YIMA_EIO;
    } else {
        rc = fill(c, ev, e);
        json_decref(ev);
    }
    if (rc == 0)
        rc = tr_map_put(c, &c->events, key, e);
    if (rc != 0) {
        if (!c->rc)
            c->rc = yima_error_set(c->err, rc, 0,
                                   "trace: stored event %" PRIu64
                                   " cannot be read (%s)",
                                   index, yima_strerror(rc));
        return NULL;
    }
    return e;
}
