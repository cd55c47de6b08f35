/* SPDX-License-Identifier: MIT */
/*
 * Random map/unmap sequences against a model, on every format at every
 * level count. The model is an array over a window of pages: for each
 * page its output address, prot and the extent of the leaf that maps it
 * (taken from the page-size oracle when a map succeeds). Each step draws a
 * map (sometimes huge-page friendly, sometimes smallest pages only, sometimes
 * overlapping: -EEXIST and no change) or an unmap (random ranges, which the
 * model refuses when they would cut a leaf; exact leaf ranges; holes), and
 * predicts its result. After each step random pages, and periodically all
 * pages, are translated with pt_iova_to_phys() and compared; the census
 * must show the model's bytes and exactly the minimum number of table pages
 * for the model's leaves (no empty table lingers). The window sits at IOVA
 * 0 and at the end of the table's IOVA space. A page is the format's
 * granule (4 KiB; 2 KiB in the mock, whose 1 MiB leaves are the huge-page
 * friendly unit: 512 granules in every format). Fixed seed.
 */
#include <errno.h>
#include <string.h>

#include "pt_test.h"

#define WINDOW_PAGES 2048u
#define STEPS 1500
/* the model's page: the format's granule (2 KiB in the mock), per case */
static unsigned int page_lg2;

struct page {
	uint64_t oa;
	unsigned int prot;
	bool mapped;
	uint32_t leaf_first; /* page index of the leaf's first page */
	uint32_t leaf_pages;
};

struct model {
	const struct pt_test_cfg *c;
	struct pt_table *t;
	uint64_t base; /* IOVA of page 0 */
	uint32_t npages;
	struct page *pages;
	uint64_t seed;
};

static struct pt_test_leaf leaves[WINDOW_PAGES];

static uint64_t iova_of(const struct model *m, uint32_t page)
{
	return m->base + ((uint64_t)page << page_lg2);
}

static void check_page(const struct model *m, uint32_t i)
{
	const struct page *p = &m->pages[i];
	uint64_t oa = 0;
	unsigned int prot = 0;
	int ret = pt_iova_to_phys(m->t, iova_of(m, i) + 0x123, &oa, &prot);

	if (!p->mapped) {
		assert_int_equal(ret, -ENOENT);
		return;
	}
	assert_int_equal(ret, 0);
	assert_int_equal(oa, p->oa + 0x123);
	assert_int_equal(prot, pt_test_expect_prot(m->c->fmt, p->prot));
}

/* the fewest table pages that can hold the model's leaves */
static uint64_t min_tables(const struct model *m)
{
	const struct pt_format *fmt = m->c->fmt;
	unsigned int top = m->c->levels - 1, level;
	uint64_t total = 1; /* the root */

	for (level = 0; level < top; level++) {
		unsigned int span = pt_level_shift(fmt, level + 1);
		bool any = false;
		uint64_t prev = 0;
		uint32_t i;

		/* a level-L table exists iff a leaf at level <= L is in it */
		for (i = 0; i < m->npages; i++) {
			const struct page *p = &m->pages[i];
			uint64_t key;

			if (!p->mapped ||
			    (uint64_t)p->leaf_pages << page_lg2 >
				    (1ULL << pt_level_shift(fmt, level)))
				continue;
			key = iova_of(m, i) >> span;
			if (!any || key != prev)
				total++;
			any = true;
			prev = key;
		}
	}
	return total;
}

static void check_all(const struct model *m)
{
	uint64_t bytes = 0;
	struct pt_stats s;
	uint32_t i;

	for (i = 0; i < m->npages; i++) {
		check_page(m, i);
		bytes += m->pages[i].mapped ? 1ULL << page_lg2 : 0;
	}
	pt_stats(m->t, &s);
	assert_int_equal(s.mapped_bytes, bytes);
	assert_int_equal(s.table_pages, min_tables(m));
	assert_int_equal(s.pool_pages_used, s.table_pages);
}

static void step_map(struct model *m)
{
	const struct pt_format *fmt = m->c->fmt;
	uint64_t all = pt_table_pgsize_bitmap(m->t);
	static const unsigned int prots[] = {
		PT_PROT_READ,
		PT_PROT_WRITE,
		PT_PROT_READ | PT_PROT_WRITE,
		PT_PROT_READ | PT_PROT_WRITE | PT_PROT_CACHE,
	};
	uint32_t first, n, i, j;
	uint64_t iova, oa, bitmap;
	unsigned int prot = prots[rnd_below(&m->seed, 4)];
	bool busy = false;
	size_t nleaves;
	int ret;

	if (rnd_below(&m->seed, 3)) {
		first = rnd_below(&m->seed, m->npages);
		n = 1 + rnd_below(&m->seed, rnd_below(&m->seed, 2) ? 16 : 600);
	} else {
		/* huge-page friendly: level-1 aligned start, whole leaves */
		first = rnd_below(&m->seed, m->npages) & ~511u;
		n = 512 * (1 + rnd_below(&m->seed, 2)) +
		    rnd_below(&m->seed, 2) * rnd_below(&m->seed, 40);
	}
	if (first + n > m->npages)
		n = m->npages - first;
	iova = iova_of(m, first);
	/* OA congruent to the IOVA modulo 1 GiB, or off by some pages */
	oa = ((1 + rnd_below(&m->seed, 1000)) << 30) | (iova & ((1 << 30) - 1));
	if (!rnd_below(&m->seed, 3))
		oa += (1 + rnd_below(&m->seed, 8)) << page_lg2;
	bitmap = rnd_below(&m->seed, 4) ? all : 1ULL << page_lg2;

	for (i = first; i < first + n; i++)
		busy |= m->pages[i].mapped;
	ret = pt_map(m->t, iova, oa, (uint64_t)n << page_lg2, prot, bitmap);
	if (busy) {
		assert_int_equal(ret, -EEXIST);
		return;
	}
	assert_int_equal(ret, 0);

	nleaves = pt_test_oracle(iova, oa, (uint64_t)n << page_lg2,
				 bitmap & all, leaves, WINDOW_PAGES);
	assert_int_not_equal(nleaves, SIZE_MAX);
	for (j = 0; j < nleaves; j++) {
		uint32_t lf = (leaves[j].iova - m->base) >> page_lg2;
		uint32_t lp = 1u << (leaves[j].lg2 - page_lg2);

		for (i = lf; i < lf + lp; i++) {
			m->pages[i] = (struct page){
				.oa = leaves[j].oa +
				      ((uint64_t)(i - lf) << page_lg2),
				.prot = prot,
				.mapped = true,
				.leaf_first = lf,
				.leaf_pages = lp,
			};
		}
	}
	(void)fmt;
}

