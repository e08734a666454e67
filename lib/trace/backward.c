/*
 * backward.c - the backward trace of a code: its custody chain from the
 * producer on, the containers it rode in, and, for a transformation's
 * output, the backward traces of the inputs it was made from (nested, up
 * to YIMA_TRACE_DEPTH_MAX levels; a code already on the path is not
 * followed again).
 */
#include <math.h>
#include <string.h>

#include "trace_int.h"

json_t *tr_number(double q)
{
    if (q == floor(q) && fabs(q) < 9e15)
        return json_integer((json_int_t)q);
    return json_real(q);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *tr_step_json(const tr_step *s)
{
    json_t *o = json_object();

    json_object_set_new(o, "party", json_string(s->party));
    json_object_set_new(o, "since", json_string(s->ev->time));
    json_object_set_new(o, "event", json_string(s->ev->id));
    json_object_set_new(o, "place", str_or_null(s->ev->place));
    json_object_set_new(o, "step", str_or_null(s->ev->step));
    if (s->uom) {
        json_object_set_new(o, "quantity", tr_number(s->q));
        json_object_set_new(o, "uom", json_string(s->uom));
    }
    if (s->over) {
        json_object_set_new(o, "over_shipped", json_true());
        json_object_set_new(o, "reason", json_string(s->over));
    }
    return o;
}

static int back(tr_ctx *c, const char *code, int depth, tr_vec *path,
                json_t **out);

/* The inputs of the transformations that made the code. */
static int inputs(tr_ctx *c, const tr_chain *ch, int depth, tr_vec *path,
                  json_t *list)
{
    tr_vec seen = {0};
    int rc = 0;

    for (size_t i = 0; i < ch->made_by.n && rc == 0; i++) {
        const tr_event *ev = ch->made_by.v[i];
        size_t n = ev->inputs.n + ev->in_qty.n;

        for (size_t k = 0; k < n && rc == 0; k++) {
            const char *in = k < ev->inputs.n
                                 ? ev->inputs.v[k]
                                 : ev->in_qty.v[k - ev->inputs.n].cls;
            json_t *o = NULL;

            if (tr_vec_has(&seen, in) || tr_vec_has(path, in) ||
                depth + 1 >= YIMA_TRACE_DEPTH_MAX)
                continue;
            if ((rc = tr_vec_push(&seen, (void *)in)) == 0 &&
                (rc = back(c, in, depth + 1, path, &o)) == 0)
                json_array_append_new(list, o);
        }
    }
    tr_vec_free(&seen);
    return rc;
}

static int back(tr_ctx *c, const char *code, int depth, tr_vec *path,
                json_t **out)
{
    tr_list events;
    tr_chain ch;
    json_t *o = NULL, *a;
    int rc;

    *out = NULL;
    if ((rc = tr_load_code(c, code, &events)) != 0)
        return rc;
    if (events.n == 0 && depth == 0) {
        tr_list_free(&events);
        return yima_error_set(c->err, YIMA_ENOTFOUND, 0,
                              "trace: no event names %s%s", code,
                              c->at < INT64_MAX ? " by that time" : "");
    }
    rc = tr_is_quantity(&events, code) ? tr_quantity(c, code, &events, &ch)
                                       : tr_custody(c, code, &events, &ch);
    if (rc != 0)
        goto out;
    o = json_object();
    json_object_set_new(o, "code", json_string(code));
    json_object_set_new(o, "custody", a = json_array());
    for (size_t i = 0; i < ch.n; i++)
        json_array_append_new(a, tr_step_json(&ch.v[i]));
    json_object_set_new(o, "containers", a = json_array());
    for (size_t i = 0; i < ch.containers.n; i++)
        json_array_append_new(a, json_string(ch.containers.v[i]));
    json_object_set_new(o, "inputs", a = json_array());
    if ((rc = tr_vec_push(path, (void *)code)) == 0) {
        rc = inputs(c, &ch, depth, path, a);
        path->n--;
    }
out:
    tr_chain_free(&ch);
    tr_list_free(&events);
    if (rc == 0)
        *out = o;
    else
        json_decref(o);
    return rc;
}

int tr_backward(tr_ctx *c, const char *code, json_t **out)
{
    tr_vec path = {0};
    int rc = back(c, code, 0, &path, out);

    tr_vec_free(&path);
    return rc;
}
