/* SPDX-License-Identifier: MIT */
/*
 * walker.h: what the walker's files share, private to src/pt. walker.c
 * builds, edits and reads tables; dirty.c tracks dirty leaves; census.c
 * counts. They share the table structure (its fields and which lock covers
 * them), atomic entry access, the decoding of an entry (the walker's own
 * table pointers inline, the rest through the format) and the lock-free
 * descent to the leaf that maps an IOVA.
 */
#ifndef UIOMMUFD_PT_WALKER_H
#define UIOMMUFD_PT_WALKER_H

#include <pthread.h>
#include <stdint.h>

#include "pt/pool.h"
#include "pt/pt.h"

/*
 * struct pt_table - one page table. Everything but the lock is set at
 * allocation and read-only after, except nr_huge and the pool, which the
 * lock covers; the tree itself is written under the lock and read by
 * lock-free readers (see pt.h).
 */
struct pt_table {
	const struct pt_format *fmt;
	uint64_t *root;
	unsigned int levels;
	unsigned int va_lg2;
	unsigned int flags;
	uint64_t pgsize_bitmap;
	uint64_t dirty_enable; /* fmt->dirty_enable if tracking, else 0 */
	/* own table pointers: (pa << addr_shift) | table_attr[level] */
	uint64_t table_addr_mask;
	unsigned int addr_shift; /* fmt->addr_shift */
	uint64_t table_attr[PT_MAX_LEVELS];
	pthread_mutex_t lock; /* writers; protects the pool and the counts */
	uint64_t nr_huge; /* leaves above level 0 (under the lock) */
	struct pt_pool *pool;
};

/* ---- entry access ---- */

static inline uint64_t pte_read(const uint64_t *ptep)
{
	return __atomic_load_n(ptep, __ATOMIC_RELAXED);
}

/* a reader's load: what the entry points to is visible after it */
static inline uint64_t pte_read_acquire(const uint64_t *ptep)
{
	return __atomic_load_n(ptep, __ATOMIC_ACQUIRE);
}

static inline void pte_write(uint64_t *ptep, uint64_t pte)
{
	__atomic_store_n(ptep, pte, __ATOMIC_RELEASE);
}

/*
 * Decode an entry. Every format writes a table pointer as (pa <<
 * addr_shift) | attributes of the level, so the walker recognizes its own
 * pointers inline (one mask and compare, no call); anything else, including
 * a pointer whose ignored bits hardware changed, is decoded by the format.
 */
static inline enum pt_entry_type decode(const struct pt_table *t, uint64_t pte,
					unsigned int level, uint64_t **child)
{
	enum pt_entry_type type;

	if (!pte)
		return PT_ENTRY_EMPTY;
	if ((pte & ~t->table_addr_mask) == t->table_attr[level]) {
		*child = (uint64_t *)(uintptr_t)((pte & t->table_addr_mask) >>
						 t->addr_shift);
		return PT_ENTRY_TABLE;
	}
	type = t->fmt->entry_type(pte, level);
	if (type == PT_ENTRY_TABLE) {
		if (!level)
			return PT_ENTRY_EMPTY;
		*child = (uint64_t *)(uintptr_t)t->fmt->entry_oa(pte, level);
	}
	return type;
}

static inline unsigned int nr_entries(const struct pt_format *fmt)
{
	return 1u << fmt->level_bits;
}

static inline unsigned int pte_index(const struct pt_format *fmt, uint64_t iova,
				     unsigned int level)
{
	return (iova >> pt_level_shift(fmt, level)) & (nr_entries(fmt) - 1);
}

/* the entry the walker writes to link @table at @level */
static inline uint64_t table_pte(const struct pt_table *t,
				 const uint64_t *table, unsigned int level)
{
	return ((uint64_t)(uintptr_t)table << t->addr_shift) |
	       t->table_attr[level];
}

static inline unsigned int top_level(const struct pt_table *t)
{
	return t->levels - 1;
}

/* last IOVA the table can translate */
static inline uint64_t va_last(const struct pt_table *t)
{
	return t->va_lg2 >= 64 ? UINT64_MAX : PT_BIT(t->va_lg2) - 1;
}

static inline unsigned int leaf_lg2(const struct pt_format *fmt, uint64_t pte,
				    unsigned int level)
{
	return fmt->leaf_lg2 ? fmt->leaf_lg2(pte, level)
			     : pt_level_shift(fmt, level);
}

/*
 * Lock-free descent to the leaf mapping @iova; NULL if none. Safe for
 * readers under the RCU read lock and for writers under the lock.
 */
static inline uint64_t *walk_to_leaf(const struct pt_table *t, uint64_t iova,
				     unsigned int *ret_level, uint64_t *ret_pte)
{
	const struct pt_format *fmt = t->fmt;
	unsigned int level = top_level(t);
	uint64_t *table = t->root;

	if (iova > va_last(t))
		return NULL;
	for (;;) {
		uint64_t *ptep = &table[pte_index(fmt, iova, level)];
		uint64_t pte = pte_read_acquire(ptep);

		switch (decode(t, pte, level, &table)) {
		case PT_ENTRY_LEAF:
			*ret_level = level;
			*ret_pte = pte;
			return ptep;
		case PT_ENTRY_TABLE:
			level--;
			break;
		default:
			return NULL;
		}
	}
}

#endif
