/*
 * read.c - the reader API (see yima/epcis.h): EPCIS 2.0 documents and
 * NDJSON lines into batches of validated yima_event values. For each event:
 * check it (validate.c), hash it (prehash.c, hash.c), write its canonical
 * bytes (canon.c), and keep it with its identifiers in the batch (batch.c)
 * - or, with YIMA_EPCIS_PROCEED, record why it was rejected.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epcis_int.h"

/* The state of one read. */
typedef struct reader {
    yima_event_batch *b;
    int flags;
    yima_error *err;
    yima_buf pre, canon;
    epcis_hasher *hasher;
    yima_event_code *codes; /* the current event's, before the copy */
    size_t *code_lens;      /* strlen() of each of codes */
    size_t ncodes, capcodes;
    yima_buf tmp; /* scratch for vocab_uri() */
} reader;

/* Identifiers of the current event, each (code, role) once. */
static int add_code(void *arg, const char *code, size_t n, yima_code_role role)
{
    reader *r = arg;
    yima_event_code *c;

    /* Codes of one length mostly differ at the end (serial numbers): the
     * last byte first. */
    for (size_t i = 0; i < r->ncodes; i++)
        if (r->codes[i].role == role && r->code_lens[i] == n &&
            (n == 0 || r->codes[i].code[n - 1] == code[n - 1]) &&
            memcmp(r->codes[i].code, code, n) == 0)
            return 0;
    if (r->ncodes == r->capcodes) {
        size_t cap = r->capcodes ? r->capcodes * 2 : 16;
        yima_event_code *v = realloc(r->codes, cap * sizeof *v);
        size_t *lens;
        if (!v)
            return YIMA_ENOMEM;
        r->codes = v;
        if (!(lens = realloc(r->code_lens, cap * sizeof *lens)))
            return YIMA_ENOMEM;
        r->code_lens = lens;
        r->capcodes = cap;
    }
    c = &r->codes[r->ncodes];
    if (!(c->code = epcis_batch_strdup(r->b, code, n)))
        return YIMA_ENOMEM;
    c->role = role;
    r->code_lens[r->ncodes] = n;
    r->ncodes++;
    return 0;
}

/* Post code prefix + value (percent-encoded as a Digital Link path
 * segment), in canonical form, with role BATCH. A value that does not make
 * a valid code is left out: the event keeps it whatever it is. */
static int add_batch(reader *r, yima_code *c, const char *gtin, const char *lot)
{
    static const char hex[] = "0123456789ABCDEF";
    char dl[YIMA_CODE_INPUT_MAX];
    yima_code_opts o = {0, true};
    size_t n;
    yima_error e;

    n = (size_t)snprintf(dl, sizeof dl, "https://id.gs1.org/01/%s", gtin);
    if (lot) {
        n += (size_t)snprintf(dl + n, sizeof dl - n, "/10/");
        for (const char *p = lot; *p && n + 4 < sizeof dl; p++) {
            unsigned char ch = (unsigned char)*p;
            if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                (ch >= '0' && ch <= '9') || strchr("-._~", ch)) {
                dl[n++] = (char)ch;
            } else {
                dl[n++] = '%';
                dl[n++] = hex[ch >> 4];
                dl[n++] = hex[ch & 15];
            }
        }
    }
    if (n >= sizeof dl - 4 || yima_code_parse(dl, n, &o, c, &e) != 0)
        return 0;
    return add_code(r, c->canonical, strlen(c->canonical), YIMA_ROLE_BATCH);
}

#define DL_GTIN "https://id.gs1.org/01/"

/* If canonical form c is a Digital Link of a GTIN, set *gtin to its 14
 * digits and *lot / *lot_len to its AI (10) as the canonical form writes
 * it (percent-encoded; NULL when it has none) and return true. */
