/*
 * epcis_int.h - private to lib/epcis/: the pieces of the CBV 2.0 event hash.
 *
 * Who does what:
 *   hash.c     the public API: find the events of a document, hash them
 *   json.c     JSON text to Jansson values, quicker than json_loadb()
 *   jmem.c     Jansson's memory for one event at a time (NDJSON)
 *   fields.c   the members of an event object, named once per event
 *   prehash.c  the pre-hash string of one event (field order, sorting)
 *   context.c  namespace prefixes from JSON-LD @context; CURIE expansion
 *   cbv.c      CBV / GS1 vocabulary: bare words and URNs to web URIs
 *   time.c     timestamps to UTC with milliseconds
 *   num.c      numbers without trailing zeros
 *   read.c     the reader API: documents and NDJSON into event batches
 *   validate.c one event against the EPCIS 2.0 model; its identifiers
 *   canon.c    the canonical bytes of one event (fixed key order)
 *   batch.c    event batches: one arena for all strings, rejects
 *   write.c    EPCIS documents from canonical events
 *
 * Jansson types appear here and nowhere in the public header.
 */
#ifndef YIMA_EPCIS_INT_H
#define YIMA_EPCIS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "yima/buf.h"
#include "yima/code.h"
#include "yima/epcis.h"
#include "yima/error.h"
#include "yima/event.h"

/* ---- jmem.c ------------------------------------------------------------- */

/* Memory for the Jansson values of one event (jmem.c). Zero it to start. */
typedef struct jmem_arena {
    struct jmem_chunk *first, *at, *last;
} jmem_arena;

/* From now on this thread's Jansson values come from a, emptied first:
 * whatever was made in it before is gone. False (and nothing changes) when
 * Jansson's allocation functions are not jmem's any more: the caller then
 * drops its values with json_decref(). */
bool jmem_begin(jmem_arena *a);

/* Back to malloc() and free() for this thread's Jansson values. */
void jmem_end(void);

/* Free a's memory (not in force). */
void jmem_free(jmem_arena *a);

/* ---- context.c ---------------------------------------------------------- */

/* One namespace prefix and the IRI it stands for, both owned. */
typedef struct epcis_ns {
    char *prefix;
    char *iri;
} epcis_ns;

/*
 * Prefixes in force for an event. Look-ups search the map's own entries
 * (the last definition wins), then `parent` (the document's map when this
 * one holds an event's own @context), then the prefixes of the standard
 * EPCIS context (gs1, cbv, cbvmda, epcis, rdfs, owl, xsd, dcterms).
 */
typedef struct epcis_nsmap {
    epcis_ns *v;
    size_t n, cap;
    const struct epcis_nsmap *parent;
} epcis_nsmap;

void epcis_ns_init(epcis_nsmap *m, const epcis_nsmap *parent);
void epcis_ns_free(epcis_nsmap *m);

/* Add the prefix definitions of a JSON-LD @context value (a string, an
 * object or an array of them); anything else in it is skipped. Returns 0 or
 * YIMA_ENOMEM. */
int epcis_ns_add_context(epcis_nsmap *m, const json_t *context);

/* The IRI of prefix p (n bytes), or NULL when it is not defined. */
const char *epcis_ns_iri(const epcis_nsmap *m, const char *p, size_t n);

/* Append field name `key` expanded: "prefix:local" with a known prefix
 * becomes "{iri}local"; any other name is appended as it is. Returns 0 or
 * a yima_buf error. */
int epcis_ns_key(yima_buf *out, const epcis_nsmap *m, const char *key);

/* If value s (n bytes) is a CURIE with a known prefix, append it expanded
 * ("gs1:Angle" -> "https://gs1.org/voc/Angle") and return 1; otherwise
 * append nothing and return 0. A yima_buf error is returned as it is. */
int epcis_ns_curie(yima_buf *out, const epcis_nsmap *m, const char *s,
                   size_t n);

