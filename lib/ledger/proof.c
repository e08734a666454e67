/*
 * proof.c - RFC 9162 inclusion and consistency proofs (section 2.1.3 and
 * 2.1.4): making them from the store, and checking them with nothing but
 * hashes, as an auditor does.
 *
 * Proving walks the RFC's recursion top-down without recursing: each step
 * records the range of leaves whose hash the proof needs (a sibling subtree)
 * and narrows to the half that holds the leaf or the old tree. The RFC lists
 * the deepest hash first, so the ranges are hashed in reverse.
 */
#include <assert.h>
#include <inttypes.h>
#include <string.h>

#include "ledger_int.h"

typedef struct range {
    uint64_t lo, hi;
} range;

/* Hash the ranges into proof, last range first. */
static int fill_proof(yima_ledger *lg, const range *r, size_t n,
                      yima_ledger_proof *out)
{
    int rc;

    assert(n <= YIMA_LEDGER_PROOF_MAX);
    out->n = n;
    for (size_t i = 0; i < n; i++) {
        const range *x = &r[n - 1 - i];
        if ((rc = ledger_range_hash(lg, x->lo, x->hi, out->hash[i])) != 0)
            return rc;
    }
    return 0;
}

/* The ledger has at least `size` leaves; else an error for the `what`
 * ("inclusion", "consistency") proof. */
static int within_ledger(yima_ledger *lg, uint64_t size, const char *what,
                         yima_error *err)
{
    uint64_t cur;
    int rc;

    if ((rc = ledger_cur_size(lg, &cur)) != 0)
        return rc;
    if (size > cur)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "%s proof: tree size %" PRIu64
                              " is beyond the ledger's %" PRIu64 " leaves",
                              what, size, cur);
    return 0;
}

/* Leaf index is inside a tree of `size` leaves. */
static int leaf_in_tree(uint64_t index, uint64_t size, yima_error *err)
{
    if (index >= size)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "inclusion proof: leaf index %" PRIu64
                              " is not below the tree size %" PRIu64,
                              index, size);
    return 0;
}

/* A consistency proof needs 1 <= old_size <= new_size. */
static int old_in_new(uint64_t old_size, uint64_t new_size, yima_error *err)
{
    if (old_size == 0 || old_size > new_size)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "consistency proof: old size %" PRIu64
                              " must be between 1 and the new size %" PRIu64,
                              old_size, new_size);
    return 0;
}

/* A proof to check has at most YIMA_LEDGER_PROOF_MAX hashes. */
static int not_too_long(const yima_ledger_proof *proof, const char *what,
                        yima_error *err)
{
    if (proof->n > YIMA_LEDGER_PROOF_MAX)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "%s proof: %zu hashes is too many", what,
                              proof->n);
    return 0;
}

int yima_ledger_prove_inclusion(yima_ledger *lg, uint64_t index, uint64_t size,
                                yima_ledger_proof *out, yima_error *err)
{
    range r[YIMA_LEDGER_PROOF_MAX];
    uint64_t lo = 0, hi = size;
    size_t n = 0;
    int rc;

    assert(lg && out);
    out->n = 0;
    if ((rc = within_ledger(lg, size, "inclusion", err)) != 0 ||
        (rc = leaf_in_tree(index, size, err)) != 0)
        return rc;
    /* PATH(m, D[lo:hi]): the sibling of the half that holds m, then on. */
    while (hi - lo > 1) {
        uint64_t k = ledger_split(hi - lo);

        if (index < lo + k) {
            r[n++] = (range){lo + k, hi};
            hi = lo + k;
        } else {
            r[n++] = (range){lo, lo + k};
            lo += k;
        }
    }
    return fill_proof(lg, r, n, out);
}

int yima_ledger_prove_consistency(yima_ledger *lg, uint64_t old_size,
                                  uint64_t new_size, yima_ledger_proof *out,
                                  yima_error *err)
{
    range r[YIMA_LEDGER_PROOF_MAX];
    uint64_t lo = 0, hi = new_size;
    size_t n = 0;
    bool whole = true; /* the RFC's b: still on the old tree's left edge */
    int rc;

    assert(lg && out);
    out->n = 0;
    if ((rc = within_ledger(lg, new_size, "consistency", err)) != 0 ||
        (rc = old_in_new(old_size, new_size, err)) != 0)
        return rc;
    /* SUBPROOF(m, D[lo:hi], b) with m = old_size - lo. */
    for (;;) {
        uint64_t k;

        if (old_size == hi) {
            if (!whole)
                r[n++] = (range){lo, hi};
            break;
        }
        k = ledger_split(hi - lo);
        if (old_size <= lo + k) {
            r[n++] = (range){lo + k, hi};
            hi = lo + k;
        } else {
            r[n++] = (range){lo, lo + k};
            lo += k;
            whole = false;
        }
    }
    return fill_proof(lg, r, n, out);
}

/* ---- Verifiers ---------------------------------------------------------- */

/* Shift fn and sn right until fn's lowest bit is set or fn is 0. */
static void shift_to_set(uint64_t *fn, uint64_t *sn)
{
    while (*fn != 0 && !(*fn & 1)) {
        *fn >>= 1;
        *sn >>= 1;
    }
}

