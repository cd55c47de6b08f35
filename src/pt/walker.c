/* SPDX-License-Identifier: MIT */
/*
 * walker: the one walker of every page-table format (see pt.h).
 *
 * The walker descends from the root by recursion, one call per table
 * visited, and handles the entries of one table in a loop. Its own table
 * pointers are recognized inline (pt.h: a pointer is the address plus
 * per-level bits, computed once per table); struct pt_format's functions
 * are called only to decode leaves and to encode the first leaf of a run:
 * the rest of a run is one add per entry (the linear OA contract). Level 0,
 * where every present entry is a leaf, has tight loops that call no format
 * code at all: unmap clears and counts entries, and the dirty harvest
 * (dirty.c) tests the format's dirty masks inline. The pieces these files
 * share (the table structure, entry access, decoding, the descent to a
 * leaf) are in walker.h; census.c counts for pt_stats().
 *
 * Invariants, under the writer lock:
 *  - *pt_pool_used(table) is the number of non-zero entries of the table.
 *  - No table but the root is empty: a table whose count drops to 0 is
 *    unlinked (its parent entry zeroed) and handed to the pool, which
 *    reuses it only after an RCU grace period. The pool relies on the count
 *    too: a page freed with a count of 0 has only zero entries and needs
 *    no zeroing before reuse.
 *  - nr_huge counts the leaves above level 0: without any, no unmap can cut
 *    a leaf and the end checks are skipped.
 *  - Entries change by single atomic stores (a table page is zeroed before
 *    the release store that links it), so a lock-free reader sees each
 *    entry either before or after a change.
 *
 * Map order and failure. pt_map() fills the range in increasing IOVA order;
 * when it fails at some IOVA, everything in [iova, failed_at) was created by
 * this call and is unmapped again, and tables it allocated that stayed empty
 * are freed on the way back up. Unmap checks the two ends of the range
 * first (a leaf crossing either end would be split: refuse), then clears
 * leaves; a table whose span is wholly inside the range is unlinked in one
 * store and its subtree freed, counting its bytes without touching its
 * entries (a level-0 table's count is its number of granule leaves).
 *
 * Sizes. Leaves are counted in granules (2^granule_lg2, 4 KiB but 2 KiB in
 * the mock), table pages in pool pages (2^pt_fmt_table_lg2, always 4 KiB);
 * the two are never mixed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <urcu/urcu-memb.h>

#include "pt/walker.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/overflow.h"

/* ---- allocation ---- */

struct pt_table *pt_alloc_flags(const struct pt_format *fmt,
				unsigned int levels, unsigned int flags)
{
	struct pt_table *t;
	unsigned int level;

	if (!fmt || levels < fmt->min_levels || levels > fmt->max_levels ||
	    levels > PT_MAX_LEVELS || levels < 1 ||
	    (flags & ~PT_ALLOC_DIRTY_TRACKING))
		return ERR_PTR(-EINVAL);
	/*
	 * The pool hands out 4 KiB pages of 8-byte entries. The granule may
	 * be smaller (the mock's 2 KiB), never larger than a table page; the
	 * walker counts leaves in granules and tables in pool pages.
	 */
	if (pt_fmt_table_lg2(fmt) != PT_POOL_PAGE_LG2 ||
	    fmt->granule_lg2 > PT_POOL_PAGE_LG2)
		return ERR_PTR(-EINVAL);

	t = uio_zalloc(sizeof(*t));
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->fmt = fmt;
	t->levels = levels;
	t->va_lg2 = pt_fmt_va_lg2(fmt, levels);
	t->flags = flags;
	t->pgsize_bitmap = pt_fmt_pgsize_bitmap(fmt, levels);
	if (flags & PT_ALLOC_DIRTY_TRACKING)
		t->dirty_enable = fmt->dirty_enable;
	/*
	 * pt_format: a table pointer is the (shifted) address plus per-level
	 * bits; the mask covers where a table page's address can be.
	 */
	t->addr_shift = fmt->addr_shift;
	t->table_addr_mask = fmt->make_table(PT_GENMASK(63, PT_POOL_PAGE_LG2),
					     levels > 1 ? 1 : 0) &
			     ~fmt->make_table(0, levels > 1 ? 1 : 0);
	t->table_attr[0] = UINT64_MAX; /* no pointer at level 0 */
	for (level = 1; level < levels; level++)
		t->table_attr[level] = fmt->make_table(0, level);
	pthread_mutex_init(&t->lock, NULL);
	t->pool = pt_pool_create();
	if (!t->pool)
		goto out_free_table;
	t->root = pt_pool_alloc(t->pool);
	if (!t->root)
		goto out_destroy_pool;
	return t;

out_destroy_pool:
	/* nothing was ever visible to a reader */
	pt_pool_destroy(t->pool);
out_free_table:
	pthread_mutex_destroy(&t->lock);
	uio_free(t);
	return ERR_PTR(-ENOMEM);
}