/* A set of expanded field names ("{iri}local"), owned. */
typedef struct epcis_names {
    char **v;
    size_t n, cap;
} epcis_names;

void epcis_names_free(epcis_names *l);
int epcis_names_add(epcis_names *l, const char *s, size_t n);
bool epcis_names_has(const epcis_names *l, const char *s);

/* ---- cbv.c -------------------------------------------------------------- */

/* The vocabularies whose bare words a JSON-LD event may use. */
typedef enum epcis_vocab {
    EPCIS_VOCAB_NONE = 0,
    EPCIS_VOCAB_BIZSTEP,     /* bizStep                -> cbv/BizStep-  */
    EPCIS_VOCAB_DISP,        /* disposition, set/unset -> cbv/Disp-     */
    EPCIS_VOCAB_BTT,         /* bizTransaction type    -> cbv/BTT-      */
    EPCIS_VOCAB_SDT,         /* source/destination type -> cbv/SDT-     */
    EPCIS_VOCAB_ER,          /* error reason           -> cbv/ER-       */
    EPCIS_VOCAB_COMPONENT,   /* sensorReport component -> cbv/Comp-     */
    EPCIS_VOCAB_MEASUREMENT, /* sensorReport type      -> gs1.org/voc/  */
    EPCIS_VOCAB_ALERT        /* sensorReport exception -> gs1.org/voc/  */
} epcis_vocab;

/* If s (n bytes) is a term of vocabulary v, the web URI prefix to put in
 * front of it ("https://ref.gs1.org/cbv/BizStep-"); otherwise NULL. */
const char *epcis_cbv_bare(epcis_vocab v, const char *s, size_t n);

/* If s (n bytes) is a CBV 1.x vocabulary URN (urn:epcglobal:cbv:bizstep:,
 * :disp:, :btt:, :sdt:, :er:), append its web URI and return 1; otherwise
 * append nothing and return 0. A yima_buf error is returned as it is. */
int epcis_cbv_urn(yima_buf *out, const char *s, size_t n);

/* ---- time.c ------------------------------------------------------------- */

#define EPCIS_TIME_LEN 24 /* "YYYY-MM-DDTHH:MM:SS.mmmZ" */

/*
 * Normalise an xsd:dateTimeStamp (s, n bytes) to UTC with milliseconds:
 * "2005-04-03T20:33:31.116000-06:00" -> "2005-04-04T02:33:31.116Z". A 4th
 * decimal of 5..9 rounds the 3rd up; later ones are ignored. Returns 0, or
 * YIMA_EINVAL with a short reason in why ("month 13 is not 01..12").
 */
int epcis_time_norm(const char *s, size_t n, char out[EPCIS_TIME_LEN + 1],
                    char *why, size_t whysz);

/* The same timestamp as UTC milliseconds since 1970. Returns 0 or
 * YIMA_EINVAL (when epcis_time_norm() would fail). */
int epcis_time_ms(const char *s, size_t n, int64_t *ms);

/* True when s (n bytes) is a time zone offset "+hh:mm" / "-hh:mm" within
 * -14:00..+14:00, as eventTimeZoneOffset must be. */
bool epcis_tz_offset_valid(const char *s, size_t n);

/* ---- num.c -------------------------------------------------------------- */

/* Append a number without trailing zeros or exponent noise: 452.0 -> "452",
 * 0.10 -> "0.1", 1e-7 -> "1e-07" (the reference implementation's forms).
 * Returns 0 or a yima_buf error. */
int epcis_num_real(yima_buf *out, double v);
int epcis_num_int(yima_buf *out, long long v);

/* If s (n bytes) is a decimal number ("12.50", "+3", ".5", "1E3"), append
 * it as epcis_num_real() would and return 1; otherwise append nothing and
 * return 0. A yima_buf error is returned as it is. */
int epcis_num_text(yima_buf *out, const char *s, size_t n);

/* strtod() of NUL-terminated s in the "C" locale, into *out; false when
 * that locale cannot be had. */
bool epcis_num_strtod(const char *s, double *out);

