/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for util/span_iter: fixed cases over the whole 64-bit space
 * (empty tree, [0, UINT64_MAX], nodes at either end, merging of overlapping
 * and adjacent nodes, empty and one-index ranges), then randomized trees in a
 * 256-index universe placed at 0, in the middle and ending at UINT64_MAX,
 * compared span by span with a brute-force coverage bitmap. The oracle is the
 * run-length encoding of the per-index class (used/hole; for the double
 * iterator 1 = tree 1, 2 = tree 2 only, 0 = neither) over [first, last].
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/span_iter.h"

#define U64_MAX UINT64_MAX
#define UNIVERSE 256
#define MAX_NODES 16
#define MAX_SPANS (UNIVERSE + 2)

struct span {
	int cls; /* span_iter: 0 hole, 1 used; double: 0, 1, 2 */
	uint64_t start, last;
};

struct tree {
	struct itree_root root;
	struct itree_node nodes[MAX_NODES];
	int n;
};

static void tree_init(struct tree *t)
{
	memset(t, 0, sizeof(*t));
	t->root.root = NULL;
}

static void tree_add(struct tree *t, uint64_t start, uint64_t last)
{
	struct itree_node *n;

	assert_true(t->n < MAX_NODES);
	n = &t->nodes[t->n++];
	n->start = start;
	n->last = last;
	itree_insert(&t->root, n);
}

/* run the single iterator; returns the span count */
static int run_single(struct itree_root *root, uint64_t first, uint64_t last,
		      struct span *out, int max)
{
	struct span_iter it;
	int k = 0;

	span_for_each(&it, root, first, last) {
		assert_true(k < max);
		out[k].cls = !it.is_hole;
		out[k].start = it.is_hole ? it.start_hole : it.start_used;
		out[k].last = it.is_hole ? it.last_hole : it.last_used;
		k++;
	}
	/* done is sticky */
	span_iter_next(&it);
	assert_true(span_iter_done(&it));
	return k;
}

static int run_double(struct itree_root *r1, struct itree_root *r2,
		      uint64_t first, uint64_t last, struct span *out, int max)
{
	struct double_span_iter it;
	int k = 0;

	double_span_for_each(&it, r1, r2, first, last) {
		assert_true(k < max);
		assert_true(it.is_used >= 0 && it.is_used <= 2);
		out[k].cls = it.is_used;
		out[k].start = it.is_used ? it.start_used : it.start_hole;
		out[k].last = it.is_used ? it.last_used : it.last_hole;
		k++;
	}
	double_span_iter_next(&it);
	assert_true(double_span_iter_done(&it));
	return k;
}

static void expect_spans(const struct span *got, int ngot,
			 const struct span *want, int nwant)
{
	int i;

	assert_int_equal(ngot, nwant);
	for (i = 0; i < ngot; i++) {
		assert_int_equal(got[i].cls, want[i].cls);
		assert_int_equal(got[i].start, want[i].start);
		assert_int_equal(got[i].last, want[i].last);
	}
}

static void check_single(struct itree_root *root, uint64_t first,
			 uint64_t last, const struct span *want, int nwant)
{
	struct span got[16];

	expect_spans(got, run_single(root, first, last, got, 16), want, nwant);
}

static void check_double(struct itree_root *r1, struct itree_root *r2,
			 uint64_t first, uint64_t last, const struct span *want,
			 int nwant)
{
	struct span got[16];

	expect_spans(got, run_double(r1, r2, first, last, got, 16), want,
		     nwant);
}

#define CHECK1(root, first, last, ...)                                     \
	do {                                                               \
		static const struct span w_[] = { __VA_ARGS__ };           \
		check_single(root, first, last, w_,                        \
			     (int)(sizeof(w_) / sizeof(w_[0])));           \
	} while (0)

#define CHECK2(r1, r2, first, last, ...)                                   \
	do {                                                               \
		static const struct span w_[] = { __VA_ARGS__ };           \
		check_double(r1, r2, first, last, w_,                      \
			     (int)(sizeof(w_) / sizeof(w_[0])));           \
	} while (0)

/* --- fixed cases ---------------------------------------------------------- */

