/*
 * yima/ledger.h - the verifiable ledger: an append-only RFC 9162 Merkle tree
 * (SHA-256) with inclusion and consistency proofs, C2SP signed checkpoints
 * and C2SP tlog-tiles output.
 *
 * The ledger stores hashes only, never entries, and keeps no state of its own
 * beyond a handle: every hash lives in a hash store reached through a small
 * interface (yima_ledger_store, below), so the same code runs over memory
 * (yima_ledger_memstore, for tests and caches) and over the database.
 *
 * Hashes (RFC 9162, section 2.1):
 *
 *   leaf hash   SHA-256(0x00 || entry)
 *   node hash   SHA-256(0x01 || left || right)
 *   root        MTH(D[0:n]); the tree is split at the largest power of two
 *               below n; the empty tree's root is SHA-256("")
 *
 * The entries of yima's event ledger (what is hashed into each leaf, served
 * in tile bundles, written by yima/store.h):
 *
 *   part         bytes
 *   -----------  ---------------------------------------------------------
 *   magic        "yima-event/1\n"
 *   recordTime   "2026-03-01T08:30:00.123Z\n" (RFC 3339, UTC, milliseconds)
 *   event        the event's canonical bytes (yima/event.h): compact
 *                EPCIS 2.0 JSON with its eventID, no trailing newline
 *
 * So an auditor holding the tiles has every event's full content, can
 * recompute its CBV 2.0 hash ID, and needs nothing from yima.
 *
 * Verifying needs no ledger: yima_ledger_verify_inclusion(),
 * yima_ledger_verify_consistency(), yima_ledger_note_verify() and
 * yima_ledger_checkpoint_open() are what an auditor calls.
 *
 * Text formats (C2SP signed-note and tlog-checkpoint):
 *
 *   item           format
 *   -------------  ------------------------------------------------------
 *   signer key     PRIVATE+KEY+<name>+<keyid>+<base64(0x01 || seed)>
 *   verifier key   <name>+<keyid>+<base64(0x01 || public key)>
 *   key ID         first 4 bytes of SHA-256(name || 0x0A || 0x01 || public
 *                  key), written as 8 lower-case hex digits; 0x01 is the
 *                  Ed25519 algorithm byte, seed and public key 32 bytes
 *   key name       non-empty UTF-8, no white space, no '+', no control
 *                  characters
 *   checkpoint     <origin>\n<tree size, decimal>\n<base64 root>\n
 *                  (further non-empty "extension" lines are accepted when
 *                  reading and never written)
 *   signed note    <text>\n<signature line>... where text ends in \n, so a
 *                  blank line separates text and signatures; a signature
 *                  line is "— <name> <base64(key ID || signature)>\n" with
 *                  U+2014 EM DASH (bytes E2 80 94) and the Ed25519 signature
 *                  (64 bytes) of the text; at most 100 lines
 *
 * Tiles (C2SP tlog-tiles), height 8, width 256, written under a directory:
 *
 *   path                       contents
 *   -------------------------  ------------------------------------------
 *   checkpoint                 the signed checkpoint the tiles are for
 *   tile/<L>/<N>               256 hashes of tree level 8*L, indexes
 *                              256*N .. 256*N+255, 32 bytes each
 *   tile/<L>/<N>.p/<W>         the first W (1..255) of them, while the
 *                              tile is not yet full
 *   tile/entries/<N>[.p/<W>]   entry bundle: entries 256*N .. 256*N+W-1,
 *                              each as a big-endian uint16 length and the
 *                              entry's bytes
 *
 * <L> and <W> are decimal. <N> is decimal in groups of 3 digits, zero padded,
 * every group but the last prefixed with 'x': 5 is "005", 1234067 is
 * "x001/x234/067".
 *
 * Thread safety: a yima_ledger is used by one thread at a time; verifiers
 * and key functions are reentrant.
 */
#ifndef YIMA_LEDGER_H
#define YIMA_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "yima/buf.h"
#include "yima/error.h"

