/* SPDX-License-Identifier: MIT */
/*
 * Table memory, on every format at every level count. Mapping N contiguous
 * smallest pages (4 KiB; 2 KiB in the mock) must take exactly the minimum
 * number of table pages for the layout (per level, the number of table
 * spans the range touches, plus the root), and the pool's touched memory
 * must stay within 1.02x of the table pages for a large N (the DESIGN
 * target; the slab header is 1 page in 512).
 * Unmapping everything returns every table page but the root, in one range
 * or page by page; after the grace period the pool holds nothing in flight
 * and unmaps slabs it no longer needs. Scattered single pages (one table
 * chain each) come back the same way. Finally every table ever made here is
 * freed and the process has no slab left.
 */
#include "pt_test.h"

/* the format's granule, set per test case */
static unsigned int page_lg2;

static uint64_t min_tables_contig(const struct pt_format *fmt,
				  unsigned int levels, uint64_t iova,
				  uint64_t npages)
{
	uint64_t last = iova + (npages << page_lg2) - 1;
	uint64_t total = 1;
	unsigned int level;

	for (level = 0; level + 1 < levels; level++) {
		unsigned int span = pt_level_shift(fmt, level + 1);

		total += (last >> span) - (iova >> span) + 1;
	}
	return total;
}

static void map_contig(struct pt_table *t, const struct pt_test_cfg *c,
		       uint64_t iova, uint64_t npages, bool page_by_page)
{
	const struct pt_format *fmt = c->fmt;
	uint64_t want = min_tables_contig(fmt, c->levels, iova, npages);
	struct pt_stats s;
	uint64_t i;

	assert_int_equal(pt_map(t, iova, 1ULL << 40, npages << page_lg2,
				PT_PROT_READ | PT_PROT_WRITE, 1ULL << page_lg2),
			 0);
	pt_stats(t, &s);
	assert_int_equal(s.table_pages, want);
	assert_int_equal(s.leaves_per_level[0], npages);
	assert_int_equal(s.pool_pages_used, want);
	if (npages >= 100000)
		/* touched memory vs the minimum: <= 1.02x */
		assert_true(s.pool_bytes * 100 <= s.table_bytes * 102);

	if (page_by_page) {
		for (i = 0; i < npages; i++)
			assert_int_equal(pt_unmap(t, iova + (i << page_lg2),
						  1ULL << page_lg2),
					 1ULL << page_lg2);
	} else {
		assert_int_equal(pt_unmap(t, iova, npages << page_lg2),
				 npages << page_lg2);
	}
	pt_stats(t, &s);
	assert_int_equal(s.table_pages, 1);
	pt_test_quiesce(t, &s);
	assert_int_equal(s.table_pages, 1);
	/* empty slabs went back; at most the current one stays */
	assert_true(s.pool_slabs <= 1);
}

static void test_memory(void **state)
{
	const struct pt_test_cfg *c = *state;
	unsigned int va_lg2 = pt_fmt_va_lg2(c->fmt, c->levels);
	uint64_t space = va_lg2 >= 40 ? 1ULL << 40 : 1ULL << va_lg2;
	uint64_t max_pages = space >> (page_lg2 = pt_test_page_lg2(c->fmt));
	struct pt_table *t = pt_test_alloc(c, 0);
	uint64_t seed = 77 + c->levels;
	uint64_t iovas[300];
	struct pt_stats s;
	unsigned int i, n;

	/* small, at 0 and straddling a 2 MiB boundary */
	map_contig(t, c, 0, max_pages < 1000 ? max_pages : 1000, false);
	if (max_pages >= 2048)
		map_contig(t, c, (3ULL << 21) - (20 << page_lg2), 1000, true);
	/* large: 400 leaf tables worth, straddling a 1 GiB boundary */
	if (max_pages >= (1ULL << 20))
		map_contig(t, c, (1ULL << 30) - (300ULL << 21) + 4096,
			   512 * 400, false);

	/* scattered single pages, each in its own 2 MiB */
	n = max_pages >= 512 * 300 ? 300 : 0;
	for (i = 0; i < n; i++) {
		iovas[i] = (rnd_below(&seed, space >> 21) << 21) +
			   (rnd_below(&seed, 512) << page_lg2);
		if (pt_map(t, iovas[i], 1ULL << 40, 4096, PT_PROT_READ,
			   1ULL << page_lg2)) {
			i--; /* the same page drawn twice: draw again */
			continue;
		}
	}
	for (i = 0; i < n; i++)
		assert_int_equal(pt_unmap(t, iovas[i], 4096), 4096);
	pt_test_quiesce(t, &s);
	assert_int_equal(s.table_pages, 1);
	assert_true(s.pool_slabs <= 1);
	pt_free(t);
}

/* run last: every table of this program has been freed */
static void test_no_slab_left(void **state)
{
	assert_int_equal(pt_pool_live_slabs(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_slab_left),
	};
	int ret = pt_test_run_per_cfg("memory", test_memory);

	return ret | cmocka_run_group_tests(tests, NULL, NULL);
}
