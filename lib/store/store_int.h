/*
 * store_int.h - private to lib/store/: the store handle and the narrow
 * backend interface under it, so a second database (PostgreSQL) is one more
 * store_ops table; and the SQLite backend's own state.
 *
 *   file             job
 *   ---------------  ---------------------------------------------------
 *   store.c          the public API: open/close, dispatch, group commit
 *   entry.c          the sealed entry format, record times, hash IDs
 *   verify.c         yima_store_verify and the checkpoint text check
 *   master.c         master-data JSON: validation, columns, reassembly
 *   token.c          access tokens: making, checking, revoking
 *   sqlite.c         SQLite: create, open, schema, pragmas, statements,
 *                    transactions, errors
 *   sqlite_event.c   SQLite: event rows, duplicates, code queries, scans
 *   sqlite_query.c   SQLite: the EPCIS query parameters
 *   sqlite_wal.c     SQLite: WAL checkpoints in a thread of their own
 *   sqlite_index.c   SQLite: the code index's runs (index.h)
 *   index_tail.c     the code index's in-memory tail (index.h)
 *   sqlite_ledger.c  SQLite: the yima_ledger_store hash callbacks
 *   sqlite_meta.c    SQLite: meta, checkpoints, master-data rows
 *   custody.c        SQLite: the custody state rows lib/trace keeps
 *
 * The generic layer owns the rules (duplicates, record times, entry bytes,
 * leaf hashes, validation); a backend only keeps rows, in transactions.
 */
#ifndef YIMA_STORE_INT_H
#define YIMA_STORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "yima/store.h"

#include "index.h"

#define STORE_MASTER_COLS 5 /* most columns of a master-data row */
#define STORE_QUERY_DEPTH 8 /* containers followed: case, pallet, ... */

/* One event row as the generic layer hands it to the backend. */
typedef struct store_row {
    const yima_event *ev;
    const uint8_t *hash; /* the SHA-256 of ev->hash_id, 32 bytes */
    uint64_t index;
    size_t pos; /* position in the batch, 0-based */
    int64_t record_time_ms;
    const char *parent; /* first code with role PARENT, or NULL */
    unsigned children;  /* codes with role CHILD */
    const char *recorder; /* the party recording it, or NULL */
    const yima_store_packed *packed; /* its stored forms, or NULL */
} store_row;

/* An event of a batch by its hash ID: is it stored, or earlier in the
 * batch? */
typedef struct store_hash {
    uint8_t hash[YIMA_LEDGER_HASH_LEN]; /* the SHA-256 of the hash ID */
    int64_t event_time_ms;              /* the event's eventTime */
    bool stored;                        /* found in the store: */
    uint64_t index;                     /* its index and recordTime */
    int64_t record_time_ms;
    size_t first; /* position of its first occurrence in the batch */
} store_hash;

/* A stored entry, in index order: return 0 to go on, non-zero to stop. */
typedef int (*store_entry_fn)(void *arg, uint64_t index, int64_t record_time,
                              const void *entry, size_t len);

/* A checkpoint row: return 0 to go on, non-zero to stop. */
typedef int (*store_checkpoint_fn)(void *arg, uint64_t size, const char *note,
                                   size_t len);

/* A master-data row: col[i] NUL-terminated or NULL, valid during the call,
 * in the column order of the kind's table (schema in yima/store.h). */
typedef int (*store_master_fn)(void *arg, const char *const *col);

/*
 * What a backend implements. Every function takes the backend state `be`,
 * returns 0 or a YIMA_E* code, and fills err (which may be NULL) with a
 * message naming the operation and the database's own reason.
 */