int yima_ledger_verify_inclusion(const uint8_t leaf[YIMA_LEDGER_HASH_LEN],
                                 uint64_t index, uint64_t size,
                                 const yima_ledger_proof *proof,
                                 const uint8_t root[YIMA_LEDGER_HASH_LEN],
                                 yima_error *err)
{
    EVP_MD_CTX *md = NULL;
    uint8_t r[HASH_LEN];
    uint64_t fn, sn;
    int rc;

    assert(leaf && proof && root);
    if ((rc = leaf_in_tree(index, size, err)) != 0)
        return rc;
    if ((rc = not_too_long(proof, "inclusion", err)) != 0)
        return rc;
    if (!(md = EVP_MD_CTX_new()))
        return YIMA_ENOMEM;
    fn = index;
    sn = size - 1;
    memcpy(r, leaf, HASH_LEN);
    for (size_t i = 0; i < proof->n; i++) {
        const uint8_t *p = proof->hash[i];

        if (sn == 0) {
            rc = yima_error_set(err, YIMA_EINVAL, 0,
                                "inclusion proof: %zu hashes is too many for "
                                "leaf %" PRIu64 " of %" PRIu64,
                                proof->n, index, size);
            goto out;
        }
        if ((fn & 1) || fn == sn) {
            rc = ledger_node_hash(md, p, r, r);
            shift_to_set(&fn, &sn);
        } else {
            rc = ledger_node_hash(md, r, p, r);
        }
        if (rc != 0)
            goto out;
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "inclusion proof: %zu hashes is too few for leaf "
                            "%" PRIu64 " of %" PRIu64,
                            proof->n, index, size);
    else if (memcmp(r, root, HASH_LEN) != 0)
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "inclusion proof: leaf %" PRIu64 " does not lead "
                            "to the root of the tree of %" PRIu64 " leaves",
                            index, size);
    else
        rc = 0;
out:
    EVP_MD_CTX_free(md);
    return rc;
}

int yima_ledger_verify_consistency(uint64_t old_size, uint64_t new_size,
                                   const uint8_t old_root[YIMA_LEDGER_HASH_LEN],
                                   const uint8_t new_root[YIMA_LEDGER_HASH_LEN],
                                   const yima_ledger_proof *proof,
                                   yima_error *err)
{
    EVP_MD_CTX *md = NULL;
    uint8_t fr[HASH_LEN], sr[HASH_LEN];
    uint64_t fn, sn;
    size_t i = 0;
    int rc;

    assert(old_root && new_root && proof);
    if ((rc = old_in_new(old_size, new_size, err)) != 0)
        return rc;
    if ((rc = not_too_long(proof, "consistency", err)) != 0)
        return rc;
    if (old_size == new_size) {
        if (proof->n != 0)
            return yima_error_set(err, YIMA_EINVAL, 0,
                                  "consistency proof: must be empty for "
                                  "equal sizes, has %zu hashes",
                                  proof->n);
        if (memcmp(old_root, new_root, HASH_LEN) != 0)
            return yima_error_set(err, YIMA_EINVAL, 0,
                                  "consistency proof: the two roots of size "
                                  "%" PRIu64 " differ",
                                  old_size);
        return 0;
    }
    if (proof->n == 0)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "consistency proof: empty for sizes %" PRIu64
                              " and %" PRIu64,
                              old_size, new_size);
    if (!(md = EVP_MD_CTX_new()))
        return YIMA_ENOMEM;

    /* When the old tree is complete its root is the first hash of the
     * path and the proof leaves it out. */
    fn = old_size - 1;
    sn = new_size - 1;
    if ((old_size & (old_size - 1)) == 0) {
        memcpy(fr, old_root, HASH_LEN);
    } else {
        memcpy(fr, proof->hash[i++], HASH_LEN);
    }
    memcpy(sr, fr, HASH_LEN);
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    for (rc = 0; i < proof->n; i++) {
        const uint8_t *c = proof->hash[i];

        if (sn == 0) {
            rc = yima_error_set(err, YIMA_EINVAL, 0,
                                "consistency proof: %zu hashes is too many "
                                "for sizes %" PRIu64 " and %" PRIu64,
                                proof->n, old_size, new_size);
            goto out;
        }
        if ((fn & 1) || fn == sn) {
            if ((rc = ledger_node_hash(md, c, fr, fr)) != 0 ||
                (rc = ledger_node_hash(md, c, sr, sr)) != 0)
                goto out;
            shift_to_set(&fn, &sn);
        } else if ((rc = ledger_node_hash(md, sr, c, sr)) != 0) {
            goto out;
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "consistency proof: %zu hashes is too few for "
                            "sizes %" PRIu64 " and %" PRIu64,
                            proof->n, old_size, new_size);
    else if (memcmp(fr, old_root, HASH_LEN) != 0)
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "consistency proof: does not lead to the old "
                            "root (size %" PRIu64 ")",
                            old_size);
    else if (memcmp(sr, new_root, HASH_LEN) != 0)
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "consistency proof: does not lead to the new "
                            "root (size %" PRIu64 ")",
                            new_size);
out:
    EVP_MD_CTX_free(md);
    return rc;
}
