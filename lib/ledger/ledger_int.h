/*
 * ledger_int.h - private to lib/ledger/: the ledger handle, hashing with a
 * reusable OpenSSL context, subtree hashes read from the store, text
 * encodings (base64, hex, UTF-8 checks) and the checkpoint parser.
 *
 *   file          job
 *   ------------  -----------------------------------------------------
 *   hash.c        SHA-256 leaf and node hashes (OpenSSL EVP)
 *   encode.c      strict base64, hex, UTF-8 and note-text checks
 *   merkle.c      the handle, stored-hash numbering, append, roots
 *   proof.c       inclusion and consistency proofs and their verifiers
 *   note.c        Ed25519 keys and C2SP signed notes
 *   checkpoint.c  checkpoint text, signing and opening
 *   tiles.c       tlog-tiles paths, tiles, bundles, directory output
 *   memstore.c    the in-memory hash store
 */
#ifndef YIMA_LEDGER_INT_H
#define YIMA_LEDGER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "yima/ledger.h"

#define HASH_LEN YIMA_LEDGER_HASH_LEN

struct yima_ledger {
    yima_ledger_store store;
    EVP_MD_CTX *md; /* reused for every hash the ledger computes */
};

/* Leaf and node hashes with context md (allocated for the call when NULL).
 * Return 0 or YIMA_ENOMEM. */
int ledger_leaf_hash(EVP_MD_CTX *md, const void *data, size_t len,
                     uint8_t out[HASH_LEN]);
int ledger_node_hash(EVP_MD_CTX *md, const uint8_t left[HASH_LEN],
                     const uint8_t right[HASH_LEN], uint8_t out[HASH_LEN]);

/* Largest power of two strictly below n (n >= 2). */
uint64_t ledger_split(uint64_t n);

/* The store's tree size, checked against YIMA_LEDGER_SIZE_MAX. */
int ledger_cur_size(yima_ledger *lg, uint64_t *size);

/*
 * MTH(D[lo:hi]) from stored hashes: the hash of leaves lo..hi-1, where lo is
 * a multiple of the smallest power of two >= hi - lo (true of every range the
 * RFC 9162 recursions visit) and hi does not pass the tree size. One store
 * read of at most 63 hashes.
 */
int ledger_range_hash(yima_ledger *lg, uint64_t lo, uint64_t hi,
                      uint8_t out[HASH_LEN]);

/* Read n stored hashes (n <= 256) through the store. */
int ledger_read(yima_ledger *lg, const uint64_t *index, size_t n,
                uint8_t (*out)[HASH_LEN]);

/* Strict standard base64 with padding, as Go's StdEncoding. */
int ledger_b64_encode(yima_buf *out, const uint8_t *p, size_t n);
/* Decode s[0..n); fails (returns -1) on any non-canonical input or when
 * the result would pass cap bytes; else returns the decoded length. */
long ledger_b64_decode(const char *s, size_t n, uint8_t *out, size_t cap);

/* Lower-case hex of n bytes into out (2n chars and a NUL). */
void ledger_hex(char *out, const uint8_t *p, size_t n);

/* Length of the valid UTF-8 sequence at s (1..4), 0 if invalid; the code
 * point goes to *cp. yima_utf8_decode() (yima/utf8.h) with n > 0 asserted. */
size_t ledger_utf8(const unsigned char *s, size_t n, uint32_t *cp);

/* 1-based character position of byte offset off in s. */
size_t ledger_char_pos(const char *s, size_t off);

/*
 * Check that s[0..n) is UTF-8 with no ASCII control characters other than
 * '\n' (what a signed note may contain). `what` names the input in the
 * message ("note", "origin", ...). Returns 0 or YIMA_EINVAL.
 */
int ledger_text_check(const char *what, const char *s, size_t n,
                      yima_error *err);

/* Offset of the blank line that ends a note's text (its last "\n\n"), so
 * the text is note[0..offset]; -1 when there is none. */
long ledger_note_split(const char *note, size_t len);

/*
 * Parse checkpoint text (not the signatures): origin (origin_len bytes at the
 * start of text), size and root. Returns 0 or YIMA_EINVAL.
 */
int ledger_checkpoint_parse(const char *text, size_t len, size_t *origin_len,
                            uint64_t *size, uint8_t root[HASH_LEN],
                            yima_error *err);

#endif /* YIMA_LEDGER_INT_H */
