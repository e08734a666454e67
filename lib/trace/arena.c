/*
 * arena.c - the memory of one trace: an arena freed at once, string-keyed
 * hash maps over it, and growable pointer arrays.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "trace_int.h"

#define BLOCK_SIZE (64u << 10)

struct tr_block {
    tr_block *next;
    size_t used, size;
    max_align_t data[];
};

void tr_ctx_init(tr_ctx *c, yima_store *st, int64_t at, yima_error *err)
{
    memset(c, 0, sizeof *c);
    c->st = st;
    c->at = at;
    c->err = err;
}

void tr_ctx_free(tr_ctx *c)
{
    tr_block *b, *next;

    if (!c)
        return;
    for (b = c->arena; b; b = next) {
        next = b->next;
        free(b);
    }
    free(c->events.key);
    free(c->events.val);
    free(c->parties.key);
    free(c->parties.val);
    free(c->makers.key);
    free(c->makers.val);
    free(c->rows.key);
    free(c->rows.val);
    tr_vec_free(&c->dirty);
    for (size_t i = 0; c->packed.key && i <= c->packed.mask; i++)
        if (c->packed.key[i]) {
            tr_vec_free(c->packed.val[i]);
            free(c->packed.val[i]);
        }
    free(c->packed.key);
    free(c->packed.val);
    free(c->batches.key);
    free(c->batches.val);
    c->arena = NULL;
}

void tr_fail(tr_ctx *c, int rc, const yima_error *e)
{
    if (rc == 0 || c->rc)
        return;
    c->rc = rc;
    if (c->err && e)
        *c->err = *e;
}

void *tr_alloc(tr_ctx *c, size_t n)
{
    tr_block *b = c->arena;
    void *p;

    n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    if (!b || b->size - b->used < n) {
        size_t size = n > BLOCK_SIZE / 2 ? n : BLOCK_SIZE;
        if (!(b = malloc(sizeof *b + size))) {
            if (!c->rc)
                c->rc = YIMA_ENOMEM;
            return NULL;
        }
        b->used = 0;
        b->size = size;
        if (size == n && c->arena) { /* a big one: keep the current block */
            b->next = c->arena->next;
            c->arena->next = b;
        } else {
            b->next = c->arena;
            c->arena = b;
        }
    }
    p = (char *)b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *tr_strdup(tr_ctx *c, const char *s)
{
    size_t n = strlen(s);
    char *p = tr_alloc(c, n + 1);

    if (p)
        memcpy(p, s, n + 1);
    return p;
}

/* FNV-1a: keys are short codes; the maps live for one trace. */
static size_t hash(const char *s)
{
    uint64_t h = 14695981039346656037u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)h;
}

void *tr_map_get(const tr_map *m, const char *key)
{
    if (!m->mask)
        return NULL;
    for (size_t i = hash(key) & m->mask; m->key[i]; i = (i + 1) & m->mask)
        if (strcmp(m->key[i], key) == 0)
            return m->val[i];
    return NULL;
}

static int grow(tr_map *m)
{
    size_t slots = m->mask ? (m->mask + 1) * 2 : 64;
    const char **key = calloc(slots, sizeof *key);
    void **val = calloc(slots, sizeof *val);

    if (!key || !val) {
        free(key);
        free(val);
        return YIMA_ENOMEM;
    }
    for (size_t i = 0; m->mask && i <= m->mask; i++) {
        size_t j;
        if (!m->key[i])
            continue;
        for (j = hash(m->key[i]) & (slots - 1); key[j];
             j = (j + 1) & (slots - 1))
            ;
        key[j] = m->key[i];
        val[j] = m->val[i];
    }
    free(m->key);
    free(m->val);
    m->key = key;
    m->val = val;
    m->mask = slots - 1;
    return 0;
}

int tr_map_put(tr_ctx *c, tr_map *m, const char *key, void *val)
{
    size_t i;

    assert(key && val);
    if ((m->n + 1) * 2 > m->mask + 1 && grow(m) != 0)
        return c->rc = YIMA_ENOMEM;
    for (i = hash(key) & m->mask; m->key[i]; i = (i + 1) & m->mask)
        if (strcmp(m->key[i], key) == 0) {
            m->val[i] = val;
            return 0;
        }
    if (!(m->key[i] = tr_strdup(c, key)))
        return YIMA_ENOMEM;
    m->val[i] = val;
    m->n++;
    return 0;
}

int tr_vec_push(tr_vec *v, void *p)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        void **nv = realloc(v->v, cap * sizeof *nv);
        if (!nv)
            return YIMA_ENOMEM;
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = p;
    return 0;
}

bool tr_vec_has(const tr_vec *v, const char *s)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->v[i], s) == 0)
            return true;
    return false;
}

void tr_vec_free(tr_vec *v)
{
    free(v->v);
    v->v = NULL;
    v->n = v->cap = 0;
}