#define YIMA_LEDGER_HASH_LEN     32           /* bytes in a SHA-256 hash */
#define YIMA_LEDGER_SIZE_MAX     (1ull << 62) /* most leaves a ledger holds */
#define YIMA_LEDGER_PROOF_MAX    64           /* most hashes in any proof */
#define YIMA_LEDGER_NOTE_MAX     (1u << 20)   /* longest note accepted, bytes */
#define YIMA_LEDGER_ENTRY_MAX    65535        /* longest entry a bundle holds */
#define YIMA_LEDGER_TILE_HEIGHT  8
#define YIMA_LEDGER_TILE_WIDTH   256  /* hashes in a full tile */
#define YIMA_LEDGER_TILE_ENTRIES (-1) /* "level" of an entry bundle */

/* ---- Hashes ------------------------------------------------------------ */

/*
 * RFC 9162 leaf hash SHA-256(0x00 || data) into out. data may be NULL when
 * len is 0. Returns 0 or YIMA_ENOMEM.
 */
int yima_ledger_leaf_hash(const void *data, size_t len,
                          uint8_t out[YIMA_LEDGER_HASH_LEN]);

/* RFC 9162 node hash SHA-256(0x01 || left || right). out may alias either
 * input. Returns 0 or YIMA_ENOMEM. */
int yima_ledger_node_hash(const uint8_t left[YIMA_LEDGER_HASH_LEN],
                          const uint8_t right[YIMA_LEDGER_HASH_LEN],
                          uint8_t out[YIMA_LEDGER_HASH_LEN]);

/* ---- The hash store ----------------------------------------------------- *
 *
 * A store keeps the hashes of all complete subtrees, each once, in one
 * sequence numbered from 0: the "stored hash index". Appending leaf n (0-based)
 * appends its leaf hash and then the hash of every subtree that leaf
 * completes, lowest first: 1 + (number of trailing 1 bits of n) hashes, 2 on
 * average, never more than 63. A tree of n leaves holds 2n - popcount(n)
 * hashes. The hash at tree level L, position k (the subtree over leaves
 * k*2^L .. (k+1)*2^L - 1; level 0 is the leaves) sits at
 * yima_ledger_stored_index(L, k):
 *
 *   stored index  0    1    2    3    4    5    6    7    8    9    10
 *   (level, k)    0,0  0,1  1,0  0,2  0,3  1,1  2,0  0,4  0,5  1,2  0,6
 *
 * It is the same numbering as Go's golang.org/x/mod/sumdb/tlog, so the
 * sequence is an append-only array: a store needs no (level, k) key, only the
 * index (an INTEGER PRIMARY KEY in SQL), and never updates or deletes.
 *
 * Each callback returns 0 or a negative YIMA_E* code, which the ledger passes
 * on to its caller unchanged.
 */
typedef struct yima_ledger_store {
    void *ctx; /* passed to every callback */

    /* Set *size to the number of leaves in the tree. */
    int (*size)(void *ctx, uint64_t *size);

    /* Copy the hashes at stored indexes index[0..n-1] into out[0..n-1]
     * (n <= 256). Return YIMA_ENOTFOUND when one is not stored. */
    int (*read)(void *ctx, const uint64_t *index, size_t n,
                uint8_t (*out)[YIMA_LEDGER_HASH_LEN]);

    /* Grow the tree from old_size to new_size leaves by storing hash[i] at
     * stored index first + i for i < n; first is the number of hashes
     * stored before (2 * old_size - popcount(old_size)). All or nothing:
     * on failure nothing may have changed. A store should refuse (e.g.
     * YIMA_EUSAGE) when its size is not old_size, which catches two writers
     * racing on one tree. */
    int (*append)(void *ctx, uint64_t old_size, uint64_t new_size,
                  uint64_t first, const uint8_t (*hash)[YIMA_LEDGER_HASH_LEN],
                  size_t n);
} yima_ledger_store;

/* Stored index of the hash at tree level `level` (0..62), position k; the
 * subtree must fit in a tree of YIMA_LEDGER_SIZE_MAX leaves. */
uint64_t yima_ledger_stored_index(unsigned level, uint64_t k);

/* Number of hashes stored for a tree of `size` leaves: 2*size - popcount. */
uint64_t yima_ledger_stored_count(uint64_t size);

