/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the interval tree: insert, remove, in-order and overlap
 * iteration with overlapping and duplicate intervals, the bounds 0 and
 * UINT64_MAX, and a randomized run against a brute-force array oracle that
 * checks the red-black and augmentation invariants after every operation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/interval_tree.h"

struct tnode {
	struct itree_node node;
	uint64_t seq; /* insertion order, for equal starts */
	bool in;
};

static struct tnode *to_t(struct itree_node *n)
{
	return container_of(n, struct tnode, node);
}

static void set(struct tnode *t, uint64_t start, uint64_t last)
{
	t->node.start = start;
	t->node.last = last;
}

/* ---- a small deterministic PRNG (splitmix64) ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

/* ---- invariant checker ---- */

struct check_state {
	size_t count;
	bool have_prev;
	uint64_t prev_start;
};

/* returns the black height of @n's subtree (NULL leaves count as 1) */
static unsigned int check_subtree(struct itree_node *n,
				  struct itree_node *parent,
				  struct check_state *st)
{
	unsigned int lh, rh;
	uint64_t sl;

	if (!n)
		return 1;
	assert_ptr_equal(n->rb_parent, parent);
	if (n->rb_red) {
		assert_false(n->rb_left && n->rb_left->rb_red);
		assert_false(n->rb_right && n->rb_right->rb_red);
	}
	assert_true(n->start <= n->last);

	lh = check_subtree(n->rb_left, n, st);

	/* in-order visit: starts are non-decreasing */
	if (st->have_prev)
		assert_true(st->prev_start <= n->start);
	st->have_prev = true;
	st->prev_start = n->start;
	st->count++;

	rh = check_subtree(n->rb_right, n, st);
	assert_int_equal(lh, rh);

	sl = n->last;
	if (n->rb_left && n->rb_left->subtree_last > sl)
		sl = n->rb_left->subtree_last;
	if (n->rb_right && n->rb_right->subtree_last > sl)
		sl = n->rb_right->subtree_last;
	assert_true(n->subtree_last == sl);

	return lh + (n->rb_red ? 0 : 1);
}

/* check every invariant; returns the number of nodes */
static size_t check_tree(struct itree_root *root)
{
	struct check_state st = { 0 };

	if (root->root) {
		assert_false(root->root->rb_red);
		assert_null(root->root->rb_parent);
	}
	check_subtree(root->root, NULL, &st);
	assert_int_equal(itree_empty(root), st.count == 0);
	return st.count;
}

static unsigned int height(struct itree_node *n)
{
	unsigned int l, r;

	if (!n)
		return 0;
	l = height(n->rb_left);
	r = height(n->rb_right);
	return 1 + (l > r ? l : r);
}

/* ---- deterministic cases ---- */

static void test_empty(void **state)
{
	struct itree_root root = ITREE_ROOT_INIT;
	struct itree_node *n;
	int count = 0;

	assert_true(itree_empty(&root));
	assert_null(itree_first(&root));
	assert_null(itree_iter_first(&root, 0, UINT64_MAX));
	assert_null(itree_iter_first(&root, 0, 0));
	assert_null(itree_iter_first(&root, UINT64_MAX, UINT64_MAX));
	itree_for_each(n, &root)
		count++;
	itree_for_each_overlap(n, &root, 0, UINT64_MAX)
		count++;
	assert_int_equal(count, 0);
	assert_int_equal(check_tree(&root), 0);
}

