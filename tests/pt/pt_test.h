/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the page-table tests: the list of (format, levels)
 * configurations every walker test runs on, each as its own cmocka test
 * case; a small fixed-seed generator; the brute-force page-size oracle;
 * what prot a format reads back; and the quiescing of a table's pool (wait
 * for every deferred free, then check the pool agrees with the tree).
 */
#ifndef UIOMMUFD_TESTS_PT_TEST_H
#define UIOMMUFD_TESTS_PT_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <urcu/urcu-memb.h>

#include "pt/pool.h"
#include "pt/pt.h"
#include "util/err.h"

#define PT_TEST_MAX_CFGS 32

struct pt_test_cfg {
	const struct pt_format *fmt;
	unsigned int levels;
	char name[40];
};

static const struct pt_format *const pt_test_formats[] = {
	&pt_fmt_x86_64,
	&pt_fmt_vtd_ss,
	&pt_fmt_amdv1,
	&pt_fmt_amdv1_mock,
	&pt_fmt_arm_lpae_s1,
	&pt_fmt_arm_lpae_s2,
};

/* run @fn once per format and level count, each a named test case */
static inline int pt_test_run_per_cfg(const char *group,
				      void (*fn)(void **state))
{
	static struct pt_test_cfg cfgs[PT_TEST_MAX_CFGS];
	static struct CMUnitTest tests[PT_TEST_MAX_CFGS];
	size_t i, n = 0;
	unsigned int levels;

	for (i = 0; i < sizeof(pt_test_formats) / sizeof(pt_test_formats[0]);
	     i++) {
		const struct pt_format *fmt = pt_test_formats[i];

		for (levels = fmt->min_levels; levels <= fmt->max_levels;
		     levels++) {
			struct pt_test_cfg *c = &cfgs[n];

			c->fmt = fmt;
			c->levels = levels;
			snprintf(c->name, sizeof(c->name), "%s/%u", fmt->name,
				 levels);
			tests[n] = (struct CMUnitTest){
				.name = c->name,
				.test_func = fn,
				.initial_state = c,
			};
			n++;
		}
	}
	return _cmocka_run_group_tests(group, tests, n, NULL, NULL);
}

/* xorshift64*: fixed seeds make every run the same */
static inline uint64_t rnd_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static inline uint64_t rnd_below(uint64_t *s, uint64_t n)
{
	return n ? rnd_next(s) % n : 0;
}

static inline uint64_t va_last_of(unsigned int va_lg2)
{
	return va_lg2 >= 64 ? UINT64_MAX : (1ULL << va_lg2) - 1;
}

/* the prot a format reads back for @prot */
static inline unsigned int pt_test_expect_prot(const struct pt_format *fmt,
					       unsigned int prot)
{
	unsigned int p = prot & fmt->prot_mask;

	if ((fmt->features & PT_FMT_WRITE_IMPLIES_READ) && (p & PT_PROT_WRITE))
		p |= PT_PROT_READ;
	return p;
}

struct pt_test_leaf {
	uint64_t iova, oa;
	unsigned int lg2;
};

/*
 * The oracle: the leaves pt_map() must write, by brute force: at every
 * step try each allowed size from the largest down and take the first that
 * fits the remaining length and divides both addresses. Returns the number
 * of leaves, or SIZE_MAX if no size fits (or more than @max).
 */
static inline size_t pt_test_oracle(uint64_t iova, uint64_t oa, uint64_t length,
				    uint64_t bitmap, struct pt_test_leaf *out,
				    size_t max)
{
	size_t n = 0;

	while (length) {
		int lg2;

		for (lg2 = 63; lg2 >= 0; lg2--) {
			uint64_t size = 1ULL << lg2;

			if ((bitmap & size) && size <= length &&
			    !(iova % size) && !(oa % size))
				break;
		}
		if (lg2 < 0 || n == max)
			return SIZE_MAX;
		out[n].iova = iova;
		out[n].oa = oa;
		out[n].lg2 = lg2;
		n++;
		iova += 1ULL << lg2;
		oa += 1ULL << lg2;
		length -= 1ULL << lg2;
	}
	return n;
}

static inline struct pt_table *pt_test_alloc(const struct pt_test_cfg *c,
					     unsigned int flags)
{
	struct pt_table *t = pt_alloc_flags(c->fmt, c->levels, flags);

	assert_false(IS_ERR_OR_NULL(t));
	return t;
}

/*
 * The formats' smallest page (4 KiB; 2 KiB in the mock) and their level-1
 * page (2 MiB; 1 MiB in the mock): tests size their layouts in these.
 */
static inline unsigned int pt_test_page_lg2(const struct pt_format *fmt)
{
	return fmt->granule_lg2;
}

static inline unsigned int pt_test_huge_lg2(const struct pt_format *fmt)
{
	return pt_level_shift(fmt, 1);
}

/* the level whose entries have size 2^lg2 */
static inline unsigned int pt_test_level_of(const struct pt_format *fmt,
					    unsigned int lg2)
{
	return (lg2 - fmt->granule_lg2) / fmt->level_bits;
}

/*
 * Trim @t (freed pages become free after a grace period), then census it:
 * the pool must hold exactly the tree's pages and nothing in limbo.
 */
static inline void pt_test_quiesce(struct pt_table *t, struct pt_stats *s)
{
	pt_trim(t);
	pt_stats(t, s);
	assert_int_equal(s->pool_pages_deferred, 0);
	assert_int_equal(s->pool_pages_used, s->table_pages);
}

#endif