typedef struct store_ops {
    const char *name;
    void (*close)(void *be);

    /* A write transaction that excludes other writers from its start. */
    int (*begin)(void *be, yima_error *err);
    /* A read transaction: one snapshot for several reads; ended by
     * rollback. */
    int (*begin_read)(void *be, yima_error *err);
    int (*commit)(void *be, yima_error *err);
    void (*rollback)(void *be);

    /* recordTime of the last entry, or INT64_MIN when there is none. */
    int (*last_record_time)(void *be, int64_t *ms, yima_error *err);
    /* For each of the batch's n hashes, set stored, index and
     * record_time_ms from the stored event with that hash, if any; a hash
     * whose `first` is not its own position takes its first's answer. */
    int (*find)(void *be, store_hash *hash, size_t n, yima_error *err);
    /* Insert the event, which find() did not find, and index its codes. */
    int (*put_event)(void *be, const store_row *row, yima_error *err);
    /* Entries mentioning code (see yima_store_events), or all when NULL. */
    int (*events)(void *be, const char *code, store_entry_fn fn, void *arg,
                  yima_error *err);
    /* yima_store_version. */
    int (*version)(void *be, uint64_t *v, yima_error *err);
    /* yima_store_query with codes already canonical. */
    int (*query)(void *be, const yima_query *q, store_entry_fn fn, void *arg,
                 uint64_t *next, yima_error *err);
    /* The event whose event_id is id (YIMA_ENOTFOUND). */
    int (*by_id)(void *be, const char *id, store_entry_fn fn, void *arg,
                 yima_error *err);
    /* Append entry `index` to out; YIMA_ENOTFOUND when there is none. */
    int (*entry)(void *be, uint64_t index, yima_buf *out, yima_error *err);

    /* The yima_ledger_store callbacks, with be as ctx. */
    int (*size)(void *be, uint64_t *size);
    int (*read)(void *be, const uint64_t *index, size_t n,
                uint8_t (*out)[YIMA_LEDGER_HASH_LEN]);
    int (*append)(void *be, uint64_t old_size, uint64_t new_size,
                  uint64_t first, const uint8_t (*hash)[YIMA_LEDGER_HASH_LEN],
                  size_t n);
    /* Why the last of those three failed ("" when unknown): they return
     * only a code. Cleared by begin. */
    const char *(*reason)(void *be);

    int (*meta_get)(void *be, const char *key, yima_buf *out, yima_error *err);
    int (*meta_put)(void *be, const char *key, const char *value,
                    yima_error *err);
    int (*checkpoint_put)(void *be, uint64_t size, const char *note, size_t len,
                          yima_error *err);
    /* Every checkpoint, largest size first. */
    int (*checkpoints)(void *be, store_checkpoint_fn fn, void *arg,
                       yima_error *err);
    /* Tokens: put a new one; get one by id (YIMA_ENOTFOUND), hash set to
     * its 32-byte hash; mark one revoked at ms (YIMA_ENOTFOUND). */
    int (*token_put)(void *be, const yima_store_token *t, const uint8_t *hash,
                     yima_error *err);
    int (*token_get)(void *be, const char *id, yima_store_token *t,
                     uint8_t *hash, yima_error *err);
    int (*token_revoke)(void *be, const char *id, int64_t ms,
                        yima_error *err);
    /* Capture jobs: keep the JSON of job id (made by party); get it
     * (YIMA_ENOTFOUND), the party into party (size YIMA_PARTY_MAX). */
    int (*capture_put)(void *be, const char *id, const char *party,
                       int64_t ms, const char *json, yima_error *err);
    int (*capture_get)(void *be, const char *id, char *party, yima_buf *json,
                       yima_error *err);
    /* Platform codes issued to a party (YIMA_EINVAL if issued before). */
    int (*issued_put)(void *be, const char *code, const char *party,
                      const char *product, int64_t ms, yima_error *err);
    int (*issued_get)(void *be, const char *code, yima_store_issued *out,
                      yima_error *err);
    int (*master_put)(void *be, yima_store_kind kind,
                      const char *const col[STORE_MASTER_COLS],
                      yima_error *err);
    /* Calls fn once with the row, or returns YIMA_ENOTFOUND. key2 is the
     * lot for batches. */
    int (*master_get)(void *be, yima_store_kind kind, const char *key,
                      const char *key2, store_master_fn fn, void *arg,
                      yima_error *err);
} store_ops;