static void test_single_insert_remove(void **state)
{
	struct itree_root root = ITREE_ROOT_INIT;
	struct tnode a;

	set(&a, 10, 20);
	itree_insert(&root, &a.node);
	assert_false(itree_empty(&root));
	assert_int_equal(check_tree(&root), 1);
	assert_ptr_equal(itree_first(&root), &a.node);
	assert_null(itree_next(&a.node));

	/* overlap is inclusive at both ends */
	assert_ptr_equal(itree_iter_first(&root, 20, 30), &a.node);
	assert_ptr_equal(itree_iter_first(&root, 0, 10), &a.node);
	assert_ptr_equal(itree_iter_first(&root, 15, 15), &a.node);
	assert_ptr_equal(itree_iter_first(&root, 0, UINT64_MAX), &a.node);
	assert_null(itree_iter_first(&root, 21, 30));
	assert_null(itree_iter_first(&root, 0, 9));
	assert_null(itree_iter_next(&a.node, 0, UINT64_MAX));
	/* an empty query (start > last) finds nothing */
	assert_null(itree_iter_first(&root, 15, 14));
	assert_null(itree_iter_first(&root, 20, 10));

	itree_remove(&root, &a.node);
	assert_true(itree_empty(&root));
	assert_int_equal(check_tree(&root), 0);
	assert_null(itree_iter_first(&root, 0, UINT64_MAX));
}

static void test_overlaps_and_duplicates(void **state)
{
	struct itree_root root = ITREE_ROOT_INIT;
	struct tnode t[8];
	struct itree_node *n;
	/* index order below is the expected in-order (start, then insertion) */
	static const uint64_t iv[8][2] = {
		{ 0, 9 },   { 5, 100 }, { 10, 20 }, { 10, 20 },
		{ 10, 20 }, { 10, 12 }, { 15, 15 }, { 21, 30 },
	};
	static const int ins_order[8] = { 2, 7, 0, 3, 6, 1, 4, 5 };
	int i, k;

	for (i = 0; i < 8; i++)
		set(&t[i], iv[i][0], iv[i][1]);
	/* equal starts are inserted in index order (2, 3, 4, 5) */
	for (i = 0; i < 8; i++) {
		itree_insert(&root, &t[ins_order[i]].node);
		check_tree(&root);
	}
	assert_int_equal(check_tree(&root), 8);

	/* in-order: by start, equal starts in insertion order */
	i = 0;
	itree_for_each(n, &root)
		assert_ptr_equal(n, &t[i++].node);
	assert_int_equal(i, 8);

	/* [13, 14]: 5..100 and the three 10..20 duplicates */
	{
		static const int want[] = { 1, 2, 3, 4 };

		k = 0;
		itree_for_each_overlap(n, &root, 13, 14) {
			assert_true(k < 4);
			assert_ptr_equal(n, &t[want[k++]].node);
		}
		assert_int_equal(k, 4);
	}
	/* [15, 15]: adds the point node */
	{
		static const int want[] = { 1, 2, 3, 4, 6 };

		k = 0;
		itree_for_each_overlap(n, &root, 15, 15) {
			assert_true(k < 5);
			assert_ptr_equal(n, &t[want[k++]].node);
		}
		assert_int_equal(k, 5);
	}
	/* [20, 21]: the duplicates touch at 20, 21..30 at 21 */
	{
		static const int want[] = { 1, 2, 3, 4, 7 };

		k = 0;
		itree_for_each_overlap(n, &root, 20, 21) {
			assert_true(k < 5);
			assert_ptr_equal(n, &t[want[k++]].node);
		}
		assert_int_equal(k, 5);
	}
	/* [31, 100]: only the long node */
	assert_ptr_equal(itree_iter_first(&root, 31, 100), &t[1].node);
	assert_null(itree_iter_next(&t[1].node, 31, 100));
	assert_null(itree_iter_first(&root, 101, UINT64_MAX));

	/* remove one duplicate: the other two stay, in order */
	itree_remove(&root, &t[3].node);
	assert_int_equal(check_tree(&root), 7);
	assert_ptr_equal(itree_iter_first(&root, 11, 11), &t[1].node);
	assert_ptr_equal(itree_iter_next(&t[1].node, 11, 11), &t[2].node);
	assert_ptr_equal(itree_iter_next(&t[2].node, 11, 11), &t[4].node);
	assert_ptr_equal(itree_iter_next(&t[4].node, 11, 11), &t[5].node);
	assert_null(itree_iter_next(&t[5].node, 11, 11));

	/* remove the long node: subtree_last must drop */
	itree_remove(&root, &t[1].node);
	assert_int_equal(check_tree(&root), 6);
	assert_null(itree_iter_first(&root, 31, 100));
	assert_ptr_equal(itree_iter_first(&root, 30, 100), &t[7].node);

	for (i = 0; i < 8; i++) {
		if (i == 1 || i == 3)
			continue;
		itree_remove(&root, &t[i].node);
		check_tree(&root);
	}
	assert_true(itree_empty(&root));
}

