/* SPDX-License-Identifier: MIT */
/*
 * pool: table pages with RCU-deferred reuse; the design is in pool.h.
 *
 * Slab states. pool->cur is the slab whose never-used ("bump") pages are
 * handed out when no free page exists; other slabs with free pages sit on
 * pool->partial; a slab with neither is on no list but pool->slabs. A page
 * is taken from cur's free list, else from a partial slab, and only then
 * from cur's bump pages or a new slab: reuse comes before fresh memory,
 * because the first touch of an anonymous page is a page fault (microseconds
 * on a VM), and a table that maps and unmaps all the time must cycle through
 * a small set of warm pages. A slab other than cur whose last page comes
 * back is unmapped, so a table that shrinks gives memory back; an empty cur
 * is unmapped as soon as another slab has free pages, and kept otherwise,
 * so that a map/unmap pair at a slab boundary does not map and unmap a slab
 * each time.
 *
 * Free pages are linked through their first word: by then no reader can
 * see them (their grace period is over), and pt_pool_alloc() zeroes a page
 * before handing it out again, unless its counter says it is zero already.
 * Pages in limbo are not written.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <urcu/list.h>
#include <urcu/urcu-memb.h>

#include "pt/pool.h"
#include "util/alloc.h"

/*
 * Freed pages wait in limbo for one grace period, which the writer waits
 * for (urcu_memb_synchronize_rcu(), about a microsecond with membarrier)
 * once per PT_LIMBO_PAGES frees, or earlier when it needs a page and at
 * least PT_LIMBO_REUSE_MIN wait: below that a fresh page is cheaper.
 * liburcu's call_rcu is not used here: its helper thread batches grace
 * periods 10 ms apart, and a table that maps and unmaps at full speed would
 * pile up hundreds of thousands of pages meanwhile.
 */
#define PT_LIMBO_PAGES 128
#define PT_LIMBO_REUSE_MIN 32

struct pt_slab {
	struct pt_slab_hdr hdr; /* first: pt_pool_used() masks to it */
	struct cds_list_head link; /* pool->slabs */
	struct cds_list_head partial; /* pool->partial, if on_partial */
	bool on_partial;
	void *free; /* free pages, linked through their first word */
	unsigned int nr_free;
	unsigned int nr_out; /* handed out and not back on ->free */
	unsigned int bump; /* first page never handed out (0 is us) */
};
/* the header fits the slab's first page */
_Static_assert(sizeof(struct pt_slab) <= PT_POOL_PAGE_SIZE, "slab header");

/* owned by the table's writer lock */
struct pt_pool {
	struct pt_slab *cur;
	struct cds_list_head slabs;
	struct cds_list_head partial;
	uint64_t nr_slabs;
	uint64_t pages_used, pages_free;
	unsigned int nr_limbo;
	void *limbo[PT_LIMBO_PAGES];
};

static atomic_ulong live_slabs;

uint64_t pt_pool_live_slabs(void)
{
	return atomic_load(&live_slabs);
}

static inline struct pt_slab *slab_of(const void *page)
{
	return (struct pt_slab *)((uintptr_t)page & ~(PT_POOL_SLAB_SIZE - 1));
}

/*
 * A free page is written with atomic stores although no reader can see it
 * any more: readers load entries atomically, and so the accesses stay
 * well-defined for ThreadSanitizer, which cannot see a grace period.
 */
static inline void page_set_link(void *page, void *next)
{
	__atomic_store_n((void **)page, next, __ATOMIC_RELAXED);
}

static inline void *page_link(void *page)
{
	return __atomic_load_n((void **)page, __ATOMIC_RELAXED);
}

static void page_zero(void *page)
{
#ifdef __SANITIZE_THREAD__
	uint64_t *p = page;
	unsigned int i;

	for (i = 0; i < PT_POOL_PAGE_SIZE / sizeof(*p); i++)
		__atomic_store_n(&p[i], 0, __ATOMIC_RELAXED);
#else
	memset(page, 0, PT_POOL_PAGE_SIZE);
#endif
}

static struct pt_slab *slab_create(struct pt_pool *pool)
{
	size_t len = 2 * PT_POOL_SLAB_SIZE;
	uintptr_t raw, base;
	struct pt_slab *slab;
	void *p;

	/* over-allocate, then trim to a naturally aligned slab */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	raw = (uintptr_t)p;
	base = (raw + PT_POOL_SLAB_SIZE - 1) & ~(PT_POOL_SLAB_SIZE - 1);
	if (base > raw)
		munmap(p, base - raw);
	if (raw + len > base + PT_POOL_SLAB_SIZE)
		munmap((void *)(base + PT_POOL_SLAB_SIZE),
		       raw + len - (base + PT_POOL_SLAB_SIZE));
	/* a huge page would make every small table cost 2 MiB */
	madvise((void *)base, PT_POOL_SLAB_SIZE, MADV_NOHUGEPAGE);

	slab = (struct pt_slab *)base; /* anonymous memory: already zero */
	slab->bump = 1;
	cds_list_add_tail(&slab->link, &pool->slabs);
	pool->nr_slabs++;
	atomic_fetch_add(&live_slabs, 1);
	return slab;
}