struct yima_store {
    const store_ops *ops;
    void *be;
    yima_ledger *ledger; /* over the backend's hash callbacks */
    bool appending;      /* the ledger may append only inside append */
    bool batch;          /* in yima_store_batch_begin's transaction */
    char recorder[YIMA_PARTY_MAX]; /* "" when none */
    EVP_MD_CTX *md;      /* leaf hashes of a batch */
    EVP_MD *sha256;      /* fetched once: EVP_sha256() looks it up each time */
    yima_buf entry;      /* the entry being sealed, reused */
    uint8_t (*leaf)[YIMA_LEDGER_HASH_LEN]; /* leaf hashes of a batch */
    store_hash *hash;                      /* the batch's hash IDs */
    size_t alloc;                          /* room in the two */
    uint32_t *slot;    /* position + 1 of a hash, by its first bytes */
    size_t slot_alloc; /* room in it: a power of two */
};

/* ---- entry.c ------------------------------------------------------------ */

/* Write ms as "YYYY-MM-DDThh:mm:ss.sssZ" (YIMA_STORE_TIME_LEN chars and a
 * NUL). Returns 0 or YIMA_EINVAL for years outside 0000..9999. */
int store_time_format(int64_t ms, char out[YIMA_STORE_TIME_LEN + 1]);

/* Reset out to the sealed entry of ev with recordTime ms. */
int store_entry_build(yima_buf *out, const yima_event *ev, int64_t ms);
/* The same from canonical JSON (n bytes) alone. */
int store_entry_make(yima_buf *out, const char *json, size_t n, int64_t ms);
/* The RFC 9162 leaf hash of the bytes at head (hn) then body (bn), with a
 * context and SHA-256 implementation the caller keeps (EVP_sha256() is
 * looked up each call). */
int store_leaf_hash(EVP_MD_CTX *md, const EVP_MD *sha256, const void *head,
                    size_t hn, const void *body, size_t bn,
                    uint8_t out[YIMA_LEDGER_HASH_LEN]);

/* ---- Packed columns (pack.c) -------------------------------------------- */

#define PACK_JSON_1      0x01 /* events.entry: canonical JSON, dictionary 1 */
#define PACK_JSON_2      0x02 /* ... dictionary 2 (pack_dict2.c): new rows */
#define PACK_CODES_FRONT 0x82 /* events.codes: the code list, front-coded */
#define PACK_MAX         (1u << 20) /* most bytes a packed value unpacks to */

/* Append the packed canonical JSON (n bytes) / code list of ev to out (an
 * event without codes adds nothing: its list is empty). 0, YIMA_ETOOBIG or
 * YIMA_ENOMEM. */
int store_pack_json(yima_packer *p, const char *json, size_t n, yima_buf *out);
int store_pack_codes(yima_packer *p, const yima_event *ev, yima_buf *out);
/* Dictionary 2 (pack_dict2.c, made by tools/mkdict.c). */
extern const unsigned char store_dict2[];
extern const size_t store_dict2_len;

/* Let p compute code index keys under secret (yima_store_packer). */
void store_packer_key(yima_packer *p, const uint8_t secret[16]);

/* Is the value src (n bytes) of events.entry / events.codes packed? */
#define store_packed_json(src, n)                                              \
    ((n) > 0 && (*(const unsigned char *)(src) == PACK_JSON_1 ||               \
                 *(const unsigned char *)(src) == PACK_JSON_2))
#define store_packed_codes(src, n)                                             \
    ((n) > 0 && *(const unsigned char *)(src) == PACK_CODES_FRONT)

/* Unpack a packed value into out (replacing what it held). 0, YIMA_EIO (not
 * a value this program packed) or YIMA_ENOMEM. */
int store_unpack(yima_packer *p, const void *src, size_t n, yima_buf *out);

/* The SHA-256 inside a CBV 2.0 hash ID (YIMA_STORE_HASH_PREFIX, 64 hex
 * digits of either case, YIMA_STORE_HASH_SUFFIX). Returns 0 or
 * YIMA_EINVAL. */
int store_hash_id_parse(const char *id, uint8_t out[YIMA_LEDGER_HASH_LEN]);
/* The CBV 2.0 hash ID of hash (lower-case hex), with its NUL. */
void store_hash_id_format(const uint8_t hash[YIMA_LEDGER_HASH_LEN],
                          char out[YIMA_EVENT_HASH_LEN + 1]);

/* UTC milliseconds now. */
int64_t store_now_ms(void);

/* ---- verify.c ------------------------------------------------------------ */