/* ---- The in-memory store ------------------------------------------------ */

typedef struct yima_ledger_memstore yima_ledger_memstore;

/* Create an empty in-memory store. Returns 0 or YIMA_ENOMEM. Release it
 * with yima_ledger_memstore_close(). */
int yima_ledger_memstore_open(yima_ledger_memstore **out);

/* Release the store. Accepts NULL. Close any ledger using it first. */
void yima_ledger_memstore_close(yima_ledger_memstore *ms);

/* Fill *out with callbacks that use ms. The store must outlive the ledger. */
void yima_ledger_memstore_bind(yima_ledger_memstore *ms,
                               yima_ledger_store *out);

/* Drop every leaf from `size` on, e.g. to follow a database rollback when the
 * memory store caches a persistent one. Returns 0 or YIMA_EINVAL when size is
 * beyond the tree. */
int yima_ledger_memstore_truncate(yima_ledger_memstore *ms, uint64_t size);

/* Hashes read and written through the callbacks so far (either may be NULL):
 * what a persistent store would have cost. */
void yima_ledger_memstore_stats(const yima_ledger_memstore *ms, uint64_t *reads,
                                uint64_t *writes);

/* ---- The ledger --------------------------------------------------------- */

typedef struct yima_ledger yima_ledger;

/*
 * Open a ledger over `store` (copied; its ctx must outlive the ledger).
 * Returns 0 or YIMA_ENOMEM. The tree size is always asked of the store, so a
 * store that rolls back an append is followed without a reopen.
 */
int yima_ledger_open(const yima_ledger_store *store, yima_ledger **out);

/* Close the ledger. Accepts NULL. The store is not touched. */
void yima_ledger_close(yima_ledger *lg);

/* Set *size to the number of leaves. Returns 0 or the store's error. */
int yima_ledger_size(yima_ledger *lg, uint64_t *size);

/*
 * Append one entry: its leaf hash and the subtree hashes it completes go to
 * the store in one append call (O(log n) hashes read and written). Sets
 * *index (may be NULL) to the entry's 0-based leaf index. Returns 0,
 * YIMA_ETOOBIG (tree full), YIMA_ENOMEM or the store's error.
 */
int yima_ledger_append(yima_ledger *lg, const void *entry, size_t len,
                       uint64_t *index);

/*
 * Append n leaves given by their leaf hashes, in one store append call.
 * Sets *first (may be NULL) to the index of the first. n == 0 is allowed and
 * changes nothing. Returns as yima_ledger_append().
 */
int yima_ledger_append_leaf_hashes(yima_ledger *lg,
                                   const uint8_t (*leaf)[YIMA_LEDGER_HASH_LEN],
                                   size_t n, uint64_t *first);

/*
 * Root hash of the tree as it was at `size` leaves (any size up to the
 * current one; O(log n) reads). Returns 0, YIMA_EINVAL (size beyond the tree,
 * *err says so) or the store's error.
 */
int yima_ledger_root(yima_ledger *lg, uint64_t size,
                     uint8_t out[YIMA_LEDGER_HASH_LEN], yima_error *err);

/* A proof: n hashes, in the order RFC 9162 lists them. A plain value. */
typedef struct yima_ledger_proof {
    size_t n;
    uint8_t hash[YIMA_LEDGER_PROOF_MAX][YIMA_LEDGER_HASH_LEN];
} yima_ledger_proof;

/*
 * RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves
 * (index < size <= current size). Returns 0, YIMA_EINVAL with *err filled,
 * or the store's error.
 */
int yima_ledger_prove_inclusion(yima_ledger *lg, uint64_t index, uint64_t size,
                                yima_ledger_proof *out, yima_error *err);

/*
 * RFC 9162 consistency proof between the trees of old_size and new_size
 * leaves (0 < old_size <= new_size <= current size; equal sizes give an
 * empty proof). Returns as yima_ledger_prove_inclusion().
 */
int yima_ledger_prove_consistency(yima_ledger *lg, uint64_t old_size,
                                  uint64_t new_size, yima_ledger_proof *out,
                                  yima_error *err);

