/*
 * yima/store.h - the event store: accepted EPCIS events, the code index, the
 * ledger's hashes, signed checkpoints, key/value settings and master data,
 * in one embedded SQLite database file.
 *
 * Every accepted event is sealed: the store gives it a recordTime and turns
 * it into a ledger entry (the bytes below), which is appended to the RFC 9162
 * ledger (yima/ledger.h) in the same transaction that stores the event. A
 * batch given to yima_store_append() is one transaction: when the call
 * returns 0 the whole batch is on disk (COMMIT with synchronous=FULL), and
 * when it fails nothing of it is. A process killed at any moment leaves the
 * store with exactly the batches acknowledged before, and perhaps the one in
 * flight, whole or not at all.
 *
 * Sealed ledger entry (the bytes hashed into the ledger, served in tile
 * bundles, returned by yima_store_entry()):
 *
 *   part         bytes
 *   -----------  --------------------------------------------------------
 *   magic        "yima-event/1\n" (13 bytes)
 *   recordTime   RFC 3339 UTC, milliseconds, 'Z': "2025-03-01T08:30:00.123Z"
 *                then "\n" (25 bytes)
 *   event        the event's canonical JSON (yima/event.h), no trailing
 *                newline, at most YIMA_EVENT_JSON_MAX bytes
 *
 * So an entry is at most YIMA_STORE_ENTRY_MAX bytes, within the 65535 a tile
 * bundle holds. recordTime is not inside the JSON: readers that show the
 * event with its recordTime add it from the second line.
 *
 * Schema (SQLite; application_id 0x79696D61 "yima", user_version 11; 64 KB
 * pages in new stores, 16 KB in those made from version 7 on, 4 KB before;
 * WAL, synchronous=FULL,
 * foreign_keys=ON, busy_timeout 10 s; a checkpointer thread copies the WAL
 * back past 16 MiB, the writer itself past 1 GiB):
 *
 *   table       column       type / key          meaning
 *   ----------  -----------  ------------------- ------------------------------
 *   events      idx          INTEGER PRIMARY KEY ledger leaf index, 0-based
 *               event_id     TEXT NOT NULL       eventID as given; empty when
 *                                                it is the hash ID (schema 7:
 *                                                made again from hash)
 *               hash         BLOB, 32 bytes      the SHA-256 the CBV 2.0 hash
 *                                                ID spells in hex: the
 *                                                duplicate test
 *               type         INTEGER 1..5        yima_event_type
 *               event_time   INTEGER             UTC ms since 1970
 *               record_time  INTEGER             UTC ms, non-decreasing in idx
 *               action       TEXT NULL           ADD / OBSERVE / DELETE
 *               biz_step     TEXT NULL           a standard one as its CBV
 *                                                word ("shipping"; schema
 *                                                11 on, the web URI
 *                                                before), others as given
 *               disposition  TEXT NULL           likewise ("in_transit")
 *               parent       TEXT NULL           first parentID code, for the
 *                                                containment query
 *               children     INTEGER             number of childEPCs codes
 *               entry        BLOB NOT NULL       the event's canonical JSON,
 *                                                packed (below); with
 *                                                record_time it is the sealed
 *                                                ledger entry
 *               codes        BLOB NOT NULL       the event's codes, packed:
 *                                                for each, role (1 byte),
 *                                                canonical code, NUL
 *   event_keys  t            INTEGER             eventTime, UTC ms
 *   (WITHOUT    h            INTEGER             first 8 bytes of events.hash
 *    ROWID)     idx          INTEGER -> events   PRIMARY KEY (t, h, idx): the
 *                                                duplicate look-up, growing at
 *                                                its right edge
 *   index_runs  run          INTEGER PRIMARY KEY the code index's sorted runs
 *               level        INTEGER             merges it went through
 *               lo, hi       INTEGER             it covers events [lo, hi)
 *               postings     INTEGER
 *               format       INTEGER             of its blocks: 1, 16 bytes
 *                                                a posting (runs written
 *                                                before schema 9); 2, delta
 *                                                varints (lib/store/index.h)
 *   index_blocks run, first_key, data            a run's postings in key
 *                                                order; derived from
 *                                                events.codes, see
 *                                                lib/store/index.h; found by
 *                                                the unique index (run,
 *                                                first_key)
 *   ledger      id           INTEGER = 1         one row
 *               size         INTEGER             leaves in the tree
 *   ledger_    blk          INTEGER PRIMARY KEY block b: the stored hashes
 *   hashes     data         BLOB, 32 bytes each b * 255 on (yima/ledger.h
 *                                                numbering); all full but
 *                                                the last (schema 10 on; a
 *                                                row a hash before)
 *   checkpoints size         INTEGER PRIMARY KEY tree size signed
 *               note         TEXT                signed checkpoint note
 *   meta        key          TEXT PRIMARY KEY    "origin", "verifier_key",
 *                                                "index_secret", ...
 *               value        TEXT
 *   parties     uscc         TEXT PRIMARY KEY    urn:yima:uscc:...
 *               name         TEXT NOT NULL
 *               roles        TEXT NULL           comma-separated
 *               region       TEXT NULL
 *               json         TEXT                the other fields, an object
 *   categories  id           TEXT PRIMARY KEY    catalogue id
 *               name         TEXT NOT NULL       Chinese name
 *               name_en      TEXT NULL
 *               phase        INTEGER NULL        catalogue phase
 *               json         TEXT
 *   products    code         TEXT PRIMARY KEY    canonical (GTIN: gs1 URI)
 *               producer     TEXT -> parties     USCC
 *               category     TEXT -> categories  NULL when not given
 *               name         TEXT NOT NULL
 *               json         TEXT
 *   batches     product      TEXT -> products
 *               lot          TEXT                PRIMARY KEY (product, lot)
 *               json         TEXT
 *
 * The ledger (events.entry with events.record_time, ledger_hashes,
 * ledger.size, checkpoints) is the truth; the other events columns and the
 * code index are derived from the entry and only make queries fast. Master
 * data is mutable and not sealed.
 *
 * Packed columns (lib/store/pack.c): events.entry is a tag byte and one
 * zstd frame of the canonical JSON, compressed against the fixed
 * dictionary the tag names: 0x01, EPCIS 2.0 words as raw text (rows of
 * schema 7); 0x02, a dictionary zstd trained on generated events
 * (lib/store/pack_dict2.c, schema 8 on). events.codes is the
 * tag 0x82 and the code list front-coded (for each code: role, the length
 * of the prefix shared with the code before, the rest, NUL), or empty
 * when the event has no codes. Rows written by schema 6 hold the sealed entry
 * itself (it starts with "yima-event/1") and the code list as it is (it starts
 * with a role byte); they are read as they are, and stay so.
 *
 * Master data JSON (yima_store_master_put / _get), an object with:
 *
 *   kind      required                      optional            key
 *   --------  ----------------------------  ------------------  ------------
 *   party     uscc (a USCC), name           roles (array of     uscc
 *                                           strings), region
 *   category  id, name                      name_en, phase      id
 *                                           (integer >= 0)
 *   product   code or gtin (gs1 GTIN only   category (a known   code
 *             when gs1), producer (USCC of  category id)
 *             a known party), name
 *   batch     product (a known product      -                   product, lot
 *             code), lot (non-empty)
 *
 * Any other members are kept and returned as given. Codes are stored and
 * returned in canonical form (yima/code.h) and may be given in any form.
 *
 * Thread safety: a yima_store is used by one thread at a time. Several
 * processes may open the same file; writers take turns (busy timeout).
 */
