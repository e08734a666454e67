/*
 * hash.c - the event hash API (see yima/epcis.h): find the events of an
 * EPCIS document, write each one's pre-hash string (prehash.c) and hash it
 * with SHA-256 (OpenSSL libcrypto) into an ni: URI.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "epcis_int.h"

#define ID_HEAD "ni:///sha-256;"
#define ID_TAIL "?ver=CBV2.0"

/* Write "ni:///sha-256;<hex>?ver=CBV2.0" for digest md (32 bytes). */
static void write_id(const unsigned char *md,
                     char id[YIMA_EPCIS_HASH_ID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    char *p = id;

    memcpy(p, ID_HEAD, strlen(ID_HEAD));
    p += strlen(ID_HEAD);
    for (unsigned int i = 0; i < 32; i++) {
        *p++ = hex[md[i] >> 4];
        *p++ = hex[md[i] & 15];
    }
    memcpy(p, ID_TAIL, strlen(ID_TAIL) + 1);
}

int yima_epcis_hash_id(const char *prehash, size_t len,
                       char id[YIMA_EPCIS_HASH_ID_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    assert((prehash || len == 0) && id);
    id[0] = '\0';
    if (EVP_Digest(prehash ? prehash : "", len, md, &mdlen, EVP_sha256(),
                   NULL) != 1 ||
        mdlen != 32)
        return YIMA_EIO;
    write_id(md, id);
    return 0;
}

/* What a reader keeps for all its events: EVP_Digest() looks SHA-256 up
 * and sets up a context on every call, which cost as much as the hashing
 * of a typical event. */
struct epcis_hasher {
    EVP_MD *md;
    EVP_MD_CTX *ctx;
};

epcis_hasher *epcis_hasher_new(void)
{
    epcis_hasher *h = calloc(1, sizeof *h);

    if (!h)
        return NULL;
    h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
    h->ctx = EVP_MD_CTX_new();
    if (!h->md || !h->ctx) {
        epcis_hasher_free(h);
        return NULL;
    }
    return h;
}

void epcis_hasher_free(epcis_hasher *h)
{
    if (!h)
        return;
    EVP_MD_CTX_free(h->ctx);
    EVP_MD_free(h->md);
    free(h);
}

int epcis_hasher_id(epcis_hasher *h, const char *prehash, size_t len,
                    char id[YIMA_EPCIS_HASH_ID_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    assert(h && (prehash || len == 0) && id);
    id[0] = '\0';
    if (EVP_DigestInit_ex(h->ctx, h->md, NULL) != 1 ||
        EVP_DigestUpdate(h->ctx, prehash ? prehash : "", len) != 1 ||
        EVP_DigestFinal_ex(h->ctx, md, &mdlen) != 1 || mdlen != 32)
        return YIMA_EIO;
    write_id(md, id);
    return 0;
}

/* Characters (not bytes) of UTF-8 text s before byte offset `off`. */
static size_t char_count(const char *s, size_t off)
{
    size_t n = 0;

    for (size_t i = 0; i < off; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            n++;
    return n;
}

json_t *epcis_parse(const char *json, size_t len, bool dup_keys,
                    const char *what, yima_error *err)
{
    return epcis_parse_depth(json, len, dup_keys, what, err, NULL);
}

json_t *epcis_parse_depth(const char *json, size_t len, bool dup_keys,
                          const char *what, yima_error *err, int *depth)
{
    json_error_t je;
    json_t *root;

    if (depth)
        *depth = -1;
    if ((root = epcis_json_quick(json, len, dup_keys, depth)) != NULL)
        return root;
    root = json_loadb(json, len,
                      (dup_keys ? 0 : JSON_REJECT_DUPLICATES) | JSON_DECODE_ANY,
                      &je);
    if (!root) {
        size_t off = je.position > 0 && (size_t)je.position <= len
                         ? (size_t)je.position
                         : 0;
        yima_error_set(err, YIMA_EINVAL, off ? char_count(json, off) : 0,
                       "%s is not valid JSON: %s (line %d, column %d)", what,
                       je.text, je.line, je.column);
    }
    return root;
}

/* Hash one event: pre-hash string into pre (reset first), ID into id. */
static int hash_one(const json_t *ev, const epcis_nsmap *ns,
                    const epcis_names *ignore, size_t event_no, yima_buf *pre,
                    char id[YIMA_EPCIS_HASH_ID_LEN + 1], yima_error *err)
{
    int rc;

    yima_buf_reset(pre);
    if ((rc = epcis_prehash(ev, NULL, ns, ignore, event_no, pre, err)) != 0)
        return rc;
    if ((rc = yima_epcis_hash_id(pre->data ? pre->data : "", pre->len, id)))
        return yima_error_set(err, rc, 0, "SHA-256 failed in libcrypto");
    return 0;
}

/* Add the fields named by a "<prefix>:ignoreFields" array of object o (if
 * any) to l, expanded with the document's prefixes. */
static int add_ignore_fields(epcis_names *l, const json_t *o,
                             const epcis_nsmap *ns, yima_error *err)
{
    const char *key;
    json_t *v, *c;
    yima_buf name;
    size_t i, k;
    int rc = 0;

    if (!json_is_object(o))
        return 0;
    yima_buf_init(&name, YIMA_EPCIS_PREHASH_MAX);
    json_object_foreach((json_t *)o, key, v)
    {
        k = strlen(key);
        if (strcmp(key, "ignoreFields") != 0 &&
            (k < 13 || strcmp(key + k - 13, ":ignoreFields") != 0))
            continue;
        if (!json_is_array(v)) {
            rc = yima_error_set(err, YIMA_EINVAL, 0,
                                "%s: expected an array of field names, got %s",
                                key, epcis_json_kind(v));
            goto out;
        }
        json_array_foreach(v, i, c)
        {
            if (!json_is_string(c)) {
                rc = yima_error_set(err, YIMA_EINVAL, 0,
                                    "%s[%zu]: expected a field name, got %s",
                                    key, i, epcis_json_kind(c));
                goto out;
            }
            yima_buf_reset(&name);
            if ((rc = epcis_ns_key(&name, ns, json_string_value(c))) != 0 ||
                (rc = epcis_names_add(l, name.data, name.len)) != 0) {
                yima_error_set(err, rc, 0, "%s[%zu]: %s", key, i,
                               rc == YIMA_ENOMEM ? "out of memory"
                                                 : "field name too long");
                goto out;
            }
        }
    }
out:
    yima_buf_free(&name);
    return rc;
}

int epcis_find_events(const json_t *root, const epcis_nsmap *ns,
                      epcis_names *ignore, const json_t **events,
                      const json_t **single, yima_error *err)
{
    const json_t *type, *body, *list, *qr, *rb;
    const char *t;
    int rc;

    *events = *single = NULL;
    if (json_is_array(root)) {
        *events = root;
        return 0;
    }
    if (!json_is_object(root))
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "expected an EPCIS document, an event or an "
                              "array of events, got %s",
                              epcis_json_kind(root));
    type = json_object_get(root, "type");
    t = json_is_string(type) ? json_string_value(type) : "";
    body = json_object_get(root, "epcisBody");
    if (!body) {
        if (strcmp(t, "EPCISDocument") == 0 ||
            strcmp(t, "EPCISQueryDocument") == 0)
            return yima_error_set(err, YIMA_EINVAL, 0,
                                  "%s: epcisBody is missing", t);
        if (!type)
            return yima_error_set(err, YIMA_EINVAL, 0,
                                  "expected an EPCIS document, an event or an "
                                  "array of events, got an object with "
                                  "neither type nor epcisBody");
        *single = root; /* a bare event: its type is checked with it */
        return 0;
    }
    if (!json_is_object(body))
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "epcisBody: expected an object, got %s",
                              epcis_json_kind(body));
    if ((rc = add_ignore_fields(ignore, root, ns, err)) != 0 ||
        (rc = add_ignore_fields(ignore, body, ns, err)) != 0)
        return rc;

    if ((qr = json_object_get(body, "queryResults")) != NULL) {
        if (!json_is_object(qr))
            return yima_error_set(err, YIMA_EINVAL, 0,
                                  "epcisBody.queryResults: expected an "
                                  "object, got %s",
                                  epcis_json_kind(qr));
        rb = json_object_get(qr, "resultsBody");
        if (!rb)
            return yima_error_set(err, YIMA_EINVAL, 0,
                                  "epcisBody.queryResults.resultsBody is "
                                  "missing");
        if (!json_is_object(rb))
            return yima_error_set(err, YIMA_EINVAL, 0,
                                  "epcisBody.queryResults.resultsBody: "
                                  "expected an object, got %s",
                                  epcis_json_kind(rb));
        if ((rc = add_ignore_fields(ignore, qr, ns, err)) != 0 ||
            (rc = add_ignore_fields(ignore, rb, ns, err)) != 0)
            return rc;
        list = json_object_get(rb, "eventList");
        if (!list)
            return yima_error_set(err, YIMA_EINVAL, 0,
                                  "epcisBody.queryResults.resultsBody."
                                  "eventList is missing");
        if (!json_is_array(list))
            return yima_error_set(err, YIMA_EINVAL, 0,
                                  "epcisBody.queryResults.resultsBody."
                                  "eventList: expected an array, got %s",
                                  epcis_json_kind(list));
        *events = list;
        return 0;
    }
    if ((list = json_object_get(body, "eventList")) != NULL) {
        if (!json_is_array(list))
            return yima_error_set(err, YIMA_EINVAL, 0,
                                  "epcisBody.eventList: expected an array, "
                                  "got %s",
                                  epcis_json_kind(list));
        *events = list;
        return 0;
    }
    if ((*single = json_object_get(body, "event")) != NULL)
        return 0;
    return yima_error_set(err, YIMA_EINVAL, 0,
                          "epcisBody has no eventList (nor queryResults)");
}

int yima_epcis_hash_document(const char *json, size_t len,
                             yima_epcis_hash_fn each, void *arg,
                             yima_error *err)
{
    char id[YIMA_EPCIS_HASH_ID_LEN + 1];
    const json_t *events, *single, *ev;
    epcis_names ignore = {NULL, 0, 0};
    epcis_nsmap ns;
    json_t *root;
    yima_buf pre;
    size_t i, n;
    int rc;

    assert((json || len == 0) && each);
    yima_error_clear(err);
    if (len > YIMA_EPCIS_DOC_MAX)
        return yima_error_set(err, YIMA_ETOOBIG, 0,
                              "document is %zu bytes, the limit is %u", len,
                              YIMA_EPCIS_DOC_MAX);
    if (!(root =
              epcis_parse(json ? json : "", len, false, "the document", err)))
        return YIMA_EINVAL;
    epcis_ns_init(&ns, NULL);
    yima_buf_init(&pre, YIMA_EPCIS_PREHASH_MAX);
    if (json_is_object(root) &&
        (rc = epcis_ns_add_context(&ns, json_object_get(root, "@context")))) {
        yima_error_set(err, rc, 0, "out of memory");
        goto out;
    }
    if ((rc = epcis_find_events(root, &ns, &ignore, &events, &single, err)) !=
        0)
        goto out;

    n = single ? 1 : json_array_size(events);
    for (i = 0; i < n; i++) {
        ev = single ? single : json_array_get(events, i);
        if (!json_is_object(ev)) {
            rc = yima_error_set(err, YIMA_EINVAL, 0,
                                "event %zu: expected an object, got %s", i + 1,
                                epcis_json_kind(ev));
            goto out;
        }
        if ((rc = hash_one(ev, &ns, &ignore, i + 1, &pre, id, err)) != 0)
            goto out;
        if ((rc = each(arg, i, pre.data, pre.len, id)) != 0)
            goto out;
    }
    rc = 0;
out:
    yima_buf_free(&pre);
    epcis_names_free(&ignore);
    epcis_ns_free(&ns);
    json_decref(root);
    return rc;
}

int yima_epcis_hash_event(const char *json, size_t len,
                          const yima_epcis_hash_opts *opts, yima_buf *prehash,
                          char id[YIMA_EPCIS_HASH_ID_LEN + 1], yima_error *err)
{
    epcis_names ignore = {NULL, 0, 0};
    json_t *ev = NULL, *ctx = NULL;
    epcis_nsmap ns;
    yima_buf pre, name;
    int rc;

    assert((json || len == 0) && id);
    id[0] = '\0';
    yima_error_clear(err);
    epcis_ns_init(&ns, NULL);
    yima_buf_init(&pre, YIMA_EPCIS_PREHASH_MAX);
    yima_buf_init(&name, YIMA_EPCIS_PREHASH_MAX);
    if (len > YIMA_EPCIS_DOC_MAX) {
        rc = yima_error_set(err, YIMA_ETOOBIG, 0,
                            "event is %zu bytes, the limit is %u", len,
                            YIMA_EPCIS_DOC_MAX);
        goto out;
    }
    if (!(ev = epcis_parse(json ? json : "", len, false, "the event", err))) {
        rc = YIMA_EINVAL;
        goto out;
    }
    if (opts && opts->context) {
        if (!(ctx = epcis_parse(opts->context, opts->context_len, false,
                                "the @context", err))) {
            rc = YIMA_EINVAL;
            goto out;
        }
        if ((rc = epcis_ns_add_context(&ns, ctx)) != 0) {
            yima_error_set(err, rc, 0, "out of memory");
            goto out;
        }
    }
    for (size_t i = 0; opts && opts->ignore_fields && opts->ignore_fields[i];
         i++) {
        yima_buf_reset(&name);
        if ((rc = epcis_ns_key(&name, &ns, opts->ignore_fields[i])) != 0 ||
            (rc = epcis_names_add(&ignore, name.data, name.len)) != 0) {
            yima_error_set(err, rc, 0, "out of memory");
            goto out;
        }
    }
    if ((rc = hash_one(ev, &ns, &ignore, 0, &pre, id, err)) != 0)
        goto out;
    if (prehash) {
        yima_buf_reset(prehash);
        if ((rc = yima_buf_add(prehash, pre.data, pre.len)) != 0) {
            id[0] = '\0';
            yima_error_set(err, rc, 0,
                           "pre-hash string (%zu bytes) does not fit the "
                           "caller's buffer",
                           pre.len);
        }
    }
out:
    if (rc != 0)
        id[0] = '\0';
    yima_buf_free(&pre);
    yima_buf_free(&name);
    epcis_names_free(&ignore);
    epcis_ns_free(&ns);
    json_decref(ctx);
    json_decref(ev);
    return rc;
}