struct pt_table *pt_alloc(const struct pt_format *fmt, unsigned int levels)
{
	return pt_alloc_flags(fmt, levels, 0);
}

void pt_free(struct pt_table *t)
{
	if (IS_ERR_OR_NULL(t))
		return;
	/*
	 * Wait for readers that found the table, then drop the whole tree with
	 * the pool: no need to walk it. Synchronous on purpose: a table is
	 * freed rarely, a grace period costs about a microsecond, and memory
	 * comes back at once (liburcu's call_rcu would need its helper thread,
	 * fork handlers, and hold the memory for 10 ms or more).
	 */
	urcu_memb_synchronize_rcu();
	pt_pool_destroy(t->pool);
	pthread_mutex_destroy(&t->lock);
	uio_free(t);
}

const struct pt_format *pt_table_format(const struct pt_table *t)
{
	return t->fmt;
}

unsigned int pt_table_levels(const struct pt_table *t)
{
	return t->levels;
}

unsigned int pt_table_va_lg2(const struct pt_table *t)
{
	return t->va_lg2;
}

uint64_t pt_table_pgsize_bitmap(const struct pt_table *t)
{
	return t->pgsize_bitmap;
}

uint64_t pt_table_root(const struct pt_table *t)
{
	return (uintptr_t)t->root;
}

/* ---- unmap ---- */

static uint64_t free_subtree(struct pt_table *t, uint64_t *table,
			     unsigned int level);

/* a subtree already unlinked from the tree: count its bytes, free it */
static uint64_t free_subtree(struct pt_table *t, uint64_t *table,
			     unsigned int level)
{
	const struct pt_format *fmt = t->fmt;
	uint64_t bytes = 0;
	unsigned int i;

	if (!level) {
		bytes = (uint64_t)*pt_pool_used(table) << fmt->granule_lg2;
	} else {
		for (i = 0; i < nr_entries(fmt); i++) {
			uint64_t pte = pte_read(&table[i]);
			uint64_t *child;

			switch (decode(t, pte, level, &child)) {
			case PT_ENTRY_LEAF:
				bytes += PT_BIT(pt_level_shift(fmt, level));
				t->nr_huge--;
				break;
			case PT_ENTRY_TABLE:
				bytes += free_subtree(t, child, level - 1);
				break;
			default:
				break;
			}
		}
	}
	pt_pool_free(t->pool, table);
	return bytes;
}

/* level 0: every non-zero entry is a granule leaf wholly inside the range */
static uint64_t unmap_level0(struct pt_table *t, uint64_t *table, uint64_t iova,
			     uint64_t last)
{
	const struct pt_format *fmt = t->fmt;
	unsigned int idx = pte_index(fmt, iova, 0);
	unsigned int n = ((last - iova) >> fmt->granule_lg2) + 1;
	unsigned int i, cleared = 0;

	for (i = idx; i < idx + n; i++) {
		if (pte_read(&table[i])) {
			pte_write(&table[i], 0);
			cleared++;
		}
	}
	*pt_pool_used(table) -= cleared;
	return (uint64_t)cleared << fmt->granule_lg2;
}

/* unmap [iova, last], which lies inside @table's span at @level */
static uint64_t unmap_level(struct pt_table *t, uint64_t *table,
			    unsigned int level, uint64_t iova, uint64_t last)
{
	const struct pt_format *fmt = t->fmt;
	unsigned int shift = pt_level_shift(fmt, level);
	uint64_t size = PT_BIT(shift);
	unsigned int idx = pte_index(fmt, iova, level);
	uint16_t *used = pt_pool_used(table);
	uint64_t bytes = 0;

	if (!level)
		return unmap_level0(t, table, iova, last);

	for (;; idx++) {
		uint64_t elast =
			(iova | (size - 1)) < last ? (iova | (size - 1)) : last;
		uint64_t *ptep = &table[idx];
		uint64_t pte = pte_read(ptep);
		bool whole = !(iova & (size - 1)) && elast - iova == size - 1;
		uint64_t *child;

		switch (decode(t, pte, level, &child)) {
		case PT_ENTRY_LEAF:
			/* the end checks made sure no leaf is cut */
			if (!whole)
				break;
			pte_write(ptep, 0);
			(*used)--;
			t->nr_huge--;
			bytes += size;
			break;
		case PT_ENTRY_TABLE:
			if (whole) {
				pte_write(ptep, 0);
				(*used)--;
				bytes += free_subtree(t, child, level - 1);
				break;
			}
			bytes += unmap_level(t, child, level - 1, iova, elast);
			if (!*pt_pool_used(child)) {
				pte_write(ptep, 0);
				(*used)--;
				pt_pool_free(t->pool, child);
			}
			break;
		default:
			break;
		}
		if (elast == last)
			return bytes;
		iova = elast + 1;
	}
}

