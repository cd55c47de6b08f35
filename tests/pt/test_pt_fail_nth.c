/* SPDX-License-Identifier: MIT */
/*
 * fail-nth sweeps of the page-table engine, on every format at every level
 * count: for N = 1, 2, ... arm the N-th failure point (uiommufd_fail_nth),
 * run one operation, and stop at the first N the operation never reached.
 *  - pt_alloc: every injected failure is -ENOMEM and leaks nothing.
 *  - pt_map of a range that needs many tables and mixes 4 KiB, 2 MiB and
 *    1 GiB leaves (the mock: 2 KiB, 1 MiB, 512 MiB), between two existing
 *    mappings that share its tables: every injected failure is -ENOMEM,
 *    no page of the range stays mapped, the neighbours are intact, the
 *    census is what it was before.
 *  - pt_unmap of that range: it cannot fail, and reaches no failure point
 *    at all (freed tables wait in the pool's fixed limbo).
 *  - pt_map again after each failure of a sweep must still work: the
 *    sweep ends with a successful map.
 * At the end no slab is left in the process; in the ASan build (suite
 * 'asan') LeakSanitizer checks the malloc side.
 */
#include <errno.h>

#include "pt_test.h"
#include "uiommufd/uiommufd.h"

#define MAX_N 1000

struct target {
	uint64_t iova, oa, length;
	uint64_t right; /* IOVA of the right neighbour */
	uint64_t page; /* the format's smallest page */
};

/*
 * In the format's own sizes: p the smallest page, h a level-1 leaf, g a
 * level-2 leaf (4 KiB, 2 MiB, 1 GiB; in the mock 2 KiB, 1 MiB, 512 MiB).
 */
static struct target pick_target(const struct pt_format *fmt,
				 unsigned int va_lg2)
{
	uint64_t p = 1ULL << pt_level_shift(fmt, 0);
	uint64_t h = 1ULL << pt_level_shift(fmt, 1);
	uint64_t g = 1ULL << pt_level_shift(fmt, 2);
	struct target t = { .page = p };

	/*
	 * The left neighbour shares the first leaf table; the tail needs new
	 * tables (a level-1 table and a leaf table past 2g), so a failure
	 * can come after leaves were written. The right neighbour is far.
	 */
	if (va_lg2 >= pt_level_shift(fmt, 2) + 4) {
		/* 2 p, h, g, h, 3 p */
		t.iova = g - h - 2 * p;
		t.length = 2 * p + h + g + h + 3 * p;
		t.right = t.iova + t.length + g;
	} else if (va_lg2 > pt_level_shift(fmt, 1) + 1) {
		/* 2 p, h, 3 p in a new leaf table */
		t.iova = 2 * h - 2 * p;
		t.length = 2 * p + h + 3 * p;
		t.right = t.iova + t.length + 4 * h;
	} else {
		/* one table for everything: nothing to allocate */
		t.iova = h / 2 - 2 * p;
		t.length = 2 * p + 3 * p;
		t.right = t.iova + t.length;
	}
	t.oa = (5ULL << 30) + (t.iova & ((1ULL << 30) - 1));
	return t;
}

static void check_unmapped(struct pt_table *t, const struct target *g)
{
	uint64_t off;

	for (off = 0; off < g->length; off += g->page) {
		/* the two ends are enough for a long range */
		if (off == 16384 && g->length > 65536)
			off = g->length - 16384;
		assert_int_equal(pt_iova_to_phys(t, g->iova + off, NULL, NULL),
				 -ENOENT);
	}
}

static void check_neighbours(struct pt_table *t, const struct target *g)
{
	uint64_t oa;

	assert_int_equal(pt_iova_to_phys(t, g->iova - g->page, &oa, NULL), 0);
	assert_int_equal(oa, 7ULL << 30);
	assert_int_equal(pt_iova_to_phys(t, g->right, &oa, NULL), 0);
	assert_int_equal(oa, 9ULL << 30);
}

static void same_census(const struct pt_stats *a, const struct pt_stats *b)
{
	unsigned int i;

	assert_int_equal(a->table_pages, b->table_pages);
	assert_int_equal(a->mapped_bytes, b->mapped_bytes);
	assert_int_equal(a->pool_pages_used, b->pool_pages_used);
	for (i = 0; i < PT_MAX_LEVELS; i++)
		assert_int_equal(a->leaves_per_level[i],
				 b->leaves_per_level[i]);
}

static void test_fail_nth(void **state)
{
	const struct pt_test_cfg *c = *state;
	unsigned int rw = PT_PROT_READ | PT_PROT_WRITE;
	struct pt_stats before, now;
	struct pt_table *t;
	struct target g;
	uint64_t all;
	unsigned long n;
	bool hit;
	int ret;

	/* pt_alloc */
	for (n = 1; n < MAX_N; n++) {
		uiommufd_fail_nth(n);
		t = pt_alloc(c->fmt, c->levels);
		hit = uiommufd_fail_nth_hit();
		uiommufd_fail_nth(0);
		if (!hit)
			break;
		assert_true(IS_ERR(t));
		assert_int_equal(PTR_ERR(t), -ENOMEM);
	}
	assert_true(n > 1 && n < MAX_N);
	assert_false(IS_ERR_OR_NULL(t));

	g = pick_target(c->fmt, pt_table_va_lg2(t));
	all = pt_table_pgsize_bitmap(t);
	assert_int_equal(
		pt_map(t, g.iova - g.page, 7ULL << 30, g.page, rw, all), 0);
	assert_int_equal(pt_map(t, g.right, 9ULL << 30, g.page, rw, all), 0);
	pt_stats(t, &before);

	/* pt_map */
	for (n = 1; n < MAX_N; n++) {
		uiommufd_fail_nth(n);
		ret = pt_map(t, g.iova, g.oa, g.length, rw, all);
		hit = uiommufd_fail_nth_hit();
		uiommufd_fail_nth(0);
		if (!hit)
			break;
		assert_int_equal(ret, -ENOMEM);
		check_unmapped(t, &g);
		check_neighbours(t, &g);
		pt_stats(t, &now);
		same_census(&before, &now);
	}
	assert_true(n < MAX_N);
	/* the sweep went through failures, unless nothing is allocated */
	assert_true(n > 1 || pt_table_levels(t) == 1);
	assert_int_equal(ret, 0);
	pt_stats(t, &now);
	assert_int_equal(now.mapped_bytes, before.mapped_bytes + g.length);

	/* pt_unmap: no failure point at all */
	uiommufd_fail_nth(1);
	assert_int_equal(pt_unmap(t, g.iova, g.length), g.length);
	hit = uiommufd_fail_nth_hit();
	uiommufd_fail_nth(0);
	assert_false(hit);
	check_unmapped(t, &g);
	check_neighbours(t, &g);
	pt_stats(t, &now);
	same_census(&before, &now);

	pt_test_quiesce(t, &now);
	pt_free(t);
}

static void test_no_slab_left(void **state)
{
	assert_int_equal(pt_pool_live_slabs(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_slab_left),
	};
	int ret = pt_test_run_per_cfg("fail_nth", test_fail_nth);

	return ret | cmocka_run_group_tests(tests, NULL, NULL);
}