/*
 * Check a checkpoint note's text against ledger lg: sets *size to the size
 * it names. Returns 0, or YIMA_EINVAL with "checkpoint ...: <why>" (not a
 * checkpoint, beyond the ledger, root differs), or the ledger's error.
 */
int store_checkpoint_check(yima_ledger *lg, const char *note, size_t len,
                           uint64_t *size, yima_error *err);

/* ---- master.c ------------------------------------------------------------ */

/* "party", "category", "product", "batch". */
const char *store_kind_name(yima_store_kind kind);

/* ---- SQLite backend ------------------------------------------------------ */

enum sq_stmt {
    SQ_BEGIN,
    SQ_BEGIN_READ,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_LAST_TIME,
    SQ_EVENT_PUT,
    SQ_EVENT_DUP,
    SQ_EVENT_KEY_PUT,
    SQ_EVENT_KEY_MAX,
    SQ_EVENT_SINCE,
    SQ_EVENT_INFO,
    SQ_RUN_ALL,
    SQ_RUN_PUT,
    SQ_RUN_DROP,
    SQ_BLOCK_PUT,
    SQ_BLOCK_DROP,
    SQ_BLOCK_FIND,
    SQ_EVENT_ALL,
    SQ_EVENT_ONE,
    SQ_EVENT_ROW,
    SQ_EVENT_SCAN,
    SQ_TIME_RANGE,
    SQ_SIZE,
    SQ_SIZE_SET,
    SQ_HASH_GET,
    SQ_HASH_PUT,
    SQ_META_GET,
    SQ_META_PUT,
    SQ_CP_PUT,
    SQ_CP_ALL,
    SQ_PARTY_PUT,
    SQ_PARTY_GET,
    SQ_CATEGORY_PUT,
    SQ_CATEGORY_GET,
    SQ_PRODUCT_PUT,
    SQ_PRODUCT_GET,
    SQ_BATCH_PUT,
    SQ_BATCH_GET,
    SQ_DATA_VERSION,
    SQ_TOKEN_PUT,
    SQ_TOKEN_GET,
    SQ_TOKEN_REVOKE,
    SQ_CAPTURE_PUT,
    SQ_CAPTURE_GET,
    SQ_ISSUED_PUT,
    SQ_ISSUED_GET,
    SQ_CUSTODY_GET,
    SQ_CUSTODY_PUT,
    SQ_CUSTODY_KIDS,
    SQ_BATCH_UNIT_PUT,
    SQ_CUSTODY_BATCH,
    SQ_COUNT
};

/* Bytes of WAL past which SQLite's own checkpoint runs, when no
 * checkpointer thread does (sqlite_wal.c); divided by the page size. */
#define SQ_WAL_AUTOCHECKPOINT (64 << 20)
#define SQ_BUSY_MS            10000 /* a handle waits this long for another's lock */
/* Bytes of WAL past which the writer restarts it (sq_wal_restart). */
#define SQ_WAL_RESTART (64 << 20)
#define SQ_HASH_BLOCK         255 /* ledger hashes a row of ledger_hashes */
/* events.biz_step and events.disposition hold a standard CBV value as its
 * word alone, after these prefixes (schema 11 on); a bare word has no ':',
 * any other value (a URI) does. */
#define SQ_BIZSTEP_PREFIX "https://ref.gs1.org/cbv/BizStep-"
#define SQ_DISP_PREFIX    "https://ref.gs1.org/cbv/Disp-"

typedef struct sq_ckpt sq_ckpt; /* sqlite_wal.c */

/* A run of the code index (index_runs). */
typedef struct sq_run {
    int64_t run;
    int level;
    uint64_t lo, hi; /* it holds the postings of events [lo, hi) */
    int format;      /* of its blocks: IX_FORMAT_* (index.h) */
} sq_run;