/* would unmapping [iova, last] cut a leaf in two? */
static bool cuts_leaf(const struct pt_table *t, uint64_t iova, uint64_t last)
{
	unsigned int level;
	uint64_t pte, mask;

	/* only a leaf above level 0 can be cut */
	if (!t->nr_huge)
		return false;
	if (walk_to_leaf(t, iova, &level, &pte)) {
		mask = PT_BIT(leaf_lg2(t->fmt, pte, level)) - 1;
		if (iova & mask)
			return true;
	}
	if (walk_to_leaf(t, last, &level, &pte)) {
		mask = PT_BIT(leaf_lg2(t->fmt, pte, level)) - 1;
		if ((last & mask) != mask)
			return true;
	}
	return false;
}

uint64_t pt_unmap(struct pt_table *t, uint64_t iova, uint64_t length)
{
	uint64_t granule = PT_BIT(t->fmt->granule_lg2);
	uint64_t last, bytes = 0;

	if (!range_last(iova, length, &last) || (iova & (granule - 1)) ||
	    (length & (granule - 1)) || iova > va_last(t))
		return 0;
	if (last > va_last(t))
		last = va_last(t);

	pthread_mutex_lock(&t->lock);
	if (!cuts_leaf(t, iova, last)) {
		bytes = unmap_level(t, t->root, top_level(t), iova, last);
	}
	pthread_mutex_unlock(&t->lock);
	return bytes;
}

/* ---- map ---- */

struct map_op {
	struct pt_table *t;
	const struct pt_format *fmt;
	uint64_t oa_off; /* oa = iova + oa_off, modulo 2^64 */
	uint64_t pgsizes;
	unsigned int prot;
	uint64_t failed_at; /* first IOVA not mapped when the walk stopped */
};

static uint64_t leaf_template(const struct map_op *op, uint64_t oa,
			      unsigned int level)
{
	const struct pt_format *fmt = op->fmt;
	uint64_t pte = fmt->make_leaf(oa, level, op->prot);

	if (op->t->dirty_enable && (op->prot & PT_PROT_WRITE))
		pte = pt_entry_clear_dirty(fmt, pte | op->t->dirty_enable);
	return pte;
}

/* write @n leaves at @table[idx...], mapping from @iova on */
static int map_leaves(struct map_op *op, uint64_t *table, unsigned int idx,
		      unsigned int level, uint64_t iova, unsigned int n)
{
	unsigned int shift = pt_level_shift(op->fmt, level);
	/* linear OA: the next leaf's entry is one page size further */
	unsigned int step_lg2 = shift + op->t->addr_shift;
	uint64_t pte = leaf_template(op, iova + op->oa_off, level);
	uint64_t *ptep = &table[idx];
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (pte_read(&ptep[i])) {
			*pt_pool_used(table) += i;
			if (level)
				op->t->nr_huge += i;
			op->failed_at = iova + ((uint64_t)i << shift);
			return -EEXIST;
		}
		pte_write(&ptep[i], pte + ((uint64_t)i << step_lg2));
	}
	*pt_pool_used(table) += n;
	if (level)
		op->t->nr_huge += n;
	return 0;
}

static int map_level(struct map_op *op, uint64_t *table, unsigned int level,
		     uint64_t iova, uint64_t last);

/* map [iova, last] below the entry at @table[idx], making a table if none */
static int map_descend(struct map_op *op, uint64_t *table, unsigned int idx,
		       unsigned int level, uint64_t iova, uint64_t last)
{
	uint64_t *ptep = &table[idx];
	uint64_t pte = pte_read(ptep);
	enum pt_entry_type type;
	uint64_t *child;
	int ret;

	if (!level) {
		/* unreachable: the granule is always a leaf size here */
		op->failed_at = iova;
		return -EINVAL;
	}
	type = decode(op->t, pte, level, &child);
	if (type == PT_ENTRY_EMPTY && pte) {
		/* not ours: never overwrite it */
		op->failed_at = iova;
		return -EEXIST;
	}
	if (type == PT_ENTRY_EMPTY) {
		child = pt_pool_alloc(op->t->pool);
		if (!child) {
			op->failed_at = iova;
			return -ENOMEM;
		}
		pte_write(ptep, table_pte(op->t, child, level));
		(*pt_pool_used(table))++;
	} else if (type != PT_ENTRY_TABLE) {
		op->failed_at = iova;
		return -EEXIST;
	}

	ret = map_level(op, child, level - 1, iova, last);
	if (ret && !*pt_pool_used(child)) {
		/* a table this call made and could not fill */
		pte_write(ptep, 0);
		(*pt_pool_used(table))--;
		pt_pool_free(op->t->pool, child);
	}
	return ret;
}