#ifndef YIMA_STORE_H
#define YIMA_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yima/buf.h"
#include "yima/code.h"
#include "yima/error.h"
#include "yima/event.h"
#include "yima/ledger.h"

#define YIMA_STORE_MAGIC      "yima-event/1\n"
#define YIMA_STORE_MAGIC_LEN  13
#define YIMA_STORE_TIME_LEN   24 /* "2025-03-01T08:30:00.123Z" */
#define YIMA_STORE_HEADER_LEN (YIMA_STORE_MAGIC_LEN + YIMA_STORE_TIME_LEN + 1)
#define YIMA_STORE_ENTRY_MAX  (YIMA_STORE_HEADER_LEN + YIMA_EVENT_JSON_MAX)

/* A CBV 2.0 hash ID is PREFIX, 64 hex digits, SUFFIX: the store keeps only
 * the 32 bytes (a third of the text), found by eventTime and its first 8
 * bytes (event_keys). */
#define YIMA_STORE_HASH_PREFIX "ni:///sha-256;"
#define YIMA_STORE_HASH_SUFFIX "?ver=CBV2.0"

typedef struct yima_store yima_store;

/* ---- Opening ------------------------------------------------------------ */

/*
 * Create a new, empty store in the file `path`. Fails with YIMA_EINVAL when
 * the file already exists ("store: x.db already exists"), YIMA_EIO when it
 * cannot be made (nothing is left behind). The store is not opened.
 */
int yima_store_create(const char *path, yima_error *err);

/*
 * Open the store in `path` (made by yima_store_create()) and set *out.
 * Returns 0, YIMA_ENOTFOUND (no such file), YIMA_EINVAL (not a yima store,
 * or a newer schema), YIMA_EIO or YIMA_ENOMEM; *err names the file. A store
 * left by a killed process is recovered here.
 */