static void test_bounds_zero_and_max(void **state)
{
	struct itree_root root = ITREE_ROOT_INIT;
	struct tnode all, lo, hi, top, mid;
	struct itree_node *n;
	int k;

	set(&all, 0, UINT64_MAX);
	set(&lo, 0, 0);
	set(&hi, UINT64_MAX, UINT64_MAX);
	set(&top, UINT64_MAX - 1, UINT64_MAX);
	set(&mid, 1ULL << 63, UINT64_MAX - 2);
	itree_insert(&root, &hi.node);
	itree_insert(&root, &lo.node);
	itree_insert(&root, &top.node);
	itree_insert(&root, &all.node);
	itree_insert(&root, &mid.node);
	assert_int_equal(check_tree(&root), 5);
	assert_true(root.root->subtree_last == UINT64_MAX);

	/* in-order: lo and all share start 0, lo inserted first */
	n = itree_first(&root);
	assert_ptr_equal(n, &lo.node);
	n = itree_next(n);
	assert_ptr_equal(n, &all.node);
	n = itree_next(n);
	assert_ptr_equal(n, &mid.node);
	n = itree_next(n);
	assert_ptr_equal(n, &top.node);
	n = itree_next(n);
	assert_ptr_equal(n, &hi.node);
	assert_null(itree_next(n));

	/* [UINT64_MAX, UINT64_MAX] */
	n = itree_iter_first(&root, UINT64_MAX, UINT64_MAX);
	assert_ptr_equal(n, &all.node);
	n = itree_iter_next(n, UINT64_MAX, UINT64_MAX);
	assert_ptr_equal(n, &top.node);
	n = itree_iter_next(n, UINT64_MAX, UINT64_MAX);
	assert_ptr_equal(n, &hi.node);
	assert_null(itree_iter_next(n, UINT64_MAX, UINT64_MAX));

	/* [0, 0] */
	n = itree_iter_first(&root, 0, 0);
	assert_ptr_equal(n, &lo.node);
	n = itree_iter_next(n, 0, 0);
	assert_ptr_equal(n, &all.node);
	assert_null(itree_iter_next(n, 0, 0));

	/* [UINT64_MAX - 2, UINT64_MAX - 1] */
	n = itree_iter_first(&root, UINT64_MAX - 2, UINT64_MAX - 1);
	assert_ptr_equal(n, &all.node);
	n = itree_iter_next(n, UINT64_MAX - 2, UINT64_MAX - 1);
	assert_ptr_equal(n, &mid.node);
	n = itree_iter_next(n, UINT64_MAX - 2, UINT64_MAX - 1);
	assert_ptr_equal(n, &top.node);
	assert_null(itree_iter_next(n, UINT64_MAX - 2, UINT64_MAX - 1));

	/* the whole space finds all five */
	k = 0;
	itree_for_each_overlap(n, &root, 0, UINT64_MAX)
		k++;
	assert_int_equal(k, 5);

	itree_remove(&root, &all.node);
	assert_int_equal(check_tree(&root), 4);
	assert_null(itree_iter_first(&root, 1, (1ULL << 63) - 1));
	assert_ptr_equal(itree_iter_first(&root, 1, 1ULL << 63), &mid.node);
	itree_remove(&root, &hi.node);
	itree_remove(&root, &top.node);
	assert_int_equal(check_tree(&root), 2);
	assert_true(root.root->subtree_last == UINT64_MAX - 2);
	assert_null(itree_iter_first(&root, UINT64_MAX - 1, UINT64_MAX));
	itree_remove(&root, &lo.node);
	itree_remove(&root, &mid.node);
	assert_true(itree_empty(&root));
}

