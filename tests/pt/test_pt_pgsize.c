/* SPDX-License-Identifier: MIT */
/*
 * Page-size choice against the brute-force oracle, on every format at every
 * level count. Each case draws an allowed page-size bitmap (sometimes with
 * sizes the format lacks), an IOVA and an OA with chosen common alignment
 * (so that huge pages are possible, partly possible or impossible) and a
 * length mixing large and small pieces, maps it into an empty table, then
 * reads the leaves back by walking (pt_lookup from leaf to leaf) and
 * compares them with the oracle's list: same IOVAs, sizes, output addresses
 * and prot, and the same census per level. Ranges sit anywhere in the
 * table's IOVA space, up to its last byte (2^64 - 1 for AMD's 6 levels).
 * Unmapping the range returns its length and leaves only the root.
 */
#include <errno.h>

#include "pt_test.h"

#define MAX_LEAVES 120000
#define CASES 160

static struct pt_test_leaf want[MAX_LEAVES];

static unsigned int lowest_lg2(uint64_t v)
{
	return __builtin_ctzll(v);
}

static void one_case(const struct pt_test_cfg *c, struct pt_table *t,
		     uint64_t *seed)
{
	const struct pt_format *fmt = c->fmt;
	uint64_t fmt_bitmap = pt_table_pgsize_bitmap(t);
	unsigned int va_lg2 = pt_table_va_lg2(t);
	uint64_t va_last = va_last_of(va_lg2);
	uint64_t allowed, usable, min, length, iova, oa, max_len, cur;
	unsigned int min_lg2, a, b, cap_lg2, prot;
	static const unsigned int prots[] = {
		PT_PROT_READ,
		PT_PROT_READ | PT_PROT_WRITE,
		PT_PROT_WRITE | PT_PROT_CACHE,
	};
	uint64_t per_level[PT_MAX_LEVELS] = { 0 };
	struct pt_stats s;
	size_t n, i;

	/* a random non-empty subset, sometimes with a foreign size (64 KiB) */
	do {
		allowed = fmt_bitmap & rnd_next(seed);
		if (rnd_below(seed, 3))
			allowed |= fmt_bitmap & -fmt_bitmap;
	} while (!allowed);
	if (!rnd_below(seed, 4))
		allowed |= 1ULL << 16;
	usable = allowed & fmt_bitmap;
	min = usable & -usable;
	min_lg2 = lowest_lg2(min);

	/* length: some pieces of a random size, plus some minimum pages */
	cap_lg2 = va_lg2 < 33 ? va_lg2 : 33;
	max_len = 1ULL << cap_lg2;
	do {
		b = min_lg2 + rnd_below(seed, cap_lg2 - min_lg2 + 1);
		length = (rnd_below(seed, 3) << b) +
			 (rnd_below(seed, 5) << min_lg2);
		if (length > max_len)
			length = max_len;
		length &= ~(min - 1);
	} while (!length);

	/* iova: aligned to 2^a, then maybe off by some minimum pages */
	a = min_lg2 + rnd_below(seed, (va_lg2 < 40 ? va_lg2 : 40) - min_lg2);
	iova = rnd_next(seed) & va_last & ~((1ULL << a) - 1);
	if (rnd_below(seed, 2))
		iova += rnd_below(seed, 4) * min;
	if (!rnd_below(seed, 8))
		iova = va_last - length + 1; /* the very end */
	if (iova > va_last - length + 1)
		iova = (va_last - length + 1) & ~(min - 1);

	/* oa: congruent to iova modulo 2^b, maybe off by some pages */
	b = min_lg2 + rnd_below(seed, 31 - min_lg2);
	oa = (rnd_next(seed) & ((1ULL << (fmt->oa_lg2 - 1)) - 1) &
	      ~((1ULL << 31) - 1)) |
	     (iova & ((1ULL << b) - 1));
	if (!rnd_below(seed, 3))
		oa += rnd_below(seed, 3) * min;
	oa &= ~(min - 1);

	n = pt_test_oracle(iova, oa, length, usable, want, MAX_LEAVES);
	if (n == SIZE_MAX)
		return; /* too many leaves to read back: draw again */

	prot = prots[rnd_below(seed, 3)];
	assert_int_equal(pt_map(t, iova, oa, length, prot, allowed), 0);

	for (i = 0, cur = iova; i < n; i++) {
		struct pt_leaf leaf;
		uint64_t size = 1ULL << want[i].lg2;

		assert_int_equal(cur, want[i].iova);
		assert_int_equal(pt_lookup(t, cur, &leaf), 0);
		assert_int_equal(leaf.leaf_iova, cur);
		assert_int_equal(leaf.pgsize_lg2, want[i].lg2);
		assert_int_equal(leaf.oa, want[i].oa);
		assert_int_equal(leaf.prot, pt_test_expect_prot(fmt, prot));
		/* the last byte of the leaf is the same leaf */
		assert_int_equal(pt_lookup(t, cur + size - 1, &leaf), 0);
		assert_int_equal(leaf.leaf_iova, cur);
		assert_int_equal(leaf.oa, want[i].oa + size - 1);
		per_level[pt_test_level_of(fmt, want[i].lg2)]++;
		cur += size;
	}
	assert_int_equal(cur, iova + length);
	if (iova) {
		struct pt_leaf leaf;

		assert_int_equal(pt_lookup(t, iova - 1, &leaf), -ENOENT);
	}
	if (iova + length - 1 < va_last) {
		uint64_t pa;

		assert_int_equal(pt_iova_to_phys(t, iova + length, &pa, NULL),
				 -ENOENT);
	}

	pt_stats(t, &s);
	assert_int_equal(s.mapped_bytes, length);
	for (i = 0; i < PT_MAX_LEVELS; i++)
		assert_int_equal(s.leaves_per_level[i], per_level[i]);

	/* mapping any of it again collides */
	assert_int_equal(pt_map(t, iova, oa, min, prot, allowed), -EEXIST);

	assert_int_equal(pt_unmap(t, iova, length), length);
	pt_stats(t, &s);
	assert_int_equal(s.table_pages, 1);
	assert_int_equal(s.mapped_bytes, 0);
}

