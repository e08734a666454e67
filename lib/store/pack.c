/*
 * pack.c - the stored form of an event's canonical JSON and code list
 * (yima/store.h, "Packed columns").
 *
 * The JSON is compressed with zstd against a fixed dictionary, since one
 * event is too short to repeat much of itself: alone, zstd gets an event
 * of about 800 canonical bytes to 420-530. Dictionary 1 (PACK_JSON_1) is
 * raw content, the words every EPCIS 2.0 event is written with (member
 * names, the @context, CBV words, the EPC URN and Digital Link prefixes):
 * about 230 bytes, at level -1. Dictionary 2 (PACK_JSON_2, pack_dict2.c,
 * made by tools/mkdict.c) is trained by zstd on generated events whose
 * digits and host names were scrambled, so it holds the shape of events
 * and the statistics of their bytes (entropy tables a frame starts from,
 * instead of building its own) rather than the generator's identifiers:
 * about 170 bytes, at level 1, in a fifth less time. New rows use
 * dictionary 2; rows of dictionary 1 are read as they were. The disk
 * takes every byte twice (the WAL, then the database file).
 *
 * The code list is front-coded instead: each code keeps only what differs
 * from the code before (a case's units share all but their serials), about
 * 150 bytes from 350. zstd got it to about 110, but each frame costs some
 * microseconds however short, and the readers that pack set the pace now.
 *
 * A packed value starts with a tag byte. PACK_JSON_1, PACK_JSON_2: one
 * zstd frame (with its content size, no checksum: the ledger's hashes
 * check the bytes) against dictionary 1 or 2; a later dictionary gets a new
 * tag and old rows stay readable. PACK_CODES_FRONT: for each code its role
 * byte, the length of the prefix it shares with the code before (one byte, at
 * most 255), the rest of it and a NUL. Values written before packing (schema 6)
 * start with "yima-event/1" (entries) or a role byte (code lists): they are
 * read as they are.
 *
 * A packer made for a store (yima_store_packer) also computes the code
 * index keys of each event, the SipHash of its eventID and codes under the
 * store's secret: work the storing thread would otherwise do itself.
 */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "store_int.h"

/* zstd level with dictionary 2 (with dictionary 1, -1 was quicker: below
 * 1 literals are not Huffman-coded; with the trained one's tables, level 1
 * costs no more and saves a quarter of the bytes). */
#define LEVEL 1

/*
 * Dictionary 1. NEVER CHANGE A BYTE: every packed row written with tag
 * PACK_JSON_1 needs exactly these bytes to be read. zstd
 * uses it as raw content: text an event's bytes may copy from, the most
 * common at the end, where offsets are shortest.
 */
