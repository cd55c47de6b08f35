/* SPDX-License-Identifier: MIT */
/*
 * Interval tree; see interval_tree.h for the contract.
 *
 * The balancing is a classic red-black tree with parent pointers and NULL
 * leaves (NULL counts as black). The augmentation is kept exact at every
 * step, in three ways:
 *   - a rotation changes the subtree of exactly two nodes: the node that
 *     rises takes over the old top's subtree_last (same set of nodes) and
 *     the node that sinks recomputes its own from its new children;
 *   - insertion raises subtree_last along the search path on the way down
 *     (the new node is a descendant of every node on it), before any
 *     rotation;
 *   - removal recomputes from the lowest structurally changed node up to the
 *     root, before the colour fix-up, whose rotations then keep it exact.
 * So every rotation starts from a tree whose augmentation is correct.
 */
#include "util/interval_tree.h"

static inline uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static inline bool is_red(const struct itree_node *n)
{
	return n && n->rb_red;
}

/* subtree_last of @n from its own last and its children's subtree_last */
static uint64_t compute_subtree_last(const struct itree_node *n)
{
	uint64_t v = n->last;

	if (n->rb_left)
		v = max_u64(v, n->rb_left->subtree_last);
	if (n->rb_right)
		v = max_u64(v, n->rb_right->subtree_last);
	return v;
}

/* make @new take @old's place under @old's parent (or as the root) */
static void replace_child(struct itree_root *root, struct itree_node *old,
			  struct itree_node *new)
{
	struct itree_node *parent = old->rb_parent;

	if (!parent)
		root->root = new;
	else if (parent->rb_left == old)
		parent->rb_left = new;
	else
		parent->rb_right = new;
	if (new)
		new->rb_parent = parent;
}

/*
 *     x              y
 *    / \            / \
 *   a   y    ->    x   c
 *      / \        / \
 *     b   c      a   b
 */
static void rotate_left(struct itree_root *root, struct itree_node *x)
{
	struct itree_node *y = x->rb_right;

	x->rb_right = y->rb_left;
	if (y->rb_left)
		y->rb_left->rb_parent = x;
	replace_child(root, x, y);
	y->rb_left = x;
	x->rb_parent = y;

	y->subtree_last = x->subtree_last;
	x->subtree_last = compute_subtree_last(x);
}

/* the mirror image of rotate_left() */
static void rotate_right(struct itree_root *root, struct itree_node *x)
{
	struct itree_node *y = x->rb_left;

	x->rb_left = y->rb_right;
	if (y->rb_right)
		y->rb_right->rb_parent = x;
	replace_child(root, x, y);
	y->rb_right = x;
	x->rb_parent = y;

	y->subtree_last = x->subtree_last;
	x->subtree_last = compute_subtree_last(x);
}

/* restore the red rules after linking the red node @n */
static void insert_fixup(struct itree_root *root, struct itree_node *n)
{
	struct itree_node *parent, *grand, *uncle;

	while ((parent = n->rb_parent) && parent->rb_red) {
		/* a red parent is never the root, so grand exists */
		grand = parent->rb_parent;
		if (parent == grand->rb_left) {
			uncle = grand->rb_right;
			if (is_red(uncle)) {
				parent->rb_red = false;
				uncle->rb_red = false;
				grand->rb_red = true;
				n = grand;
				continue;
			}
			if (n == parent->rb_right) {
				rotate_left(root, parent);
				n = parent;
				parent = n->rb_parent;
			}
			parent->rb_red = false;
			grand->rb_red = true;
			rotate_right(root, grand);
		} else {
			uncle = grand->rb_left;
			if (is_red(uncle)) {
				parent->rb_red = false;
				uncle->rb_red = false;
				grand->rb_red = true;
				n = grand;
				continue;
			}
			if (n == parent->rb_left) {
				rotate_right(root, parent);
				n = parent;
				parent = n->rb_parent;
			}
			parent->rb_red = false;
			grand->rb_red = true;
			rotate_left(root, grand);
		}
		break;
	}
	root->root->rb_red = false;
}

void itree_insert(struct itree_root *root, struct itree_node *node)
{
	struct itree_node *parent = NULL;
	struct itree_node **link = &root->root;

	while (*link) {
		parent = *link;
		if (parent->subtree_last < node->last)
			parent->subtree_last = node->last;
		/* equal starts go right: they stay in insertion order */
		if (node->start < parent->start)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}

	node->rb_parent = parent;
	node->rb_left = NULL;
	node->rb_right = NULL;
	node->rb_red = true;
	node->subtree_last = node->last;
	*link = node;

	insert_fixup(root, node);
}

/*
 * Restore the black-height rule after a black node was unlinked: @n (possibly
 * NULL) sits where it was, under @parent, and is "doubly black".
 */
static void remove_fixup(struct itree_root *root, struct itree_node *n,
			 struct itree_node *parent)
{
	struct itree_node *sib;

