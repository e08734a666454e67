/*
 * party.c - who a code names: the parties of source and destination lists
 * (a USCC, or a GLN mapped to its party through master data), and the
 * producer of a unit, batch or product. Answers are cached per trace: a
 * forward trace asks about the same few parties for every unit.
 */
#include <stdio.h>
#include <string.h>

#include "trace_int.h"

#define USCC_URN "urn:yima:uscc:"
#define GS1_URI  "https://id.gs1.org/"

/* The USCC without its URN prefix: how parties are shown. */
static const char *bare(const char *uscc)
{
    size_t n = strlen(USCC_URN);

    return strncmp(uscc, USCC_URN, n) == 0 ? uscc + n : uscc;
}

/* The stored party of a GS1 key (yima_store_party_by_gs1), shown bare, or
 * NULL. A store failure is kept in c->rc. */
static const char *party_by_gs1(tr_ctx *c, const char *key, size_t from)
{
    char party[YIMA_PARTY_MAX];
    yima_error e;
    int rc = yima_store_party_by_gs1(c->st, key, from, party, &e);

    if (rc == 0)
        return tr_strdup(c, bare(party));
    if (rc != YIMA_ENOTFOUND)
        tr_fail(c, rc, &e);
    return NULL;
}

const char *tr_party(tr_ctx *c, const char *code)
{
    const char *p = tr_map_get(&c->parties, code);
    size_t n = strlen(GS1_URI);

    if (p)
        return p;
    if (strncmp(code, GS1_URI, n) == 0 &&
        (strncmp(code + n, "417/", 4) == 0 ||
         strncmp(code + n, "414/", 4) == 0) &&
        strlen(code + n + 4) >= 13) {
        char gln[14];

        memcpy(gln, code + n + 4, 13);
        gln[13] = '\0';
        if (!(p = party_by_gs1(c, gln, 0)))
            p = tr_strdup(c, gln);
    } else {
        p = tr_strdup(c, bare(code));
    }
    if (p)
        tr_map_put(c, &c->parties, code, (void *)p);
    return p;
}

/* The "producer" member of product `gtin`'s master data, or NULL. */
static const char *product_producer(tr_ctx *c, const char *gtin)
{
    char key[64];
    yima_buf b;
    yima_error e;
    json_t *o;
    const char *p = NULL;
    int rc;

    snprintf(key, sizeof key, GS1_URI "01/%s", gtin);
    yima_buf_init(&b, 1 << 20);
    rc = yima_store_master_get(c->st, YIMA_STORE_PRODUCT, key, NULL, &b, &e);
    if (rc == 0 && (o = json_loadb(b.data, b.len, 0, NULL)) != NULL) {
        const char *s = json_string_value(json_object_get(o, "producer"));
        if (s)
            p = tr_strdup(c, bare(s));
        json_decref(o);
    } else if (rc != YIMA_ENOTFOUND && rc != YIMA_EINVAL) {
        tr_fail(c, rc, &e);
    }
    yima_buf_free(&b);
    return p;
}

const char *tr_producer(tr_ctx *c, const char *code)
{
    static const yima_code_opts o = {0, true};
    const char *gtin, *p, *key;
    char k[YIMA_CODE_URI_MAX];
    yima_error e;

    if (yima_code_parse(code, strlen(code), &o, &c->code, &e) != 0)
        return NULL;
    gtin = yima_code_ai(&c->code, "01");
    key = gtin ? gtin : c->code.canonical;
    snprintf(k, sizeof k, "%s", key);
    if ((p = tr_map_get(&c->makers, k)) != NULL)
        return p[0] ? p : NULL;
    if (gtin) {
        char g[16];
        snprintf(g, sizeof g, "%s", gtin);
        if (!(p = product_producer(c, g)))
            p = party_by_gs1(c, g, 1);
    } else if (yima_code_ai(&c->code, "00")) {
        char sscc[20];
        snprintf(sscc, sizeof sscc, "%s", yima_code_ai(&c->code, "00"));
        p = party_by_gs1(c, sscc, 1);
    } else if (c->code.scheme == YIMA_SCHEME_DIC) {
        yima_store_issued is;
        if (yima_store_issued_get(c->st, k, &is, &e) == 0)
            p = tr_strdup(c, bare(is.party));
    }
    tr_map_put(c, &c->makers, k, (void *)(p ? p : ""));
    return p;
}

const char *tr_origin(tr_ctx *c, const tr_event *ev, const char *code)
{
    if (ev->dst)
        return tr_party(c, ev->dst);
    if (ev->src)
        return tr_party(c, ev->src);
    return tr_producer(c, code);
}
