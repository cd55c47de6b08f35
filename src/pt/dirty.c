/* SPDX-License-Identifier: MIT */
/*
 * dirty: dirty tracking on top of the walker (walker.h), as an IOMMU with
 * hardware access/dirty bits does it.
 *
 * pt_set_dirty() is what the hardware does on a write: a lock-free walk to
 * the leaf and an atomic compare-and-swap that moves a tracked clean leaf
 * to dirty (the format's dirty masks, pt.h). pt_read_and_clear_dirty() is
 * the harvest: under the writer lock it visits the leaves of a range,
 * reports dirty ones as maximal runs of IOVA and cleans each with one plain
 * (atomic) store of the value it read, the dirty state flipped back. No
 * locked read-modify-write (several times the cost of the whole visit of a
 * leaf) is needed: writers are excluded by the lock, and the only lock-free
 * writer, pt_set_dirty(), changes nothing but a clean leaf. So an entry
 * read dirty stays exactly as read until the harvest's store, and a
 * concurrent pt_set_dirty() is never lost: one that read the clean value
 * before and lands after the store marks the leaf dirty again, for the
 * next harvest.
 * Nothing records where dirty leaves are (the hardware formats have no
 * such summary bit), so the harvest reads every leaf: at level 0 in a
 * tight loop that tests the masks inline and calls no format code, which
 * keeps a sparse harvest near memory bandwidth.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>

#include "pt/walker.h"
#include "util/overflow.h"

void pt_set_dirty(struct pt_table *t, uint64_t iova)
{
	const struct pt_format *fmt = t->fmt;
	unsigned int level;
	uint64_t pte, *ptep;

	ptep = walk_to_leaf(t, iova, &level, &pte);
	if (!ptep)
		return;
	/*
	 * Compare-and-swap, not a blind OR: the entry may be unmapped (or
	 * become a table pointer) under us, and must not get a stray bit.
	 */
	while (pt_entry_is_clean_tracked(fmt, pte)) {
		if (__atomic_compare_exchange_n(
			    ptep, &pte, pt_entry_mark_dirty(fmt, pte), false,
			    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return;
		if (!pte || fmt->entry_type(pte, level) != PT_ENTRY_LEAF)
			return; /* unmapped or replaced meanwhile */
	}
}

struct dirty_op {
	const struct pt_table *t;
	const struct pt_format *fmt;
	uint64_t mask, match, set, clear;
	bool no_clear;
	bool in_run;
	uint64_t run_start, run_last;
	void (*record)(void *arg, uint64_t iova, uint64_t length);
	void *arg;
};

static inline void dirty_report(struct dirty_op *op, uint64_t start,
				uint64_t last)
{
	if (op->in_run && start == op->run_last + 1) {
		op->run_last = last;
		return;
	}
	if (op->in_run)
		op->record(op->arg, op->run_start,
			   op->run_last - op->run_start + 1);
	op->in_run = true;
	op->run_start = start;
	op->run_last = last;
}

/*
 * @pte is what @ptep holds and it is dirty: under the lock nothing else can
 * change it (see the top of the file), so a store cleans it. Relaxed: a
 * reader that sees either value translates the same way.
 */
static inline void dirty_clean(uint64_t *ptep, uint64_t pte, uint64_t set,
			       uint64_t clear)
{
	__atomic_store_n(ptep, (pte | clear) & ~set, __ATOMIC_RELAXED);
}

static void dirty_level0(struct dirty_op *op, uint64_t *table, uint64_t iova,
			 uint64_t last)
{
	unsigned int granule_lg2 = op->fmt->granule_lg2;
	unsigned int idx = pte_index(op->fmt, iova, 0);
	unsigned int n = ((last - iova) >> granule_lg2) + 1;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t pte = pte_read(&table[idx + i]);
		uint64_t start;

		if ((pte & op->mask) != op->match)
			continue;
		start = iova + ((uint64_t)i << granule_lg2);
		dirty_report(op, start, start + PT_BIT(granule_lg2) - 1);
		if (!op->no_clear)
			dirty_clean(&table[idx + i], pte, op->set, op->clear);
	}
}

static void dirty_level(struct dirty_op *op, uint64_t *table,
			unsigned int level, uint64_t iova, uint64_t last)
{
	const struct pt_format *fmt = op->fmt;
	uint64_t size = PT_BIT(pt_level_shift(fmt, level));
	unsigned int idx = pte_index(fmt, iova, level);

	if (!level) {
		dirty_level0(op, table, iova, last);
		return;
	}
	for (;; idx++) {
		uint64_t elast =
			(iova | (size - 1)) < last ? (iova | (size - 1)) : last;
		uint64_t pte = pte_read(&table[idx]);
		uint64_t *child;

		switch (decode(op->t, pte, level, &child)) {
		case PT_ENTRY_LEAF:
			if ((pte & op->mask) != op->match)
				break;
			dirty_report(op, iova, elast);
			if (!op->no_clear)
				dirty_clean(&table[idx], pte, op->set,
					    op->clear);
			break;
		case PT_ENTRY_TABLE:
			dirty_level(op, child, level - 1, iova, elast);
			break;
		default:
			break;
		}
		if (elast == last)
			return;
		iova = elast + 1;
	}
}

int pt_read_and_clear_dirty(
	struct pt_table *t, uint64_t iova, uint64_t length, unsigned int flags,
	void (*record)(void *arg, uint64_t iova, uint64_t length), void *arg)
{
	const struct pt_format *fmt = t->fmt;
	uint64_t granule = PT_BIT(fmt->granule_lg2);
	struct dirty_op op = {
		.t = t,
		.fmt = fmt,
		.mask = fmt->dirty_mask,
		.match = fmt->dirty_match,
		.set = fmt->dirty_set,
		.clear = fmt->dirty_clear,
		.no_clear = flags & PT_DIRTY_NO_CLEAR,
		.record = record,
		.arg = arg,
	};
	uint64_t last;

	if (!fmt->dirty_match)
		return -EOPNOTSUPP;
	if ((flags & ~PT_DIRTY_NO_CLEAR) || !record ||
	    !range_last(iova, length, &last) || (iova & (granule - 1)) ||
	    (length & (granule - 1)))
		return -EINVAL;
	if (iova > va_last(t))
		return 0;
	if (last > va_last(t))
		last = va_last(t);

	pthread_mutex_lock(&t->lock);
	dirty_level(&op, t->root, top_level(t), iova, last);
	pthread_mutex_unlock(&t->lock);
	if (op.in_run)
		record(arg, op.run_start, op.run_last - op.run_start + 1);
	return 0;
}