static bool dl_gtin(const char *c, const char **gtin, const char **lot,
                    size_t *lot_len)
{
    const char *p = c + strlen(DL_GTIN);

    if (strncmp(c, DL_GTIN, strlen(DL_GTIN)) != 0)
        return false;
    for (int i = 0; i < 14; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    *gtin = p;
    *lot = NULL;
    *lot_len = 0;
    for (p += 14; *p == '/';) { /* key qualifiers: /22/, /10/, /21/ */
        const char *ai = p + 1, *v = strchr(ai, '/');
        size_t n;

        if (!v)
            return false;
        n = strcspn(++v, "/?");
        if (v - ai == 3 && memcmp(ai, "10/", 3) == 0) {
            *lot = v;
            *lot_len = n;
        }
        p = v + n;
    }
    return *p == '\0' || *p == '?';
}

/* Post the product https://id.gs1.org/01/{gtin} and, when lot (lot_len
 * bytes, as a canonical form writes it) is not NULL, the batch
 * .../10/{lot}: both canonical forms already. */
static int add_gtin_lot(reader *r, const char *gtin, const char *lot,
                        size_t lot_len)
{
    char dl[YIMA_CODE_URI_MAX];
    size_t n = strlen(DL_GTIN) + 14;
    int rc;

    memcpy(dl, DL_GTIN, strlen(DL_GTIN));
    memcpy(dl + strlen(DL_GTIN), gtin, 14);
    if ((rc = add_code(r, dl, n, YIMA_ROLE_BATCH)) != 0 || !lot ||
        n + 4 + lot_len > sizeof dl)
        return rc;
    memcpy(dl + n, "/10/", 4);
    memcpy(dl + n + 4, lot, lot_len);
    return add_code(r, dl, n + 4 + lot_len, YIMA_ROLE_BATCH);
}

/* True when identifier s (n bytes) cannot carry a lot: an SGTIN EPC URN,
 * or a Digital Link whose path is /01/{gtin}/21/{serial} and nothing else
 * (canonical forms leave the lot of a serialised unit out, so for any
 * other form only a parse tells). */
static bool lot_free(const char *s, size_t n)
{
    const char *p, *end = s + n;

    if (n > 17 && memcmp(s, "urn:epc:id:sgtin:", 17) == 0)
        return true;
    if (n > 8 && memcmp(s, "https://", 8) == 0)
        p = s + 8;
    else if (n > 7 && memcmp(s, "http://", 7) == 0)
        p = s + 7;
    else
        return false;
    if (!(p = memchr(p, '/', (size_t)(end - p))) || end - p < 4 + 14 + 5 ||
        memcmp(p, "/01/", 4) != 0)
        return false;
    for (int i = 4; i < 4 + 14; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    if (memcmp(p + 4 + 14, "/21/", 4) != 0)
        return false;
    for (p += 4 + 14 + 4; p < end; p++)
        if (*p == '/' || *p == '?' || *p == '#' || *p == '%' || *p == '=')
            return false;
    return true;
}

/* The GTIN of identifier v (a JSON string) into g and, when need_lot, the
 * lot it carries as *lot / *lot_len (NULL when none): from the canonical
 * form validation just found (remembered in codes.c), percent-encoded as
 * that form writes it; or, when that form does not tell, by parsing v
 * into c, decoded (*decoded set, the lot copied into l). False when v
 * names no GTIN. */
static bool gtin_of(const json_t *v, bool need_lot, yima_code *c,
                    char g[YIMA_GS1_VALUE_MAX + 1], const char **lot,
                    size_t *lot_len, bool *decoded,
                    char l[YIMA_GS1_VALUE_MAX + 1])
{
    const char *gtin, *own, *s;
    yima_error e;
    size_t n;

    if (!json_is_string(v))
        return false;
    s = json_string_value(v);
    n = json_string_length(v);
    if (epcis_code(s, n, c, &e) == 0 && c->scheme == YIMA_SCHEME_GS1 &&
        dl_gtin(c->canonical, &gtin, lot, lot_len) &&
        (!need_lot || *lot || lot_free(s, n))) {
        memcpy(g, gtin, 14);
        g[14] = '\0';
        *decoded = false;
        return true;
    }
    if (yima_code_parse(s, n, &epcis_code_opts, c, &e) != 0 ||
        !(gtin = yima_code_ai(c, "01")))
        return false;
    snprintf(g, YIMA_GS1_VALUE_MAX + 1, "%s", gtin);
    own = yima_code_ai(c, "10");
    snprintf(l, YIMA_GS1_VALUE_MAX + 1, "%s", own ? own : "");
    *lot = own ? l : NULL; /* AI values fit in YIMA_GS1_VALUE_MAX */
    *lot_len = *lot ? strlen(l) : 0;
    *decoded = true;
    return true;
}

/* An ObjectEvent ADD creates units: post, for lib/trace, the product
 * (https://id.gs1.org/01/{gtin}) of each GTIN in its epcList and
 * quantityList, and the batch (.../10/{lot}) of each unit whose lot is
 * known: the code's own AI (10), else the ILMD lotNumber. Not part of the
 * canonical JSON, so the hash ID and the ledger entry do not change.
 * Validation has just found each code's canonical form, which names the
 * GTIN and lot of nearly every unit: only codes of other forms, and lots
 * from the ILMD, are parsed again. */
static int add_batch_codes(reader *r, const epcis_fields *fl,
                           yima_event_type type)
{
    const json_t *v = fl->v[EPCIS_F_ACTION], *ilmd, *item;
    const char *ilmd_lot = NULL, *lot;
    char lastg[YIMA_GS1_VALUE_MAX + 1] = "", lastl[YIMA_GS1_VALUE_MAX + 1] = "";
    char g[YIMA_GS1_VALUE_MAX + 1], l[YIMA_GS1_VALUE_MAX + 1];
    bool decoded, last_code_lot = false, last_decoded = false;
    size_t i, lot_len;
    yima_code *c;
    int rc = 0;

    if (type != YIMA_EVENT_OBJECT || !json_is_string(v) ||
        strcmp(json_string_value(v), "ADD") != 0)
        return 0;
    if (json_is_object(ilmd = fl->v[EPCIS_F_ILMD])) {
        v = json_object_get(ilmd, "cbvmda:lotNumber");
        if (!json_is_string(v))
            v = json_object_get(ilmd, "lotNumber");
        if (json_is_string(v) && json_string_length(v) > 0 &&
            strlen(json_string_value(v)) <= YIMA_GS1_VALUE_MAX)
            ilmd_lot = json_string_value(v); /* no valid lot is longer */
    }
    if (!(c = malloc(sizeof *c)))
        return YIMA_ENOMEM;
    json_array_foreach(fl->v[EPCIS_F_EPC_LIST], i, item)
    {
        bool code_lot;

        if (!gtin_of(item, true, c, g, &lot, &lot_len, &decoded, l))
            continue;
        code_lot = lot != NULL;
        if (!lot && ilmd_lot) {
            snprintf(l, sizeof l, "%s", ilmd_lot);
            decoded = true;
        } else if (lot && !decoded) {
            snprintf(l, sizeof l, "%.*s", (int)lot_len, lot);
        } else if (!lot) {
            l[0] = '\0';
        }
        /* units of one batch come together: post each pair once */
        if (strcmp(g, lastg) == 0 && strcmp(l, lastl) == 0 &&
            code_lot == last_code_lot && decoded == last_decoded)
            continue;
        memcpy(lastg, g, sizeof g);
        memcpy(lastl, l, sizeof l);
        last_code_lot = code_lot;
        last_decoded = decoded;
        if (!decoded) /* the code's own lot, canonical already */
            rc = add_gtin_lot(r, g, lot, lot_len);
        else if ((rc = add_batch(r, c, g, NULL)) == 0 && l[0])
            rc = add_batch(r, c, g, l);
        if (rc != 0)
            break;
    }
    json_array_foreach(fl->v[EPCIS_F_QUANTITY], i, item)
    {
        if (rc != 0 || !gtin_of(json_object_get(item, "epcClass"), false, c, g,
                                &lot, &lot_len, &decoded, l))
            continue;
        rc = decoded ? add_batch(r, c, g, NULL) : add_gtin_lot(r, g, NULL, 0);
    }
    free(c);
    return rc;
}

/* A CBV word, URN or CURIE as a web URI; anything else as given. NULL for
 * an absent value; *oom set when out of memory. */
static const char *vocab_uri(reader *r, const json_t *v, epcis_vocab voc,
                             const epcis_nsmap *ns, bool *oom)
{
    yima_buf *tmp = &r->tmp;
    const char *s, *prefix, *res;
    size_t n;

    if (!json_is_string(v))
        return NULL;
    s = json_string_value(v);
    n = json_string_length(v);
    yima_buf_reset(tmp);
    if ((prefix = epcis_cbv_bare(voc, s, n)) != NULL) {
        yima_buf_puts(tmp, prefix);
        yima_buf_add(tmp, s, n);
    } else if (epcis_ns_curie(tmp, ns, s, n) != 1 &&
               epcis_cbv_urn(tmp, s, n) != 1) {
        yima_buf_add(tmp, s, n);
    }
    res = tmp->failed ? NULL : epcis_batch_strdup(r->b, tmp->data, tmp->len);
    if (!res)
        *oom = true;
    return res;
}

/* eventTime (validated) as UTC milliseconds since 1970. */
static int64_t time_ms(const json_t *v)
{
    int64_t ms;

    if (epcis_time_ms(json_string_value(v), json_string_length(v), &ms) != 0)
        return 0;
    return ms;
}

/* Split a message of the hash code ("epcList[0]: expected ...") into the
 * field and the reason of f. */
static void fault_from_msg(epcis_fault *f, int code, const char *msg)
{
    const char *sep = strstr(msg, ": ");
    size_t n;

    f->code = code;
    if (!sep || memchr(msg, ' ', (size_t)(sep - msg))) {
        f->field[0] = '\0';
        snprintf(f->reason, sizeof f->reason, "%s", msg);
        return;
    }
    n = (size_t)(sep - msg);
    if (n >= sizeof f->field)
        n = sizeof f->field - 1;
    memcpy(f->field, msg, n);
    f->field[n] = '\0';
    snprintf(f->reason, sizeof f->reason, "%s", sep + 2);
}

/* Report fault f of event `index` (NDJSON: at `line`): recorded with
 * YIMA_EPCIS_PROCEED (returns 0), else the read fails with it. */
static int reject(reader *r, size_t index, size_t line, const epcis_fault *f)
{
    char msg[EPCIS_PATH_MAX + YIMA_ERROR_MSG_MAX + 32];

    snprintf(msg, sizeof msg, "%s %zu: %s%s%s", line ? "line" : "event",
             line ? line : index, f->field, f->field[0] ? ": " : "", f->reason);
    if ((r->flags & YIMA_EPCIS_PROCEED) && f->code != YIMA_ENOMEM) {
        if (epcis_batch_reject(r->b, index, line, f, msg) == 0)
            return 0;
        return yima_error_set(r->err, YIMA_ENOMEM, 0, "out of memory");
    }
    return yima_error_set(r->err, f->code, 0, "%s", msg);
}

/* Read one event into the batch. */
static int one(reader *r, const json_t *ev, int depth, const epcis_nsmap *docns,
               const epcis_names *ignore, size_t index, size_t line)
{
    char hash[YIMA_EPCIS_HASH_ID_LEN + 1];
    const json_t *v;
    yima_event e;
    epcis_fault f;
    epcis_fields fl;
    epcis_nsmap own;
    yima_error he;
    bool oom = false;
    int rc;

    memset(&e, 0, sizeof e);
    memset(&f, 0, sizeof f);
    epcis_ns_init(&own, docns);
    r->ncodes = 0;
    epcis_fields_get(ev, &fl); /* nothing when ev is no object */
    fl.depth = depth;
    if ((v = fl.v[EPCIS_F_CONTEXT]) && epcis_ns_add_context(&own, v) != 0) {
        rc = epcis_fault_set(&f, YIMA_ENOMEM, "", "out of memory");
        goto out;
    }
    if ((rc = epcis_validate(ev, &fl, &own, add_code, r, &e.type, &f)) != 0)
        goto out;
    if ((rc = add_batch_codes(r, &fl, e.type)) != 0) {
        epcis_fault_set(&f, rc, "", "out of memory");
        goto out;
    }

    yima_buf_reset(&r->pre);
    if ((rc = epcis_prehash(ev, &fl, docns, ignore, 0, &r->pre, &he)) != 0) {
        fault_from_msg(&f, rc, he.msg);
        goto out;
    }
    if ((rc = epcis_hasher_id(r->hasher, r->pre.data ? r->pre.data : "",
                              r->pre.len, hash)) != 0) {
        epcis_fault_set(&f, rc, "", "SHA-256 failed in libcrypto");
        goto out;
    }
    memcpy(e.hash_id, hash, sizeof e.hash_id);
    v = fl.v[EPCIS_F_EVENT_ID];
    e.event_id = v ? json_string_value(v) : hash;

    yima_buf_reset(&r->canon);
    if ((rc = epcis_canon_event(&r->canon, ev, &fl, &own, e.event_id)) != 0) {
        if (rc == YIMA_EINVAL)
            epcis_fault_set(&f, rc, "", "uses more than 64 namespace prefixes");
        else
            epcis_fault_set(&f, rc, "", "canonical JSON is too big");
        goto out;
    }
    if (r->canon.len > YIMA_EVENT_JSON_MAX) {
        rc = epcis_fault_set(&f, YIMA_ETOOBIG, "",
                             "canonical JSON is %zu bytes, the limit is %d",
                             r->canon.len, YIMA_EVENT_JSON_MAX);
        goto out;
    }

    e.event_id = epcis_batch_strdup(r->b, e.event_id, strlen(e.event_id));
    e.event_time_ms = time_ms(fl.v[EPCIS_F_EVENT_TIME]);
    if ((v = fl.v[EPCIS_F_ACTION]) != NULL &&
        !(e.action = epcis_batch_strdup(r->b, json_string_value(v),
                                        json_string_length(v))))
        oom = true;
    e.biz_step =
        vocab_uri(r, fl.v[EPCIS_F_BIZ_STEP], EPCIS_VOCAB_BIZSTEP, &own, &oom);
    e.disposition =
        vocab_uri(r, fl.v[EPCIS_F_DISPOSITION], EPCIS_VOCAB_DISP, &own, &oom);
    e.json = epcis_batch_strdup(r->b, r->canon.data, r->canon.len);
    e.json_len = r->canon.len;
    e.n_codes = r->ncodes;
    e.codes = epcis_batch_alloc(r->b, r->ncodes * sizeof *e.codes);
    if (oom || !e.event_id || !e.json || !e.codes) {
        rc = epcis_fault_set(&f, YIMA_ENOMEM, "", "out of memory");
        goto out;
    }
    if (r->ncodes)
        memcpy(e.codes, r->codes, r->ncodes * sizeof *e.codes);
    if (epcis_batch_add(r->b, &e) != 0)
        rc = epcis_fault_set(&f, YIMA_ENOMEM, "", "out of memory");
out:
    epcis_ns_free(&own);
    return rc == 0 ? 0 : reject(r, index, line, &f);
}

static int reader_init(reader *r, int flags, yima_error *err)
{
    memset(r, 0, sizeof *r);
    r->flags = flags;
    r->err = err;
    yima_buf_init(&r->pre, YIMA_EPCIS_PREHASH_MAX);
    yima_buf_init(&r->canon, YIMA_EPCIS_DOC_MAX);
    yima_buf_init(&r->tmp, YIMA_EVENT_JSON_MAX);
    r->b = epcis_batch_new();
    r->hasher = epcis_hasher_new();
    if (!r->b || !r->hasher) {
        yima_event_batch_free(r->b);
        epcis_hasher_free(r->hasher);
        r->b = NULL;
        r->hasher = NULL;
        return yima_error_set(err, YIMA_ENOMEM, 0, "out of memory");
    }
    return 0;
}

/* Hand the batch over on success, or free it. */
static int reader_end(reader *r, int rc, yima_event_batch **out)
{
    yima_buf_free(&r->pre);
    yima_buf_free(&r->canon);
    yima_buf_free(&r->tmp);
    epcis_hasher_free(r->hasher);
    free(r->codes);
    free(r->code_lens);
    if (rc == 0) {
        *out = r->b;
    } else {
        yima_event_batch_free(r->b);
        *out = NULL;
    }
    return rc;
}

static int too_many(yima_error *err, size_t n)
{
    return yima_error_set(err, YIMA_ETOOBIG, 0,
                          "%zu events, the limit is %d per input", n,
                          YIMA_EPCIS_EVENTS_MAX);
}

int yima_epcis_read(const char *json, size_t len, int flags,
                    yima_event_batch **out, yima_error *err)
{
    const json_t *events = NULL, *single = NULL, *ev;
    epcis_names ignore = {NULL, 0, 0};
    json_t *root = NULL;
    epcis_nsmap ns;
    reader r;
    size_t n;
    int rc;

    assert((json || len == 0) && out);
    *out = NULL;
    yima_error_clear(err);
    epcis_ns_init(&ns, NULL);
    if ((rc = reader_init(&r, flags, err)) != 0)
        goto out;
    if (len > YIMA_EPCIS_DOC_MAX) {
        rc = yima_error_set(err, YIMA_ETOOBIG, 0,
                            "document is %zu bytes, the limit is %u", len,
                            YIMA_EPCIS_DOC_MAX);
        goto out;
    }
    if (!(root = epcis_parse(json ? json : "", len,
                             (flags & YIMA_EPCIS_DUP_KEYS) != 0, "the document",
                             err))) {
        rc = YIMA_EINVAL;
        goto out;
    }
    if (json_is_object(root) &&
        epcis_ns_add_context(&ns, json_object_get(root, "@context")) != 0) {
        rc = yima_error_set(err, YIMA_ENOMEM, 0, "out of memory");
        goto out;
    }
    if ((rc = epcis_find_events(root, &ns, &ignore, &events, &single, err)))
        goto out;
    n = single ? 1 : json_array_size(events);
    if (n > YIMA_EPCIS_EVENTS_MAX) {
        rc = too_many(err, n);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        ev = single ? single : json_array_get(events, i);
        if ((rc = one(&r, ev, -1, &ns, &ignore, i + 1, 0)) != 0)
            goto out;
    }
    rc = 0;
out:
    epcis_names_free(&ignore);
    epcis_ns_free(&ns);
    json_decref(root);
    if (!r.b)
        return rc;
    return reader_end(&r, rc, out);
}

/* True when s (n bytes) holds only white space. */
static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

int yima_epcis_read_ndjson(const char *text, size_t len, int flags,
                           yima_event_batch **out, yima_error *err)
{
    epcis_nsmap ns;
    size_t line = 0, index = 0, pos = 0;
    jmem_arena jm = {NULL, NULL, NULL};
    bool arena;
    reader r;
    int rc, depth;

    assert((text || len == 0) && out);
    *out = NULL;
    yima_error_clear(err);
    epcis_ns_init(&ns, NULL);
    if ((rc = reader_init(&r, flags, err)) != 0)
        return rc;
    if (len > YIMA_EPCIS_DOC_MAX) {
        rc = yima_error_set(err, YIMA_ETOOBIG, 0,
                            "input is %zu bytes, the limit is %u", len,
                            YIMA_EPCIS_DOC_MAX);
        goto out;
    }
    while (pos < len) {
        const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        yima_error pe;
        epcis_fault f;
        json_t *ev;

        pos += n + (nl != NULL);
        line++;
        if (blank(s, n))
            continue;
        if (++index > YIMA_EPCIS_EVENTS_MAX) {
            rc = too_many(err, index);
            goto out;
        }
        /* The line's values live until the next line's jmem_begin(). */
        arena = jmem_begin(&jm);
        ev = epcis_parse_depth(s, n, (flags & YIMA_EPCIS_DUP_KEYS) != 0,
                               "the line", &pe, &depth);
        rc = ev ? one(&r, ev, depth, &ns, NULL, index, line) : 0;
        if (arena)
            jmem_end();
        else
            json_decref(ev);
        if (!ev) {
            epcis_fault_set(&f, YIMA_EINVAL, "", "%s", pe.msg);
            if ((rc = reject(&r, index, line, &f)) != 0)
                goto out;
            continue;
        }
        if (rc != 0)
            goto out;
    }
    rc = 0;
out:
    jmem_free(&jm);
    epcis_ns_free(&ns);
    return reader_end(&r, rc, out);
}