int yima_store_open(const char *path, yima_store **out, yima_error *err);

/* Close the store and its ledger. Accepts NULL. */
void yima_store_close(yima_store *st);

/* ---- Events ------------------------------------------------------------- */

typedef enum yima_store_status {
    YIMA_STORE_ADDED = 1,    /* stored and sealed now */
    YIMA_STORE_DUPLICATE = 2 /* same hash ID stored before (or earlier in
                                the batch): not stored again */
} yima_store_status;

/* What became of one event of a batch. */
typedef struct yima_store_result {
    yima_store_status status;
    uint64_t index;         /* ledger index: the new one, or the stored one */
    int64_t record_time_ms; /* recordTime: assigned now, or the stored one */
} yima_store_result;

/*
 * Store and seal the n events ev[0..n-1] in one transaction (group commit):
 * returns 0 only after the batch is durable. An event whose hash ID is
 * already stored, or appears earlier in the batch, is a duplicate: reported
 * with the stored index and left out. The others get ledger indexes in batch
 * order and one recordTime (now, UTC milliseconds, never earlier than any
 * stored one). results (may be NULL) has room for n; it is filled only on
 * success. n == 0 does nothing.
 *
 * Returns 0, YIMA_EINVAL (an event breaks a rule of the schema, e.g. a bad
 * code role or a hash ID not in CBV 2.0 form; *err names the event by its
 * position in the batch and its eventID), YIMA_ETOOBIG (canonical JSON over
 * YIMA_EVENT_JSON_MAX), YIMA_EIO (database: full disk, locked for longer than
 * the busy timeout,
 * ...) or YIMA_ENOMEM. On failure nothing of the batch is stored.
 */
int yima_store_append(yima_store *st, const yima_event *ev, size_t n,
                      yima_store_result *results, yima_error *err);

/*
 * Packing ahead. The store keeps each event's canonical JSON and code list
 * packed (see "Packed columns" above) and indexes its codes under keyed
 * hashes; yima_store_append() does both on the thread that stores. A
 * reader thread may do them before, with a packer of its own, and hand the
 * results in with yima_store_append_packed(): packed[i] are the stored
 * forms of ev[i], as yima_store_pack() made them.
 */
typedef struct yima_packer yima_packer; /* one per thread */

typedef struct yima_store_packed {
    const void *json, *codes; /* within the `data` buffer they were made in */
    size_t json_len, codes_len;
    /* The code index keys of the eventID and of each code, in order, as
     * native uint64_t (not aligned): only from a packer of the store. */
    const void *keys;
    /* Sealed ahead (yima_packer_seal): the recordTime it was sealed for,
     * 0 when it was not; then the SHA-256 its hash ID spells and the
     * ledger leaf hash of its sealed entry dated so. */
    int64_t record_time_ms;
    uint8_t hash[32], leaf[32];
} yima_store_packed;

/* A packer, NULL when out of memory. One made by yima_store_packer(st)
 * also computes index keys, valid for st only; make it on the thread that
 * uses st, then hand it to the one that packs. */
yima_packer *yima_packer_new(void);
yima_packer *yima_store_packer(yima_store *st);
void yima_packer_free(yima_packer *p);

/* Also seal the events packed from now on, as if stored at recordTime
 * record_time_ms (ms since the epoch; 0: no longer): the store takes the
 * seal when it dates their batch so, which it does when the time is not
 * before the last it stored and every event of the batch has it; else it
 * seals them again. An importer seals every event of an input with the
 * time the input was started. */
void yima_packer_seal(yima_packer *p, int64_t record_time_ms);

/* Pack ev[0..n-1] into data (appended) and point packed[0..n-1] there: valid
 * while data is not changed. 0, YIMA_ETOOBIG or YIMA_ENOMEM. */
int yima_store_pack(yima_packer *p, const yima_event *ev, size_t n,
                    yima_buf *data, yima_store_packed *packed);

/* yima_store_append() with the events packed ahead (packed may be NULL;
 * events packed without keys, by a packer of no store, are packed again). */
int yima_store_append_packed(yima_store *st, const yima_event *ev,
                             const yima_store_packed *packed, size_t n,
                             yima_store_result *results, yima_error *err);

/*
 * Called for each event of a query, in ledger order. json (len bytes, not
 * NUL-terminated) is the canonical JSON without recordTime; it is valid
 * only during the call. Return 0 to go on; any other value stops the query,
 * which returns it. The callback must not call yima_store_events() or
 * yima_store_verify() on the same store.
 */
