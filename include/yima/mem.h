/*
 * yima/mem.h - large memory in huge pages.
 *
 * On a virtual machine the first write to each 4 KB page of fresh memory
 * costs a fault of several microseconds (about 12 us on the machines the
 * benches run on), and an import fills tens of megabytes of fresh memory:
 * the code index's tail, the arenas of the events in flight. Linux can back
 * memory with 2 MB pages instead (transparent huge pages) where it is
 * asked to (the default setting, "madvise"): one fault for 512 pages.
 * These calls ask; where the kernel says no, memory works as before.
 */
#ifndef YIMA_MEM_H
#define YIMA_MEM_H

#include <stddef.h>

#define YIMA_HUGE_PAGE ((size_t)2 << 20)

/* n bytes aligned to a huge page and asked to be in huge pages (n is
 * rounded up to a whole number of them); free with free(). NULL when out
 * of memory. */
void *yima_mem_huge(size_t n);

/* realloc(p, n) for an array that keeps growing: from a huge page on, the
 * new block is yima_mem_huge() and the `used` bytes of p are copied over.
 * (realloc() moves a large block with mremap(), which splits the huge
 * pages it was given: more faults than small pages alone.) */
void *yima_mem_grow(void *p, size_t used, size_t n);

#endif /* YIMA_MEM_H */