static void test_single_empty_tree(void **state)
{
	struct tree t;
	struct span got[4];

	(void)state;
	tree_init(&t);
	CHECK1(&t.root, 0, U64_MAX, { 0, 0, U64_MAX });
	CHECK1(&t.root, U64_MAX, U64_MAX, { 0, U64_MAX, U64_MAX });
	CHECK1(&t.root, 0, 0, { 0, 0, 0 });
	CHECK1(&t.root, 17, 99, { 0, 17, 99 });
	/* first > last: nothing at all */
	assert_int_equal(run_single(&t.root, 5, 4, got, 4), 0);
	assert_int_equal(run_single(&t.root, U64_MAX, 0, got, 4), 0);
}

static void test_single_extremes(void **state)
{
	struct tree t;

	(void)state;
	tree_init(&t);
	tree_add(&t, 0, U64_MAX);
	CHECK1(&t.root, 0, U64_MAX, { 1, 0, U64_MAX });
	CHECK1(&t.root, U64_MAX, U64_MAX, { 1, U64_MAX, U64_MAX });
	CHECK1(&t.root, 3, 7, { 1, 3, 7 });

	tree_init(&t);
	tree_add(&t, U64_MAX, U64_MAX);
	CHECK1(&t.root, 0, U64_MAX, { 0, 0, U64_MAX - 1 },
	       { 1, U64_MAX, U64_MAX });
	CHECK1(&t.root, 0, U64_MAX - 1, { 0, 0, U64_MAX - 1 });
	CHECK1(&t.root, U64_MAX, U64_MAX, { 1, U64_MAX, U64_MAX });

	tree_init(&t);
	tree_add(&t, 0, 0);
	CHECK1(&t.root, 0, U64_MAX, { 1, 0, 0 }, { 0, 1, U64_MAX });
	CHECK1(&t.root, 1, U64_MAX, { 0, 1, U64_MAX });

	/* both ends used, a hole of one in the middle... */
	tree_init(&t);
	tree_add(&t, U64_MAX - 5, U64_MAX);
	tree_add(&t, 0, U64_MAX - 7);
	CHECK1(&t.root, 0, U64_MAX, { 1, 0, U64_MAX - 7 },
	       { 0, U64_MAX - 6, U64_MAX - 6 }, { 1, U64_MAX - 5, U64_MAX });
	/* ...and a node that closes it merges everything */
	tree_add(&t, U64_MAX - 6, U64_MAX - 6);
	CHECK1(&t.root, 0, U64_MAX, { 1, 0, U64_MAX });
}

static void test_single_merge(void **state)
{
	struct tree t;

	(void)state;
	tree_init(&t);
	tree_add(&t, 10, 20);
	tree_add(&t, 21, 30);  /* adjacent: merges */
	tree_add(&t, 12, 14);  /* contained */
	tree_add(&t, 40, 50);
	tree_add(&t, 40, 50);  /* duplicate */
	tree_add(&t, 45, 60);  /* overlapping */
	tree_add(&t, 62, 62);  /* one-index hole before it */
	tree_add(&t, 5, 100);  /* covers all, removed again below */
	itree_remove(&t.root, &t.nodes[7]);

	CHECK1(&t.root, 0, 200, { 0, 0, 9 }, { 1, 10, 30 }, { 0, 31, 39 },
	       { 1, 40, 60 }, { 0, 61, 61 }, { 1, 62, 62 }, { 0, 63, 200 });
	/* clipped at both ends, starting inside a used and a hole span */
	CHECK1(&t.root, 15, 45, { 1, 15, 30 }, { 0, 31, 39 }, { 1, 40, 45 });
	CHECK1(&t.root, 33, 61, { 0, 33, 39 }, { 1, 40, 60 }, { 0, 61, 61 });
	CHECK1(&t.root, 61, 61, { 0, 61, 61 });
	CHECK1(&t.root, 62, 62, { 1, 62, 62 });
	CHECK1(&t.root, 30, 31, { 1, 30, 30 }, { 0, 31, 31 });
}

