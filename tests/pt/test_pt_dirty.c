/* SPDX-License-Identifier: MIT */
/*
 * Dirty tracking on every format at every level count, against a model:
 * writable smallest pages, read-only pages and (where the IOVA space allows)
 * level-1 leaves are mapped clean; pt_set_dirty() marks random leaves (and
 * unmapped IOVAs, which must stay harmless); harvests with and without
 * PT_DIRTY_NO_CLEAR, over the whole space and over sub-ranges that cut huge
 * leaves, must report exactly the model's dirty pages as maximal runs in
 * increasing order, clipped to the range, and clean what they report
 * (huge leaves as a whole). Cleaning keeps the translation and the write
 * permission. An ARM table allocated without PT_ALLOC_DIRTY_TRACKING tracks
 * nothing (no DBM); the other formats track always.
 */
#include <errno.h>
#include <string.h>

#include "pt_test.h"

/*
 * The model counts pages of the format's granule (4 KiB; 2 KiB in the
 * mock); its huge leaves are level-1 leaves, 512 pages in every format.
 * Sizes below are for 4 KiB pages.
 */
#define NPAGES 4096u /* 16 MiB of model */
#define RW_PAGES 1024u /* [0, 4 MiB): writable small pages */
#define RO_FIRST 1024u /* [4 MiB, 4.25 MiB): read-only small pages */
#define RO_PAGES 64u
#define HUGE_FIRST 2048u /* [8 MiB, 16 MiB): 2 MiB leaves, if possible */
#define HUGE_PAGES 512u

/* set per test case: the format's granule */
static unsigned int page_lg2;

struct harvest {
	uint8_t dirty[NPAGES];
	uint64_t last_end;
	unsigned int calls;
	bool any;
};

static void record(void *arg, uint64_t iova, uint64_t length)
{
	struct harvest *h = arg;
	uint64_t i;

	assert_true(length > 0);
	assert_int_equal(iova & ((1ULL << page_lg2) - 1), 0);
	assert_int_equal(length & ((1ULL << page_lg2) - 1), 0);
	/* runs are maximal and in increasing order */
	if (h->any)
		assert_true(iova > h->last_end);
	h->any = true;
	h->last_end = iova + length;
	h->calls++;
	for (i = iova >> page_lg2; i < (iova + length) >> page_lg2; i++) {
		assert_true(i < NPAGES);
		assert_int_equal(h->dirty[i], 0);
		h->dirty[i] = 1;
	}
}

struct ctx {
	const struct pt_test_cfg *c;
	struct pt_table *t;
	bool huge; /* the region of level-1 leaves exists */
	uint8_t model[NPAGES]; /* per page: its leaf is dirty */
	uint64_t seed;
};

static uint32_t leaf_first(const struct ctx *x, uint32_t page)
{
	return (x->huge && page >= HUGE_FIRST) ? page & ~(HUGE_PAGES - 1)
					       : page;
}

static uint32_t leaf_pages(const struct ctx *x, uint32_t page)
{
	return (x->huge && page >= HUGE_FIRST) ? HUGE_PAGES : 1;
}

static void harvest(struct ctx *x, uint32_t first, uint32_t n,
		    unsigned int flags)
{
	struct harvest h;
	uint32_t i;

	memset(&h, 0, sizeof(h));
	assert_int_equal(pt_read_and_clear_dirty(
				 x->t, (uint64_t)first << page_lg2,
				 (uint64_t)n << page_lg2, flags, record, &h),
			 0);
	for (i = 0; i < NPAGES; i++) {
		bool in = i >= first && i < first + n;

		assert_int_equal(h.dirty[i], in && x->model[i]);
	}
	if (flags & PT_DIRTY_NO_CLEAR)
		return;
	/* cleaning is per leaf: a huge leaf cut by the range goes clean */
	for (i = first; i < first + n; i++) {
		uint32_t lf = leaf_first(x, i), j;

		for (j = lf; j < lf + leaf_pages(x, i); j++)
			x->model[j] = 0;
	}
}

static void mark(struct ctx *x, uint32_t page)
{
	uint32_t lf = leaf_first(x, page), j;

	pt_set_dirty(x->t, ((uint64_t)page << page_lg2) + 8);
	for (j = lf; j < lf + leaf_pages(x, page); j++)
		x->model[j] = 1;
}

static void mark_random(struct ctx *x, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint32_t page = rnd_below(&x->seed, RW_PAGES);

		if (x->huge && rnd_below(&x->seed, 4) == 0)
			page = HUGE_FIRST +
			       rnd_below(&x->seed, NPAGES - HUGE_FIRST);
		mark(x, page);
	}
}

static uint64_t model_dirty_leaves(const struct ctx *x)
{
	uint64_t n = 0;
	uint32_t i;

	for (i = 0; i < NPAGES; i++)
		n += x->model[i] && leaf_first(x, i) == i;
	return n;
}