/* ---- plain text ---------------------------------------------------------- */

#if defined(__SSE2__)
/* Bit i set when byte i of v is not plain (see below). */
static inline unsigned epcis_plain_stops(__m128i v)
{
    const __m128i quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'),
                  space = _mm_set1_epi8(' ');
    /* signed: bytes from 0x80 are below the space too */
    __m128i stop = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bs)),
        _mm_cmplt_epi8(v, space));

    return (unsigned)_mm_movemask_epi8(stop);
}
#endif

/*
 * A count k <= n such that the bytes p[0..k) are all ones JSON text takes as
 * they are: printable ASCII (DEL too) but '"' and '\\'. With SSE2 (every
 * x86-64) p[k] is not one when k < n, looked at sixteen bytes at a time;
 * else, eight at a time, p[k] may be one too and the caller looks at the
 * rest byte by byte. This runs over every string read and every string
 * written, most of an event's bytes.
 */
static inline size_t epcis_plain_span(const void *text, size_t n)
{
    const unsigned char *p = text;
    size_t i = 0;
#if defined(__SSE2__)
    unsigned char tail[16];
    unsigned m;

    for (; i + 16 <= n; i += 16)
        if ((m = epcis_plain_stops(
                 _mm_loadu_si128((const __m128i *)(const void *)(p + i)))) != 0)
            return i + (size_t)__builtin_ctz(m);
    if (i == n)
        return n;
    /* the last few, among plain filler: never read past p + n */
    memset(tail, 'a', sizeof tail);
    memcpy(tail, p + i, n - i);
    m = epcis_plain_stops(_mm_loadu_si128((const __m128i *)(void *)tail));
    return m ? i + (size_t)__builtin_ctz(m) : n;
#else
    const uint64_t ones = 0x0101010101010101u, high = ones * 0x80;

    for (; i + 8 <= n; i += 8) {
        uint64_t w;

        memcpy(&w, p + i, 8);
        if ((w & high) || ((w - ones * 0x20) & high) ||
            (((w ^ ones * '"') - ones) & ~(w ^ ones * '"') & high) ||
            (((w ^ ones * '\\') - ones) & ~(w ^ ones * '\\') & high))
            break;
    }
#endif
    return i;
}

/* ---- json.c ------------------------------------------------------------- */

/*
 * The JSON value of text json (len bytes) as json_loadb() would build it
 * with JSON_DECODE_ANY, and JSON_REJECT_DUPLICATES unless dup_keys; or NULL
 * when it gives up - on any error and on input it leaves to json_loadb()
 * (see json.c), which the caller then runs. With a value, *depth (unless
 * NULL) is the most arrays and objects it has open at once (a scalar 0,
 * {} 1, {"a":[]} 2).
 */
json_t *epcis_json_quick(const char *json, size_t len, bool dup_keys,
                         int *depth);

/* ---- fields.c ----------------------------------------------------------- */

/* The members an event may have that are not extensions, in the order
 * validation checks them ("id" is JSON-LD's alias of eventID: no field of
 * the model, but the pre-hash string leaves it out). */
typedef enum epcis_field {
    EPCIS_F_CONTEXT,
    EPCIS_F_TYPE,
    EPCIS_F_EVENT_TIME,
    EPCIS_F_RECORD_TIME,
    EPCIS_F_TZ_OFFSET,
    EPCIS_F_EVENT_ID,
    EPCIS_F_CERT,
    EPCIS_F_ERROR_DECL,
    EPCIS_F_PARENT_ID,
    EPCIS_F_EPC_LIST,
    EPCIS_F_CHILD_EPCS,
    EPCIS_F_INPUT_EPCS,
    EPCIS_F_OUTPUT_EPCS,
    EPCIS_F_QUANTITY,
    EPCIS_F_CHILD_QUANTITY,
    EPCIS_F_INPUT_QUANTITY,
    EPCIS_F_OUTPUT_QUANTITY,
    EPCIS_F_ACTION,
    EPCIS_F_TRANSFORMATION_ID,
    EPCIS_F_BIZ_STEP,
    EPCIS_F_DISPOSITION,
    EPCIS_F_PERSISTENT,
    EPCIS_F_READ_POINT,
    EPCIS_F_BIZ_LOCATION,
    EPCIS_F_BIZ_TX,
    EPCIS_F_SOURCE,
    EPCIS_F_DEST,
    EPCIS_F_SENSORS,
    EPCIS_F_ILMD,
    EPCIS_F_ID,
    EPCIS_F_N
} epcis_field;