static void test_double_fixed(void **state)
{
	struct tree a, b;

	(void)state;
	tree_init(&a);
	tree_init(&b);
	CHECK2(&a.root, &b.root, 0, U64_MAX, { 0, 0, U64_MAX });

	/* tree 1 wins where both cover */
	tree_add(&b, 0, U64_MAX);
	CHECK2(&a.root, &b.root, 0, U64_MAX, { 2, 0, U64_MAX });
	tree_add(&a, U64_MAX, U64_MAX);
	CHECK2(&a.root, &b.root, 0, U64_MAX, { 2, 0, U64_MAX - 1 },
	       { 1, U64_MAX, U64_MAX });
	tree_add(&a, 0, 0);
	tree_add(&a, 10, 19);
	CHECK2(&a.root, &b.root, 0, U64_MAX, { 1, 0, 0 }, { 2, 1, 9 },
	       { 1, 10, 19 }, { 2, 20, U64_MAX - 1 },
	       { 1, U64_MAX, U64_MAX });

	/* a tree 1 span is reported whole even across tree 2 changes */
	tree_init(&a);
	tree_init(&b);
	tree_add(&a, 10, 100);
	tree_add(&b, 0, 20);
	tree_add(&b, 30, 40);
	tree_add(&b, 90, 120);
	tree_add(&b, 122, U64_MAX);
	CHECK2(&a.root, &b.root, 0, U64_MAX, { 2, 0, 9 }, { 1, 10, 100 },
	       { 2, 101, 120 }, { 0, 121, 121 }, { 2, 122, U64_MAX });
	CHECK2(&a.root, &b.root, 50, 121, { 1, 50, 100 }, { 2, 101, 120 },
	       { 0, 121, 121 });
	/* and in the swapped roles */
	CHECK2(&b.root, &a.root, 0, U64_MAX, { 1, 0, 20 }, { 2, 21, 29 },
	       { 1, 30, 40 }, { 2, 41, 89 }, { 1, 90, 120 }, { 0, 121, 121 },
	       { 1, 122, U64_MAX });
	CHECK2(&b.root, &a.root, U64_MAX, U64_MAX, { 1, U64_MAX, U64_MAX });

	/* the same tree twice: class 2 never appears */
	CHECK2(&b.root, &b.root, 0, U64_MAX, { 1, 0, 20 }, { 0, 21, 29 },
	       { 1, 30, 40 }, { 0, 41, 89 }, { 1, 90, 120 }, { 0, 121, 121 },
	       { 1, 122, U64_MAX });
}

/* --- randomized against the oracle ---------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

static const uint64_t bases[] = { 0, 1ULL << 40, U64_MAX - (UNIVERSE - 1) };

/*
 * A random tree of up to MAX_NODES nodes over [base, base + UNIVERSE - 1];
 * some nodes reach beyond it, down to 0 or up to UINT64_MAX. @cov gets the
 * coverage of each universe index.
 */
static void random_tree(struct tree *t, uint64_t base, bool *cov)
{
	int n = (int)rnd_below(MAX_NODES + 1), i;
	uint64_t s, l, p;

	tree_init(t);
	memset(cov, 0, UNIVERSE * sizeof(*cov));
	for (i = 0; i < n; i++) {
		s = rnd_below(UNIVERSE);
		l = s + rnd_below(rnd_below(4) ? 12 : 80);
		if (l >= UNIVERSE)
			l = UNIVERSE - 1;
		for (p = s; p <= l; p++)
			cov[p] = true;
		s += base;
		l += base;
		if (rnd_below(16) == 0 && s == base)
			s = rnd_below(2) ? 0 : base / 2;
		if (rnd_below(16) == 0 && l == base + UNIVERSE - 1)
			l = rnd_below(2) ? U64_MAX : l + (U64_MAX - l) / 2;
		tree_add(t, s, l);
	}
}

/* run-length encode cls[a..b] (universe offsets) into absolute spans */
static int oracle_runs(const int *cls, uint64_t base, uint64_t a, uint64_t b,
		       struct span *out)
{
	uint64_t p;
	int k = 0;

	for (p = a; p <= b; p++) {
		if (k && out[k - 1].cls == cls[p]) {
			out[k - 1].last = base + p;
			continue;
		}
		out[k].cls = cls[p];
		out[k].start = base + p;
		out[k].last = base + p;
		k++;
	}
	return k;
}

static void rnd_range(uint64_t *a, uint64_t *b)
{
	switch (rnd_below(8)) {
	case 0:
		*a = 0;
		*b = UNIVERSE - 1;
		break;
	case 1:
		*a = rnd_below(UNIVERSE);
		*b = UNIVERSE - 1;
		break;
	default:
		*a = rnd_below(UNIVERSE);
		*b = *a + rnd_below(UNIVERSE - *a);
		break;
	}
}