static void slab_unmap(struct pt_slab *slab)
{
	munmap(slab, PT_POOL_SLAB_SIZE);
	atomic_fetch_sub(&live_slabs, 1);
}

static void slab_release(struct pt_pool *pool, struct pt_slab *slab)
{
	if (slab->on_partial)
		cds_list_del(&slab->partial);
	cds_list_del(&slab->link);
	pool->pages_free -= slab->nr_free;
	pool->nr_slabs--;
	slab_unmap(slab);
}

/* a page whose grace period is over goes back to its slab */
static void return_page(struct pt_pool *pool, void *page)
{
	struct pt_slab *slab = slab_of(page);

	page_set_link(page, slab->free);
	slab->free = page;
	slab->nr_free++;
	slab->nr_out--;
	pool->pages_free++;
	if (slab != pool->cur) {
		if (!slab->nr_out) {
			slab_release(pool, slab);
			return;
		}
		if (!slab->on_partial) {
			cds_list_add_tail(&slab->partial, &pool->partial);
			slab->on_partial = true;
		}
	}
	/* an empty cur gives way to slabs that have free pages */
	slab = pool->cur;
	if (slab && !slab->nr_out && !cds_list_empty(&pool->partial)) {
		pool->cur = NULL;
		slab_release(pool, slab);
	}
}

/* wait until no reader can see the pages in limbo, then reuse them */
static void limbo_drain(struct pt_pool *pool)
{
	unsigned int i;

	if (!pool->nr_limbo)
		return;
	urcu_memb_synchronize_rcu();
	for (i = 0; i < pool->nr_limbo; i++)
		return_page(pool, pool->limbo[i]);
	pool->nr_limbo = 0;
}

struct pt_pool *pt_pool_create(void)
{
	struct pt_pool *pool = uio_zalloc(sizeof(*pool));

	if (!pool)
		return NULL;
	CDS_INIT_LIST_HEAD(&pool->slabs);
	CDS_INIT_LIST_HEAD(&pool->partial);
	return pool;
}

void pt_pool_destroy(struct pt_pool *pool)
{
	struct pt_slab *slab, *tmp;

	if (!pool)
		return;
	cds_list_for_each_entry_safe(slab, tmp, &pool->slabs, link)
		slab_unmap(slab);
	uio_free(pool);
}

static void *slab_pop(struct pt_pool *pool, struct pt_slab *slab)
{
	void *page = slab->free;

	slab->free = page_link(page);
	slab->nr_free--;
	pool->pages_free--;
	/*
	 * The walker's counter of a freed page survives in the header: 0 means
	 * every entry was already 0 (a table emptied entry by entry), so only
	 * the free-list link needs clearing. A subtree dropped whole kept its
	 * entries and is zeroed here.
	 */
	if (*pt_pool_used(page))
		page_zero(page);
	else
		page_set_link(page, NULL);
	return page;
}

void *pt_pool_alloc(struct pt_pool *pool)
{
	struct pt_slab *slab;
	void *page;

	if (fail_nth_point())
		return NULL;
	if (!pool->pages_free && pool->nr_limbo >= PT_LIMBO_REUSE_MIN)
		limbo_drain(pool);

	slab = pool->cur;
	if (slab && slab->free) {
		page = slab_pop(pool, slab);
	} else if (!cds_list_empty(&pool->partial)) {
		slab = cds_list_first_entry(&pool->partial, struct pt_slab,
					    partial);
		page = slab_pop(pool, slab);
		if (!slab->free) {
			cds_list_del(&slab->partial);
			slab->on_partial = false;
		}
	} else {
		if (!slab || slab->bump == PT_POOL_SLAB_PAGES) {
			slab = slab_create(pool);
			if (!slab)
				return NULL;
			/* the old cur has nothing left: it is on no list */
			pool->cur = slab;
		}
		page = (char *)slab + (size_t)slab->bump++ * PT_POOL_PAGE_SIZE;
		/* fault it in by a write: a read would map the zero page first */
		__atomic_store_n((uint64_t *)page, 0, __ATOMIC_RELAXED);
	}
	slab->nr_out++;
	pool->pages_used++;
	*pt_pool_used(page) = 0;
	return page;
}

void pt_pool_free(struct pt_pool *pool, void *page)
{
	pool->pages_used--;
	if (pool->nr_limbo == PT_LIMBO_PAGES)
		limbo_drain(pool);
	pool->limbo[pool->nr_limbo++] = page;
}

void pt_pool_drain(struct pt_pool *pool)
{
	limbo_drain(pool);
}

void pt_pool_stats(struct pt_pool *pool, struct pt_pool_stats *s)
{
	s->pages_used = pool->pages_used;
	s->pages_deferred = pool->nr_limbo;
	s->pages_free = pool->pages_free;
	s->slabs = pool->nr_slabs;
	s->bytes = (pool->pages_used + pool->nr_limbo + pool->pages_free +
		    pool->nr_slabs) *
		   PT_POOL_PAGE_SIZE;
}