/* sorted inserts and removals stay balanced: height <= 2 log2(n + 1) */
static void test_sequential_balance(void **state)
{
	enum { N = 4095 };
	struct itree_root root = ITREE_ROOT_INIT;
	static struct tnode t[N];
	struct itree_node *n;
	uint64_t i;

	for (i = 0; i < N; i++) {
		set(&t[i], i * 10, i * 10 + 5);
		itree_insert(&root, &t[i].node);
	}
	assert_int_equal(check_tree(&root), N);
	assert_true(height(root.root) <= 2 * 12);
	i = 0;
	itree_for_each(n, &root)
		assert_ptr_equal(n, &t[i++].node);
	assert_int_equal(i, N);
	/* every query of a gap misses, every query of a node hits only it */
	for (i = 0; i < N; i++) {
		assert_null(itree_iter_first(&root, i * 10 + 6, i * 10 + 9));
		n = itree_iter_first(&root, i * 10 + 5, i * 10 + 9);
		assert_ptr_equal(n, &t[i].node);
		assert_null(itree_iter_next(n, i * 10 + 5, i * 10 + 9));
	}
	/* remove from the top down */
	for (i = N; i-- > N / 2;)
		itree_remove(&root, &t[i].node);
	assert_int_equal(check_tree(&root), N / 2);
	assert_true(height(root.root) <= 2 * 12);
	assert_true(root.root->subtree_last == (N / 2 - 1) * 10 + 5);
	for (i = 0; i < N / 2; i++)
		itree_remove(&root, &t[i].node);
	assert_true(itree_empty(&root));
}

/* ---- randomized run against an array oracle ---- */

enum { POOL = 400, OPS = 20000 };

static struct tnode pool[POOL];
static uint64_t next_seq;

static uint64_t pick_point(int mode)
{
	switch (mode) {
	case 0: /* a small universe, lots of overlap and duplicates */
		return rnd_below(200);
	case 1: /* near the top */
		return UINT64_MAX - rnd_below(200);
	default: /* anywhere, plus the extremes */
		switch (rnd_below(8)) {
		case 0:
			return 0;
		case 1:
			return UINT64_MAX;
		case 2:
			return rnd_below(200);
		case 3:
			return UINT64_MAX - rnd_below(200);
		default:
			return rnd();
		}
	}
}

static void pick_interval(int mode, uint64_t *start, uint64_t *last)
{
	uint64_t a = pick_point(mode), b;

	if (mode != 2 && rnd_below(4) == 0)
		b = a; /* a point */
	else if (mode != 2 && rnd_below(2))
		b = mode == 1 ? a - rnd_below(20) : a + rnd_below(20);
	else
		b = pick_point(mode);
	if (a > b) {
		uint64_t t = a;

		a = b;
		b = t;
	}
	*start = a;
	*last = b;
}

static int cmp_tnode(const void *pa, const void *pb)
{
	const struct tnode *a = *(struct tnode *const *)pa;
	const struct tnode *b = *(struct tnode *const *)pb;

	if (a->node.start != b->node.start)
		return a->node.start < b->node.start ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return 0;
}

/* the oracle: every node in the tree overlapping [start, last], sorted */
static size_t oracle_query(uint64_t start, uint64_t last, struct tnode **out)
{
	size_t n = 0;
	int i;

	if (start > last)
		return 0;
	for (i = 0; i < POOL; i++)
		if (pool[i].in && pool[i].node.start <= last &&
		    pool[i].node.last >= start)
			out[n++] = &pool[i];
	qsort(out, n, sizeof(*out), cmp_tnode);
	return n;
}