static bool cuts(const struct model *m, uint32_t first, uint32_t last)
{
	const struct page *a = &m->pages[first], *b = &m->pages[last];

	return (a->mapped && a->leaf_first < first) ||
	       (b->mapped && b->leaf_first + b->leaf_pages - 1 > last);
}

static void step_unmap(struct model *m)
{
	uint32_t first, n, i;
	uint64_t want = 0, got;

	if (rnd_below(&m->seed, 3)) {
		first = rnd_below(&m->seed, m->npages);
		n = 1 + rnd_below(&m->seed, rnd_below(&m->seed, 2) ? 8 : 700);
		if (first + n > m->npages)
			n = m->npages - first;
	} else {
		/* exactly the leaves around a random page, plus maybe more */
		const struct page *p;

		first = rnd_below(&m->seed, m->npages);
		p = &m->pages[first];
		if (!p->mapped)
			return;
		first = p->leaf_first;
		n = p->leaf_pages;
	}
	if (cuts(m, first, first + n - 1)) {
		assert_int_equal(pt_unmap(m->t, iova_of(m, first),
					  (uint64_t)n << page_lg2),
				 0);
		return;
	}
	for (i = first; i < first + n; i++) {
		want += m->pages[i].mapped ? 1ULL << page_lg2 : 0;
		m->pages[i].mapped = false;
	}
	got = pt_unmap(m->t, iova_of(m, first), (uint64_t)n << page_lg2);
	assert_int_equal(got, want);
}

static void run_window(const struct pt_test_cfg *c, uint64_t base,
		       uint32_t npages, uint64_t seed)
{
	struct model m = {
		.c = c,
		.t = pt_test_alloc(c, 0),
		.base = base,
		.npages = npages,
		.seed = seed,
	};
	uint64_t mapped = 0;
	struct pt_stats s;
	uint32_t i;
	int step;

	m.pages = calloc(npages, sizeof(*m.pages));
	assert_non_null(m.pages);

	for (step = 0; step < STEPS; step++) {
		if (rnd_below(&m.seed, 100) < 55)
			step_map(&m);
		else
			step_unmap(&m);
		for (i = 0; i < 24; i++)
			check_page(&m, rnd_below(&m.seed, npages));
		if (step % 50 == 49)
			check_all(&m);
	}
	check_all(&m);

	for (i = 0; i < npages; i++)
		mapped += m.pages[i].mapped ? 1ULL << page_lg2 : 0;
	assert_int_equal(pt_unmap(m.t, base, (uint64_t)npages << page_lg2),
			 mapped);
	pt_test_quiesce(m.t, &s);
	assert_int_equal(s.table_pages, 1);
	assert_int_equal(s.mapped_bytes, 0);
	free(m.pages);
	pt_free(m.t);
}

static void test_model(void **state)
{
	const struct pt_test_cfg *c = *state;
	unsigned int va_lg2 = pt_fmt_va_lg2(c->fmt, c->levels);
	uint32_t npages = WINDOW_PAGES;
	uint64_t seed = 0xc0ffee00ULL + c->levels * 131 + c->fmt->oa_lg2 +
			c->fmt->name[0] * 7919ULL + c->fmt->name[1] +
			c->fmt->granule_lg2;

	page_lg2 = pt_test_page_lg2(c->fmt);
	if (va_lg2 - page_lg2 < 11)
		npages = 1u << (va_lg2 - page_lg2);
	run_window(c, 0, npages, seed);
	run_window(c, va_last_of(va_lg2) - ((uint64_t)npages << page_lg2) + 1,
		   npages, seed ^ 0xabcdef);
	/* somewhere that straddles a 1 GiB boundary, if there is room */
	if (va_lg2 >= 32)
		run_window(c,
			   (3ULL << 30) - ((uint64_t)npages << (page_lg2 - 1)),
			   npages, seed ^ 0x55aa);
}

int main(void)
{
	return pt_test_run_per_cfg("model", test_model);
}
