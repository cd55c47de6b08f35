/* SPDX-License-Identifier: MIT */
/*
 * pool: table pages for one page table, with RCU-deferred reuse.
 *
 * Pages are 4 KiB, naturally aligned, carved from 2 MiB slabs (anonymous
 * mmap, 2 MiB aligned). Page 0 of a slab is its header: the slab's
 * bookkeeping and one 16-bit counter per page that the walker uses as the
 * number of non-empty entries of the table in that page. The header of any
 * page is found by masking its address, so the counter costs no lookup and
 * the overhead is one page in 512 (0.2%).
 *
 * Lifetime of a page: handed out zeroed by pt_pool_alloc(); given back with
 * pt_pool_free() once the walker has unlinked it from the tree. Lock-free
 * readers may still be reading it, so it waits in a limbo of at most 128
 * pages; when the limbo is full, or when a page is needed and none is free
 * but enough wait, the writer waits for one RCU grace period
 * (urcu_memb_synchronize_rcu) and all limbo pages become free. Only then is
 * a page written again. So a writer may block for a grace period: it must
 * not run inside an RCU read-side critical section.
 *
 * Locking: everything is owned by the table's writer lock; the pool itself
 * takes no lock. pt_pool_destroy() releases everything at once; the caller
 * waits for readers first (pt_free does).
 */
#ifndef UIOMMUFD_PT_POOL_H
#define UIOMMUFD_PT_POOL_H

#include <stdint.h>

#define PT_POOL_PAGE_LG2 12
#define PT_POOL_PAGE_SIZE (1UL << PT_POOL_PAGE_LG2)
#define PT_POOL_SLAB_LG2 21
#define PT_POOL_SLAB_SIZE (1UL << PT_POOL_SLAB_LG2)
#define PT_POOL_SLAB_PAGES (1u << (PT_POOL_SLAB_LG2 - PT_POOL_PAGE_LG2))

struct pt_pool;

/* the header at the start of each slab; see pool.c */
struct pt_slab_hdr {
	uint16_t used[PT_POOL_SLAB_PAGES];
};

struct pt_pool_stats {
	uint64_t pages_used; /* handed out and not freed */
	uint64_t pages_deferred; /* freed, in limbo until a grace period */
	uint64_t pages_free; /* on slab free lists */
	uint64_t slabs;
	uint64_t bytes; /* touched pages held: used+limbo+free+hdrs */
};

/* NULL on allocation failure (a fail-nth point) */
struct pt_pool *pt_pool_create(void);
/* release every slab now: no reader may see any page of the pool */
void pt_pool_destroy(struct pt_pool *pool);

/* a zeroed page, or NULL (a fail-nth point; mmap failure) */
void *pt_pool_alloc(struct pt_pool *pool);
/* give back a page already unlinked from every reader's path; never fails */
void pt_pool_free(struct pt_pool *pool, void *page);
/* wait for a grace period now and make every page in limbo free */
void pt_pool_drain(struct pt_pool *pool);
void pt_pool_stats(struct pt_pool *pool, struct pt_pool_stats *s);

/* slabs alive in the whole process (tests check for leaks with it) */
uint64_t pt_pool_live_slabs(void);

/* the walker's per-page counter: non-empty entries of the table in @page */
static inline uint16_t *pt_pool_used(const void *page)
{
	uintptr_t p = (uintptr_t)page;
	struct pt_slab_hdr *hdr =
		(struct pt_slab_hdr *)(p & ~(PT_POOL_SLAB_SIZE - 1));

	return &hdr->used[(p >> PT_POOL_PAGE_LG2) & (PT_POOL_SLAB_PAGES - 1)];
}

#endif
