/*
 * mem.c - large memory in huge pages (yima/mem.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "yima/mem.h"

void *yima_mem_huge(size_t n)
{
    void *p;

    if (n > SIZE_MAX - YIMA_HUGE_PAGE)
        return NULL;
    n = (n + YIMA_HUGE_PAGE - 1) & ~(YIMA_HUGE_PAGE - 1);
    if (posix_memalign(&p, YIMA_HUGE_PAGE, n) != 0)
        return NULL;
    /* Advice only: an old kernel or a setting of "never" refuses it, and
     * the memory is as good in small pages. */
    (void)madvise(p, n, MADV_HUGEPAGE);
    return p;
}

void *yima_mem_grow(void *p, size_t used, size_t n)
{
    void *q;

    if (n < YIMA_HUGE_PAGE)
        return realloc(p, n);
    if (!(q = yima_mem_huge(n)))
        return NULL;
    if (used)
        memcpy(q, p, used);
    free(p);
    return q;
}