static void test_single_random(void **state)
{
	struct tree t;
	bool cov[UNIVERSE];
	int cls[UNIVERSE];
	struct span got[MAX_SPANS], want[MAX_SPANS];
	unsigned int bi, trial, i;
	uint64_t a, b, base;
	int nhole = 0, nused = 0, k;

	(void)state;
	rng_state = 0x0123456789abcdefULL;
	for (bi = 0; bi < sizeof(bases) / sizeof(bases[0]); bi++) {
		base = bases[bi];
		for (trial = 0; trial < 4000; trial++) {
			random_tree(&t, base, cov);
			for (i = 0; i < UNIVERSE; i++)
				cls[i] = cov[i];
			rnd_range(&a, &b);
			k = oracle_runs(cls, base, a, b, want);
			expect_spans(got,
				     run_single(&t.root, base + a, base + b,
						got, MAX_SPANS),
				     want, k);
			for (i = 0; i < (unsigned int)k; i++) {
				if (want[i].cls)
					nused++;
				else
					nhole++;
			}
		}
	}
	assert_true(nused > 10000 && nhole > 10000);
}

/* span_iter_advance() to random later indexes matches the oracle */
static void test_single_advance_random(void **state)
{
	struct tree t;
	bool cov[UNIVERSE];
	int cls[UNIVERSE];
	struct span want[MAX_SPANS];
	struct span_iter it;
	unsigned int bi, trial;
	uint64_t a, b, base, p, s, l;
	int k, j, nseek = 0;

	(void)state;
	rng_state = 0xfeedfacecafebeefULL;
	for (bi = 0; bi < sizeof(bases) / sizeof(bases[0]); bi++) {
		base = bases[bi];
		for (trial = 0; trial < 3000; trial++) {
			random_tree(&t, base, cov);
			for (p = 0; p < UNIVERSE; p++)
				cls[p] = cov[p];
			rnd_range(&a, &b);
			k = oracle_runs(cls, base, a, b, want);

			span_iter_first(&it, &t.root, base + a, base + b);
			p = a; /* current span starts at universe index p */
			for (;;) {
				/* the oracle span holding p, clipped to p */
				for (j = 0; j < k; j++)
					if (want[j].last >= base + p)
						break;
				assert_false(span_iter_done(&it));
				assert_int_equal(it.is_hole, !want[j].cls);
				s = it.is_hole ? it.start_hole : it.start_used;
				l = it.is_hole ? it.last_hole : it.last_used;
				assert_int_equal(s, base + p);
				assert_int_equal(l, want[j].last);
				if (p == b)
					break;
				if (rnd_below(2)) {
					p += 1 + rnd_below(b - p);
					if (base + p - 1 > l)
						nseek++;
					span_iter_advance(&it, base + p);
				} else {
					p = l - base + 1;
					if (l == base + b)
						break;
					span_iter_next(&it);
				}
			}
			span_iter_next(&it);
			assert_true(span_iter_done(&it));
		}
	}
	assert_true(nseek > 1000);
}

static void test_double_random(void **state)
{
	struct tree t1, t2;
	bool cov1[UNIVERSE], cov2[UNIVERSE];
	int cls[UNIVERSE];
	struct span got[MAX_SPANS], want[MAX_SPANS];
	unsigned int bi, trial, i;
	uint64_t a, b, base;
	int seen[3] = { 0, 0, 0 }, k;

	(void)state;
	rng_state = 0x5eed5eed5eed5eedULL;
	for (bi = 0; bi < sizeof(bases) / sizeof(bases[0]); bi++) {
		base = bases[bi];
		for (trial = 0; trial < 4000; trial++) {
			random_tree(&t1, base, cov1);
			random_tree(&t2, base, cov2);
			for (i = 0; i < UNIVERSE; i++)
				cls[i] = cov1[i] ? 1 : cov2[i] ? 2 : 0;
			rnd_range(&a, &b);
			k = oracle_runs(cls, base, a, b, want);
			expect_spans(got,
				     run_double(&t1.root, &t2.root, base + a,
						base + b, got, MAX_SPANS),
				     want, k);
			for (i = 0; i < (unsigned int)k; i++)
				seen[want[i].cls]++;
		}
	}
	assert_true(seen[0] > 5000 && seen[1] > 5000 && seen[2] > 5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_empty_tree),
		cmocka_unit_test(test_single_extremes),
		cmocka_unit_test(test_single_merge),
		cmocka_unit_test(test_double_fixed),
		cmocka_unit_test(test_single_random),
		cmocka_unit_test(test_single_advance_random),
		cmocka_unit_test(test_double_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
