/* SPDX-License-Identifier: MIT */
/*
 * Span iterators; see span_iter.h for the contract.
 *
 * A span_iter keeps a cursor, node: the first node in start order that
 * overlaps [qstart, last_index] and is not yet folded into a span. At a
 * position pos every node before the cursor ends before pos, so pos is in a
 * hole exactly when the cursor starts after pos (or there is none); otherwise
 * the used span runs on while the next node starts at or before end + 1.
 * Merging stops as soon as the span reaches last_index, which is also what
 * keeps end + 1 from wrapping at UINT64_MAX.
 *
 * Moving a walk somewhere else (span_iter_advance() past the next span)
 * re-seeds the cursor with an O(log n) query from the new position.
 *
 * A double_span_iter runs one span_iter per tree, both always positioned at
 * the same index, and combines their current spans: tree 1 used wins whole;
 * tree 2 used lasts until tree 1's hole ends; a hole lasts until either
 * tree's hole ends. Then both advance to one past the combined span's end.
 */
#include "util/span_iter.h"

static inline uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t span_last(const struct span_iter *it)
{
	return it->is_hole ? it->last_hole : it->last_used;
}

/* classify the span starting at @pos, it->node being the cursor for @pos */
static void span_from(struct span_iter *it, uint64_t pos)
{
	struct itree_node *n = it->node;
	uint64_t end;

	if (!n || n->start > pos) {
		/* n overlaps the range, so pos < n->start <= last_index */
		it->is_hole = true;
		it->start_hole = pos;
		it->last_hole = n ? n->start - 1 : it->last_index;
		return;
	}

	end = n->last;
	for (;;) {
		if (end >= it->last_index) {
			end = it->last_index;
			n = NULL; /* this is the final span */
			break;
		}
		n = itree_iter_next(n, it->qstart, it->last_index);
		if (!n || n->start > end + 1)
			break;
		if (n->last > end)
			end = n->last;
	}
	it->node = n;
	it->is_hole = false;
	it->start_used = pos;
	it->last_used = end;
}

/* restart the walk at @pos with a fresh cursor */
static void span_seek(struct span_iter *it, uint64_t pos)
{
	it->qstart = pos;
	it->node = itree_iter_first(it->root, pos, it->last_index);
	span_from(it, pos);
}

void span_iter_first(struct span_iter *it, struct itree_root *root,
		     uint64_t first, uint64_t last)
{
	it->root = root;
	it->last_index = last;
	it->node = NULL;
	it->is_hole = true;
	it->start_hole = it->start_used = first;
	it->last_hole = it->last_used = last;
	it->done = first > last;
	if (!it->done)
		span_seek(it, first);
}

void span_iter_next(struct span_iter *it)
{
	uint64_t last;

	if (it->done)
		return;
	last = span_last(it);
	if (last >= it->last_index) {
		it->done = true;
		return;
	}
	span_from(it, last + 1);
}

void span_iter_advance(struct span_iter *it, uint64_t index)
{
	uint64_t last;

	if (it->done)
		return;
	if (index > it->last_index) {
		it->done = true;
		return;
	}
	last = span_last(it);
	if (index <= last) {
		if (it->is_hole)
			it->start_hole = index;
		else
			it->start_used = index;
	} else if (index - 1 == last) {
		span_from(it, index);
	} else {
		span_seek(it, index);
	}
}

static void double_span_update(struct double_span_iter *it)
{
	const struct span_iter *s1 = &it->spans[0];
	const struct span_iter *s2 = &it->spans[1];

	if (!s1->is_hole) {
		it->is_used = 1;
		it->start_used = s1->start_used;
		it->last_used = s1->last_used;
	} else if (!s2->is_hole) {
		it->is_used = 2;
		it->start_used = s2->start_used;
		it->last_used = min_u64(s2->last_used, s1->last_hole);
	} else {
		it->is_used = 0;
		it->start_hole = s1->start_hole;
		it->last_hole = min_u64(s1->last_hole, s2->last_hole);
	}
}

void double_span_iter_first(struct double_span_iter *it, struct itree_root *r1,
			    struct itree_root *r2, uint64_t first,
			    uint64_t last)
{
	span_iter_first(&it->spans[0], r1, first, last);
	span_iter_first(&it->spans[1], r2, first, last);
	it->is_used = 0;
	it->start_hole = it->start_used = first;
	it->last_hole = it->last_used = last;
	it->done = first > last;
	if (!it->done)
		double_span_update(it);
}

void double_span_iter_next(struct double_span_iter *it)
{
	uint64_t last;

	if (it->done)
		return;
	last = it->is_used ? it->last_used : it->last_hole;
	if (last >= it->spans[0].last_index) {
		it->done = true;
		return;
	}
	span_iter_advance(&it->spans[0], last + 1);
	span_iter_advance(&it->spans[1], last + 1);
	double_span_update(it);
}