typedef struct sq {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *stmt[SQ_COUNT];  /* prepared once at open */
    char last[YIMA_ERROR_MSG_MAX]; /* the last database error of a ledger
                                      callback */
    uint8_t secret[16];            /* the code index's SipHash key */
    ix_tail tail;                  /* postings of events from `through` on */
    sq_run *runs;                  /* as of the last sync */
    size_t n_runs, runs_alloc;
    uint64_t through;    /* runs hold the events below this */
    size_t tail_mark;    /* tail.n when the write transaction began */
    uint64_t tail_upto_mark; /* tail.upto then */
    bool writing, wrote; /* in a write transaction; ever wrote */
    bool not_full;       /* synchronous is not FULL (sq_index_flush) */
    sq_ckpt *ckpt;       /* the checkpointer thread, once this handle writes */
    uint8_t hashes[SQ_HASH_BLOCK][YIMA_LEDGER_HASH_LEN]; /* a ledger block */
    bool ckpt_failed;
    int page_size;       /* the database's, read at open */
    int64_t wal_bytes;   /* in the WAL after this handle's last commit */
    int64_t wal_restart; /* SQ_WAL_RESTART (tests lower it) */
    int64_t wal_retry;   /* after a busy restart: not below this */
    yima_packer *packer; /* packs (with keys) what comes unpacked, unpacks
                            what is read */
    yima_buf pack;       /* the packed forms of the event being put */
    yima_buf json, entry, codes; /* unpacked columns of the current row */
} sq;

extern const store_ops sq_ops;

/* sqlite.c: create the file and schema; open (sets *be). */
int sq_create(const char *path, yima_error *err);
int sq_open(const char *path, void **be, yima_error *err);

/* sqlite.c: the SQLite state under st, for the files that read it
 * directly (custody, risk, scans, parties by GS1 key; a second backend
 * needs ops for them); NULL and YIMA_EUSAGE in *err ("store: <what>: not
 * in this backend") under another backend. */
sq *sq_of(yima_store *st, const char *what, yima_error *err);

/* sqlite.c: statement id, reset and with bindings cleared. */
sqlite3_stmt *sq_stmt(sq *s, enum sq_stmt id);

/* sqlite.c: map a SQLite result code to a YIMA_E* code, fill err with
 * "store: <what>: <SQLite's message>", reset st (may be NULL) so it holds
 * no transaction open, and return the code. */
int sq_fail(sq *s, sqlite3_stmt *st, int rc, yima_error *err, const char *what);

/* sqlite_event.c: does the events.codes list (len bytes at list) name
 * code with role (any role when role is 0)? */
bool sq_has_code(const void *list, size_t len, const char *code, int role);

/* The sealed entry of the current row of st, event idx (record_time in
 * column tcol, the stored entry in ecol), and its code list (column col),
 * unpacked when packed: valid until the same call on the same handle. 0,
 * YIMA_EIO (damaged: *err names the entry) or YIMA_ENOMEM. */
int sq_col_entry(sq *s, sqlite3_stmt *st, uint64_t idx, int tcol, int ecol,
                 const void **p, size_t *n, yima_error *err);
int sq_col_codes(sq *s, sqlite3_stmt *st, uint64_t idx, int col, const void **p,
                 size_t *n, yima_error *err);
/* The eventID of the current row of st: events.event_id in column idcol,
 * or, when that is empty (the hash ID, not stored twice), made into buf
 * from events.hash in column hashcol. NULL when neither is there. */
const char *sq_col_event_id(sqlite3_stmt *st, int idcol, int hashcol,
                            char buf[YIMA_EVENT_HASH_LEN + 1]);

/* sqlite_index.c: the code index (index.h). */
int sq_index_secret_new(sqlite3 *db, char **msg); /* at create */
int sq_index_load(sq *s, yima_error *err);        /* at open */
uint64_t sq_index_key(const sq *s, const char *code);
/* Add the postings of event idx: its eventID and its events.codes list. */
int sq_index_add(sq *s, uint64_t idx, const char *event_id, const void *codes,
                 size_t len);
/* The same from the event itself, with the keys a packer of this store
 * computed (yima_store_packed.keys). */
int sq_index_add_keys(sq *s, uint64_t idx, const yima_event *ev,
                      const void *keys);
/* At the start of every transaction: reload the runs, drop what they now
 * hold from the tail, and add the events appended since. */
int sq_index_sync(sq *s, yima_error *err);
/* Outside any transaction: write the tail as a run, merge runs. */
int sq_index_flush(sq *s, yima_error *err);
/* Every posting of key in the runs and the tail (one transaction). */
int sq_index_find(sq *s, uint64_t key, int (*fn)(void *arg, const ix_post *p),
                  void *arg, yima_error *err);

