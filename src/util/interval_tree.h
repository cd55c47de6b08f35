/* SPDX-License-Identifier: MIT */
/*
 * Interval tree: a red-black tree of closed intervals [start, last] ordered by
 * start, each node augmented with subtree_last, the largest `last` in the
 * subtree it roots. The augmentation lets an overlap query skip any subtree
 * whose subtree_last is below the query's start, so finding the first of k
 * overlapping nodes costs O(log n) and walking all of them O(log n + k).
 *
 * Ownership: the tree owns no memory. A struct itree_node is embedded in the
 * caller's struct (reach it back with container_of()); the caller sets start
 * and last before itree_insert() and must not change them while the node is
 * in the tree. Equal starts, duplicates and overlaps are all allowed; nodes
 * with equal starts keep their insertion order.
 *
 * Invariants (checked by the unit tests after every operation): in-order is
 * non-decreasing in start; no red node has a red child; every root-to-NULL
 * path has the same number of black nodes; the root is black; every node's
 * subtree_last is max(last, left->subtree_last, right->subtree_last).
 *
 * Vocabulary: `last` is inclusive, so [0, UINT64_MAX] is a valid node and no
 * code here computes last + 1. A node overlaps [start, last] when
 * node->start <= last && node->last >= start.
 *
 * Not locked; iterators are invalidated by any insert or remove.
 */
#ifndef UIOMMUFD_UTIL_INTERVAL_TREE_H
#define UIOMMUFD_UTIL_INTERVAL_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/container_of.h"

struct itree_node {
	/* private to interval_tree.c */
	struct itree_node *rb_parent;
	struct itree_node *rb_left;
	struct itree_node *rb_right;
	bool rb_red;
	/* set by the caller before insertion */
	uint64_t start;
	uint64_t last; /* inclusive */
	/* maintained by the tree: max last in this subtree */
	uint64_t subtree_last;
};

struct itree_root {
	struct itree_node *root;
};

#define ITREE_ROOT_INIT { NULL }

/* link @node ([node->start, node->last] set by the caller) into @root */
void itree_insert(struct itree_root *root, struct itree_node *node);

/* unlink @node, which must be in @root */
void itree_remove(struct itree_root *root, struct itree_node *node);

/* the lowest-start node overlapping [start, last], or NULL (also if start > last) */
struct itree_node *itree_iter_first(struct itree_root *root, uint64_t start,
				    uint64_t last);

/* the node after @node in start order overlapping [start, last], or NULL */
struct itree_node *itree_iter_next(struct itree_node *node, uint64_t start,
				   uint64_t last);

/* in-order (start order) walk of every node */
struct itree_node *itree_first(struct itree_root *root);
struct itree_node *itree_next(struct itree_node *node);

static inline bool itree_empty(const struct itree_root *root)
{
	return !root->root;
}

#define itree_for_each(node, root) \
	for (node = itree_first(root); node; node = itree_next(node))

#define itree_for_each_overlap(node, root, start, last)           \
	for (node = itree_iter_first(root, start, last); node; \
	     node = itree_iter_next(node, start, last))

#endif
