/*
 * jmem.c - Jansson's memory for one event at a time.
 *
 * Reading NDJSON builds a Jansson tree for each line, uses it, and drops
 * it: about sixty values, keys and strings an event, each a malloc() and a
 * free(), and json_decref() walking the tree to find them. While a reader
 * has a jmem_arena in force on its thread, Jansson's allocations come from
 * the arena by bumping a pointer, its frees of them do nothing, and the
 * tree is dropped by rewinding the arena, without a walk.
 *
 * Jansson takes one pair of allocation functions for the whole process
 * (json_set_alloc_funcs), so these are installed when the library is
 * loaded, before any value exists: on a thread with no arena in force they
 * are malloc() and free(), and free() is also what becomes of a value made
 * outside an arena and dropped inside one. A value made in an arena must
 * not outlive the rewind: the arena's users keep no Jansson value of an
 * event past the event.
 */
#include <stdint.h>
#include <stdlib.h>

#include "epcis_int.h"

#define CHUNK (64u << 10) /* bytes of a chunk of the arena */
#define ALIGN 16

typedef struct jmem_chunk {
    struct jmem_chunk *next;
    size_t size, used;
    _Alignas(ALIGN) unsigned char mem[];
} jmem_chunk;

static _Thread_local jmem_arena *in_force;

/* Whether a chunk of a holds p. */
static bool owns(const jmem_arena *a, const void *p)
{
    const unsigned char *q = p;

    for (const jmem_chunk *c = a->first; c; c = c->next)
        if (q >= c->mem && q < c->mem + c->size)
            return true;
    return false;
}

/* Chunks stay in the order made, so an event like the last one fills
 * them the same way and needs no new one. */
static void *bump(jmem_arena *a, size_t n)
{
    jmem_chunk *c = a->at;

    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    while (c && c->size - c->used < n)
        c = c->next;
    if (!c) {
        size_t size = n > CHUNK ? n : CHUNK;

        if (!(c = malloc(sizeof *c + size)))
            return NULL;
        c->size = size;
        c->used = 0;
        c->next = NULL;
        if (a->last)
            a->last->next = c;
        else
            a->first = c;
        a->last = c;
    }
    a->at = c;
    c->used += n;
    return c->mem + c->used - n;
}

static void *jmalloc(size_t n)
{
    return in_force ? bump(in_force, n) : malloc(n);
}

static void jfree(void *p)
{
    if (p && !(in_force && owns(in_force, p)))
        free(p);
}

__attribute__((constructor)) static void install(void)
{
    json_set_alloc_funcs(jmalloc, jfree);
}

bool jmem_begin(jmem_arena *a)
{
    json_malloc_t m;
    json_free_t f;

    /* A program that set Jansson's functions itself after ours: then no
     * arena, and the caller drops its values as usual. */
    json_get_alloc_funcs(&m, &f);
    if (m != jmalloc || f != jfree)
        return false;
    for (jmem_chunk *c = a->first; c; c = c->next)
        c->used = 0;
    a->at = a->first;
    in_force = a;
    return true;
}

void jmem_end(void)
{
    in_force = NULL;
}

void jmem_free(jmem_arena *a)
{
    jmem_chunk *c, *next;

    for (c = a->first; c; c = next) {
        next = c->next;
        free(c);
    }
    a->first = a->at = a->last = NULL;
}