/* The members of one event object by field. The values belong to the
 * object and live as long as it does. */
typedef struct epcis_fields {
    const json_t *v[EPCIS_F_N]; /* NULL when absent */
    uint32_t present;           /* bit f set when v[f] is */
    size_t n_other;             /* members that are no field (extensions,
                                   unknown names) */
    int depth; /* arrays and objects open at once in the event at most, or
                  -1 when not known (epcis_fields_get() does not count) */
} epcis_fields;

/* The field named key, or -1 for any other member name. */
int epcis_field_of(const char *key);

/* The member name of field f ("eventTime"). */
const char *epcis_field_name(epcis_field f);

/* File the members of event object ev (one pass over them). */
void epcis_fields_get(const json_t *ev, epcis_fields *out);

/* json_object_get(o, key) for the small objects inside an event. */
json_t *epcis_member(const json_t *o, const char *key);

/* ---- prehash.c ---------------------------------------------------------- */

/*
 * Append the pre-hash string of one event (a JSON object) to out. fl holds
 * its members (epcis_fields_get()), or is NULL to have them read here. ns
 * holds the document's prefixes (the event's own @context is added on
 * top), ignore the expanded names of extension fields to leave out (may be
 * NULL). event_no numbers the event in its document for messages (1-based;
 * 0 when the event stands alone). Returns 0, YIMA_EINVAL, YIMA_ETOOBIG or
 * YIMA_ENOMEM, with *err filled.
 */
int epcis_prehash(const json_t *event, const epcis_fields *fl,
                  const epcis_nsmap *ns, const epcis_names *ignore,
                  size_t event_no, yima_buf *out, yima_error *err);

/* "an object", "a string", ... for messages about JSON types. */
const char *epcis_json_kind(const json_t *v);

/* ---- hash.c ------------------------------------------------------------- */

/* A SHA-256 hasher for many events (one per reader: not shared between
 * threads). NULL when out of memory. */
typedef struct epcis_hasher epcis_hasher;

epcis_hasher *epcis_hasher_new(void);
void epcis_hasher_free(epcis_hasher *h);

/* yima_epcis_hash_id() with h: the same ID, or YIMA_EIO. */
int epcis_hasher_id(epcis_hasher *h, const char *prehash, size_t len,
                    char id[YIMA_EPCIS_HASH_ID_LEN + 1]);

/* Parse JSON text (any value); a syntax error is reported with its place,
 * `what` naming the text ("the document"). Duplicate object keys are an
 * error unless dup_keys (then the last one wins). NULL on failure.
 * epcis_parse_depth() also sets *depth as epcis_json_quick() does, or to
 * -1 when that did not read the text (not known). */
json_t *epcis_parse(const char *json, size_t len, bool dup_keys,
                    const char *what, yima_error *err);
json_t *epcis_parse_depth(const char *json, size_t len, bool dup_keys,
                          const char *what, yima_error *err, int *depth);

/* Where the events of a parsed document are: sets *events to an array, or
 * *single to the one event (a bare event, or epcisBody.event), and adds
 * the document's ignoreFields to ignore. Returns 0 or YIMA_EINVAL. */
int epcis_find_events(const json_t *root, const epcis_nsmap *ns,
                      epcis_names *ignore, const json_t **events,
                      const json_t **single, yima_error *err);

/* ---- validate.c --------------------------------------------------------- */

#define EPCIS_PATH_MAX 160