static void check_query(struct itree_root *root, uint64_t start, uint64_t last)
{
	static struct tnode *want[POOL];
	struct itree_node *n;
	size_t nwant, k = 0;

	nwant = oracle_query(start, last, want);
	itree_for_each_overlap(n, root, start, last) {
		assert_true(k < nwant);
		assert_ptr_equal(to_t(n), want[k]);
		k++;
	}
	assert_int_equal(k, nwant);
}

static void check_inorder(struct itree_root *root, size_t count)
{
	static struct tnode *want[POOL];
	struct itree_node *n;
	size_t nwant, k = 0;

	nwant = oracle_query(0, UINT64_MAX, want);
	assert_int_equal(nwant, count);
	itree_for_each(n, root) {
		assert_true(k < nwant);
		assert_ptr_equal(to_t(n), want[k]);
		k++;
	}
	assert_int_equal(k, nwant);
}

static void random_run(int mode, uint64_t seed)
{
	struct itree_root root = ITREE_ROOT_INIT;
	size_t count = 0, inserts = 0, removes = 0, queries = 0;
	uint64_t s, l;
	int op, i, j;

	rng_state = seed;
	memset(pool, 0, sizeof(pool));
	for (op = 0; op < OPS; op++) {
		uint64_t r = rnd_below(100);

		/* drift the size up and down over the run */
		bool grow = (op / 2500) % 2 == 0;

		if (r < (grow ? 45u : 25u) && count < POOL) {
			do
				i = (int)rnd_below(POOL);
			while (pool[i].in);
			pick_interval(mode, &s, &l);
			set(&pool[i], s, l);
			pool[i].seq = next_seq++;
			pool[i].in = true;
			itree_insert(&root, &pool[i].node);
			count++;
			inserts++;
		} else if (r < 70 && count > 0) {
			j = (int)rnd_below(count);
			for (i = 0; i < POOL; i++)
				if (pool[i].in && j-- == 0)
					break;
			assert_true(i < POOL);
			itree_remove(&root, &pool[i].node);
			pool[i].in = false;
			count--;
			removes++;
		} else {
			if (rnd_below(20) == 0) {
				/* an empty query */
				s = pick_point(mode);
				if (s == 0)
					s = 1;
				l = s - 1;
			} else {
				pick_interval(mode, &s, &l);
			}
			check_query(&root, s, l);
			queries++;
		}
		assert_int_equal(check_tree(&root), count);
		if (op % 64 == 0)
			check_inorder(&root, count);
	}
	assert_true(inserts > 5000 && removes > 5000 && queries > 5000);

	/* some fixed queries at the edges, then empty the tree */
	check_query(&root, 0, 0);
	check_query(&root, 0, UINT64_MAX);
	check_query(&root, UINT64_MAX, UINT64_MAX);
	check_inorder(&root, count);
	while (count) {
		j = (int)rnd_below(count);
		for (i = 0; i < POOL; i++)
			if (pool[i].in && j-- == 0)
				break;
		itree_remove(&root, &pool[i].node);
		pool[i].in = false;
		count--;
		assert_int_equal(check_tree(&root), count);
	}
	assert_true(itree_empty(&root));
}

static void test_random_small_universe(void **state)
{
	random_run(0, 0x1234abcdULL);
}

static void test_random_top_of_space(void **state)
{
	random_run(1, 0xfeedf00dULL);
}

static void test_random_full_space(void **state)
{
	random_run(2, 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_single_insert_remove),
		cmocka_unit_test(test_overlaps_and_duplicates),
		cmocka_unit_test(test_bounds_zero_and_max),
		cmocka_unit_test(test_sequential_balance),
		cmocka_unit_test(test_random_small_universe),
		cmocka_unit_test(test_random_top_of_space),
		cmocka_unit_test(test_random_full_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