static const char dict1[] =
    "\"sensorElementList\":[{\"sensorMetadata\":{\"time\":\"\",\"deviceID\":"
    "\"\",\"deviceMetadata\":\"\",\"rawData\":\"\",\"dataProcessingMethod\":"
    "\"\",\"bizRules\":\"\"},\"sensorReport\":[{\"type\":\"Temperature\","
    "\"value\":,\"uom\":\"CEL\",\"minValue\":,\"maxValue\":,\"meanValue\":,"
    "\"component\":\"\",\"stringValue\":\"\",\"booleanValue\":true,"
    "\"hexBinaryValue\":\"\",\"uriValue\":\"\",\"percRank\":,\"sDev\":}]}],"
    "\"certificationInfo\":\"\",\"errorDeclaration\":{\"declarationTime\":"
    "\"\",\"reason\":\"incorrect_data\",\"correctiveEventIDs\":[\"\"]},"
    "\"persistentDisposition\":{\"set\":[\"\"],\"unset\":[\"\"]},"
    "\"ilmd\":{\"cbvmda:lotNumber\":\"\",\"cbvmda:itemExpirationDate\":"
    "\"\",\"cbvmda:bestBeforeDate\":\"\"},\"type\":\"AssociationEvent\","
    "\"type\":\"TransformationEvent\",\"transformationID\":\"\","
    "\"inputEPCList\":[\"\"],\"inputQuantityList\":[{\"epcClass\":\"\","
    "\"quantity\":,\"uom\":\"\"}],\"outputEPCList\":[\"\"],"
    "\"outputQuantityList\":[{\"epcClass\":\"\",\"quantity\":,\"uom\":\"\"}],"
    "\"type\":\"TransactionEvent\",\"childQuantityList\":[{\"epcClass\":\"\","
    "\"quantity\":,\"uom\":\"\"}],\"recordTime\":\"\",\"ObjectEvent\","
    "\"AggregationEvent\",\"eventTimeZoneOffset\":\"+00:00\","
    "\"eventTimeZoneOffset\":\"-05:00\",\"DELETE\",\"bizStep\":"
    "\"commissioning\",\"disposition\":\"active\",\"bizStep\":\"shipping\","
    "\"disposition\":\"in_transit\",\"bizStep\":\"receiving\","
    "\"disposition\":\"in_progress\",\"bizStep\":\"unpacking\",\"bizStep\":"
    "\"retail_selling\",\"disposition\":\"retail_sold\",\"uom\":\"KGM\","
    "\"uom\":\"MTR\",\"uom\":\"TNE\",\"uom\":\"LTR\",\"uom\":\"H87\","
    "\"urn:epc:class:lgtin:\",\"urn:epc:idpat:sgtin:\","
    "\"https://id.gs1.org/01/\",\"https://id.gs1.org/00/\","
    "\"https://id.gs1.org/414/\",\"https://id.gs1.org/417/\",\"/10/\","
    "\"/21/\",\"bizTransactionList\":[{\"type\":\"po\",\"bizTransaction\":"
    "\"urn:epcglobal:cbv:bt:\"},{\"type\":\"desadv\",\"bizTransaction\":"
    "\"urn:epc:id:gdti:\"}],\"sourceList\":[{\"type\":\"owning_party\","
    "\"source\":\"urn:epc:id:pgln:\"},{\"type\":\"possessing_party\","
    "\"source\":\"urn:epc:id:pgln:\"},{\"type\":\"location\",\"source\":"
    "\"urn:epc:id:sgln:\"}],\"destinationList\":[{\"type\":"
    "\"owning_party\",\"destination\":\"urn:epc:id:pgln:\"},{\"type\":"
    "\"possessing_party\",\"destination\":\"urn:epc:id:pgln:\"},{\"type\":"
    "\"location\",\"destination\":\"urn:epc:id:sgln:\"}],\"action\":\"ADD\","
    "\"bizStep\":\"packing\",\"disposition\":\"in_progress\",\"readPoint\":"
    "{\"id\":\"urn:epc:id:sgln:\"},\"bizLocation\":{\"id\":"
    "\"urn:epc:id:sgln:\"}}\n"
    "{\"@context\":\"https://ref.gs1.org/standards/epcis/2.0.0/"
    "epcis-context.jsonld\",\"type\":\"ObjectEvent\",\"eventTime\":"
    "\"2026-01-01T00:00:00.000+08:00\",\"eventTimeZoneOffset\":\"+08:00\","
    "\"eventID\":\"ni:///sha-256;?ver=CBV2.0\",\"parentID\":"
    "\"urn:epc:id:sscc:\",\"childEPCs\":[\"urn:epc:id:sgtin:\","
    "\"urn:epc:id:sgtin:\"],\"quantityList\":[{\"epcClass\":"
    "\"urn:epc:class:lgtin:\",\"quantity\":,\"uom\":\"\"}],\"epcList\":["
    "\"urn:epc:id:sgtin:\",\"urn:epc:id:sgtin:\"],\"action\":\"OBSERVE\","
    "\"bizStep\":\"";

static ZSTD_CDict *cdict;    /* dictionary 2, to pack */
static ZSTD_DDict *ddict[3]; /* [1], [2]: to unpack */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void dicts_make(void)
{
    /* Never freed. Dictionary 1 is not a zstd dictionary file: taken as
     * raw content. */
    cdict = ZSTD_createCDict(store_dict2, store_dict2_len, LEVEL);
    ddict[1] = ZSTD_createDDict(dict1, sizeof dict1 - 1);
    ddict[2] = ZSTD_createDDict(store_dict2, store_dict2_len);
}

struct yima_packer {
    ZSTD_CCtx *c;
    ZSTD_DCtx *d;
    bool keyed;         /* computes index keys, under: */
    uint8_t secret[16]; /* the store's index secret */
    int64_t seal_ms;    /* seals for this recordTime (0: does not), with: */
    EVP_MD_CTX *md;
    EVP_MD *sha256;
    int64_t stamp_ms; /* the entry's head (magic, recordTime) made for */
    char stamp[YIMA_STORE_HEADER_LEN];
};

yima_packer *yima_packer_new(void)
{
    yima_packer *p;

    pthread_once(&once, dicts_make);
    if (!cdict || !ddict[1] || !ddict[2] || !(p = calloc(1, sizeof *p)))
        return NULL;
    p->c = ZSTD_createCCtx();
    p->d = ZSTD_createDCtx();
    p->md = EVP_MD_CTX_new();
    p->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    p->stamp_ms = -1;
    if (!p->c || !p->d || !p->md || !p->sha256) {
        yima_packer_free(p);
        return NULL;
    }
    return p;
}