static void test_dirty(void **state)
{
	const struct pt_test_cfg *c = *state;
	struct ctx *x = calloc(1, sizeof(*x));
	unsigned int rw = PT_PROT_READ | PT_PROT_WRITE;
	struct pt_stats s;
	struct pt_leaf leaf;
	uint32_t i;

	assert_non_null(x);
	x->c = c;
	x->seed = 0xd1e7ULL * c->levels + c->fmt->oa_lg2 + c->fmt->granule_lg2;
	page_lg2 = pt_test_page_lg2(c->fmt);
	x->t = pt_test_alloc(c, PT_ALLOC_DIRTY_TRACKING);
	if (pt_table_va_lg2(x->t) < page_lg2 + 12) {
		/* AMD 1 level: 2 MiB (mock: 1 MiB) of IOVA, smallest pages */
		pt_free(x->t);
		free(x);
		skip();
	}
	x->huge = pt_table_pgsize_bitmap(x->t) &
		  (1ULL << pt_test_huge_lg2(c->fmt));

	assert_int_equal(pt_map(x->t, 0, 1ULL << 32, RW_PAGES << page_lg2, rw,
				1ULL << page_lg2),
			 0);
	assert_int_equal(pt_map(x->t, RO_FIRST << page_lg2, 1ULL << 33,
				RO_PAGES << page_lg2, PT_PROT_READ,
				1ULL << page_lg2),
			 0);
	if (x->huge)
		assert_int_equal(pt_map(x->t, HUGE_FIRST << page_lg2,
					1ULL << 34,
					(NPAGES - HUGE_FIRST) << page_lg2, rw,
					pt_table_pgsize_bitmap(x->t)),
				 0);

	/* fresh mappings are clean */
	harvest(x, 0, NPAGES, PT_DIRTY_NO_CLEAR);
	/* marking holes does nothing */
	pt_set_dirty(x->t, (uint64_t)(RO_FIRST + RO_PAGES) << page_lg2);
	pt_set_dirty(x->t, 1ULL << 40);

	mark_random(x, 300);
	harvest(x, 0, NPAGES, PT_DIRTY_NO_CLEAR);
	harvest(x, 0, NPAGES, PT_DIRTY_NO_CLEAR);
	pt_stats(x->t, &s);
	assert_int_equal(s.dirty_leaves, model_dirty_leaves(x));
	/* sub-ranges report only their part, a cut huge leaf clipped */
	harvest(x, 100, 300, PT_DIRTY_NO_CLEAR);
	harvest(x, HUGE_FIRST + 700, 100, PT_DIRTY_NO_CLEAR);

	/* harvest and clean */
	harvest(x, 0, NPAGES, 0);
	harvest(x, 0, NPAGES, PT_DIRTY_NO_CLEAR);
	pt_stats(x->t, &s);
	assert_int_equal(s.dirty_leaves, 0);

	/* clean a sub-range only: the rest stays dirty */
	mark_random(x, 400);
	harvest(x, 200, 500, 0);
	if (x->huge)
		harvest(x, HUGE_FIRST + 1000, 30, 0);
	harvest(x, 0, NPAGES, PT_DIRTY_NO_CLEAR);
	harvest(x, 0, NPAGES, 0);
	harvest(x, 0, NPAGES, PT_DIRTY_NO_CLEAR);

	/* cleaning kept translation and write permission */
	for (i = 0; i < RW_PAGES; i += 37) {
		assert_int_equal(
			pt_lookup(x->t, (uint64_t)i << page_lg2, &leaf), 0);
		assert_int_equal(leaf.oa,
				 (1ULL << 32) + ((uint64_t)i << page_lg2));
		assert_int_equal(leaf.prot, rw);
		assert_false(leaf.dirty);
	}
	mark(x, 5);
	assert_int_equal(pt_lookup(x->t, 5 << page_lg2, &leaf), 0);
	assert_true(leaf.dirty);
	assert_int_equal(leaf.prot, rw);

	/* arguments */
	assert_int_equal(pt_read_and_clear_dirty(x->t, 0, 4096, 0x10, record,
						 NULL),
			 -EINVAL);
	assert_int_equal(pt_read_and_clear_dirty(x->t, 1, 4096, 0, record,
						 NULL),
			 -EINVAL);
	assert_int_equal(pt_read_and_clear_dirty(x->t, 0, 0, 0, record, NULL),
			 -EINVAL);

	pt_free(x->t);

	/* without the tracking flag: ARM has no DBM, the others still track */
	x->t = pt_test_alloc(c, 0);
	assert_int_equal(pt_map(x->t, 0, 1ULL << 32, 64 << page_lg2, rw,
				1ULL << page_lg2),
			 0);
	pt_set_dirty(x->t, 3 << page_lg2);
	assert_int_equal(pt_lookup(x->t, 3 << page_lg2, &leaf), 0);
	assert_int_equal(leaf.prot, rw);
	assert_int_equal(leaf.dirty, c->fmt->dirty_enable == 0);
	pt_stats(x->t, &s);
	assert_int_equal(s.dirty_leaves, c->fmt->dirty_enable == 0);
	pt_free(x->t);
	free(x);
}

int main(void)
{
	return pt_test_run_per_cfg("dirty", test_dirty);
}
