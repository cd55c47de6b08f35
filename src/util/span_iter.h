/* SPDX-License-Identifier: MIT */
/*
 * Span iteration over interval trees: walk the indexes [first, last] (not the
 * nodes) and classify them into maximal spans.
 *
 * struct span_iter, over one tree, yields alternately "used" spans (every
 * index covered by at least one node; overlapping and adjacent nodes merge
 * into one span) and "hole" spans (no node touches any index), in increasing
 * order. Two used spans, or two holes, are never consecutive.
 *
 * struct double_span_iter, over two trees, classifies each index p as
 *   1  covered by tree 1,
 *   2  covered by tree 2 but not tree 1,
 *   0  covered by neither (a hole),
 * and yields the maximal runs of equal class. So a class 1 span is entirely
 * covered by tree 1, a class 2 span entirely by tree 2 and by no node of
 * tree 1 (tree 1 wins where both cover), and the same class never repeats on
 * two consecutive steps. This is the kernel iommufd double_span contract.
 *
 * Every span is clipped to [first, last]; an empty range (first > last)
 * yields nothing. Outputs: when is_hole (is_used == 0) read
 * start_hole..last_hole, else start_used..last_used; the other pair is stale.
 * Bounds are inclusive and reach UINT64_MAX: nothing computes last + 1 past
 * the end. The trees must not change during a walk.
 *
 *	struct span_iter it;
 *
 *	span_for_each(&it, root, first, last)
 *		if (it.is_hole)
 *			use(it.start_hole, it.last_hole);
 */
#ifndef UIOMMUFD_UTIL_SPAN_ITER_H
#define UIOMMUFD_UTIL_SPAN_ITER_H

#include <stdbool.h>
#include <stdint.h>

#include "util/interval_tree.h"

struct span_iter {
	/* outputs */
	uint64_t start_used, last_used;
	uint64_t start_hole, last_hole;
	bool is_hole;

	/* private */
	bool done;
	struct itree_root *root;
	struct itree_node *node; /* next node not yet folded into a span */
	uint64_t qstart;         /* node is from the query [qstart, last_index] */
	uint64_t last_index;
};

void span_iter_first(struct span_iter *it, struct itree_root *root,
		     uint64_t first, uint64_t last);
void span_iter_next(struct span_iter *it);

/*
 * Move the walk on to @index, which must lie after the current span's start
 * and within the range: the current span is clipped to start at @index if it
 * holds it, otherwise the walk resumes from the span holding @index.
 */
void span_iter_advance(struct span_iter *it, uint64_t index);

static inline bool span_iter_done(const struct span_iter *it)
{
	return it->done;
}

#define span_for_each(it, root, first, last)                \
	for (span_iter_first(it, root, first, last); \
	     !span_iter_done(it); span_iter_next(it))

struct double_span_iter {
	/* outputs */
	uint64_t start_used, last_used;
	uint64_t start_hole, last_hole;
	int is_used; /* 0 = hole, 1 = covered by tree 1, 2 = by tree 2 only */

	/* private */
	bool done;
	struct span_iter spans[2];
};

void double_span_iter_first(struct double_span_iter *it, struct itree_root *r1,
			    struct itree_root *r2, uint64_t first,
			    uint64_t last);
void double_span_iter_next(struct double_span_iter *it);

static inline bool double_span_iter_done(const struct double_span_iter *it)
{
	return it->done;
}

#define double_span_for_each(it, r1, r2, first, last)                \
	for (double_span_iter_first(it, r1, r2, first, last); \
	     !double_span_iter_done(it); double_span_iter_next(it))

#endif