/*
 * Check that `proof` shows the leaf with hash `leaf` at `index` in the tree
 * of `size` leaves whose root is `root` (RFC 9162, 2.1.3.2). Needs no ledger.
 * Returns 0, YIMA_EINVAL with *err saying why it failed, or YIMA_ENOMEM.
 */
int yima_ledger_verify_inclusion(const uint8_t leaf[YIMA_LEDGER_HASH_LEN],
                                 uint64_t index, uint64_t size,
                                 const yima_ledger_proof *proof,
                                 const uint8_t root[YIMA_LEDGER_HASH_LEN],
                                 yima_error *err);

/*
 * Check that `proof` shows the tree of old_size leaves with root old_root is
 * a prefix of the tree of new_size leaves with root new_root (RFC 9162,
 * 2.1.4.2; for equal sizes the proof must be empty and the roots equal).
 * Needs no ledger. Returns as yima_ledger_verify_inclusion().
 */
int yima_ledger_verify_consistency(uint64_t old_size, uint64_t new_size,
                                   const uint8_t old_root[YIMA_LEDGER_HASH_LEN],
                                   const uint8_t new_root[YIMA_LEDGER_HASH_LEN],
                                   const yima_ledger_proof *proof,
                                   yima_error *err);

/* ---- Keys and signed notes ---------------------------------------------- */

/*
 * Make a new Ed25519 key named `name` from the OpenSSL CSPRNG. Appends the
 * signer key to skey and the verifier key to vkey (see the table at the top).
 * The signer key is a secret. Returns 0, YIMA_EINVAL (bad name, *err says
 * why), YIMA_EIO (no randomness), YIMA_ENOMEM or the buffers' error.
 */
int yima_ledger_keygen(const char *name, yima_buf *skey, yima_buf *vkey,
                       yima_error *err);

/* Append the verifier key of signer key `skey` to vkey. Returns 0,
 * YIMA_EINVAL (malformed signer key) or YIMA_ENOMEM. */
int yima_ledger_vkey_from_skey(const char *skey, yima_buf *vkey,
                               yima_error *err);

/*
 * Sign `text` (len bytes, non-empty, ending in '\n', UTF-8 with no control
 * characters but '\n') with signer key `skey`, and append the signed note
 * (the text, a blank line, one signature line) to out. Ed25519 is
 * deterministic: the same key and text always give the same note. Returns 0,
 * YIMA_EINVAL (bad key or text, *err says which), YIMA_ETOOBIG (over
 * YIMA_LEDGER_NOTE_MAX) or YIMA_ENOMEM.
 */
int yima_ledger_note_sign(const char *skey, const char *text, size_t len,
                          yima_buf *out, yima_error *err);

/*
 * Verify the signed note (len bytes) against verifier key `vkey`: the note
 * must be well formed and carry a signature line with the key's name and ID
 * whose signature verifies; lines by other keys are ignored. On success sets
 * *text_len (may be NULL) to the length of the signed text, which is the
 * start of `note`. Returns 0, YIMA_EINVAL (malformed key or note, no
 * signature by the key, bad signature; *err says which and where),
 * YIMA_ETOOBIG (over YIMA_LEDGER_NOTE_MAX) or YIMA_ENOMEM.
 */
int yima_ledger_note_verify(const char *vkey, const char *note, size_t len,
                            size_t *text_len, yima_error *err);

/* ---- Checkpoints -------------------------------------------------------- */

/* Append the checkpoint text "<origin>\n<size>\n<base64 root>\n" to out.
 * origin: non-empty UTF-8 without control characters. Returns 0, YIMA_EINVAL
 * or the buffer's error. */
int yima_ledger_checkpoint_text(const char *origin, uint64_t size,
                                const uint8_t root[YIMA_LEDGER_HASH_LEN],
                                yima_buf *out, yima_error *err);

/*
 * Sign a checkpoint of the ledger at its current size with origin `origin`
 * and signer key `skey`, and append the signed note to out. Returns as
 * yima_ledger_note_sign() or the store's error.
 */