/* Bind a uint64 index, NUL-terminated text (NULL binds NULL). */
int sq_bind_u64(sqlite3_stmt *st, int col, uint64_t v);
int sq_bind_text(sqlite3_stmt *st, int col, const char *s);

/* sqlite.c: the store_ops functions of the same names. */
void sq_close(void *be);
int sq_begin(void *be, yima_error *err);
int sq_begin_read(void *be, yima_error *err);
int sq_commit(void *be, yima_error *err);
int sq_version(void *be, uint64_t *v, yima_error *err);
void sq_rollback(void *be);

/* sqlite_event.c */
int sq_last_record_time(void *be, int64_t *ms, yima_error *err);
int sq_find(void *be, store_hash *hash, size_t n, yima_error *err);
int sq_put_event(void *be, const store_row *row, yima_error *err);
int sq_events(void *be, const char *code, store_entry_fn fn, void *arg,
              yima_error *err);
int sq_entry(void *be, uint64_t index, yima_buf *out, yima_error *err);

/* sqlite_query.c */
int sq_query(void *be, const yima_query *q, store_entry_fn fn, void *arg,
             uint64_t *next, yima_error *err);
int sq_by_id(void *be, const char *id, store_entry_fn fn, void *arg,
             yima_error *err);

/* sqlite_wal.c: start the checkpointer (at the first write; if it cannot
 * start, SQLite's automatic checkpoints stay), and stop it. */
void sq_ckpt_start(sq *s);
void sq_ckpt_stop(sq *s);
/* After a commit: past s->wal_restart bytes of WAL, checkpoint the rest
 * and have the next transaction write the WAL from its start again. */
void sq_wal_restart(sq *s);

/* SQLite's process-wide settings, once, before its first use (sqlite.c). */
void sq_setup(void);

/* sqlite_ledger.c */
int sq_size(void *be, uint64_t *size);
int sq_read(void *be, const uint64_t *index, size_t n,
            uint8_t (*out)[YIMA_LEDGER_HASH_LEN]);
int sq_append(void *be, uint64_t old_size, uint64_t new_size, uint64_t first,
              const uint8_t (*hash)[YIMA_LEDGER_HASH_LEN], size_t n);
const char *sq_reason(void *be);
/* Schema 9 to 10, inside the write transaction of the upgrade step, after
 * upgrade_9 made the new table: copy table ledger_hash into ledger_hashes,
 * drop it, set the version (the caller commits); on failure, roll back. */
int sq_ledger_upgrade(sq *s, yima_error *err);

/* sqlite_meta.c */
int sq_meta_get(void *be, const char *key, yima_buf *out, yima_error *err);
int sq_meta_put(void *be, const char *key, const char *value, yima_error *err);
int sq_checkpoint_put(void *be, uint64_t size, const char *note, size_t len,
                      yima_error *err);
int sq_checkpoints(void *be, store_checkpoint_fn fn, void *arg,
                   yima_error *err);
int sq_token_put(void *be, const yima_store_token *t, const uint8_t *hash,
                 yima_error *err);
int sq_token_get(void *be, const char *id, yima_store_token *t, uint8_t *hash,
                 yima_error *err);
int sq_token_revoke(void *be, const char *id, int64_t ms, yima_error *err);
int sq_capture_put(void *be, const char *id, const char *party, int64_t ms,
                   const char *json, yima_error *err);
int sq_capture_get(void *be, const char *id, char *party, yima_buf *json,
                   yima_error *err);
int sq_issued_put(void *be, const char *code, const char *party,
                  const char *product, int64_t ms, yima_error *err);
int sq_issued_get(void *be, const char *code, yima_store_issued *out,
                  yima_error *err);
int sq_master_put(void *be, yima_store_kind kind,
                  const char *const col[STORE_MASTER_COLS], yima_error *err);
int sq_master_get(void *be, yima_store_kind kind, const char *key,
                  const char *key2, store_master_fn fn, void *arg,
                  yima_error *err);

#endif /* YIMA_STORE_INT_H */