void store_packer_key(yima_packer *p, const uint8_t secret[16])
{
    memcpy(p->secret, secret, sizeof p->secret);
    p->keyed = true;
}

yima_packer *yima_store_packer(yima_store *st)
{
    yima_packer *p;
    yima_error err;
    sq *s = sq_of(st, "packing", &err);

    if (!s || !(p = yima_packer_new()))
        return NULL;
    store_packer_key(p, s->secret);
    return p;
}

/* Append the index keys of ev (its eventID, then each code) to out. */
static void keys_of(const yima_packer *p, const yima_event *ev, yima_buf *out)
{
    uint64_t k = ix_key(p->secret, ev->event_id, strlen(ev->event_id));

    yima_buf_add(out, &k, sizeof k);
    for (size_t i = 0; i < ev->n_codes; i++) {
        const char *c = ev->codes[i].code;

        k = ix_key(p->secret, c, strlen(c));
        yima_buf_add(out, &k, sizeof k);
    }
}

void yima_packer_free(yima_packer *p)
{
    if (!p)
        return;
    ZSTD_freeCCtx(p->c);
    ZSTD_freeDCtx(p->d);
    EVP_MD_CTX_free(p->md);
    EVP_MD_free(p->sha256);
    free(p);
}

/* Take back what was appended to out from `at` on. */
static void cut_back(yima_buf *out, size_t at)
{
    out->len = at;
    if (out->data)
        out->data[at] = '\0';
}

/* Append tag and the frame of src (n bytes) to out. */
static int pack(yima_packer *p, int tag, const void *src, size_t n,
                yima_buf *out)
{
    size_t bound = ZSTD_compressBound(n), at = out->len, k;

    if (n > PACK_MAX)
        return YIMA_ETOOBIG;
    if (yima_buf_putc(out, (char)tag) != 0 ||
        yima_buf_reserve(out, bound) != 0) {
        cut_back(out, at);
        return YIMA_ENOMEM;
    }
    /* The frame has its content size, no checksum and no dictionary ID
     * (raw content has none). The simple call, not ZSTD_compress2(): that
     * one cleared work tables sized for megabytes for every event, most of
     * the time packing took. */
    k = ZSTD_compress_usingCDict(p->c, out->data + out->len, bound, src, n,
                                 cdict);
    if (ZSTD_isError(k)) {
        cut_back(out, at);
        return YIMA_ENOMEM;
    }
    out->len += k;
    return 0;
}

int store_pack_json(yima_packer *p, const char *json, size_t n, yima_buf *out)
{
    return pack(p, PACK_JSON_2, json, n, out);
}

int store_pack_codes(yima_packer *p, const yima_event *ev, yima_buf *out)
{
    const char *prev = "";
    size_t at = out->len, plen = 0;

    (void)p;
    if (ev->n_codes == 0) /* no codes: nothing to pack */
        return 0;
    yima_buf_putc(out, (char)PACK_CODES_FRONT);
    for (size_t i = 0; i < ev->n_codes; i++) {
        const char *c = ev->codes[i].code;
        size_t n = strlen(c), k = 0;

        while (k < plen && k < n && k < 255 && prev[k] == c[k])
            k++;
        yima_buf_putc(out, (char)(unsigned char)ev->codes[i].role);
        yima_buf_putc(out, (char)(unsigned char)k);
        yima_buf_add(out, c + k, n - k + 1); /* with its NUL */
        prev = c;
        plen = n;
    }
    if (out->failed || out->len - at > PACK_MAX) {
        cut_back(out, at);
        return YIMA_ETOOBIG;
    }
    return 0;
}

/* Rebuild the plain code list of a front-coded one (after its tag). */
static int unfront(const unsigned char *s, size_t n, yima_buf *out)
{
    size_t prev = 0, plen = 0; /* the code before, in out */

    yima_buf_reset(out);
    while (n > 0) {
        const unsigned char *nul;
        size_t k, rest, at;

        if (n < 3 || !(nul = memchr(s + 2, '\0', n - 2)) || s[1] > plen)
            return YIMA_EIO;
        k = s[1];
        rest = (size_t)(nul - (s + 2));
        if (out->len + 1 + k + rest + 1 > PACK_MAX)
            return YIMA_EIO;
        yima_buf_putc(out, (char)s[0]);
        at = out->len;
        if (yima_buf_reserve(out, k + rest + 1) != 0)
            return YIMA_ENOMEM;
        memmove(out->data + at, out->data + prev, k); /* room was made */
        out->len += k;
        yima_buf_add(out, s + 2, rest + 1);
        if (out->failed)
            return YIMA_ENOMEM;
        prev = at;
        plen = k + rest;
        n -= (size_t)(nul + 1 - s);
        s = nul + 1;
    }
    return 0;
}