typedef int (*yima_store_event_fn)(void *arg, uint64_t index,
                                   int64_t record_time_ms, const char *json,
                                   size_t len);

/*
 * Every event that mentions `code` (any role; a code yima/code.h knows may
 * be given in any of its forms, others as indexed), plus the
 * events of every container it was packed in while it was packed: an
 * AggregationEvent ADD with the code as a child packs it into the event's
 * parent until the next AggregationEvent that removes it (DELETE listing it,
 * DELETE of that parent listing no children, or one that puts it in another
 * parent); the parent's events from the ADD up to and including that event
 * are included, and so on up to 8 levels (case, pallet, container, ...).
 * code NULL gives every event. Returns 0, the callback's value, YIMA_EIO
 * (database, or an entry that is not a sealed entry) or YIMA_ENOMEM.
 */
int yima_store_events(yima_store *st, const char *code, yima_store_event_fn fn,
                      void *arg, yima_error *err);

/*
 * Several appends in one transaction, for all-or-nothing imports of a whole
 * file: yima_store_batch_begin(), any number of yima_store_append() (each
 * gives its results at once, but nothing is durable yet), then
 * yima_store_batch_commit() (durable when it returns 0) or
 * yima_store_batch_rollback() (after any failed append: the transaction
 * then holds part of that append). Return 0 or YIMA_EIO with *err saying
 * why.
 */
int yima_store_batch_begin(yima_store *st, yima_error *err);
int yima_store_batch_commit(yima_store *st, yima_error *err);
void yima_store_batch_rollback(yima_store *st);

/* ---- Queries: the EPCIS 2.0 query parameters ------------------------------
 *
 * yima_store_query() gives, in ledger order, the events that pass every
 * filter set in a yima_query (yima_query_init() sets none):
 *
 *   EPCIS parameter              yima_query
 *   ---------------------------  ----------------------------------------
 *   eventType                    types (bits 1 << yima_event_type)
 *   GE_/LT_eventTime             ge_event_time, lt_event_time (UTC ms)
 *   GE_/LT_recordTime            ge_record_time, lt_record_time
 *   EQ_action                    actions (any of)
 *   EQ_bizStep, EQ_disposition   biz_steps, dispositions: CBV web URIs
 *                                (https://ref.gs1.org/cbv/BizStep-...)
 *   MATCH_epc, MATCH_anyEPC,     codes[]: roles (bits 1 << yima_code_role),
 *   MATCH_parentID, MATCH_input/ values in any form yima/code.h knows
 *   outputEPC, MATCH_epcClass,
 *   EQ_readPoint, EQ_bizLocation
 *   EQ_bizTransaction_type,      codes[] with role BIZ_TX / SOURCE /
 *   EQ_source_type,              DESTINATION and type: the list item must
 *   EQ_destination_type          have both (a CBV word, URN or web URI)
 *   perPage, nextPageToken       limit, from
 *
 * Within one filter any value matches; all filters must hold. Selection
 * starts from the code index when codes are asked for (codes[0] first),
 * from the eventTime index (event_keys) when only eventTime bounds are, and
 * scans in ledger order otherwise.
 */

#define YIMA_QUERY_CODES_MAX 16

typedef struct yima_query_values {
    const char *const *v;
    size_t n; /* 0: no filter */
} yima_query_values;

typedef struct yima_query_codes {
    unsigned roles;          /* where the code may appear */
    const char *type;        /* the list item's type, or NULL */
    yima_query_values codes; /* any of these */
} yima_query_codes;

typedef struct yima_query {
    unsigned types; /* 0: every type */
    int64_t ge_event_time, lt_event_time;
    int64_t ge_record_time, lt_record_time;
    yima_query_values actions, biz_steps, dispositions;
    yima_query_codes codes[YIMA_QUERY_CODES_MAX];
    size_t n_codes;
    uint64_t from; /* first ledger index to look at */
    size_t limit;  /* most events to give; 0: all */
    const char *recorder; /* only events recorded by this party (canonical
                             USCC), or NULL */
} yima_query;

/* No filters, from index 0, no limit. */
void yima_query_init(yima_query *q);

/*
 * Call fn for each event q selects, in ledger order, at most q->limit of
 * them. *next (may be NULL) is set to the q->from that continues the query
 * when more events match, or UINT64_MAX when none do. Returns 0, the
 * callback's value, YIMA_EINVAL (a code value that yima/code.h recognises
 * and rejects: *err says which), YIMA_EIO or YIMA_ENOMEM.
 */
int yima_store_query(yima_store *st, const yima_query *q,
                     yima_store_event_fn fn, void *arg, uint64_t *next,
                     yima_error *err);