static void test_pgsize(void **state)
{
	const struct pt_test_cfg *c = *state;
	struct pt_table *t = pt_test_alloc(c, 0);
	uint64_t seed = 0x9e3779b97f4a7c15ULL ^ c->levels ^
			(uint64_t)c->fmt->oa_lg2 << 8 ^
			(uint64_t)(uintptr_t)c->fmt->name[0] << 16;
	struct pt_stats s;
	int i;

	for (i = 0; i < CASES; i++)
		one_case(c, t, &seed);
	pt_test_quiesce(t, &s);
	assert_int_equal(s.table_pages, 1);
	pt_free(t);
}

/* argument checks, on one configuration */
static void test_map_args(void **state)
{
	struct pt_test_cfg c = { .fmt = &pt_fmt_x86_64, .levels = 4 };
	struct pt_table *t = pt_test_alloc(&c, 0);
	uint64_t all = pt_table_pgsize_bitmap(t);
	unsigned int rw = PT_PROT_READ | PT_PROT_WRITE;

	assert_int_equal(all, (1ULL << 12) | (1ULL << 21) | (1ULL << 30));
	assert_int_equal(pt_map(t, 0, 0, 0, rw, all), -EINVAL);
	assert_int_equal(pt_map(t, 0x800, 0, 4096, rw, all), -EINVAL);
	assert_int_equal(pt_map(t, 0, 0x800, 4096, rw, all), -EINVAL);
	assert_int_equal(pt_map(t, 0, 0, 4097, rw, all), -EINVAL);
	assert_int_equal(pt_map(t, 0, 0, 4096, 0, all), -EINVAL);
	assert_int_equal(pt_map(t, 0, 0, 4096, PT_PROT_CACHE, all), -EINVAL);
	assert_int_equal(pt_map(t, 0, 0, 4096, rw | 0x100, all), -EINVAL);
	assert_int_equal(pt_map(t, 0, 0, 4096, rw, 1ULL << 16), -EINVAL);
	/* 2 MiB only: 4 KiB alignment is not enough */
	assert_int_equal(pt_map(t, 4096, 4096, 1ULL << 21, rw, 1ULL << 21),
			 -EINVAL);
	/* beyond the 48-bit IOVA space, and wrapping */
	assert_int_equal(pt_map(t, 1ULL << 48, 0, 4096, rw, all), -EINVAL);
	assert_int_equal(pt_map(t, (1ULL << 48) - 4096, 0, 8192, rw, all),
			 -EINVAL);
	assert_int_equal(pt_map(t, UINT64_MAX - 4095, 0, 8192, rw, all),
			 -EINVAL);
	/* beyond the 52-bit output space */
	assert_int_equal(pt_map(t, 0, (1ULL << 52) - 4096, 8192, rw, all),
			 -EINVAL);
	assert_int_equal(pt_map(t, 0, (1ULL << 52) - 4096, 4096, rw, all), 0);
	assert_int_equal(pt_unmap(t, 0, 4096), 4096);
	/* unmap of nonsense is 0 */
	assert_int_equal(pt_unmap(t, 0, 0), 0);
	assert_int_equal(pt_unmap(t, 0x800, 4096), 0);
	assert_int_equal(pt_unmap(t, UINT64_MAX - 4095, 8192), 0);
	assert_int_equal(pt_unmap(t, 1ULL << 48, 4096), 0);

	assert_true(IS_ERR(pt_alloc(&pt_fmt_x86_64, 3)));
	assert_true(IS_ERR(pt_alloc(&pt_fmt_x86_64, 6)));
	assert_true(IS_ERR(pt_alloc_flags(&pt_fmt_x86_64, 4, 0x80)));
	pt_free(NULL);
	pt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_args),
	};
	int ret;

	ret = cmocka_run_group_tests(tests, NULL, NULL);
	return ret | pt_test_run_per_cfg("pgsize", test_pgsize);
}
