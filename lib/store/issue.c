/*
 * issue.c - who records events, capture jobs, and platform codes issued to
 * parties (see yima/store.h).
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yima/code.h"

#include "store_int.h"

int yima_store_set_recorder(yima_store *st, const char *party)
{
    assert(st);
    if (party && strlen(party) >= sizeof st->recorder)
        return YIMA_EINVAL;
    snprintf(st->recorder, sizeof st->recorder, "%s", party ? party : "");
    return 0;
}

int yima_store_capture_put(yima_store *st, const char *id, const char *party,
                           const char *json, yima_error *err)
{
    assert(st && id && json);
    yima_error_clear(err);
    return st->ops->capture_put(st->be, id, party, store_now_ms(), json, err);
}

int yima_store_capture_get(yima_store *st, const char *id,
                           char party[YIMA_PARTY_MAX], yima_buf *json,
                           yima_error *err)
{
    assert(st && id && party && json);
    yima_error_clear(err);
    return st->ops->capture_get(st->be, id, party, json, err);
}

/* The canonical form of s, of the scheme wanted (any: YIMA_SCHEME_UNKNOWN),
 * into out (size n). */
static int canonical(const char *s, yima_scheme want, char *out, size_t n,
                     yima_error *err)
{
    yima_code *c = malloc(sizeof *c);
    yima_error ce;
    int rc = 0;

    if (!c)
        return yima_error_set(err, YIMA_ENOMEM, 0, "out of memory");
    if (yima_code_parse(s, strlen(s), NULL, c, &ce) != 0)
        rc = yima_error_set(err, YIMA_EINVAL, ce.pos, "%.100s: %s", s, ce.msg);
    else if (want != YIMA_SCHEME_UNKNOWN && c->scheme != want)
        rc = yima_error_set(err, YIMA_EINVAL, 0, "%.100s is not a %s code", s,
                            yima_scheme_name(want));
    else if (strlen(c->canonical) >= n)
        rc = yima_error_set(err, YIMA_EINVAL, 0, "%.100s is too long", s);
    else
        memcpy(out, c->canonical, strlen(c->canonical) + 1);
    free(c);
    return rc;
}

int yima_store_issue(yima_store *st, const char *party, const char *product,
                     char code[YIMA_DIC_LEN + 1], yima_error *err)
{
    char p[YIMA_PARTY_MAX], prod[256] = "";
    yima_buf json;
    int rc;

    assert(st && party && code);
    yima_error_clear(err);
    if ((rc = canonical(party, YIMA_SCHEME_USCC, p, sizeof p, err)) != 0)
        return rc;
    yima_buf_init(&json, 1 << 20);
    rc = yima_store_master_get(st, YIMA_STORE_PARTY, p, NULL, &json, err);
    if (rc == 0 && product) {
        yima_buf_reset(&json);
        rc = canonical(product, YIMA_SCHEME_UNKNOWN, prod, sizeof prod, err);
        if (rc == 0)
            rc = yima_store_master_get(st, YIMA_STORE_PRODUCT, prod, NULL,
                                       &json, err);
        /* the product must be the party's own */
        if (rc == 0 && !strstr(json.data ? json.data : "", p))
            rc = yima_error_set(err, YIMA_EINVAL, 0,
                                "product %s is not a product of %s", prod, p);
    }
    yima_buf_free(&json);
    if (rc != 0)
        return rc;
    /* The USCC inside the canonical form is the issuer yima_dic_issue
     * takes; a random collision with an issued code is tried again. */
    for (int tries = 0; tries < 4; tries++) {
        if ((rc = yima_dic_issue(p + strlen("urn:yima:uscc:"), code, err)) !=
            0)
            return rc;
        char canon[64];

        snprintf(canon, sizeof canon, "urn:yima:dic:%s", code);
        rc = st->ops->issued_put(st->be, canon, p, prod[0] ? prod : NULL,
                                 store_now_ms(), err);
        if (rc != YIMA_EINVAL)
            return rc;
    }
    return rc;
}

int yima_store_issued_get(yima_store *st, const char *code,
                          yima_store_issued *out, yima_error *err)
{
    char c[64];
    yima_code *parsed = malloc(sizeof *parsed);
    int rc = 0;

    assert(st && code && out);
    yima_error_clear(err);
    if (!parsed)
        return yima_error_set(err, YIMA_ENOMEM, 0, "out of memory");
    if (yima_code_parse(code, strlen(code), NULL, parsed, NULL) != 0 ||
        parsed->scheme != YIMA_SCHEME_DIC ||
        strlen(parsed->canonical) >= sizeof c)
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "%.100s is not a platform code", code);
    else
        memcpy(c, parsed->canonical, strlen(parsed->canonical) + 1);
    free(parsed);
    if (rc != 0)
        return rc;
    memset(out, 0, sizeof *out);
    return st->ops->issued_get(st->be, c, out, err);
}