/*
 * The event whose eventID is id, as given at capture (or the hash ID when
 * it brought none): calls fn once, or returns YIMA_ENOTFOUND.
 */
int yima_store_event_by_id(yima_store *st, const char *id,
                           yima_store_event_fn fn, void *arg, yima_error *err);

/*
 * Append the sealed entry of ledger index `index` to out (what the tile
 * bundles and proofs are about). Returns 0, YIMA_ENOTFOUND, YIMA_EIO or the
 * buffer's error.
 */
int yima_store_entry(yima_store *st, uint64_t index, yima_buf *out,
                     yima_error *err);

/*
 * Split a sealed entry (len bytes): sets *record_time_ms (may be NULL) and
 * *json / *json_len (may be NULL) to the event bytes inside entry. Returns 0
 * or YIMA_EINVAL when entry is not a sealed entry in the format above.
 */
int yima_store_entry_parse(const void *entry, size_t len,
                           int64_t *record_time_ms, const char **json,
                           size_t *json_len);

/*
 * A number that changes whenever what this handle reads may have changed:
 * a commit by any other connection to the file (SQLite's data_version) or
 * by this handle. For caches of derived answers (the server's scan views):
 * equal numbers mean nothing changed in between. Cheap: no disk I/O.
 */
int yima_store_version(yima_store *st, uint64_t *version, yima_error *err);

/* Write UTC milliseconds ms as recordTime is written in an entry,
 * "2025-03-01T08:30:00.123Z" (YIMA_STORE_TIME_LEN characters and a NUL).
 * Returns 0, or YIMA_EINVAL for years outside 0000..9999. The one writer of
 * such times for every front door. */
int yima_store_time_format(int64_t ms, char out[YIMA_STORE_TIME_LEN + 1]);

/* Set *size to the number of sealed entries (the ledger's size). */
int yima_store_size(yima_store *st, uint64_t *size, yima_error *err);

/*
 * The ledger over this store's hashes, for roots, proofs, checkpoints and
 * tiles (yima_store_entry_fn, with the store as ctx, gives the entries). Owned
 * by the store: valid until yima_store_close(). Appending to it directly is
 * refused (YIMA_EUSAGE): yima_store_append() is the only writer.
 */
yima_ledger *yima_store_ledger(yima_store *st);

/* A yima_ledger_entry_fn reading sealed entries from the store given as
 * ctx, for yima_ledger_bundle() and yima_ledger_tiles_write(). */
int yima_store_entry_fn(void *ctx, uint64_t index, yima_buf *out);

/* ---- Checkpoints and settings -------------------------------------------- */

/*
 * Keep a signed checkpoint note (len bytes, e.g. from
 * yima_ledger_checkpoint_sign() on yima_store_ledger()). Its signature is
 * not checked here; its size must be within the ledger and its root equal
 * the ledger's root at that size. A second note for the same size replaces
 * the first. Returns 0, YIMA_EINVAL (*err says what), YIMA_EIO.
 */
int yima_store_checkpoint_put(yima_store *st, const char *note, size_t len,
                              yima_error *err);

/*
 * Append the checkpoint note of the largest size to note and set *size (may
 * be NULL). Returns 0, YIMA_ENOTFOUND (none yet), YIMA_EIO or the buffer's
 * error.
 */
int yima_store_checkpoint_latest(yima_store *st, uint64_t *size, yima_buf *note,
                                 yima_error *err);

/*
 * Append to note the checkpoint of the ledger as it is now: the stored one
 * when it covers every entry; else, given the signer key skey (the text
 * `yima init` wrote to <db>.key), a new one signed with the store's origin
 * and kept; else (skey NULL) the latest stored one, of a smaller tree.
 * Returns 0, YIMA_ENOTFOUND (no checkpoint and no key), or the store's or
 * the ledger's error with *err saying why.
 */
int yima_store_checkpoint_current(yima_store *st, const char *skey,
                                  yima_buf *note, yima_error *err);

/* Set or replace a setting (key and value NUL-terminated UTF-8). Keys used
 * by yima: "origin" (checkpoint origin line), "verifier_key". */
int yima_store_meta_put(yima_store *st, const char *key, const char *value,
                        yima_error *err);

/* Append the value of setting `key` to out. Returns 0, YIMA_ENOTFOUND,
 * YIMA_EIO or the buffer's error. */
int yima_store_meta_get(yima_store *st, const char *key, yima_buf *out,
                        yima_error *err);

/* ---- Master data ----------------------------------------------------------
 */

typedef enum yima_store_kind {
    YIMA_STORE_PARTY = 1,
    YIMA_STORE_CATEGORY,
    YIMA_STORE_PRODUCT,
    YIMA_STORE_BATCH
} yima_store_kind;