	while (n != root->root && !is_red(n)) {
		/*
		 * n's side is one black short, so the other side has at least
		 * one black node: sib is never NULL.
		 */
		if (n == parent->rb_left) {
			sib = parent->rb_right;
			if (sib->rb_red) {
				sib->rb_red = false;
				parent->rb_red = true;
				rotate_left(root, parent);
				sib = parent->rb_right;
			}
			if (!is_red(sib->rb_left) && !is_red(sib->rb_right)) {
				sib->rb_red = true;
				n = parent;
				parent = n->rb_parent;
				continue;
			}
			if (!is_red(sib->rb_right)) {
				sib->rb_left->rb_red = false;
				sib->rb_red = true;
				rotate_right(root, sib);
				sib = parent->rb_right;
			}
			sib->rb_red = parent->rb_red;
			parent->rb_red = false;
			sib->rb_right->rb_red = false;
			rotate_left(root, parent);
		} else {
			sib = parent->rb_left;
			if (sib->rb_red) {
				sib->rb_red = false;
				parent->rb_red = true;
				rotate_right(root, parent);
				sib = parent->rb_left;
			}
			if (!is_red(sib->rb_left) && !is_red(sib->rb_right)) {
				sib->rb_red = true;
				n = parent;
				parent = n->rb_parent;
				continue;
			}
			if (!is_red(sib->rb_left)) {
				sib->rb_right->rb_red = false;
				sib->rb_red = true;
				rotate_left(root, sib);
				sib = parent->rb_left;
			}
			sib->rb_red = parent->rb_red;
			parent->rb_red = false;
			sib->rb_left->rb_red = false;
			rotate_right(root, parent);
		}
		n = root->root;
		break;
	}
	if (n)
		n->rb_red = false;
}

static struct itree_node *leftmost(struct itree_node *n)
{
	while (n->rb_left)
		n = n->rb_left;
	return n;
}

void itree_remove(struct itree_root *root, struct itree_node *node)
{
	struct itree_node *child, *parent, *succ, *p;
	bool removed_black;

	if (!node->rb_left || !node->rb_right) {
		/* at most one child: it takes node's place */
		child = node->rb_left ? node->rb_left : node->rb_right;
		parent = node->rb_parent;
		removed_black = !node->rb_red;
		replace_child(root, node, child);
	} else {
		/*
		 * Two children: the in-order successor (leftmost of the right
		 * subtree, which has no left child) leaves its own position,
		 * its right child taking it, and then takes node's place and
		 * colour. The colour lost is the successor's.
		 */
		succ = leftmost(node->rb_right);
		child = succ->rb_right;
		removed_black = !succ->rb_red;
		if (succ->rb_parent == node) {
			parent = succ;
		} else {
			parent = succ->rb_parent;
			replace_child(root, succ, child);
			succ->rb_right = node->rb_right;
			succ->rb_right->rb_parent = succ;
		}
		replace_child(root, node, succ);
		succ->rb_left = node->rb_left;
		succ->rb_left->rb_parent = succ;
		succ->rb_red = node->rb_red;
	}

	/*
	 * Everything whose subtree changed is on the path from parent to the
	 * root (in the two-child case that path runs through succ).
	 */
	for (p = parent; p; p = p->rb_parent)
		p->subtree_last = compute_subtree_last(p);

	if (removed_black)
		remove_fixup(root, child, parent);

	node->rb_parent = node->rb_left = node->rb_right = NULL;
}

struct itree_node *itree_first(struct itree_root *root)
{
	return root->root ? leftmost(root->root) : NULL;
}

struct itree_node *itree_next(struct itree_node *node)
{
	struct itree_node *parent;

	if (node->rb_right)
		return leftmost(node->rb_right);
	while ((parent = node->rb_parent) && node == parent->rb_right)
		node = parent;
	return parent;
}

/*
 * In the subtree of @node, which must hold some node with last >= start: find
 * the in-order first node with last >= start. Nodes before it end below start;
 * nodes after it start at or above its start. So it overlaps [start, last]
 * exactly when its start <= last, and if it does not, nothing from it on does:
 * return it or NULL.
 */
static struct itree_node *subtree_search(struct itree_node *node,
					 uint64_t start, uint64_t last)
{
	for (;;) {
		if (node->rb_left && node->rb_left->subtree_last >= start) {
			node = node->rb_left;
			continue;
		}
		if (node->start > last)
			return NULL;
		if (node->last >= start)
			return node;
		/* the guarantee says the right subtree has it */
		node = node->rb_right;
	}
}

struct itree_node *itree_iter_first(struct itree_root *root, uint64_t start,
				    uint64_t last)
{
	if (!root->root || start > last || root->root->subtree_last < start)
		return NULL;
	return subtree_search(root->root, start, last);
}

struct itree_node *itree_iter_next(struct itree_node *node, uint64_t start,
				   uint64_t last)
{
	struct itree_node *parent;

	if (start > last)
		return NULL;
	for (;;) {
		/*
		 * Everything after node in order is its right subtree, then
		 * the ancestors reached from a left child (each followed by
		 * its own right subtree).
		 */
		if (node->rb_right && node->rb_right->subtree_last >= start)
			return subtree_search(node->rb_right, start, last);

		while ((parent = node->rb_parent) && node == parent->rb_right)
			node = parent;
		if (!parent)
			return NULL;
		node = parent;
		if (node->start > last)
			return NULL;
		if (node->last >= start)
			return node;
	}
}
