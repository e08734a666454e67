/*
 * index.h - private to lib/store/: the code index, built for append-heavy
 * ingest.
 *
 * A posting says "event idx names the code whose key is `key`, in role
 * `role`" (role 0: the event's own eventID). Keys are 63-bit SipHashes of
 * the canonical code under the store's secret (meta index_secret), so two
 * codes may share a key: every hit is checked against the event's own code
 * list (events.codes) before it is answered.
 *
 * Nothing of the index is written when a batch commits: the events table
 * is the log, and the index is derived from it in two tiers,
 *
 *   runs   immutable sorted arrays of postings in table index_blocks, one
 *          row per block of about IX_BLOCK postings (a key never spans two
 *          blocks of a run), described by index_runs. Together they cover
 *          every event below `through` (the largest index_runs.hi).
 *   tail   the postings of the events from `through` on, in memory, in a
 *          hash table; rebuilt from events.codes when a handle opens and
 *          brought up to date at the start of every transaction, so it also
 *          sees what other processes appended.
 *
 * When the tail holds IX_FLUSH postings it is sorted and written as a new
 * run of level 0 in one transaction of its own; when IX_FANOUT runs share a
 * level they are merged into one of the next level (a log-structured merge:
 * every posting is rewritten about log4(events / flush) times in all). A
 * crash loses nothing: an unfinished flush or merge rolls back and the tail
 * is rebuilt from the log.
 *
 *   file              job
 *   ----------------  ------------------------------------------------
 *   index_tail.c      the in-memory tail (no I/O)
 *   sqlite_index.c    runs in SQLite: flush, merge, look-up, catch-up
 */
#ifndef YIMA_STORE_INDEX_H
#define YIMA_STORE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IX_BLOCK  256       /* postings per run block (about 1.7 KB) */
#define IX_FLUSH  (1 << 21) /* postings in the tail that trigger a flush */
#define IX_FANOUT 4         /* runs of one level merged into one */
#define IX_CLOSE_FLUSH (1 << 16) /* a writer closing with this many flushes */

/* One posting; sorted by key, then idx_role (i.e. by event, then role). */
typedef struct ix_post {
    uint64_t key;      /* < 2^63: SQLite orders it as a signed integer */
    uint64_t idx_role; /* event index << 8 | role */
} ix_post;

#define IX_IDX(p)  ((p)->idx_role >> 8)
#define IX_ROLE(p) ((int)((p)->idx_role & 0xff))

/* The in-memory tail: postings of events [from, upto). Adding one only
 * appends it; the hash chains are linked when a look-up needs them, so a
 * bulk import that looks nothing up never pays for them. */
typedef struct ix_tail {
    ix_post *post;   /* in the order added, or in run order once sorted */
    uint32_t *prev;  /* prev[i]: earlier posting of the same key + 1, or 0 */
    size_t n, alloc; /* postings */
    size_t linked;   /* postings [0, linked) are in the chains */
    uint32_t *head;  /* hash table: latest posting of a key + 1, or 0 */
    size_t mask;     /* slots - 1 (a power of two) */
    uint64_t from, upto;
} ix_tail;

/* The 63-bit index key of the n bytes at s under secret. */
uint64_t ix_key(const uint8_t secret[16], const char *s, size_t n);

void ix_tail_init(ix_tail *t);
void ix_tail_free(ix_tail *t);

/* Add a posting; events must come in index order. Returns 0 or
 * YIMA_ENOMEM. */
int ix_tail_add(ix_tail *t, uint64_t key, uint64_t idx, int role);

/* Forget the postings from position n on (a rolled-back batch): upto goes
 * back to what it was when the tail held n postings. The caller keeps that
 * value, since a flush that failed leaves the tail sorted by key and the
 * last posting kept need not be of the latest event. */
void ix_tail_truncate(ix_tail *t, size_t n, uint64_t upto);

/* Forget the postings of events below idx (now in runs): from = idx. */
void ix_tail_drop_below(ix_tail *t, uint64_t idx);

/* Call fn for each posting of key, latest first; stop when it returns
 * non-zero and return that (or YIMA_ENOMEM when the chains cannot be
 * linked). */
int ix_tail_find(ix_tail *t, uint64_t key,
                 int (*fn)(void *arg, const ix_post *p), void *arg);

/* Sort the postings into run order (by key, then by event and role), for
 * a flush; the chains are linked again at the next look-up. */
void ix_tail_sort(ix_tail *t);

/* The sort without scratch memory, which ix_tail_sort falls back on. */
void ix_post_sort_in_place(ix_post *post, size_t n);

/* Compare two postings in run order. */
int ix_post_cmp(const ix_post *a, const ix_post *b);

/* Run blocks (index_blocks.data, index_block.c), in the format their run
 * names (index_runs.format):
 *
 *   IX_FORMAT_FIXED  runs written before schema 9: each posting as 16
 *                    bytes, key then idx_role, little-endian.
 *   IX_FORMAT_DELTA  schema 9 on: each posting as two varints (7 bits a
 *                    byte, low first, high bit set on all but the last):
 *                    its key less the key before (for the first posting,
 *                    less index_blocks.first_key, so 0), then its idx_role
 *                    less the idx_role before, which counts as 0 at the
 *                    block's start and wherever the key changes. A code's
 *                    postings after the first take 3 bytes or so, a new
 *                    key about 11: 6 to 7 bytes a posting instead of 16. */
#define IX_FORMAT_FIXED 1
#define IX_FORMAT_DELTA 2
#define IX_POST_MAX     20 /* bytes of a posting at most, either format */

void ix_post_encode(const ix_post *p, uint8_t out[16]);
void ix_post_decode(const uint8_t in[16], ix_post *p);

/* Writing a block of IX_FORMAT_DELTA: start it with its first key, then
 * put its postings in run order; each put writes at most IX_POST_MAX bytes
 * to out and returns how many. */
typedef struct ix_block_writer {
    uint64_t key, idx_role; /* the posting before */
} ix_block_writer;

void ix_block_start(ix_block_writer *w, uint64_t first_key);
size_t ix_block_put(ix_block_writer *w, const ix_post *p,
                    uint8_t out[IX_POST_MAX]);

/* Reading a block of either format, posting by posting. */
typedef struct ix_block_reader {
    const uint8_t *p, *end;
    int format;
    uint64_t key, idx_role;
} ix_block_reader;

/* False when the format is unknown or the length cannot be of it. */
bool ix_block_open(ix_block_reader *r, int format, uint64_t first_key,
                   const void *data, size_t len);
/* 1 and the next posting in *p, 0 at the end, -1 when the block is
 * damaged (cut short, or a key past 2^63). */
int ix_block_next(ix_block_reader *r, ix_post *p);

#endif /* YIMA_STORE_INDEX_H */