/*
 * Insert or replace one master-data record given as a JSON object (len
 * bytes; see the table at the top). Returns 0, YIMA_EINVAL (malformed JSON,
 * a missing or invalid field, an unknown party / product / category; *err
 * names the field, e.g. `party: "uscc": ...`), YIMA_EIO or YIMA_ENOMEM.
 */
int yima_store_master_put(yima_store *st, yima_store_kind kind,
                          const char *json, size_t len, yima_error *err);

/*
 * Group master-data puts into one transaction, so a file of rows is stored
 * whole or not at all: yima_store_master_begin(), any number of
 * yima_store_master_put(), then yima_store_master_commit() (durable when it
 * returns 0) or yima_store_master_rollback() (accepts a store with no open
 * transaction). yima_store_append() must not be called in between.
 * Return 0 or YIMA_EIO with *err saying why.
 */
int yima_store_master_begin(yima_store *st, yima_error *err);
int yima_store_master_commit(yima_store *st, yima_error *err);
void yima_store_master_rollback(yima_store *st);

/*
 * Append the record with key `key` (party: a USCC in any form; category: its
 * id; product: its code in any form; batch: the product's code, with `lot`)
 * to out as compact JSON: the key fields first, in canonical form, then the
 * others. lot is used only for batches. Returns 0, YIMA_ENOTFOUND,
 * YIMA_EINVAL (key not a valid code), YIMA_EIO, YIMA_ENOMEM or the buffer's
 * error.
 */
int yima_store_master_get(yima_store *st, yima_store_kind kind, const char *key,
                          const char *lot, yima_buf *out, yima_error *err);

/* ---- Access tokens ---------------------------------------------------------
 *
 * A bearer token acts for one party in one of its roles. Its text is
 * "ymt_" + 12 hex digits (its id, which may be shown and logged) + "_" + 32
 * hex digits of secret (128 random bits); the store keeps only its SHA-256,
 * so a stolen database yields no usable token. Table tokens: id TEXT
 * PRIMARY KEY, hash BLOB (32 bytes), party TEXT -> parties, role TEXT,
 * created INTEGER (UTC ms), revoked INTEGER NULL (UTC ms).
 */

#define YIMA_TOKEN_ID_LEN 12
#define YIMA_TOKEN_LEN    (4 + YIMA_TOKEN_ID_LEN + 1 + 32) /* 49 */
#define YIMA_PARTY_MAX    64 /* bytes of a canonical party code + NUL */

/* The roles a token may carry. */
#define YIMA_ROLE_NAMES "producer, seller, regulator, auditor"

typedef struct yima_store_token {
    char id[YIMA_TOKEN_ID_LEN + 1];
    char party[YIMA_PARTY_MAX]; /* canonical USCC, urn:yima:uscc:... */
    char role[16];              /* one of YIMA_ROLE_NAMES */
    int64_t created_ms;
    int64_t revoked_ms; /* 0 while the token is live */
} yima_store_token;

/* Is role one of YIMA_ROLE_NAMES? */
bool yima_store_role_known(const char *role);

/*
 * Make a token for party (a USCC in any form; the party must be stored and
 * hold role among its roles) and write its text to token. info (may be NULL)
 * gets its id and the rest. Returns 0, YIMA_EINVAL (unknown role, party not
 * a USCC, party lacks the role), YIMA_ENOTFOUND (no such party), YIMA_EIO.
 */
int yima_store_token_create(yima_store *st, const char *party,
                            const char *role, char token[YIMA_TOKEN_LEN + 1],
                            yima_store_token *info, yima_error *err);

/*
 * Check a bearer token's text: 0 and *info when it is live; YIMA_EINVAL
 * when it is not a yima token at all, YIMA_ENOTFOUND when it is unknown or
 * its secret is wrong (the message does not say which), YIMA_EUSAGE when it
 * was revoked (the message says when); YIMA_EIO.
 */
int yima_store_token_check(yima_store *st, const char *token,
                           yima_store_token *info, yima_error *err);

/* Revoke a token given by its id or its whole text. Returns 0,
 * YIMA_ENOTFOUND, YIMA_EINVAL (already revoked), YIMA_EIO. */
int yima_store_token_revoke(yima_store *st, const char *id_or_token,
                            yima_error *err);

/*
 * The party a GS1 key belongs to, for naming parties that events give by
 * GLN: the stored party whose "gln" member (a string or an array of
 * 13-digit GLNs) holds `key` when key is a GLN, else the one with the
 * longest "gcp" prefix that key starts with at position `from` (0 for a
 * GLN, 1 for a GTIN-14 or an SSCC: after the indicator / extension digit).
 * Copies its canonical USCC to party. Returns 0, YIMA_ENOTFOUND or
 * YIMA_EIO. Scans the parties table (lib/store/party_gs1.c).
 */