void yima_packer_seal(yima_packer *p, int64_t record_time_ms)
{
    assert(p && record_time_ms >= 0);
    p->seal_ms = record_time_ms;
}

/* The sealed entry's head for the packer's recordTime (entry.c's
 * layout), made once for all the events sealed for it; 0 or an error. */
static int stamp(yima_packer *p)
{
    char t[YIMA_STORE_TIME_LEN + 1];
    int rc;

    if (p->stamp_ms == p->seal_ms)
        return 0;
    if ((rc = store_time_format(p->seal_ms, t)) != 0)
        return rc;
    memcpy(p->stamp, YIMA_STORE_MAGIC, YIMA_STORE_MAGIC_LEN);
    memcpy(p->stamp + YIMA_STORE_MAGIC_LEN, t, YIMA_STORE_TIME_LEN);
    p->stamp[YIMA_STORE_MAGIC_LEN + YIMA_STORE_TIME_LEN] = '\n';
    p->stamp_ms = p->seal_ms;
    return 0;
}

/* Seal ev ahead into pk for the packer's recordTime: the leaf hash of the
 * entry store_entry_build() would make, hashed from its head and the JSON
 * without copying them together. An event that cannot be sealed (its hash
 * ID is not one, its entry too big) is left to the store, which says why. */
static void seal(yima_packer *p, const yima_event *ev, yima_store_packed *pk)
{
    pk->record_time_ms = 0;
    if (!p->seal_ms || !memchr(ev->hash_id, '\0', sizeof ev->hash_id) ||
        store_hash_id_parse(ev->hash_id, pk->hash) != 0 ||
        ev->json_len > YIMA_EVENT_JSON_MAX || stamp(p) != 0 ||
        store_leaf_hash(p->md, p->sha256, p->stamp, YIMA_STORE_HEADER_LEN,
                        ev->json, ev->json_len, pk->leaf) != 0)
        return;
    pk->record_time_ms = p->seal_ms;
}

int yima_store_pack(yima_packer *p, const yima_event *ev, size_t n,
                    yima_buf *data, yima_store_packed *packed)
{
    size_t at = data->len;
    int rc;

    assert(p && (ev || n == 0) && data && (packed || n == 0));
    for (size_t i = 0; i < n; i++) {
        size_t a = data->len;

        if ((rc = store_pack_json(p, ev[i].json, ev[i].json_len, data)) != 0)
            return rc;
        packed[i].json_len = data->len - a;
        a = data->len;
        if ((rc = store_pack_codes(p, &ev[i], data)) != 0)
            return rc;
        packed[i].codes_len = data->len - a;
        if (p->keyed)
            keys_of(p, &ev[i], data);
        seal(p, &ev[i], &packed[i]);
    }
    if (data->failed)
        return YIMA_ENOMEM;
    /* Pointers once data no longer moves: each event's values follow the
     * one before's. */
    for (size_t i = 0; i < n; i++) {
        packed[i].json = data->data + at;
        packed[i].codes = data->data + at + packed[i].json_len;
        at += packed[i].json_len + packed[i].codes_len;
        packed[i].keys = p->keyed ? data->data + at : NULL;
        if (p->keyed)
            at += (ev[i].n_codes + 1) * sizeof(uint64_t);
    }
    return 0;
}

int store_unpack(yima_packer *p, const void *src, size_t n, yima_buf *out)
{
    const unsigned char *s = src;
    unsigned long long size;
    size_t k;

    if (n >= 1 && s[0] == PACK_CODES_FRONT)
        return unfront(s + 1, n - 1, out);
    if (n < 2 || (s[0] != PACK_JSON_1 && s[0] != PACK_JSON_2))
        return YIMA_EIO;
    size = ZSTD_getFrameContentSize(s + 1, n - 1);
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
        size > PACK_MAX)
        return YIMA_EIO;
    yima_buf_reset(out);
    if (yima_buf_reserve(out, (size_t)size) != 0)
        return YIMA_ENOMEM;
    k = ZSTD_decompress_usingDDict(p->d, out->data, (size_t)size, s + 1, n - 1,
                                   ddict[s[0]]);
    if (ZSTD_isError(k) || k != size)
        return YIMA_EIO;
    out->len = k;
    out->data[k] = '\0';
    return 0;
}