int yima_ledger_checkpoint_sign(yima_ledger *lg, const char *origin,
                                const char *skey, yima_buf *out,
                                yima_error *err);

/*
 * Verify a signed checkpoint with verifier key `vkey` and read it: sets
 * *size and root. When origin is not NULL the checkpoint's origin must equal
 * it (C2SP: a client must check the origin it expects). Returns 0 or
 * YIMA_EINVAL with *err saying what was wrong.
 */
int yima_ledger_checkpoint_open(const char *vkey, const char *origin,
                                const char *note, size_t len, uint64_t *size,
                                uint8_t root[YIMA_LEDGER_HASH_LEN],
                                yima_error *err);

/* ---- Tiles -------------------------------------------------------------- */

/*
 * Source of entries for entry bundles, since the ledger keeps only hashes:
 * append the bytes of entry `index` to out and return 0, or return a negative
 * YIMA_E* code (passed on).
 */
typedef int (*yima_ledger_entry_fn)(void *ctx, uint64_t index, yima_buf *out);

/*
 * Append the path of a tile to out: "tile/<L>/<N>" for width 256,
 * "tile/<L>/<N>.p/<W>" for width 1..255; level YIMA_LEDGER_TILE_ENTRIES
 * gives "tile/entries/...". Returns 0, YIMA_EUSAGE (bad level or width) or
 * the buffer's error.
 */
int yima_ledger_tile_path(yima_buf *out, int level, uint64_t n, unsigned width);

/*
 * Parse a tile path (len bytes, as yima_ledger_tile_path() writes it, e.g.
 * a URL path below the log's prefix) into level, n and width (256 for a full
 * tile). Only the canonical spelling is accepted. Returns 0 or YIMA_EINVAL.
 */
int yima_ledger_tile_parse_path(const char *path, size_t len, int *level,
                                uint64_t *n, unsigned *width);

/*
 * Append tile (level >= 0, n, width) of the current tree to out: width
 * hashes of 32 bytes. Any width the tree has grown to is served (older
 * partial tiles stay valid). Returns 0, YIMA_ENOTFOUND (the tree has not
 * reached it; *err says so), YIMA_EUSAGE (level over 63, width not 1..256),
 * or the store's or buffer's error.
 */
int yima_ledger_tile(yima_ledger *lg, int level, uint64_t n, unsigned width,
                     yima_buf *out, yima_error *err);

/*
 * Append entry bundle (n, width) to out, getting the entries from `entry`.
 * Each entry must be at most YIMA_LEDGER_ENTRY_MAX bytes and hash to the
 * stored leaf hash (so a bundle can never disagree with the tree). Returns
 * 0, YIMA_ENOTFOUND, YIMA_ETOOBIG, YIMA_EINVAL (entry does not match its
 * leaf), or the callback's, store's or buffer's error; *err says which.
 */
int yima_ledger_bundle(yima_ledger *lg, uint64_t n, unsigned width,
                       yima_ledger_entry_fn entry, void *ctx, yima_buf *out,
                       yima_error *err);

/*
 * Write the tlog-tiles view of the tree at the size named by `checkpoint`
 * (a signed checkpoint note of len bytes, e.g. from
 * yima_ledger_checkpoint_sign(); its signature is not checked here but its
 * root must equal the ledger's root at that size) under directory `dir`
 * (created if missing): every tile and partial tile, every entry bundle when
 * `entry` is not NULL, then the file `checkpoint`. Each file is written to a
 * temporary name and renamed, and the checkpoint last, so a reader never sees
 * a checkpoint whose tiles are missing. Full tiles and bundles already in
 * `dir` are immutable and left alone, so publishing again costs only what was
 * added. One writer per directory. Returns 0, YIMA_EINVAL (checkpoint
 * malformed or not of this tree), YIMA_EIO (file system; *err names the
 * path), or as yima_ledger_bundle().
 */
int yima_ledger_tiles_write(yima_ledger *lg, const char *dir,
                            const char *checkpoint, size_t len,
                            yima_ledger_entry_fn entry, void *ctx,
                            yima_error *err);

#endif /* YIMA_LEDGER_H */