/* Field paths for messages ("sensorElementList[0].sensorReport[2]"), into
 * dst of EPCIS_PATH_MAX bytes: parent + "." + key (key alone when parent is
 * ""), or parent + "[i]". A path too long is cut short and ends in "...". */
void epcis_path_key(char *dst, const char *parent, const char *key);
void epcis_path_index(char *dst, const char *parent, size_t i);

/* What is wrong with one event: the field's path ("epcList[1]"; "" for the
 * event as a whole) and the reason. */
typedef struct epcis_fault {
    int code;
    char field[EPCIS_PATH_MAX];
    char reason[YIMA_ERROR_MSG_MAX];
} epcis_fault;

/* Record a fault; returns f->code (YIMA_EINVAL unless code says else). */
int epcis_fault_set(epcis_fault *f, int code, const char *field,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Called for each identifier of an event: its canonical form (or the text
 * as given), n bytes, and its role. Returns 0 or YIMA_ENOMEM. */
typedef int (*epcis_code_fn)(void *arg, const char *code, size_t n,
                             yima_code_role role);

/*
 * Check one event (a JSON object; fl its members, epcis_fields_get())
 * against the EPCIS 2.0 model and pass its identifiers to each(). ns holds
 * the prefixes in force (the document's and the event's own). Sets
 * *type_out. Returns 0, or a YIMA_E* code with *f filled.
 */
int epcis_validate(const json_t *ev, const epcis_fields *fl,
                   const epcis_nsmap *ns, epcis_code_fn each, void *arg,
                   yima_event_type *type_out, epcis_fault *f);

/* Deepest nesting of objects and arrays in an event (the event is 1). */
#define EPCIS_EVENT_DEPTH_MAX 48

/* ---- canon.c ------------------------------------------------------------ */

/* The standard EPCIS 2.0 JSON-LD context. */
#define EPCIS_CONTEXT_URL                                                      \
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

/*
 * Append the canonical bytes of a validated event (fl its members, see
 * epcis_fields_get(); yima/event.h says what the bytes are): compact JSON,
 * keys in the order of the EPCIS 2.0 JSON schema, extension keys sorted,
 * eventID set to event_id, recordTime left out, and an @context of the
 * standard context plus the prefixes of ns the event uses. Returns 0,
 * YIMA_EINVAL when the event uses more than 64 prefixes, or a yima_buf
 * error.
 */
int epcis_canon_event(yima_buf *out, const json_t *ev, const epcis_fields *fl,
                      const epcis_nsmap *ns, const char *event_id);

/* Append a JSON number: integers as they are, reals in the shortest form
 * that reads back to the same double. */
int epcis_canon_real(yima_buf *out, double v);

/* ---- batch.c ------------------------------------------------------------ */

/* A new empty batch, or NULL when out of memory. */
yima_event_batch *epcis_batch_new(void);

/* n bytes from the batch's arena (aligned for any type), or NULL. */
void *epcis_batch_alloc(yima_event_batch *b, size_t n);

/* A NUL-terminated copy of s (n bytes) in the arena, or NULL. */
char *epcis_batch_strdup(yima_event_batch *b, const char *s, size_t n);

/* Append a copy of *ev (whose pointers are into the arena). 0 or ENOMEM. */
int epcis_batch_add(yima_event_batch *b, const yima_event *ev);

/* Record a rejected event. 0 or YIMA_ENOMEM. */
int epcis_batch_reject(yima_event_batch *b, size_t index, size_t line,
                       const epcis_fault *f, const char *msg);

/* How the EPCIS layer asks for identifiers: the canonical form only. */
extern const yima_code_opts epcis_code_opts;

/* yima_code_parse(s, n, &epcis_code_opts, code, e), answered from a memory
 * of recent successes when it can (codes.c). On success only code->scheme
 * and code->canonical are set; on failure code and e as the parser left
 * them. */
int epcis_code(const char *s, size_t n, yima_code *code, yima_error *e);

#endif /* YIMA_EPCIS_INT_H */