int yima_store_party_by_gs1(yima_store *st, const char *key, size_t from,
                            char party[YIMA_PARTY_MAX], yima_error *err);

/* ---- Who records, capture jobs, issued codes -------------------------------
 *
 * Events appended through a handle after yima_store_set_recorder(st, party)
 * are recorded in that party's name (a canonical USCC, as a token names
 * it; NULL: nobody, as for the CLI's imports) in events.recorder, which
 * yima_query.recorder filters by. The recorder is kept beside the sealed
 * entry, not inside it.
 *
 * Capture jobs (table captures: id, party, created, json) keep what the
 * server's POST /epcis/capture answered, for GET /epcis/capture/{id}.
 *
 * Platform digital identity codes (yima/code.h, YM...) are issued to a
 * party, optionally for one of its products, and remembered (table issued:
 * code in canonical form urn:yima:dic:YM..., party, product, created), so a
 * scan can tell an issued code from a made-up one.
 */

int yima_store_set_recorder(yima_store *st, const char *party);

int yima_store_capture_put(yima_store *st, const char *id, const char *party,
                           const char *json, yima_error *err);
/* Append job id's JSON to json and copy its party (or "") to party.
 * Returns 0, YIMA_ENOTFOUND, YIMA_EIO. */
int yima_store_capture_get(yima_store *st, const char *id,
                           char party[YIMA_PARTY_MAX], yima_buf *json,
                           yima_error *err);

typedef struct yima_store_issued {
    char party[YIMA_PARTY_MAX]; /* canonical USCC */
    char product[256];          /* canonical product code, or "" */
    int64_t created_ms;
} yima_store_issued;

/* Issue a new platform code to party (a stored party, any USCC form) for
 * product (a stored product of that party, any form, or NULL) and write it
 * to code. Returns 0, YIMA_EINVAL, YIMA_ENOTFOUND (no such party or
 * product), YIMA_EIO. */
int yima_store_issue(yima_store *st, const char *party, const char *product,
                     char code[YIMA_DIC_LEN + 1], yima_error *err);

/* Who a platform code (any form) was issued to: 0 and *out, or
 * YIMA_ENOTFOUND (never issued here), YIMA_EINVAL (not a platform code). */
int yima_store_issued_get(yima_store *st, const char *code,
                          yima_store_issued *out, yima_error *err);

/* ---- Verification ---------------------------------------------------------
 */

/* Progress of yima_store_verify(): done of total entries checked. */
typedef void (*yima_store_progress_fn)(void *arg, uint64_t done,
                                       uint64_t total);

/*
 * Check the whole ledger from the entries up: recompute every leaf hash from
 * the stored entry bytes, rebuild the tree in memory (64 bytes per entry),
 * and compare it with every stored hash, the stored size and every stored
 * checkpoint's root (checkpoint signatures are for the caller to check with
 * the verifier key). Reports the first problem found, e.g.
 * "ledger: entry 41 does not match its leaf hash", "ledger: entry 7 is
 * missing", "ledger: 3 entries missing after 117", "checkpoint at size 200:
 * root differs". Edited, deleted, inserted and reordered entries are all
 * found. progress (may be NULL) is called now and then.
 * Returns 0, YIMA_EINVAL (the store fails the check; *err says where),
 * YIMA_EIO or YIMA_ENOMEM.
 */
int yima_store_verify(yima_store *st, yima_store_progress_fn progress,
                      void *arg, yima_error *err);

/* ---- Custody state ---------------------------------------------------------
 *
 * Where each unit and container is now, derived from the sealed events by
 * lib/trace (yima/trace.h: the rules, and the catching up) and kept here
 * so a forward trace or a capture check reads one row per unit instead of
 * replaying its events. Table custody (WITHOUT ROWID): code TEXT PRIMARY
 * KEY (canonical), holder TEXT NULL, container TEXT NULL (indexed),
 * state INTEGER, t INTEGER; table batch_units (batch, code: the canonical
 * batch code each commissioning gave a unit); meta "custody_upto" is the
 * ledger index up to
 * which events are applied. Like the code index it is derived: deleting
 * the rows and the setting makes lib/trace rebuild it.
 */

typedef struct yima_store_custody {
    char holder[YIMA_CODE_URI_MAX];    /* party shown, "consumer"; "" none */
    char container[YIMA_CODE_URI_MAX]; /* packed in now; "" none */
    int state;                         /* lib/trace's own numbers */
    int64_t t;                         /* eventTime last applied, UTC ms */
} yima_store_custody;