/* map [iova, last], which lies inside @table's span at @level */
static int map_level(struct map_op *op, uint64_t *table, unsigned int level,
		     uint64_t iova, uint64_t last)
{
	const struct pt_format *fmt = op->fmt;
	unsigned int shift = pt_level_shift(fmt, level);
	uint64_t size = PT_BIT(shift);
	bool leaf_ok = op->pgsizes & size;
	unsigned int idx = pte_index(fmt, iova, level);
	int ret;

	for (;;) {
		uint64_t elast =
			(iova | (size - 1)) < last ? (iova | (size - 1)) : last;

		if (leaf_ok && !(iova & (size - 1)) &&
		    elast - iova == size - 1 &&
		    !((iova + op->oa_off) & (size - 1))) {
			/* a run of whole entries: as many as range and table allow */
			uint64_t n = (last - iova + 1) >> shift;

			if (n > nr_entries(fmt) - idx)
				n = nr_entries(fmt) - idx;
			ret = map_leaves(op, table, idx, level, iova, n);
			if (ret)
				return ret;
			elast = iova + (n << shift) - 1;
			idx += n;
		} else {
			ret = map_descend(op, table, idx, level, iova, elast);
			if (ret)
				return ret;
			idx++;
		}
		if (elast == last)
			return 0;
		iova = elast + 1;
	}
}

int pt_map(struct pt_table *t, uint64_t iova, uint64_t oa, uint64_t length,
	   unsigned int prot, uint64_t pgsize_bitmap)
{
	const struct pt_format *fmt = t->fmt;
	struct map_op op = {
		.t = t,
		.fmt = fmt,
		.oa_off = oa - iova,
		.pgsizes = pgsize_bitmap & t->pgsize_bitmap,
		.prot = prot,
	};
	uint64_t last, oa_last, min_size;
	int ret;

	if (!(prot & (PT_PROT_READ | PT_PROT_WRITE)) || (prot & ~PT_PROT_ALL))
		return -EINVAL;
	if (!op.pgsizes)
		return -EINVAL;
	min_size = op.pgsizes & -op.pgsizes;
	if (((iova | oa | length) & (min_size - 1)) ||
	    !range_last(iova, length, &last) ||
	    !range_last(oa, length, &oa_last))
		return -EINVAL;
	if (last > va_last(t) ||
	    (fmt->oa_lg2 < 64 && oa_last >= PT_BIT(fmt->oa_lg2)))
		return -EINVAL;

	pthread_mutex_lock(&t->lock);
	ret = map_level(&op, t->root, top_level(t), iova, last);
	if (ret && op.failed_at != iova)
		unmap_level(t, t->root, top_level(t), iova, op.failed_at - 1);
	pthread_mutex_unlock(&t->lock);
	return ret;
}

/* ---- lookup ---- */

int pt_lookup(const struct pt_table *t, uint64_t iova, struct pt_leaf *ret_leaf)
{
	const struct pt_format *fmt = t->fmt;
	unsigned int level, lg2;
	uint64_t pte, mask;

	if (!walk_to_leaf(t, iova, &level, &pte))
		return -ENOENT;
	lg2 = leaf_lg2(fmt, pte, level);
	mask = lg2 >= 64 ? UINT64_MAX : PT_BIT(lg2) - 1;
	ret_leaf->oa = fmt->entry_oa(pte, level) + (iova & mask);
	ret_leaf->leaf_iova = iova & ~mask;
	ret_leaf->prot = fmt->entry_prot(pte);
	ret_leaf->pgsize_lg2 = lg2;
	ret_leaf->level = level;
	ret_leaf->dirty = pt_entry_is_dirty(fmt, pte);
	return 0;
}

int pt_iova_to_phys(const struct pt_table *t, uint64_t iova, uint64_t *ret_oa,
		    unsigned int *ret_prot)
{
	struct pt_leaf leaf;
	int ret = pt_lookup(t, iova, &leaf);

	if (ret)
		return ret;
	if (ret_oa)
		*ret_oa = leaf.oa;
	if (ret_prot)
		*ret_prot = leaf.prot;
	return 0;
}

/* ---- memory ---- */

void pt_trim(struct pt_table *t)
{
	pthread_mutex_lock(&t->lock);
	pt_pool_drain(t->pool);
	pthread_mutex_unlock(&t->lock);
}
