/*
 * context.c - namespace prefixes from a JSON-LD @context, and the two uses
 * the event hash makes of them: field names written "{iri}localName" and
 * CURIE values expanded to full IRIs.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "epcis_int.h"

/* The prefixes the standard EPCIS 2.0 context defines. */
static const epcis_ns std_ns[] = {
    {"epcis", "https://ref.gs1.org/epcis/"},
    {"cbv", "https://ref.gs1.org/cbv/"},
    {"cbvmda", "urn:epcglobal:cbv:mda:"},
    {"gs1", "https://gs1.org/voc/"},
    {"rdfs", "http://www.w3.org/2000/01/rdf-schema#"},
    {"owl", "http://www.w3.org/2002/07/owl#"},
    {"xsd", "http://www.w3.org/2001/XMLSchema#"},
    {"dcterms", "http://purl.org/dc/terms/"},
};

void epcis_ns_init(epcis_nsmap *m, const epcis_nsmap *parent)
{
    assert(m);
    m->v = NULL;
    m->n = 0;
    m->cap = 0;
    m->parent = parent;
}

void epcis_ns_free(epcis_nsmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].prefix);
        free(m->v[i].iri);
    }
    free(m->v);
    epcis_ns_init(m, m->parent);
}

static int add(epcis_nsmap *m, const char *prefix, const char *iri)
{
    epcis_ns *e;

    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 8;
        epcis_ns *v = realloc(m->v, cap * sizeof *v);
        if (!v)
            return YIMA_ENOMEM;
        m->v = v;
        m->cap = cap;
    }
    e = &m->v[m->n];
    e->prefix = strdup(prefix);
    e->iri = strdup(iri);
    if (!e->prefix || !e->iri) {
        free(e->prefix);
        free(e->iri);
        return YIMA_ENOMEM;
    }
    m->n++;
    return 0;
}

/* One object of a context: "prefix": "iri" or "prefix": {"@id": "iri"}.
 * Keywords, compact IRIs as keys and values that are not IRIs are skipped. */
static int add_object(epcis_nsmap *m, const json_t *o)
{
    const char *key;
    json_t *val;

    json_object_foreach((json_t *)o, key, val)
    {
        const char *iri = NULL;
        int rc;

        if (key[0] == '@' || key[0] == '\0' || strchr(key, ':'))
            continue;
        if (json_is_string(val))
            iri = json_string_value(val);
        else if (json_is_object(val) &&
                 json_is_string(json_object_get(val, "@id")))
            iri = json_string_value(json_object_get(val, "@id"));
        if (!iri || iri[0] == '@' || !strchr(iri, ':'))
            continue;
        if ((rc = add(m, key, iri)) != 0)
            return rc;
    }
    return 0;
}

int epcis_ns_add_context(epcis_nsmap *m, const json_t *context)
{
    assert(m);
    if (json_is_object(context))
        return add_object(m, context);
    if (json_is_array(context)) {
        size_t i;
        json_t *c;
        json_array_foreach((json_t *)context, i, c)
        {
            int rc;
            if (json_is_object(c) && (rc = add_object(m, c)) != 0)
                return rc;
        }
    }
    return 0; /* a context URL, or nothing usable */
}

const char *epcis_ns_iri(const epcis_nsmap *m, const char *p, size_t n)
{
    /* The first byte first: most values split at a colon ("urn:...")
     * have no prefix defined, and are looked up for every value. */
    const char c = n ? p[0] : '\0';

    for (; m; m = m->parent)
        for (size_t i = m->n; i-- > 0;)
            if (m->v[i].prefix[0] == c && strlen(m->v[i].prefix) == n &&
                memcmp(m->v[i].prefix, p, n) == 0)
                return m->v[i].iri;
    for (size_t i = 0; i < sizeof std_ns / sizeof std_ns[0]; i++)
        if (std_ns[i].prefix[0] == c && strlen(std_ns[i].prefix) == n &&
            memcmp(std_ns[i].prefix, p, n) == 0)
            return std_ns[i].iri;
    return NULL;
}

/* The IRI of the prefix of compact IRI s, with *rest set to the local part;
 * NULL when s has no known prefix. "p://..." is an IRI, never a CURIE. */
static const char *split(const epcis_nsmap *m, const char *s, size_t n,
                         size_t *rest)
{
    const char *colon = memchr(s, ':', n);
    size_t k;

    if (!colon || colon == s)
        return NULL;
    k = (size_t)(colon - s);
    if (n - k >= 3 && colon[1] == '/' && colon[2] == '/')
        return NULL;
    *rest = k + 1;
    return epcis_ns_iri(m, s, k);
}

int epcis_ns_key(yima_buf *out, const epcis_nsmap *m, const char *key)
{
    size_t n = strlen(key), rest = 0;
    const char *iri = split(m, key, n, &rest);

    assert(out && key);
    if (!iri)
        return yima_buf_add(out, key, n);
    yima_buf_putc(out, '{');
    yima_buf_puts(out, iri);
    yima_buf_putc(out, '}');
    return yima_buf_add(out, key + rest, n - rest);
}

int epcis_ns_curie(yima_buf *out, const epcis_nsmap *m, const char *s, size_t n)
{
    size_t rest = 0;
    const char *iri = split(m, s, n, &rest);
    int rc;

    assert(out && (s || n == 0));
    if (!iri)
        return 0;
    yima_buf_puts(out, iri);
    if ((rc = yima_buf_add(out, s + rest, n - rest)) != 0)
        return rc;
    return 1;
}

void epcis_names_free(epcis_names *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

int epcis_names_add(epcis_names *l, const char *s, size_t n)
{
    char *c;

    assert(l && s);
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return YIMA_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    if (!(c = malloc(n + 1)))
        return YIMA_ENOMEM;
    memcpy(c, s, n);
    c[n] = '\0';
    l->v[l->n++] = c;
    return 0;
}

bool epcis_names_has(const epcis_names *l, const char *s)
{
    if (!l)
        return false;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return true;
    return false;
}