/* The row of code: 0, YIMA_ENOTFOUND or YIMA_EIO. */
int yima_store_custody_get(yima_store *st, const char *code,
                           yima_store_custody *out, yima_error *err);
/* Insert or replace the row of code: 0 or YIMA_EIO. Call inside a write
 * transaction (yima_store_batch_begin) for many rows. */
int yima_store_custody_put(yima_store *st, const char *code,
                           const yima_store_custody *row, yima_error *err);
/* Call fn(arg, code) for each code whose container is `container`; the
 * codes are gathered first, so fn may put rows. Returns 0, fn's value,
 * YIMA_EIO or YIMA_ENOMEM. */
int yima_store_custody_kids(yima_store *st, const char *container,
                            int (*fn)(void *arg, const char *code), void *arg,
                            yima_error *err);
/* Read many rows as one state of the store (a read transaction, which
 * also saves the file locking per statement): *began says whether one was
 * begun (false inside a transaction already); end it with
 * yima_store_snapshot_end(st, began). Returns 0 or YIMA_EIO. */
int yima_store_snapshot_begin(yima_store *st, bool *began, yima_error *err);
void yima_store_snapshot_end(yima_store *st, bool began);

/* Note that a commissioning made unit `code` of batch `batch` (both
 * canonical): 0 or YIMA_EIO. */
int yima_store_batch_unit_put(yima_store *st, const char *batch,
                              const char *code, yima_error *err);
/* Call fn(arg, code, holder (NULL: none), state) for each unit of batch
 * with a custody row, in code order. Returns 0, fn's value, or YIMA_EIO. fn must
 * not use the store. */
int yima_store_custody_batch(yima_store *st, const char *batch,
                             int (*fn)(void *arg, const char *code,
                                       const char *holder, int state),
                             void *arg, yima_error *err);

/* Is a write transaction (yima_store_batch_begin) open on this handle? */
bool yima_store_in_batch(const yima_store *st);

/* ---- Scans at places ------------------------------------------------------
 *
 * A scan that says where it happens (a place: a location's GLN, or a
 * party) is kept, so the scan view can tell a code that turns up where its
 * custody is not, or in several places at once: a copied code. Scans that
 * name no place are not kept. Table scans (lib/store/scan.c; schema 6,
 * which stores made before gain at open):
 *
 *   scans  column  type                 meaning
 *   -----  ------  -------------------  ------------------------------------
 *          id      INTEGER PRIMARY KEY  from 1
 *          code    TEXT NOT NULL        the code scanned, canonical
 *          time    INTEGER NOT NULL     UTC ms, when it was kept
 *          place   TEXT NOT NULL        canonical: https://id.gs1.org/414/
 *                                       {gln}[/254/{ext}], .../417/{gln},
 *                                       or urn:yima:uscc:{uscc}
 *          party   TEXT NOT NULL        the place's party (canonical USCC),
 *                                       or "" when no stored party has it
 *   index (code, time)
 *
 * Each kept scan is a commit, so it moves yima_store_version(): caches of
 * views that read scans stay right.
 */

/* The same code at the same place again within this is kept once. */
#define YIMA_STORE_SCAN_REPEAT_MS 60000
/* The most scans of a code read back, newest first. */
#define YIMA_STORE_SCANS_MAX 1000

/* One kept scan; strings valid during a callback only. */
typedef struct yima_store_scan {
    const char *code;
    int64_t time_ms;
    const char *place, *party; /* party "" when unknown */
} yima_store_scan;

/*
 * Keep a scan of code (canonical) at place (canonical) of party (canonical
 * USCC; NULL or "": none known), timed now. A scan of the same code at the
 * same place within YIMA_STORE_SCAN_REPEAT_MS of one kept is not kept again
 * (a double scan; the store is then unchanged). *stored (may be NULL) says
 * whether a row was added. Returns 0, YIMA_EIO.
 */
int yima_store_scan_put(yima_store *st, const char *code, const char *place,
                        const char *party, bool *stored, yima_error *err);

/* Called for each scan of a listing; non-zero stops it. */
typedef int (*yima_store_scan_fn)(void *arg, const yima_store_scan *scan);

/*
 * The newest YIMA_STORE_SCANS_MAX scans of code (canonical), newest first.
 * Never writes (a store without the table has no scans). Returns 0, the
 * callback's value, YIMA_EIO.
 */
int yima_store_scans(yima_store *st, const char *code, yima_store_scan_fn fn,
                     void *arg, yima_error *err);

#endif /* YIMA_STORE_H */
